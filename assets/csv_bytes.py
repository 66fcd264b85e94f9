"""CSV bytes that ride along in the PDFs as attachments (the rows only a machine needs).

``employee_status.csv`` has exactly the columns of docs/data-contract.md in that order, so the
attachment and
``status/<partition>/employee_status.csv`` can be the same bytes. Formats: dates ``YYYY-MM-DD``
(empty when there is none), booleans ``true``/``false`` (empty when unknown), points without a
trailing ``.0``, UTF-8 with ``\\n`` line ends. Text cells are neutralized against spreadsheet
formulas.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets.csv_safety import FORMULA_TRIGGERS, neutralize_cell
from schemas.tables import EMPLOYEE_STATUS_COLUMNS


def is_missing(value: object) -> bool:
    """True for None, NA, NaT and NaN: the values a CSV shows as an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and value != value


def _cell_text(value: object) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp | datetime | date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float | np.floating):
        return f"{float(value):.10g}"
    if isinstance(value, int | np.integer):
        return str(int(value))
    # Only genuine text can smuggle a formula in; numbers (even negative ones) stay numbers.
    return str(neutralize_cell(str(value)))


def _text_column(series: pd.Series) -> pd.Series:
    """Render one column as text the way the CSV contract wants it.

    Typed columns are formatted vectorised (a 100,000-row status export would otherwise spend
    seconds in Python per cell); mixed object columns fall back to :func:`_cell_text`.
    """
    missing = series.isna()
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").where(~missing, "").astype(object)
    if pd.api.types.is_bool_dtype(series):
        text = series.map({True: "true", False: "false"})
        return text.where(~missing, "").astype(object)
    if pd.api.types.is_integer_dtype(series):
        return series.astype("Int64").astype(str).where(~missing, "").astype(object)
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        text = [f"{v:.10g}" for v in values.tolist()]
        return pd.Series(text, index=series.index, dtype=object).where(~missing, "")
    if pd.api.types.infer_dtype(series, skipna=True) in {"string", "empty"}:
        text = series.astype(object).where(~missing, "")
        risky = _starts_like_a_formula(text)
        return text.where(~risky, "'" + text.astype(str)) if risky.any() else text
    return pd.Series([_cell_text(v) for v in series.tolist()], index=series.index, dtype=object)


def _starts_like_a_formula(text: pd.Series) -> np.ndarray:
    """Which cells of a text column (no missing cells) start with a formula trigger: the test
    ``neutralize_cell`` makes, run in Arrow (a Python call per cell took most of a large
    export's time)."""
    cells = pa.array(text.to_numpy(), type=pa.string())
    risky = np.zeros(len(text), dtype=bool)
    for trigger in FORMULA_TRIGGERS:
        risky |= pc.starts_with(cells, pattern=trigger).to_numpy(zero_copy_only=False)
    return risky


POINT_COLUMNS = ("cycle_points", "points_needed")


def round_half_up(values: pd.Series, decimals: int) -> pd.Series:
    """Half-up rounding, vectorised (pandas' ``round`` is half-to-even: 0.25 -> 0.2)."""
    scale = 10.0**decimals
    magnitude = np.floor(values.abs() * scale + 0.5 + 1e-9) / scale
    return np.sign(values) * magnitude


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Neutralized UTF-8 CSV of ``frame`` with the contract's formats; deterministic."""
    text = pd.DataFrame({c: _text_column(frame[c]) for c in frame.columns}, index=frame.index)
    text.columns = [str(neutralize_cell(str(c))) for c in frame.columns]
    if text.columns.empty:
        return text.to_csv(index=False, lineterminator="\n").encode("utf-8")
    # every cell is text now: written with the csv writer pandas' to_csv uses (same dialect:
    # ',' '"' doubled, quoted when needed), without its per-chunk conversions, which took
    # longer than the writing itself
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(text.columns))
    writer.writerows(zip(*(text[c].tolist() for c in text.columns), strict=True))
    return buffer.getvalue().encode("utf-8")


def employee_status_csv(status: pd.DataFrame) -> bytes:
    """``employee_status.csv`` bytes for these status rows (docs/data-contract.md columns, sorted
    by person)."""
    rows = status.loc[:, list(EMPLOYEE_STATUS_COLUMNS)].copy()
    for column in POINT_COLUMNS:  # points mean tenths at most: not 158.4158853
        rows[column] = round_half_up(pd.to_numeric(rows[column], errors="coerce"), 1)
    rows = rows.sort_values(["site", "employee_id", "credential"], kind="stable")
    return frame_to_csv_bytes(rows.reset_index(drop=True))
