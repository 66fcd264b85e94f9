"""Each reader and each provider mapping, on hand-written files."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import (
    CANONICAL_HEADER,
    NORTHFIELD_HEADER,
    ROSTER_HEADER,
    write,
    write_apex_xlsx,
)

AS_OF = dt.date(2026, 11, 22)


def _roster(root):
    write(
        root / "roster/roster_2026-01-05.csv",
        [
            ROSTER_HEADER,
            "E1,José,Núñez,jose.nunez@acme.example,DAYTON,Ops,Production Technician,"
            "boss@acme.example,2020-01-01,",
            "E2,Ann,Lee,,DAYTON,Ops,Quality Inspector,,2021-03-01,",
        ],
    )


def test_northfield_csv_maps_us_dates_pass_words_and_module_names(tmp_path, config):
    _roster(tmp_path)
    write(
        tmp_path / "providers/northfield_college/q1.csv",
        [
            NORTHFIELD_HEADER,
            "R1,E1,,José,Núñez,Safety,03/04/2024,88,PASS,MSSC-1",
            "R2,E2,,Ann,Lee,Quality Practices & Measurement,12/31/2023,64,fail,",
        ],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    results = week.results.set_index("record_id")
    assert results.loc["R1", "module"] == "SAFETY"
    assert results.loc["R1", "assessment_date"] == pd.Timestamp("2024-03-04")
    assert bool(results.loc["R1", "passed"]) is True
    assert results.loc["R1", "credential_id"] == "MSSC-1"
    assert results.loc["R2", "module"] == "QUALITY"
    assert results.loc["R2", "assessment_date"] == pd.Timestamp("2023-12-31")
    assert bool(results.loc["R2", "passed"]) is False  # case-insensitive "fail"
    assert results.loc["R2", "score"] == 64.0
    assert week.rejects.empty


def test_apex_xlsx_title_row_last_first_names_course_codes_and_percentages(tmp_path, config):
    _roster(tmp_path)
    write_apex_xlsx(
        tmp_path / "providers/apex_academy/gradebook.xlsx",
        [
            [
                "A-1",
                "Núñez, José",
                "JOSE.NUNEZ@acme.example",
                "CPT-MA",
                dt.datetime(2024, 5, 1),
                0.8,
                "B-1",
            ],
            ["A-2", "Lee, Ann", None, "CPT-QPM", dt.datetime(2024, 5, 2), 0.69, None],
        ],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    results = week.results.set_index("record_id")
    assert results.loc["A-1", ["first_name", "last_name"]].tolist() == ["José", "Núñez"]
    assert results.loc["A-1", "module"] == "MAINTENANCE"
    assert results.loc["A-1", "score"] == 80.0
    assert bool(results.loc["A-1", "passed"]) is True  # 80 >= 70
    assert bool(results.loc["A-2", "passed"]) is False  # 69 < 70
    assert results.loc["A-1", "assessment_date"] == pd.Timestamp("2024-05-01")
    # no employee id column: linked by case-folded e-mail, then by name
    assert results.loc["A-1", ["person_id", "match_method"]].tolist() == ["E1", "email"]
    assert results.loc["A-2", ["person_id", "match_method"]].tolist() == ["E2", "name"]
    # the sheet row numbers count the title row: first data row is Excel row 3
    assert results.loc["A-1", "source_row"] == 3


def test_canonical_provider_folder_needs_no_config_entry(tmp_path, config):
    _roster(tmp_path)
    write(
        tmp_path / "providers/inhouse_academy/export.csv",
        [CANONICAL_HEADER, "ignored,H-1,E2,,Ann,Lee,PROCESSES,2024-02-29,91,true,IH-7"],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    row = week.results.iloc[0]
    assert row["provider"] == "inhouse_academy"  # the folder name is the provider
    assert row["assessment_date"] == pd.Timestamp("2024-02-29")
    assert bool(row["passed"]) is True
    assert row["person_id"] == "E2"


def test_roster_columns_match_case_insensitively_and_xlsx_extracts_read(tmp_path, config):
    write(
        tmp_path / "roster/roster_2026-01-05.csv",
        [
            " Employee_ID , First_Name,LAST_NAME,Email,Site,Department,Job_Role,Manager_Email,"
            "Hire_Date,Termination_Date",
            "E7,Zoë,Ångström,,GREENVILLE,,Forklift Operator,,2019-07-01,2026-03-31",
        ],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    person = week.roster.iloc[0]
    assert person["employee_id"] == "E7"
    assert person["last_name"] == "Ångström"
    assert person["termination_date"] == pd.Timestamp("2026-03-31")
