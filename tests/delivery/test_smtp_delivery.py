"""End-to-end delivery against a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from assets.delivery.dispatch import deliver_reports
from assets.delivery.ledger import RETRY, read_ledger
from tests.delivery.support import (
    RecordingHandler,
    fake_pdf,
    free_port,
    make_report,
    smtp_mailer,
)

DAYTON = ["qm.dayton@example.com"]
GREENVILLE = ["qm.greenville@example.com", "deputy.greenville@example.com"]


def _two_sites(tmp_path):
    return [
        make_report("DAYTON", DAYTON, tmp_path),
        make_report("GREENVILLE", GREENVILLE, tmp_path),
    ]


def test_recipients_receive_only_their_own_site(smtp_server, tmp_path):
    server = smtp_server()
    ledger = tmp_path / "warehouse.duckdb"
    result = deliver_reports(
        _two_sites(tmp_path), smtp_mailer(server.port), ledger, "run-1", send=True
    )

    assert len(result.delivered) == 3 and result.failed == []
    assert len(server.handler.received) == 3
    for recipient, site in [
        (DAYTON[0], "DAYTON"),
        (GREENVILLE[0], "GREENVILLE"),
        (GREENVILLE[1], "GREENVILLE"),
    ]:
        [received] = server.handler.to(recipient)
        assert received.rcpt_tos == [recipient]  # one recipient per message: no shared envelope
        message = received.message
        assert message["To"] == recipient
        # a subject longer than one header line is folded before its text; Python's parser
        # keeps that fold's space, mail clients drop it
        assert message["Subject"].strip().startswith(f"Site {site} - 2026-W47")
        other = "GREENVILLE" if site == "DAYTON" else "DAYTON"
        for kind in ("plain", "html"):
            body = message.get_body(preferencelist=(kind,)).get_content()
            assert f"({site})" in body and other not in body
        assert other not in received.content.decode("ascii", "replace")
        [attachment] = message.iter_attachments()
        assert attachment.get_filename() == f"{site}_2026-W47.pdf"
    ledger_rows = read_ledger(ledger)
    assert sorted(ledger_rows["status"]) == ["SENT"] * 3
    assert set(ledger_rows["run_id"]) == {"run-1"}


def test_attachment_is_byte_identical_and_rerun_sends_nothing(smtp_server, tmp_path):
    server = smtp_server()
    ledger = tmp_path / "warehouse.duckdb"
    pdf = fake_pdf("exact bytes") * 50
    reports = [make_report("DAYTON", DAYTON, tmp_path, pdf=pdf)]
    deliver_reports(reports, smtp_mailer(server.port), ledger, "run-1", send=True)
    [received] = server.handler.received
    [attachment] = received.message.iter_attachments()
    assert attachment.get_content() == pdf
    assert received.mail_from == "competence@example.com"

    rerun = deliver_reports(reports, smtp_mailer(server.port), ledger, "run-2", send=True)
    assert rerun.results == []
    assert [d.send for d in rerun.decisions] == [False]
    assert len(server.handler.received) == 1
    assert read_ledger(ledger)["run_id"].tolist() == ["run-1"]


def test_changed_report_is_resent_only_when_asked(smtp_server, tmp_path):
    server = smtp_server()
    ledger = tmp_path / "warehouse.duckdb"
    mailer = smtp_mailer(server.port)
    deliver_reports([make_report("DAYTON", DAYTON, tmp_path)], mailer, ledger, "r1", send=True)
    changed = [make_report("DAYTON", DAYTON, tmp_path, pdf=fake_pdf("corrected"))]
    deliver_reports(changed, mailer, ledger, "r2", send=True)
    assert len(server.handler.received) == 1
    deliver_reports(changed, mailer, ledger, "r3", send=True, resend_changed=True)
    assert len(server.handler.received) == 2
    first, second = (r.message for r in server.handler.received)
    assert first["Message-ID"] != second["Message-ID"]
    assert len(read_ledger(ledger)) == 2


def test_server_down_then_up_fails_then_delivers_exactly_once(smtp_server, tmp_path):
    port = free_port()  # nothing listens here yet: connection refused
    ledger = tmp_path / "warehouse.duckdb"
    reports = _two_sites(tmp_path)

    down = deliver_reports(reports, smtp_mailer(port), ledger, "run-down", send=True)
    assert down.delivered == [] and len(down.failed) == 3
    rows = read_ledger(ledger).set_index("recipient")
    assert set(rows["status"]) == {"FAILED"}
    first = rows.loc[DAYTON[0]]
    assert first["attempts"] == 2  # max_attempts, with backoff between
    assert "ConnectionRefusedError" in first["last_error"]
    assert f"127.0.0.1:{port}" in first["last_error"]
    # the server being unreachable, the others were not each retried
    assert sorted(rows["attempts"]) == [0, 0, 2]
    assert rows["delivered_at"].isna().all()

    server = smtp_server(port=port)
    up = deliver_reports(reports, smtp_mailer(port), ledger, "run-up", send=True)
    assert {d.reason for d in up.decisions} == {RETRY}
    assert len(up.delivered) == 3
    assert sorted(len(server.handler.to(r)) for r in DAYTON + GREENVILLE) == [1, 1, 1]
    rows = read_ledger(ledger).set_index("recipient")
    assert set(rows["status"]) == {"SENT"}
    assert rows.loc[DAYTON[0], "attempts"] == 3
    assert rows["delivered_at"].notna().all()

    again = deliver_reports(reports, smtp_mailer(port), ledger, "run-again", send=True)
    assert again.results == []
    assert len(server.handler.received) == 3


def test_rejected_recipient_is_recorded_and_not_retried_in_the_run(smtp_server, tmp_path):
    handler = RecordingHandler(reject={"deputy.greenville@example.com"})
    server = smtp_server(handler=handler)
    ledger = tmp_path / "warehouse.duckdb"
    result = deliver_reports(
        _two_sites(tmp_path), smtp_mailer(server.port, max_attempts=3), ledger, "r1", send=True
    )
    assert len(result.delivered) == 2
    [failed] = result.failed
    assert failed.key.recipient == "deputy.greenville@example.com"
    assert failed.outcome.permanent
    assert handler.rcpt_attempts.count("deputy.greenville@example.com") == 1
    rows = read_ledger(ledger).set_index("recipient")
    assert rows.loc["deputy.greenville@example.com", "status"] == "FAILED"
    assert rows.loc["deputy.greenville@example.com", "attempts"] == 1
    assert "550" in rows.loc["deputy.greenville@example.com", "last_error"]
    assert rows.loc["qm.greenville@example.com", "status"] == "SENT"
    assert [r.rcpt_tos for r in handler.received] == [[DAYTON[0]], [GREENVILLE[0]]]

    # the next run retries only the failed one
    deliver_reports(_two_sites(tmp_path), smtp_mailer(server.port), ledger, "r2", send=True)
    assert handler.rcpt_attempts.count("deputy.greenville@example.com") == 2
    assert len(handler.received) == 2


def test_transient_4xx_is_retried_with_backoff(smtp_server, tmp_path):
    server = smtp_server(handler=RecordingHandler(busy=1))
    ledger = tmp_path / "warehouse.duckdb"
    result = deliver_reports(
        [make_report("DAYTON", DAYTON, tmp_path)],
        smtp_mailer(server.port, max_attempts=3),
        ledger,
        "r1",
        send=True,
    )
    [delivered] = result.delivered
    assert delivered.outcome.attempts == 2
    assert len(server.handler.received) == 1
    assert read_ledger(ledger)["attempts"].tolist() == [2]


def test_backfill_sends_and_records_nothing(smtp_server, tmp_path):
    server = smtp_server()
    ledger = tmp_path / "warehouse.duckdb"
    result = deliver_reports(
        _two_sites(tmp_path), smtp_mailer(server.port), ledger, "backfill", send=False
    )
    assert len(result.would_send) == 3
    assert result.results == []
    assert server.handler.received == []
    assert not ledger.exists()
    assert {row["status"] for row in result.rows()} == {"WOULD_SEND"}


def test_report_without_recipients_is_reported(smtp_server, tmp_path):
    server = smtp_server()
    ledger = tmp_path / "warehouse.duckdb"
    reports = [make_report("AUSTIN", [], tmp_path), make_report("DAYTON", DAYTON, tmp_path)]
    result = deliver_reports(reports, smtp_mailer(server.port), ledger, "r1", send=True)
    assert result.reports_without_recipients == ["AUSTIN"]
    assert len(server.handler.received) == 1
    assert "No recipients for: AUSTIN" in result.to_markdown()
