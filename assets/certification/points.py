"""Recertification points: what a person earned inside a cycle, and the ledger of those events.

Points count when earned after the cycle start and on or before its expiry (and on or before D,
since later records are ignored). Three sources (SPEC 2):

- continuing education: an activity's explicit ``points``, else ``hours`` x ``ce_points_per_hour``
  (an activity with neither earns nothing). Activities carry no credential, so they count towards
  every points-renewed credential the person holds;
- employment: ``employment_points_per_year`` for each completed anniversary of the later of cycle
  start and hire date, up to the earlier of D and the cycle's expiry (a cycle that has ended
  counts the employment inside it), only while the roster role is manufacturing-related. The
  anniversary date is the event date;
- retakes: ``retake_points`` for each pass of one of the credential's modules (required or
  optional) that repeats an earlier pass of the same module, at most one per module and day.

Sums over (start, end] are two binary searches into per-person cumulative sums, for all people at
once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from assets.certification.assessments import AssessmentIndex
from assets.certification.dates import DayGrid, add_years, completed_years, days_from_datetimes
from assets.text import take_objects
from schemas.config import PointsRenewal
from schemas.vocabulary import PointsCategory

# the codes as plain text for the arrays; the vocabulary is schemas.vocabulary.PointsCategory
CONTINUING_EDUCATION = PointsCategory.CONTINUING_EDUCATION.value
EMPLOYMENT = PointsCategory.EMPLOYMENT.value
ASSESSMENT_RETAKE = PointsCategory.ASSESSMENT_RETAKE.value


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
    explicit = ~np.isnan(points)
    hours = np.where(explicit | np.isnan(hours), 0.0, hours)
    points = np.where(explicit, points, 0.0)
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


@dataclass(frozen=True)
class EarnedPoints:
    """Points earned per person in a span of days, by source."""

    continuing_education: np.ndarray
    employment: np.ndarray
    retakes: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.continuing_education + self.employment + self.retakes


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

    def employment_base(self, person: np.ndarray, start: np.ndarray) -> np.ndarray:
        return np.maximum(start, self.hire_day[person])

    def employment_years(
        self, person: np.ndarray, start: np.ndarray, end: np.ndarray
    ) -> np.ndarray:
        years = completed_years(self.employment_base(person, start), end)
        return np.where(self.manufacturing_related[person], years, 0)

    def earned(self, person: np.ndarray, start: np.ndarray, end: np.ndarray) -> EarnedPoints:
        """Points earned in (start, end] by each person; ``end`` must be on or before D."""
        act = self.activities
        lo, hi = self._range(act.keys, person, start, end)
        ce = (act.cum_points[hi] - act.cum_points[lo]) + self.rule.ce_points_per_hour * (
            act.cum_hours[hi] - act.cum_hours[lo]
        )
        lo, hi = self._range(self.retake_keys, person, start, end)
        retakes = (hi - lo) * float(self.rule.retake_points)
        years = self.employment_years(person, start, end)
        employment = years * float(self.rule.employment_points_per_year)
        return EarnedPoints(continuing_education=ce, employment=employment, retakes=retakes)

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
        points = act.points[at] + self.rule.ce_points_per_hour * act.hours[at]
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
        years = self.employment_years(person, start, end)
        owner = np.repeat(np.arange(len(person)), years)
        nth = np.arange(years.sum()) - np.repeat(np.cumsum(years) - years, years) + 1
        base = self.employment_base(person, start)[owner]
        return {
            "row": owner,
            "category": _repeated(EMPLOYMENT, len(owner)),
            "event_day": add_years(base, nth),
            "points": np.full(len(owner), float(self.rule.employment_points_per_year)),
            "source_record_id": _repeated(None, len(owner)),
        }
