"""A reject names the record it is about, not only a row number: the employee of a roster or
activity row, the provider's record id of a result (trailing column record_key)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from assets.ingest.validation import REJECT_COLUMNS
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import ACTIVITY_HEADER, NORTHFIELD_HEADER, ROSTER_HEADER, write

AS_OF = dt.date(2026, 11, 22)


def test_roster_activity_and_result_rejects_carry_the_record_key(tmp_path, config):
    write(
        tmp_path / "roster/roster_2026-01-05.csv",
        [
            ROSTER_HEADER,
            "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            *[f"E{i},P{i},Q,,DAYTON,,Production Technician,,2020-01-01," for i in range(2, 11)],
            "E11,Bob,Ray,,DAYTON,,Production Technician,,2022-05-01,2021-01-01",
            ",No,Id,,DAYTON,,Production Technician,,2022-05-01,",
        ],
    )
    write(
        tmp_path / "activities/ce.csv",
        [ACTIVITY_HEADER, "E7,2025-06-02,course,-3,,Lean,CE-2"],
    )
    write(
        tmp_path / "providers/northfield_college/q1.csv",
        [NORTHFIELD_HEADER, "R77,E1,,Ann,Lee,Safety,02/30/2025,88,PASS,C1"],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    rejects = week.rejects.set_index(["source_file", "row_number"])

    termination = rejects.loc[("roster/roster_2026-01-05.csv", 12)]
    assert termination["record_key"] == "E11"
    assert termination["message"] == (
        "roster/roster_2026-01-05.csv row 12 (employee_id E11), column 'termination_date': "
        "expected termination_date not before hire_date, found '2021-01-01'"
    )
    no_id = rejects.loc[("roster/roster_2026-01-05.csv", 13)]
    assert pd.isna(no_id["record_key"])  # no key to name: the message says only the row
    assert no_id["message"].startswith("roster/roster_2026-01-05.csv row 13, column 'employee_id'")

    activity = rejects.loc[("activities/ce.csv", 2)]
    assert (activity["record_key"], activity["column"]) == ("E7", "hours")
    assert activity["message"].startswith("activities/ce.csv row 2 (employee_id E7), column")

    result = rejects.loc[("providers/northfield_college/q1.csv", 2)]
    assert result["record_key"] == "R77"
    assert "row 2 (record_id R77), column 'assessment_date'" in result["message"]

    # the existing columns keep their order; the key is added at the end
    assert list(week.rejects.columns) == REJECT_COLUMNS
    assert REJECT_COLUMNS[:7] == [
        "source",
        "source_file",
        "row_number",
        "column",
        "check",
        "value",
        "message",
    ]
    assert REJECT_COLUMNS[-1] == "record_key"


def test_a_repeated_employee_id_reject_names_the_employee(tmp_path, config):
    write(
        tmp_path / "roster/roster_2026-01-05.csv",
        [
            ROSTER_HEADER,
            "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            "E1,Ann,Leigh,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
        ],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    assert week.rejects[["row_number", "check", "record_key"]].values.tolist() == [
        [2, "a unique employee_id per extract", "E1"]
    ]
