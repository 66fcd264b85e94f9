"""Calendar arithmetic on whole days, vectorised over numpy arrays.

The engine works on dates as ``int64`` day numbers (days since 1970-01-01) so that a million
people's cycles are plain integer arrays. Credentials run in calendar years: a date plus N years
keeps its month and day, and 29 February becomes 28 February when the target year has no
29 February (certified 2020-02-29 -> expires 2025-02-28; with a 4-year validity it would be
2024-02-29, as the calendar has that day). Anniversaries use the same rule.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# Stands for "no such date" in day arrays: far beyond any real date, so max()/min() over modules
# treat it as "not yet" and comparisons with D are always False/True as expected.
NO_DAY = np.int64(10**9)


def day_number(value: dt.date) -> int:
    """The day number of one calendar date."""
    return int(np.datetime64(value, "D").astype(np.int64))


def days_from_datetimes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers of a datetime64 column and the mask of the values that are present."""
    if isinstance(getattr(values, "dtype", None), pd.ArrowDtype):  # Arrow dates or timestamps
        values = values.astype("datetime64[ns]")
    as_days = np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]")
    present = ~np.isnat(as_days)
    return np.where(present, as_days.astype(np.int64), NO_DAY), present


def datetimes_from_days(days: np.ndarray, present: np.ndarray | None = None) -> np.ndarray:
    """``datetime64[ns]`` values of day numbers; NaT where absent (or where the day is NO_DAY)."""
    days = np.asarray(days, dtype=np.int64)
    if present is None:
        present = days < NO_DAY
    out = np.where(present, days, 0).astype("datetime64[D]").astype("datetime64[ns]")
    out[~present] = np.datetime64("NaT")
    return out


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


class DayGrid:
    """Packs (group, day) pairs into one sortable ``int64`` key: ``group * span + offset``.

    ``offset`` is the day minus ``first_day``; the span leaves one free slot past D so that a
    search from "after D" lands on the next group. Offsets are clipped to [-1, span - 1], which
    keeps searches for days outside the grid inside their own group.
    """

    def __init__(self, first_day: int, as_of_day: int) -> None:
        self.first_day = int(min(first_day, as_of_day))
        self.span = int(as_of_day - self.first_day + 2)

    def key(self, group: np.ndarray, days: np.ndarray) -> np.ndarray:
        offset = np.clip(np.asarray(days, dtype=np.int64) - self.first_day, -1, self.span - 1)
        return np.asarray(group, dtype=np.int64) * self.span + offset

    def day_of(self, keys: np.ndarray) -> np.ndarray:
        return np.asarray(keys, dtype=np.int64) % self.span + self.first_day

    def group_of(self, keys: np.ndarray) -> np.ndarray:
        return np.asarray(keys, dtype=np.int64) // self.span
