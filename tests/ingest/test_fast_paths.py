"""The fast (Arrow, calamine, once-per-distinct-value) paths read exactly what pandas reads."""

from __future__ import annotations

import datetime as dt
import random
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import xlsxwriter

from assets.ingest import readers
from assets.ingest.cell_parsing import clean_text, parse_dates, parse_numbers
from assets.ingest.names import fold_name
from assets.text import PY_WHITESPACE, TEXT, arrow_of, casefold, map_by_kind, trim_to_null

TRICKY_CSV = (
    "id,name,score,when\n"
    '1,"Lee, Ann", 80% ,03/04/2025\n'
    '2,"two\nlines",,"  "\n'
    "3,\u00a0Zoë\u2003,1e2,3/4/2025\n"
    '4,"",abc,02/30/2025\n'
    "\n"
    "5,  x  ,0.5,12/31/2024\n"
)


def _objects(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def test_python_whitespace_constant_matches_this_python():
    assert set(PY_WHITESPACE) == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


def test_arrow_csv_reader_matches_pandas(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text(TRICKY_CSV, encoding="utf-8")
    data = path.read_bytes()
    fast = readers.read_csv(data, label="f.csv")
    slow = readers._read_csv_pandas(
        data, label="f.csv", encoding="utf-8", delimiter=",", skip_rows=0, advice=None
    )
    slow["_row"] = range(2, 2 + len(slow))
    assert all(fast[c].dtype == TEXT for c in fast.columns if c != "_row")
    pd.testing.assert_frame_equal(_objects(fast), _objects(slow), check_dtype=False)


def test_ragged_csv_falls_back_to_pandas(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a,b,c\n1,2\n3,4,5\n", encoding="utf-8")
    frame = readers.read_csv(path.read_bytes(), label="f.csv")
    assert _objects(frame.drop(columns="_row")).values.tolist() == [
        ["1", "2", None],
        ["3", "4", "5"],
    ]


def _workbook(path):
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["a title"])
    sheet.write_row(1, 0, ["ID", "Name", "When", "Score", "Note"])
    rows = [
        ["A1", " Lee, Ann ", dt.datetime(2024, 5, 1), 0.8, "NA"],
        ["A2", "Núñez, José", "2024-05-02", 1.0, "  "],
        [None, None, None, None, None],  # a blank row keeps its sheet row number
        ["A3", "x", dt.datetime(2024, 5, 3, 13, 30), "85%", "null"],
        ["A4", "y", 45000.0, 7.0, "ok"],
    ]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(i, j, value, date_fmt)
            else:
                sheet.write(i, j, value)
    book.close()


def test_calamine_reader_reads_what_pandas_read(tmp_path):
    path = tmp_path / "g.xlsx"
    _workbook(path)
    fast = readers.read_xlsx(path.read_bytes(), label="g.xlsx", sheet="S", skip_rows=1)
    # the old route: pandas' read_excel, then the same blank handling
    slow = readers._read_xlsx_pandas(path.read_bytes(), label="g.xlsx", sheet="S", skip_rows=1)
    for column in slow.columns:
        values = slow[column]
        slow[column] = values.where(values.notna() & (values.astype(str).str.strip() != ""))
    slow = slow.dropna(how="all")
    slow["_row"] = slow.index.to_numpy() + 3
    slow = slow.reset_index(drop=True)
    assert fast["_row"].tolist() == slow["_row"].tolist() == [3, 4, 6, 7]
    for column in ("ID", "Name", "When", "Score", "Note"):
        assert clean_text(fast[column]).tolist() == clean_text(slow[column]).tolist(), column
    pd.testing.assert_series_equal(
        parse_dates(fast["When"], "%Y-%m-%d"), parse_dates(slow["When"], "%Y-%m-%d")
    )
    pd.testing.assert_series_equal(parse_numbers(fast["Score"]), parse_numbers(slow["Score"]))


@pytest.mark.parametrize(
    "cells",
    [
        [" 80% ", "1e2", "abc", None, "70", "70", "0.5", "80%%"],
        ["03/04/2025", " 3/4/2025", "02/30/2025", "2025-03-04", None, "03/04/2025x"],
    ],
)
def test_once_per_distinct_parsing_equals_parsing_every_cell(cells):
    text = pd.Series(pd.array(cells, dtype=TEXT))
    objects = pd.Series(cells, dtype=object)
    numbers = pd.to_numeric(
        objects.astype("string").str.strip().str.rstrip("%"), errors="coerce"
    ).astype(float)
    pd.testing.assert_series_equal(parse_numbers(text), numbers)
    dates = pd.to_datetime(objects.str.strip(), format="%m/%d/%Y", errors="coerce")
    pd.testing.assert_series_equal(parse_dates(text, "%m/%d/%Y"), dates)


def test_casefold_and_name_folding_match_python():
    cells = ["STRASSE", "Straße", None, "ÅNGSTRÖM", "o'Brien-Lee"]
    got = casefold(pd.Series(cells, dtype=object)).tolist()
    assert got[:2] + got[3:] == [c.casefold() for c in cells if c is not None]
    assert pd.isna(got[2])
    assert fold_name(pd.Series(["  Mary-Jo  O'Brien", "José Núñez"])).tolist() == [
        "mary jo obrien",
        "jose nunez",
    ]


def test_map_by_kind_keeps_one_and_true_apart():
    values = np.array([1, True, 1.0, "1", np.nan, 1.5], dtype=object)
    assert map_by_kind(values, lambda v: type(v).__name__)[[0, 1, 2, 3, 5]].tolist() == [
        "int",
        "bool",
        "float",
        "str",
        "float",
    ]


def test_trimming_keeps_untouched_text_and_agrees_with_str_strip():
    """Columns without surrounding whitespace are kept as they are (only empty cells become
    missing): every mix of ASCII and non-ASCII spaces, accented letters sharing their last
    byte with a space (é ends in A9, as U+2029 does), blanks, missing cells and slices."""
    rng = random.Random(11)
    pieces = ["a", "é", "Zoë", "\u00a0", " ", "\t", "\u2029", "\u3000", "\u2003", "€", "", "\x85"]
    for trial in range(2000):
        cells = [
            None
            if rng.random() < 0.15
            else "".join(rng.choice(pieces) for _ in range(rng.randint(0, 3)))
            for _ in range(rng.randint(0, 6))
        ]
        array = pa.array(cells, type=pa.string())
        if trial % 3 == 0 and len(cells) > 1:
            array, cells = array.slice(1), cells[1:]
        trimmed = trim_to_null(pd.Series(pd.arrays.ArrowExtensionArray(array)))
        expected = [None if c is None or not c.strip() else c.strip() for c in cells]
        assert trimmed.to_numpy(dtype=object, na_value=None).tolist() == expected, cells
    untouched = pa.array(["E1", "Zoë", ""] * 3, type=pa.string())
    kept = arrow_of(trim_to_null(pd.Series(pd.arrays.ArrowExtensionArray(untouched))))
    assert kept.chunks[0].buffers()[2].address == untouched.buffers()[2].address  # no copy
    assert kept.null_count == 3
