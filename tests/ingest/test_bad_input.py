"""Each class of bad input gets a message naming the file, row, column and expectation,
and no row is lost."""

from __future__ import annotations

import datetime as dt

from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import (
    ACTIVITY_HEADER,
    NORTHFIELD_HEADER,
    ROSTER_HEADER,
    write,
)

AS_OF = dt.date(2026, 11, 22)


def _week(root, config):
    write(
        root / "roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,"],
    )
    return ingest_week(take_inventory(root, config.providers), config, AS_OF, RUN_DATE)


def _problems(week):
    return dict(zip(week.source_files["file"], week.source_files["problem"], strict=True))


def test_row_level_failures_name_file_row_column_check_and_value(tmp_path, config):
    write(
        tmp_path / "providers/northfield_college/bad.csv",
        [
            NORTHFIELD_HEADER,
            "R1,E1,,Ann,Lee,Safety,02/30/2025,88,PASS,C1",  # impossible date
            "R2,E1,,Ann,Lee,Welding,03/04/2025,88,PASS,C2",  # unknown module
            "R3,E1,,Ann,Lee,Safety,03/04/2025,130,PASS,C3",  # score out of range
            "R4,E1,,Ann,Lee,Safety,03/04/2025,88,MAYBE,C4",  # unknown result word
            "R5,E1,,Ann,Lee,Safety,12/01/2026,88,PASS,C5",  # after the run date
            "R6,E1,,Ann,Lee,Safety,11/24/2026,88,PASS,C6",  # after D but not after today: kept
        ],
    )
    week = _week(tmp_path, config)
    messages = week.rejects.set_index("row_number")["message"].to_dict()
    file = "providers/northfield_college/bad.csv"
    assert messages[2] == (
        f"{file} row 2 (record_id R1), column 'assessment_date': expected a date in the format "
        "%m/%d/%Y, "
        "found '02/30/2025'"
    )
    assert messages[3].startswith(
        f"{file} row 3 (record_id R2), column 'module': expected a known module"
    )
    assert messages[3].endswith("found 'Welding'")
    assert messages[4] == (
        f"{file} row 4 (record_id R3), column 'score': expected a value <= 100, found '130'"
    )
    assert messages[5] == (
        f"{file} row 5 (record_id R4), column 'passed': expected one of PASS, FAIL, found 'MAYBE'"
    )
    assert messages[6] == (
        f"{file} row 6 (record_id R5), column 'assessment_date': expected a date on or before "
        "the run date "
        "2026-11-25, "
        "found '12/01/2026'"
    )
    assert week.results["record_id"].tolist() == ["R6"]
    # each reject names its record, in the trailing record_key column
    assert week.rejects["record_key"].tolist() == ["R1", "R2", "R3", "R4", "R5"]
    assert list(week.rejects.columns)[-1] == "record_key"
    counts = week.source_files.set_index("file").loc[file]
    assert (counts["rows_in"], counts["accepted"], counts["rejected"]) == (6, 1, 5)


def test_whole_file_failures_are_recorded_and_other_files_still_load(tmp_path, config):
    good = "R1,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C1"
    write(tmp_path / "providers/northfield_college/good.csv", [NORTHFIELD_HEADER, good])
    write(tmp_path / "providers/northfield_college/empty.csv", [NORTHFIELD_HEADER])
    write(tmp_path / "providers/northfield_college/blank.csv", [""])
    write(
        tmp_path / "providers/northfield_college/no_score.csv",
        ["Result ID,Employee Number,Module,Exam Date,Result", "R9,E1,Safety,03/04/2025,PASS"],
    )
    (tmp_path / "providers/northfield_college/latin1.csv").write_bytes(
        (NORTHFIELD_HEADER + "\nR8,E1,,Zoë,Lee,Safety,03/04/2025,88,PASS,C8\n").encode("latin-1")
    )
    write(tmp_path / "providers/northfield_college/notes.txt", ["call the college"])
    write(tmp_path / "providers/westlake_tech/results.csv", ["id,who,what", "1,2,3"])
    week = _week(tmp_path, config)
    problems = _problems(week)
    base = "providers/northfield_college/"
    assert (
        problems[base + "empty.csv"] == f"{base}empty.csv: the file has a header but no data rows"
    )
    assert problems[base + "blank.csv"] == (
        f"{base}blank.csv: the file is empty (only blank lines, no header row)"
    )
    assert problems[base + "no_score.csv"].startswith(
        f"{base}no_score.csv: missing required column(s) "
    )
    for column in ("'Score'", "'Email'", "'First Name'", "'Certificate No'"):
        assert column in problems[base + "no_score.csv"]
    assert problems[base + "latin1.csv"] == (
        f"{base}latin1.csv: not valid utf-8 text (byte 0xeb on line 2); re-export the file "
        "as utf-8 or set 'encoding' for northfield_college in providers.yaml"
    )
    assert problems[base + "notes.txt"] == (
        f"{base}notes.txt: not a data file (expected .csv or .xlsx); ignored"
    )
    assert problems["providers/westlake_tech/"].startswith(
        "providers/westlake_tech/: unknown provider folder 'westlake_tech': it has no "
        "entry in providers.yaml and none of its 1 data file(s) (results.csv) carries the "
        "canonical columns"
    )
    assert "providers/westlake_tech/results.csv" not in problems  # the folder, once
    assert problems[base + "good.csv"] is None
    assert week.results["record_id"].tolist() == ["R1"]


def test_roster_rows_bad_dates_and_duplicate_ids_are_rejected(tmp_path, config):
    write(
        tmp_path / "roster/roster_2026-01-05.csv",
        [
            ROSTER_HEADER,
            "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            "E2,Bob,Ray,,DAYTON,,Production Technician,,2022-05-01,2021-01-01",
            "E3,Cy,Fox,not-an-email,DAYTON,,Production Technician,,2022-05-01,",
            "E1,Ann,Leigh,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            "E1,Ann,Leigh,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
        ],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    by_row = week.rejects.set_index("row_number")
    assert by_row.loc[3, "column"] == "termination_date"
    assert by_row.loc[3, "check"] == "termination_date not before hire_date"
    assert by_row.loc[4, ["column", "check", "value"]].tolist() == [
        "email",
        "a valid e-mail address",
        "not-an-email",
    ]
    assert by_row.loc[2, "check"] == "a unique employee_id per extract"
    # row 5 and 6 are identical: one is an exact repeat, the other wins against row 2
    assert week.deduplicated["row_number"].tolist() == [5]
    assert week.roster.set_index("employee_id").loc["E1", "last_name"] == "Leigh"
    counts = week.source_files.iloc[0]
    assert (counts["rows_in"], counts["accepted"], counts["rejected"], counts["deduplicated"]) == (
        5,
        1,
        3,
        1,
    )


def test_activities_negative_hours_and_missing_hours_and_points(tmp_path, config):
    write(
        tmp_path / "activities/ce.csv",
        [
            ACTIVITY_HEADER,
            "E1,2025-06-01,course,8,,Lean basics,CE-1",
            "E1,2025-06-02,course,-3,,Lean,CE-2",
            "E1,2025-06-03,webinar,,,SPC,CE-3",
            "E1,2025-06-01,course,8,,Lean basics,CE-1",
        ],
    )
    week = _week(tmp_path, config)
    checks = week.rejects.set_index("row_number")[["column", "check"]]
    assert checks.loc[3].tolist() == ["hours", "a value >= 0"]
    assert checks.loc[4].tolist() == ["hours", "hours or points given"]
    assert week.deduplicated[["row_number", "kind", "kept_row"]].values.tolist() == [
        [2, "EXACT_REPEAT", 5]
    ]
    assert week.activities["evidence_ref"].tolist() == ["CE-1"]


def test_conflicting_duplicates_keep_the_latest_drop_and_exact_resends_are_deduplicated(
    tmp_path, config
):
    write(
        tmp_path / "providers/northfield_college/march.csv",
        [
            NORTHFIELD_HEADER,
            "R1,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C1",
            "R2,E1,,Ann,Lee,Quality Practices & Measurement,03/05/2025,60,FAIL,",
        ],
        mtime=1_700_000_000,
    )
    write(
        tmp_path / "providers/northfield_college/april.csv",
        [
            NORTHFIELD_HEADER,
            "R1,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C1",
            "R2,E1,,Ann,Lee,Quality Practices & Measurement,03/05/2025,75,PASS,C2",
        ],
        mtime=1_700_100_000,
    )
    week = _week(tmp_path, config)
    log = week.deduplicated.set_index("record_key")
    assert log.loc["northfield_college|R1", ["source_file", "kind", "kept_file"]].tolist() == [
        "providers/northfield_college/march.csv",
        "EXACT_REPEAT",
        "providers/northfield_college/april.csv",
    ]
    assert log.loc["northfield_college|R2", ["source_file", "kind", "kept_file"]].tolist() == [
        "providers/northfield_college/march.csv",
        "SUPERSEDED",
        "providers/northfield_college/april.csv",
    ]
    r2 = week.results.set_index("record_id").loc["R2"]
    assert (r2["score"], bool(r2["passed"])) == (75.0, True)  # the later drop wins


def test_rejects_name_their_own_provider_when_providers_are_validated_together(tmp_path, config):
    write(
        tmp_path / "providers/inhouse_academy/a.csv",
        [
            "provider,record_id,employee_id,email,first_name,last_name,module,assessment_date,"
            "score,passed,credential_id",
            "x,H1,E1,,,,SAFETY,2025-01-01,50,maybe,",
        ],
    )
    write(
        tmp_path / "providers/northfield_college/b.csv",
        [NORTHFIELD_HEADER, "R1,E1,,Ann,Lee,Safety,02/30/2025,88,PASS,C1"],
    )
    week = _week(tmp_path, config)
    assert sorted(zip(week.rejects["source"], week.rejects["column"], strict=True)) == [
        ("inhouse_academy", "passed"),
        ("northfield_college", "assessment_date"),
    ]
