"""Weeks stored before the typed briefing: their report index rows carry JSON instead.

Versions before the typed briefing wrote what the mail repeats as JSON text columns of the report
index (``counts_json``, ``findings_json``, ``actions_json`` and ``briefing_json``; the oldest
without ``briefing_json``) and no ``report_briefing_lines`` rows. Such a week must still mail the
same message, so :func:`summary_fields_from_json` reads those columns — the one place the
delivery stage decodes JSON — into the typed values the mail is composed from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from assets.delivery.summary import Action, Finding
from assets.reporting.briefing_types import (
    ActionLine,
    Briefing,
    BriefingLine,
    ChangeCount,
    FindingCounts,
    SiteRow,
)


class SummaryFields(NamedTuple):
    """What an index row gives the mail: people by compliance, plain lists, the briefing."""

    counts: dict[str, int]
    findings: list[Finding]
    actions: list[Action]
    briefing: Briefing | None  # None: the row is older than the briefing itself


def summary_fields_from_json(row: Mapping[str, Any]) -> SummaryFields:
    """The mail's fields of an index row stored with JSON columns (before the typed briefing)."""
    actions = [
        Action(name, what, date.fromisoformat(due) if due else None)
        for name, what, due in json.loads(row["actions_json"])
    ]
    stored = row.get("briefing_json")
    old: dict[str, Any] = json.loads(stored) if isinstance(stored, str) and stored else {}
    briefing = None
    if old:
        briefing = Briefing(
            finding_counts=FindingCounts.of(old.get("finding_counts") or {}),
            findings=tuple(
                BriefingLine(
                    str(f.get("site") or ""),
                    str(f.get("criteria_set") or ""),
                    f["clause"],
                    f["verdict"],
                    f["title"],
                )
                for f in old.get("findings") or []
            ),
            actions=tuple(
                ActionLine(
                    employee_id=a.get("employee_id"),
                    name=a["name"],
                    what=a["what"],
                    credential=a.get("credential"),
                    due=date.fromisoformat(a["due"]) if a.get("due") else None,
                    overdue_days=int(a.get("overdue_days") or 0),
                    manager=a.get("manager"),
                )
                for a in old.get("actions") or []
            ),
            actions_total=int(old.get("actions_total", len(actions))),
            changes=None
            if old.get("changes") is None
            else tuple(ChangeCount(str(title), int(n)) for title, n in old["changes"]),
            rate_change=old.get("rate_change") or "",
            contact=old.get("contact"),
            escalation=_text(row.get("escalation")),
            sites=tuple(
                SiteRow(
                    site=s["site"],
                    name=s["name"],
                    rate=s["rate"],
                    verdict=s["verdict"],
                    finding_counts=None
                    if s.get("finding_counts") is None
                    else FindingCounts.of(s["finding_counts"]),
                )
                for s in old.get("sites") or []
            ),
        )
    return SummaryFields(
        counts=json.loads(row["counts_json"]),
        findings=[Finding(*f) for f in json.loads(row["findings_json"])],
        actions=actions,
        briefing=briefing,
    )


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)
