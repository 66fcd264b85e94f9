"""Helpers shared by the delivery tests: a recording SMTP handler, report builders, a mailer."""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from assets.delivery.dispatch import ReportToSend
from assets.delivery.mailer import Mailer
from assets.delivery.message import ReportSummary

WEEK = date(2026, 11, 16)
ISO_WEEK = "2026-W47"
AS_OF = date(2026, 11, 22)
SMTP_USER = "competence-bot"
SMTP_PASSWORD = "Tr0ub4dor&3-very-secret"
# a password smtplib.login cannot send (it encodes credentials as ASCII)
UNICODE_PASSWORD = "Pässwörd-Ünïcødé-密码-🔑"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.content, policy=default_policy)


@dataclass
class RecordingHandler:
    """Accepts mail, except recipients listed in ``reject`` (550) and the first ``busy`` DATA
    commands, which get a transient 451.

    Faults: ``quit_reply`` answers QUIT (e.g. 421); ``hang_data`` seconds of silence after the
    message data arrived (the message is kept: the server may have it); ``drop_at`` ``"MAIL"``
    or ``"DATA"`` closes the connection at that command (at DATA after the data arrived);
    ``on_data`` runs when a message arrives, before the reply (e.g. to kill the sender).
    """

    reject: set[str] = field(default_factory=set)
    busy: int = 0
    quit_reply: str | None = None
    hang_data: float = 0.0
    drop_at: str | None = None
    on_data: Callable[[], None] | None = None
    received: list[Received] = field(default_factory=list)
    rcpt_attempts: list[str] = field(default_factory=list)
    authenticated: list[bool] = field(default_factory=list)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.drop_at == "MAIL":
            server.transport.close()
            return "421 4.4.2 connection dropped"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        return self.quit_reply or "221 Bye"

    def per_recipient(self) -> Counter:
        return Counter(address for r in self.received for address in r.rcpt_tos)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.rcpt_attempts.append(address)
        if address.lower() in self.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.busy > 0:
            self.busy -= 1
            return "451 4.3.0 try again later"
        self.authenticated.append(bool(session.authenticated))
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        if self.on_data is not None:
            self.on_data()
        if self.drop_at == "DATA":
            server.transport.close()
            return "421 4.4.2 connection dropped"
        if self.hang_data:
            await asyncio.sleep(self.hang_data)
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


@dataclass
class SmtpServer:
    port: int
    handler: RecordingHandler
    controller: Controller | None = None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password in (SMTP_PASSWORD.encode(), UNICODE_PASSWORD.encode())
    )
    return AuthResult(success=ok, handled=False)


def fake_pdf(label: str) -> bytes:
    return b"%PDF-1.7\n% fake report " + label.encode() + b"\n" + bytes(range(256)) + b"\n%%EOF\n"


def make_summary(site: str, tmp_path: Path, **overrides: object) -> ReportSummary:
    values: dict[str, object] = {
        "site": site,
        "site_name": f"{site.title()} plant",
        "iso_week": ISO_WEEK,
        "as_of": AS_OF,
        "compliance_rate": 0.946,
        "verdict": "amber",
        "counts": {"COMPLIANT": 35, "GRACE": 1, "NON_COMPLIANT": 2, "NOT_REQUIRED": 4},
        "findings": [
            ("7.2 a)", "CONFORMS", "Competence determined"),
            ("7.2 b)", "MINOR_NC", "Persons competent"),
            ("7.2 c)", "OBSERVATION", "Actions taken"),
            ("7.2 d)", "MINOR_NC", "Documented information"),
        ],
        "actions": [
            ("Ana Lopez", "Pass QUALITY module", date(2026, 12, 1)),
            ("Ben Ode", "Renew CPT (60 of 100 points)", date(2026, 11, 30)),
        ],
        "pdf_path": str(tmp_path / "reports" / WEEK.isoformat() / f"{site}.pdf"),
    }
    values.update(overrides)
    return ReportSummary(**values)  # type: ignore[arg-type]


def make_report(
    site: str, recipients: list[str], tmp_path: Path, *, pdf: bytes | None = None, **summary: object
) -> ReportToSend:
    data = pdf if pdf is not None else fake_pdf(site)
    report_summary = make_summary(site, tmp_path, **summary)
    return ReportToSend(
        site=site,
        week=WEEK,
        iso_week=ISO_WEEK,
        pdf_path=Path(report_summary.pdf_path),
        pdf_bytes=data,
        pdf_sha256=hashlib.sha256(data).hexdigest(),
        summary=report_summary,
        recipients=tuple(recipients),
    )


def smtp_mailer(port: int, **overrides: object) -> Mailer:
    """A mailer with tiny timeouts and backoff, so failure tests stay fast."""
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "security": "plain",
        "sender": "competence@example.com",
        "timeout_seconds": 5,
        "max_attempts": 2,
        "backoff_seconds": 0.01,
    }
    values.update(overrides)
    return Mailer(**values)  # type: ignore[arg-type]
