"""The points each person earned in spans of days, found quickly, and the points ledger.

Implements :class:`~assets.certification.rules.history.PointsHistory` for one points-renewed
credential. The rules (which points count, how much, the anniversaries, what a retake is) are in
:mod:`assets.certification.rules.points`; here the activities and retakes are indexed by
(person, day) key, and a sum over (start, end] is two binary searches into per-person cumulative
sums, for all people at once. Explicit points and hours are summed apart, because the hour rate
belongs to the credential.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from assets.certification.dates import days_from_datetimes
from assets.certification.machinery.day_grid import DayGrid
from assets.certification.machinery.results_index import AssessmentIndex
from assets.certification.rules.points import (
    ASSESSMENT_RETAKE,
    CONTINUING_EDUCATION,
    EMPLOYMENT,
    EarnedPoints,
    activity_points,
    anniversaries,
    countable_points_and_hours,
    employment_base,
    employment_years,
    points_earned,
)
from assets.text import take_objects
from schemas.config import PointsRenewal


def _repeated(value: object, n: int) -> np.ndarray:
    """An object array of one shared value (``np.full`` with objects is slow at this size)."""
    return np.array([value], dtype=object)[np.zeros(n, dtype=np.intp)]


@dataclass(frozen=True)
class ActivityIndex:
    """Continuing-education activities of employed people on or before D, sorted by grid key.

    ``cum_points`` / ``cum_hours`` are cumulative sums with a leading zero, ``hours`` counting
    only activities without explicit points (so one credential's hour rate applies to them).
    """

    keys: np.ndarray
    points: np.ndarray
    hours: np.ndarray
    cum_points: np.ndarray
    cum_hours: np.ndarray
    activity_id: np.ndarray


def build_activity_index(
    activities: pd.DataFrame, person: np.ndarray, grid: DayGrid, as_of_day: int
) -> ActivityIndex:
    """Index the activities of employed people dated on or before D.

    ``person`` gives each activity's position among the employed people (-1: not employed).
    """
    day, dated = days_from_datetimes(activities["activity_date"])
    keep = (person >= 0) & dated & (day <= as_of_day)
    points = activities["points"].to_numpy(dtype=float, na_value=np.nan)[keep]
    hours = activities["hours"].to_numpy(dtype=float, na_value=np.nan)[keep]
    points, hours = countable_points_and_hours(points, hours)
    keys = grid.key(person[keep], day[keep])
    activity_id = take_objects(activities["activity_id"], np.flatnonzero(keep))
    order = _ordered_by_key_then_id(keys, activity_id)
    points, hours = points[order], hours[order]
    return ActivityIndex(
        keys=keys[order],
        points=points,
        hours=hours,
        cum_points=np.concatenate(([0.0], np.cumsum(points))),
        cum_hours=np.concatenate(([0.0], np.cumsum(hours))),
        activity_id=activity_id[order],
    )


def _ordered_by_key_then_id(keys: np.ndarray, activity_id: np.ndarray) -> np.ndarray:
    """Sort order by (key, activity id), so that nothing depends on the input row order.

    Only same-person same-day activities need the id, so only they pay for a string sort.
    """
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    tied = np.zeros(len(keys), dtype=bool)
    same = sorted_keys[1:] == sorted_keys[:-1]
    tied[1:] |= same
    tied[:-1] |= same
    if not tied.any():
        return order
    at = np.flatnonzero(tied)
    ties = pd.DataFrame(
        {"key": sorted_keys[at], "id": activity_id[order[at]], "row": order[at]}
    ).astype({"id": str})
    # the tied slots keep their places; only who sits in them is re-sorted by id
    order[at] = ties.sort_values(["key", "id"], kind="stable")["row"].to_numpy()
    return order


class PointsSources:
    """Everything one points-renewed credential needs to count a person's points."""

    def __init__(
        self,
        rule: PointsRenewal,
        grid: DayGrid,
        activities: ActivityIndex,
        assessments: AssessmentIndex,
        credential_modules: list[int],
        hire_day: np.ndarray,
        manufacturing_related: np.ndarray,
    ) -> None:
        self.rule = rule
        self.grid = grid
        self.activities = activities
        self.retake_keys, self.retake_rows = assessments.repeat_passes(credential_modules)
        self.retake_records = assessments.records
        self.hire_day = hire_day
        self.manufacturing_related = manufacturing_related

    def _range(
        self, keys: np.ndarray, person: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        lo = np.searchsorted(keys, self.grid.key(person, start), side="right")
        hi = np.searchsorted(keys, self.grid.key(person, end), side="right")
        return lo, np.maximum(hi, lo)

    def employment_years(
        self, person: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> np.ndarray:
        base = employment_base(start, self.hire_day[person])
        return employment_years(base, end, self.manufacturing_related[person])

    def earned(self, person: np.ndarray, start: np.ndarray, end: np.ndarray) -> EarnedPoints:
        """Points earned in (start, end] by each person; ``end`` must be on or before D."""
        act = self.activities
        lo, hi = self._range(act.keys, person, start, end)
        ce = activity_points(
            act.cum_points[hi] - act.cum_points[lo],
            act.cum_hours[hi] - act.cum_hours[lo],
            self.rule.ce_points_per_hour,
        )
        lo, hi = self._range(self.retake_keys, person, start, end)
        years = self.employment_years(person, start, end)
        return points_earned(self.rule, ce, hi - lo, years)

    def ledger(
        self, person: np.ndarray, start: np.ndarray, expiry: np.ndarray, as_of_day: int
    ) -> dict[str, np.ndarray]:
        """One entry per earning event of each person in (start, min(expiry, D)].

        Arrays: ``row`` (position in the arguments), ``category``, ``event_day``, ``points``,
        ``source_record_id``; events of one person in date order, CE before retakes before
        employment on the same day.
        """
        end = np.minimum(expiry, as_of_day)
        parts = [
            self._ce_events(person, start, end),
            self._retake_events(person, start, end),
            self._employment_events(person, start, end),
        ]
        events = {c: np.concatenate([part[c] for part in parts]) for c in parts[0]}
        order = np.lexsort((events["event_day"], events["row"]))  # stable: keeps CE first
        return {c: values[order] for c, values in events.items()}

    def _expand(
        self, keys: np.ndarray, person: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self._range(keys, person, start, end)
        counts = hi - lo
        owner = np.repeat(np.arange(len(person)), counts)
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return owner, lo[owner] + within

    def _ce_events(
        self, person: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> dict[str, np.ndarray]:
        act = self.activities
        owner, at = self._expand(act.keys, person, start, end)
        points = activity_points(act.points[at], act.hours[at], self.rule.ce_points_per_hour)
        earning = points != 0
        owner, at = owner[earning], at[earning]
        return {
            "row": owner,
            "category": _repeated(CONTINUING_EDUCATION, len(owner)),
            "event_day": self.grid.day_of(act.keys[at]),
            "points": points[earning],
            "source_record_id": act.activity_id[at],
        }

    def _retake_events(
        self, person: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> dict[str, np.ndarray]:
        owner, at = self._expand(self.retake_keys, person, start, end)
        rows = self.retake_rows[at]
        source = self.retake_records.labels(rows)
        return {
            "row": owner,
            "category": _repeated(ASSESSMENT_RETAKE, len(owner)),
            "event_day": self.grid.day_of(self.retake_keys[at]),
            "points": np.full(len(at), float(self.rule.retake_points)),
            "source_record_id": source,
        }

    def _employment_events(
        self, person: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> dict[str, np.ndarray]:
        base = employment_base(start, self.hire_day[person])
        years = employment_years(base, end, self.manufacturing_related[person])
        owner, day = anniversaries(base, years)
        return {
            "row": owner,
            "category": _repeated(EMPLOYMENT, len(owner)),
            "event_day": day,
            "points": np.full(len(owner), float(self.rule.employment_points_per_year)),
            "source_record_id": _repeated(None, len(owner)),
        }
