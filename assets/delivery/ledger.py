"""The delivery ledger: which report went to whom, so no retry, rerun or crash ever sends twice.

One row per (site, week, recipient, report_sha256) in the DuckDB table ``main.delivery_ledger``
of the warehouse file; the columns and their types are declared in ``ledger_schema.COLUMNS`` (an
older ledger — a missing column, a column typed ``NULL``, an older status list — is rebuilt to
that schema, rows kept, the first time a process opens it). Who owns an intent, and whether that
run is still alive, is ``ownership.py``.

The life of a row (SPEC 6, exactly once):

1. **Intent.** Before a message is handed to the server, :func:`claim` writes ``SENDING`` with the
   message's Message-ID and the owner (host, pid, process start, run id, lease end) in one
   transaction. DuckDB admits one writing process at a time and a conflicting transaction in the
   same process fails, so of two runs of the same week only one can claim a (site, week,
   recipient, hash): the other sees ``SENDING`` by a live owner and leaves it alone.
2. **Outcome.** :func:`record_outcome` replaces the intent as soon as the server answered the
   message data (``SENT`` — a failure at QUIT afterwards changes nothing), or when it refused
   (``FAILED``, retried by the next run), or when the connection died after the data was sent
   (``UNKNOWN``).
3. **Crash.** An intent whose owner is gone (same host: its process ended; another host: its
   lease ran out) means the run died between handing the message over and recording what the
   server said. :func:`settle_abandoned` turns it into ``UNKNOWN``. An ``UNKNOWN`` message is
   *not* re-sent automatically — the server may well have accepted it, and an audit e-mail must
   not arrive twice. The run reports it and fails; the operator checks the mail server's log for
   the Message-ID and decides with the run config ``unknown_outcome``: ``resend`` (sent again
   with the same Message-ID, so receiving systems can de-duplicate) or ``confirm`` (recorded as
   delivered without sending). In outbox mode writing the file again is harmless, so an unknown
   outcome is simply retried.

A delivered row is never downgraded; a changed report for a week and recipient that already
received one is re-sent only when asked (``resend_changed``). Planning never writes and never
creates the file or the table.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from assets.delivery.ledger_schema import COLUMNS, KEY, TABLE, ensure_schema, table_exists
from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus
from assets.delivery.ownership import OWN_START, owner_alive
from assets.warehouse import connect

_DELIVERED = "('SENT', 'WRITTEN_TO_OUTBOX')"

# An exact repeat of a recorded outcome (same run, same attempt time) changes nothing, so
# recording is idempotent; a new attempt adds its attempts to the total. An outcome ends a claim.
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
    run_id = excluded.run_id,
    owner_host = NULL, owner_pid = NULL, owner_started = NULL, lease_until = NULL
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
IN_PROGRESS = "being sent by another run right now"
UNKNOWN_HELD = "outcome unknown (the server may have it); not re-sent without a decision"
UNKNOWN_RESEND = "outcome unknown; re-sent with the same Message-ID (unknown_outcome=resend)"
UNKNOWN_CONFIRMED = "outcome unknown; confirmed delivered by the operator (unknown_outcome=confirm)"
UNKNOWN_OUTCOMES = ("hold", "resend", "confirm")


# --- who is sending: the owner of a claim ------------------------------------------------------


def _effective(row: dict, now: datetime) -> str:
    """The stored status, with an abandoned intent read as UNKNOWN."""
    if row["status"] == DeliveryStatus.SENDING and not owner_alive(row, now):
        return DeliveryStatus.UNKNOWN.value
    return row["status"]


# --- planning (reads only) -----------------------------------------------------------------------


def plan_deliveries(
    ledger_path: str | Path,
    candidates: Iterable[DeliveryKey],
    *,
    resend_changed: bool,
    unknown_outcome: str = "hold",
    idempotent_channel: bool = False,
) -> list[DeliveryDecision]:
    """Decide, for each candidate key, whether this run must send it. Reads, never writes.

    ``idempotent_channel`` (the outbox) retries an unknown outcome: writing a file twice is
    harmless. Otherwise ``unknown_outcome`` decides: hold (default), resend or confirm.
    """
    if unknown_outcome not in UNKNOWN_OUTCOMES:
        raise ValueError(f"unknown_outcome {unknown_outcome!r}: expected one of {UNKNOWN_OUTCOMES}")
    keys = list(dict.fromkeys(candidates))  # the same key twice is one delivery
    history = _read_history(ledger_path, {(k.site, k.week) for k in keys})
    now = _naive_utc(datetime.now(UTC))
    decisions = []
    for key in keys:
        versions = history.get((key.site, key.week, key.recipient), {})
        row = versions.get(key.report_sha256)
        status = DeliveryStatus(_effective(row, now)) if row else None
        delivered_other = any(
            DeliveryStatus(r["status"]).delivered
            for sha, r in versions.items()
            if sha != key.report_sha256
        )
        if status is not None and status.delivered:
            decision = DeliveryDecision(key, False, ALREADY_DELIVERED)
        elif status is DeliveryStatus.SENDING:
            decision = DeliveryDecision(key, False, f"{IN_PROGRESS} ({row['run_id']})")
        elif status is DeliveryStatus.UNKNOWN and idempotent_channel:
            decision = DeliveryDecision(key, True, RETRY)
        elif status is DeliveryStatus.UNKNOWN:
            reason = {"hold": UNKNOWN_HELD, "resend": UNKNOWN_RESEND}
            reason["confirm"] = UNKNOWN_CONFIRMED
            decision = DeliveryDecision(key, unknown_outcome == "resend", reason[unknown_outcome])
        elif status is not None:
            decision = DeliveryDecision(key, True, RETRY)
        elif delivered_other:
            reason = CHANGED_RESEND if resend_changed else CHANGED_HELD
            decision = DeliveryDecision(key, resend_changed, reason)
        else:
            decision = DeliveryDecision(key, True, NEW)
        decisions.append(decision)
    return decisions


# --- writing: settle, claim, record ------------------------------------------------------------


def settle_abandoned(
    ledger_path: str | Path, site_weeks: set[tuple[str, date]], *, idempotent_channel: bool
) -> list[DeliveryKey]:
    """Turn intents whose owner is gone into ``UNKNOWN`` (``FAILED`` for the outbox: retried)."""
    path = Path(ledger_path)
    if not site_weeks or not path.exists():
        return []
    now = _naive_utc(datetime.now(UTC))
    settled = []
    with _open(path) as connection:
        if not table_exists(connection):
            return []
        _checked_schema(connection, path)
        rows = _rows_of(connection, site_weeks, "status = 'SENDING'")
        status = "FAILED" if idempotent_channel else "UNKNOWN"
        for row in rows:
            if owner_alive(row, now):
                continue
            error = (
                f"run {row['run_id']} recorded the intent to send {row['message_id']} at "
                f"{row['last_attempt_at']:%Y-%m-%d %H:%M:%S} UTC and ended before recording "
                "what the server answered"
            )
            connection.execute(
                f"UPDATE {TABLE} SET status = ?, last_error = ?, owner_host = NULL, "
                "owner_pid = NULL, owner_started = NULL, lease_until = NULL "
                "WHERE site = ? AND week = ? AND recipient = ? AND report_sha256 = ? "
                "AND status = 'SENDING'",
                [status, error, *(row[c] for c in KEY)],
            )
            settled.append(DeliveryKey(*(row[c] for c in KEY)))
    return settled


def claim(
    ledger_path: str | Path,
    key: DeliveryKey,
    *,
    run_id: str,
    message_id: str | None,
    iso_week: str | None = None,
    lease: timedelta = timedelta(hours=1),
    take_unknown: bool = False,
) -> tuple[bool, str | None]:
    """Record the intent to send ``key`` unless another run holds or finished it.

    Returns ``(claimed, status found)``. Claimable: no row, ``FAILED``, an abandoned intent, and
    ``UNKNOWN`` only with ``take_unknown`` (the operator chose to re-send).
    """
    path = Path(ledger_path)
    now = _naive_utc(datetime.now(UTC))
    where = "site = ? AND week = ? AND recipient = ? AND report_sha256 = ?"
    params = [key.site, key.week, key.recipient, key.report_sha256]
    with _open(path) as connection:
        _checked_schema(connection, path)
        connection.begin()
        try:
            [row] = _select(connection, where, params) or [None]
            found = _effective(row, now) if row else None
            if found in (None, "FAILED") or (found == "UNKNOWN" and take_unknown):
                connection.execute(
                    f"INSERT INTO {TABLE} (site, week, recipient, report_sha256, iso_week, "
                    "status, attempts, first_attempt_at, last_attempt_at, message_id, run_id, "
                    "owner_host, owner_pid, owner_started, lease_until) "
                    "VALUES (?, ?, ?, ?, ?, 'SENDING', 0, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (site, week, recipient, report_sha256) DO UPDATE SET "
                    "status = 'SENDING', last_attempt_at = excluded.last_attempt_at, "
                    "message_id = excluded.message_id, run_id = excluded.run_id, "
                    "owner_host = excluded.owner_host, owner_pid = excluded.owner_pid, "
                    "owner_started = excluded.owner_started, lease_until = excluded.lease_until",
                    [
                        *params,
                        iso_week,
                        now,
                        now,
                        message_id,
                        run_id,
                        socket.gethostname(),
                        os.getpid(),
                        OWN_START,
                        now + lease,
                    ],
                )
            connection.commit()
        except duckdb.TransactionException:
            # a run of this process claimed it in between: it is theirs
            connection.rollback()
            return False, DeliveryStatus.SENDING.value
        except Exception:
            connection.rollback()
            raise
    claimed = found in (None, "FAILED") or (found == "UNKNOWN" and take_unknown)
    return claimed, found


def record_outcome(
    ledger_path: str | Path,
    key: DeliveryKey,
    outcome: DeliveryOutcome,
    *,
    run_id: str,
    iso_week: str | None = None,
) -> None:
    """Upsert one delivery's outcome, in one transaction; creates the table when missing."""
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
    path = Path(ledger_path)
    with _open(path) as connection:
        _checked_schema(connection, path)
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
    if not path.exists():
        return pd.DataFrame(columns=list(COLUMNS))
    with _open(path) as connection:
        if not table_exists(connection):
            return pd.DataFrame(columns=list(COLUMNS))
        _checked_schema(connection, path)
        return connection.execute(
            f"SELECT {', '.join(COLUMNS)} FROM {TABLE} ORDER BY week, site, recipient, "
            "first_attempt_at"
        ).df()


# --- internals ---------------------------------------------------------------------------------


@contextmanager
def _open(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    # The warehouse's connect waits while another process holds DuckDB's single-writer lock
    # (a concurrent run of the week), instead of failing on it.
    with connect(str(path)) as connection:
        yield connection


_SCHEMA_CHECKED: set[tuple[str, int]] = set()


def _checked_schema(connection: duckdb.DuckDBPyConnection, path: Path) -> None:
    # Checking (and repairing) the schema once per file and process is enough; every ledger
    # call paying for it again made each message cost a noticeable fraction of a second.
    key = (str(path.resolve()), path.stat().st_ino)
    if key not in _SCHEMA_CHECKED:
        ensure_schema(connection)
        _SCHEMA_CHECKED.add(key)


def _select(connection: duckdb.DuckDBPyConnection, where: str, params: list) -> list[dict]:
    cursor = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE {where}", params)
    return [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def _rows_of(
    connection: duckdb.DuckDBPyConnection, site_weeks: set[tuple[str, date]], where: str = "true"
) -> list[dict]:
    weeks = sorted({week for _, week in site_weeks})
    rows = _select(connection, f"week IN (SELECT unnest(?::DATE[])) AND {where}", [weeks])
    return [row for row in rows if (row["site"], row["week"]) in site_weeks]


def _read_history(
    ledger_path: str | Path, site_weeks: set[tuple[str, date]]
) -> dict[tuple[str, date, str], dict[str, dict]]:
    """Every recorded report version, by (site, week, recipient), then by hash."""
    path = Path(ledger_path)
    history: dict[tuple[str, date, str], dict[str, dict]] = {}
    if not site_weeks or not path.exists():
        return history
    with _open(path) as connection:
        if not table_exists(connection):
            return history
        _checked_schema(connection, path)
        rows = _rows_of(connection, site_weeks)
    for row in rows:
        history.setdefault((row["site"], row["week"], row["recipient"]), {})[
            row["report_sha256"]
        ] = row
    return history


def _naive_utc(moment: datetime) -> datetime:
    # TIMESTAMP (naive) columns hold UTC: timezone-aware columns misbehave in DuckDB writers.
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
