"""``competence run`` and ``competence status`` on real weeks, in a real subprocess.

A tiny landing folder (2 people, 41 result rows). Week 2026-11-16 is made to fail: a file sits
where its status folder must go, so landing_intake fails writing its exports — a failure no
check upstream can foresee, exactly what the data team must hear about.
"""

from __future__ import annotations

import email
import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from email import policy

import dagster as dg

from pipelines.sensors import data_team_failure_alert
from tests.pipelines.cli_support import COMPETENCE, cli_env, competence, tiny_landing

HOLDER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(300)
"""
OK_WEEK, BAD_WEEK = "2026-11-09", "2026-11-16"
ACCOUNTING = "43 rows = 42 accepted + 1 rejected + 0 de-duplicated; no file rejected whole"


def _block_week(tmp_path, week):
    blocker = tmp_path / "var/status" / week
    blocker.parent.mkdir(parents=True, exist_ok=True)
    blocker.write_text("in the way")
    return blocker


def _outbox(tmp_path):
    paths = sorted((tmp_path / "var/outbox").glob("*.eml"))
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def test_a_range_reports_each_week_alerts_the_failure_once_and_status_lists_both(
    tmp_path, monkeypatch
):
    tiny_landing(tmp_path / "landing")
    blocker = _block_week(tmp_path, BAD_WEEK)
    env = cli_env(tmp_path)

    done = competence(env, "run", "--from", OK_WEEK, "--to", BAD_WEEK)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    out = done.stdout.splitlines()
    assert out[0] == f"Running 2 weeks: {OK_WEEK} .. {BAD_WEEK}"
    assert re.fullmatch(rf"week {OK_WEEK}: ok in \d+\.\d s — {re.escape(ACCOUNTING)}", out[1]), out
    assert len(out) == 2
    failed = re.fullmatch(
        rf"week {BAD_WEEK}: FAILED in \d+\.\d s at landing_intake \(run (\w{{8}})\): "
        rf"FileExistsError: \[Errno 17\] File exists: '{re.escape(str(blocker))}'",
        done.stderr.splitlines()[0],
    )
    assert failed, done.stderr
    assert done.stderr.splitlines()[1:] == ["  data team alerted: data-team@example.com"]
    run_prefix = failed.group(1)

    # the CLI alerted directly (no daemon runs here): one alert naming week, step, first error
    [alert] = _outbox(tmp_path)
    assert alert["Subject"] == (
        f"Competence run failed - week {BAD_WEEK} - landing_intake - {run_prefix}"
    )
    assert "Failed step: landing_intake" in alert.get_content().splitlines()

    status = competence(env, "status")
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(
        rf"{OK_WEEK}  computed  run \w{{8}}  +\d{{4}}-\d\d-\d\d \d\d:\d\d UTC  not mailed", lines[0]
    ), lines
    assert re.fullmatch(
        rf"{BAD_WEEK}  FAILED    run {run_prefix}  +\S+ \S+ UTC  not mailed  at landing_intake: "
        rf"FileExistsError: \[Errno 17\] File exists: '{re.escape(str(blocker))}'",
        lines[1],
    ), lines
    newest = competence(env, "status", "--weeks", "1")
    assert newest.stdout.splitlines() == lines[1:]

    # while another process (a running week) holds the warehouse, status still answers
    warehouse = tmp_path / "var/warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        busy = competence(env, "status")
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert busy.returncode == 0
    assert [line.split("  ")[0] for line in busy.stdout.splitlines()] == [OK_WEEK, BAD_WEEK]
    assert all("mail unknown" in line for line in busy.stdout.splitlines())
    assert busy.stderr.splitlines() == [
        f"note: {warehouse} is in use by a run; mail counts not shown"
    ]

    # a daemon watching the same instance sees the CLI's run fail: it finds the alert in the
    # ledger and sends nothing more
    for name in ("COMPETENCE_LANDING_DIR", "COMPETENCE_CONFIG_DIR", "COMPETENCE_OUTPUT_DIR"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.delenv("COMPETENCE_SMTP_HOST", raising=False)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "var/dagster_home"))
    with dg.DagsterInstance.get() as instance:
        [run] = [r for r in instance.get_runs() if r.run_id.startswith(run_prefix)]
        [failure] = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        context = dg.build_run_status_sensor_context(
            sensor_name="data_team_failure_alert",
            dagster_event=failure.dagster_event,
            dagster_instance=instance,
            dagster_run=run,
        ).for_run_failure()
        data_team_failure_alert(context)
    assert len(_outbox(tmp_path)) == 1


def test_a_terminal_gets_a_progress_bar_and_the_week_lines(tmp_path):
    """stderr on a pseudo-terminal: tqdm draws the bar (count, elapsed<remaining); the week's
    line still comes. (Without a terminal, as in the test above, there is no bar at all.)"""
    tiny_landing(tmp_path / "landing")
    _block_week(tmp_path, BAD_WEEK)  # a week that fails fast: the bar is what is tested here
    env = cli_env(tmp_path, COLUMNS="120")
    leader, follower = pty.openpty()
    # a terminal window of 30 x 120, as a person's would be
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    process = subprocess.Popen(
        [COMPETENCE, "run", "--week", BAD_WEEK],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=follower,
        text=True,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=600)
    os.close(leader)
    terminal = b"".join(chunks).decode()
    assert process.returncode == 1
    assert re.search(rf"week {BAD_WEEK}: +100%.*\| 1/1 \[\d\d:\d\d<\d\d:\d\d", terminal), terminal
    assert f"week {BAD_WEEK}: FAILED in " in terminal
    assert "Traceback" not in terminal

    quiet = competence(env, "run", "--week", BAD_WEEK, "--quiet")
    assert quiet.returncode == 1
    assert "|" not in quiet.stderr and f"week {BAD_WEEK}: FAILED in " in quiet.stderr


def test_a_warehouse_that_is_down_fails_the_week_in_one_line_and_says_the_alert_was_not_sent(
    tmp_path,
):
    tiny_landing(tmp_path / "landing")
    # nothing listens on port 1: the PostgreSQL warehouse (and the ledger with it) is down
    env = cli_env(
        tmp_path, COMPETENCE_WAREHOUSE_URL="postgresql://competence:s3cret@127.0.0.1:1/dw"
    )
    env["DAGSTER_HOME"] = str(tmp_path / "dagster_home")
    (tmp_path / "dagster_home").mkdir()
    done = competence(env, "run", "--week", "2026-11-16")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2, lines  # the week's line and the alert's, each one line
    assert lines[0].startswith("week 2026-11-16: FAILED in ")
    assert "warehouse postgresql://competence:***@127.0.0.1:1/dw: cannot connect" in lines[0]
    assert lines[-1].startswith(
        "  data team NOT alerted: delivery ledger postgresql://competence:***@"
    )
    assert "s3cret" not in done.stderr + done.stdout
