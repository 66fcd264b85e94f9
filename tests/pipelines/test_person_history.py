"""``competence person``: one person's history from real weekly materializations, in a
subprocess, readable and as CSV; unknown ids and a missing warehouse are one line, exit 2."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from assets.certification.assets import certification
from assets.ingest.assets import landing_intake
from tests.conftest import PROJECT_ROOT
from tests.ingest.landing_builder import CANONICAL_HEADER, ROSTER_HEADER, write
from tests.week_resources import week_resources

# E4 certified 2024-04-01, revoked 2026-05-01; E1 never certified, exempted from 2026-06-01
WEEKS = ("2026-04-20", "2026-05-04", "2026-11-16")


def _landing(root):
    people = [f"E{i},N{i},L{i},,DAYTON,,Production Technician,,2020-01-01," for i in (1, 4)]
    write(root / "roster/roster_2026-01-05.csv", [ROSTER_HEADER, *people])
    modules = ["SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE"]
    results = [f"acme,E4-{m},E4,,,,{m},2024-0{i + 1}-01,90,true," for i, m in enumerate(modules)]
    write(root / "providers/acme/results.csv", [CANONICAL_HEADER, *results])
    write(
        root / "exemptions/register.csv",
        [
            "employee_id,credential,reason,approved_by,valid_from,valid_until",
            "E1,CPT,long-term sick leave,Q. Manager,2026-06-01,2027-06-30",
        ],
    )
    write(
        root / "revocations/acme.csv",
        [
            "employee_id,credential,revoked_on,reason,revoked_by",
            "E4,CPT,2026-05-01,exam irregularity,acme",
        ],
    )


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("person")
    _landing(tmp_path / "landing")
    resources = week_resources(tmp_path / "var", landing=tmp_path / "landing")
    with dg.instance_for_test() as instance:
        for week in WEEKS:
            dg.materialize(
                [landing_intake, certification],
                partition_key=week,
                resources=resources,
                instance=instance,
            )
    return tmp_path / "var"


def _person(output, *args):
    env = {**os.environ, "COMPETENCE_OUTPUT_DIR": str(output)}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "person", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_view_holds_status_changes_actions_records_and_decisions(output):
    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select week::date::varchar, kind, what, cause from competence.person_history "
            "where employee_id = 'E4' and kind in ('status', 'action')"
        ).fetchall()
    assert rows == [
        ("2026-04-20", "status", "CERTIFIED COMPLIANT", "first week on record"),
        (
            "2026-05-04",
            "status",
            "CERTIFIED COMPLIANT -> EXPIRED NON_COMPLIANT",
            "revoked on 2026-05-01: exam irregularity",
        ),
        ("2026-05-04", "action", "raised: re-certify, due 2026-05-01", "compliance NON_COMPLIANT"),
    ]


def test_the_command_prints_one_line_per_event_newest_last(output):
    done = _person(output, "E1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert (
        lines[0]
        == "E1 N1 L1 · DAYTON · Production Technician · 5 events, weeks 2026-04-20 to 2026-11-16"
    )
    events = [" ".join(line.split()) for line in lines[1:]]
    assert events == [
        "week 2026-04-20 2026-04-26 status CPT NOT_STARTED NON_COMPLIANT — first week on record "
        "[certification_status]",
        "week 2026-04-20 2026-04-26 action CPT raised: certify, due 2020-06-29 — compliance "
        "NON_COMPLIANT [certification_status]",
        "week 2026-04-20 2026-06-01 decision CPT exemption from 2026-06-01 until 2027-06-30 — "
        "long-term sick leave (approved by Q. Manager) [exemptions/register.csv row 2]",
        "week 2026-11-16 2026-11-22 status CPT NOT_STARTED NON_COMPLIANT -> NOT_STARTED EXEMPT — "
        "exempted: long-term sick leave (approved by Q. Manager, until 2027-06-30) "
        "[certification_status]",
        "week 2026-11-16 2026-11-22 action CPT closed: now EXEMPT — compliance NON_COMPLIANT -> "
        "EXEMPT [certification_status]",
    ]


def test_the_history_is_written_as_csv(output, tmp_path):
    target = tmp_path / "e4.csv"
    done = _person(output, "E4", "--csv", str(target))
    assert done.returncode == 0, done.stderr
    with target.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "employee_id",
        "week",
        "event_date",
        "kind",
        "credential",
        "what",
        "cause",
        "source",
    ]
    records = [r for r in rows if r["kind"] == "record"]
    assert [r["what"] for r in records] == [
        f"{m} passed (score 90.0): acme E4-{m}"
        for m in ("SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE")
    ]
    assert records[0]["source"] == "providers/acme/results.csv row 2"
    assert len(rows) == len(done.stdout.splitlines()) - 2  # header and "Written:" lines


def test_an_unknown_id_is_one_line_and_exit_2(output):
    done = _person(output, "E999")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"person: no employee 'E999' in the warehouse {output / 'warehouse.duckdb'} "
        "(weeks 2026-04-20 to 2026-11-16)\n"
    )


def test_no_warehouse_is_one_line_and_exit_2(tmp_path):
    done = _person(tmp_path / "nothing", "E1")
    assert done.returncode == 2
    assert done.stderr == (
        f"person: no warehouse at {tmp_path / 'nothing' / 'warehouse.duckdb'} (run a week "
        "first, or set COMPETENCE_OUTPUT_DIR)\n"
    )
