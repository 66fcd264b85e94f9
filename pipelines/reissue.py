"""Weeks whose issued report predates a recomputation of a week it looks back on.

A week's report reads the weeks stored before it: last week's status ("since last week"), up to
52 weeks of site compliance (the trend), the corrective actions and their effectiveness.
Recomputing an earlier week (late exam results, a corrected roster) deliberately leaves the
reports already issued for later weeks as they are — they are the evidence of what was sent —
but their look-back figures then come from the earlier computation. Nothing says so unless
someone looks; this module looks.

It reads only the Dagster instance (every run, whoever started it: CLI, UI, schedule,
backfill): a week W is *superseded* when a week it looks back on had one of the tables its
report reads materialized after W's ``site_report_pdfs`` was. ``competence status`` marks those
weeks and ``competence run`` names them after the weeks it ran, each with the command that
reissues them (a rerun writes a revision whose reason names the changed history).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg

from assets.reporting.history import window
from assets.reporting.report_steps import HISTORY_TABLES, HISTORY_WEEKS

REPORT = "site_report_pdfs"
# what a report reads of earlier weeks, each for at most HISTORY_WEEKS weeks: the history tables,
# and the corrective actions that the training-effectiveness rules follow week by week
LOOKED_BACK_ON = (*HISTORY_TABLES, "corrective_actions")
_PAGE = 1000


@dataclass(frozen=True)
class Superseded:
    """An issued week and the newest earlier week recomputed after it was issued."""

    week: str
    issued_at: float  # when its site_report_pdfs was materialized (epoch seconds)
    recomputed: str  # the newest earlier week that changed since
    recomputed_at: float

    def line(self) -> str:
        return (
            f"issued before week {self.recomputed} was recomputed: its since-last-week, "
            "trend and actions show the earlier figures"
        )


def _latest_by_week(instance: dg.DagsterInstance, asset: str) -> dict[str, float]:
    """The newest materialization time of ``asset`` per week (partition key)."""
    latest: dict[str, float] = {}
    cursor = None
    while True:
        page = instance.fetch_materializations(dg.AssetKey(asset), limit=_PAGE, cursor=cursor)
        for record in page.records:
            week = record.partition_key
            if week and record.timestamp > latest.get(week, 0.0):
                latest[week] = record.timestamp
        if not page.has_more:
            return latest
        cursor = page.cursor


def superseded_weeks(
    instance: dg.DagsterInstance, weeks: Iterable[str] | None = None
) -> list[Superseded]:
    """Issued weeks (all, or those in ``weeks``) with an earlier week in their look-back window
    recomputed after they were issued, oldest first."""
    issued = _latest_by_week(instance, REPORT)
    changed: dict[str, float] = {}
    for asset in LOOKED_BACK_ON:
        for week, at in _latest_by_week(instance, asset).items():
            changed[week] = max(at, changed.get(week, 0.0))
    wanted = set(weeks) if weeks is not None else set(issued)
    found = []
    for week in sorted(wanted & set(issued)):
        later = [
            (earlier, changed[earlier])
            for earlier in window(week, HISTORY_WEEKS)[:-1]
            if changed.get(earlier, 0.0) > issued[week]
        ]
        if later:
            earlier, at = max(later)  # the newest week recomputed since
            found.append(Superseded(week, issued[week], earlier, at))
    return found


def reissue_advice(superseded: list[Superseded], just_ran: Iterable[str] = ()) -> list[str]:
    """What the CLI prints: one line per superseded week, then the command that reissues them.

    ``just_ran`` are the weeks the command itself has just recomputed (named in the heading)."""
    if not superseded:
        return []
    ran = sorted(set(just_ran))
    because = f" after week(s) {', '.join(ran)} were recomputed" if ran else ""
    lines = [f"note: {len(superseded)} week(s) issued earlier are out of date{because}:"]
    lines += [f"  {s.week}: {s.line()}" for s in superseded]
    weeks = [s.week for s in superseded]
    lines.append("  reissue them (oldest first) with: " + _run_command(weeks))
    return lines


def _run_command(weeks: list[str]) -> str:
    """``competence run`` for exactly these weeks: a range when they are consecutive."""
    ordered = sorted(weeks)
    consecutive = ordered == window(ordered[-1], len(ordered))
    if len(ordered) > 1 and consecutive:
        return f"competence run --from {ordered[0]} --to {ordered[-1]}"
    return "competence run " + " ".join(f"--week {week}" for week in ordered)
