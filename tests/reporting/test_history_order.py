"""Weeks that run side by side: a week's history waits for an earlier week that another run is
computing right now, and only for that. A real Dagster instance (runs recorded in it), a real
DuckDB warehouse, real materializations of ``corrective_actions``.

Week 2026-11-09 is being computed by another run (recorded as started); once week 2026-11-16,
materialized meanwhile, says in its run log that it waits for it, the other run stores its status
and finishes. Week 2026-11-16 must then read it: one person non-compliant both weeks has an
action "first raised" on 2026-11-09 and two weeks of history — read without waiting it would say
2026-11-16 and one week.
"""

from __future__ import annotations

import threading
import time
import uuid

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.reporting.history_order import HistoryNotReady, wait_for_earlier_weeks
from assets.warehouse import connect, replace_week
from pipelines.definitions import defs
from schemas.warehouse_tables import declared_columns
from tests.reporting import frames as F
from tests.week_resources import outbox_mailer, week_resources

EARLIER, WEEK = "2026-11-09", "2026-11-16"
WAITING = f"waiting for the history of week(s) {EARLIER} (being computed by another run)"


def _store_status(database, week: str) -> None:
    row = F.person(
        "E2",
        "Ben",
        "Brown",
        site="DAYTON",
        status="NOT_STARTED",
        compliance="NON_COMPLIANT",
        certified_on=None,
        cycle_start=None,
        expires_on=None,
        due_date="2026-06-01",
    )
    frame = F.status_frame([row]).assign(week=pd.Timestamp(week))
    with connect(str(database)) as con:
        replace_week(
            con,
            "competence.certification_status",
            frame,
            [pd.Timestamp(week)],
            declared_columns("certification_status"),
        )


def _started_run(instance: dg.DagsterInstance, week: str) -> dg.DagsterRun:
    """A run of ``week`` that another process is executing (as the weekly job records it)."""
    return instance.add_run(
        dg.DagsterRun(
            job_name="weekly_competence",
            run_id=str(uuid.uuid4()),
            status=dg.DagsterRunStatus.STARTED,
            tags={"dagster/partition": week},
        )
    )


def _logged_waiting(instance: dg.DagsterInstance, other_run_id: str) -> bool:
    """Whether a run other than ``other_run_id`` logged that it waits for the earlier week."""
    return any(
        WAITING in (record.user_message or "")
        for run in instance.get_runs()
        if run.run_id != other_run_id
        for record in instance.all_logs(run.run_id)
    )


def test_a_week_reads_the_earlier_week_another_run_is_computing(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    _store_status(database, WEEK)  # this week's own engine output, as its upstream stored it
    resources = week_resources(tmp_path, database=database, mailer=outbox_mailer(tmp_path))
    with dg.instance_for_test() as instance:
        other = _started_run(instance, EARLIER)

        seen_waiting = threading.Event()

        def the_other_run() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not seen_waiting.is_set():
                if _logged_waiting(instance, other.run_id):
                    seen_waiting.set()
                time.sleep(0.2)
            _store_status(database, EARLIER)  # stored, then finished (how does not matter)
            instance.report_run_failed(other)

        worker = threading.Thread(target=the_other_run)
        worker.start()
        result = dg.materialize(
            list(defs.assets),
            selection=["corrective_actions"],
            partition_key=WEEK,
            resources=resources,
            instance=instance,
        )
        worker.join()
    assert seen_waiting.is_set()
    [event] = result.asset_materializations_for_node("corrective_actions")
    assert event.metadata["waited_for_weeks"].value == [EARLIER]
    assert event.metadata["weeks_of_history"].value == 2
    with duckdb.connect(str(database), read_only=True) as con:
        action = con.execute(
            "select first_raised, weeks_open from competence.corrective_actions "
            "where employee_id = 'E2' and week = ?",
            [pd.Timestamp(WEEK)],
        ).fetchone()
    assert action == (pd.Timestamp(EARLIER), 2)


def test_only_unfinished_runs_of_earlier_weeks_in_the_window_are_waited_for():
    with dg.instance_for_test() as instance:
        _started_run(instance, WEEK)  # this week's other run: not history
        _started_run(instance, "2026-11-23")  # a later week
        _started_run(instance, "2025-11-10")  # before the 52-week window
        done = _started_run(instance, EARLIER)
        instance.report_run_failed(done)
        mine = _started_run(instance, WEEK)
        began = time.monotonic()
        waited = wait_for_earlier_weeks(
            instance, mine.run_id, WEEK, 52, ["certification_status"], wait_seconds=5
        )
    assert waited == []
    assert time.monotonic() - began < 2


def test_an_earlier_week_that_does_not_come_stops_the_week_with_one_line():
    with dg.instance_for_test() as instance:
        stuck = _started_run(instance, EARLIER)
        mine = _started_run(instance, WEEK)
        with pytest.raises(HistoryNotReady) as raised:
            wait_for_earlier_weeks(
                instance,
                mine.run_id,
                WEEK,
                2,
                ["certification_status"],
                wait_seconds=1,
                poll_seconds=0.2,
            )
    assert str(raised.value) == (
        f"week {WEEK} not reported: its history includes week {EARLIER}, which run "
        f"{stuck.run_id[:8]} (started) has not stored after 1 s; run the week again once that "
        "run has finished (weeks of a backfill are started oldest first)"
    )
