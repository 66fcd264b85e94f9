"""A source's raw cells stay one chunk per file (they are read only for rejected rows), and the
quarantine still shows each rejected cell as it was written in its own file and row."""

from __future__ import annotations

import pandas as pd

from assets.ingest.conformed import concat_conformed
from assets.ingest.provider_results import conform_canonical_results
from assets.ingest.validation import find_rejects
from assets.text import arrow_of
from schemas.tables import AssessmentResult
from tests.ingest.test_scale_paths import _raw


def _file(n: int, rows: list[tuple[str, str]]):
    """A canonical results file: (assessment_date, passed) per row."""
    raw = _raw(
        [
            ["x", f"R{n}{i}", "E1", "", "Ann", "Lee", "SAFETY", day, "80", passed, ""]
            for i, (day, passed) in enumerate(rows)
        ]
    )
    return conform_canonical_results(raw, "inhouse_academy", f"providers/inhouse_academy/{n}.csv")


def test_rejected_cells_are_shown_as_written_from_a_raw_column_left_in_chunks():
    combined = concat_conformed(
        [
            _file(1, [("2025-01-02", "true"), ("2025-01-03", "true")]),
            _file(2, [("2025-01-04", "yes"), ("2025-01-05", "true")]),
            _file(3, [("2025-01-06", "true"), ("03/01/2025", "false"), ("2025-01-07", "nope")]),
        ]
    )
    assert arrow_of(combined.raw["passed"]).num_chunks == 3  # not joined into one array

    dtypes = combined.frame.dtypes.copy()
    rejected, rejects = find_rejects(combined, AssessmentResult.to_schema(), "inhouse_academy")

    # Pandera saw a shallow view (labels as text); the intake's frame is as it was
    pd.testing.assert_series_equal(combined.frame.dtypes, dtypes)
    assert isinstance(combined.frame["provider"].dtype, pd.CategoricalDtype)

    assert rejected.tolist() == [False, False, True, False, False, True, True]
    shown = list(zip(rejects["source_file"], rejects["row_number"], rejects["value"], strict=True))
    assert shown == [
        ("providers/inhouse_academy/2.csv", 2, "yes"),
        ("providers/inhouse_academy/3.csv", 3, "03/01/2025"),
        ("providers/inhouse_academy/3.csv", 4, "nope"),
    ]
    assert rejects["message"].iloc[1] == (
        "providers/inhouse_academy/3.csv row 3 (record_id R31), column 'assessment_date': "
        "expected a date in the format %Y-%m-%d, found '03/01/2025'"
    )
