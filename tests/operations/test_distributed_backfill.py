"""A backfill spread over workers: the scale-out deployment of deploy/scale-out/, for real.

Started on loopback, each a separate process: PostgreSQL (the Dagster instance's storage, as
deploy/scale-out/dagster.yaml configures it, and the delivery ledger via COMPETENCE_LEDGER_URL),
a dask scheduler, two dask workers, the Dagster daemon (queue: two runs at once) and an SMTP
server. A backfill of three weeks with mail on is created as the UI creates it (GraphQL
``launchPartitionBackfill``); the daemon queues one run per week, starts two at once, and each
run hands its steps to the dask workers (``COMPETENCE_EXECUTOR=dask``).

Then the same weeks run one after another in one process (``competence run --from --to``, the
embedded default) and everything is compared: the status exports byte for byte, the ledger rows,
the mail (one per recipient and week), the PDFs' text. The PDFs are not byte-identical, by
design: the evidence page prints the run id, and the ledger's report hash is the hash of those
bytes; every other part of the report is deterministic (fixed run date).
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb
import psycopg2
import pytest
from aiosmtpd.controller import Controller
from dagster._core.events import DagsterEventType

from tests.conftest import PROJECT_ROOT
from tests.delivery.support import RecordingHandler, free_port
from tests.operations.scale_out import ScaleOut, running_env
from tests.pipelines.cli_support import cli_env, competence, tiny_landing
from tests.reporting.pdf_reading import pdf_text

WEEKS = ["2026-11-02", "2026-11-09", "2026-11-16"]
EXPORTS = ["employee_status.csv", "evidence.csv", "rejected_rows.csv"]
SEND_MAIL = "competence/send_mail=true"


def scale_out_env(cluster: ScaleOut) -> dict[str, str]:
    """The scale-out's data settings: the warehouse in the cluster's PostgreSQL, which takes the
    two weeks' writers at once (the ledger is there too), and the week's reports rendered one
    site per step, so that a week's PDFs are separate steps the workers share."""
    return {
        "COMPETENCE_WAREHOUSE_URL": cluster.ledger_url,
        "COMPETENCE_RENDER_SITES_PER_STEP": "1",
    }


@pytest.fixture
def smtp():
    started: list[Controller] = []

    def start() -> tuple[int, RecordingHandler]:
        handler, port = RecordingHandler(), free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        return port, handler

    yield start
    for controller in started:
        controller.stop()


def _mail_env(port: int) -> dict[str, str]:
    return {
        "COMPETENCE_SMTP_HOST": "127.0.0.1",
        "COMPETENCE_SMTP_PORT": str(port),
        "COMPETENCE_SMTP_SECURITY": "plain",
    }


def _wait_for_backfill(instance: dg.DagsterInstance, backfill_id: str, cluster: ScaleOut) -> list:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
        if len(runs) == len(WEEKS) and all(run.is_finished for run in runs):
            return sorted(runs, key=lambda run: run.tags["dagster/partition"])
        for name, process in cluster.processes.items():
            assert process.poll() is None, f"{name} exited: {cluster.log(name)[-3000:]}"
        time.sleep(2)
    raise AssertionError(f"backfill not finished; daemon log: {cluster.log('daemon')[-3000:]}")


def _steps(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[int, float, float]]:
    """step key -> (process id that ran it, start, end) from the run's event log."""
    started, ended = {}, {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == DagsterEventType.STEP_START:
            started[event.step_key] = (event.pid, entry.timestamp)
        elif event.event_type == DagsterEventType.STEP_SUCCESS:
            ended[event.step_key] = entry.timestamp
    return {key: (pid, start, ended[key]) for key, (pid, start) in started.items()}


def _ledger(rows: list[tuple]) -> set[tuple]:
    return {(site, str(week)[:10], recipient, status) for site, week, recipient, status, _ in rows}


def _mail(handler: RecordingHandler) -> Counter:
    return Counter(
        (address, r.message["Subject"]) for r in handler.received for address in r.rcpt_tos
    )


def test_a_backfill_runs_two_weeks_at_once_on_two_workers_as_the_sequential_run(
    tmp_path, smtp, monkeypatch
):
    landing = tmp_path / "landing"
    tiny_landing(landing)
    dist_port, dist_mail = smtp()
    seq_port, seq_mail = smtp()

    dist, seq = tmp_path / "distributed", tmp_path / "sequential"
    dist.mkdir()
    seq.mkdir()
    env = dict(cli_env(dist, COMPETENCE_LANDING_DIR=str(landing), **_mail_env(dist_port)))
    cluster = ScaleOut(tmp_path / "cluster", running_env(env), workers=2)
    cluster.env.update(scale_out_env(cluster))
    try:
        cluster.start()
        launched = competence_launch(cluster.env, dist)
        for name in ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_DB", "DAGSTER_PG_USER"):
            monkeypatch.setenv(name, cluster.env[name])
        monkeypatch.setenv("DAGSTER_PG_PASSWORD", cluster.env["DAGSTER_PG_PASSWORD"])
        with dg.DagsterInstance.from_config(str(cluster.home)) as instance:
            assert instance.get_backfill(launched) is not None, launched
            runs = _wait_for_backfill(instance, launched, cluster)
            assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS] * 3, [
                cluster.log("daemon")[-2000:]
            ]
            steps = {run.run_id: _steps(instance, run.run_id) for run in runs}
            records = {
                r.dagster_run.run_id: r
                for r in instance.get_run_records(
                    filters=dg.RunsFilter(run_ids=[run.run_id for run in runs])
                )
            }
        with (
            psycopg2.connect(cluster.ledger_url) as connection,
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "SELECT site, week, recipient, status, report_sha256 "
                "FROM competence.delivery_ledger"
            )
            dist_ledger = cursor.fetchall()
            cursor.execute("SELECT DISTINCT week FROM competence.certification_status")
            dist_weeks = sorted(str(week)[:10] for (week,) in cursor.fetchall())
        connection.close()
    finally:
        cluster.stop()

    # --- spread over the workers, two weeks at once ---------------------------------------
    workers = set(cluster.worker_pids().values())
    every_step = [step for run in steps.values() for step in run.values()]
    assert len(every_step) >= 3 * 8, steps  # every asset step of each week ran ...
    assert {pid for pid, _, _ in every_step} == workers  # ... on the workers, both of them
    spans = [(records[run.run_id].start_time, records[run.run_id].end_time) for run in runs]
    overlapping = [
        (a, b) for a in range(3) for b in range(a + 1, 3) if _overlap(spans[a], spans[b])
    ]
    assert overlapping, spans  # two runs (weeks) at once ...
    # ... whose steps ran at the same moment on the two different workers
    assert any(
        pa != pb and _overlap((sa, ea), (sb, eb))
        for a, b in overlapping
        for pa, sa, ea in steps[runs[a].run_id].values()
        for pb, sb, eb in steps[runs[b].run_id].values()
    ), steps
    assert sorted(run.tags["dagster/partition"] for run in runs) == WEEKS
    # the weeks were written to the shared warehouse, none to a local DuckDB file
    assert dist_weeks == WEEKS and not (dist / "var/warehouse.duckdb").exists()
    # each week's reports were rendered in steps of their own, on the workers
    for run in runs:
        renders = [key for key in steps[run.run_id] if "render_report_chunk" in key]
        assert renders and {steps[run.run_id][key][0] for key in renders} <= workers, steps

    # --- the same weeks one after another, embedded ----------------------------------------
    seq_env = cli_env(seq, COMPETENCE_LANDING_DIR=str(landing), **_mail_env(seq_port))
    seq_env["DAGSTER_HOME"] = str(seq / "dagster_home")
    (seq / "dagster_home").mkdir(parents=True)
    done = competence(seq_env, "run", "--from", WEEKS[0], "--to", WEEKS[-1], "--send-mail")
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(seq / "var/warehouse.duckdb"), read_only=True) as con:
        seq_ledger = con.execute(
            "SELECT site, week, recipient, status, report_sha256 FROM main.delivery_ledger"
        ).fetchall()

    # status exports: byte for byte
    for week in WEEKS:
        for name in EXPORTS:
            produced = (dist / "var/status" / week / name).read_bytes()
            assert produced == (seq / "var/status" / week / name).read_bytes(), (week, name)
    # the ledger: the same (site, week, recipient) delivered, each once
    assert _ledger(dist_ledger) == _ledger(seq_ledger)
    assert len(dist_ledger) == len(_ledger(dist_ledger)) and {r[3] for r in dist_ledger} == {"SENT"}
    assert {r[1].isoformat() if hasattr(r[1], "isoformat") else r[1] for r in dist_ledger} == set(
        WEEKS
    )
    # one mail per recipient and week, the same as the sequential run's
    assert set(_mail(dist_mail).values()) == {1}
    assert _mail(dist_mail) == _mail(seq_mail)
    # each ledger row's report is the PDF in the archive; the PDFs read the same but for run ids
    run_ids = {run.run_id for run in runs} | _run_ids(seq_env)
    for site, week, _recipient, _status, sha in dist_ledger:
        week_key = str(week)[:10]
        name = "company.pdf" if site == "company" else f"{site}.pdf"
        produced = (dist / "var/reports" / week_key / name).read_bytes()
        assert hashlib.sha256(produced).hexdigest() == sha
        sequential = (seq / "var/reports" / week_key / name).read_bytes()
        assert _masked(pdf_text(produced), run_ids) == _masked(pdf_text(sequential), run_ids)


def competence_launch(env: dict[str, str], cwd: Path) -> str:
    """The UI's backfill of every asset for WEEKS with mail on; returns the backfill id."""
    import subprocess
    import sys

    launched = subprocess.run(
        [sys.executable, "-m", "tests.operations.launch_backfill", *WEEKS, SEND_MAIL],
        env={**env, "PYTHONPATH": str(PROJECT_ROOT)},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert launched.returncode == 0, launched.stderr[-3000:]
    cwd.mkdir(parents=True, exist_ok=True)
    [line] = [x for x in launched.stdout.splitlines() if x.startswith("backfill ")]
    return line.split()[1]


def _run_ids(env: dict[str, str]) -> set[str]:
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        return {run.run_id for run in instance.get_runs()}


def _masked(text: str, run_ids: set[str]) -> str:
    for run_id in run_ids:
        text = text.replace(run_id, "<run id>").replace(run_id[:8], "<run id>")
    return text


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return max(a[0], b[0]) < min(a[1], b[1])
