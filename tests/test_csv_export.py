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
