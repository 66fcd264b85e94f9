"""The CSV contract's cell formats: the vectorised column path equals the per-cell rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from assets.csv_bytes import _cell_text, _text_column


def test_vectorised_columns_format_exactly_like_the_per_cell_rule():
    frame = pd.DataFrame(
        {
            "text": ["=1+1", "Ann", None, "-x", "@me", "\ttab"],
            "floats": [1.0, 2.5, np.nan, 100.0, 1e-12, 123456789012.0],
            "ints": pd.array([1, None, 3, -4, 0, 7], dtype="Int64"),
            "flags": pd.array([True, False, None, True, False, True], dtype="boolean"),
            "dates": pd.to_datetime(["2024-02-29", None, "2026-11-22", None, None, "2020-01-06"]),
            "mixed": [True, "x", dt.date(2026, 1, 2), None, 3, 2.5],
        }
    )
    for column in frame.columns:
        expected = [_cell_text(v) for v in frame[column].tolist()]
        assert _text_column(frame[column]).tolist() == expected, column
    # and the formula cells really are neutralised
    assert _text_column(frame["text"]).tolist()[0] == "'=1+1"
    assert _text_column(frame["text"]).tolist()[5] == "'\ttab"
