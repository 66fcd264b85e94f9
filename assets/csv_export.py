"""CSV exports that are safe to open in a spreadsheet (SPEC 5).

Text cells a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) are prefixed with a single quote. Dates are written as ``YYYY-MM-DD``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where text cells that start like a formula are prefixed with a single quote."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype("string")
            risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            if risky.any():
                safe[column] = values.where(~risky, "'" + text)
    return safe


def _dates_as_iso(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out


def write_safe_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as UTF-8 CSV with formula cells neutralised and ISO dates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    neutralize_formula_cells(_dates_as_iso(frame)).to_csv(path, index=False, encoding="utf-8")
    return path
