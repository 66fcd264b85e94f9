"""Why a site's compliance rate moved since last week: the change split into its causes.

The rate is compliant rows over in-scope rows (one row per person and credential). Let P0 be
last week's in-scope rows of the site, P1 this week's, and S the rows in both (same person and
credential, in scope at this site both weeks). With C(X, week) the compliant rows of X in that
week's status:

    r0 = C(P0, last) / |P0|        last week's rate
    ra = C(S, last)  / |S|         the people who stayed, as they were last week
    rb = C(S, this)  / |S|         the same people, as they are this week
    r1 = C(P1, this) / |P1|        this week's rate

    r1 - r0 = (ra - r0)  people who left the site or left scope
            + (rb - ra)  status changes of the people here both weeks
            + (r1 - rb)  people who joined the site or entered scope

The three parts add up to the change exactly. When nobody was in scope both weeks the split
has no middle: the whole change is put under the people who joined or left. Parts are printed
in percentage points to one decimal, apportioned (largest remainder) so that the printed parts
add up to the difference of the two printed rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from assets.reporting.figures import format_rate, signed_points
from schemas.vocabulary import Compliance

IN_SCOPE = (Compliance.COMPLIANT, Compliance.GRACE, Compliance.NON_COMPLIANT)
KEY = ["employee_id", "credential"]
STEP = 0.1  # percentage points, the precision of the printed rates


@dataclass(frozen=True)
class RateChange:
    """Rates in 0..1 (None when nobody is in scope); changes in percentage points."""

    previous: float | None
    current: float | None
    total_points: float | None
    left_points: float | None
    status_points: float | None
    joined_points: float | None
    stayed: int  # in-scope rows present both weeks
    left: int  # in-scope last week, not this week (left the site or left scope)
    joined: int  # in-scope this week, not last week (joined the site or entered scope)

    @property
    def explained(self) -> bool:
        return self.total_points is not None


def _apportion(parts: list[float], total: float) -> list[float]:
    """Round ``parts`` to STEP so that they sum to ``total`` (already a multiple of STEP)."""
    units = [p / STEP for p in parts]
    floors = [math.floor(u) for u in units]
    missing = round(total / STEP) - sum(floors)
    by_fraction = sorted(range(len(parts)), key=lambda i: units[i] - floors[i], reverse=True)
    step = 1 if missing > 0 else -1
    for k in range(abs(missing)):
        i = by_fraction[k % len(parts)] if step > 0 else by_fraction[::-1][k % len(parts)]
        floors[i] += step
    return [round(f * STEP, 1) for f in floors]


def _rate(frame: pd.DataFrame) -> float | None:
    return float((frame["compliance"] == Compliance.COMPLIANT).mean()) if len(frame) else None


def rate_change(current: pd.DataFrame, previous: pd.DataFrame, site: str) -> RateChange:
    """The rate change of ``site`` from ``previous`` to ``current`` status rows, explained."""
    cols = [*KEY, "compliance"]
    now = current.loc[
        (current["site"] == site) & current["compliance"].isin(IN_SCOPE), cols
    ].drop_duplicates(KEY)
    before = previous.loc[
        (previous["site"] == site) & previous["compliance"].isin(IN_SCOPE), cols
    ].drop_duplicates(KEY)
    both = now.merge(before, on=KEY, suffixes=("", "_last"))
    r0, r1 = _rate(before), _rate(now)
    stayed, left, joined = len(both), len(before) - len(both), len(now) - len(both)
    if r0 is None or r1 is None:
        return RateChange(r0, r1, None, None, None, None, stayed, left, joined)
    total = round(round(r1 * 100, 1) - round(r0 * 100, 1), 1)
    if both.empty:
        return RateChange(r0, r1, total, 0.0, 0.0, total, stayed, left, joined)
    ra = float((both["compliance_last"] == Compliance.COMPLIANT).mean())
    rb = float((both["compliance"] == Compliance.COMPLIANT).mean())
    left_pts, status_pts, joined_pts = _apportion(
        [(ra - r0) * 100, (rb - ra) * 100, (r1 - rb) * 100], total
    )
    return RateChange(r0, r1, total, left_pts, status_pts, joined_pts, stayed, left, joined)


def rate_change_text(rate: RateChange | None) -> str:
    """The rate change and its causes in one sentence: the PDF's "Since last week" and the
    site mail print this same text, so the two cannot disagree."""
    if rate is None:
        return ""
    moved = f"Compliance rate {format_rate(rate.previous)} → {format_rate(rate.current)}"
    if not rate.explained:
        when = "last week" if rate.previous is None else "this week"
        return f"{moved}: nobody in scope {when}, so the change cannot be split."
    return (
        f"{moved} ({signed_points(rate.total_points)} points): "
        f"{signed_points(rate.left_points)} from people who left the site or no longer need "
        f"the credential ({rate.left}), {signed_points(rate.status_points)} from status changes "
        f"of the people here both weeks ({rate.stayed}), {signed_points(rate.joined_points)} "
        f"from people who joined or newly need it ({rate.joined})."
    )
