"""STARTTLS and implicit TLS with AUTH against a real server; the password never leaks."""

from __future__ import annotations

import base64
import logging

import pytest

from assets.delivery.dispatch import deliver_reports
from assets.delivery.ledger import read_ledger
from tests.delivery.support import SMTP_PASSWORD, SMTP_USER, make_report, smtp_mailer

DAYTON = ["qm.dayton@example.com"]
SECRET_FORMS = (
    SMTP_PASSWORD,
    base64.b64encode(SMTP_PASSWORD.encode()).decode(),
    base64.b64encode(f"\0{SMTP_USER}\0{SMTP_PASSWORD}".encode()).decode(),
)


def _our_log_text(caplog: pytest.LogCaptureFixture) -> str:
    ours = [r for r in caplog.records if "competence.delivery" in r.name]
    assert ours, "the mailer logged nothing, so the leak check would prove nothing"
    return "\n".join(r.getMessage() for r in ours)


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        for form in SECRET_FORMS:
            assert form not in text


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_encrypted_and_authenticated_delivery(smtp_server, ca_file, tmp_path, caplog, mode):
    caplog.set_level(logging.DEBUG)
    server = smtp_server(mode)
    mailer = smtp_mailer(
        server.port, security=mode, username=SMTP_USER, password=SMTP_PASSWORD, ca_file=ca_file
    )
    ledger = tmp_path / "warehouse.duckdb"
    result = deliver_reports(
        [make_report("DAYTON", DAYTON, tmp_path)], mailer, ledger, "r1", send=True
    )

    assert [r.outcome.status.value for r in result.results] == ["SENT"]
    assert server.handler.authenticated == [True]
    [received] = server.handler.received
    assert received.rcpt_tos == DAYTON
    _assert_no_secret(
        _our_log_text(caplog), repr(mailer), str(mailer), read_ledger(ledger).to_csv()
    )


def test_wrong_password_fails_permanently_without_leaking(smtp_server, ca_file, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    server = smtp_server("starttls")
    # the server expects SMTP_PASSWORD; the mailer holds another secret that must not leak either
    wrong = "Wr0ng-but-also-secret"
    mailer = smtp_mailer(
        server.port,
        security="starttls",
        username=SMTP_USER,
        password=wrong,
        ca_file=ca_file,
        max_attempts=3,
    )
    ledger = tmp_path / "warehouse.duckdb"
    result = deliver_reports(
        [make_report("DAYTON", DAYTON, tmp_path)], mailer, ledger, "r1", send=True
    )

    [failed] = result.failed
    assert failed.outcome.permanent
    assert failed.outcome.attempts == 1  # 535 is not retried within the run
    assert "535" in failed.outcome.error
    assert server.handler.received == []
    row = read_ledger(ledger).iloc[0]
    assert row["status"] == "FAILED"
    texts = (
        _our_log_text(caplog),
        failed.outcome.error,
        read_ledger(ledger).to_csv(),
        result.to_markdown(),
        repr(mailer),
    )
    for text in texts:
        assert wrong not in text
        assert base64.b64encode(wrong.encode()).decode() not in text
        assert base64.b64encode(f"\0{SMTP_USER}\0{wrong}".encode()).decode() not in text


def test_untrusted_certificate_is_refused(smtp_server, tmp_path):
    server = smtp_server("starttls")
    # no ca_file: the test CA is not in the system trust store, so verification must fail
    mailer = smtp_mailer(
        server.port, security="starttls", username=SMTP_USER, password=SMTP_PASSWORD
    )
    result = deliver_reports(
        [make_report("DAYTON", DAYTON, tmp_path)],
        mailer,
        tmp_path / "warehouse.duckdb",
        "r1",
        send=True,
    )
    [failed] = result.failed
    assert "CERTIFICATE_VERIFY_FAILED" in failed.outcome.error
    assert failed.outcome.permanent and failed.outcome.attempts == 1
    assert server.handler.received == []


def test_credentials_are_never_sent_in_clear(smtp_server, tmp_path):
    server = smtp_server("plain")
    mailer = smtp_mailer(server.port, security="plain", username=SMTP_USER, password="x")
    result = deliver_reports(
        [make_report("DAYTON", DAYTON, tmp_path)],
        mailer,
        tmp_path / "warehouse.duckdb",
        "r1",
        send=True,
    )
    [failed] = result.failed
    assert "unencrypted" in failed.outcome.error
    assert server.handler.rcpt_attempts == []
