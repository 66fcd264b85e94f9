"""The SMTP client pieces smtplib does not provide: a DATA step that tells "the message data
went out and no answer came" (an unknown outcome) from a failure before it, and AUTH with
credentials in UTF-8."""

from __future__ import annotations

import base64
import contextlib
import re
import smtplib
import socket
import ssl


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
        """MAIL, RCPT, DATA; the recipients refused (when others were accepted).

        Addresses beyond ASCII need the server's SMTPUTF8 extension, as in smtplib.send_message
        (the caller then generates ``payload`` with a ``utf8=True`` policy)."""
        options: list[str] = []
        if not all(address.isascii() for address in (sender, *recipients)):
            if not self.has_extn("smtputf8"):
                raise smtplib.SMTPNotSupportedError(
                    "an address needs internationalized e-mail, but the server does not "
                    "offer SMTPUTF8"
                )
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        code, reply = self.mail(sender, options)
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


class DeliveryError(Exception):
    """A failed attempt, classified (the mailer scrubs credentials from its text)."""

    def __init__(
        self,
        text: str,
        *,
        permanent: bool,
        unreachable: bool = False,
        unknown: bool = False,
        connection: bool = False,
    ) -> None:
        super().__init__(text)
        self.permanent = permanent
        self.unreachable = unreachable
        self.unknown = unknown  # the server may have accepted the message
        self.connection = connection or unreachable  # refused, timed out or dropped


def classify(exc: BaseException, doing: str, *, connecting: bool = False) -> DeliveryError:
    """Name the failure and decide whether retrying within this run can help (the caller
    scrubs credentials from the text)."""
    text = f"{doing}: {type(exc).__name__}: {exc}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        detail = ", ".join(
            f"{address} ({code} {_decode(reply)})"
            for address, (code, reply) in sorted(exc.recipients.items())
        )
        permanent = all(500 <= code < 600 for code in codes)
        return DeliveryError(f"{doing}: recipient refused: {detail}", permanent=permanent)
    if isinstance(exc, smtplib.SMTPResponseException):
        # 4xx: the server asks us to come back later; 5xx: it will never accept this.
        text = f"{doing}: {type(exc).__name__}: {exc.smtp_code} {_decode(exc.smtp_error)}"
        permanent = 500 <= exc.smtp_code < 600
        return DeliveryError(
            text,
            permanent=permanent,
            unreachable=connecting and not permanent,
            connection=exc.smtp_code == 421,  # "service not available, closing channel"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError | ssl.SSLError):
        # Wrong security mode, untrusted certificate, no AUTH offered: configuration, which
        # the same attempt a second later will not fix.
        return DeliveryError(text, permanent=True)
    if isinstance(exc, smtplib.SMTPServerDisconnected | socket.timeout | OSError):
        return DeliveryError(text, permanent=False, unreachable=connecting, connection=True)
    return DeliveryError(text, permanent=False)


def _decode(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
