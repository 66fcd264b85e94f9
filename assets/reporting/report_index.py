"""The week's report index: one row per PDF with its file, hash, first-page figures and readers.

The row is what the delivery stage sends from: the file and its hash (the mail carries exactly
the archived bytes), the figures its body repeats (the report's :class:`Briefing`, computed by the
same functions as the PDF, as typed columns; its lists are the rows of ``report_briefing_lines``,
returned beside the index: ``briefing_table.py``), and ``recipients``, decided here once from
``recipients.yaml`` (comma-separated addresses; empty when the report has nobody to go to).
No Dagster here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from assets.reporting.actions import action_list
from assets.reporting.audit_findings import site_verdict
from assets.reporting.briefing import Briefing, company_briefing, site_briefing
from assets.reporting.briefing_table import (
    PEOPLE_COLUMNS,
    briefing_lines,
    index_columns,
    lines_frame,
)
from assets.reporting.changes import weekly_changes
from assets.reporting.company_report import site_rows
from assets.reporting.context import ReportContext
from assets.reporting.corrective_actions import escalation_note
from assets.reporting.paths import report_path
from assets.reporting.summary import site_summary
from assets.reporting.week_reports import WeekReports
from schemas.identifiers import ROLLUP_NAME


def _summary_row(
    site, site_name, path, pdf, rows, findings, ctx: ReportContext, history_weeks,
    briefing: Briefing, recipients: tuple[str, ...] = (),
) -> dict:  # fmt: skip
    """The report index row: the file, its hash and what the e-mail repeats of its first page
    (the people by compliance, and the briefing's figures, as typed columns)."""
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
        # people by compliance class, named as in site_compliance
        **{column: summary.by_compliance[code] for code, column in PEOPLE_COLUMNS.items()},
        **index_columns(briefing),
        "recipients": ", ".join(recipients),
    }


def report_index(
    week: WeekReports, pdfs: dict[str, bytes], output: Path, key: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The index rows of the week's reports (every site's, then the roll-up's) and the rows of
    their briefings' lists (``report_briefing_lines``)."""
    config, ctx, status, findings = week.config, week.ctx, week.status, week.findings
    history_weeks = config.policy.report.history_weeks
    rows, lines = [], []
    # each site from its own rows (the site's people, and those who moved in or out of it): the
    # same rows its PDF was rendered from, without scanning the whole week once per site
    by_site = week.by_site()
    for site in week.sites:
        here = by_site[site]
        mine = here.status[here.status["site"] == site]
        site_findings = here.findings
        briefing = site_briefing(
            findings=site_findings,
            actions=action_list(mine, config) if not mine.empty else [],
            changes=weekly_changes(
                here.status,
                here.previous_status,
                site,
                here.status,
                previous_stored=week.last_week_stored,
            ),
            contact=config.recipients.contact_for(site),
            escalation=escalation_note(here.corrective_actions, site, config),
        )
        lines += briefing_lines(site, briefing)
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
                recipients=week.recipients.for_report(site),
            )
        )
    rollup = company_briefing(
        # the roll-up's worst findings are the sites'; the shared input files' own findings are
        # in its data-quality section, as in the PDF
        findings=findings[findings["site"] != ROLLUP_NAME],
        site_lines=site_rows(status, findings, config, week.sites_without_recipients),
        contact=config.recipients.contact_for(ROLLUP_NAME),
    )
    lines += briefing_lines(ROLLUP_NAME, rollup)
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
            rollup,
            recipients=week.recipients.for_report(ROLLUP_NAME),
        )
    )
    monday = pd.Timestamp(ctx.week)
    return pd.DataFrame(rows).assign(week=monday), lines_frame(lines, monday)
