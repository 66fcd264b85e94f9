"""Whole days with honest nulls, and the calendar rule of validity (docs/rules.md: calendar years).

The rules work on day numbers (days since 1970-01-01) so that a million people's dates are plain
integer arrays; whether a date exists at all is said by a separate ``present`` mask, never by a
magic number. Credentials run in calendar years: a date plus N years keeps its month and day,
and 29 February becomes 28 February when the target year has no 29 February (certified
2020-02-29 -> expires 2025-02-28; with a 4-year validity it would be 2024-02-29, as the calendar
has that day). Anniversaries use the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Days:
    """Whole-day values (a date as a day number, or a number of days) and which are present.

    ``day`` is ``int64``; where ``present`` is False the value means nothing (rules never read
    it without the mask). One or two dimensions: a column per person, or people x modules.
    """

    day: np.ndarray
    present: np.ndarray

    @classmethod
    def of(cls, day: np.ndarray, present: np.ndarray | None = None) -> Days:
        """Days from values that are all present, or present where ``present`` says."""
        day = np.asarray(day, dtype=np.int64)
        mask = np.ones(day.shape, dtype=bool) if present is None else np.asarray(present, bool)
        return cls(day, mask)

    @classmethod
    def absent(cls, shape: int | tuple[int, ...]) -> Days:
        """No day at all, for every position."""
        return cls(np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=bool))

    def __len__(self) -> int:
        return len(self.day)

    def __getitem__(self, where: object) -> Days:
        return Days(self.day[where], self.present[where])

    def where(self, condition: np.ndarray, other: Days) -> Days:
        """These days where ``condition`` holds, ``other``'s elsewhere (masks follow)."""
        return Days(
            np.where(condition, self.day, other.day),
            np.where(condition, self.present, other.present),
        )

    def put(self, rows: np.ndarray, values: Days) -> None:
        """Write ``values`` at ``rows`` (filling a result column as people settle)."""
        self.day[rows] = values.day
        self.present[rows] = values.present

    def on_or_before(self, day: np.ndarray | int) -> np.ndarray:
        """Present and on or before ``day``."""
        return self.present & (self.day <= day)


def latest_of_all(days: Days) -> Days:
    """Per row, the latest of a row's days, present only when every one of them is present."""
    complete = days.present.all(axis=1)
    if not days.day.shape[1]:  # no columns: nothing to be the latest of
        return Days.absent(len(complete))
    return Days(np.where(complete, days.day.max(axis=1), 0), complete)


def _split(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    years = d.astype("datetime64[Y]")
    months = d.astype("datetime64[M]")
    year = years.astype(np.int64) + 1970
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def _is_leap(year: np.ndarray) -> np.ndarray:
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))


def add_years(days: np.ndarray, years: np.ndarray | int) -> np.ndarray:
    """Each day plus ``years`` calendar years; 29 Feb -> 28 Feb in a year without 29 Feb."""
    year, month, day = _split(days)
    target = year + np.asarray(years, dtype=np.int64)
    day = np.where((month == 2) & (day == 29) & ~_is_leap(target), 28, day)
    first_of_month = ((target - 1970) * 12 + (month - 1)).astype("datetime64[M]")
    return first_of_month.astype("datetime64[D]").astype(np.int64) + (day - 1)


def completed_years(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """How many anniversaries ``add_years(start, k)``, k >= 1, fall on or before ``end``.

    Zero when ``end`` is before the first anniversary (or before ``start``).
    """
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    gap = _split(end)[0] - _split(start)[0]
    # add_years is increasing in k, so one correction step finds the last anniversary <= end.
    gap = gap - (add_years(start, gap) > end)
    return np.maximum(gap, 0)
