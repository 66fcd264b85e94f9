"""CSV exports that are safe to open in a spreadsheet (SPEC 5): formula cells neutralised by
:func:`assets.csv_safety.neutralize_formula_cells`, dates as ``YYYY-MM-DD``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assets.csv_safety import neutralize_formula_cells


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
