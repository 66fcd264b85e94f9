"""Reading text columns whatever their storage: numpy objects or Arrow strings.

The ingestion stage hands over Arrow-backed text (``pd.ArrowDtype(pa.string())``); tests and
notebooks often use plain object columns. Turning millions of Arrow strings into Python objects
costs more than the rules themselves, so text stays in Arrow where it is Arrow, and lookups and
takes run in Arrow's kernels.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def is_arrow_text(column: pd.Series) -> bool:
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(
            dtype.pyarrow_dtype
        )
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def arrow_text(column: pd.Series) -> pa.Array:
    """The column as one Arrow string array (nulls where missing)."""
    if is_arrow_text(column):
        array = pa.array(column.array)
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        return array.cast(pa.string())
    values = column.to_numpy(dtype=object)
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # numbers among the text: spell them out
        missing = pd.isna(values)
        return pa.array(np.where(missing, None, values.astype(str)), type=pa.string())


def take_objects(column: pd.Series, rows: np.ndarray) -> np.ndarray:
    """Object values of ``column`` at positions ``rows`` (for the few rows that need Python)."""
    return np.asarray(column.array.take(rows).to_numpy(dtype=object), dtype=object)


def positions_in(values: pd.Series, keys: pa.Array, index: Callable[[], pd.Index]) -> np.ndarray:
    """Position of each value among unique ``keys``; -1 where absent or missing.

    Arrow text is looked up with Arrow's hash kernel; anything else with ``index()`` (the same
    keys as a pandas index, built only when needed).
    """
    if is_arrow_text(values):
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
