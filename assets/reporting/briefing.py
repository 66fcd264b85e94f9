"""What a report's e-mail repeats from its PDF, computed from the same figures as the PDF.

The e-mail is composed in the delivery stage from the report index (one row per PDF). So that the
mail can never disagree with the PDF, every figure it shows is computed here, once, by the
functions the PDF uses (rate, finding counts, action list, weekly changes, the company's site
lines), into a typed :class:`~assets.reporting.briefing_types.Briefing`. It is stored as typed
columns of the report index and rows of ``report_briefing_lines`` (``briefing_table.py``), never
as JSON; the mail only formats it, with the same formatters as the PDF.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from assets.reporting.actions import Action
from assets.reporting.audit_findings import worst_findings
from assets.reporting.briefing_types import (
    ActionLine,
    Briefing,
    BriefingLine,
    ChangeCount,
    FindingCounts,
    SiteRow,
)
from assets.reporting.changes import WeeklyChanges
from assets.reporting.rate_change import rate_change_text
from assets.reporting.site_report import finding_counts

TOP_FINDINGS = 5
TOP_ACTIONS = 5

__all__ = [
    "TOP_ACTIONS",
    "TOP_FINDINGS",
    "ActionLine",
    "Briefing",
    "BriefingLine",
    "ChangeCount",
    "FindingCounts",
    "SiteRow",
    "action_lines",
    "change_counts",
    "company_briefing",
    "finding_lines",
    "site_briefing",
]


def change_counts(changes: WeeklyChanges) -> tuple[ChangeCount, ...] | None:
    """``joined 18, left 3, ...``: the PDF's "Since last week" counts, in its order; ``None``
    without a last week."""
    if not changes.has_previous:
        return None
    return tuple(ChangeCount(title, int(count)) for title, count in changes.summary_counts())


def finding_lines(findings: pd.DataFrame, limit: int = TOP_FINDINGS) -> tuple[BriefingLine, ...]:
    """The worst open findings, each naming its site, standard, clause and verdict code."""
    worst = worst_findings(findings, limit) if not findings.empty else findings
    return tuple(
        BriefingLine(
            site=str(f.site),
            criteria_set=str(f.criteria_set),
            clause=str(f.clause),
            verdict=str(f.verdict),
            title=str(f.title),
        )
        for f in worst.itertuples()
    )


def action_lines(actions: list[Action], limit: int = TOP_ACTIONS) -> tuple[ActionLine, ...]:
    """The most urgent actions, in the PDF's order, with what the mail prints of each."""
    return tuple(
        ActionLine(
            employee_id=a.employee_id,
            name=a.name,
            what=a.what,
            credential=a.credential,
            due=a.by_when if isinstance(a.by_when, date) else None,
            overdue_days=int(a.overdue_days),
            manager=a.manager,
        )
        for a in actions[:limit]
    )


def site_briefing(
    *,
    findings: pd.DataFrame,
    actions: list[Action],
    changes: WeeklyChanges | None,
    contact: str | None,
    escalation: str = "",
) -> Briefing:
    """A site report's briefing: finding counts, worst findings, urgent actions, changes."""
    return Briefing(
        finding_counts=FindingCounts.of(finding_counts(findings)),
        findings=finding_lines(findings),
        actions=action_lines(actions),
        actions_total=len(actions),
        changes=None if changes is None else change_counts(changes),
        rate_change="" if changes is None else rate_change_text(changes.rate),
        contact=contact,
        escalation=escalation,
    )


def company_briefing(
    *, findings: pd.DataFrame, site_lines: list[dict], contact: str | None
) -> Briefing:
    """The roll-up's briefing: the company PDF's site table, and counts that add up to it."""
    sites = tuple(
        SiteRow(
            site=str(s["site"]),
            name=str(s["name"]),
            rate=None if s["rate"] is None else float(s["rate"]),
            verdict=str(s["rag"]),
            finding_counts=None if s["counts"] is None else FindingCounts.of(s["counts"]),
        )
        for s in site_lines
    )
    return Briefing(
        finding_counts=sum((s.finding_counts or FindingCounts() for s in sites), FindingCounts()),
        findings=finding_lines(findings),
        contact=contact,
        sites=sites,
    )
