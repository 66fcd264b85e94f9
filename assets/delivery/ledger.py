"""The delivery ledger: which report went to whom, so no retry, rerun or crash ever sends twice.

One row per (site, week, recipient, report_sha256) in the DuckDB table ``main.delivery_ledger``
of the warehouse file; the columns and their types are declared in :data:`COLUMNS` (an older
ledger — a missing column, a column typed ``NULL``, an older status list — is rebuilt to this
schema, rows kept, the first time it is opened).

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

from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus
from assets.warehouse import connect

TABLE = "delivery_ledger"
STATUSES = tuple(s.value for s in DeliveryStatus)

# name -> DuckDB type; the key and bookkeeping columns are NOT NULL (see _CREATE)
COLUMNS: dict[str, str] = {
    "site": "VARCHAR",  # site id, ``company`` for the roll-up, ``run-failure <id>`` for alerts
    "week": "DATE",  # the Monday of the reported week
    "recipient": "VARCHAR",  # lower-cased: addresses are matched case-blind
    "report_sha256": "VARCHAR",  # SHA-256 of the archived PDF that was (to be) mailed
    "iso_week": "VARCHAR",  # ``2026-W47``, for people reading the table
    "status": "VARCHAR",  # one of STATUSES
    "attempts": "INTEGER",  # delivery attempts over all runs
    "last_error": "VARCHAR",  # most recent error (kept after a later success, as history)
    "first_attempt_at": "TIMESTAMP",  # UTC
    "last_attempt_at": "TIMESTAMP",  # UTC
    "delivered_at": "TIMESTAMP",  # UTC; NULL until delivered
    "message_id": "VARCHAR",  # the Message-ID header, stored with the intent
    "run_id": "VARCHAR",  # the Dagster run that last claimed or attempted it
    "owner_host": "VARCHAR",  # who holds a SENDING claim: host name,
    "owner_pid": "INTEGER",  # process id,
    "owner_started": "VARCHAR",  # process start (tells a reused pid apart),
    "lease_until": "TIMESTAMP",  # and until when another host must consider it alive
}
_NOT_NULL = {"site", "week", "recipient", "report_sha256", "status", "attempts", "run_id"}
_NOT_NULL |= {"first_attempt_at", "last_attempt_at"}
_KEY = ("site", "week", "recipient", "report_sha256")
_STATUS_CHECK = "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")"


def _create(name: str) -> str:
    columns = ",\n    ".join(
        f"{column} {kind}{' NOT NULL' if column in _NOT_NULL else ''}"
        for column, kind in COLUMNS.items()
    )
    return (
        f"CREATE TABLE {name} (\n    {columns},\n    CHECK ({_STATUS_CHECK}),\n"
        f"    PRIMARY KEY ({', '.join(_KEY)})\n)"
    )


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

_ACTIVE_RUNS: set[str] = set()  # runs of this process that are delivering right now


@contextmanager
def delivering(run_id: str) -> Iterator[None]:
    """Mark ``run_id`` as delivering in this process, so its claims count as alive."""
    _ACTIVE_RUNS.add(run_id)
    try:
        yield
    finally:
        _ACTIVE_RUNS.discard(run_id)


def _process_started(pid: int) -> str | None:
    # Field 22 of /proc/<pid>/stat is the start time in clock ticks since boot: with the pid it
    # names one process for good, so a pid reused after a crash is not mistaken for the owner.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]


def _owner_alive(row: dict, now: datetime) -> bool:
    if row["owner_host"] != socket.gethostname():
        # another machine: trust its lease (it cannot be asked whether the process still runs)
        return row["lease_until"] is not None and row["lease_until"] > now
    pid = row["owner_pid"]
    if pid is None or _process_started(pid) != row["owner_started"]:
        return False
    # our own process: alive only while that run is still delivering (not after an exception)
    return pid != os.getpid() or row["run_id"] in _ACTIVE_RUNS


def _effective(row: dict, now: datetime) -> str:
    """The stored status, with an abandoned intent read as UNKNOWN."""
    if row["status"] == DeliveryStatus.SENDING and not _owner_alive(row, now):
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
        if not _table_exists(connection):
            return []
        _ensure_schema(connection)
        rows = _rows_of(connection, site_weeks, "status = 'SENDING'")
        status = "FAILED" if idempotent_channel else "UNKNOWN"
        for row in rows:
            if _owner_alive(row, now):
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
                [status, error, *(row[c] for c in _KEY)],
            )
            settled.append(DeliveryKey(*(row[c] for c in _KEY)))
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
        _ensure_schema(connection)
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
                        _process_started(os.getpid()),
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
    with _open(Path(ledger_path)) as connection:
        _ensure_schema(connection)
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
        if not _table_exists(connection):
            return pd.DataFrame(columns=list(COLUMNS))
        _ensure_schema(connection)
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


def _select(connection: duckdb.DuckDBPyConnection, where: str, params: list) -> list[dict]:
    cursor = connection.execute(f"SELECT {', '.join(COLUMNS)} FROM {TABLE} WHERE {where}", params)
    return [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def _rows_of(
    connection: duckdb.DuckDBPyConnection, site_weeks: set[tuple[str, date]], where: str = "true"
) -> list[dict]:
    weeks = sorted({week for _, week in site_weeks})
    rows = _select(connection, f"week IN (SELECT unnest(?::DATE[])) AND {where}", [weeks])
    return [row for row in rows if (row["site"], row["week"]) in site_weeks]


def _ensure_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the table, or rebuild an older one (missing or NULL-typed columns, an older status
    list) to :data:`COLUMNS`, keeping its rows."""
    if not _table_exists(connection):
        connection.execute(_create(TABLE))
        return
    found = dict(
        connection.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = ?",
            [TABLE],
        ).fetchall()
    )
    checks = connection.execute(
        "SELECT expression FROM duckdb_constraints() WHERE schema_name = 'main' "
        "AND table_name = ? AND constraint_type = 'CHECK'",
        [TABLE],
    ).fetchall()
    current_check = all(s in (checks[0][0] if checks else "") for s in STATUSES)
    if found == COLUMNS and current_check:
        return
    # A column typed NULL (created from an all-empty frame by an old version) cannot hold the
    # first error text; rebuilding casts every kept column to its declared type.
    kept = [c for c in COLUMNS if c in found]
    select = ", ".join(f"CAST({c} AS {COLUMNS[c]}) AS {c}" for c in kept)
    connection.begin()
    try:
        connection.execute(_create(f"{TABLE}__rebuilt"))
        connection.execute(
            f"INSERT INTO {TABLE}__rebuilt ({', '.join(kept)}) SELECT {select} FROM {TABLE}"
        )
        connection.execute(f"DROP TABLE {TABLE}")
        connection.execute(f"ALTER TABLE {TABLE}__rebuilt RENAME TO {TABLE}")
        connection.commit()
    except Exception:
        connection.rollback()
        raise


def _read_history(
    ledger_path: str | Path, site_weeks: set[tuple[str, date]]
) -> dict[tuple[str, date, str], dict[str, dict]]:
    """Every recorded report version, by (site, week, recipient), then by hash."""
    path = Path(ledger_path)
    history: dict[tuple[str, date, str], dict[str, dict]] = {}
    if not site_weeks or not path.exists():
        return history
    with _open(path) as connection:
        if not _table_exists(connection):
            return history
        _ensure_schema(connection)
        rows = _rows_of(connection, site_weeks)
    for row in rows:
        history.setdefault((row["site"], row["week"], row["recipient"]), {})[
            row["report_sha256"]
        ] = row
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
