"""Certification assets: status, points ledger, renewal forecast and site compliance per week.

Thin wrappers around :func:`assets.certification.engine.evaluate`; the rules live there. Each
table is stored per week in the warehouse (idempotent overwrite), so later weeks read earlier
ones for trends; ``status/<week>/employee_status.csv`` carries exactly the docs/data-contract.md
columns.
"""

import dagster as dg
import pandas as pd

from assets.catalog import counts, entry
from assets.certification.compliance import (
    COMPLIANT,
    EXEMPT,
    GRACE,
    NON_COMPLIANT,
    NOT_REQUIRED,
    site_compliance,
)
from assets.certification.engine import evaluate
from assets.certification.exemptions import Evidence, apply_exemptions, apply_revocations
from assets.certification.status import (
    CERTIFIED,
    EXPIRED,
    EXPIRING,
    IN_PROGRESS,
    NOT_STARTED,
)
from assets.certification.status_evidence import status_evidence as proving_records
from assets.csv_bytes import employee_status_csv, frame_to_csv_bytes
from assets.partitions import as_of_date, weekly_partitions
from assets.phase_clock import PhaseClock
from assets.resources import CompetenceSettings

# always reported, 0 included, so each plotted line is continuous across weeks
STATUSES = (NOT_STARTED, IN_PROGRESS, CERTIFIED, EXPIRING, EXPIRED)
COMPLIANCE = (COMPLIANT, GRACE, NON_COMPLIANT, EXEMPT, NOT_REQUIRED)
TABLES = {
    "certification_status": "Who holds which credential as of the week's Sunday: one row per "
    "person employed that day and credential they hold or need, with status (NOT_STARTED, "
    "IN_PROGRESS, CERTIFIED, EXPIRING, EXPIRED), dates, points and compliance.",
    "points_ledger": "Every recertification point earned inside each person's current cycle: "
    "continuing education, employment anniversaries and assessment retakes, with the source.",
    "renewal_forecast": "People in or near their renewal window: points still needed, days left "
    "and whether their current pace reaches the requirement before expiry.",
    "site_compliance": "Per site: headcount in scope, compliant, in grace, non-compliant, "
    "expiring within 30/60/90 days, and the compliance rate (compliant / in scope).",
}


def _as_engine_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Frames read back from DuckDB (nanosecond datetimes already): ``passed`` as plain bool."""
    if "passed" in frame:
        return frame.assign(passed=frame["passed"].astype(bool))
    return frame


def linked_results(assessment_results: pd.DataFrame) -> pd.DataFrame:
    """Results linked to exactly one person, keyed by that person (the engine's input)."""
    linked = assessment_results[assessment_results["person_id"].notna()]
    return _as_engine_frame(linked.assign(employee_id=linked["person_id"]))


def linked_activities(ce_activities: pd.DataFrame) -> pd.DataFrame:
    linked = ce_activities[ce_activities["person_id"].notna()]
    activity_id = linked["evidence_ref"].where(
        linked["evidence_ref"].notna(),
        linked["source_file"] + ":" + linked["source_row"].astype(str),
    )
    return _as_engine_frame(linked.assign(employee_id=linked["person_id"], activity_id=activity_id))


@dg.multi_asset(
    outs={
        name: dg.AssetOut(
            description=text, kinds={"pandas", "duckdb"}, **entry("certification", name)
        )
        for name, text in TABLES.items()
    },
    partitions_def=weekly_partitions,
    group_name="certification",
)
def certification(
    context: dg.AssetExecutionContext,
    settings: CompetenceSettings,
    roster_snapshot: pd.DataFrame,
    assessment_results: pd.DataFrame,
    ce_activities: pd.DataFrame,
    exemptions: pd.DataFrame,
    revocations: pd.DataFrame,
):
    """Status and compliance of every employed person, point-in-time as of the week's Sunday."""
    config = settings.config
    partition = context.partition_key
    as_of = as_of_date(partition)
    clock = PhaseClock()
    evidence = Evidence(
        _as_engine_frame(roster_snapshot),
        linked_results(assessment_results),
        linked_activities(ce_activities),
        config,
    )
    result = evaluate(
        evidence.roster,
        evidence.results,
        evidence.activities,
        config,
        as_of,
        workers=settings.engine_threads or None,
        clock=clock,
    )
    # the company's recorded decisions, after the engine (the engine's speed is untouched)
    status = apply_revocations(
        result.status, revocations, as_of, config.policy.new_hire_grace_days, evidence
    )
    status = apply_exemptions(status, exemptions, as_of)
    export = settings.status_dir(partition) / "employee_status.csv"
    export.write_bytes(employee_status_csv(status))

    week = pd.Timestamp(partition)
    tables = {
        "certification_status": status,
        "points_ledger": result.ledger,
        "renewal_forecast": result.forecast,
        "site_compliance": site_compliance(status, config, as_of),
    }
    for name, frame in tables.items():
        frame = frame.assign(week=week)
        metadata = {
            "dagster/row_count": len(frame),
            "preview": dg.MetadataValue.md(
                frame.drop(columns=["week"]).head(5).to_markdown(index=False)
                if not frame.empty
                else "_empty_"
            ),
        }
        if name == "certification_status" and not frame.empty:
            metadata |= counts("status", frame["status"], STATUSES)
            metadata |= counts("compliance", frame["compliance"], COMPLIANCE)
            metadata["export"] = dg.MetadataValue.path(str(export.resolve()))
            # where the engine spent its time this week, for whoever tunes the run
            metadata["engine_seconds"] = dg.MetadataValue.json(
                {phase: round(seconds, 3) for phase, seconds in clock.seconds.items()}
            )
        yield dg.Output(frame, output_name=name, metadata=metadata)


@dg.asset(
    partitions_def=weekly_partitions,
    group_name="certification",
    kinds={"pandas", "duckdb"},
    **entry("certification", "status_evidence"),
)
def status_evidence(
    context: dg.AssetExecutionContext,
    settings: CompetenceSettings,
    certification_status: pd.DataFrame,
    assessment_results: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """The records that prove each status row (ISO 9001 7.2 d): provider, record id, module,
    assessment date, score, certificate id and how the record was linked to the person (employee
    id, e-mail or name). Exported beside employee_status.csv as
    status/YYYY-MM-DD/evidence.csv (the week's Monday)."""
    partition = context.partition_key
    status = certification_status.drop(columns=["week"], errors="ignore")
    results = assessment_results.drop(columns=["week"], errors="ignore")
    frame = proving_records(status, results)
    export = settings.status_dir(partition) / "evidence.csv"
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_bytes(frame_to_csv_bytes(frame))
    cited = int((status["evidence_record_ids"].fillna("") != "").sum()) if not status.empty else 0
    return dg.Output(
        frame.assign(week=pd.Timestamp(partition)),
        metadata={
            "dagster/row_count": len(frame),
            "status_rows_citing_records": cited,
            "by_linked_by": dg.MetadataValue.json(
                frame["linked_by"].value_counts().to_dict() if not frame.empty else {}
            ),
            "export": dg.MetadataValue.path(str(export.resolve())),
        },
    )
