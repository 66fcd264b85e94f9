"""Text columns for every stage: pyarrow-backed strings, trimmed, folded, looked up and joined
without a Python call per row.

The ingestion stage reads text as Arrow strings (``pd.ArrowDtype(pa.string())``) and hands it on
to the certification engine; tests and notebooks often use plain object columns, so the readers
here accept both. Millions of cells as Python ``str`` objects cost gigabytes and a Python call
per cell for every ``strip``/``notna``; Arrow strings cost bytes and run in C. Where exact Python
semantics matter (``str.strip``'s idea of whitespace, ``str.casefold``, pandas' date and number
parsing), the work is done once per *distinct* value and spread back by index: names, dates,
modules and scores repeat a lot, so the Python part stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT = pd.ArrowDtype(pa.string())

# Exactly the characters Python's str.strip() removes (every c with c.isspace(); a test keeps
# this in step with the running Python). Arrow's own notion of whitespace differs slightly.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def is_text(values: pd.Series) -> bool:
    """An Arrow-backed string column (as the readers produce, or pandas' pyarrow strings)."""
    dtype = values.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(
            dtype.pyarrow_dtype
        )
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def arrow_of(values: pd.Series) -> pa.ChunkedArray:
    """The Arrow data under a text column (no copy unless stored as large strings)."""
    array = pa.array(values.array)  # the Arrow protocol hands over the data itself
    array = array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
    return array.cast(pa.string()) if pa.types.is_large_string(array.type) else array


def arrow_text(column: pd.Series) -> pa.Array:
    """The column as one Arrow string array (nulls where missing), whatever its storage."""
    if is_text(column):
        return arrow_of(column).combine_chunks()
    values = column.to_numpy(dtype=object)
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers among the text: spell them out
        missing = pd.isna(values)
        return pa.array(np.where(missing, None, values.astype(str)), type=pa.string())


def text_series(values: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    if pa.types.is_large_string(values.type):
        values = values.cast(pa.string())
    return pd.Series(pd.arrays.ArrowExtensionArray(values), index=index, copy=False)


def contiguous(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text column as one Arrow array instead of a chunk per file and block.

    Arrow takes rows from a many-chunk column by first concatenating all its chunks — on every
    take, even of three rows: over millions of rows the repeated copy costs far more than the
    work (issue #14 measured it growing faster than the rows). One copy here, once.
    """
    for column in frame.columns:
        if is_text(frame[column]):
            array = arrow_of(frame[column])
            if array.num_chunks > 1:
                frame[column] = text_series(array.combine_chunks(), frame.index)
    return frame


def same_data(first: pd.Series, second: pd.Series) -> bool:
    """Both columns hold the very same Arrow data (one was assigned from the other): the same
    buffers in memory, not merely equal values."""
    if not (is_text(first) and is_text(second)):
        return False
    a, b = arrow_of(first), arrow_of(second)
    if len(a) != len(b) or a.num_chunks != b.num_chunks:
        return False
    return all(
        x.offset == y.offset and _addresses(x) == _addresses(y)
        for x, y in zip(a.chunks, b.chunks, strict=True)
    )


def _addresses(array: pa.Array) -> list[int | None]:
    return [buffer.address if buffer is not None else None for buffer in array.buffers()]


def keep_rows(frame: pd.DataFrame, keep: np.ndarray, *, release: bool = False) -> pd.DataFrame:
    """The rows of ``frame`` where ``keep`` is True; the frame itself when that is every row.

    Arrow columns are filtered with Arrow's filter kernel; pandas' ``frame[mask]`` turns the
    mask into positions and takes them, slower on text. ``release``: each column is dropped from
    ``frame`` once filtered, so that at most one column is held twice rather than the whole
    table (``frame`` is left empty: for a caller that is done with it).
    """
    keep = np.asarray(keep, dtype=bool)
    if keep.all():
        return frame
    selector = pa.array(keep)
    index = frame.index[keep]
    columns = {}
    for column in list(frame.columns):
        values = frame.pop(column) if release else frame[column]
        if isinstance(values.dtype, pd.ArrowDtype):
            columns[column] = pd.arrays.ArrowExtensionArray(pa.array(values.array).filter(selector))
        else:
            columns[column] = values.array[keep]
    return pd.DataFrame(columns, index=index, copy=False)


def repeated(value: str, index: pd.Index) -> pd.Series:
    """One text value on every row (provider, file name), without a Python object per row."""
    return text_series(pa.repeat(pa.scalar(value, pa.string()), len(index)), index)


def empty_text(index: pd.Index) -> pd.Series:
    return text_series(pa.nulls(len(index), pa.string()), index)


def to_text(values: pd.Series) -> pd.Series:
    """Object strings (or missing) as an Arrow text column."""
    if is_text(values):
        return values
    array = pa.array(values.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    return text_series(array, values.index)


def trim_to_null(values: pd.Series) -> pd.Series:
    """Surrounding whitespace removed (as ``str.strip``), blank cells missing.

    Most columns need no trimming at all: they are then kept as they are, with empty cells
    marked missing in place (no copy of the text: at a million employees every copy of the
    week's text is a gigabyte of fresh memory the kernel must zero first)."""
    array = arrow_of(values)
    if not any(_needs_trim(chunk) for chunk in array.chunks):
        return text_series(null_where_empty(array), values.index)
    trimmed = pc.utf8_trim(array, characters=PY_WHITESPACE)
    blank = pc.equal(pc.utf8_length(trimmed), 0)
    return text_series(pc.if_else(blank, pa.scalar(None, pa.string()), trimmed), values.index)


def _byte_table(ascii_spaces: bool, others: list[int]) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    if ascii_spaces:
        table[[ord(c) for c in PY_WHITESPACE if ord(c) < 128]] = True
    table[others] = True
    return table


# A cell can only start with whitespace if its first byte is an ASCII space or the lead byte
# of a non-ASCII one (U+0085 and U+00A0: C2; U+1680: E1; U+2000-U+205F: E2; U+3000: E3), and
# end with it if its last byte is an ASCII space or the last byte of one of those.
_MAY_START_SPACE = _byte_table(True, [0xC2, 0xE1, 0xE2, 0xE3])
_MAY_END_SPACE = _byte_table(True, [*range(0x80, 0x8B), 0x85, 0x9F, 0xA0, 0xA8, 0xA9, 0xAF])


def _string_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, data) of a string array, as numpy views of its own buffers."""
    _, offsets, data = chunk.buffers()
    if offsets is None:  # an empty array
        return np.zeros(len(chunk) + 1, dtype=np.int32), np.zeros(0, dtype=np.uint8)
    offsets = np.frombuffer(offsets, dtype=np.int32)[chunk.offset : chunk.offset + len(chunk) + 1]
    if data is None:
        return offsets, np.zeros(0, dtype=np.uint8)
    return offsets, np.frombuffer(data, dtype=np.uint8)


def _needs_trim(chunk: pa.Array) -> bool:
    """Some cell starts or ends with whitespace (or is only whitespace). Read from each cell's
    first and last byte; the few cells those bytes cannot clear are asked ``str.strip``."""
    if pa.types.is_large_string(chunk.type):
        return True
    offsets, data = _string_buffers(chunk)
    if len(data) == 0:  # every cell empty or missing: nothing to trim
        return False
    starts, ends = offsets[:-1], offsets[1:]
    # Every cell's first and last byte in one gather each, empty cells included (their bytes,
    # clipped into the buffer, belong to a neighbour and are masked out after): selecting the
    # filled cells first took three more passes over the column (at a million employees 70M
    # cells, 2.3 s of the read's samples; now about 0.08 s per 10M cells).
    suspect = _MAY_START_SPACE.take(data.take(starts, mode="clip"))
    suspect |= _MAY_END_SPACE.take(data.take(ends - 1, mode="clip"))
    suspect &= ends > starts
    if not suspect.any():
        return False
    cells = chunk.take(pa.array(np.flatnonzero(suspect))).to_pylist()
    return any(cell is not None and cell != cell.strip() for cell in cells)


def null_where_empty(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """Empty strings marked missing, keeping the text's own buffers (only a new validity
    bitmap is made)."""
    chunks = []
    for chunk in array.chunks:
        offsets, _ = _string_buffers(chunk)
        present = np.diff(offsets) > 0
        if chunk.null_count:
            present &= chunk.is_valid().to_numpy(zero_copy_only=False)
        missing = len(chunk) - int(present.sum())
        if missing == chunk.null_count:
            chunks.append(chunk)
        elif chunk.offset:  # a slice: its bitmap would need shifting; let Arrow copy it
            blank = pc.equal(pc.binary_length(chunk), 0)
            chunks.append(pc.if_else(blank, pa.scalar(None, pa.string()), chunk))
        else:
            bitmap = pa.array(present).buffers()[1]
            chunks.append(
                pa.Array.from_buffers(
                    chunk.type, len(chunk), [bitmap, *chunk.buffers()[1:]], null_count=missing
                )
            )
    return pa.chunked_array(chunks, type=array.type)


def by_distinct(values: pd.Series, func: Callable[[pd.Series], object], fill: object) -> np.ndarray:
    """``func`` applied to each distinct value once; ``fill`` where ``values`` is missing.

    ``func`` takes and returns a Series of the distinct values (same order).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    distinct = pd.Series(uniques)
    if is_text(distinct):
        distinct = distinct.astype(object)  # the same Python strings the old per-row code saw
    result = np.asarray(func(distinct))
    # the missing-value sentinel -1 picks the appended fill value
    return np.append(result, np.array([fill], dtype=result.dtype))[codes]


def map_text(values: pd.Series, func: Callable[[str], str | None]) -> pd.Series:
    """A text column with ``func`` applied once per distinct value (missing stays missing)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    mapped = pa.array([func(u) for u in uniques.tolist()], type=pa.string())
    indices = pa.array(codes, mask=codes < 0, type=pa.int64())
    return text_series(mapped.take(indices), values.index)


def casefold(values: pd.Series) -> pd.Series:
    """``str.casefold`` of every cell; ASCII-only columns fold in C (same result there)."""
    values = to_text(values)
    array = arrow_of(values)
    if pc.all(pc.string_is_ascii(array)).as_py() is not False:
        return text_series(pc.ascii_lower(array), values.index)
    return map_text(values, str.casefold)


def is_in(values: pd.Series, candidates: pd.Series | pd.Index | pa.Array) -> np.ndarray:
    """A numpy mask: the cell is one of the (non-missing) candidates; missing cells are not."""
    if isinstance(candidates, pa.Array | pa.ChunkedArray):  # as is: no Python str per key
        pool = candidates.cast(pa.string())
    else:
        pool = arrow_of(to_text(pd.Series(candidates)))
    # Arrow's set lookup takes repeated candidates as they are: taking the distinct ones first
    # was one more pass, 0.5-1 s per call over a million roster ids
    pool = pc.drop_null(pool)
    hits = pc.is_in(arrow_of(to_text(values)), value_set=pool)
    return pc.fill_null(hits, False).to_numpy(zero_copy_only=False)


def as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as Python strings (None when missing), for small tables built by hand."""
    return frame.assign(
        **{
            c: pd.Series(frame[c].to_numpy(dtype=object, na_value=None), index=frame.index)
            for c in frame.columns
            if is_text(frame[c])
        }
    )


def map_by_kind(values: Sequence, func: Callable[[object], object]) -> np.ndarray:
    """``func`` once per distinct (type, value) of a column of mixed Python values.

    Values are grouped by exact type first: pandas would otherwise merge 1, 1.0 and True. NaN
    (a blank cell) stays NaN.
    """
    values = np.asarray(values, dtype=object)
    out = np.full(len(values), np.nan, dtype=object)
    kinds, kind_list = pd.factorize(np.fromiter(map(type, values), dtype=object, count=len(values)))
    for code, kind in enumerate(kind_list):
        where = np.flatnonzero(kinds == code)
        if kind is float:
            where = where[~np.isnan(values[where].astype(float))]
        codes, uniques = pd.factorize(values[where], use_na_sentinel=True)
        mapped = np.empty(len(uniques) + 1, dtype=object)
        mapped[:-1] = [func(u) for u in np.asarray(uniques, dtype=object)]
        mapped[-1] = np.nan
        out[where] = mapped[codes]
    return out


def take_objects(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """Object values of ``column`` at positions ``rows`` (for the few rows that need Python)."""
    return np.asarray(column.array.take(rows).to_numpy(dtype=object), dtype=object)


def positions_in(values: pd.Series, keys: pa.Array, index: Callable[[], pd.Index]) -> np.ndarray:
    """Position of each value among unique ``keys``; -1 where absent or missing.

    Arrow text is looked up with Arrow's hash kernel; anything else with ``index()`` (the same
    keys as a pandas index, built only when needed).
    """
    if is_text(values):
        found = pc.index_in(arrow_text(values), value_set=keys)
        return np.asarray(pc.fill_null(found, -1), dtype=np.int64)
    if values.dtype == object:  # skip pandas' type inference over millions of values
        return index().get_indexer(pd.Index(values.to_numpy(), dtype=object))
    return index().get_indexer(pd.Index(values))


def after_present(present: np.ndarray) -> np.ndarray:
    """Per row and column: some earlier column of the row is present (so this one needs a ``;``
    before it when the row's present values are joined)."""
    later = np.zeros_like(present)
    later[:, 1:] = np.logical_or.accumulate(present, axis=1)[:, :-1]
    return later
