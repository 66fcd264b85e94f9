"""The SMTP client pieces smtplib does not provide: a DATA step that tells "the message data
went out and no answer came" (an unknown outcome) from a failure before it, and AUTH with
credentials in UTF-8."""

from __future__ import annotations

import base64
import contextlib
import re
import smtplib


class Client(smtplib.SMTP):
    """smtplib's client with the DATA step split, so a failure after the message data was sent
    (an unknown outcome) is told apart from one before it (not delivered)."""

    data_sent = False
    data_reply: int | None = None

    def data(self, msg):  # type: ignore[override]
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        # dot-stuffing and the terminating line, as smtplib.SMTP.data does
        body = re.sub(rb"(?m)^\.", b"..", msg)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        self.send(body + b".\r\n")
        self.data_sent = True
        code, reply = self.getreply()
        self.data_reply = code
        return code, reply

    def transaction(
        self, sender: str, recipients: list[str], payload: bytes
    ) -> dict[str, tuple[int, bytes]]:
        """MAIL, RCPT, DATA; the recipients refused (when others were accepted)."""
        code, reply = self.mail(sender)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        refused = {}
        for recipient in recipients:
            code, reply = self.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if len(refused) == len(recipients):
            raise smtplib.SMTPRecipientsRefused(refused)
        code, reply = self.data(payload)
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        return refused


class TlsClient(Client, smtplib.SMTP_SSL):
    """Implicit TLS (port 465) with the same split DATA step."""


def login_utf8(client: smtplib.SMTP, user: str, password: str) -> None:
    """AUTH PLAIN or LOGIN with the credentials in UTF-8.

    ``smtplib.SMTP.login`` encodes the credentials as ASCII, so a password with any other
    character failed before reaching the server. Servers without PLAIN or LOGIN fall back to
    smtplib (CRAM-MD5; ASCII only, as that mechanism defines no other encoding).
    """
    if not client.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("the server offers no SMTP AUTH")
    offered = client.esmtp_features["auth"].upper().split()
    if "PLAIN" in offered:
        token = _b64(b"\0" + user.encode() + b"\0" + password.encode())
        code, reply = client.docmd("AUTH", f"PLAIN {token}")
    elif "LOGIN" in offered:
        code, reply = client.docmd("AUTH", "LOGIN")
        if code == 334:
            code, reply = client.docmd(_b64(user.encode()))
        if code == 334:
            code, reply = client.docmd(_b64(password.encode()))
    else:
        client.login(user, password)
        return
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def close_quietly(client: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        client.close()
