"""The shared text helpers (assets/text.py): the speed machinery gives what plain pandas gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from assets.text import TEXT, arrow_of, contiguous, is_in, keep_rows, same_data, text_series


def _chunked_text(values: list[str | None], pieces: int, start: int = 0) -> pd.Series:
    """An Arrow text column in several chunks, as files and read blocks concatenate."""
    parts = np.array_split(np.arange(len(values)), pieces)
    chunks = [pa.array([values[i] for i in part], type=pa.string()) for part in parts]
    return text_series(pa.chunked_array(chunks), pd.RangeIndex(start, start + len(values)))


def _frame() -> pd.DataFrame:
    n = 9
    return pd.DataFrame(
        {
            "record_id": _chunked_text([f"R{i}" if i != 4 else None for i in range(n)], 3, 10),
            "score": np.arange(n, dtype=float),
            "assessment_date": pd.date_range("2025-01-01", periods=n),
            "passed": pd.array([True, False, None] * 3, dtype="boolean"),
            "_row": pd.array(range(2, 2 + n), dtype="Int64"),
        },
        index=pd.RangeIndex(10, 10 + n),
    )


def test_keep_rows_keeps_what_a_boolean_mask_keeps():
    keep = np.array([True, False, True, True, False, True, True, False, True])
    expected = _frame()[keep]
    kept = keep_rows(_frame(), keep)
    pd.testing.assert_frame_equal(kept, expected)
    assert kept.index.tolist() == [10, 12, 13, 15, 16, 18]


def test_keep_rows_releasing_leaves_the_source_empty_and_every_row_kept_is_the_same_frame():
    frame = _frame()
    keep = np.array([True] * 8 + [False])
    kept = keep_rows(frame, keep, release=True)
    assert list(frame.columns) == []  # nothing of the source is held twice
    assert kept["record_id"].tolist()[-1] == "R7"
    everything = _frame()
    assert keep_rows(everything, np.ones(9, dtype=bool), release=True) is everything
    assert len(everything.columns) == 5


def test_contiguous_makes_one_chunk_per_text_column_with_the_same_values():
    frame = _frame()
    values = frame["record_id"].tolist()
    assert arrow_of(frame["record_id"]).num_chunks == 3
    contiguous(frame)
    assert arrow_of(frame["record_id"]).num_chunks == 1
    assert frame["record_id"].tolist() == values
    assert frame["record_id"].dtype == TEXT


def test_same_data_tells_an_assigned_column_from_an_equal_copy():
    column = _chunked_text(["a", "b"], 2)
    frame = pd.DataFrame(index=column.index)
    frame["x"] = column
    assert same_data(frame["x"], column)
    assert not same_data(_chunked_text(["a", "b"], 2), column)
    assert not same_data(column.astype(object), column)


def test_is_in_with_arrow_keys_answers_as_with_a_series_of_keys():
    values = pd.Series(["E1", None, "E3", "E9"], dtype=TEXT)
    keys = pa.array(["E3", "E1", None], type=pa.string())
    from_arrow = is_in(values, keys)
    from_series = is_in(values, pd.Series(["E3", "E1", None], dtype=object))
    assert from_arrow.tolist() == from_series.tolist() == [True, False, True, False]
