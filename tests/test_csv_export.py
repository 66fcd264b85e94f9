"""One CSV format for every file the pipeline writes (docs/data-contract.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.csv_bytes import frame_to_csv_bytes
from assets.csv_export import write_safe_csv


def test_a_file_on_disk_has_the_same_bytes_as_an_attachment(tmp_path):
    frame = pd.DataFrame(
        {
            "source_file": ["roster/a.csv", '=HYPERLINK("x")'],
            "row_number": [7.0, np.nan],  # a row number beside a whole-file reject
            "passed": pd.array([True, None], dtype="boolean"),
            "assessment_date": pd.to_datetime(["2026-11-16", None]),
            "score": [0.875, 88.0],
        }
    )
    path = write_safe_csv(frame, tmp_path / "status" / "rejected_rows.csv")
    assert path.read_bytes() == frame_to_csv_bytes(frame)
    assert path.read_text(encoding="utf-8") == (
        "source_file,row_number,passed,assessment_date,score\n"
        "roster/a.csv,7,true,2026-11-16,0.875\n"
        '"\'=HYPERLINK(""x"")",,,,88\n'  # CSV quotes a cell holding quotes
    )
    assert not list(path.parent.glob("*.partial"))  # written whole, then renamed


def test_text_is_quoted_and_neutralized_as_pandas_writes_it():
    """The export writes its cells with the csv writer itself: the bytes are those pandas'
    ``to_csv`` writes of the same neutralized cells, for every kind of awkward text."""
    awkward = [
        "plain",
        "",
        "comma, inside",
        'say "hi"',
        "two\nlines",
        "carriage\rreturn",
        " padded ",
        "=1+1",
        "+49 30 1234",
        "-minus",
        "@SUM(A1)",
        "\tTAB",
        "Zoë, Åsa; Ñ",
        None,
    ]
    frame = pd.DataFrame(
        {
            "text": awkward,
            "id": [f"E{i}" for i in range(len(awkward))],
            '=bad "header"': range(len(awkward)),
        }
    )
    expected = pd.DataFrame(
        {
            "text": [
                "" if v is None else ("'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v)
                for v in awkward
            ],
            "id": frame["id"],
            '\'=bad "header"': [str(i) for i in range(len(awkward))],
        }
    ).to_csv(index=False, lineterminator="\n")
    written = frame_to_csv_bytes(frame)
    assert written == expected.encode("utf-8")
    assert b'"two\nlines"' in written and b"'=1+1" in written and b"'@SUM(A1)" in written
    # one column of empty cells: the csv writer quotes a row's only, empty field
    assert frame_to_csv_bytes(pd.DataFrame({"a": ["", "x"]})) == b'a\n""\nx\n'
    assert frame_to_csv_bytes(pd.DataFrame({"a": []}, dtype=object)) == b"a\n"
