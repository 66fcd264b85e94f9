"""What the ingest does for speed at scale changes no answer: shared raw cells, mixed Excel
columns with blank text, and the phase timings of a week."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import xlsxwriter

from assets.ingest import readers
from assets.ingest.conformed import concat_conformed
from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from assets.ingest.provider_results import conform_canonical_results
from assets.text import TEXT
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import CANONICAL_HEADER, ROSTER_HEADER, write

AS_OF = dt.date(2026, 11, 22)


def _raw(rows: list[list[str | None]]) -> pd.DataFrame:
    columns = CANONICAL_HEADER.split(",")
    frame = pd.DataFrame(
        {c: pd.Series([r[i] for r in rows], dtype=TEXT) for i, c in enumerate(columns)}
    )
    frame["_row"] = np.arange(2, 2 + len(rows))
    return frame


def test_raw_cells_equal_to_the_canonical_ones_are_not_carried_twice():
    first = conform_canonical_results(
        _raw(
            [
                [
                    "x",
                    "R1",
                    "E1",
                    "a@x.example",
                    "Ann",
                    "Lee",
                    "SAFETY",
                    "2025-01-02",
                    "80",
                    "true",
                    "C1",
                ]
            ]
        ),
        "inhouse_academy",
        "providers/inhouse_academy/a.csv",
    )
    second = conform_canonical_results(
        _raw([["x", "R2", "E2", "b@x", "Bo", "Li", "SAFETY", "02/01/2025", "80", "yes", "C2"]]),
        "inhouse_academy",
        "providers/inhouse_academy/b.csv",
    )
    combined = concat_conformed([first, second])
    # ids, e-mails and names are the canonical data itself: the quarantine shows those
    assert "record_id" not in combined.raw and "email" not in combined.raw
    assert combined.frame["record_id"].tolist() == ["R1", "R2"]
    # what the canonical frame cannot show as written stays (a date that did not parse)
    assert combined.raw["passed"].tolist() == ["true", "yes"]
    failed = {f.column: f.mask.tolist() for f in combined.parse_failures}
    assert failed["assessment_date"] == [False, True]


def test_a_bad_email_is_still_shown_as_written(tmp_path, config):
    write(
        tmp_path / "roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,"],
    )
    write(
        tmp_path / "providers/inhouse_academy/results.csv",
        [
            CANONICAL_HEADER,
            "inhouse_academy,R1,E1,not-an-address,Ann,Lee,SAFETY,2025-03-04,88,true,C1",
            "inhouse_academy,R2,E1,ann@acme.example,Ann,Lee,SAFETY,2025-03-05,90,true,C2",
        ],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    reject = week.rejects[week.rejects["column"] == "email"].iloc[0]
    assert reject["value"] == "not-an-address"
    assert reject["message"].startswith(
        "providers/inhouse_academy/results.csv row 2 (record_id R1), column 'email'"
    )
    assert week.results["record_id"].tolist() == ["R2"]
    assert set(week.phase_seconds) == {"read", "validate", "deduplicate", "link", "account"}


def test_blank_text_in_a_mixed_excel_column_is_missing_and_dates_stay_dates(tmp_path):
    path = tmp_path / "g.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["ID", "When"])
    sheet.write(1, 0, "A1")
    sheet.write_datetime(1, 1, dt.datetime(2024, 5, 1), date_fmt)
    sheet.write(2, 0, "A2")
    sheet.write(2, 1, "   ")  # only spaces: blank, in a column that is mostly dates
    sheet.write(3, 0, "A3")
    sheet.write(3, 1, "2024-05-03")
    sheet.write(4, 1, " ")  # a row of blanks is not data
    book.close()
    frame = readers.read_xlsx(path.read_bytes(), label="g.xlsx", sheet="S")
    assert frame["_row"].tolist() == [2, 3, 4]
    assert frame["When"].tolist()[0] == pd.Timestamp(2024, 5, 1)
    assert pd.isna(frame["When"].tolist()[1])
    assert frame["When"].tolist()[2] == "2024-05-03"
