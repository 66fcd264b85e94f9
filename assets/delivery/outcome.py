"""The result of delivering one e-mail: the vocabulary shared by the mailer, ledger and dispatch.

Kept free of Dagster and SMTP so the ledger and the tests can use it without a mail server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class DeliveryStatus(StrEnum):
    """What happened to one message; the values are stored in the delivery ledger."""

    SENT = "SENT"
    WRITTEN_TO_OUTBOX = "WRITTEN_TO_OUTBOX"
    FAILED = "FAILED"

    @property
    def delivered(self) -> bool:
        # A message written to the outbox counts as delivered: with no SMTP configured the outbox
        # *is* the delivery channel (SPEC 6), and switching SMTP on later must not re-send history.
        return self is not DeliveryStatus.FAILED


@dataclass(frozen=True)
class DeliveryOutcome:
    """How one message fared after every attempt the mailer made in this run.

    ``error`` is the last error, already scrubbed of credentials. ``permanent`` marks a refusal that
    retrying cannot fix within the run (5xx, TLS or authentication set-up); the next run tries
    again anyway. ``server_unreachable`` says the SMTP server could not be reached at all, so the
    caller can stop trying the remaining messages of this run.
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

    @property
    def delivered(self) -> bool:
        return self.status.delivered
