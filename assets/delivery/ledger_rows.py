"""The delivery ledger's rows: the key, how a stored row reads, and the SQL both stores share.

Used by ``ledger.py`` (the ledger's operations, and the DuckDB store) and ``ledger_postgres.py``
(the same operations on PostgreSQL): the statements are written once, with DuckDB's ``?``
placeholders (``ledger_postgres.pg`` turns them into psycopg's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from assets.delivery.ledger_schema import TABLE
from assets.delivery.outcome import DeliveryStatus
from assets.delivery.ownership import owner_alive

DELIVERED_STATUSES = "('SENT', 'WRITTEN_TO_OUTBOX')"

# An exact repeat of a recorded outcome (same run, same attempt time) changes nothing, so
# recording is idempotent; a new attempt adds its attempts to the total. An outcome ends a claim.
UPSERT = f"""
INSERT INTO {{target}} (site, week, recipient, report_sha256, iso_week, status, attempts,
                     last_error, first_attempt_at, last_attempt_at, delivered_at, message_id,
                     run_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (site, week, recipient, report_sha256) DO UPDATE SET
    iso_week = COALESCE(excluded.iso_week, {TABLE}.iso_week),
    status = CASE WHEN {TABLE}.status IN {DELIVERED_STATUSES} THEN {TABLE}.status
                  ELSE excluded.status END,
    attempts = CASE WHEN {TABLE}.run_id = excluded.run_id
                         AND {TABLE}.last_attempt_at = excluded.last_attempt_at
                    THEN {TABLE}.attempts
                    ELSE {TABLE}.attempts + excluded.attempts END,
    last_error = COALESCE(excluded.last_error, {TABLE}.last_error),
    first_attempt_at = LEAST({TABLE}.first_attempt_at, excluded.first_attempt_at),
    last_attempt_at = GREATEST({TABLE}.last_attempt_at, excluded.last_attempt_at),
    delivered_at = COALESCE({TABLE}.delivered_at, excluded.delivered_at),
    message_id = COALESCE(excluded.message_id, {TABLE}.message_id),
    run_id = excluded.run_id,
    owner_host = NULL, owner_pid = NULL, owner_started = NULL, lease_until = NULL
"""
WHERE_KEY = "site = ? AND week = ? AND recipient = ? AND report_sha256 = ?"
CLAIM_SET = (
    "status = 'SENDING', last_attempt_at = {v}last_attempt_at, message_id = {v}message_id, "
    "run_id = {v}run_id, owner_host = {v}owner_host, owner_pid = {v}owner_pid, "
    "owner_started = {v}owner_started, lease_until = {v}lease_until"
)
CLAIM_COLUMNS = (
    "site, week, recipient, report_sha256, iso_week, status, attempts, first_attempt_at, "
    "last_attempt_at, message_id, run_id, owner_host, owner_pid, owner_started, lease_until"
)
CLAIM_VALUES = "?, ?, ?, ?, ?, 'SENDING', 0, ?, ?, ?, ?, ?, ?, ?, ?"


@dataclass(frozen=True)
class DeliveryKey:
    """What the ledger is keyed by: one report version for one recipient."""

    site: str
    week: date
    recipient: str
    report_sha256: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "recipient", self.recipient.strip().lower())


@dataclass(frozen=True)
class DeliveryDecision:
    """Whether to send a key in this run, and why (the reason is shown in the run's metadata)."""

    key: DeliveryKey
    send: bool
    reason: str


def effective_status(row: dict, now: datetime) -> str:
    """The stored status, with an abandoned intent read as UNKNOWN."""
    if row["status"] == DeliveryStatus.SENDING and not owner_alive(row, now):
        return DeliveryStatus.UNKNOWN.value
    return row["status"]


SETTLE = (
    "UPDATE {table} SET status = ?, last_error = ?, owner_host = NULL, owner_pid = NULL, "
    f"owner_started = NULL, lease_until = NULL WHERE {WHERE_KEY} AND status = 'SENDING'"
)


def abandoned_reason(row: dict) -> str:
    return (
        f"run {row['run_id']} recorded the intent to send {row['message_id']} at "
        f"{row['last_attempt_at']:%Y-%m-%d %H:%M:%S} UTC and ended before recording "
        "what the server answered"
    )


def claimable(found: str | None, take_unknown: bool) -> bool:
    return found in (None, "FAILED") or (found == "UNKNOWN" and take_unknown)


def naive_utc(moment: datetime) -> datetime:
    # TIMESTAMP (naive) columns hold UTC: timezone-aware columns misbehave in DuckDB writers.
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
