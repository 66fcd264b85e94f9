"""The result of delivering one e-mail: the vocabulary shared by the mailer, ledger and dispatch.

Kept free of Dagster and SMTP so the ledger and the tests can use it without a mail server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DeliveryStatus(StrEnum):
    """What happened to one message; the values are stored in the delivery ledger.

    ``SENDING`` is the intent, written before the message is handed to the server and replaced by
    the outcome as soon as it is known. ``UNKNOWN`` means the server may have accepted the
    message but no reply was recorded (the connection died after the message data was sent, or
    the run ended between sending and recording): it is never re-sent without an operator's
    decision, because an audit e-mail must not arrive twice.
    """

    SENDING = "SENDING"
    SENT = "SENT"
    WRITTEN_TO_OUTBOX = "WRITTEN_TO_OUTBOX"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"

    @property
    def delivered(self) -> bool:
        # A message written to the outbox counts as delivered: with no SMTP configured the outbox
        # *is* the delivery channel (docs/reports.md), and switching SMTP on later must not re-send
        # history.
        return self in (DeliveryStatus.SENT, DeliveryStatus.WRITTEN_TO_OUTBOX)


@dataclass(frozen=True)
class DeliveryOutcome:
    """How one message fared after every attempt the mailer made in this run.

    ``error`` is the last error, already scrubbed of credentials. ``permanent`` marks a refusal that
    retrying cannot fix within the run (5xx, TLS or authentication set-up); the next run tries
    again anyway. ``server_unreachable`` says the SMTP server could not be reached at all, and
    ``connection_failure`` that the connection failed (refused, timed out, dropped) rather than
    the server refusing the message: dispatch counts them for its circuit breaker.
    """

    status: DeliveryStatus
    attempts: int
    first_attempt_at: datetime
    last_attempt_at: datetime
    message_id: str | None = None
    error: str | None = None
    permanent: bool = False
    server_unreachable: bool = False
    outbox_path: str | None = None
    connection_failure: bool = False

    @property
    def delivered(self) -> bool:
        return self.status.delivered
