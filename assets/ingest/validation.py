"""Quarantine: validate a canonical frame lazily with Pandera and turn failures into reject rows.

Every failure becomes one reject row naming the source file, the row number in that file, the
column, the check and the offending value as the user wrote it. A row with any failure is
rejected whole; the rest is accepted. Nothing is dropped silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandera.errors import SchemaErrors

from assets.text import arrow_of, is_text, keep_rows
from schemas.tables import ROW_CHECK_COLUMNS

from .cell_checks import safe_text
from .conformed import FILE_COLUMN, Conformed
from .labels import labels_as_text
from .pattern_checks import with_patterns_without_copy
from .readers import ROW_NUMBER

# record_key (the record's own key) comes last: columns are only ever added at the end
REJECT_COLUMNS = [
    "source",
    "source_file",
    "row_number",
    "column",
    "check",
    "value",
    "message",
    "record_key",
]


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame(
        {c: pd.Series(dtype="Int64" if c == "row_number" else object) for c in REJECT_COLUMNS}
    )


def _reject_rows(
    conformed: Conformed,
    index: pd.Index,
    column: pd.Series,
    check: pd.Series,
    value: pd.Series,
    source: str,
) -> pd.DataFrame:
    frame = conformed.frame
    rows = frame.index.get_indexer(index)

    def cells(name: str) -> np.ndarray:
        return frame[name].iloc[rows].to_numpy(dtype=object)

    # the record's key: a result's record_id within its provider, else the employee_id
    key_column = "record_id" if "record_id" in frame else "employee_id"
    rejects = pd.DataFrame(
        {
            # provider results of several providers are validated together
            "source": cells("provider") if "provider" in frame else source,
            "source_file": cells(FILE_COLUMN),
            "row_number": cells(ROW_NUMBER),
            "column": column.to_numpy(),
            "check": check.to_numpy(),
            "value": value.to_numpy(),
        }
    )
    rejects["row_number"] = rejects["row_number"].astype("Int64")
    keys = safe_text(pd.Series(cells(key_column), dtype=object))
    keys = keys.where(keys.notna(), None)
    named = (" (" + key_column + " " + keys.astype(str) + ")").where(keys.notna(), "")
    rejects["message"] = (
        rejects["source_file"]
        + " row "
        + rejects["row_number"].astype(str)
        + named
        + ", column '"
        + rejects["column"].fillna("(row)")
        + "': expected "
        + rejects["check"]
        + ", found "
        + rejects["value"].fillna("(empty)").map(repr)
    )
    rejects["record_key"] = keys.to_numpy(dtype=object)
    return rejects


def _raw_value(conformed: Conformed, index: pd.Index, columns: pd.Series) -> pd.Series:
    """The value as written in the file, so the user can find it; canonical value as fallback."""
    raw, frame = conformed.raw, conformed.frame
    rows = frame.index.get_indexer(index)
    columns = columns.to_numpy(dtype=object)
    values = np.full(len(rows), None, dtype=object)
    for column in pd.unique(columns):
        here = columns == column
        found = np.full(here.sum(), None, dtype=object)
        # the first of (raw, canonical) that has a value, written as text
        for table in (raw, frame):
            if column not in table.columns:
                continue
            cells = _cells_at(table[column], rows[here])
            fill = pd.isna(found) & cells.notna().to_numpy(dtype=bool)
            found[fill] = [str(v) for v in cells[fill]]
        values[here] = found
    return pd.Series(values, dtype=object)


def _cells_at(column: pd.Series, rows: np.ndarray) -> pd.Series:
    """The cells at positions ``rows``. A raw text column is left in one chunk per file
    (``concat_conformed``): it is read only here, for the rejected rows, so each chunk is
    asked for its own rows instead of joining the whole column first (as Arrow's take would)."""
    if not is_text(column) or arrow_of(column).num_chunks <= 1:
        return column.iloc[rows]
    chunks = arrow_of(column).chunks
    starts = np.cumsum([0, *(len(chunk) for chunk in chunks)])
    owner = np.searchsorted(starts, rows, side="right") - 1
    cells = np.full(len(rows), None, dtype=object)
    for number in np.unique(owner):
        mine = owner == number
        taken = chunks[number].take(pyarrow.array(rows[mine] - starts[number]))
        cells[mine] = taken.to_numpy(zero_copy_only=False)
    return pd.Series(cells, index=column.index[rows], dtype=object)


_CHECK_WORDING = {
    "not_nullable": "a value (the column is required)",
    "field_uniqueness": "a unique value",
}


def _wording(check: str, column: object = None) -> str:
    if check in _CHECK_WORDING:
        return _CHECK_WORDING[check]
    if check.startswith("str_matches"):
        return "a valid e-mail address"
    if check.startswith("greater_than_or_equal_to("):
        return "a value >= " + check.removeprefix("greater_than_or_equal_to(").rstrip(")")
    if check.startswith("less_than_or_equal_to(") and check.endswith(" 00:00:00)"):
        day = check.removeprefix("less_than_or_equal_to(").removesuffix(" 00:00:00)")
        return f"a date on or before the run date {day}"
    if check.startswith("less_than_or_equal_to("):
        return "a value <= " + check.removeprefix("less_than_or_equal_to(").rstrip(")")
    if check.startswith("isin(") and column == "credential":
        known = check.removeprefix("isin(").rstrip(")").strip("[]").replace("'", "")
        return "a known credential, one of " + known
    if check.startswith("isin("):
        return "a known module, one of " + check.removeprefix("isin(").rstrip(")")
    if check.startswith("in_range("):
        return "a value in range " + check.removeprefix("in_range")
    return check


def quarantine(
    conformed: Conformed, schema: pa.DataFrameSchema, source: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a conformed frame into (accepted rows, reject rows).

    The conformed frame's columns move into the accepted rows (``conformed.frame`` is left
    empty), so a source's rows are never held twice."""
    rejected, rejects = find_rejects(conformed, schema, source)
    return labels_as_text(keep_rows(conformed.frame, ~rejected, release=True)), rejects


def find_rejects(
    conformed: Conformed, schema: pa.DataFrameSchema, source: str
) -> tuple[np.ndarray, pd.DataFrame]:
    """(rejected: True on every row with a failure, reject rows), the frame left as it is.

    The intake removes rejected and de-duplicated rows in one pass (``dedup.deduplicate``'s
    ``considered``): each removal copies every kept cell, and at a million employees one copy
    of the week's rows is seconds of work and a gigabyte of fresh memory."""
    frame = conformed.frame
    parts = []
    rejected = pd.Series(False, index=frame.index)
    parse_cells: set[tuple[object, str]] = set()
    for failure in conformed.parse_failures:
        mask = failure.mask
        if not mask.index.equals(frame.index):
            mask = mask.reindex(frame.index, fill_value=False)
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            continue
        idx = frame.index[mask]
        columns = pd.Series([failure.column] * len(idx))
        checks = pd.Series([failure.expected] * len(idx))
        if failure.shown is not None:
            values = pd.Series(failure.shown[mask.to_numpy()], dtype=object)
        else:
            values = _raw_value(conformed, idx, columns)
        parts.append(_reject_rows(conformed, idx, columns, checks, values, source))
        rejected |= mask
        parse_cells.update((i, failure.column) for i in idx)

    # Pandera's default (inplace=False) deep-copies the frame first: at 1M that was every
    # number and date column copied, seconds of fresh memory. The models coerce nothing, so a
    # shallow view is validated instead, with the label columns (codes, labels.py) as the text
    # the models declare; the caller's frame is not touched. Only the labels a model declares
    # (``provider``) are decoded: the models are not strict, so Pandera never reads the file
    # column, and decoding it was a text copy of the file name on every row (at 1M, 5M rows).
    view = labels_as_text(frame.copy(deep=False), only=schema.columns)
    try:
        # the e-mail patterns without a copy of the column (pattern_checks.py): same failures
        with_patterns_without_copy(schema).validate(view, lazy=True, inplace=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        cases = cases[cases["index"].notna()].copy()
        cases["index"] = cases["index"].astype(frame.index.dtype)
        if parse_cells:
            # a cell that did not parse is now missing: do not report it again as "required"
            pairs = zip(cases["index"], cases["column"], strict=True)
            cases = cases[[(i, c) not in parse_cells for i, c in pairs]]
        row_level = cases["schema_context"] == "DataFrameSchema"
        cases.loc[row_level, "column"] = cases.loc[row_level, "check"].map(ROW_CHECK_COLUMNS)
        cases = cases.drop_duplicates(subset=["index", "column", "check"])
        if not cases.empty:
            idx = pd.Index(cases["index"])
            columns = cases["column"].reset_index(drop=True)
            checks = pd.Series(
                [
                    _wording(check, column)
                    for check, column in zip(
                        cases["check"].astype(str), cases["column"], strict=True
                    )
                ],
                dtype=object,
            )
            values = _raw_value(conformed, idx, columns)
            parts.append(_reject_rows(conformed, idx, columns, checks, values, source))
            rejected |= frame.index.isin(idx)
    rejects = pd.concat(parts, ignore_index=True) if parts else empty_rejects()
    rejects = rejects.sort_values(
        ["source_file", "row_number", "column"], kind="stable", na_position="last"
    ).reset_index(drop=True)
    return rejected.to_numpy(dtype=bool), rejects
