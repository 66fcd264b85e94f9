"""What a report's e-mail repeats from its PDF, computed from the same figures as the PDF.

The e-mail is composed in the delivery stage from the report index (one row per PDF). So that the
mail can never disagree with the PDF, every figure it shows is computed here, by the functions
the PDF uses (rate, finding counts, action list, weekly changes, the company's site lines), and
travels as plain JSON; the mail only formats it, with the same formatters as the PDF.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd

from assets.reporting.actions import Action
from assets.reporting.audit_findings import worst_findings
from assets.reporting.changes import WeeklyChanges
from assets.reporting.rate_change import rate_change_text
from assets.reporting.site_report import finding_counts
from schemas.vocabulary import FindingVerdict

TOP_FINDINGS = 5
TOP_ACTIONS = 5


def change_counts(changes: WeeklyChanges) -> list[list[Any]] | None:
    """``[["joined", 18], ["left", 3], ...]``: the PDF's "Since last week" counts, in its order;
    ``None`` without a last week."""
    if not changes.has_previous:
        return None
    return [[title, count] for title, count in changes.summary_counts()]


def finding_lines(findings: pd.DataFrame, limit: int = TOP_FINDINGS) -> list[dict[str, str]]:
    """The worst open findings, each naming its site, standard, clause and verdict code."""
    worst = worst_findings(findings, limit) if not findings.empty else findings
    return [
        {
            "site": str(f.site),
            "criteria_set": str(f.criteria_set),
            "clause": str(f.clause),
            "verdict": str(f.verdict),
            "title": str(f.title),
        }
        for f in worst.itertuples()
    ]


def action_lines(actions: list[Action], limit: int = TOP_ACTIONS) -> list[dict[str, Any]]:
    """The most urgent actions, in the PDF's order, with what the mail prints of each."""
    return [
        {
            "employee_id": a.employee_id,
            "name": a.name,
            "what": a.what,
            "credential": a.credential,
            "due": a.by_when.isoformat() if isinstance(a.by_when, date) else None,
            "overdue_days": int(a.overdue_days),
            "manager": a.manager,
        }
        for a in actions[:limit]
    ]


def site_briefing(
    *,
    findings: pd.DataFrame,
    actions: list[Action],
    changes: WeeklyChanges | None,
    contact: str | None,
) -> dict[str, Any]:
    """A site report's briefing: finding counts, worst findings, urgent actions, changes."""
    return {
        "finding_counts": finding_counts(findings),
        "findings": finding_lines(findings),
        "actions": action_lines(actions),
        "actions_total": len(actions),
        "changes": None if changes is None else change_counts(changes),
        "rate_change": "" if changes is None else rate_change_text(changes.rate),
        "contact": contact,
    }


def company_briefing(
    *, findings: pd.DataFrame, site_lines: list[dict], contact: str | None
) -> dict[str, Any]:
    """The roll-up's briefing: the company PDF's site table, and counts that add up to it."""
    sites = [
        {
            "site": s["site"],
            "name": s["name"],
            "rate": s["rate"],
            "verdict": s["rag"],
            "finding_counts": s["counts"],
        }
        for s in site_lines
    ]
    totals = {
        kind: sum(s["finding_counts"][kind] for s in sites)
        for kind in (FindingVerdict.MAJOR_NC, FindingVerdict.MINOR_NC, FindingVerdict.OBSERVATION)
    }
    return {
        "finding_counts": totals,
        "findings": finding_lines(findings),
        "actions": [],
        "actions_total": 0,
        "changes": None,
        "contact": contact,
        "sites": sites,
    }
