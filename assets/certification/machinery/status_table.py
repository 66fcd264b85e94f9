"""The status table assembled from the rules' answers: rows in order, nulls as the table's.

Per credential and slice of people, :func:`status_columns` asks the rules
(:mod:`assets.certification.rules`) for each column and keeps their honest nulls (``Days`` with a
``present`` mask, pandas nullable arrays). :func:`status_table` then writes every block's rows
straight to their final place (employee id, then credential order) and turns day numbers into
dates. The evidence texts are rendered afterwards by :mod:`.evidence_text`, from two number
columns kept here for the purpose: ``module_days`` (latest pass of each module, NO_DAY where the
credential does not show it) and ``proof_rows`` (the proving results rows, -1 where none) - both
internal to the machinery.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pyarrow as pa

from assets.certification.dates import NO_DAY, datetimes_from_days
from assets.certification.machinery.evidence_text import (
    EVIDENCE_TEXT_COLUMNS,
    matched_by_name,
    modules_passed,
)
from assets.certification.machinery.results_index import NO_ATTEMPT, AssessmentIndex
from assets.certification.people import People
from assets.certification.rules.compliance import compliance_of
from assets.certification.rules.cycles import COVERS_AS_OF, LAPSED, CycleOutcome
from assets.certification.rules.days import Days
from assets.certification.rules.status import (
    days_to_expiry,
    points_needed,
    renewal_secured,
    status_of,
)
from assets.certification.status import STATUS_COLUMNS
from schemas.config import CompetenceConfig, Credential, PointsRenewal

_PERSON_COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "site",
    "job_role",
    "email",
    "department",
    "manager_email",
)
_DATE_COLUMNS = ("certified_on", "cycle_start", "expires_on", "due_date", "last_attempt_date")
_POSITION = {c: i for i, c in enumerate(STATUS_COLUMNS)}

Column = np.ndarray | Days | pd.api.extensions.ExtensionArray


def status_columns(
    people: People,
    code: str,
    credential: Credential,
    outcome: CycleOutcome,
    assessments: AssessmentIndex,
    config: CompetenceConfig,
    as_of_day: int,
) -> dict[str, Column]:
    """One credential's status columns for the people in ``outcome``, as the rules answer them.

    Person and text columns are added by :func:`status_table`, once the rows are in order.
    """
    person = outcome.person
    policy = config.policy
    shown = np.isin(
        np.arange(len(assessments.modules)),
        assessments.numbers([*credential.required_modules, *credential.optional_modules]),
    )
    required = assessments.numbers(credential.required_modules)
    rank = list(config.credentials.credentials).index(code)
    points_rule = credential.renewal if isinstance(credential.renewal, PointsRenewal) else None
    is_required = people.required_credential[person] == code
    compliance, due, overdue = compliance_of(
        outcome.state == COVERS_AS_OF,
        outcome.state == LAPSED,
        is_required,
        people.hire_day[person],
        outcome.expires_on,
        as_of_day,
        policy.new_hire_grace_days,
    )
    attempt = np.full(len(person), NO_ATTEMPT)
    for m in np.flatnonzero(shown):  # column by column: numpy's row-wise max is slow
        attempt = np.maximum(attempt, assessments.last_attempt[person, m])
    proof_rows = np.empty((len(person), len(required)), dtype=np.int64)
    for j, m in enumerate(required):
        proof_rows[:, j] = assessments.record_of(person, m, outcome.proof[:, j])
    return {
        "person": person,
        "credential_rank": np.full(len(person), rank, dtype=np.int16),
        "status": status_of(outcome, as_of_day, policy.expiry_warning_days),
        "certified_on": outcome.certified_on,
        "cycle_start": outcome.cycle_start,
        "expires_on": outcome.expires_on,
        "cycle_points": outcome.cycle_points,
        "points_needed": points_needed(outcome, points_rule and points_rule.points_required),
        "renewal_secured": renewal_secured(outcome, as_of_day, policy.expiry_warning_days),
        "compliance": compliance,
        "due_date": due,
        "required": is_required,
        "requirement_determined": people.requirement_determined[person],
        "days_to_expiry": days_to_expiry(outcome, as_of_day),
        "overdue_days": overdue,
        "last_attempt_date": Days(attempt, attempt > NO_ATTEMPT),
        "matched_by_name": matched_by_name(assessments.records, proof_rows),
        "module_days": np.where(shown, assessments.last_pass[person], NO_DAY),
        "proof_rows": proof_rows,
    }


def _scatter(parts: list[np.ndarray], destination: list[np.ndarray]) -> np.ndarray:
    """One array of all blocks, each block's rows written straight to their final places.

    Each block is in person order, so its destinations rise and the writes run sequentially;
    credentials differ in their number of required modules, so 2-D parts are padded with -1.
    """
    first = parts[0]
    n = sum(len(p) for p in parts)
    if first.ndim == 2:
        out = np.full((n, max(p.shape[1] for p in parts)), -1, dtype=first.dtype)
        for part, where in zip(parts, destination, strict=True):
            out[where, : part.shape[1]] = part
        return out
    out = np.empty(n, dtype=np.result_type(*parts))
    for part, where in zip(parts, destination, strict=True):
        out[where] = part
    return out


def _interleave(parts: list[Column], destination: list[np.ndarray]) -> Column:
    """:func:`_scatter` for every kind of column, nulls included."""
    first = parts[0]
    if isinstance(first, Days):
        return Days(
            _scatter([p.day for p in parts], destination),
            _scatter([p.present for p in parts], destination),
        )
    if isinstance(first, pd.arrays.BooleanArray):
        values = _scatter([p.to_numpy(dtype=bool, na_value=False) for p in parts], destination)
        missing = _scatter([np.asarray(p.isna()) for p in parts], destination)
        return pd.arrays.BooleanArray(values, missing)
    return _scatter(parts, destination)


def _counts(days: Days) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(days.present, days.day, 0), ~days.present)


def final_places(blocks: list[dict[str, Column]]) -> list[np.ndarray]:
    """Where each block's rows go in the table: sorted by employee id, then credential order."""
    order = np.lexsort(
        (
            np.concatenate([b["credential_rank"] for b in blocks]),
            np.concatenate([b["person"] for b in blocks]),
        )
    )
    final_place = np.empty_like(order)
    final_place[order] = np.arange(len(order))
    bounds = np.cumsum([0] + [len(b["person"]) for b in blocks])
    return [final_place[lo:hi] for lo, hi in pairwise(bounds)]


def interleaved(blocks: list[dict[str, Column]], column: str, places: list[np.ndarray]) -> Column:
    """One column of all blocks, in the table's row order."""
    return _interleave([b[column] for b in blocks], places)


def status_table(
    people: People,
    blocks: list[dict[str, Column]],
    places: list[np.ndarray],
    credentials: list[str],
    modules: list[str],
    module_days: np.ndarray,
    as_of_day: int,
) -> pd.DataFrame:
    """Stack the credentials' rows in their ``places``, contract columns, without the evidence
    texts (:func:`with_evidence_texts` adds them).

    ``credentials`` are the codes in ``credentials.yaml`` order (what ``credential_rank``
    counts), ``modules`` every module in index order, ``module_days`` already interleaved.
    """
    columns = {
        c: interleaved(blocks, c, places)
        for c in blocks[0]
        if c not in ("module_days", "proof_rows")
    }
    person = columns.pop("person")
    rank = columns.pop("credential_rank")
    for c in _DATE_COLUMNS:
        columns[c] = datetimes_from_days(columns[c].day, columns[c].present)
    columns["days_to_expiry"] = _counts(columns["days_to_expiry"])
    columns["overdue_days"] = _counts(columns["overdue_days"])
    columns["credential"] = np.array(credentials, dtype=object)[rank]
    columns["modules_passed"] = modules_passed(modules, module_days)
    # person columns keep the roster's own dtypes (Arrow text stays Arrow)
    columns.update({c: people.column_at(c, person) for c in _PERSON_COLUMNS})
    columns["hire_date"] = datetimes_from_days(people.hire_day[person])
    columns["as_of"] = datetimes_from_days(np.full(len(person), as_of_day))
    # object columns are text: say so, or pandas scans each one for dates
    series = {
        c: pd.Series(columns[c], dtype=object, copy=False)
        if isinstance(columns[c], np.ndarray) and columns[c].dtype == object
        else columns[c]
        for c in STATUS_COLUMNS
        if c not in EVIDENCE_TEXT_COLUMNS
    }
    return pd.DataFrame(series, copy=False)


def with_evidence_texts(frame: pd.DataFrame, texts: dict[str, pa.ChunkedArray]) -> pd.DataFrame:
    """The status table with its evidence text columns in their contract places."""
    frame = frame.copy(deep=False)
    # ascending contract positions: every column before the inserted one is already there
    for c, text in sorted(texts.items(), key=lambda t: _POSITION[t[0]]):
        frame.insert(_POSITION[c], c, pd.arrays.ArrowExtensionArray(text))
    return frame
