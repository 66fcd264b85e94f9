"""Dates of the frames as ``int64`` day numbers (days since 1970-01-01), and back.

The engine's indexes work on day numbers; inside them, "no such date" is NO_DAY, a day far
beyond any real date, so that max()/min() over modules and sorted keys work on plain integers.
NO_DAY never reaches a rule: the rules take and return
:class:`~assets.certification.rules.days.Days` (values with a ``present`` mask), where the
calendar rule of validity (``add_years``, ``completed_years``) also lives.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

# "no such date" inside the indexes (see above)
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
