"""The mailer resource: hands one composed e-mail to SMTP, or writes it to the outbox folder.

With no SMTP host configured (the default) every message is written as an ``.eml`` file into the
outbox, so the demo runs anywhere (docs/reports.md). With a host, the message is sent over plain
SMTP,
STARTTLS or implicit TLS, retried with exponential backoff on transient failures, and a permanent
refusal is reported rather than retried within the run. Whatever happens, ``deliver`` returns a
:class:`DeliveryOutcome` instead of raising, so one bad address never stops the other reports.

Secrets: the password is a ``dg.EnvVar`` resolved by Dagster at run time. It is excluded from the
resource's ``repr``, never logged, and scrubbed from every error text this module produces.

Wiring in ``Definitions`` (``mailer_env.mailer_from_env``: non-secret settings are read when the
code location loads; the password stays an environment-variable reference that the Dagster UI
shows by name, never by value)::

    resources = {"mailer": mailer_from_env(output_dir / "outbox")}

The attachment limit is not read there: it is ``policy.report.max_attachment_mb`` of the run's
own configuration (``CompetenceSettings.config``, loaded once per run), which the delivery asset
passes to ``deliver_reports``; so a changed ``policy.yaml`` applies to the next run without
reloading the code location, and the limit is the one pinned with the run's configuration.

An asset then declares ``mailer: Mailer`` and passes it to ``deliver_reports``; a run-failure
sensor can call ``mailer.deliver(compose_failure_message(...))`` directly.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Literal

import dagster as dg
from pydantic import Field

from assets.delivery.message import SITE_HEADER, WEEK_HEADER
from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus
from assets.delivery.retry_policy import smtp_retrying
from assets.delivery.smtp_client import (
    Client,
    DeliveryError,
    TlsClient,
    classify,
    close_quietly,
    login_utf8,
)

logger = dg.get_dagster_logger("competence.delivery")


class Mailer(dg.ConfigurableResource):
    """Sends the weekly report e-mails over SMTP, or writes them to an outbox folder.

    ``smtp_host`` empty or unset selects outbox mode. ``max_attachment_bytes`` is the size of the
    PDF *after* base64 encoding, line breaks included (what the mail server counts); the message
    composer replaces a larger PDF by a pointer to where it is stored. Unset (None, as the code
    location wires it), the run's ``policy.report.max_attachment_mb`` applies; a value set here
    overrides the policy. ``ca_file`` lets a site
    trust a private certificate authority for its mail relay; the system trust store is used
    otherwise, and certificates are always verified.
    """

    smtp_host: str | None = None
    smtp_port: int = 587
    security: Literal["plain", "starttls", "tls"] = "starttls"
    username: str | None = None
    password: str | None = Field(default=None, repr=False)
    sender: str = "competence@localhost"
    outbox_dir: str = "var/outbox"
    timeout_seconds: float = 30
    max_attempts: int = 3
    backoff_seconds: float = 2.0
    max_attachment_bytes: int | None = None
    ca_file: str | None = None
    # A hung server must not hold the run: ``timeout_seconds`` bounds each SMTP command, this
    # bounds a run's whole delivery, and after ``breaker_failures`` consecutive messages failed
    # at connection level (refused, timed out, dropped) the run stops trying the rest.
    run_deadline_seconds: float = 900
    breaker_failures: int = 3

    @property
    def outbox_mode(self) -> bool:
        return not (self.smtp_host or "").strip()

    def deliver(
        self,
        message: EmailMessage,
        *,
        deadline: float | None = None,
        on_accepted: Callable[[DeliveryOutcome], None] | None = None,
    ) -> DeliveryOutcome:
        """Deliver one message to every address in its To/Cc headers; mail errors never raise.

        ``deadline`` (a ``time.monotonic()`` value) stops retrying when reached. ``on_accepted``
        is called with the ``SENT`` outcome as soon as the server accepted the message data,
        before the session is closed, so the caller can record it before anything else can fail.
        """
        if self.outbox_mode:
            outcome = self._write_to_outbox(message)
            if outcome.delivered and on_accepted is not None:
                on_accepted(outcome)
            return outcome
        return self._send_with_retries(message, deadline, on_accepted)

    # --- outbox -------------------------------------------------------------------------------

    def outbox_path_for(self, message: EmailMessage) -> Path:
        """The deterministic ``.eml`` path of a message: ``<site>_<iso week>_<recipient>.eml``.

        A changed report re-sent for the same week and recipient overwrites the earlier file: the
        outbox holds what the recipient would have last received.
        """
        site = message.get(SITE_HEADER) or "message"
        week = message.get(WEEK_HEADER) or _safe_name(message.get("Message-ID") or "unknown")
        recipients = "+".join(sorted(address.lower() for address in _recipients_of(message)))
        return Path(self.outbox_dir) / _safe_name(f"{site}_{week}_{recipients or 'nobody'}.eml")

    def _write_to_outbox(self, message: EmailMessage) -> DeliveryOutcome:
        started = _now()
        path = self.outbox_path_for(message)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a crash never leaves half a message for a reader to open.
            partial = path.with_name(path.name + ".partial")
            partial.write_bytes(message.as_bytes(policy=SMTP_POLICY))
            partial.replace(path)
        except OSError as exc:
            error = f"could not write {path}: {type(exc).__name__}: {exc}"
            logger.warning("outbox write failed: %s", error)
            return DeliveryOutcome(
                status=DeliveryStatus.FAILED,
                attempts=1,
                first_attempt_at=started,
                last_attempt_at=_now(),
                message_id=message.get("Message-ID"),
                error=error,
                permanent=True,
            )
        logger.info("wrote %s to the outbox", path.name)
        return DeliveryOutcome(
            status=DeliveryStatus.WRITTEN_TO_OUTBOX,
            attempts=1,
            first_attempt_at=started,
            last_attempt_at=_now(),
            message_id=message.get("Message-ID"),
            outbox_path=str(path),
        )

    # --- SMTP ---------------------------------------------------------------------------------

    def _send_with_retries(
        self,
        message: EmailMessage,
        deadline: float | None,
        on_accepted: Callable[[DeliveryOutcome], None] | None,
    ) -> DeliveryOutcome:
        recipients = _recipients_of(message)
        outgoing = copy.deepcopy(message)
        # Composed messages carry a deterministic Date for the outbox; a real send is dated now,
        # because mail clients and spam filters distrust messages dated days in the past.
        del outgoing["Date"]
        outgoing["Date"] = format_datetime(_now())
        if not outgoing["From"]:
            outgoing["From"] = self.sender
        international = not all(a.isascii() for a in (self.sender, *recipients))
        payload = outgoing.as_bytes(policy=SMTP_POLICY.clone(utf8=international))

        started = _now()
        tries = max(1, self.max_attempts)

        def attempt_once(attempt: int) -> DeliveryOutcome:
            def accepted(reply: str) -> DeliveryOutcome:
                outcome = DeliveryOutcome(
                    status=DeliveryStatus.SENT,
                    attempts=attempt,
                    first_attempt_at=started,
                    last_attempt_at=_now(),
                    message_id=message.get("Message-ID"),
                    error=self._scrub(reply) if reply else None,
                )
                if on_accepted is not None:
                    on_accepted(outcome)  # recorded before QUIT: what happens then changes nothing
                return outcome

            left = None if deadline is None else deadline - time.monotonic()
            timeout = self.timeout_seconds if left is None else min(self.timeout_seconds, left)
            try:
                return self._send_once(payload, recipients, max(timeout, 0.1), accepted)
            except DeliveryError as exc:  # every failed attempt is logged, retried or not
                sent_to = ", ".join(recipients)
                logger.warning(
                    "attempt %d/%d to send to %s failed: %s", attempt, tries, sent_to, exc
                )
                raise

        retrying = smtp_retrying(tries, self.backoff_seconds, deadline)
        attempts = 0
        if deadline is not None and deadline <= time.monotonic():
            failure = self._deadline_failure(DeliveryError("not attempted", permanent=True))
        else:
            try:
                for attempt in retrying:
                    with attempt:
                        attempts = attempt.retry_state.attempt_number
                        outcome = attempt_once(attempts)
            except DeliveryError as exc:
                failure = exc
                stopped_early = attempts < tries and not (exc.unknown or exc.permanent)
                if stopped_early:  # the deadline, not the attempts, ended the retries
                    failure = self._deadline_failure(exc)
            else:
                logger.info(
                    "sent %s to %s (attempt %d)",
                    message["Subject"],
                    ", ".join(recipients),
                    attempts,
                )
                return outcome
        return DeliveryOutcome(
            status=DeliveryStatus.UNKNOWN if failure.unknown else DeliveryStatus.FAILED,
            attempts=attempts,
            first_attempt_at=started,
            last_attempt_at=_now(),
            message_id=message.get("Message-ID"),
            error=str(failure),
            permanent=failure.permanent,
            server_unreachable=failure.unreachable,
            connection_failure=failure.connection,
        )

    def _deadline_failure(self, last: DeliveryError) -> DeliveryError:
        return DeliveryError(
            f"not attempted again: the run's delivery deadline "
            f"({self.run_deadline_seconds:g} s) passed",
            permanent=False,
            connection=last.connection,
        )

    def _send_once(
        self,
        payload: bytes,
        recipients: list[str],
        timeout: float,
        accepted: Callable[[str], DeliveryOutcome],
    ) -> DeliveryOutcome:
        """One SMTP session: the outcome once the server answered 250 to the message data."""
        if self.username and self.security == "plain":
            raise DeliveryError(
                "refusing to send SMTP credentials over an unencrypted connection; "
                "set COMPETENCE_SMTP_SECURITY to starttls or tls",
                permanent=True,
            )
        if not recipients:
            raise DeliveryError("the message has no recipient", permanent=True)
        where = f"{self.smtp_host}:{self.smtp_port}"
        try:
            context = ssl.create_default_context(cafile=self.ca_file or None)
        except OSError as exc:
            raise DeliveryError(
                f"cannot load the CA file {self.ca_file}: {exc}", permanent=True
            ) from None
        try:
            if self.security == "tls":
                client: Client = TlsClient(
                    self.smtp_host, self.smtp_port, timeout=timeout, context=context
                )
            else:
                client = Client(self.smtp_host, self.smtp_port, timeout=timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise self._classify(exc, f"connecting to {where}", connecting=True) from None
        try:
            client.ehlo()
            if self.security == "starttls":
                client.starttls(context=context)
                client.ehlo()
            if self.username:
                login_utf8(client, self.username, self._password())
            refused = client.transaction(self.sender, recipients, payload)
        except (OSError, smtplib.SMTPException) as exc:
            close_quietly(client)
            if client.data_sent and client.data_reply is None:
                # The message data went out and no answer came back: the server may have
                # accepted it. Sending again could deliver it twice, so this is not retried.
                raise DeliveryError(
                    self._scrub(
                        f"outcome unknown: sending via {where}, the connection failed after the "
                        f"message data was sent ({type(exc).__name__}: {exc})"
                    ),
                    permanent=False,
                    unknown=True,
                    connection=True,
                ) from None
            raise self._classify(exc, f"sending via {where}") from None
        try:
            reply = ""
            if refused:
                reply = "refused by the server for " + ", ".join(
                    f"{address} ({code} {_decode(text)})"
                    for address, (code, text) in sorted(refused.items())
                )
            return accepted(reply)
        finally:
            # After a 250 the message is the server's: a failure at QUIT is not a failure.
            with contextlib.suppress(OSError, smtplib.SMTPException):
                client.quit()
            close_quietly(client)

    def _password(self) -> str:
        try:
            password = self.password
        except RuntimeError:
            # An EnvVar read outside Dagster: resolve the resource first (Dagster does at run time).
            raise DeliveryError(
                "the SMTP password is an unresolved dg.EnvVar; use the mailer inside a Dagster run "
                "or call process_config_and_initialize() first",
                permanent=True,
            ) from None
        if not password:
            raise DeliveryError(
                "COMPETENCE_SMTP_USER is set but COMPETENCE_SMTP_PASSWORD is empty", permanent=True
            )
        return password

    def _classify(
        self, exc: BaseException, doing: str, *, connecting: bool = False
    ) -> DeliveryError:
        error = classify(exc, doing, connecting=connecting)
        error.args = (self._scrub(str(error)),)
        return error

    def _scrub(self, text: str) -> str:
        """Remove the password, and the encodings SMTP AUTH sends it in, from a text."""
        try:
            secret = self.password
        except RuntimeError:  # an unresolved EnvVar: its value was never read, nothing to scrub
            secret = None
        if not isinstance(secret, str) or not secret:
            return text
        user = self.username or ""
        forms = {
            secret,
            base64.b64encode(secret.encode()).decode(),
            base64.b64encode(f"\0{user}\0{secret}".encode()).decode(),
        }
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "***")
        return text


def _recipients_of(message: EmailMessage) -> list[str]:
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
    return [address for _, address in getaddresses(fields) if address]


def _safe_name(text: str) -> str:
    # Site ids and addresses come from data: keep file names to a portable, traversal-free set.
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", text).lstrip(".") or "message"


def _decode(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _now() -> datetime:
    return datetime.now(UTC)
