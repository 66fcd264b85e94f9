"""The week's report index: one row per PDF with its file, hash, first-page figures and readers.

The row is what the delivery stage sends from: the file and its hash (the mail carries exactly
the archived bytes), the figures its body repeats (computed by the same functions as the PDF),
and ``recipients``, decided here once from ``recipients.yaml`` (comma-separated addresses; empty
when the report has nobody to go to). No Dagster here.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from assets.reporting.actions import action_list
from assets.reporting.audit_findings import site_verdict
from assets.reporting.briefing import company_briefing, finding_lines, site_briefing
from assets.reporting.changes import weekly_changes
from assets.reporting.company_report import site_rows
from assets.reporting.context import ReportContext
from assets.reporting.corrective_actions import escalation_note
from assets.reporting.paths import report_path
from assets.reporting.summary import site_summary
from assets.reporting.week_reports import WeekReports
from schemas.identifiers import ROLLUP_NAME


def _summary_row(
    site, site_name, path, pdf, rows, findings, ctx: ReportContext, history_weeks, briefing,
    escalation: str = "", recipients: tuple[str, ...] = (),
) -> dict:  # fmt: skip
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
        "recipients": ", ".join(recipients),
    }


def report_index(week: WeekReports, pdfs: dict[str, bytes], output: Path, key: str) -> pd.DataFrame:
    """The index rows of the week's reports: every site's, then the roll-up's."""
    config, ctx, status, findings = week.config, week.ctx, week.status, week.findings
    history_weeks = config.policy.report.history_weeks
    rows = []
    for site in week.sites:
        mine, site_findings = status[status["site"] == site], findings[findings["site"] == site]
        briefing = site_briefing(
            findings=site_findings,
            actions=action_list(mine, config) if not mine.empty else [],
            changes=weekly_changes(status, week.previous_status, site, status),
            contact=config.recipients.contact_for(site),
        )
        rows.append(
            _summary_row(
                site,
                config.site(site).name,
                report_path(output, key, site),
                pdfs[site],
                mine,
                site_findings,
                ctx,
                history_weeks,
                briefing,
                escalation_note(week.corrective_actions, site, config),
                recipients=week.recipients.for_report(site),
            )
        )
    rows.append(
        _summary_row(
            ROLLUP_NAME,
            config.policy.company_name,
            report_path(output, key, ROLLUP_NAME),
            pdfs[ROLLUP_NAME],
            status,
            findings,
            ctx,
            history_weeks,
            company_briefing(
                # the roll-up's worst findings are the sites'; the shared input files' own
                # findings are in its data-quality section, as in the PDF
                findings=findings[findings["site"] != ROLLUP_NAME],
                site_lines=site_rows(status, findings, config, week.sites_without_recipients),
                contact=config.recipients.contact_for(ROLLUP_NAME),
            ),
            recipients=week.recipients.for_report(ROLLUP_NAME),
        )
    )
    return pd.DataFrame(rows).assign(week=pd.Timestamp(ctx.week))
