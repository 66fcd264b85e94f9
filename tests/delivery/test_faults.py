"""Exactly once under faults, against a real SMTP server on loopback that misbehaves on purpose.

Every test counts the messages the server received per recipient and reads the ledger.
"""

from __future__ import annotations

import duckdb
import pytest

from assets.delivery.dispatch import deliver_reports
from assets.delivery.ledger import UNKNOWN_CONFIRMED, UNKNOWN_HELD, read_ledger
from tests.delivery.support import (
    SMTP_USER,
    UNICODE_PASSWORD,
    RecordingHandler,
    make_report,
    smtp_mailer,
)

FIVE = [f"qm{n}@example.com" for n in range(5)]


def _reports(tmp_path, recipients=FIVE):
    return [make_report("DAYTON", recipients, tmp_path)]


def _statuses(ledger) -> dict[str, str]:
    return dict(zip(ledger["recipient"], ledger["status"], strict=True))


def test_421_at_quit_after_250_is_a_success_and_nothing_is_sent_twice(
    smtp_server, tmp_path, ledger_at
):
    handler = RecordingHandler(quit_reply="421 4.3.2 shutting down")
    server = smtp_server(handler=handler)
    ledger = ledger_at
    mailer = smtp_mailer(server.port, max_attempts=3)

    first = deliver_reports(_reports(tmp_path), mailer, ledger, "r1", send=True)
    assert len(first.delivered) == 5 and first.failure_summary() is None
    assert handler.per_recipient() == {r: 1 for r in FIVE}
    assert set(read_ledger(ledger)["status"]) == {"SENT"}
    assert read_ledger(ledger)["attempts"].tolist() == [1] * 5

    again = deliver_reports(_reports(tmp_path), mailer, ledger, "r2", send=True)
    assert again.results == [] and again.failure_summary() is None
    assert handler.per_recipient() == {r: 1 for r in FIVE}


def test_server_hanging_after_data_is_unknown_held_and_the_breaker_stops_the_run(
    smtp_server, tmp_path, ledger_at
):
    handler = RecordingHandler(hang_data=3.0)
    server = smtp_server(handler=handler)
    ledger = ledger_at
    mailer = smtp_mailer(server.port, timeout_seconds=0.5, max_attempts=3, breaker_failures=2)

    hung = deliver_reports(_reports(tmp_path), mailer, ledger, "r1", send=True)
    # two timeouts, no retry of either (the server may have them), then the breaker
    assert handler.per_recipient() == {FIVE[0]: 1, FIVE[1]: 1}
    statuses = _statuses(read_ledger(ledger))
    assert [statuses[r] for r in FIVE] == ["UNKNOWN"] * 2 + ["FAILED"] * 3
    rows = read_ledger(ledger).set_index("recipient")
    assert rows.loc[FIVE[0], "attempts"] == 1
    assert "outcome unknown" in rows.loc[FIVE[0], "last_error"]
    assert rows.loc[FIVE[2], "attempts"] == 0
    assert "circuit breaker: 2 consecutive connection failures" in rows.loc[FIVE[2], "last_error"]
    summary = hung.failure_summary()
    assert summary.startswith("5 of 5 e-mail(s) due were not delivered.")
    assert f"Outcome unknown, not re-sent automatically: {FIVE[0]} (DAYTON), {FIVE[1]}" in summary
    assert all(f"{r} (DAYTON: not attempted: circuit breaker" in summary for r in FIVE[2:])

    # the server recovers: the next run sends the three not reached, and holds the two unknown
    handler.hang_data = 0
    healed = deliver_reports(_reports(tmp_path), mailer, ledger, "r2", send=True)
    assert handler.per_recipient() == {r: 1 for r in FIVE}
    assert [(k.recipient, status) for k, status, _ in healed.not_reached()] == [
        (FIVE[0], "UNKNOWN"),
        (FIVE[1], "UNKNOWN"),
    ]
    assert {d.key.recipient for d in healed.decisions if d.reason == UNKNOWN_HELD} == set(FIVE[:2])

    # the operator checked the server log: one re-sent with the same Message-ID ...
    first_id = handler.to(FIVE[0])[0].message["Message-ID"]
    resent = deliver_reports(
        [make_report("DAYTON", FIVE[:1], tmp_path)],
        mailer,
        ledger,
        "r3",
        send=True,
        unknown_outcome="resend",
    )
    assert resent.failure_summary() is None
    assert [r.message["Message-ID"] for r in handler.to(FIVE[0])] == [first_id, first_id]
    # ... and the other confirmed as arrived, without sending
    confirmed = deliver_reports(
        _reports(tmp_path), mailer, ledger, "r4", send=True, unknown_outcome="confirm"
    )
    assert confirmed.failure_summary() is None
    assert [d.reason for d in confirmed.decisions if d.key.recipient == FIVE[1]] == [
        UNKNOWN_CONFIRMED
    ]
    assert handler.per_recipient() == {FIVE[0]: 2, **{r: 1 for r in FIVE[1:]}}
    assert set(read_ledger(ledger)["status"]) == {"SENT"}
    assert (
        "confirmed delivered by the operator in run r4"
        in (read_ledger(ledger).set_index("recipient").loc[FIVE[1], "last_error"])
    )


def test_run_deadline_bounds_a_hung_server(smtp_server, tmp_path):
    handler = RecordingHandler(hang_data=3.0)
    server = smtp_server(handler=handler)
    mailer = smtp_mailer(
        server.port, timeout_seconds=0.5, breaker_failures=99, run_deadline_seconds=1.2
    )
    result = deliver_reports(_reports(tmp_path), mailer, tmp_path / "w.duckdb", "r1", send=True)
    # each hung message takes at least its 0.5 s timeout: the fourth starts after the deadline
    errors = [r.outcome.error for r in result.results]
    assert len(errors) == 5
    assert sum("deadline (1.2 s) passed" in e for e in errors) >= 2
    assert len(handler.received) <= 3


def test_dropped_connections_fail_name_the_recipients_and_the_next_run_retries(
    smtp_server, tmp_path
):
    handler = RecordingHandler(drop_at="MAIL")
    server = smtp_server(handler=handler)
    ledger = tmp_path / "warehouse.duckdb"
    mailer = smtp_mailer(server.port, max_attempts=2)

    dropped = deliver_reports(_reports(tmp_path), mailer, ledger, "r1", send=True)
    assert dropped.delivered == [] and handler.received == []
    summary = dropped.failure_summary()
    assert "5 of 5 e-mail(s) due were not delivered. Not reached (the next run retries them):" in (
        summary
    )
    assert all(r in summary for r in FIVE)
    rows = read_ledger(ledger).set_index("recipient")
    # three messages tried (2 attempts each), then the breaker: the last two not attempted
    assert [rows.loc[r, "attempts"] for r in FIVE] == [2, 2, 2, 0, 0]
    assert set(rows["status"]) == {"FAILED"}

    handler.drop_at = None
    healed = deliver_reports(_reports(tmp_path), mailer, ledger, "r2", send=True)
    assert healed.failure_summary() is None
    assert handler.per_recipient() == {r: 1 for r in FIVE}


def test_connection_dropped_after_the_data_is_unknown_not_resent(smtp_server, tmp_path, ledger_at):
    handler = RecordingHandler(drop_at="DATA")
    server = smtp_server(handler=handler)
    ledger = ledger_at
    mailer = smtp_mailer(server.port, max_attempts=3)
    deliver_reports(_reports(tmp_path, FIVE[:1]), mailer, ledger, "r1", send=True)
    handler.drop_at = None
    rerun = deliver_reports(_reports(tmp_path, FIVE[:1]), mailer, ledger, "r2", send=True)
    assert handler.per_recipient() == {FIVE[0]: 1}
    assert [status for _, status, _ in rerun.not_reached()] == ["UNKNOWN"]
    assert _statuses(read_ledger(ledger)) == {FIVE[0]: "UNKNOWN"}


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_a_non_ascii_password_authenticates(smtp_server, ca_file, tmp_path, mode):
    server = smtp_server(mode)
    mailer = smtp_mailer(
        server.port, security=mode, username=SMTP_USER, password=UNICODE_PASSWORD, ca_file=ca_file
    )
    ledger = tmp_path / "warehouse.duckdb"
    result = deliver_reports(_reports(tmp_path, FIVE[:1]), mailer, ledger, "r1", send=True)
    assert result.failure_summary() is None
    assert server.handler.authenticated == [True]
    assert server.handler.per_recipient() == {FIVE[0]: 1}
    assert UNICODE_PASSWORD not in read_ledger(ledger).to_csv()


def test_wrong_non_ascii_password_is_a_clear_refusal(smtp_server, ca_file, tmp_path):
    server = smtp_server("starttls")
    wrong = "Wrøng-" + UNICODE_PASSWORD
    mailer = smtp_mailer(
        server.port, security="starttls", username=SMTP_USER, password=wrong, ca_file=ca_file
    )
    result = deliver_reports(
        _reports(tmp_path, FIVE[:1]), mailer, tmp_path / "w.duckdb", "r1", send=True
    )
    [failed] = result.failed
    assert "535" in failed.outcome.error and wrong not in failed.outcome.error
    assert "UnicodeEncodeError" not in failed.outcome.error
    assert server.handler.received == []


def test_an_older_ledger_is_rebuilt_typed_keeping_its_rows(smtp_server, tmp_path):
    """A ledger from before the intent states, whose error column was created NULL-typed."""
    ledger = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(ledger)) as connection:
        connection.execute(
            "CREATE TABLE delivery_ledger AS SELECT 'DAYTON' AS site, DATE '2026-11-16' AS week, "
            f"'{FIVE[0]}' AS recipient, 'old-hash' AS report_sha256, '2026-W47' AS iso_week, "
            "'SENT' AS status, 1 AS attempts, NULL AS last_error, "
            "TIMESTAMP '2026-11-23 06:00' AS first_attempt_at, "
            "TIMESTAMP '2026-11-23 06:00' AS last_attempt_at, "
            "TIMESTAMP '2026-11-23 06:00' AS delivered_at, '<old@x>' AS message_id, "
            "'r0' AS run_id"
        )
    handler = RecordingHandler(reject={FIVE[1]})
    server = smtp_server(handler=handler)
    result = deliver_reports(
        _reports(tmp_path, FIVE[1:2]), smtp_mailer(server.port), ledger, "r1", send=True
    )
    assert [r.key.recipient for r in result.failed] == [FIVE[1]]
    rows = read_ledger(ledger).set_index("recipient")
    assert rows.loc[FIVE[0], "status"] == "SENT" and rows.loc[FIVE[0], "message_id"] == "<old@x>"
    assert "550" in rows.loc[FIVE[1], "last_error"]
    with duckdb.connect(str(ledger)) as connection:
        types = dict(
            connection.execute(
                "SELECT column_name, data_type FROM duckdb_columns() "
                "WHERE table_name = 'delivery_ledger'"
            ).fetchall()
        )
    assert types["last_error"] == "VARCHAR" and types["owner_pid"] == "INTEGER"


def test_an_international_address_needs_and_uses_smtputf8(smtp_server, tmp_path):
    address = "josé.qualität@example.com"
    plain = smtp_server(enable_SMTPUTF8=False)
    refused = deliver_reports(
        _reports(tmp_path, [address]), smtp_mailer(plain.port), tmp_path / "a.duckdb", "r1", True
    )
    [failed] = refused.failed
    assert "does not offer SMTPUTF8" in failed.outcome.error and failed.outcome.permanent
    assert plain.handler.received == []

    capable = smtp_server()  # aiosmtpd offers SMTPUTF8 unless told not to
    sent = deliver_reports(
        _reports(tmp_path, [address]), smtp_mailer(capable.port), tmp_path / "b.duckdb", "r1", True
    )
    assert sent.failure_summary() is None
    assert capable.handler.per_recipient() == {address: 1}
    assert capable.handler.received[0].message["To"] == address
