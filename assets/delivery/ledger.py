"""The delivery ledger: which report went to whom, so a retry or rerun never sends twice (SPEC 6).

One row per (site, week, recipient, report_sha256) in the DuckDB table ``delivery_ledger``:

=================  =========  =================================================================
column             type       meaning
=================  =========  =================================================================
site               VARCHAR    site id, or ``company`` for the roll-up
week               DATE       partition key: the Monday of the reported week
recipient          VARCHAR    e-mail address, lower-cased (addresses are matched case-blind)
report_sha256      VARCHAR    SHA-256 of the PDF that was (to be) sent
iso_week           VARCHAR    ``2026-W47``, for people reading the table
status             VARCHAR    ``SENT``, ``WRITTEN_TO_OUTBOX`` or ``FAILED``
attempts           INTEGER    delivery attempts over all runs
last_error         VARCHAR    the most recent error text (kept after a later success, as history)
first_attempt_at   TIMESTAMP  first attempt, UTC
last_attempt_at    TIMESTAMP  most recent attempt, UTC
delivered_at       TIMESTAMP  when it was sent or written to the outbox, UTC; NULL while failed
message_id         VARCHAR    the message's Message-ID header
run_id             VARCHAR    the Dagster run that last attempted it
=================  =========  =================================================================

Rules: a delivered (site, week, recipient, hash) is never sent again; a ``FAILED`` one is retried
by the next run; a *changed* report for a week and recipient that already received one is re-sent
only when asked (``resend_changed``). A delivered row is never downgraded to ``FAILED``.

The DuckDB file may be shared with other writers of the same process, so a connection is opened
for the duration of each call only, and each write is one transaction. Planning never creates the
file or the table. Two *concurrent* deliveries of the same week are not guarded against here; the
pipeline runs one delivery per week at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus

TABLE = "delivery_ledger"

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    site             VARCHAR   NOT NULL,
    week             DATE      NOT NULL,
    recipient        VARCHAR   NOT NULL,
    report_sha256    VARCHAR   NOT NULL,
    iso_week         VARCHAR,
    status           VARCHAR   NOT NULL
        CHECK (status IN ('SENT', 'WRITTEN_TO_OUTBOX', 'FAILED')),
    attempts         INTEGER   NOT NULL,
    last_error       VARCHAR,
    first_attempt_at TIMESTAMP NOT NULL,
    last_attempt_at  TIMESTAMP NOT NULL,
    delivered_at     TIMESTAMP,
    message_id       VARCHAR,
    run_id           VARCHAR   NOT NULL,
    PRIMARY KEY (site, week, recipient, report_sha256)
)
"""

_DELIVERED = "('SENT', 'WRITTEN_TO_OUTBOX')"

# An exact repeat of a recorded outcome (same run, same attempt time) changes nothing, so
# recording is idempotent; a new attempt adds its attempts to the total.
_UPSERT = f"""
INSERT INTO {TABLE} (site, week, recipient, report_sha256, iso_week, status, attempts,
                     last_error, first_attempt_at, last_attempt_at, delivered_at, message_id,
                     run_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (site, week, recipient, report_sha256) DO UPDATE SET
    iso_week = COALESCE(excluded.iso_week, {TABLE}.iso_week),
    status = CASE WHEN {TABLE}.status IN {_DELIVERED} THEN {TABLE}.status
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
    run_id = excluded.run_id
"""


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


NEW = "new"
RETRY = "retry after failure"
CHANGED_RESEND = "report changed since it was delivered; re-sent"
ALREADY_DELIVERED = "already delivered"
CHANGED_HELD = "report changed since it was delivered; not re-sent (resend_changed=False)"


def plan_deliveries(
    ledger_path: str | Path, candidates: Iterable[DeliveryKey], *, resend_changed: bool
) -> list[DeliveryDecision]:
    """Decide, for each candidate key, whether this run must send it. Reads, never writes."""
    keys = list(dict.fromkeys(candidates))  # the same key twice is one delivery
    history = _read_history(ledger_path, {(k.site, k.week) for k in keys})
    decisions = []
    for key in keys:
        versions = history.get((key.site, key.week, key.recipient), {})
        status = versions.get(key.report_sha256)
        delivered_other = any(
            DeliveryStatus(s).delivered for sha, s in versions.items() if sha != key.report_sha256
        )
        if status is not None and DeliveryStatus(status).delivered:
            decisions.append(DeliveryDecision(key, False, ALREADY_DELIVERED))
        elif status is not None:
            decisions.append(DeliveryDecision(key, True, RETRY))
        elif delivered_other:
            decisions.append(
                DeliveryDecision(
                    key, resend_changed, CHANGED_RESEND if resend_changed else CHANGED_HELD
                )
            )
        else:
            decisions.append(DeliveryDecision(key, True, NEW))
    return decisions


def record_outcome(
    ledger_path: str | Path,
    key: DeliveryKey,
    outcome: DeliveryOutcome,
    *,
    run_id: str,
    iso_week: str | None = None,
) -> None:
    """Upsert one delivery's outcome, in one transaction; creates the table when missing."""
    path = Path(ledger_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    delivered_at = _naive_utc(outcome.last_attempt_at) if outcome.delivered else None
    params = [
        key.site,
        key.week,
        key.recipient,
        key.report_sha256,
        iso_week,
        outcome.status.value,
        outcome.attempts,
        outcome.error,
        _naive_utc(outcome.first_attempt_at),
        _naive_utc(outcome.last_attempt_at),
        delivered_at,
        outcome.message_id,
        run_id,
    ]
    with duckdb.connect(str(path)) as connection:
        connection.execute(_CREATE)
        connection.begin()
        try:
            connection.execute(_UPSERT, params)
            connection.commit()
        except Exception:
            connection.rollback()
            raise


def read_ledger(ledger_path: str | Path) -> pd.DataFrame:
    """The whole ledger as a DataFrame (empty, with the columns, when there is none yet)."""
    path = Path(ledger_path)
    columns = [
        "site",
        "week",
        "recipient",
        "report_sha256",
        "iso_week",
        "status",
        "attempts",
        "last_error",
        "first_attempt_at",
        "last_attempt_at",
        "delivered_at",
        "message_id",
        "run_id",
    ]
    if not path.exists():
        return pd.DataFrame(columns=columns)
    with duckdb.connect(str(path)) as connection:
        if not _table_exists(connection):
            return pd.DataFrame(columns=columns)
        return connection.execute(
            f"SELECT {', '.join(columns)} FROM {TABLE} ORDER BY week, site, recipient, "
            "first_attempt_at"
        ).df()


def _read_history(
    ledger_path: str | Path, site_weeks: set[tuple[str, date]]
) -> dict[tuple[str, date, str], dict[str, str]]:
    """Status of every recorded report version, by (site, week, recipient)."""
    path = Path(ledger_path)
    history: dict[tuple[str, date, str], dict[str, str]] = {}
    if not site_weeks or not path.exists():
        return history
    with duckdb.connect(str(path)) as connection:
        if not _table_exists(connection):
            return history
        rows = []
        for site, week in sorted(site_weeks):
            rows += connection.execute(
                f"SELECT site, week, recipient, report_sha256, status FROM {TABLE} "
                "WHERE site = ? AND week = ?",
                [site, week],
            ).fetchall()
    for site, week, recipient, sha, status in rows:
        history.setdefault((site, week, recipient), {})[sha] = status
    return history


def _table_exists(connection: duckdb.DuckDBPyConnection) -> bool:
    found = connection.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = ?",
        [TABLE],
    ).fetchone()
    return bool(found and found[0])


def _naive_utc(moment: datetime) -> datetime:
    # TIMESTAMP (naive) columns hold UTC: timezone-aware columns misbehave in DuckDB writers.
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
