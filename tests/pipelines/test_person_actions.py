"""``competence person`` with the corrective-actions table: the actions raised, escalated and
closed for one person, with their weeks, through the real CLI on a warehouse built by real
weekly materializations.

E2 (DAYTON, hired 2020-01-01, grace ended 2020-06-29) never certified until the four CPT modules
passed on 2026-11-03. Stored weeks 2026-10-19, 2026-10-26 and 2026-11-16 (as of the Sundays
10-25, 11-01, 11-22): the certify action is raised in the first, already more than 90 days past
due (so at once escalated to the company and to the site lead), open in the second, and closed
in the third (certified, late, 2 weeks open: the stored weeks 10-19 and 10-26).
"""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg
import duckdb
import pytest

from assets.certification.assets import certification
from assets.ingest.assets import landing_intake
from assets.reporting.action_assets import corrective_actions
from tests.conftest import PROJECT_ROOT
from tests.ingest.landing_builder import CANONICAL_HEADER, ROSTER_HEADER, write
from tests.week_resources import week_resources

WEEKS = ("2026-10-19", "2026-10-26", "2026-11-16")
MODULES = ("SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE")


def _landing(root):
    people = [f"E{i},N{i},L{i},,DAYTON,,Production Technician,,2020-01-01," for i in (1, 2)]
    write(root / "roster/roster_2026-01-05.csv", [ROSTER_HEADER, *people])
    results = [
        f"acme,{e}-{m},{e},,,,{m},{day},90,true,"
        for e, day in (("E1", "2024-03-01"), ("E2", "2026-11-03"))
        for m in MODULES
    ]
    write(root / "providers/acme/results.csv", [CANONICAL_HEADER, *results])


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("person_actions")
    _landing(tmp_path / "landing")
    resources = week_resources(tmp_path / "var", landing=tmp_path / "landing")
    with dg.instance_for_test() as instance:
        for week in WEEKS:
            dg.materialize(
                [landing_intake, certification, corrective_actions],
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


def test_the_command_prints_the_actions_raised_escalated_and_closed(output):
    done = _person(output, "E2")
    assert done.returncode == 0, done.stderr
    actions = [" ".join(line.split()) for line in done.stdout.splitlines() if " action " in line]
    # 2026-10-25 minus the due date 2020-06-29: 2309 days past due
    assert actions == [
        "week 2026-10-19 2026-10-25 action CPT raised: Certify: pass every required module, due "
        "2020-06-29 — corrective action CERTIFY [corrective_actions]",
        "week 2026-10-19 2026-10-25 action CPT escalated to the company: Certify: pass every "
        "required module — 2309 days past due (due 2020-06-29) [corrective_actions]",
        "week 2026-11-16 2026-11-22 action CPT closed: Certify: pass every required module — "
        "certified — late (due 2020-06-29), 2 week(s) open [corrective_actions]",
    ]
    # the status changes around them are still there, from certification_status
    assert "CERTIFIED COMPLIANT — certified on 2026-11-03" in " ".join(done.stdout.split())


def test_the_table_replaces_the_derived_actions_and_the_view_follows_each_store(output):
    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        sources = con.execute(
            "select distinct source from competence.person_history where kind = 'action'"
        ).fetchall()
        e1 = con.execute(
            "select count(*) from competence.person_history "
            "where employee_id = 'E1' and kind = 'action'"
        ).fetchone()[0]
    assert sources == [("corrective_actions",)]
    assert e1 == 0  # certified since 2024: no action ever
