"""Point-in-time roster choice: the latest extract on or before D; before the first, the first."""

from __future__ import annotations

import datetime as dt

from assets.ingest.intake import choose_roster_extract, ingest_week
from assets.ingest.landing import take_inventory
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import ROSTER_HEADER, write


def _extracts(root):
    for day, role in (
        ("2025-01-06", "Production Technician"),
        ("2025-07-07", "Quality Inspector"),
        ("2026-01-05", "Maintenance Technician"),
    ):
        write(
            root / f"roster/roster_{day}.csv",
            [ROSTER_HEADER, f"E1,Ann,Lee,,DAYTON,,{role},,2020-01-01,"],
        )


def test_latest_extract_on_or_before_d(tmp_path, config):
    _extracts(tmp_path)
    rosters = take_inventory(tmp_path, config.providers).rosters
    chosen, before_first = choose_roster_extract(rosters, dt.date(2025, 7, 13))
    assert chosen[0].relative_path == "roster/roster_2025-07-07.csv" and not before_first
    # an extract dated exactly D counts ("on or before")
    chosen, _ = choose_roster_extract(rosters, dt.date(2026, 1, 5))
    assert chosen[0].relative_path == "roster/roster_2026-01-05.csv"
    chosen, _ = choose_roster_extract(rosters, dt.date(2026, 1, 4))
    assert chosen[0].relative_path == "roster/roster_2025-07-07.csv"


def test_before_the_first_extract_the_first_stands_in_and_is_flagged(tmp_path, config):
    _extracts(tmp_path)
    week = ingest_week(
        take_inventory(tmp_path, config.providers), config, dt.date(2024, 3, 3), RUN_DATE
    )
    assert week.before_first_extract
    assert week.roster_file == "roster/roster_2025-01-06.csv"
    assert week.roster["job_role"].tolist() == ["Production Technician"]


def test_an_unreadable_latest_extract_falls_back_to_the_previous_one(tmp_path, config):
    _extracts(tmp_path)
    write(tmp_path / "roster/roster_2026-01-05.csv", ["employee_id,first_name", "E1,Ann"])
    week = ingest_week(
        take_inventory(tmp_path, config.providers), config, dt.date(2026, 3, 1), RUN_DATE
    )
    assert week.roster_file == "roster/roster_2025-07-07.csv"
    problem = week.source_files.set_index("file").loc["roster/roster_2026-01-05.csv", "problem"]
    assert problem.startswith("roster/roster_2026-01-05.csv: missing required column(s) ")
    assert "'hire_date'" in problem


def test_badly_named_roster_file_is_reported(tmp_path, config):
    write(tmp_path / "roster/hr_dump.csv", [ROSTER_HEADER])
    write(tmp_path / "roster/roster_2025-02-30.csv", [ROSTER_HEADER])
    problems = {
        p.relative_path: p.problem for p in take_inventory(tmp_path, config.providers).problems
    }
    assert problems["roster/hr_dump.csv"] == (
        "roster/hr_dump.csv: not a roster extract; expected a name like roster_YYYY-MM-DD.csv or "
        "roster_YYYY-MM-DD.xlsx"
    )
    assert problems["roster/roster_2025-02-30.csv"] == (
        "roster/roster_2025-02-30.csv: the extract date 2025-02-30 in the file name is not a "
        "real date"
    )
