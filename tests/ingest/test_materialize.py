"""Real Dagster materializations of the ingestion graph into a real DuckDB file."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd

from assets.delivery.clearance import mail_clearance
from assets.ingest.assets import landing_intake
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write
from tests.week_resources import week_resources

WEEK = "2026-11-16"


def _landing(root):
    write(
        root / "roster/roster_2026-01-05.csv",
        [
            ROSTER_HEADER,
            "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            "E2,Bob,Ray,,DAYTON,,Production Technician,,2021-01-01,",
        ],
    )
    rows = [f"R{i},E{1 + i % 2},,,,Safety,03/04/2025,88,PASS,C{i}" for i in range(1, 40)]
    rows.append("R99,E1,,,,Safety,02/30/2025,88,PASS,C99")  # one reject out of 40 = 2.5 %
    rows.append("R98,E404,,,,Safety,03/04/2025,88,PASS,C98")  # unmatched
    write(root / "providers/northfield_college/q1.csv", [NORTHFIELD_HEADER, *rows])


def _materialize(tmp_path, instance, raise_on_error=True):
    resources = week_resources(tmp_path / "var", landing=tmp_path / "landing")
    return dg.materialize(
        [landing_intake, mail_clearance],
        partition_key=WEEK,
        resources=resources,
        instance=instance,
        raise_on_error=raise_on_error,
    )


def _query(tmp_path, sql):
    with duckdb.connect(str(tmp_path / "var/warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_one_week_lands_in_the_warehouse_and_a_rerun_replaces_it(tmp_path):
    _landing(tmp_path / "landing")
    with dg.instance_for_test() as instance:
        _check_one_week(tmp_path, instance)


def _check_one_week(tmp_path, instance):
    result = _materialize(tmp_path, instance)
    assert result.success
    assert _query(tmp_path, "select count(*) from competence.roster_snapshot") == [(2,)]
    assert _query(
        tmp_path, "select count(*), count(person_id) from competence.assessment_results"
    ) == [(40, 39)]
    assert _query(tmp_path, 'select row_number, "column", value from competence.rejected_rows') == [
        (41, "assessment_date", "02/30/2025")
    ]
    assert _query(tmp_path, "select record_id, reason from competence.unmatched_records") == [
        ("R98", "UNMATCHED")
    ]
    assert _query(
        tmp_path,
        "select rows_in, accepted, rejected, deduplicated from competence.source_files "
        "where source = 'northfield_college'",
    ) == [(41, 40, 1, 0)]
    weeks = _query(tmp_path, "select distinct week::date::varchar from competence.source_files")
    assert weeks == [(WEEK,)]
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {
        "row_conservation": True,
        "results_link_to_people": True,
        "reject_share_within_policy": True,  # 1 of 41 rows = 2.4 % <= 5 %
    }
    status_dir = tmp_path / "var/status" / WEEK
    assert "02/30/2025" in (status_dir / "rejected_rows.csv").read_text()
    assert "R98" in (status_dir / "unmatched_records.csv").read_text()

    # a rerun of the same week replaces it, it does not append
    assert _materialize(tmp_path, instance).success
    assert _query(tmp_path, "select count(*) from competence.assessment_results") == [(40,)]
    assert _query(tmp_path, "select count(*) from competence.rejected_rows") == [(1,)]


def test_a_source_over_the_reject_threshold_holds_only_the_mail(tmp_path):
    landing = tmp_path / "landing"
    _landing(landing)
    write(
        landing / "providers/northfield_college/bad.csv",
        [NORTHFIELD_HEADER, *[f"X{i},E1,,,,Safety,13/45/2025,88,PASS," for i in range(5)]],
    )
    result = dg.materialize(
        [landing_intake, mail_clearance],
        partition_key=WEEK,
        resources=week_resources(tmp_path / "var", landing=landing),
        raise_on_error=False,
    )
    evaluations = [
        ev.event_specific_data
        for ev in result.all_events
        if ev.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    gate = next(e for e in evaluations if e.check_name == "reject_share_within_policy")
    assert not gate.passed
    assert gate.metadata["hold_reason"].value == (
        "northfield_college: 6 of 46 rows rejected (13.0% > 5%)"
    )
    # the intake itself was stored: reports can still be rendered for inspection
    assert _query(tmp_path, "select count(*) from competence.rejected_rows") == [(6,)]


def test_the_week_exports_whole_file_rejects_record_keys_and_superseded_duplicates(tmp_path):
    landing = tmp_path / "landing"
    _landing(landing)
    nf = landing / "providers/northfield_college"
    write(nf / "early.csv", [NORTHFIELD_HEADER, "R7,E1,,,,Safety,03/04/2025,60,FAIL,"], mtime=1)
    (nf / "empty.csv").write_bytes(b"")
    write(landing / "providers/westlake/x.csv", ["id,who", "1,2"])
    with dg.instance_for_test() as instance:
        result = _materialize(tmp_path, instance, raise_on_error=False)
    # the empty file is one of northfield's three data files (42 rows: q1 41, early 1) rejected
    # whole: the mail is held
    [gate] = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert gate.check_name == "reject_share_within_policy"
    assert gate.metadata["hold_reason"].value == (
        "northfield_college: 1 of 3 file(s) rejected whole, 1 of 42 rows rejected (33.3% > 5%)"
    )
    status_dir = tmp_path / "var/status" / WEEK
    rejected = pd.read_csv(status_dir / "rejected_rows.csv", dtype=str, keep_default_na=False)
    assert list(rejected.columns)[-1] == "record_key"
    whole = rejected[rejected["row_number"] == ""]
    assert whole[["source_file", "column", "check", "message"]].values.tolist() == [
        [
            "providers/northfield_college/empty.csv",
            "",
            "a non-empty file",
            "providers/northfield_college/empty.csv: the file is empty (0 bytes)",
        ],
        [
            "providers/westlake/",
            "",
            "a provider folder configured in providers.yaml or with canonical columns",
            whole.iloc[1]["message"],
        ],
    ]
    assert whole.iloc[1]["message"].startswith(
        "providers/westlake/: unknown provider folder 'westlake'"
    )
    row_level = rejected[rejected["row_number"] != ""]
    assert row_level[["row_number", "record_key"]].values.tolist() == [["41", "R99"]]

    dedup = pd.read_csv(status_dir / "deduplicated_rows.csv", dtype=str)
    assert dedup[["source_file", "kind", "record_key", "kept_file"]].values.tolist() == [
        [
            "providers/northfield_college/early.csv",
            "SUPERSEDED",
            "northfield_college|R7",
            "providers/northfield_college/q1.csv",
        ]
    ]
    # the warehouse holds the same quarantine, record_key included, and the accounts balance
    assert _query(
        tmp_path,
        "select source_file, record_key from competence.rejected_rows order by source_file",
    ) == [
        ("providers/northfield_college/empty.csv", None),
        ("providers/northfield_college/q1.csv", "R99"),
        ("providers/westlake/", None),
    ]
    source_files = next(
        m
        for m in result.asset_materializations_for_node("landing_intake")
        if m.asset_key == dg.AssetKey("source_files")
    )
    assert source_files.metadata["files_rejected_whole"].value == 2
    assert source_files.metadata["deduplicated"].value == 1
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["row_conservation"] is True
