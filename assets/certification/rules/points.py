"""Recertification points (docs/rules.md, points renewal): what counts, how much, and when it
renews.

The rules, in the project's words:

- **Which points count**: those earned after the cycle start and on or before its expiry (and on
  or before D, since later records are ignored): the span (start, end].
- **Continuing education**: an activity's explicit ``points``, else ``hours`` x
  ``ce_points_per_hour`` (an activity with neither earns nothing). Activities carry no
  credential, so they count towards every points-renewed credential the person holds.
- **Employment**: ``employment_points_per_year`` for each completed anniversary of the later of
  cycle start and hire date, up to the earlier of D and the cycle's expiry, only while the roster
  role is manufacturing-related. The anniversary is the event date.
- **Retakes**: ``retake_points`` for each pass of one of the credential's modules (required or
  optional) that repeats an earlier pass of the same module, at most one per module and day.
- **Points renewal**: at least ``points_required`` points in the cycle renew it on its expiry
  date for another validity period; judged only once the expiry date has been reached.

How the sums over a span are found quickly (cumulative sums, binary searches) is the business
of :mod:`assets.certification.machinery.points_index`, which calls these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assets.certification.rules.days import add_years, completed_years
from schemas.config import PointsRenewal
from schemas.vocabulary import PointsCategory

# the codes as plain text for the arrays; the vocabulary is schemas.vocabulary.PointsCategory
CONTINUING_EDUCATION = PointsCategory.CONTINUING_EDUCATION.value
EMPLOYMENT = PointsCategory.EMPLOYMENT.value
ASSESSMENT_RETAKE = PointsCategory.ASSESSMENT_RETAKE.value


@dataclass(frozen=True)
class EarnedPoints:
    """Points earned per person in a span of days, by source."""

    continuing_education: np.ndarray
    employment: np.ndarray
    retakes: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.continuing_education + self.employment + self.retakes


def countable_points_and_hours(
    points: np.ndarray, hours: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What each continuing-education activity counts: its explicit points, else its hours.

    ``points`` and ``hours`` are floats, NaN where the activity gives none. Returns (points,
    hours) with 0 where the other one counts, or both 0 when the activity gives neither; the
    hours become points at the credential's rate (:func:`activity_points`).
    """
    explicit = ~np.isnan(points)
    return np.where(explicit, points, 0.0), np.where(explicit | np.isnan(hours), 0.0, hours)


def activity_points(points: np.ndarray, hours: np.ndarray, per_hour: float) -> np.ndarray:
    """Points of activities from their countable points and hours: hours x the hour rate."""
    return points + per_hour * hours


def employment_base(cycle_start: np.ndarray, hire_day: np.ndarray) -> np.ndarray:
    """The day employment anniversaries count from: the later of cycle start and hire date."""
    return np.maximum(cycle_start, hire_day)


def employment_years(
    base: np.ndarray, end: np.ndarray, manufacturing_related: np.ndarray
) -> np.ndarray:
    """Completed anniversaries of ``base`` on or before ``end``, in a manufacturing-related role."""
    return np.where(manufacturing_related, completed_years(base, end), 0)


def anniversaries(base: np.ndarray, years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The employment events: for each person (row of ``base``) one day per completed year.

    Returns the row each event belongs to and its day (the anniversary), rows in order.
    """
    owner = np.repeat(np.arange(len(base)), years)
    nth = np.arange(years.sum()) - np.repeat(np.cumsum(years) - years, years) + 1
    return owner, add_years(base[owner], nth)


def retakes(person_module: np.ndarray) -> np.ndarray:
    """Which passes are retakes: every distinct pass day of a module but a person's first.

    ``person_module`` numbers the (person, module) of each distinct pass day, sorted by it and
    then by day (several passes of a module on one day are one pass: at most one retake a day).
    """
    repeat = np.zeros(len(person_module), dtype=bool)
    repeat[1:] = person_module[1:] == person_module[:-1]
    return repeat


def points_earned(
    rule: PointsRenewal,
    continuing_education: np.ndarray,
    retake_count: np.ndarray,
    years: np.ndarray,
) -> EarnedPoints:
    """The points of each person's span by source, from what they did in it."""
    return EarnedPoints(
        continuing_education=continuing_education,
        employment=years * float(rule.employment_points_per_year),
        retakes=retake_count * float(rule.retake_points),
    )


def points_renewal(earned: EarnedPoints, rule: PointsRenewal) -> np.ndarray:
    """Whether the points of a cycle renew it: at least ``points_required`` of them.

    Asked of a cycle whose expiry date has been reached it says "renewed"; of a cycle still
    covering D, "renewal secured".
    """
    return earned.total >= rule.points_required
