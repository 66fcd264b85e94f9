"""Raw cells to typed values: text trimmed, dates, numbers and words parsed.

Text stays Arrow-backed (``assets/text.py``); dates, numbers and words are parsed once per
distinct value with the same pandas/Python functions as always, so results do not change. A
cell that does not parse becomes missing; the conformers report it (``conformed.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.text import by_distinct, empty_text, is_text, map_by_kind, to_text, trim_to_null

ISO_DATE = "%Y-%m-%d"


def clean_text(values: pd.Series) -> pd.Series:
    """Strip surrounding spaces; blank becomes missing; Excel integers lose their '.0'."""
    if is_text(values):
        return trim_to_null(values)
    if values.dtype == object:
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind == "empty":
            return empty_text(values.index)
        if kind != "string":  # an Excel column of mixed kinds: once per distinct cell
            written = map_by_kind(values.to_numpy(dtype=object), _cell_to_text)
            values = pd.Series(written, index=values.index, dtype=object)
        return trim_to_null(to_text(values))
    # an Excel column of numbers or dates: each distinct value written once
    written = by_distinct(values, lambda u: u.map(_cell_to_text).to_numpy(dtype=object), None)
    return trim_to_null(to_text(pd.Series(written, index=values.index)))


def _cell_to_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.strftime(ISO_DATE)
    return str(value)


def _parse_date_text(values: pd.Series, date_format: str) -> pd.Series:
    """Text cells in ``date_format``, each distinct text parsed once."""

    def parse(distinct: pd.Series) -> np.ndarray:
        parsed = pd.to_datetime(distinct.str.strip(), format=date_format, errors="coerce")
        return parsed.to_numpy(dtype="datetime64[ns]")

    return pd.Series(
        by_distinct(values, parse, np.datetime64("NaT", "ns")),
        index=values.index,
        dtype="datetime64[ns]",
    )


def parse_dates(values: pd.Series, date_format: str) -> pd.Series:
    """Text in ``date_format``; real dates from Excel are taken as they are."""
    if is_text(values):
        return _parse_date_text(values, date_format)
    if values.dtype.kind == "f":  # Excel numbers in a date column: as written, then as text
        return _parse_date_text(clean_text(values), date_format)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in {"datetime", "datetime64", "date"}:
        return pd.to_datetime(values, errors="coerce").dt.normalize()
    if kind == "string" or kind == "empty":
        return pd.to_datetime(values.str.strip(), format=date_format, errors="coerce")
    is_date = map_by_kind(
        values.to_numpy(dtype=object), lambda v: isinstance(v, pd.Timestamp | np.datetime64)
    )
    is_date = pd.Series(is_date, index=values.index, dtype="boolean").fillna(False).astype(bool)
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    parsed[is_date] = pd.to_datetime(values[is_date], errors="coerce").dt.normalize()
    text = ~is_date & values.notna()
    parsed[text] = pd.to_datetime(
        values[text].astype(str).str.strip(), format=date_format, errors="coerce"
    )
    return parsed


def _parse_number_objects(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip().str.rstrip("%")
    return pd.to_numeric(text, errors="coerce").astype(float)


def parse_numbers(values: pd.Series) -> pd.Series:
    """Plain numbers; a trailing '%' is tolerated (then the number is already a percentage)."""
    if is_text(values):  # scores and hours repeat: each distinct text parsed once
        numbers = by_distinct(values, lambda u: _parse_number_objects(u).to_numpy(), np.nan)
        return pd.Series(numbers, index=values.index, dtype=float)
    if values.dtype == object:
        return _parse_number_objects(values)
    return pd.to_numeric(values, errors="coerce").astype(float)


def present_or_missing(raw: pd.Series, clean: pd.Series) -> pd.Series:
    """What to parse: the cleaned text for text cells, else the typed cell where not blank."""
    return clean if is_text(raw) else raw.where(clean.notna())


def words_to_boolean(values: pd.Series, words: dict[str, bool]) -> pd.Series:
    """Case-insensitive words to a nullable boolean; other words become missing."""
    # each distinct word looked up once, as a code (1 true, 0 false, -1 not a known word) from
    # which the nullable booleans are built in C: an object column of True/False/None turned
    # into booleans cell by cell cost 0.7 s of the read at a million employees
    codes = by_distinct(values, lambda u: _word_codes(u.str.casefold().map(words)), -1)
    booleans = pd.arrays.BooleanArray(codes == 1, codes < 0)
    return pd.Series(booleans, index=values.index, copy=False)


def _word_codes(looked_up: pd.Series) -> np.ndarray:
    known = looked_up.notna().to_numpy(dtype=bool)
    truth = looked_up.where(known, False).astype(bool).to_numpy(dtype=bool)
    return np.where(known, truth.astype(np.int8), np.int8(-1))
