"""Refusing to report on nothing: the completeness rules, and the intake failing the week.

The materializations run the real intake and mail gate into a real DuckDB file; a refused week
must leave the stored week, its status CSVs and the warehouse exactly as they were.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.delivery.clearance import mail_clearance
from assets.ingest.assets import landing_intake
from assets.ingest.completeness import WeekFacts, missing_data
from schemas.config import ConfigError, load_config
from tests.conftest import PROJECT_ROOT
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write
from tests.week_resources import week_resources

LAST_WEEK, WEEK = "2026-11-09", "2026-11-16"


def _landing(root: Path) -> Path:
    write(
        root / "roster/roster_2026-01-05.csv",
        [
            ROSTER_HEADER,
            "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            "E2,Bob,Ray,,DAYTON,,Production Technician,,2021-01-01,",
        ],
    )
    rows = [f"R{i},E{1 + i % 2},,,,Safety,03/04/2025,88,PASS,C{i}" for i in range(1, 21)]
    write(root / "providers/northfield_college/q1.csv", [NORTHFIELD_HEADER, *rows])
    return root


def _config_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the default configuration with one text replaced in providers.yaml."""
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    providers = config / "providers.yaml"
    text = providers.read_text()
    assert old in text
    providers.write_text(text.replace(old, new, 1))
    return config


def _materialize(tmp_path, instance, week, landing, config=PROJECT_ROOT / "config"):
    resources = week_resources(tmp_path / "var", landing=landing, config_dir=config)
    return dg.materialize(
        [landing_intake, mail_clearance],
        partition_key=week,
        resources=resources,
        instance=instance,
        raise_on_error=False,
    )


def _failure(result) -> str:
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "landing_intake"
    return failure.step_failure_data.user_failure_data.description


def _stored(tmp_path, sql, *params):
    with duckdb.connect(str(tmp_path / "var/warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _week_rows(tmp_path) -> list[tuple]:
    return _stored(
        tmp_path,
        "select week::date::varchar, source, file, accepted from competence.source_files "
        "order by week, file",
    )


@pytest.fixture(scope="module")
def _stored_once(tmp_path_factory):
    root = tmp_path_factory.mktemp("stored")
    landing = _landing(root / "landing")
    with dg.instance_for_test() as instance:
        for week in (LAST_WEEK, WEEK):
            result = _materialize(root, instance, week, landing)
            assert not [e for e in result.all_events if e.is_step_failure]
    return root


@pytest.fixture
def two_stored_weeks(tmp_path, _stored_once):
    """Last week and this week materialized from the same good landing folder (a copy each)."""
    shutil.copytree(_stored_once / "landing", tmp_path / "landing")
    shutil.copytree(_stored_once / "var", tmp_path / "var")
    with dg.instance_for_test() as instance:
        yield tmp_path / "landing", instance


def test_a_missing_landing_folder_keeps_the_stored_week(tmp_path, two_stored_weeks):
    _, instance = two_stored_weeks
    before = _week_rows(tmp_path)
    rejects_csv = tmp_path / "var/status" / WEEK / "rejected_rows.csv"
    csv_before = (rejects_csv.read_bytes(), rejects_csv.stat().st_mtime_ns)

    result = _materialize(tmp_path, instance, WEEK, tmp_path / "no-such-folder")

    assert not result.success
    assert _failure(result) == (
        f"week {WEEK} (as of 2026-11-22) not reported, data missing: the landing folder "
        f"{tmp_path / 'no-such-folder'} does not exist (COMPETENCE_LANDING_DIR). The week's "
        "previous results, status files and reports are kept; nothing was mailed."
    )
    assert _week_rows(tmp_path) == before  # nothing replaced, with nothing
    assert (rejects_csv.read_bytes(), rejects_csv.stat().st_mtime_ns) == csv_before
    assert not result.asset_materializations_for_node("mail_clearance")


def test_an_empty_landing_folder_is_refused(tmp_path, two_stored_weeks):
    _, instance = two_stored_weeks
    before = _week_rows(tmp_path)
    empty = tmp_path / "empty"
    (empty / "roster").mkdir(parents=True)
    result = _materialize(tmp_path, instance, WEEK, empty)
    assert f"the landing folder {empty} is empty: no roster extract, provider or activity file" in (
        _failure(result)
    )
    assert _week_rows(tmp_path) == before


def test_a_source_rejected_whole_that_delivered_last_week_fails_the_week(
    tmp_path, two_stored_weeks
):
    landing, instance = two_stored_weeks
    before = _week_rows(tmp_path)
    # a wrong encoding in providers.yaml: every northfield file is rejected whole
    config = _config_with(tmp_path, "encoding: utf-8", "encoding: utf-16")
    result = _materialize(tmp_path, instance, WEEK, landing, config)
    message = _failure(result)
    assert (
        "source northfield_college: nothing usable this week, 1 of 1 file(s) rejected whole "
        "(providers/northfield_college/q1.csv: not valid utf-16 text" in message
    )
    assert f"last week ({LAST_WEEK}) it delivered 20 accepted rows" in message
    assert _week_rows(tmp_path) == before
    assert _stored(
        tmp_path, "select count(*) from competence.assessment_results where week = ?", WEEK
    ) == [(20,)]


def test_a_source_with_no_files_left_fails_the_week(tmp_path, two_stored_weeks):
    landing, instance = two_stored_weeks
    (landing / "providers/northfield_college/q1.csv").unlink()
    result = _materialize(tmp_path, instance, WEEK, landing)
    message = _failure(result)
    assert (
        f"source northfield_college: no files this week; last week ({LAST_WEEK}) it delivered "
        "20 accepted rows" in message
    )
    # with every result gone, the people with evidence fell from 100 % to 0 % as well
    assert (
        f"the share of people with evidence fell from 100.0% ({LAST_WEEK}) to 0.0% (0 of 2 on "
        "the roster), more than policy evidence_share_max_drop = 0.2 allows" in message
    )


def test_no_readable_roster_is_refused_even_without_history(tmp_path):
    landing = _landing(tmp_path / "landing")
    roster = landing / "roster/roster_2026-01-05.csv"
    write(roster, ["employee_id,first_name", "E1,Ann"])  # required columns missing
    with dg.instance_for_test() as instance:
        result = _materialize(tmp_path, instance, WEEK, landing)
    message = _failure(result)
    assert "no readable roster extract for the week: roster/roster_2026-01-05.csv: missing " in (
        message
    )
    assert not (tmp_path / "var/warehouse.duckdb").exists()  # nothing stored, nothing typed
    assert not (tmp_path / "var/status" / WEEK).exists()


def test_a_source_rejected_whole_counts_in_the_reject_share_without_history(tmp_path):
    """The first week has nothing to compare with: the week is computed, the mail is held."""
    landing = _landing(tmp_path / "landing")
    config = _config_with(tmp_path, "encoding: utf-8", "encoding: utf-16")
    with dg.instance_for_test() as instance:
        result = _materialize(tmp_path, instance, WEEK, landing, config)
    [gate] = [
        e
        for e in result.get_asset_check_evaluations()
        if e.check_name == "reject_share_within_policy"
    ]
    assert not gate.passed
    assert gate.metadata["hold_reason"].value == (
        "northfield_college: 1 of 1 file(s) rejected whole (100.0% > 5%)"
    )
    assert _stored(
        tmp_path,
        "select source, files, files_rejected_whole, reject_share from competence.mail_clearance "
        "order by source",
    ) == [("northfield_college", 1, 1, 1.0), ("roster", 1, 0, 0.0)]


# --- the rules as plain functions -----------------------------------------------------------

FILES = pd.DataFrame(
    {
        "source": ["roster", "apex_academy"],
        "file": ["roster/roster_2026-01-05.csv", "providers/apex_academy/a.xlsx"],
        "rows_in": [10, 40],
        "accepted": [10, 40],
        "problem": [None, None],
    }
)


def _judge(current: WeekFacts, previous: WeekFacts | None, **overrides) -> list[str]:
    values = {
        "landing_dir": Path("/data/landing"),
        "landing_exists": True,
        "files_found": 2,
        "source_files": FILES,
        "rejects": pd.DataFrame(columns=["source_file", "message"]),
        "roster_file": "roster/roster_2026-01-05.csv",
        "roster_rows": 10,
        "current": current,
        "previous": previous,
        "max_evidence_drop": 0.2,
    }
    return missing_data(**(values | overrides))


def test_the_evidence_share_may_fall_by_the_policy_fraction_and_no_more():
    last = WeekFacts(LAST_WEEK, {"apex_academy": 40}, people=100, people_with_evidence=80)
    at_limit = WeekFacts(WEEK, {"apex_academy": 40}, people=100, people_with_evidence=64)
    below = WeekFacts(WEEK, {"apex_academy": 40}, people=100, people_with_evidence=63)
    assert _judge(at_limit, last) == []  # 64 % is exactly 20 % below 80 %
    assert _judge(below, last) == [
        f"the share of people with evidence fell from 80.0% ({LAST_WEEK}) to 63.0% (63 of 100 "
        "on the roster), more than policy evidence_share_max_drop = 0.2 allows"
    ]
    assert _judge(below, None) == []  # no stored week: only the absolute rules


def test_a_roster_whose_rows_were_all_rejected_is_no_roster():
    rejects = pd.DataFrame(
        {
            "source_file": ["roster/roster_2026-01-05.csv"],
            "message": ["roster/roster_2026-01-05.csv row 2, column 'hire_date': expected a date"],
        }
    )
    facts = WeekFacts(WEEK)
    assert _judge(facts, None, roster_rows=0, rejects=rejects) == [
        "roster extract roster/roster_2026-01-05.csv has no usable row: every row was rejected "
        "(first: roster/roster_2026-01-05.csv row 2, column 'hire_date': expected a date)"
    ]


def test_a_source_that_sent_nothing_last_week_is_not_missed():
    last = WeekFacts(LAST_WEEK, {"apex_academy": 40, "westlake": 0}, 10, 5)
    now = WeekFacts(WEEK, {"apex_academy": 40}, 10, 5)
    assert _judge(now, last) == []


def test_the_policy_key_is_validated(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", config)
    policy = config / "policy.yaml"
    policy.write_text(
        policy.read_text().replace("evidence_share_max_drop: 0.2", "evidence_share_max_drop: 1.5")
    )
    with pytest.raises(ConfigError, match=r"key 'evidence_share_max_drop' = 1\.5: .*less than or"):
        load_config(config)
    assert load_config(PROJECT_ROOT / "config").policy.evidence_share_max_drop == 0.2
