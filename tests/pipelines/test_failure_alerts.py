"""The failure sensor alerts the data team once about any failed run — here an asset-job run
(``__ASSET_JOB``, what a UI backfill launches), which the old sensor, limited to the scheduled
job, never saw — and never about a run that only held the week's e-mail.

Real runs on a persistent instance in tmp_path, the sensor evaluated the way the daemon does
(``evaluate_tick`` with a cursor), the alert written as an ``.eml`` into the outbox.
"""

from __future__ import annotations

import email
from email import policy

import dagster as dg
import pytest

from assets.delivery.clearance import mail_clearance
from assets.delivery.ledger import read_ledger
from assets.ingest.assets import landing_intake
from assets.resources import CompetenceSettings
from assets.warehouse import WarehouseIOManager
from pipelines.backfill import week_line
from pipelines.definitions import defs
from pipelines.run_outcome import outcome_of
from pipelines.sensors import alert_for_run, data_team_failure_alert
from pipelines.week_status import week_statuses
from tests.conftest import PROJECT_ROOT
from tests.delivery.support import free_port, smtp_mailer
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write
from tests.pipelines.cli_support import tiny_landing

WEEK = "2026-11-16"


@pytest.fixture
def place(tmp_path, monkeypatch):
    """The environment the daemon's sensor reads, pointing at tmp_path."""
    for name, value in {
        "COMPETENCE_LANDING_DIR": tmp_path / "landing",
        "COMPETENCE_CONFIG_DIR": PROJECT_ROOT / "config",
        "COMPETENCE_OUTPUT_DIR": tmp_path / "var",
        "COMPETENCE_RUN_DATE": "2026-11-25",
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("COMPETENCE_SMTP_HOST", raising=False)
    (tmp_path / "dagster_home").mkdir()  # a persistent instance lives there
    return tmp_path


def _resources(tmp_path):
    return {
        "settings": CompetenceSettings.from_environment(),
        "io_manager": WarehouseIOManager(database=str(tmp_path / "var/warehouse.duckdb")),
        "mailer": smtp_mailer(1),  # never used: these runs send no report
    }


def _tick(instance, cursor):
    """One daemon tick of the sensor from ``cursor``; returns the cursor it leaves."""
    with dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs) as context:
        data_team_failure_alert.evaluate_tick(context)
        return context.cursor


def _outbox(tmp_path):
    paths = sorted((tmp_path / "var/outbox").glob("*.eml"))
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def test_a_failed_asset_job_run_alerts_once_naming_week_step_and_first_error(place):
    tmp_path = place
    tiny_landing(tmp_path / "landing")
    # a file where the week's status folder must go: landing_intake fails writing its exports
    blocker = tmp_path / "var/status" / WEEK
    blocker.parent.mkdir(parents=True)
    blocker.write_text("in the way")
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        # the daemon's first tick starts the cursor at "now"
        cursor = _tick(instance, None)

        job = defs.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(
            partition_key=WEEK,
            instance=instance,
            resources=_resources(tmp_path),
            raise_on_error=False,
        )
        assert not result.success and result.dagster_run.job_name == "__ASSET_JOB"

        after = _tick(instance, cursor)
        [alert] = _outbox(tmp_path)
        assert alert["Subject"] == (
            f"Competence run failed - week {WEEK} - landing_intake - {result.run_id[:8]}"
        )
        assert alert["To"] == "data-team@example.com"
        body = alert.get_content()
        assert f"The Dagster run {result.run_id} of job __ASSET_JOB failed" in body
        lines = body.splitlines()
        assert f"Week: {WEEK}" in lines
        assert "Failed step: landing_intake" in lines
        assert f"First error line: FileExistsError: [Errno 17] File exists: '{blocker}'" in lines

        # the next tick, and a tick that sees the same run again (a daemon restarted before it
        # stored its cursor), send nothing more: the ledger has the root run's alert
        _tick(instance, after)
        _tick(instance, cursor)
        assert len(_outbox(tmp_path)) == 1
        assert alert_for_run(CompetenceSettings.from_environment(), instance, result.run_id) == (
            "data team already alerted"
        )


def test_a_run_that_only_held_the_mail_is_not_alerted(place):
    tmp_path = place
    write(
        tmp_path / "landing/roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,"],
    )
    rows = [f"R{i},E1,,,,Safety,03/04/2025,88,PASS,C{i}" for i in range(1, 10)]
    rows.append("R99,E1,,,,Safety,02/30/2025,88,PASS,C99")  # 1 of 10 rejected: 10 % > 5 %
    write(tmp_path / "landing/providers/northfield_college/q1.csv", [NORTHFIELD_HEADER, *rows])
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        cursor = _tick(instance, None)
        result = dg.materialize(
            [landing_intake, mail_clearance],
            partition_key=WEEK,
            resources=_resources(tmp_path),
            instance=instance,
            raise_on_error=False,
        )
        assert not result.success  # the blocking gate failed the run...
        failed = {e.step_key for e in result.all_events if e.is_step_failure}
        assert failed == {"mail_clearance"}
        _tick(instance, cursor)
        # ...but everything was computed: no failure alert
        assert _outbox(tmp_path) == []
        assert alert_for_run(CompetenceSettings.from_environment(), instance, result.run_id) == (
            "not alerted: the run only held the week's e-mail (reject share over policy)"
        )
        # the CLI's line and `competence status` call it computed with the e-mail held
        outcome = outcome_of(result.all_events)
        line = week_line(WEEK, 1.0, outcome, result.success, result.run_id)
        assert line.startswith(
            f"week {WEEK}: computed in 1.0 s — 11 rows = 10 accepted + 1 rejected + "
            "0 de-duplicated; no file rejected whole; E-MAIL HELD: "
        ), line
        assert "northfield_college" in line
        [status] = week_statuses(instance, tmp_path / "var/warehouse.duckdb")
        assert (status.week, status.state, status.mailed) == (WEEK, "held", 0)
        assert status.detail == f"E-MAIL HELD: {outcome.hold_reason}"


def test_an_alert_that_cannot_be_delivered_says_so_and_goes_out_on_the_next_evaluation(
    place, monkeypatch
):
    tmp_path = place
    tiny_landing(tmp_path / "landing")
    (tmp_path / "var/status").mkdir(parents=True)
    (tmp_path / "var/status" / WEEK).write_text("in the way")
    with dg.instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        result = dg.materialize(
            [landing_intake],
            partition_key=WEEK,
            resources=_resources(tmp_path),
            instance=instance,
            raise_on_error=False,
        )
        assert not result.success
        # the mail relay is down: nothing listens on that port
        monkeypatch.setenv("COMPETENCE_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("COMPETENCE_SMTP_PORT", str(free_port()))
        monkeypatch.setenv("COMPETENCE_SMTP_SECURITY", "plain")
        settings = CompetenceSettings.from_environment()
        done = alert_for_run(settings, instance, result.run_id)
        assert done.startswith("data team alert FAILED (data-team@example.com): "), done
        assert "refused" in done.lower() or "connect" in done.lower(), done
        [row] = read_ledger(tmp_path / "var/warehouse.duckdb").itertuples()
        assert row.status == "FAILED"
        # the relay is back (here: the outbox): the alert goes out once, then never again
        monkeypatch.delenv("COMPETENCE_SMTP_HOST")
        assert alert_for_run(settings, instance, result.run_id) == (
            "data team alerted: data-team@example.com"
        )
        assert alert_for_run(settings, instance, result.run_id) == "data team already alerted"
    [alert] = _outbox(tmp_path)
    assert alert["Subject"].startswith(f"Competence run failed - week {WEEK} - landing_intake - ")
