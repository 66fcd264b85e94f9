"""A sender killed mid-delivery, and two runs of the same week at once, in real processes.

Tests taking ``ledger_at`` run against both ledger stores (DuckDB warehouse, PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from assets.delivery.dispatch import deliver_reports
from assets.delivery.ledger import UNKNOWN_HELD, read_ledger
from assets.delivery.ledger_store import PostgresLedger
from tests.conftest import PROJECT_ROOT
from tests.delivery.support import RecordingHandler, fake_pdf, make_report, smtp_mailer

RECIPIENTS = [f"qm{n}@example.com" for n in range(6)]


def _sender(port, ledger, tmp_path, run_id, recipients) -> subprocess.Popen:
    # a PostgreSQL ledger reaches the process as its URL, as COMPETENCE_LEDGER_URL would
    where = ledger.url if isinstance(ledger, PostgresLedger) else str(ledger)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.delivery.sender_process",
            str(port),
            where,
            str(tmp_path),
            run_id,
            *recipients,
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_sender_killed_after_the_server_took_the_data_is_not_resent(
    smtp_server, tmp_path, ledger_at
):
    ledger = ledger_at
    victim: list[subprocess.Popen] = []
    handler = RecordingHandler()

    def kill_sender() -> None:
        # the server has the message; the sender dies before it hears the 250
        handler.on_data = None
        os.kill(victim[0].pid, signal.SIGKILL)

    handler.on_data = kill_sender
    server = smtp_server(handler=handler)
    victim.append(_sender(server.port, ledger, tmp_path, "run-killed", RECIPIENTS[:2]))
    assert victim[0].wait(timeout=120) == -signal.SIGKILL
    assert handler.per_recipient() == {RECIPIENTS[0]: 1}
    [intent] = read_ledger(ledger).to_dict("records")
    assert (intent["recipient"], intent["status"]) == (RECIPIENTS[0], "SENDING")
    assert intent["message_id"] == handler.received[0].message["Message-ID"]

    # the next run: the first is held as UNKNOWN, the second (never handed over) is sent
    rerun = deliver_reports(
        [make_report("DAYTON", RECIPIENTS[:2], tmp_path)],
        smtp_mailer(server.port),
        ledger,
        "run-after",
        send=True,
    )
    assert handler.per_recipient() == {RECIPIENTS[0]: 1, RECIPIENTS[1]: 1}
    assert [(k.recipient, s) for k, s, _ in rerun.not_reached()] == [(RECIPIENTS[0], "UNKNOWN")]
    assert [d.reason for d in rerun.decisions if d.key.recipient == RECIPIENTS[0]] == [UNKNOWN_HELD]
    rows = read_ledger(ledger).set_index("recipient")
    assert rows.loc[RECIPIENTS[0], "status"] == "UNKNOWN"
    assert "run-killed recorded the intent to send" in rows.loc[RECIPIENTS[0], "last_error"]
    assert rows.loc[RECIPIENTS[1], "status"] == "SENT"

    # and a further run, in its own process, still sends nothing more
    again = _sender(server.port, ledger, tmp_path, "run-again", RECIPIENTS[:2])
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert json.loads(out)["delivered"] == []
    assert handler.per_recipient() == {RECIPIENTS[0]: 1, RECIPIENTS[1]: 1}


def test_two_runs_of_the_same_week_at_once_send_each_message_once(smtp_server, tmp_path, ledger_at):
    handler = RecordingHandler(hang_data=0.3)  # slow enough for the two runs to overlap
    server = smtp_server(handler=handler)
    ledger = ledger_at
    runs = [_sender(server.port, ledger, tmp_path, f"run-{n}", RECIPIENTS) for n in (1, 2)]
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
        outputs.append(json.loads(out))
    assert handler.per_recipient() == {r: 1 for r in RECIPIENTS}
    delivered = sorted(r for o in outputs for r in o["delivered"])
    assert delivered == RECIPIENTS  # between them, each recipient once
    assert all(o["not_reached"] == 0 for o in outputs)
    ledger_rows = read_ledger(ledger)
    assert sorted(ledger_rows["recipient"]) == RECIPIENTS
    assert set(ledger_rows["status"]) == {"SENT"}


def test_an_archive_that_changed_after_rendering_is_not_mailed(smtp_server, tmp_path):
    server = smtp_server()
    archived = tmp_path / "reports" / "2026-11-16" / "DAYTON.pdf"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(fake_pdf("written by another run"))
    rendered = make_report("DAYTON", RECIPIENTS[:1], tmp_path, pdf=fake_pdf("this run"))
    from_archive = type(rendered).from_pdf(
        site="DAYTON",
        week=rendered.week,
        iso_week=rendered.iso_week,
        pdf_path=archived,
        summary=rendered.summary,
        recipients=RECIPIENTS[:1],
        expected_sha256=rendered.pdf_sha256,
    )
    ledger = tmp_path / "warehouse.duckdb"
    result = deliver_reports([from_archive], smtp_mailer(server.port), ledger, "r1", send=True)
    assert server.handler.received == []
    [(key, status, why)] = result.not_reached()
    assert (key.recipient, status) == (RECIPIENTS[0], "NOT_SENT")
    assert "changed after this run rendered it" in why
    assert f"{archived} changed after this run rendered it" in result.failure_summary()
    assert read_ledger(ledger).empty

    # when the archive holds what was rendered, its bytes are what is mailed
    archived.write_bytes(rendered.pdf_bytes)
    fresh = type(rendered).from_pdf(
        site="DAYTON",
        week=rendered.week,
        iso_week=rendered.iso_week,
        pdf_path=archived,
        summary=rendered.summary,
        recipients=RECIPIENTS[:1],
        expected_sha256=rendered.pdf_sha256,
    )
    deliver_reports([fresh], smtp_mailer(server.port), ledger, "r2", send=True)
    [received] = server.handler.received
    [attachment] = received.message.iter_attachments()
    assert attachment.get_content() == archived.read_bytes()
    assert read_ledger(ledger)["report_sha256"].tolist() == [rendered.pdf_sha256]


def test_an_archive_rewritten_mid_run_stops_mailing_that_report(smtp_server, tmp_path):
    archived = tmp_path / "reports" / "2026-11-16" / "DAYTON.pdf"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(fake_pdf("this run"))
    rendered = make_report("DAYTON", RECIPIENTS[:3], tmp_path, pdf=fake_pdf("this run"))
    handler = RecordingHandler()

    def another_run_rewrites_the_archive() -> None:
        handler.on_data = None
        archived.write_bytes(fake_pdf("another run"))

    handler.on_data = another_run_rewrites_the_archive
    server = smtp_server(handler=handler)
    report = type(rendered).from_pdf(
        site="DAYTON",
        week=rendered.week,
        iso_week=rendered.iso_week,
        pdf_path=archived,
        summary=rendered.summary,
        recipients=RECIPIENTS[:3],
        expected_sha256=rendered.pdf_sha256,
    )
    ledger = tmp_path / "warehouse.duckdb"
    result = deliver_reports([report], smtp_mailer(server.port), ledger, "r1", send=True)
    assert handler.per_recipient() == {RECIPIENTS[0]: 1}
    assert [(k.recipient, s) for k, s, _ in result.not_reached()] == [
        (RECIPIENTS[1], "NOT_SENT"),
        (RECIPIENTS[2], "NOT_SENT"),
    ]
    assert "changed while this run was mailing it" in result.failure_summary()
    assert read_ledger(ledger)["recipient"].tolist() == [RECIPIENTS[0]]
