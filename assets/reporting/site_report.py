"""Render one site's weekly PDF report (docs/reports.md): cover, figures, changes, findings,
actions, skills matrix and evidence appendix, with the site's rows attached as CSV.

What goes in the PDF and what rides along as attachment: WeasyPrint lays out roughly 5 ms per
table row, and a quality manager reads the exceptions, not the roll call. So the PDF prints every
finding, the actions (most urgent first, up to ``MAX_ACTION_ROWS``), the changes (up to
``MAX_CHANGE_ROWS`` per kind), the renewal outlook and - for a site with more than
``skills_matrix.FULL_MATRIX_LIMIT`` people per credential - only the matrix rows that need action.
Every row for every person is in ``employee_status.csv`` and ``skills_matrix.csv`` attached to the
PDF, as the PDF says wherever it shortens a list.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from assets.certification.status_evidence import (
    STATUS_EVIDENCE_COLUMNS,
    empty_status_evidence,
)
from assets.csv_bytes import employee_status_csv, frame_to_csv_bytes, is_missing
from assets.reporting.actions import (
    action_list,
    actions_frame,
    outlook_frame,
    renewal_outlook,
)
from assets.reporting.audit_findings import WeekFacts, site_facts, site_verdict, worst_findings
from assets.reporting.changes import weekly_changes
from assets.reporting.charts import STATUS_COLOURS, bar_chart, trend_chart
from assets.reporting.competence_determination import not_required_split, role_requirements_table
from assets.reporting.context import ReportContext
from assets.reporting.corrective_actions import COLUMNS as ACTION_COLUMNS
from assets.reporting.corrective_actions import action_report
from assets.reporting.document_control import DocumentControl, control_for
from assets.reporting.effectiveness_section import effectiveness_section, site_rows
from assets.reporting.exemption_review import exemption_list
from assets.reporting.figures import format_rate
from assets.reporting.labels import VERDICT_MEANING, counted
from assets.reporting.labels import label as code_label
from assets.reporting.paper import site_paper
from assets.reporting.pdf_writer import Chart, CsvAttachment, PdfMetadata, write_pdf
from assets.reporting.site_files import site_file_names
from assets.reporting.skills_matrix import skills_matrices, skills_matrix_frame
from assets.reporting.summary import SiteSummary, site_summary
from schemas.config import CompetenceConfig
from schemas.vocabulary import FindingVerdict

# The most urgent actions print; all of them ride along as actions.csv. Measured on a
# 1,000-person site: 40 + 25 rows instead of 100 + 60 cut its render from 4.5 s to 3.4 s, which is
# what lets 100 sites render inside the weekly run's budget; nobody works a long list on paper.
MAX_ACTION_ROWS = 40
MAX_CHANGE_ROWS = 60
# Unlinked provider records that may concern the site: a sample in the PDF, all of them in the
# attached site_unmatched.csv (a big site can have hundreds of ambiguous name matches).
MAX_UNMATCHED_ROWS = 30
# People near renewal: those who will fall short first, then by days left; all in the CSV.
MAX_OUTLOOK_ROWS = 25
URGENT_ON_COVER = 5
WORST_ON_COVER = 3
# The numbered sections after the cover, in print order. Headings and every "see section N"
# take their number from here, so adding or moving a section cannot leave a stale reference.
SITE_SECTIONS = (
    "summary",
    "changes",
    "findings",
    "actions",
    "corrective",
    "effectiveness",
    "matrix",
    "evidence",
)
FINDING_KINDS = (FindingVerdict.MAJOR_NC, FindingVerdict.MINOR_NC, FindingVerdict.OBSERVATION)


def section_numbers(sections: tuple[str, ...]) -> dict[str, int]:
    return {name: number for number, name in enumerate(sections, start=1)}


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts for a template, with missing values as empty strings."""
    return [
        {k: ("" if is_missing(v) else v) for k, v in row.items()}
        for row in frame.to_dict("records")
    ]


def empty_actions() -> pd.DataFrame:
    """A corrective-actions table with no rows (a caller that has none)."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in ACTION_COLUMNS.items()})


def first_issue(report: str, ctx: ReportContext, config: CompetenceConfig) -> DocumentControl:
    """The document control of a report rendered outside the archive (no manifest, no run
    date): revision 1, issued on the as-of date."""
    return control_for(report, ctx.iso_week, (1, "first issue"), ctx.as_of, ctx.as_of, config)


def finding_counts(findings: pd.DataFrame) -> dict[str, int]:
    """Major and minor nonconformities and observations: the counts every report and mail uses."""
    counts = findings["verdict"].value_counts() if not findings.empty else pd.Series(dtype=int)
    return {kind: int(counts.get(kind, 0)) for kind in FINDING_KINDS}


def verdict_reason(findings: pd.DataFrame) -> str:
    """``1 major nonconformity, 2 observations``; ``no findings`` when every criterion conforms."""
    counts = finding_counts(findings)
    parts = [counted(n, kind) for kind, n in counts.items() if n]
    return ", ".join(parts) if parts else "no findings"


def summary_charts(summary: SiteSummary, label: str) -> list[Chart]:
    """Status mix, expiries and the compliance trend, each with alt text saying its numbers."""
    statuses = list(summary.by_status)
    counts = [summary.by_status[s] for s in statuses]
    expiries = [summary.expiring_within[n] for n in (30, 60, 90)]
    charts = [
        Chart(
            "status_mix",
            bar_chart(
                [code_label(s) for s in statuses],
                counts,
                [STATUS_COLOURS[s] for s in statuses],
                "Status of people who need a credential",
            ),
            "Status mix at "
            + label
            + ": "
            + ", ".join(f"{code_label(s)} {n}" for s, n in zip(statuses, counts, strict=True)),
        ),
        Chart(
            "expiries",
            bar_chart(
                ["within 30 days", "within 60 days", "within 90 days"],
                expiries,
                ["#c62828", "#e08e00", "#f9a825"],
                "Credentials expiring",
            ),
            f"Expiries at {label}: {expiries[0]} within 30 days, {expiries[1]} within 60, "
            f"{expiries[2]} within 90",
        ),
    ]
    trend = summary.trend
    if trend.weeks:
        charts.append(
            Chart(
                "trend",
                trend_chart(
                    trend.weeks,
                    trend.rates,
                    f"Compliance rate, last {len(trend.weeks)} of {trend.wanted_weeks} weeks",
                ),
                f"Compliance rate by week at {label}: "
                + ", ".join(
                    f"week of {w:%Y-%m-%d} {format_rate(r)}"
                    for w, r in zip(trend.weeks, trend.rates, strict=True)
                ),
            )
        )
    return charts


def site_evidence(evidence: pd.DataFrame | None, site: str) -> pd.DataFrame:
    """The site's status_evidence rows in the columns of status/<week>/evidence.csv."""
    if evidence is None or evidence.empty:
        return empty_status_evidence()
    return evidence.loc[evidence["site"] == site, list(STATUS_EVIDENCE_COLUMNS)].reset_index(
        drop=True
    )


def render_site_report(
    site: str,
    week: WeekFacts,
    *,
    previous_status: pd.DataFrame,
    compliance_history: pd.DataFrame,
    renewal_forecast: pd.DataFrame,
    points_ledger: pd.DataFrame,
    findings: pd.DataFrame,
    evidence: pd.DataFrame | None = None,
    corrective_actions: pd.DataFrame | None = None,
    document_control: dict[str, DocumentControl] | None = None,
    file_sites: pd.DataFrame | None = None,
    previous_week_stored: bool | None = None,
) -> bytes:
    """The site's PDF/A-3b report for ``week.ctx.week`` as bytes (deterministic for equal inputs).

    ``week`` holds every site's status rows, the input files and exceptions, the configuration
    and the run's facts (the same value the findings were graded from); ``previous_status``,
    ``compliance_history`` and ``findings`` may hold every site; the site's rows are selected
    here. ``findings`` are :func:`audit_findings` rows; ``evidence`` the status_evidence rows
    (every site's or the site's), attached as evidence.csv. ``file_sites`` pairs input files with
    the sites they hold rows about (:mod:`site_files`): the appendix lists the site's own and
    counts the rest in one line; ``None`` lists every file. ``week.effectiveness``: the week's
    training_effectiveness rows (the section, effectiveness.csv). ``previous_week_stored``:
    whether last week is stored (default: ``previous_status`` has rows), for a caller that
    passes only the site's rows (``WeekReports.by_site``).
    """
    status, source_files, config, ctx = week.status, week.source_files, week.config, week.ctx
    effectiveness = week.effectiveness
    policy = config.policy
    site_cfg = config.site(site)
    rows = status[status["site"] == site].reset_index(drop=True)
    history = (
        compliance_history[compliance_history["site"] == site]
        if not (compliance_history.empty)
        else compliance_history
    )
    site_findings = findings[findings["site"] == site].reset_index(drop=True)
    summary = site_summary(rows, history, ctx.week, ctx.as_of, policy.report.history_weeks)
    actions = action_list(rows, config)
    outlook_days = policy.renewal_outlook_days
    facts = site_facts(week, site)
    rag = site_verdict(site_findings, in_scope=summary.in_scope)
    label = f"{site_cfg.name} ({site})" if site_cfg.name != site else site
    attachments = [
        CsvAttachment(
            "employee_status.csv",
            employee_status_csv(rows),
            f"Status rows of site {site}, {ctx.iso_week}",
        ),
        CsvAttachment(
            "evidence.csv",
            frame_to_csv_bytes(site_evidence(evidence, site)),
            f"for every status row of site {site}, the provider records that prove it: provider, "
            "record id, module, assessment date, score, certificate id and how the record was "
            f"linked to the person, {ctx.iso_week}",
        ),
        CsvAttachment(
            "skills_matrix.csv",
            frame_to_csv_bytes(skills_matrix_frame(rows, config)),
            f"Skills matrix of site {site}, {ctx.iso_week}",
        ),
    ]
    outlook = sorted(
        renewal_outlook(rows, renewal_forecast, points_ledger, outlook_days),
        key=lambda o: (o.needed <= 0 or bool(o.on_track), o.days_left),
    )
    if outlook:
        attachments.append(
            CsvAttachment(
                "renewal_outlook.csv",
                frame_to_csv_bytes(outlook_frame(outlook)),
                f"People whose credential expires within {outlook_days} days at site {site}, "
                f"with their points by category, {ctx.iso_week}",
            )
        )
    if actions:
        attachments.append(
            CsvAttachment(
                "actions.csv",
                frame_to_csv_bytes(actions_frame(actions)),
                f"Every action due at site {site}, most urgent first, {ctx.iso_week}",
            )
        )
    document = (document_control or {}).get(site) or first_issue(site, ctx, config)
    corrective = empty_actions() if corrective_actions is None else corrective_actions
    corrective = corrective[corrective["site"] == site]
    if not corrective.empty:
        attachments.append(
            CsvAttachment(
                "corrective_actions.csv",
                frame_to_csv_bytes(corrective.drop(columns=["week"], errors="ignore")),
                f"Corrective actions open at site {site} and closed since last week, with "
                f"their history, {ctx.iso_week}",
            )
        )
    effectiveness_rows = site_rows(effectiveness, site)
    if not effectiveness_rows.empty:
        attachments.append(
            CsvAttachment(
                "effectiveness.csv",
                frame_to_csv_bytes(effectiveness_rows),
                f"Effectiveness of training at site {site} over the last 12 and 52 weeks, "
                f"{ctx.iso_week}",
            )
        )
    if not facts.site_unmatched.empty:
        attachments.append(
            CsvAttachment(
                "site_unmatched.csv",
                frame_to_csv_bytes(facts.site_unmatched),
                f"Provider records that may concern site {site} but could not be linked, "
                f"{ctx.iso_week}",
            )
        )
    files = source_files.sort_values(["source", "file"])
    own_files = site_file_names(file_sites, site)
    if own_files is not None:
        files = files[files["file"].isin(own_files)]
    context = {
        "ctx": ctx,
        "paper": site_paper(config, site),
        "section": section_numbers(SITE_SECTIONS),
        "company": policy.company_name,
        "site": site,
        "site_name": site_cfg.name,
        "site_configured": site in policy.sites,
        "running_title": f"{label} · competence report",
        "criteria_sets": list(site_cfg.audit_criteria),
        "rag": rag,
        "rag_meaning": VERDICT_MEANING[rag],
        "rag_reason": verdict_reason(site_findings),
        "summary": summary,
        "expiry_window": policy.expiry_warning_days,
        "worst": records(worst_findings(site_findings, WORST_ON_COVER)),
        "urgent": actions[:URGENT_ON_COVER],
        "actions": actions[:MAX_ACTION_ROWS],
        "actions_total": len(actions),
        "changes": weekly_changes(
            status, previous_status, site, status, previous_stored=previous_week_stored
        ),
        "change_rows": MAX_CHANGE_ROWS,
        "findings": records(site_findings),
        "open_findings": records(
            site_findings[site_findings["verdict"] != FindingVerdict.CONFORMS]
        ),
        "outlook": outlook[:MAX_OUTLOOK_ROWS],
        "outlook_total": len(outlook),
        "outlook_days": outlook_days,
        "matrices": skills_matrices(rows, config),
        "roles": role_requirements_table(rows, config, site),
        "not_required": not_required_split(rows),
        "exemptions": records(exemption_list(rows, ctx.as_of)),
        "source_files": records(files),
        "company_wide_files": len(source_files) - len(files),
        "site_unmatched": records(facts.site_unmatched.head(MAX_UNMATCHED_ROWS)),
        "site_unmatched_total": len(facts.site_unmatched),
        "corrective": action_report(corrective, site, config),
        "effectiveness": effectiveness_section(effectiveness, site, ctx.week, policy),
        "document": document,
        "config_hash": config.config_hash,
        "attachments": attachments,
        "attachment_names": [a.name for a in attachments],
    }
    metadata = PdfMetadata(
        title=f"Competence report {label} {ctx.iso_week}",
        subject=f"CPT certification status and competence compliance of site {site}, week "
        f"{ctx.iso_week}, as of {ctx.as_of:%Y-%m-%d}",
        keywords=[site, ctx.iso_week, "competence", "ISO 9001 7.2", *site_cfg.audit_criteria],
        author=policy.company_name,
        as_of=ctx.as_of,
        issued_on=document.issued_on,
    )
    return write_pdf(
        "site_report.html.j2", context, metadata, summary_charts(summary, label), attachments
    )
