"""Reporting assets: audit findings per site, and the PDFs (one per site, one company roll-up).

Reports are rendered even when the week's e-mail is held: the hold is computed here from the
stored ``source_files`` (never from the gate's check result, which would race) and printed on the
cover. The week's reports render on every core, the roll-up alongside the sites (``render_pool``).
"""

import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd

from assets.catalog import REPORTS_DUE, counts, entry
from assets.delivery.clearance import hold_reason
from assets.delivery.recipients import resolve_recipients
from assets.partitions import week_start, weekly_partitions
from assets.provenance import code_version, newest_input_file
from assets.reporting.actions import action_list
from assets.reporting.archive import exclusive_archive, write_whole
from assets.reporting.audit_findings import (
    attribute,
    company_input_findings,
    site_verdict,
)
from assets.reporting.audit_findings import audit_findings as grade_site
from assets.reporting.audit_rules import VERDICT_SEVERITY
from assets.reporting.briefing import company_briefing, finding_lines, site_briefing
from assets.reporting.changes import weekly_changes
from assets.reporting.company_report import site_rows
from assets.reporting.context import ReportContext
from assets.reporting.corrective_actions import escalation_note
from assets.reporting.document_control import control_for, revision_for
from assets.reporting.figures import rate_percent
from assets.reporting.history import stored_window
from assets.reporting.history_order import history_ready
from assets.reporting.paths import report_dir, report_path
from assets.reporting.render_pool import render_reports
from assets.reporting.roster_extract import roster_extract
from assets.reporting.site_files import files_by_site
from assets.reporting.summary import site_summary
from assets.resources import CompetenceSettings
from schemas.config import CompetenceConfig
from schemas.identifiers import ROLLUP_NAME

HISTORY_WEEKS = 52  # the most a report can chart; policy.report.history_weeks picks within it


def report_context(
    context: dg.AssetExecutionContext,
    config: CompetenceConfig,
    source_files: pd.DataFrame,
    roster_snapshot: pd.DataFrame,
    previous_roster: pd.DataFrame | None = None,
) -> ReportContext:
    reason = hold_reason(source_files, config.policy.reject_share_threshold)
    before_first = bool(
        not roster_snapshot.empty and roster_snapshot["before_first_extract"].fillna(False).any()
    )
    extract, extract_date = roster_extract(roster_snapshot)
    previous_extract, previous_date = (
        roster_extract(previous_roster) if previous_roster is not None else (None, None)
    )
    return ReportContext.for_week(
        week_start(context.partition_key),
        run_id=context.run.run_id,
        code_version=code_version(),
        config_hash=config.config_hash,
        newest_input_file=newest_input_file(source_files),
        held=bool(reason),
        hold_reason=reason,
        before_first_extract=before_first,
        roster_extract=extract,
        roster_extract_date=extract_date,
        previous_roster_extract=previous_extract,
        previous_roster_extract_date=previous_date,
        roster_max_age_days=config.policy.roster_max_age_days,
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


def sites_of(status: pd.DataFrame, config: CompetenceConfig) -> list[str]:
    """Every site with people this week, and every configured site (an empty one says so)."""
    return sorted(set(status["site"].dropna().astype(str)) | set(config.policy.sites))


@dg.asset(
    partitions_def=weekly_partitions,
    group_name="reporting",
    kinds={"pandas", "duckdb"},
    **entry("reporting", "audit_findings"),
)
def audit_findings(
    context: dg.AssetExecutionContext,
    settings: CompetenceSettings,
    certification_status: pd.DataFrame,
    source_files: pd.DataFrame,
    rejected_rows: pd.DataFrame,
    unmatched_records: pd.DataFrame,
    roster_snapshot: pd.DataFrame,
    training_effectiveness: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """What an auditor would find at each site this week: every criterion of the site's audit
    criteria sets (ISO 9001 7.2 a-d and 7.5.3 by default) with its verdict — CONFORMS,
    OBSERVATION, MINOR_NC or MAJOR_NC — and, for anything but CONFORMS, an auditor's statement.
    Problems of the shared input files are rows of site "company" (the roll-up), once."""
    config = settings.load_config()
    ctx = report_context(context, config, source_files, roster_snapshot)
    status = certification_status
    attribution = attribute(status, rejected_rows, unmatched_records)  # once, not per site
    frames = [
        grade_site(
            status,
            source_files,
            rejected_rows,
            unmatched_records,
            config,
            ctx,
            site,
            attribution,
            training_effectiveness,
        )
        for site in sites_of(status, config)
    ]
    # shared input files are the company's: graded once, for the roll-up, never per site
    frames.append(
        company_input_findings(
            source_files, rejected_rows, unmatched_records, config, ctx, attribution
        )
    )
    findings = pd.concat(frames, ignore_index=True).assign(week=pd.Timestamp(ctx.week))
    return dg.Output(
        findings,
        metadata={
            "dagster/row_count": len(findings),
            **counts("verdict", findings["verdict"], VERDICT_SEVERITY),
            "preview": dg.MetadataValue.md(
                findings[findings["verdict"] != "CONFORMS"][
                    ["site", "criteria_set", "clause", "verdict", "evidence"]
                ]
                .head(10)
                .to_markdown(index=False)
                or "_no findings_"
            ),
        },
    )


def fingerprint(*parts: object) -> str:
    """A hash of a report's inputs (frames by content, other parts by text)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest.update("|".join(map(str, part.columns)).encode())
            if not part.empty:
                hashed = pd.util.hash_pandas_object(part.astype(str), index=False)
                digest.update(hashed.to_numpy().tobytes())
        else:
            digest.update(str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _site_parts(site: str, shared: dict, shared_parts: dict[str, str]) -> dict[str, str]:
    """What a site's PDF is made of, by part (``document_control.PART_NAMES``); the same
    fingerprints mean the same report, and a changed part names why a week is reissued."""

    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["site"] == site] if "site" in frame else frame

    rows = mine(shared["status"])
    people = set(rows["employee_id"])
    per_person = [
        frame[frame["employee_id"].isin(people)]
        for frame in (shared["renewal_forecast"], shared["points_ledger"], shared["evidence"])
    ]
    return {
        "people": fingerprint(site, rows, *per_person),
        "history": fingerprint(mine(shared["previous_status"]), mine(shared["compliance_history"])),
        "findings": fingerprint(mine(shared["findings"])),
        "actions": fingerprint(mine(shared["corrective_actions"])),
        "effectiveness": fingerprint(mine(shared["effectiveness"])),
        **shared_parts,
        # the shared files, and which of them the site's appendix lists by name
        "inputs": fingerprint(mine(shared["file_sites"]), shared_parts["inputs"]),
    }


def _inputs_of(parts: dict[str, str]) -> str:
    return fingerprint(*parts.values())


def _run_facts(ctx: ReportContext) -> tuple:
    """What a report prints about the run itself: any change must re-render the PDF."""
    return (
        ctx.config_hash,
        ctx.code_version,
        ctx.held,
        ctx.hold_reason,
        ctx.newest_input_file,
        ctx.before_first_extract,
        ctx.roster_extract,
        ctx.previous_roster_extract,
        ctx.roster_max_age_days,
    )


def _shared_parts(shared: dict) -> dict[str, str]:
    """The inputs every site's report shares (files, exceptions, run facts), hashed once."""
    return {
        "inputs": fingerprint(
            shared["source_files"], shared["rejected_rows"], shared["unmatched_records"]
        ),
        "run": fingerprint(*_run_facts(shared["ctx"])),
    }


def _reviser(shared: dict, config: CompetenceConfig, issued_on: date):
    """A ``revise`` callback: each report about to render gets its document control."""

    def revise(revisions: dict[str, tuple[int, str]]) -> None:
        ctx = shared["ctx"]
        for name, revision in revisions.items():
            shared["document_control"][name] = control_for(
                name, ctx.iso_week, revision, issued_on, ctx.as_of, config
            )

    return revise


def reuse_or_render(
    wanted: dict[str, str],
    render: Callable[[list[str]], dict[str, bytes]],
    output: Path,
    week: str,
    parts: dict[str, dict[str, str]] | None = None,
    revise: Callable[[dict[str, tuple[int, str]]], None] | None = None,
    issued_on: date | None = None,
) -> tuple[dict[str, bytes], int]:
    """Keep a week's PDF whose inputs did not change since it was rendered; render the rest.

    ``wanted`` maps a report name (site, or "company") to its input fingerprint. The PDF prints
    the run that rendered it, so rendering again would change its bytes and make a plain rerun
    look like a changed report (and the archived copy differ from the mailed one). A manifest
    beside the PDFs records each one's input fingerprint and hash, and its revision history
    (``document_control``): before the stale reports render, ``revise`` is told the revision each
    gets and why (from ``parts``, the fingerprints of each report's inputs by part). Every file
    name comes from :func:`report_path`, which refuses anything but a site code or the roll-up's
    name.
    """
    out_dir = report_dir(output, week)
    paths = {name: report_path(output, week, name) for name in wanted}
    manifest_path = out_dir / "manifest.json"
    parts = parts or {}
    with exclusive_archive(out_dir):  # a concurrent run of the week waits, then reuses ours
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
        pdfs, stale = {}, []
        for name, inputs in wanted.items():
            entry, path = manifest.get(name), paths[name]
            if entry and entry["inputs"] == inputs and path.exists():
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() == entry["sha256"]:
                    pdfs[name] = data
                    continue
            stale.append(name)
        revisions = {name: revision_for(manifest.get(name), parts.get(name, {})) for name in stale}
        if stale and revise is not None:
            revise(revisions)
        if stale:
            pdfs.update(render(stale))
        for name in stale:
            write_whole(paths[name], pdfs[name])
            digest = hashlib.sha256(pdfs[name]).hexdigest()
            revision, reason = revisions[name]
            issue = {
                "revision": revision,
                "reason": reason,
                "issued_on": issued_on.isoformat() if issued_on else None,
                "inputs": wanted[name],
                "sha256": digest,
            }
            history = (manifest.get(name) or {}).get("revisions", [])
            manifest[name] = {
                "inputs": wanted[name],
                "sha256": digest,
                "revision": revision,
                "parts": parts.get(name, {}),
                "revisions": [*history, issue],
            }
        write_whole(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return pdfs, len(stale)


def _summary_row(
    site, site_name, path, pdf, rows, findings, ctx, history_weeks, briefing, escalation=""
) -> dict:
    """The report index row: the file, its hash and what the e-mail repeats of its first page.

    The JSON columns keep their old shapes for the delivery stage; ``briefing_json`` carries
    everything else the mail shows, computed by the same functions as the PDF.
    """
    summary = site_summary(rows, pd.DataFrame(), ctx.week, ctx.as_of, history_weeks)
    return {
        "report": site,
        "site_name": site_name,
        "path": str(path),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "size_bytes": len(pdf),
        "verdict": site_verdict(findings, in_scope=summary.in_scope),
        "compliance_rate": summary.rate,
        "held": ctx.held,
        "hold_reason": ctx.hold_reason,
        "counts_json": json.dumps(summary.by_compliance),
        "findings_json": json.dumps(
            [[f["clause"], f["verdict"], f["title"]] for f in finding_lines(findings)]
        ),
        "actions_json": json.dumps(
            [[a["name"], a["what"], a["due"]] for a in briefing.get("actions", [])]
        ),
        "briefing_json": json.dumps(briefing, sort_keys=True),
        # the mail names the site lead escalated actions went to (#12 item 1)
        "escalation": escalation,
    }


@dg.asset(
    partitions_def=weekly_partitions,
    group_name="reporting",
    kinds={"pdf", "duckdb"},
    **entry("reporting", "site_report_pdfs"),
    freshness_policy=REPORTS_DUE,  # Monday 08:00, company timezone
    # Only this week's partitions: the earlier weeks a report looks back on are read from the
    # warehouse (assets/reporting/history.py), so backfilling a week never makes later weeks'
    # reports (and mail) downstream of it. These deps order the reads after this week's writes.
    deps=["certification_status", "roster_snapshot", "site_compliance"],
)
def site_report_pdfs(
    context: dg.AssetExecutionContext,
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
) -> dg.Output[pd.DataFrame]:
    """The week's PDF reports — one per site for its quality manager and one company roll-up
    for the quality director — archived as PDF/A-3b with the status rows attached as CSV, under
    reports/YYYY-MM-DD/ (the week's Monday). The table lists each file with its hash and
    first-page figures."""
    config = settings.load_config()
    this_week = pd.Timestamp(context.partition_key)
    warehouse, key = settings.warehouse_path, context.partition_key
    # earlier weeks being computed alongside this one store their history first
    history_ready(
        context, HISTORY_WEEKS, ["certification_status", "site_compliance", "roster_snapshot"]
    )
    status_two_weeks = stored_window(warehouse, "certification_status", key, 2)
    rosters = stored_window(warehouse, "roster_snapshot", key, 2)
    compliance_history = stored_window(warehouse, "site_compliance", key, HISTORY_WEEKS)
    ctx = report_context(
        context,
        config,
        source_files,
        rosters[rosters["week"] == this_week] if not rosters.empty else rosters,
        rosters[rosters["week"] < this_week] if not rosters.empty else None,
    )
    week = pd.Timestamp(ctx.week)
    both = status_two_weeks
    status = both[both["week"] == week].drop(columns=["week"])
    previous = both[both["week"] < week].drop(columns=["week"])
    history = compliance_history.copy()
    if not history.empty:
        history["week"] = pd.to_datetime(history["week"]).dt.date
    findings = audit_findings.drop(columns=["week"])
    shared = {
        "status": status,
        "previous_status": previous,
        "compliance_history": history,
        "renewal_forecast": renewal_forecast,
        "points_ledger": points_ledger,
        "findings": findings,
        "evidence": status_evidence.drop(columns=["week"], errors="ignore"),
        "source_files": source_files,
        "rejected_rows": rejected_rows,
        "unmatched_records": unmatched_records,
        "config": config,
        "ctx": ctx,
        "attribution": attribute(status, rejected_rows, unmatched_records),
        "corrective_actions": corrective_actions.drop(columns=["week"], errors="ignore"),
        "effectiveness": training_effectiveness.drop(columns=["week"], errors="ignore"),
        "document_control": {},
    }
    # which input files each site's appendix lists by name (the rest: one line, see company.pdf)
    shared["file_sites"] = files_by_site(
        status,
        roster=rosters[rosters["week"] == this_week] if not rosters.empty else rosters,
        results=assessment_results,
        activities=ce_activities,
        rejected_rows=rejected_rows,
        unmatched_records=unmatched_records,
        attribution=shared["attribution"],
    )
    sites = sites_of(status, config)
    shared_parts = _shared_parts(shared)
    site_parts = {site: _site_parts(site, shared, shared_parts) for site in sites}
    plan = resolve_recipients(config.recipients, sites)
    without = list(plan.sites_without_recipients)
    company_parts = {
        "people": fingerprint(ROLLUP_NAME, status),
        "history": fingerprint(previous, history),
        "findings": fingerprint(findings),
        "actions": fingerprint(shared["corrective_actions"]),
        "inputs": fingerprint(source_files, rejected_rows, unmatched_records, without),
        "run": shared_parts["run"],
    }
    parts = {**site_parts, ROLLUP_NAME: company_parts}

    def company_args() -> dict:
        # called after revise(): the roll-up's document control is in shared by then
        return {
            "status": status,
            "compliance_history": history,
            "findings": findings,
            "source_files": source_files,
            "rejected_rows": rejected_rows,
            "unmatched_records": unmatched_records,
            "config": config,
            "ctx": ctx,
            "sites_without_recipients": without,
            "corrective_actions": shared["corrective_actions"],
            "document": shared["document_control"].get(ROLLUP_NAME),
        }

    output, week_key = settings.output_path, context.partition_key
    out_dir = report_dir(output, week_key)
    out_dir.mkdir(parents=True, exist_ok=True)
    # One archive pass for every report: the stale site PDFs and the roll-up render together in
    # one pool (render_pool), the roll-up overlapping the sites.
    pdfs, rendered = reuse_or_render(
        {name: _inputs_of(report_parts) for name, report_parts in parts.items()},
        lambda stale: render_reports(stale, shared, company_args, settings.render_workers),
        output,
        week_key,
        parts=parts,
        revise=_reviser(shared, config, settings.today(config)),
        issued_on=settings.today(config),
    )
    rows = []
    for site in sites:
        mine, site_findings = status[status["site"] == site], findings[findings["site"] == site]
        briefing = site_briefing(
            findings=site_findings,
            actions=action_list(mine, config) if not mine.empty else [],
            changes=weekly_changes(status, previous, site, status),
            contact=config.recipients.contact_for(site),
        )
        rows.append(
            _summary_row(
                site,
                config.site(site).name,
                report_path(output, week_key, site),
                pdfs[site],
                mine,
                site_findings,
                ctx,
                config.policy.report.history_weeks,
                briefing,
                escalation_note(shared["corrective_actions"], site, config),
            )
        )
    rows.append(
        _summary_row(
            ROLLUP_NAME,
            config.policy.company_name,
            report_path(output, week_key, ROLLUP_NAME),
            pdfs[ROLLUP_NAME],
            status,
            findings,
            ctx,
            config.policy.report.history_weeks,
            company_briefing(
                # the roll-up's worst findings are the sites'; the shared input files' own
                # findings are in its data-quality section, as in the PDF
                findings=findings[findings["site"] != ROLLUP_NAME],
                site_lines=site_rows(status, findings, config, without),
                contact=config.recipients.contact_for(ROLLUP_NAME),
            ),
        )
    )
    index = pd.DataFrame(rows).assign(week=week)
    if plan.sites_without_recipients:
        context.log.warning(
            "No recipients in recipients.yaml for: "
            + ", ".join(plan.sites_without_recipients)
            + " (their PDFs are kept, not mailed)"
        )
    return dg.Output(
        index,
        metadata={
            "reports": len(index),
            "rendered": rendered,
            "kept_unchanged": len(index) - rendered,
            "folder": dg.MetadataValue.path(str(out_dir.resolve())),
            **report_metadata(index),
            "held": ctx.held,
            "sites_without_recipients": dg.MetadataValue.json(list(plan.sites_without_recipients)),
            "preview": dg.MetadataValue.md(
                index[["report", "verdict", "compliance_rate", "size_bytes"]].to_markdown(
                    index=False
                )
            ),
        },
    )
