"""Ingestion assets: one weekly intake of the landing folder, with its accounting checks.

One multi-asset reads every file once and emits the canonical tables and the ledgers that prove
nothing was lost. Each table carries ``week`` (the partition's Monday) so the DuckDB IO manager
replaces that week on a rerun instead of appending to it.
"""

import dagster as dg
import pandas as pd

from assets.catalog import counts, entry, weekly_check
from assets.csv_export import write_safe_csv
from assets.partitions import as_of_date, weekly_partitions
from assets.resources import CompetenceSettings
from assets.warehouse import WarehouseNeedsRepair, WarehouseUnavailable, check_warehouse

from .completeness import facts_of_week, missing_data, refusal_message
from .intake import WeekIntake, ingest_week
from .landing import LandingInventory, take_inventory
from .last_week import last_stored_week

MATCH_METHODS = ("employee_id", "email", "name", "unmatched")  # how a result found its person
TABLES = {
    "roster_snapshot": "The HR roster as of the week: the latest extract on or before the "
    "as-of Sunday (before the first extract, the first one, flagged).",
    "assessment_results": "Every accepted module assessment from every training provider, in "
    "one canonical shape, linked to a person where possible (person_id, match_method).",
    "ce_activities": "Accepted continuing-education activities, linked to people by employee id.",
    "exemptions": "Accepted exemptions: a person excused from a credential's requirement, with "
    "reason, approver and validity (valid_until empty: no end date).",
    "revocations": "Accepted revocations: a credential withdrawn from a person from a date, "
    "with reason and who withdrew it.",
    "rejected_rows": "The quarantine: every input row that failed a check, with file, row, "
    "column, the check, the value as written and the record's key (record_key); every file "
    "rejected whole is a row too, with no row number. Exported to "
    "status/YYYY-MM-DD/rejected_rows.csv (the week's Monday).",
    "deduplicated_rows": "Rows not loaded because they repeat a record: exact re-sends and "
    "conflicting duplicates superseded by a later drop (named in kept_file/kept_row). Exported "
    "to status/YYYY-MM-DD/deduplicated_rows.csv.",
    "unmatched_records": "Provider and activity records that could not be linked to exactly one "
    "person (UNMATCHED or AMBIGUOUS). Exported to status/YYYY-MM-DD/unmatched_records.csv.",
    "source_files": "Every landing file with its SHA-256 and rows in / accepted / rejected / "
    "de-duplicated, and whole-file problems: the evidence an auditor reproduces a report from.",
}


def _markdown_preview(frame: pd.DataFrame, rows: int = 5) -> dg.MetadataValue:
    shown = frame.drop(columns=["week"], errors="ignore").head(rows)
    return dg.MetadataValue.md(shown.to_markdown(index=False) if not shown.empty else "_empty_")


@dg.multi_asset(
    outs={
        name: dg.AssetOut(description=text, kinds={"pandas", "duckdb"}, **entry("ingest", name))
        for name, text in TABLES.items()
    },
    partitions_def=weekly_partitions,
    group_name="ingest",
    check_specs=[
        weekly_check(
            "row_conservation",
            "source_files",
            "Every input row is accepted, rejected or de-duplicated: the counts add up per file "
            "and match the rows stored in the canonical tables.",
        ),
        weekly_check(
            "results_link_to_people",
            "assessment_results",
            "Referential integrity: every linked result points at a person on the week's "
            "roster; unlinked results are listed in unmatched_records.",
        ),
    ],
)
def landing_intake(context: dg.AssetExecutionContext, settings: CompetenceSettings):
    """Read, validate, de-duplicate and link one week's view of the landing folder."""
    config = settings.config
    partition = context.partition_key
    as_of = as_of_date(partition)
    today = settings.today(config)
    try:
        # before anything is written: a poisoned warehouse would fail half-way through the week
        check_warehouse(settings.warehouse_path)
    except (WarehouseNeedsRepair, WarehouseUnavailable) as exc:
        raise dg.Failure(description=str(exc)) from None
    inventory = take_inventory(settings.landing_path, config.providers)
    intake = ingest_week(inventory, config, as_of=as_of, today=today)
    week = pd.Timestamp(partition)
    # Refuse to report on nothing: fail the week before any table, CSV or report is replaced.
    _refuse_missing_data(context, settings, config, inventory, intake)

    if intake.before_first_extract:
        context.log.warning(
            f"The week ends {as_of} before the first roster extract; {intake.roster_file} "
            "stands in, limited by hire and termination dates."
        )
    roster = intake.roster.assign(
        extract_file=intake.roster_file, before_first_extract=intake.before_first_extract
    )
    tables = {
        "roster_snapshot": roster,
        "assessment_results": intake.results,
        "ce_activities": intake.activities,
        "exemptions": intake.exemptions,
        "revocations": intake.revocations,
        "rejected_rows": intake.rejects,
        "deduplicated_rows": intake.deduplicated,
        "unmatched_records": intake.unmatched,
        "source_files": intake.source_files,
    }
    status_dir = settings.status_dir(partition)
    write_safe_csv(intake.rejects, status_dir / "rejected_rows.csv")
    write_safe_csv(intake.unmatched, status_dir / "unmatched_records.csv")
    write_safe_csv(intake.deduplicated, status_dir / "deduplicated_rows.csv")
    _log_whole_file_rejects(context, intake.rejects)

    for name, frame in tables.items():
        frame = frame.assign(week=week)
        metadata = {"dagster/row_count": len(frame), "preview": _markdown_preview(frame)}
        if name == "source_files":
            metadata |= {
                "files": len(frame),
                "rows_in": int(frame["rows_in"].sum()),
                "accepted": int(frame["accepted"].sum()),
                "rejected": int(frame["rejected"].sum()),
                "deduplicated": int(frame["deduplicated"].sum()),
                "files_rejected_whole": int(frame["problem"].notna().sum()),
            }
        if name == "rejected_rows":
            metadata["whole_file_rejects"] = int(frame["row_number"].isna().sum())
        if name == "assessment_results":
            methods = frame["match_method"].astype(object).fillna("unmatched")
            metadata |= counts("match_method", methods, MATCH_METHODS)
        yield dg.Output(frame, output_name=name, metadata=metadata)

    yield _conservation_check(intake)
    yield _link_check(intake)


def _refuse_missing_data(
    context: dg.AssetExecutionContext,
    settings: CompetenceSettings,
    config,
    inventory: LandingInventory,
    intake: WeekIntake,
) -> None:
    """Raise ``dg.Failure`` (one line naming what is missing) when the week cannot be reported."""
    partition = context.partition_key
    current = facts_of_week(
        partition,
        intake.source_files,
        intake.roster["employee_id"],
        [intake.results["person_id"], intake.activities["person_id"]],
    )
    previous = last_stored_week(settings.warehouse_path, partition)
    problems = missing_data(
        landing_dir=settings.landing_path,
        landing_exists=settings.landing_path.is_dir(),
        files_found=len(inventory.all_files) + len(inventory.problems),
        source_files=intake.source_files,
        rejects=intake.rejects,
        roster_file=intake.roster_file,
        roster_rows=len(intake.roster),
        current=current,
        previous=previous,
        max_evidence_drop=config.policy.evidence_share_max_drop,
    )
    if not problems:
        return
    message = refusal_message(partition, as_of_date(partition), problems)
    context.log.error(message)
    raise dg.Failure(
        description=message,
        metadata={
            "problems": dg.MetadataValue.json(problems),
            "compared_with_week": previous.week if previous else "none stored",
            "people_with_evidence": current.people_with_evidence,
            "people_on_roster": current.people,
        },
    )


MAX_LOGGED_FILES = 20


def _log_whole_file_rejects(context: dg.AssetExecutionContext, rejects: pd.DataFrame) -> None:
    """Each file rejected whole, one line each, so the run itself says what it did not load."""
    messages = rejects.loc[rejects["row_number"].isna(), "message"].tolist()
    for message in messages[:MAX_LOGGED_FILES]:
        context.log.warning(f"Rejected whole: {message}")
    if len(messages) > MAX_LOGGED_FILES:
        context.log.warning(
            f"... and {len(messages) - MAX_LOGGED_FILES} more files rejected whole "
            "(status/<week>/rejected_rows.csv lists them all)"
        )


def stored_rows_per_file(intake) -> pd.Series:
    # counted per table (Arrow text, millions of rows), then added up under plain file names
    counts = []
    tables = (
        intake.roster,
        intake.results,
        intake.activities,
        intake.exemptions,
        intake.revocations,
    )
    for table in tables:
        if table is not None and not table.empty:
            count = table["source_file"].value_counts()
            counts.append(count.set_axis(count.index.astype(object)))
    if not counts:
        return pd.Series(dtype="int64")
    return pd.concat(counts).groupby(level=0).sum()


def _conservation_check(intake) -> dg.AssetCheckResult:
    files = intake.source_files
    stored = files["file"].map(stored_rows_per_file(intake)).fillna(0).astype(int)
    balanced = files["rows_in"] == files["accepted"] + files["rejected"] + files["deduplicated"]
    matches_tables = files["accepted"] == stored
    bad = files[~(balanced & matches_tables)]
    return dg.AssetCheckResult(
        check_name="row_conservation",
        asset_key="source_files",
        passed=bool(bad.empty),
        metadata={
            "rows_in": int(files["rows_in"].sum()),
            "accepted": int(files["accepted"].sum()),
            "rejected": int(files["rejected"].sum()),
            "deduplicated": int(files["deduplicated"].sum()),
            "stored_in_tables": int(stored.sum()),
            "files_out_of_balance": dg.MetadataValue.json(bad["file"].tolist()),
        },
    )


def _link_check(intake) -> dg.AssetCheckResult:
    results = intake.results
    linked = results["person_id"].notna()
    dangling = linked & ~results["person_id"].isin(set(intake.roster["employee_id"]))
    return dg.AssetCheckResult(
        check_name="results_link_to_people",
        asset_key="assessment_results",
        passed=bool(not dangling.any()),
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "results": len(results),
            "linked": int(linked.sum()),
            "unmatched_or_ambiguous": int((~linked).sum()),
            "linked_to_unknown_person": int(dangling.sum()),
        },
    )
