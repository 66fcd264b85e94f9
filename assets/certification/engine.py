"""The certification engine: status, points ledger, renewal forecast and site compliance as of D.

``evaluate`` computes everything once and returns a frozen :class:`CertificationResult`; the four
table functions are shortcuts for callers that need one table. Nothing here knows about Dagster.

Scope of the rows (docs/rules.md and docs/data-contract.md): every person employed on D gets a row
for the credential their
role requires — or, when it requires none (no entry, or ``credential: null``), for
``policy.default_credential`` with compliance NOT_REQUIRED — plus a row for every other configured
credential in which they passed at least one required module by D. Records dated after D and
records of people not employed on D are ignored.

Inputs may carry text as plain objects or as Arrow strings (what the ingestion stage sends); the
tables come back with the same answers either way, person columns in the roster's own dtypes.

Three layers, imports pointing one way (orchestrator -> machinery -> rules):

- :mod:`assets.certification.rules`: the credential rules, one function per rule, on arrays with
  honest nulls; nothing about threads, indexes or text;
- :mod:`assets.certification.machinery`: how it runs fast - indexes answering the rules'
  questions with binary searches, the worker threads, the status table's assembly, the evidence
  texts in Arrow;
- this module: the orchestrator, the one place where both meet - index the inputs, run the rules
  per credential over slices of people, assemble the tables.

How it runs fast (a million employees with five million results: about 4.5 s and 2.3 GB on two
cores, see ``benchmarks/bench_engine.py``):

- everything is vectorised across people: cycle chaining loops once per cycle number, never per
  person;
- numbers first, text last: the rules produce day numbers, the machinery results-row numbers;
  the status rows are put in their final order, and only then are the evidence texts rendered,
  once, in Arrow's string kernels, with no Python string per row;
- the work is spread over worker threads (:mod:`assets.certification.machinery.parallel`):
  numpy's and Arrow's kernels release the GIL, so the results are indexed in slices, each
  credential's people are evaluated in contiguous chunks, and the evidence texts are rendered in
  slices while this thread builds the rest of the table, the forecast and the site roll-up (the
  futures stay inside :func:`evaluate`). Every slice is a contiguous range in a fixed order, so
  the answers never depend on the number of threads (tests run the scenario both ways).

Adding a status column touches three places in the engine: the rule that computes it (a
function in ``rules/``, or an existing one), one entry in
:func:`~assets.certification.machinery.status_table.status_columns` (a numpy array, a ``Days`` -
listed in ``_DATE_COLUMNS`` when it is a date - or a pandas ``BooleanArray``), and its place in
``status.STATUS_COLUMNS``; outside the engine, the table's contract (``CertificationStatus`` in
``schemas/output_tables.py``, from which the warehouse's column types follow) and
``docs/data-contract.md``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from assets.certification.compliance import site_compliance as _site_compliance
from assets.certification.dates import day_number
from assets.certification.forecast import renewal_forecast as _renewal_forecast
from assets.certification.machinery.day_grid import DayGrid
from assets.certification.machinery.evidence_text import evidence_columns, evidence_slice
from assets.certification.machinery.ledger_table import LEDGER_COLUMNS, ledger_rows, ledger_table
from assets.certification.machinery.parallel import WorkerPool, worker_pool
from assets.certification.machinery.points_index import (
    ActivityIndex,
    PointsSources,
    build_activity_index,
)
from assets.certification.machinery.results_index import (
    AssessmentIndex,
    SourceRecords,
    build_assessment_index,
    results_slice,
)
from assets.certification.machinery.status_table import (
    Column,
    final_places,
    interleaved,
    status_columns,
    status_table,
    with_evidence_texts,
)
from assets.certification.people import People, employed_people
from assets.certification.rules.cycles import chain_cycles
from assets.phase_clock import PhaseClock
from schemas.config import CompetenceConfig, Credential, PointsRenewal


@dataclass(frozen=True)
class CertificationResult:
    """The four tables of one as-of date."""

    status: pd.DataFrame
    ledger: pd.DataFrame
    forecast: pd.DataFrame
    site_compliance: pd.DataFrame


# Columns the contract marks optional: absent ones are read as empty, not as an error.
_OPTIONAL_COLUMNS = {
    "roster": {
        "email": None,
        "department": None,
        "manager_email": None,
        "termination_date": pd.NaT,
    },
    "results": {"credential_id": None, "match_method": "employee_id"},
    "activities": {"hours": np.nan, "points": np.nan},
}


def _with_optional_columns(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    missing = {c: v for c, v in _OPTIONAL_COLUMNS[table].items() if c not in frame.columns}
    return frame.assign(**missing) if missing else frame


def _earliest_day(*columns: pd.Series) -> int | None:
    earliest = [c.min() for c in columns if len(c)]
    earliest = [e for e in earliest if pd.notna(e)]
    return min(day_number(pd.Timestamp(e).date()) for e in earliest) if earliest else None


def _credential_rows(
    people: People,
    code: str,
    credential: Credential,
    assessments: AssessmentIndex,
    sources: PointsSources | None,
    config: CompetenceConfig,
    as_of_day: int,
    person: np.ndarray,
) -> tuple[dict[str, Column], pd.DataFrame | None]:
    """Status rows (and ledger rows, for points renewal) of one credential for some people."""
    required = assessments.numbers(credential.required_modules)
    outcome = chain_cycles(person, credential, required, assessments, sources, as_of_day)
    status = status_columns(people, code, credential, outcome, assessments, config, as_of_day)
    if sources is None:
        return status, None
    return status, ledger_rows(people, code, sources, outcome, as_of_day)


@dataclass(frozen=True)
class _Indexed:
    """The week's inputs, indexed for the rules' questions."""

    people: People
    assessments: AssessmentIndex
    activities: ActivityIndex


def _index_inputs(
    roster: pd.DataFrame,
    results: pd.DataFrame,
    activities: pd.DataFrame,
    config: CompetenceConfig,
    as_of: dt.date,
    pool: WorkerPool,
    clock: PhaseClock,
) -> _Indexed:
    d = day_number(as_of)
    roster = _with_optional_columns(roster, "roster")
    results = _with_optional_columns(results, "results")
    activities = _with_optional_columns(activities, "activities")
    modules = tuple(sorted(config.credentials.all_modules))
    first = _earliest_day(results["assessment_date"], activities["activity_date"])
    grid = DayGrid(first or d, d)
    # the Arrow arrays behind the evidence texts need nobody's position: start them first
    records = pool.submit(lambda: SourceRecords.of(results))
    with clock.phase("people"):
        people = employed_people(roster, config, as_of)
    with clock.phase("results and activities index"):
        # the worker threads take the heavy, mostly GIL-free parts: the results in slices
        # (looking up a person for every record) and the activities, while this thread
        # merges the slices
        people.prepare_lookup()
        result_slices = pool.submit_ranges(
            partial(
                results_slice,
                results,
                positions=people.positions,
                modules=modules,
                grid=grid,
                as_of_day=d,
            ),
            len(results),
        )
        activity_index = pool.submit(
            lambda: build_activity_index(
                activities, people.positions(activities["employee_id"]), grid, d
            )
        )
        assessments = build_assessment_index(
            [part.result() for part in result_slices],
            results,
            len(people),
            modules,
            grid,
            records.result(),
        )
        indexed_activities = activity_index.result()  # raises here if it failed
    return _Indexed(people, assessments, indexed_activities)


def _rules_per_credential(
    inputs: _Indexed, config: CompetenceConfig, d: int, pool: WorkerPool, clock: PhaseClock
) -> tuple[list[dict[str, Column]], pd.DataFrame]:
    """Each credential's status columns (one block per slice of people) and the ledger."""
    people, assessments = inputs.people, inputs.assessments
    row_credential = np.where(
        pd.isna(people.required_credential),
        config.policy.default_credential,
        people.required_credential,
    )
    everyone = np.arange(len(people))
    status_blocks, ledger_blocks = [], []
    for code, credential in config.credentials.credentials.items():
        required = assessments.numbers(credential.required_modules)
        holds = assessments.first_passes(everyone, required).present.any(axis=1)
        person = np.flatnonzero((row_credential == code) | holds)
        sources = None
        if isinstance(credential.renewal, PointsRenewal):
            sources = PointsSources(
                credential.renewal,
                assessments.grid,
                inputs.activities,
                assessments,
                assessments.numbers([*credential.required_modules, *credential.optional_modules]),
                people.hire_day,
                people.manufacturing_related,
            )
        with clock.phase("cycles, status, ledger"):
            parts = pool.map_chunks(
                partial(
                    _credential_rows, people, code, credential, assessments, sources, config, d
                ),
                person,
            )
        status_blocks.extend(status for status, _ in parts)
        if sources is not None:
            ledger_blocks.append(pd.concat([ledger for _, ledger in parts], ignore_index=True))
    rank = {code: i for i, code in enumerate(config.credentials.credentials)}
    with clock.phase("ledger table"):
        ledger = ledger_table(ledger_blocks, rank)
    return status_blocks, ledger


def evaluate(
    roster: pd.DataFrame,
    results: pd.DataFrame,
    activities: pd.DataFrame,
    config: CompetenceConfig,
    as_of: dt.date,
    *,
    workers: int | None = None,
    clock: PhaseClock | None = None,
) -> CertificationResult:
    """Status, points ledger, renewal forecast and site compliance of every employed person on D.

    ``workers`` threads share the per-person work (default: the cores this process may use);
    ``clock``, when given, collects the wall time of each phase.
    """
    clock = clock or PhaseClock()
    d = day_number(as_of)
    with worker_pool(workers) as pool:
        inputs = _index_inputs(roster, results, activities, config, as_of, pool, clock)
        blocks, ledger = _rules_per_credential(inputs, config, d, pool, clock)
        records, modules = inputs.assessments.records, list(inputs.assessments.modules)
        with clock.phase("status table"):
            places = final_places(blocks)
            module_days, proof_rows = pool.map_items(
                lambda column: interleaved(blocks, column, places), ["module_days", "proof_rows"]
            )
            # the evidence texts need no other column: the worker threads render them while
            # this thread builds the rest of the table, the forecast and the site roll-up
            text_slices = pool.submit_ranges(
                partial(evidence_slice, records, modules, module_days, proof_rows),
                len(module_days),
            )
            credentials = list(config.credentials.credentials)
            frame = status_table(
                inputs.people, blocks, places, credentials, modules, module_days, d
            )
        with clock.phase("forecast"):
            forecast = _renewal_forecast(frame, ledger, config, as_of)
        with clock.phase("site compliance"):
            compliance = _site_compliance(frame, config, as_of)
        with clock.phase("evidence texts (wait)"):
            texts = evidence_columns([part.result() for part in text_slices])
            status = with_evidence_texts(frame, texts)
    return CertificationResult(
        status=status, ledger=ledger, forecast=forecast, site_compliance=compliance
    )


def certification_status(
    roster: pd.DataFrame,
    results: pd.DataFrame,
    activities: pd.DataFrame,
    config: CompetenceConfig,
    as_of: dt.date,
) -> pd.DataFrame:
    """One row per employed person and credential held or needed, as of D."""
    return evaluate(roster, results, activities, config, as_of).status


def points_ledger(
    roster: pd.DataFrame,
    results: pd.DataFrame,
    activities: pd.DataFrame,
    config: CompetenceConfig,
    as_of: dt.date,
) -> pd.DataFrame:
    """Every earning event in each person's current (or most recent) points-renewed cycle."""
    return evaluate(roster, results, activities, config, as_of).ledger


renewal_forecast = _renewal_forecast
site_compliance = _site_compliance

__all__ = [
    "LEDGER_COLUMNS",
    "CertificationResult",
    "certification_status",
    "evaluate",
    "points_ledger",
    "renewal_forecast",
    "site_compliance",
]
