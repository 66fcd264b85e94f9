"""One week's intake: read every landing file, conform, quarantine, de-duplicate and account.

This is the pure core of the ingestion assets. It returns the canonical tables plus the ledgers
that prove nothing was lost: for every file, rows in = accepted + rejected + de-duplicated.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date

import pandas as pd
import pandera.pandas as pa

from assets.cores import available_cores
from assets.phase_clock import PhaseClock
from schemas.config import CANONICAL_RESULT_COLUMNS, CompetenceConfig
from schemas.tables import (
    ACTIVITY_COLUMNS,
    EXEMPTION_COLUMNS,
    REVOCATION_COLUMNS,
    ROSTER_COLUMNS,
    AssessmentResult,
    CeActivity,
    Exemption,
    RejectedRow,
    Revocation,
    RosterRecord,
    with_runtime_checks,
)

from .conformed import FILE_COLUMN, concat_conformed
from .dedup import DROP_ORDER, deduplicate, empty_dedup_log
from .file_accounting import (
    SOURCE_FILE_COLUMNS,
    account,
    file_record,
    problem_record,
    whole_file_rejects,
)
from .file_intake import read_file
from .freed_memory import give_back_freed_memory
from .identity import link_activities, link_results
from .labels import labels_as_text
from .landing import LandingFile, LandingInventory
from .read_workers import WorkbookReads
from .readers import ROW_NUMBER
from .validation import REJECT_COLUMNS, empty_rejects, find_rejects

# reads are I/O and hashing (hashlib releases the GIL): a few threads, never more than the CPUs
READ_THREADS = min(4, available_cores())


@dataclass
class SourceIntake:
    """The accepted rows of one kind of source, and the accounting of every input row."""

    accepted: pd.DataFrame
    rejects: pd.DataFrame
    deduplicated: pd.DataFrame
    files: list[dict]


def _intake(
    files: list[LandingFile],
    config: CompetenceConfig,
    schema: pa.DataFrameSchema,
    key: list[str],
    content: list[str],
    clock: PhaseClock,
    workbooks: WorkbookReads | None = None,
) -> SourceIntake:
    conformed_files, records = [], []

    # Files are read on all cores; results stay in order. Arrow's CSV reader and hashing release
    # the GIL, calamine's sheet parse and the Python part of conforming do not (measured), so
    # large workbooks are read in worker processes (``read_workers.py``), taken last here so
    # that the threads never sit waiting for a worker while a CSV is left to read.
    # One bad file (gone, unreadable, changing, over a limit) rejects that file alone.
    in_worker = workbooks.handles if workbooks is not None else lambda _f: False
    with clock.phase("read"):
        here = [f for f in files if not in_worker(f)]
        with ThreadPoolExecutor(max_workers=READ_THREADS) as pool:
            read_here = list(pool.map(lambda f: read_file(f, config), here))[::-1]
        # popped, so that only ``outcomes`` holds the files' frames (freed after the join)
        outcomes = [
            workbooks.take(f) if workbooks is not None and in_worker(f) else read_here.pop()
            for f in files
        ]
    for order, (f, outcome) in enumerate(zip(files, outcomes, strict=True)):
        if outcome.conformed is None:
            records.append(file_record(f, problem=outcome.problem, sha256=outcome.sha256))
            continue
        conformed = outcome.conformed
        conformed.frame[DROP_ORDER] = order
        conformed_files.append(conformed)
        records.append(file_record(f, rows_in=len(conformed.frame), sha256=outcome.sha256))
    del outcomes
    if not conformed_files:
        return SourceIntake(pd.DataFrame(), empty_rejects(), empty_dedup_log(), records)
    source = files[0].source
    with clock.phase("validate"):
        combined = concat_conformed(conformed_files)
        conformed_files.clear()  # the files' own frames are freed: one copy of the rows at a time
        rejected, rejects = find_rejects(combined, schema, source)
        rows = combined.frame
        del combined
    with clock.phase("deduplicate"):  # rejected and repeated rows leave in one pass
        kept, dedup_log = deduplicate(rows, key, content, source, considered=~rejected)
        del rows
        give_back_freed_memory()  # before the next source's read and the linking (freed_memory.py)
    # in place: drop, rename and reset_index would each deep-copy every number and date column
    # (pandas without copy-on-write), fresh memory the kernel must zero (``kept`` is ours)
    del kept[DROP_ORDER]
    kept.rename(columns={FILE_COLUMN: "source_file", ROW_NUMBER: "source_row"}, inplace=True)
    kept.index = pd.RangeIndex(len(kept))
    return SourceIntake(kept, rejects, dedup_log, records)


def choose_roster_extract(
    rosters: list[LandingFile], as_of: date
) -> tuple[list[LandingFile], bool]:
    """Extracts to try for D, best first: the latest on or before D, then older ones.

    Before the first extract, the first one is used (limited by hire dates) and flagged.
    """
    on_or_before = [f for f in rosters if f.extract_date <= as_of]
    if on_or_before:
        return list(reversed(on_or_before)), False
    return rosters[:1], True


@dataclass
class WeekIntake:
    roster: pd.DataFrame
    results: pd.DataFrame
    activities: pd.DataFrame
    unmatched: pd.DataFrame
    rejects: pd.DataFrame
    deduplicated: pd.DataFrame
    source_files: pd.DataFrame
    roster_file: str | None
    before_first_extract: bool
    exemptions: pd.DataFrame | None = None
    revocations: pd.DataFrame | None = None
    # wall seconds per phase (read, validate, deduplicate, link, account), for the benchmark
    # and the materialization's metadata
    phase_seconds: dict[str, float] | None = None


def ingest_week(
    inventory: LandingInventory, config: CompetenceConfig, as_of: date, today: date
) -> WeekIntake:
    """Everything the week needs from the landing folder, with every input row accounted for."""
    # the large workbooks start reading in worker processes now, beside the roster's read
    with WorkbookReads([*inventory.provider_files, *inventory.activity_files], config) as books:
        return _ingest_week(inventory, config, as_of, today, books)


def _ingest_week(
    inventory: LandingInventory,
    config: CompetenceConfig,
    as_of: date,
    today: date,
    workbooks: WorkbookReads,
) -> WeekIntake:
    clock = PhaseClock()
    today_ts = pd.Timestamp(today)
    records: list[dict] = []

    roster_schema = RosterRecord.to_schema()
    roster_intake = None
    roster_file = None
    candidates, before_first = choose_roster_extract(inventory.rosters, as_of)
    for extract in candidates:
        attempt = _intake(
            [extract], config, roster_schema, ["employee_id"], list(ROSTER_COLUMNS), clock
        )
        records.extend(attempt.files)
        if attempt.files[-1]["problem"] is None:
            roster_intake, roster_file = attempt, extract.relative_path
            break
    if roster_intake is None:
        roster_intake = SourceIntake(
            pd.DataFrame(columns=[*ROSTER_COLUMNS, "source_file", "source_row"]),
            empty_rejects(),
            empty_dedup_log(),
            [],
        )
    roster = _unique_employees(roster_intake)
    # Before the first extract the first one stands in; the engine keeps only people employed
    # on D (hire and termination dates), and the flag travels to the report (docs/data-contract.md).

    result_schema = with_runtime_checks(
        AssessmentResult,
        date_column="assessment_date",
        today=today_ts,
        known_modules=config.credentials.all_modules,
    )
    results_intake = _intake(
        inventory.provider_files,
        config,
        result_schema,
        ["provider", "record_id"],
        [c for c in CANONICAL_RESULT_COLUMNS if c not in {"provider", "record_id"}],
        clock,
        workbooks,
    )
    activity_schema = with_runtime_checks(CeActivity, date_column="activity_date", today=today_ts)
    activities_intake = _intake(
        inventory.activity_files,
        config,
        activity_schema,
        ["employee_id", "activity_date", "activity_type", "evidence_ref"],
        ["hours", "points", "description"],
        clock,
        workbooks,
    )

    roster_links = roster if not roster.empty else pd.DataFrame(columns=list(ROSTER_COLUMNS))
    results = results_intake.accepted
    if results.empty:
        results = pd.DataFrame(columns=[*CANONICAL_RESULT_COLUMNS, "source_file", "source_row"])
    activities = activities_intake.accepted
    if activities.empty:
        activities = pd.DataFrame(columns=[*ACTIVITY_COLUMNS, "source_file", "source_row"])
    with clock.phase("link"):
        results, unmatched_results = link_results(results, roster_links)
        activities, unmatched_activities = link_activities(activities, roster_links)

    decisions = _decisions_intake(inventory, config, today_ts, clock)
    with clock.phase("account"):
        rejects, deduplicated, source_files = _week_ledgers(
            records,
            [roster_intake, results_intake, activities_intake, *decisions.values()],
            inventory,
        )
    return WeekIntake(
        roster=_leaving(roster),
        results=_leaving(results),
        activities=_leaving(activities),
        unmatched=pd.concat([unmatched_results, unmatched_activities], ignore_index=True),
        rejects=rejects,
        deduplicated=deduplicated,
        source_files=source_files,
        roster_file=roster_file,
        before_first_extract=before_first,
        exemptions=_accepted_or_empty(decisions["exemptions"], EXEMPTION_COLUMNS),
        revocations=_accepted_or_empty(decisions["revocations"], REVOCATION_COLUMNS),
        phase_seconds=clock.seconds,
    )


def _week_ledgers(
    records: list[dict], intakes: list[SourceIntake], inventory: LandingInventory
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The week's quarantine, de-duplication log and per-file accounting, from every source."""
    for intake in intakes[1:]:  # the roster's file records are in already (extracts tried)
        records.extend(intake.files)
    records.extend(problem_record(p) for p in inventory.problems)
    files = pd.DataFrame(records, columns=[*SOURCE_FILE_COLUMNS[:4], "rows_in", "problem", "check"])
    rejects = pd.concat(
        [*(i.rejects for i in intakes), whole_file_rejects(files)], ignore_index=True
    )
    deduplicated = pd.concat([i.deduplicated for i in intakes], ignore_index=True)
    RejectedRow.validate(rejects)  # the quarantine's own shape (columns in order, types)
    return rejects, deduplicated, account(files, rejects, deduplicated)


# a decision is one per (person, credential, start): a later drop of the same key replaces it
_DECISION_KEYS = {
    "exemptions": (Exemption, EXEMPTION_COLUMNS, ["employee_id", "credential", "valid_from"]),
    "revocations": (Revocation, REVOCATION_COLUMNS, ["employee_id", "credential", "revoked_on"]),
}


def _decisions_intake(
    inventory: LandingInventory, config: CompetenceConfig, today: pd.Timestamp, clock: PhaseClock
) -> dict[str, SourceIntake]:
    """Exemptions and revocations, validated, de-duplicated and accounted like every source.

    A decision may be dated ahead (an exemption approved from next month), so no "not after the
    run date" check; the credential must be one credentials.yaml defines.
    """
    files = {"exemptions": inventory.exemption_files, "revocations": inventory.revocation_files}
    known = set(config.credentials.credentials)
    out = {}
    for kind, (model, columns, key) in _DECISION_KEYS.items():
        schema = model.to_schema().update_columns(
            {"credential": {"checks": [pa.Check.isin(sorted(known), name="known credential")]}}
        )
        content = [c for c in columns if c not in key]
        out[kind] = (
            _intake(files[kind], config, schema, key, content, clock)
            if files[kind]
            else SourceIntake(pd.DataFrame(), empty_rejects(), empty_dedup_log(), [])
        )
    return out


def _leaving(frame: pd.DataFrame) -> pd.DataFrame:
    """An accepted table as it leaves the intake: file and provider as the text columns every
    consumer has always received (decoded only now, after the linking, whose scratch arrays
    are freed by then: the linking is the week's peak), rows numbered from 0. Shallow:
    ``reset_index`` would deep-copy every number and date column."""
    frame = labels_as_text(frame.copy(deep=False))
    frame.index = pd.RangeIndex(len(frame))
    return frame


def _accepted_or_empty(intake: SourceIntake, columns: tuple[str, ...]) -> pd.DataFrame:
    if intake.accepted.empty:
        return pd.DataFrame(columns=[*columns, "source_file", "source_row"])
    return _leaving(intake.accepted)


def _unique_employees(intake: SourceIntake) -> pd.DataFrame:
    """An employee id appears once per extract: a conflicting second row is a reject, not a
    silent overwrite (the later row is kept, as with any other drop, and the earlier named)."""
    log = intake.deduplicated
    conflicts = log[log["kind"] == "SUPERSEDED"]
    if not conflicts.empty:
        rejects = pd.DataFrame(
            {
                "source": "roster",
                "source_file": conflicts["source_file"],
                "row_number": conflicts["row_number"],
                "column": "employee_id",
                "check": "a unique employee_id per extract",
                "value": conflicts["record_key"],
            }
        )
        rejects["record_key"] = rejects["value"]
        rejects["message"] = (
            rejects["source_file"]
            + " row "
            + rejects["row_number"].astype(str)
            + ", column 'employee_id': expected a unique employee_id per extract, found "
            + rejects["value"].map(repr)
            + " again at row "
            + conflicts["kept_row"].astype(str)
            + " (that row is used)"
        )
        rejects = rejects[REJECT_COLUMNS]
        intake.rejects = pd.concat([intake.rejects, rejects], ignore_index=True)
        intake.deduplicated = log[log["kind"] != "SUPERSEDED"].reset_index(drop=True)
    return intake.accepted
