"""Small vectorised helpers: day numbers, calendar years, date texts, numbered ids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from pipelines.sample_data.vocabulary import EPOCH

# --- small vectorised helpers -----------------------------------------------------------------


def day_number(d: date) -> int:
    return (d - EPOCH).days


def date_of(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Calendar years later, 29 Feb -> 28 Feb, as the credential rules count them."""
    if len(days) == 0:
        return days.copy()
    shifted = pd.DatetimeIndex(days.astype("datetime64[D]")) + pd.DateOffset(years=years)
    return shifted.to_numpy().astype("datetime64[D]").astype(np.int64)


def whole_between(rng: np.random.Generator, low, high, size: int) -> np.ndarray:
    """Uniform whole numbers in [low, high] (arrays or scalars; high < low yields low)."""
    low = np.broadcast_to(np.asarray(low, dtype=np.int64), (size,))
    high = np.broadcast_to(np.asarray(high, dtype=np.int64), (size,))
    span = np.maximum(high - low + 1, 1)
    return low + np.floor(rng.random(size) * span).astype(np.int64)


def iso_text(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"))


def us_text(days: np.ndarray) -> np.ndarray:
    """MM/DD/YYYY by rearranging the characters of ISO strings (fast at millions of rows)."""
    iso = np.ascontiguousarray(iso_text(days).astype("<U10"))
    chars = iso.view("<U1").reshape(-1, 10)
    out = np.empty_like(chars)
    out[:, 0:2] = chars[:, 5:7]
    out[:, 2] = "/"
    out[:, 3:5] = chars[:, 8:10]
    out[:, 5] = "/"
    out[:, 6:10] = chars[:, 0:4]
    return out.view("<U10").ravel().astype(object)


def numbered_ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    text = pd.Series(np.asarray(numbers, dtype=np.int64)).astype(str).str.zfill(width)
    return (prefix + text).to_numpy(dtype=object)


def mtime_of(day: date, seconds: int = 0) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() + seconds
