"""Calendar-year arithmetic: 29 February and anniversaries."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from assets.certification.dates import day_number
from assets.certification.rules.days import add_years, completed_years


def _days(*dates: str) -> np.ndarray:
    return np.array([day_number(dt.date.fromisoformat(d)) for d in dates], dtype=np.int64)


def _iso(days: np.ndarray) -> list[str]:
    return [str(d) for d in days.astype("datetime64[D]")]


def test_leap_day_maps_to_28_february_only_in_years_without_it():
    start = _days("2020-02-29", "2020-02-29", "2020-02-29", "2019-03-01", "2023-12-31")
    years = np.array([5, 4, 1, 5, 3])
    assert _iso(add_years(start, years)) == [
        "2025-02-28",
        "2024-02-29",
        "2021-02-28",
        "2024-03-01",
        "2026-12-31",
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2020-02-29", "2021-02-27", 0),
        ("2020-02-29", "2021-02-28", 1),  # the anniversary of a leap day is 28 Feb
        ("2020-02-29", "2024-02-28", 3),  # 2024 has its 29 Feb: the 4th is a day later
        ("2020-02-29", "2024-02-29", 4),
        ("2020-02-29", "2025-02-28", 5),
        ("2019-06-01", "2019-05-01", 0),  # end before start
        ("2010-01-01", "2026-11-22", 16),
    ],
)
def test_completed_years_counts_anniversaries_on_or_before_end(start, end, expected):
    assert completed_years(_days(start), _days(end))[0] == expected
