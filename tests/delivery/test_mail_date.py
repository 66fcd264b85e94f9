"""The Date header of a mailed report is the time it was sent, not the week's nominal send time
(a real SMTP server on loopback)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from assets.delivery.dispatch import deliver_reports
from tests.delivery.support import make_report, smtp_mailer


def test_a_sent_report_is_dated_when_it_was_sent(smtp_server, tmp_path):
    server = smtp_server()
    before = datetime.now(UTC).replace(microsecond=0)
    result = deliver_reports(
        [make_report("DAYTON", ["qm.dayton@example.com"], tmp_path)],
        smtp_mailer(server.port),
        tmp_path / "warehouse.duckdb",
        "run-1",
        send=True,
    )
    after = datetime.now(UTC) + timedelta(seconds=1)
    assert len(result.delivered) == 1
    [received] = server.handler.received
    sent = parsedate_to_datetime(received.message["Date"])
    assert before <= sent <= after, (received.message["Date"], before, after)
    assert sent.date() != datetime(2026, 11, 23).date()  # not the nominal Monday 06:00 UTC
