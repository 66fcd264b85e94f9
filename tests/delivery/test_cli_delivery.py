"""``competence run --send-mail`` as a user runs it: undelivered mail is a failed week (exit 1)
naming the recipients not reached; the next run reaches them and sends nothing twice."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

from pipelines.sample_data import generate_sample_data
from tests.conftest import PROJECT_ROOT
from tests.delivery.support import RecordingHandler

TODAY = dt.date(2026, 11, 25)
DIRECTOR = "quality.director@example.com"  # config/recipients.yaml: the roll-up's reader


def _run_cli(tmp_path, port):
    env = {
        **os.environ,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "COMPETENCE_LANDING_DIR": str(tmp_path / "landing"),
        "COMPETENCE_OUTPUT_DIR": str(tmp_path / "var"),
        "COMPETENCE_CONFIG_DIR": str(PROJECT_ROOT / "config"),
        "COMPETENCE_RUN_DATE": TODAY.isoformat(),
        "COMPETENCE_ENGINE_THREADS": "1",
        "COMPETENCE_SMTP_HOST": "127.0.0.1",
        "COMPETENCE_SMTP_PORT": str(port),
        "COMPETENCE_SMTP_SECURITY": "plain",
    }
    for name in ("COMPETENCE_SMTP_USER", "COMPETENCE_SMTP_PASSWORD"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", "--week", "2026-11-16", "--send-mail"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_week_with_undelivered_mail_exits_non_zero_naming_them(smtp_server, tmp_path):
    generate_sample_data(tmp_path / "landing", employees=300, seed=5, today=TODAY, progress=False)
    handler = RecordingHandler(reject={DIRECTOR})
    server = smtp_server(handler=handler)

    failed = _run_cli(tmp_path, server.port)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    lines = failed.stderr.splitlines()
    # one line for the week: where it failed and the step's first error line
    [mail_line] = [line for line in lines if line.startswith("week 2026-11-16: FAILED in ")]
    assert " at email_delivery (run " in mail_line
    assert "2026-W47: 1 of " in mail_line and "e-mail(s) due were not delivered" in mail_line
    assert f"{DIRECTOR} (company: " in mail_line and "550" in mail_line
    assert "Traceback" not in failed.stderr
    reached = handler.per_recipient()
    assert DIRECTOR not in reached and reached and set(reached.values()) == {1}

    handler.reject.clear()
    retried = _run_cli(tmp_path, server.port)
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert retried.stdout.startswith("week 2026-11-16: ok in ")
    assert handler.per_recipient() == {**reached, DIRECTOR: 1}
