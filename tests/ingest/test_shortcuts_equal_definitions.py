"""The read's and the validation's shortcuts give what their plain definitions give: a source's
columns joined on threads (``conformed._join_columns``), the e-mail pattern matched in row
ranges on threads (``pattern_checks``), CSVs without quotes read without looking for quoted
line breaks (``readers._may_quote``), pass words looked up as codes (``words_to_boolean``),
the required-column check renaming only the header (``file_intake._missing_columns``) and the
trim test on cells' first and last bytes (``text._needs_trim``), on awkward data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from assets.ingest import conformed, pattern_checks, readers
from assets.ingest.cell_parsing import words_to_boolean
from assets.ingest.file_checks import ROSTER_ADVICE
from assets.ingest.file_intake import _missing_columns
from assets.ingest.labels import file_label
from assets.ingest.snapshot import UnreadableFile
from assets.text import TEXT, arrow_of, by_distinct, text_series, trim_to_null
from schemas.tables import EMAIL_PATTERN


def _chunked(values: list, chunks: int, index: pd.Index) -> pd.Series:
    size = max(1, -(-len(values) // chunks))
    pieces = [pa.array(values[i : i + size], pa.string()) for i in range(0, len(values), size)]
    return text_series(pa.chunked_array(pieces, pa.string()), index)


def _file(n: int, rows: int, *, with_score: bool = True) -> pd.DataFrame:
    """One file's frame as a conformer leaves it: chunked text with missing cells, a label,
    numbers, dates, nullable booleans, an object column, and sometimes a column missing."""
    index = pd.RangeIndex(rows)
    frame = pd.DataFrame(index=index)
    frame["_file"] = file_label(f"providers/p/{n}.csv", index)
    frame["record_id"] = _chunked([f"R{n}-{i}" if i % 4 else None for i in range(rows)], 3, index)
    if with_score:
        frame["score"] = np.arange(rows, dtype=float) / 2
    frame["when"] = pd.Series(pd.date_range("2025-01-01", periods=rows), index=index)
    frame["passed"] = pd.array([True, None, False] * (rows // 3) + [True] * (rows % 3), "boolean")
    frame["note"] = pd.Series([None if i % 2 else f"n{i}" for i in range(rows)], dtype=object)
    frame["_row"] = np.arange(2, rows + 2, dtype=np.int64)
    return frame


def test_columns_joined_on_threads_equal_a_whole_frame_concat(monkeypatch):
    monkeypatch.setattr(conformed, "JOIN_THREADS", 3)
    sizes = [5, 1, 7, 4]
    frames = [_file(n, rows, with_score=n != 1) for n, rows in enumerate(sizes)]
    offset = 0
    for frame in frames:  # as concat_conformed numbers the files' rows
        frame.index = pd.RangeIndex(offset, offset + len(frame))
        offset += len(frame)
    expected = pd.concat([f.copy() for f in frames])

    joined = conformed._join_columns(frames)

    assert all(f.columns.empty for f in frames)  # each file's columns were taken out
    assert list(joined.columns) == list(expected.columns)
    assert joined.index.equals(expected.index)
    for column in joined.columns:
        if column == "_file":  # labels stay codes: the same names row by row
            assert isinstance(joined[column].dtype, pd.CategoricalDtype)
            assert joined[column].astype(str).tolist() == expected[column].astype(str).tolist()
            continue
        assert joined[column].dtype == expected[column].dtype, column
        pd.testing.assert_series_equal(joined[column], expected[column])
    assert arrow_of(joined["record_id"]).num_chunks == 1  # one array per text column
    assert joined["score"].isna().tolist() == [False] * 5 + [True] + [False] * 11


@pytest.mark.parametrize("rows", [0, 1, 2, 7, 70])
def test_pattern_matched_in_row_ranges_on_threads_equals_one_pass(monkeypatch, rows):
    monkeypatch.setattr(pattern_checks, "MATCH_THREADS", 3)
    monkeypatch.setattr(pattern_checks, "MIN_ROWS_PER_THREAD", 1)
    cells = ["ann@acme.example", None, "not-an-email", "", "x y@a.b", "zoë@bücher.de", "a@b@c.de"]
    values = [cells[i % len(cells)] for i in range(rows)]
    column = _chunked(values, 4, pd.RangeIndex(10, 10 + rows))
    got = pattern_checks.matches_pattern(column, EMAIL_PATTERN)
    by_pandas = column.str.match(EMAIL_PATTERN)  # Arrow's kernel over the whole column
    expected = [v is None or bool(m) for v, m in zip(values, by_pandas, strict=True)]
    assert got.tolist() == expected
    assert got.index.equals(column.index)
    assert got.dtype == bool


NO_QUOTES = "id,name,when\r\n1, Ann ,2025-01-02\r\n\r\n2,,03/04/2025\r\n3,Zoë,\r\n4,Lee,x"


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "latin-1"])
def test_csv_without_quotes_reads_as_pandas_reads_it(encoding):
    data = NO_QUOTES.encode(encoding)
    assert not readers._may_quote(data, encoding)  # the quick route is taken
    fast = readers.read_csv(data, label="f.csv", encoding=encoding)
    slow = readers._read_csv_pandas(
        data, label="f.csv", encoding=encoding, delimiter=",", skip_rows=0, advice=None
    )
    assert fast.drop(columns="_row").astype(object).where(fast.notna(), None).values.tolist() == (
        slow.astype(object).where(slow.notna(), None).values.tolist()
    )
    assert fast["_row"].tolist() == [2, 3, 4, 5]  # the blank line skipped, as pandas does


def test_a_quote_or_an_unusual_encoding_keeps_the_careful_reading():
    quoted = b'id,name\n1,"two\nlines"\n'
    assert readers._may_quote(quoted, "utf-8")
    frame = readers.read_csv(quoted, label="f.csv")
    assert frame["name"].tolist() == ["two\nlines"] and frame["_row"].tolist() == [2]
    for encoding in ("utf-16", "utf-8-sig", "cp500", "shift_jis", "no-such-codec"):
        assert readers._may_quote(b"id\n1\n", encoding), encoding


def test_pass_words_as_codes_equal_looking_up_every_cell():
    words = {"pass": True, "passed": True, "fail": False}
    columns = [
        pd.Series(["PASS", None, "Fail", "x", "pass", "Passed", ""], dtype=TEXT),
        pd.Series([None, None], dtype=TEXT),
        pd.Series([], dtype=TEXT),
        pd.Series(["PASS", 1.0, np.nan, "FAIL", True], dtype=object),
        pd.Series(["fail", "FAIL"], dtype=TEXT, index=[5, 7]),
    ]
    for values in columns:
        looked_up = by_distinct(
            values, lambda u: u.str.casefold().map(words).to_numpy(dtype=object), None
        )
        expected = pd.Series(looked_up, index=values.index, dtype=object).astype("boolean")
        pd.testing.assert_series_equal(words_to_boolean(values, words), expected)
    got = words_to_boolean(columns[0], words)
    assert got.tolist() == [True, pd.NA, False, pd.NA, True, True, pd.NA]


def test_present_columns_pass_and_a_missing_one_is_still_named():
    raw = pd.DataFrame({"Employee_ID": ["E1"], " site": ["A"], "_row": [2]})
    _missing_columns(raw, {"employee_id": "employee_id"}, "roster/r.csv", ",", ROSTER_ADVICE)
    with pytest.raises(UnreadableFile) as raised:
        _missing_columns(
            raw,
            {"employee_id": "employee_id", "hire": "hire_date"},
            "roster/r.csv",
            ",",
            ROSTER_ADVICE,
        )
    assert str(raised.value).startswith("roster/r.csv: missing required column(s) 'hire_date' (")
    assert str(raised.value).endswith("found 'Employee_ID', ' site'")
    assert list(raw.columns) == ["Employee_ID", " site", "_row"]  # the file's frame untouched


def test_trim_ignores_the_bytes_under_a_missing_cell():
    """A missing cell may keep bytes in the buffer (Arrow does not clear them): they are not
    a cell's, so they neither need trimming nor come back."""
    data = pa.py_buffer(b" xE1E2 ")
    offsets = pa.array([0, 2, 4, 6, 7], pa.int32()).buffers()[1]
    validity = pa.array([False, True, True, False]).buffers()[1]
    array = pa.Array.from_buffers(pa.string(), 4, [validity, offsets, data], null_count=2)
    assert array.to_pylist() == [None, "E1", "E2", None]
    trimmed = trim_to_null(pd.Series(pd.arrays.ArrowExtensionArray(array)))
    assert trimmed.tolist()[1:3] == ["E1", "E2"] and trimmed.isna().tolist() == [
        True,
        False,
        False,
        True,
    ]
    assert arrow_of(trimmed).chunks[0].buffers()[2].address == data.address  # not copied
