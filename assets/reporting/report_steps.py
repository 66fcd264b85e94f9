"""``site_report_pdfs``: the week's PDFs as one asset rendered in several steps.

One asset (one materialization per week, one table in the warehouse) backed by a graph of ops:

- ``plan_site_reports`` builds the week's :class:`WeekReports` once (the inputs, the history read
  from the warehouse, the hold reason and the recipients), decides under the archive lock which
  reports are stale (``manifest.plan_archive``) and the revision each gets, and yields one
  dynamic output per chunk of stale reports (``COMPETENCE_RENDER_SITES_PER_STEP`` sites; unset or
  0 = one chunk for the whole week);
- ``render_report_chunk``, mapped over the chunks, renders its reports with the render pool;
  under a distributed executor each chunk is a step of its own, on any worker;
- ``file_site_reports`` writes the rendered PDFs and the manifest under the archive lock
  (``manifest.file_archive``) and returns the week's index rows — the asset's value — and the
  rows of the reports' briefings (``report_briefing_lines``, a second asset of the same step, so
  a week's index and the lines its mail is made from are always one materialization).

What passes between the steps (the week's bundle, each chunk's PDF bytes) goes through
``report_steps_io_manager``, pickles under the run's storage folder, never the warehouse; when
steps run on several machines that folder must be shared storage (README, Deployment).
"""

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.catalog import REPORTS_DUE, counts, entry
from assets.partitions import weekly_partitions
from assets.recipients import resolve_recipients
from assets.reporting.audit_findings import WeekFacts
from assets.reporting.context import report_context
from assets.reporting.document_control import DocumentControl, control_for
from assets.reporting.figures import rate_percent
from assets.reporting.history import stored_window
from assets.reporting.history_order import history_ready
from assets.reporting.manifest import ArchiveChanged, ArchivePlan, file_archive, plan_archive
from assets.reporting.paths import report_dir
from assets.reporting.render_pool import ReportRenderError, render_reports, report_chunks
from assets.reporting.report_index import report_index
from assets.reporting.site_files import files_by_site
from assets.reporting.week_reports import RenderInputs, WeekReports, inputs_of, sites_of
from assets.resources import CompetenceSettings
from schemas.config import CompetenceConfig

HISTORY_WEEKS = 52  # the most a report can chart; policy.report.history_weeks picks within it
# This week's tables the history is read from (the warehouse, not inputs): ordering only.
HISTORY_TABLES = ["certification_status", "roster_snapshot", "site_compliance"]
REPORT_STEPS_IO = "report_steps_io_manager"


@dataclass(frozen=True)
class PlannedWeek:
    """What the plan step hands to the render and filing steps."""

    key: str  # the partition key (the week's Monday)
    output: Path
    reports: WeekReports
    archive: ArchivePlan
    controls: dict[str, DocumentControl]  # the document control of each stale report
    workers: int  # render processes per step (0 = every core of the step's machine)
    issued_on: date  # the run date: every revision filed by this run is issued on it


def week_reports(
    context: dg.OpExecutionContext,
    settings: CompetenceSettings,
    config: CompetenceConfig,
    inputs: dict[str, pd.DataFrame],
) -> WeekReports:
    """The week's :class:`WeekReports`: this step's inputs and the history as stored."""
    key = context.partition_key
    this_week = pd.Timestamp(key)
    warehouse = settings.warehouse_path
    both = stored_window(warehouse, "certification_status", key, 2)
    rosters = stored_window(warehouse, "roster_snapshot", key, 2)
    history = stored_window(warehouse, "site_compliance", key, HISTORY_WEEKS).copy()
    roster = rosters[rosters["week"] == this_week] if not rosters.empty else rosters
    ctx = report_context(
        key,
        context.run.run_id,
        config,
        inputs["source_files"],
        roster,
        rosters[rosters["week"] < this_week] if not rosters.empty else None,
    )
    status = both[both["week"] == this_week].drop(columns=["week"])
    if not history.empty:
        history["week"] = pd.to_datetime(history["week"]).dt.date
    rejected, unmatched = inputs["rejected_rows"], inputs["unmatched_records"]
    facts = WeekFacts.of(
        status,
        inputs["source_files"],
        rejected,
        unmatched,
        config,
        ctx,
        inputs["training_effectiveness"].drop(columns=["week"], errors="ignore"),
    )
    return WeekReports(
        facts=facts,
        previous_status=both[both["week"] < this_week].drop(columns=["week"]),
        compliance_history=history,
        renewal_forecast=inputs["renewal_forecast"],
        points_ledger=inputs["points_ledger"],
        findings=inputs["audit_findings"].drop(columns=["week"]),
        evidence=inputs["status_evidence"].drop(columns=["week"], errors="ignore"),
        corrective_actions=inputs["corrective_actions"].drop(columns=["week"], errors="ignore"),
        file_sites=files_by_site(
            status,
            roster=roster,
            results=inputs["assessment_results"],
            activities=inputs["ce_activities"],
            rejected_rows=rejected,
            unmatched_records=unmatched,
            attribution=facts.attribution,
        ),
        recipients=resolve_recipients(config.recipients, sites_of(status, config)),
    )


@dg.op(
    ins={table: dg.In(dg.Nothing) for table in HISTORY_TABLES},
    out={
        "week": dg.Out(io_manager_key=REPORT_STEPS_IO),
        "chunks": dg.DynamicOut(io_manager_key=REPORT_STEPS_IO),
    },
    tags={"stage": "reporting"},
)
def plan_site_reports(
    context: dg.OpExecutionContext,
    settings: CompetenceSettings,
    renewal_forecast: pd.DataFrame,
    points_ledger: pd.DataFrame,
    audit_findings: pd.DataFrame,
    source_files: pd.DataFrame,
    rejected_rows: pd.DataFrame,
    unmatched_records: pd.DataFrame,
    status_evidence: pd.DataFrame,
    corrective_actions: pd.DataFrame,
    assessment_results: pd.DataFrame,
    ce_activities: pd.DataFrame,
    training_effectiveness: pd.DataFrame,
) -> Iterator[dg.Output | dg.DynamicOutput]:
    """The week's report inputs, built once; which reports to render, in chunks."""
    config = settings.config
    # earlier weeks being computed alongside this one store their history first
    history_ready(context, HISTORY_WEEKS, HISTORY_TABLES)
    inputs = {
        "renewal_forecast": renewal_forecast,
        "points_ledger": points_ledger,
        "audit_findings": audit_findings,
        "source_files": source_files,
        "rejected_rows": rejected_rows,
        "unmatched_records": unmatched_records,
        "status_evidence": status_evidence,
        "corrective_actions": corrective_actions,
        "assessment_results": assessment_results,
        "ce_activities": ce_activities,
        "training_effectiveness": training_effectiveness,
    }
    reports = week_reports(context, settings, config, inputs)
    parts = reports.parts()
    output, key = settings.output_path, context.partition_key
    report_dir(output, key).mkdir(parents=True, exist_ok=True)
    archive = plan_archive(output, key, {n: inputs_of(p) for n, p in parts.items()}, parts)
    issued_on = settings.today(config)
    controls = {
        name: control_for(
            name, reports.ctx.iso_week, revision, issued_on, reports.ctx.as_of, config
        )
        for name, revision in archive.revisions.items()
    }
    yield dg.Output(
        PlannedWeek(key, output, reports, archive, controls, settings.render_workers, issued_on),
        output_name="week",
    )
    chunks = report_chunks(archive.stale, reports.status, settings.render_sites_per_step)
    context.log.info(
        f"{len(archive.stale)} of {len(archive.wanted)} report(s) to render, "
        f"in {len(chunks)} step(s)"
    )
    for number, names in enumerate(chunks):
        yield dg.DynamicOutput(names, mapping_key=f"chunk_{number:03d}", output_name="chunks")


@dg.op(out=dg.Out(io_manager_key=REPORT_STEPS_IO), tags={"stage": "reporting"})
def render_report_chunk(
    context: dg.OpExecutionContext, week: PlannedWeek, chunk: list[str]
) -> dict[str, bytes]:
    """One chunk of the week's stale reports, rendered with the pool of this step's machine."""
    if not chunk:
        return {}
    try:
        pdfs = render_reports(chunk, RenderInputs(week.reports, week.controls), week.workers)
    except ReportRenderError as exc:
        raise dg.Failure(description=f"week {week.key} not reported: {exc}") from exc
    context.log.info(f"rendered {len(pdfs)} report(s): {', '.join(chunk)}")
    return pdfs


def _with_freshness(assets_def: dg.AssetsDefinition) -> dg.AssetsDefinition:
    """The report asset with its freshness policy (a graph asset's ``AssetOut`` drops it); the
    briefing lines are written by the same step and need none of their own."""
    return assets_def.map_asset_specs(
        lambda spec: (
            spec.replace_attributes(freshness_policy=REPORTS_DUE)
            if spec.key == dg.AssetKey("site_report_pdfs")
            else spec
        )
    )


def report_metadata(index: pd.DataFrame) -> dict[str, dg.MetadataValue]:
    """Per report, what the UI can plot across weeks and open: the compliance rate in percent as
    printed on the report (``86.8``; null when nobody is in scope) and the PDF's absolute path."""
    metadata: dict[str, dg.MetadataValue] = {}
    for row in index.itertuples():
        rate = rate_percent(None if pd.isna(row.compliance_rate) else row.compliance_rate)
        metadata[f"compliance_rate_pct/{row.report}"] = (
            dg.MetadataValue.null() if rate is None else dg.MetadataValue.float(float(rate))
        )
        metadata[f"pdf/{row.report}"] = dg.MetadataValue.path(str(Path(row.path).resolve()))
    return metadata


@dg.op(
    out={"site_report_pdfs": dg.Out(), "report_briefing_lines": dg.Out()},
    tags={"stage": "reporting"},
)
def file_site_reports(
    context: dg.OpExecutionContext,
    week: PlannedWeek,
    rendered: list[dict[str, bytes]],
) -> Iterator[dg.Output[pd.DataFrame]]:
    """The rendered PDFs into the week's archive, the week's report index and its briefings."""
    pdfs_rendered = {name: pdf for chunk in rendered for name, pdf in chunk.items()}
    missing = sorted(set(week.archive.stale) - set(pdfs_rendered))
    if missing:  # a chunk came back short: never file a week with a report missing
        raise dg.Failure(description=f"week {week.key}: no PDF rendered for {', '.join(missing)}")
    try:
        pdfs, written = file_archive(
            week.output, week.archive, pdfs_rendered, issued_on=week.issued_on
        )
    except ArchiveChanged as exc:
        raise dg.Failure(description=str(exc)) from exc
    index, lines = report_index(week.reports, pdfs, week.output, week.key)
    without = week.reports.sites_without_recipients
    if without:
        context.log.warning(
            "No recipients in recipients.yaml for: "
            + ", ".join(without)
            + " (their PDFs are kept, not mailed)"
        )
    yield dg.Output(
        index,
        output_name="site_report_pdfs",
        metadata={
            "reports": len(index),
            "rendered": written,
            "kept_unchanged": len(index) - written,
            "render_steps": len(rendered),
            "folder": dg.MetadataValue.path(str(report_dir(week.output, week.key).resolve())),
            **report_metadata(index),
            "held": week.reports.ctx.held,
            "sites_without_recipients": dg.MetadataValue.json(without),
            "preview": dg.MetadataValue.md(
                index[["report", "verdict", "compliance_rate", "size_bytes"]].to_markdown(
                    index=False
                )
            ),
        },
    )
    yield dg.Output(
        lines,
        output_name="report_briefing_lines",
        metadata={
            "dagster/row_count": len(lines),
            **counts("section", lines["section"], ("finding", "action", "change", "site")),
        },
    )


_REPORTS_ASSET = dict(
    name="site_report_pdfs",
    outs={
        "site_report_pdfs": dg.AssetOut(
            description="The week's PDF reports — one per site for its quality manager and one "
            "company roll-up for the quality director — archived as PDF/A-3b with the status "
            "rows attached as CSV, under reports/YYYY-MM-DD/ (the week's Monday). The table "
            "lists each file with its hash, first-page figures and recipients. Rendered in "
            "steps of COMPETENCE_RENDER_SITES_PER_STEP sites (unset: one step).",
            kinds={"pdf", "duckdb"},
            freshness_policy=REPORTS_DUE,  # Monday 08:00, company timezone
            **entry("reporting", "site_report_pdfs"),
        ),
        "report_briefing_lines": dg.AssetOut(
            description="What each report's e-mail repeats as lists, one row per line: the "
            "worst findings, the most urgent actions, the changes since last week and the "
            "roll-up's site table (section, position). Written with site_report_pdfs, whose "
            "columns hold the figures.",
            kinds={"duckdb"},
            **entry("reporting", "report_briefing_lines"),
        ),
    },
    # Only this week's partitions: the earlier weeks a report looks back on are read from the
    # warehouse (assets/reporting/history.py), so backfilling a week never makes later weeks'
    # reports (and mail) downstream of it. These order the reads after this week's writes.
    ins={table: dg.AssetIn(dagster_type=dg.Nothing) for table in HISTORY_TABLES},
    partitions_def=weekly_partitions,
    group_name="reporting",
    # the steps' own hand-over: pickles under the run's storage folder, not the warehouse
    resource_defs={REPORT_STEPS_IO: dg.FilesystemIOManager().get_resource_definition()},
)


def _report_steps(
    renewal_forecast,
    points_ledger,
    audit_findings,
    source_files,
    rejected_rows,
    unmatched_records,
    status_evidence,
    corrective_actions,
    assessment_results,
    ce_activities,
    training_effectiveness,
    certification_status,
    roster_snapshot,
    site_compliance,
):
    week, chunks = plan_site_reports(
        renewal_forecast=renewal_forecast,
        points_ledger=points_ledger,
        audit_findings=audit_findings,
        source_files=source_files,
        rejected_rows=rejected_rows,
        unmatched_records=unmatched_records,
        status_evidence=status_evidence,
        corrective_actions=corrective_actions,
        assessment_results=assessment_results,
        ce_activities=ce_activities,
        training_effectiveness=training_effectiveness,
        certification_status=certification_status,
        roster_snapshot=roster_snapshot,
        site_compliance=site_compliance,
    )
    rendered = chunks.map(lambda chunk: render_report_chunk(week, chunk))
    index, lines = file_site_reports(week, rendered.collect())
    return {"site_report_pdfs": index, "report_briefing_lines": lines}


with warnings.catch_warnings():
    # resource_defs of a graph asset is marked beta in Dagster 1.13 and would warn at every
    # import (each CLI command); binding the steps' IO manager to the asset is what lets any
    # Definitions or materialize() run it, so that one warning is silenced here
    warnings.simplefilter("ignore", dg.BetaWarning)
    site_report_pdfs = _with_freshness(dg.graph_multi_asset(**_REPORTS_ASSET)(_report_steps))
