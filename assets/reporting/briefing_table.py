"""The briefing as stored: typed columns of the report index and rows of ``report_briefing_lines``.

A report's :class:`Briefing` is written in two parts, both typed (never JSON):

- its **figures** are columns of the report index (``site_report_pdfs``): ``major_nc``,
  ``minor_nc``, ``observations``, ``actions_total``, ``previous_week_stored``, ``rate_change``,
  ``contact`` and ``escalation`` (:func:`index_columns`);
- its **lists** are rows of the child table ``report_briefing_lines``, keyed (week, report,
  section, position), one section per list (:func:`briefing_lines`): ``finding`` (the worst
  findings), ``action`` (the most urgent actions), ``change`` (the "Since last week" counts) and
  ``site`` (the roll-up's site table). A section uses the columns that mean something for it and
  leaves the others empty (docs/data-contract.md lists which).

:func:`briefings_from_tables` is the way back, used by the delivery stage: the same
:class:`Briefing` the reporting stage built, field for field. Both tables are outputs of the same
step (``report_steps.file_site_reports``), so a week's index and its lines are always one
materialization. No Dagster here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd

from assets.reporting.briefing_types import (
    ActionLine,
    Briefing,
    BriefingLine,
    ChangeCount,
    FindingCounts,
    SiteRow,
)
from schemas.vocabulary import Compliance

FINDING, ACTION, CHANGE, SITE = "finding", "action", "change", "site"
# the report index's people by compliance (the mail's "People by compliance" table), named as
# in site_compliance; written beside the briefing's figures, read back by the delivery stage
PEOPLE_COLUMNS = {
    Compliance.COMPLIANT: "compliant",
    Compliance.GRACE: "grace",
    Compliance.NON_COMPLIANT: "non_compliant",
    Compliance.EXEMPT: "exempt",
    Compliance.NOT_REQUIRED: "not_required",
}
SECTIONS = (FINDING, ACTION, CHANGE, SITE)
# the report index column every row written with a typed briefing fills (older rows: empty)
TYPED_MARKER = "actions_total"
# report_briefing_lines, in table order (the Pandera model ReportBriefingLine says what each is)
LINE_COLUMNS = (
    "report",
    "section",
    "position",
    "site",
    "site_name",
    "criteria_set",
    "clause",
    "verdict",
    "title",
    "employee_id",
    "name",
    "action",
    "credential",
    "due_date",
    "overdue_days",
    "manager",
    "count",
    "compliance_rate",
    "major_nc",
    "minor_nc",
    "observations",
)
_WHOLE = ("position", "overdue_days", "count", "major_nc", "minor_nc", "observations")


def index_columns(briefing: Briefing) -> dict[str, Any]:
    """The briefing's figures as report index columns."""
    counts = briefing.finding_counts
    return {
        "major_nc": counts.major_nc,
        "minor_nc": counts.minor_nc,
        "observations": counts.observation,
        "actions_total": briefing.actions_total,
        "previous_week_stored": briefing.changes is not None,
        "rate_change": briefing.rate_change,
        "contact": briefing.contact,
        "escalation": briefing.escalation,
    }


def briefing_lines(report: str, briefing: Briefing) -> list[dict[str, Any]]:
    """The briefing's lists as ``report_briefing_lines`` rows, numbered from 1 per section."""
    rows: list[dict[str, Any]] = []

    def add(section: str, position: int, **values: Any) -> None:
        rows.append({"report": report, "section": section, "position": position, **values})

    for n, f in enumerate(briefing.findings, 1):
        add(FINDING, n, site=f.site, criteria_set=f.criteria_set, clause=f.clause,
            verdict=f.verdict, title=f.title)  # fmt: skip
    for n, a in enumerate(briefing.actions, 1):
        add(ACTION, n, employee_id=a.employee_id, name=a.name, action=a.what,
            credential=a.credential, due_date=None if a.due is None else pd.Timestamp(a.due),
            overdue_days=a.overdue_days, manager=a.manager)  # fmt: skip
    for n, c in enumerate(briefing.changes or (), 1):
        add(CHANGE, n, title=c.title, count=c.count)
    for n, s in enumerate(briefing.sites, 1):
        counts = s.finding_counts
        add(SITE, n, site=s.site, site_name=s.name, verdict=s.verdict, compliance_rate=s.rate,
            major_nc=None if counts is None else counts.major_nc,
            minor_nc=None if counts is None else counts.minor_nc,
            observations=None if counts is None else counts.observation)  # fmt: skip
    return rows


def lines_frame(rows: list[dict[str, Any]], week: pd.Timestamp) -> pd.DataFrame:
    """``report_briefing_lines`` of a week: every column, typed, also when there are no rows."""
    frame = pd.DataFrame(rows, columns=list(LINE_COLUMNS))
    frame = frame.astype({name: "Int64" for name in _WHOLE} | {"compliance_rate": "Float64"})
    frame["due_date"] = pd.to_datetime(frame["due_date"])
    return frame.assign(week=week)


def has_typed_briefing(row: Mapping[str, Any]) -> bool:
    """The index row was written with a typed briefing (older versions wrote JSON instead)."""
    return not _missing(row.get(TYPED_MARKER))


def briefings_from_tables(index: pd.DataFrame, lines: pd.DataFrame) -> dict[str, Briefing]:
    """Each report's :class:`Briefing` from its index row and its lines, for the index rows
    written with a typed briefing (:func:`has_typed_briefing`); other rows are left out."""
    by_report: dict[str, dict[str, list[Mapping[str, Any]]]] = {}
    if not lines.empty:
        for line in sorted(_records(lines), key=lambda line: int(line["position"])):
            by_report.setdefault(str(line["report"]), {}).setdefault(
                str(line["section"]), []
            ).append(line)
    briefings = {}
    for row in _records(index):
        if not has_typed_briefing(row):
            continue
        sections = by_report.get(str(row["report"]), {})
        briefings[str(row["report"])] = _briefing(row, sections)
    return briefings


def _briefing(row: Mapping[str, Any], sections: Mapping[str, list[Mapping[str, Any]]]) -> Briefing:
    changes = tuple(
        ChangeCount(str(c["title"]), _whole(c["count"])) for c in sections.get(CHANGE, [])
    )
    return Briefing(
        finding_counts=FindingCounts(
            _whole(row["major_nc"]), _whole(row["minor_nc"]), _whole(row["observations"])
        ),
        findings=tuple(
            BriefingLine(
                site=_text(f["site"]),
                criteria_set=_text(f["criteria_set"]),
                clause=_text(f["clause"]),
                verdict=_text(f["verdict"]),
                title=_text(f["title"]),
            )
            for f in sections.get(FINDING, [])
        ),
        actions=tuple(
            ActionLine(
                employee_id=_optional(a["employee_id"]),
                name=_text(a["name"]),
                what=_text(a["action"]),
                credential=_optional(a["credential"]),
                due=_day(a["due_date"]),
                overdue_days=_whole(a["overdue_days"]),
                manager=_optional(a["manager"]),
            )
            for a in sections.get(ACTION, [])
        ),
        actions_total=_whole(row["actions_total"]),
        changes=changes if bool(row["previous_week_stored"]) else None,
        rate_change=_text(row["rate_change"]),
        contact=_optional(row["contact"]),
        escalation=_text(row.get("escalation")),
        sites=tuple(
            SiteRow(
                site=_text(s["site"]),
                name=_text(s["site_name"]),
                rate=None if _missing(s["compliance_rate"]) else float(s["compliance_rate"]),
                verdict=_text(s["verdict"]),
                finding_counts=None
                if _missing(s["major_nc"])
                else FindingCounts(
                    _whole(s["major_nc"]), _whole(s["minor_nc"]), _whole(s["observations"])
                ),
            )
            for s in sections.get(SITE, [])
        ),
    )


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts, column by column (``to_dict("records")`` indexes every cell of
    a mixed-type frame one by one: ten times slower on a week's few dozen lines)."""
    columns = [frame[name].tolist() for name in frame.columns]
    return [dict(zip(frame.columns, values, strict=True)) for values in zip(*columns, strict=True)]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _optional(value: object) -> str | None:
    return None if _missing(value) else str(value)


def _text(value: object) -> str:
    return "" if _missing(value) else str(value)


def _whole(value: object) -> int:
    return 0 if _missing(value) else int(value)  # type: ignore[arg-type]


def _day(value: object) -> date | None:
    return None if _missing(value) or value is pd.NaT else pd.Timestamp(value).date()
