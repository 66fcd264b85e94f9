"""The delivery ledger in PostgreSQL (COMPETENCE_LEDGER_URL): exactly once across workers.

Two workers — separate processes with separate output folders and DuckDB warehouses, as on two
machines — materialize the same week's ``email_delivery`` at the same moment against one
PostgreSQL ledger and one SMTP server, both real and on loopback. The database is all that
stands between them and a second copy of every message.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import psycopg2
import pytest
import yaml

from assets.delivery.dispatch import deliver_reports
from assets.delivery.ledger import DeliveryKey, claim, plan_deliveries, read_ledger
from assets.delivery.ledger_store import LedgerUnavailable, PostgresLedger
from assets.environment import SettingsError, read_environment
from assets.resources import CompetenceSettings
from tests.conftest import PROJECT_ROOT
from tests.delivery.conftest import LEDGER_DB_PASSWORD, postgres_ledger_url
from tests.delivery.support import RecordingHandler, free_port, make_report, smtp_mailer

WEEK = date(2026, 11, 16)
DAYTON = [f"qm{n}.dayton@example.com" for n in range(5)]
READERS = [f"reader{n}@example.com" for n in range(3)]


def _config(tmp_path: Path) -> Path:
    """The project's configuration, with more recipients so the two workers overlap longer."""
    folder = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", folder)
    recipients = yaml.safe_load((folder / "recipients.yaml").read_text())
    recipients["sites"]["DAYTON"] = DAYTON
    recipients["company"] = READERS
    recipients["contact"] = READERS[0]
    (folder / "recipients.yaml").write_text(yaml.safe_dump(recipients))
    return folder


def _worker(tmp_path: Path, name: str, config: Path, port: int, go: Path, url: str | None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPETENCE_")}
    if url:
        env["COMPETENCE_LEDGER_URL"] = url
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.delivery.dagster_week_process",
            str(tmp_path / name),
            str(config),
            str(port),
            str(go),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _ledger_rows(url: str) -> list[tuple]:
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT site, week, recipient, report_sha256, status, run_id "
            "FROM competence.delivery_ledger ORDER BY site, recipient"
        )
        rows = cursor.fetchall()
    connection.close()
    return rows


def test_two_workers_send_the_same_week_at_once_and_each_recipient_gets_one(
    smtp_server, ledger_postgres, tmp_path
):
    handler = RecordingHandler(hang_data=0.4)  # eight messages: a few seconds of sending each
    server = smtp_server(handler=handler)
    url = postgres_ledger_url(ledger_postgres)
    config, go = _config(tmp_path), tmp_path / "go"
    workers = [_worker(tmp_path, f"worker{n}", config, server.port, go, url) for n in (1, 2)]
    time.sleep(0.5)
    go.touch()  # both processes have imported everything: they start together
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert all(r["success"] for r in results), results
    # the two email_delivery steps ran at the same time
    (s1, e1), (s2, e2) = ((r["started"], r["ended"]) for r in results)
    assert max(s1, s2) < min(e1, e2), results

    everyone = DAYTON + READERS
    assert handler.per_recipient() == {r: 1 for r in everyone}
    rows = _ledger_rows(url)
    assert sorted(r[2] for r in rows) == sorted(everyone)  # one row per (site, week, recipient)
    assert {r[4] for r in rows} == {"SENT"}
    assert {r[1] for r in rows} == {WEEK}
    assert {(r[0], r[3]) for r in rows if r[2] in DAYTON} == {("DAYTON", _sha(handler, DAYTON[0]))}
    assert {r[5] for r in rows} <= {r["run_id"] for r in results}
    # every message went out under the Message-ID the ledger holds for it
    ids = {m.message["Message-ID"] for m in handler.received}
    assert len(ids) == len(everyone)


def _sha(handler: RecordingHandler, recipient: str) -> str:
    import hashlib

    [received] = handler.to(recipient)
    [attachment] = received.message.iter_attachments()
    return hashlib.sha256(attachment.get_content()).hexdigest()


def test_claims_from_many_processes_at_once_go_to_exactly_one(ledger_postgres, tmp_path):
    """Eight processes claim the same twenty keys at the same moment: each key is claimed by one."""
    url = postgres_ledger_url(ledger_postgres)
    go = tmp_path / "go"
    code = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from datetime import date\n"
        "from assets.delivery.ledger import DeliveryKey, claim\n"
        "from assets.delivery.ledger_store import PostgresLedger\n"
        "ledger = PostgresLedger(sys.argv[1])\n"
        "while not Path(sys.argv[2]).exists(): time.sleep(0.005)\n"
        "won = [n for n in range(20) if claim(ledger, DeliveryKey('S', date(2026, 11, 16),\n"
        "       f'r{n}@example.com', 'h'), run_id=sys.argv[3], message_id=f'<{n}@x>')[0]]\n"
        "print(json.dumps(won))\n"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, url, str(go), f"run-{n}"],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    time.sleep(1.0)
    go.touch()
    won = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        won.extend(json.loads(out))
    assert sorted(won) == list(range(20))  # every key claimed, none twice
    rows = read_ledger(PostgresLedger(url))
    assert len(rows) == 20 and set(rows["status"]) == {"SENDING"}


def test_planning_creates_nothing_and_a_live_claim_is_left_alone(ledger_postgres):
    ledger = PostgresLedger(postgres_ledger_url(ledger_postgres))
    key = DeliveryKey("S1", WEEK, "a@example.com", "h1")
    [decision] = plan_deliveries(ledger, [key], resend_changed=False)
    assert decision.send
    assert read_ledger(ledger).empty
    with psycopg2.connect(ledger.url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('competence.delivery_ledger')")
        assert cursor.fetchone() == (None,)  # planning did not create the table
    connection.close()
    assert claim(ledger, key, run_id="r1", message_id="<1@x>") == (True, None)
    # this process is alive but run r1 is not delivering any more: its intent is abandoned
    assert claim(ledger, key, run_id="r2", message_id="<1@x>") == (False, "UNKNOWN")
    assert claim(ledger, key, run_id="r2", message_id="<1@x>", take_unknown=True) == (
        True,
        "UNKNOWN",
    )


def test_the_ledger_url_comes_from_the_environment_and_its_password_is_never_shown(
    ledger_postgres, smtp_server, tmp_path, monkeypatch, caplog
):
    url = postgres_ledger_url(ledger_postgres)
    monkeypatch.setenv("COMPETENCE_LEDGER_URL", url)
    settings = CompetenceSettings.from_environment()
    assert settings.ledger == PostgresLedger(url)
    shown = [repr(settings), str(settings), repr(settings.ledger), str(read_environment())]
    caplog.set_level(logging.DEBUG)
    server = smtp_server()
    report = make_report("DAYTON", DAYTON[:2], tmp_path)
    result = deliver_reports([report], smtp_mailer(server.port), settings.ledger, "r1", send=True)
    assert len(result.delivered) == 2
    shown += [caplog.text, read_ledger(settings.ledger).to_csv(), result.to_markdown()]

    # libpq's PGPASSWORD works as well, for a URL without the password
    bare = url.replace(":" + url.split("@")[0].split(":")[-1] + "@", "@")
    assert "@127.0.0.1" in bare and LEDGER_DB_PASSWORD not in unquote(bare)
    monkeypatch.setenv("PGPASSWORD", LEDGER_DB_PASSWORD)
    assert len(read_ledger(PostgresLedger(bare))) == 2
    monkeypatch.delenv("PGPASSWORD")

    # a wrong password and an unreachable server: the error names the ledger, not the secret
    wrong = url.replace("@127.0.0.1", "x@127.0.0.1")
    with pytest.raises(LedgerUnavailable) as refused:
        read_ledger(PostgresLedger(wrong))
    assert "password authentication failed" in str(refused.value)
    closed = f"postgresql://postgres:{LEDGER_DB_PASSWORD}@127.0.0.1:{free_port()}/ledger"
    with pytest.raises(LedgerUnavailable) as unreachable:
        plan_deliveries(
            PostgresLedger(closed), [DeliveryKey("S", WEEK, "a@x.com", "h")], resend_changed=False
        )
    monkeypatch.setenv("COMPETENCE_LEDGER_URL", "mysql://postgres:" + LEDGER_DB_PASSWORD + "@h/db")
    with pytest.raises(SettingsError) as bad:
        read_environment()
    assert "COMPETENCE_LEDGER_URL = 'mysql://postgres:***@h/db'" in str(bad.value)
    shown += [str(refused.value), str(unreachable.value), str(bad.value)]
    for text in shown:
        assert LEDGER_DB_PASSWORD not in text
        assert "s3cret" not in text  # nor its percent-encoded form


def test_status_counts_mail_from_the_postgres_ledger(ledger_postgres, smtp_server, tmp_path):
    import dagster as dg

    from pipelines.week_status import week_statuses

    ledger = PostgresLedger(postgres_ledger_url(ledger_postgres))
    server = smtp_server(handler=RecordingHandler(reject={DAYTON[2]}))
    report = make_report("DAYTON", DAYTON[:3], tmp_path)
    deliver_reports([report], smtp_mailer(server.port), ledger, "r1", send=True)
    closed = PostgresLedger(f"postgresql://postgres@127.0.0.1:{free_port()}/ledger")
    with dg.instance_for_test() as instance:
        [status] = week_statuses(instance, ledger)
        [unreachable] = week_statuses(instance, closed) or [None]
    assert (status.week, status.mailed, status.mail_failed) == ("2026-11-16", 2, 1)
    assert unreachable is None  # no run and no readable ledger: nothing to list, no traceback
