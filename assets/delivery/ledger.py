"""The delivery ledger: which report went to whom, so no retry, rerun or crash ever sends twice.

One row per (site, week, recipient, report_sha256) in the DuckDB table ``main.delivery_ledger``
of the warehouse file (the default), or — with ``COMPETENCE_LEDGER_URL`` — in the PostgreSQL
table ``competence.delivery_ledger`` shared by every worker (``ledger_store.py``). Every function
here takes either location: a warehouse path, a ``postgresql://`` URL or a
:class:`~assets.delivery.ledger_store.PostgresLedger`. The columns and their types are declared
in ``ledger_schema.COLUMNS`` (an older DuckDB ledger — a missing column, a column typed ``NULL``,
an older status list — is rebuilt to that schema, rows kept, the first time a process opens it).
Who owns an intent, and whether that run is still alive, is ``ownership.py``; the key, the
decision and the SQL both stores share are ``ledger_rows.py``; the PostgreSQL half of every
operation is ``ledger_postgres.py``.

The life of a row (docs/reports.md, exactly once):

1. **Intent.** Before a message is handed to the server, :func:`claim` writes ``SENDING`` with the
   message's Message-ID and the owner (host, pid, process start, run id, lease end) in one
   transaction. DuckDB admits one writing process at a time and a conflicting transaction in the
   same process fails; PostgreSQL inserts the intent with ``ON CONFLICT DO NOTHING`` and locks an
   existing row with ``SELECT ... FOR UPDATE`` before deciding, so a second claimer waits for the
   first to commit and then sees its intent. Either way, of two runs of the same week (on one
   machine or several) only one can claim a (site, week, recipient, hash): the other sees
   ``SENDING`` by a live owner and leaves it alone.
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
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd

from assets.delivery.ledger_postgres import (
    pg,
    pg_claim,
    pg_open,
    pg_read_all,
    pg_rows_of,
    pg_settle,
)
from assets.delivery.ledger_rows import (
    CLAIM_COLUMNS,
    CLAIM_SET,
    CLAIM_VALUES,
    SETTLE,
    UPSERT,
    WHERE_KEY,
    DeliveryDecision,
    DeliveryKey,
    abandoned_reason,
    claimable,
    effective_status,
    naive_utc,
)
from assets.delivery.ledger_schema import COLUMNS, KEY, TABLE, ensure_schema, table_exists
from assets.delivery.ledger_store import LedgerLocation, PostgresLedger, ledger_location
from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus
from assets.delivery.ownership import OWN_START, owner_alive
from assets.warehouse import connect

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


# --- planning (reads only) -----------------------------------------------------------------------


def plan_deliveries(
    ledger_path: LedgerLocation,
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
    now = naive_utc(datetime.now(UTC))
    decisions = []
    for key in keys:
        versions = history.get((key.site, key.week, key.recipient), {})
        row = versions.get(key.report_sha256)
        status = DeliveryStatus(effective_status(row, now)) if row else None
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
    ledger_path: LedgerLocation, site_weeks: set[tuple[str, date]], *, idempotent_channel: bool
) -> list[DeliveryKey]:
    """Turn intents whose owner is gone into ``UNKNOWN`` (``FAILED`` for the outbox: retried)."""
    location = ledger_location(ledger_path)
    if isinstance(location, PostgresLedger):
        return pg_settle(location, site_weeks, idempotent_channel)
    path = location
    if not site_weeks or not path.exists():
        return []
    now = naive_utc(datetime.now(UTC))
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
            connection.execute(
                SETTLE.format(table=TABLE), [status, abandoned_reason(row), *(row[c] for c in KEY)]
            )
            settled.append(DeliveryKey(*(row[c] for c in KEY)))
    return settled


def claim(
    ledger_path: LedgerLocation,
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
    now = naive_utc(datetime.now(UTC))
    params = [key.site, key.week, key.recipient, key.report_sha256]
    owner = [message_id, run_id, socket.gethostname(), os.getpid(), OWN_START, now + lease]
    location = ledger_location(ledger_path)
    if isinstance(location, PostgresLedger):
        return pg_claim(location, params, [iso_week, now, now, *owner], take_unknown, now)
    path = location
    where = WHERE_KEY
    with _open(path) as connection:
        _checked_schema(connection, path)
        connection.begin()
        try:
            [row] = _select(connection, where, params) or [None]
            found = effective_status(row, now) if row else None
            if claimable(found, take_unknown):
                connection.execute(
                    f"INSERT INTO {TABLE} ({CLAIM_COLUMNS}) VALUES ({CLAIM_VALUES}) "
                    f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET "
                    + CLAIM_SET.format(v="excluded."),
                    [*params, iso_week, now, now, *owner],
                )
            connection.commit()
        except duckdb.TransactionException:
            # a run of this process claimed it in between: it is theirs
            connection.rollback()
            return False, DeliveryStatus.SENDING.value
        except Exception:
            connection.rollback()
            raise
    return claimable(found, take_unknown), found


def record_outcome(
    ledger_path: LedgerLocation,
    key: DeliveryKey,
    outcome: DeliveryOutcome,
    *,
    run_id: str,
    iso_week: str | None = None,
) -> None:
    """Upsert one delivery's outcome, in one transaction; creates the table when missing."""
    delivered_at = naive_utc(outcome.last_attempt_at) if outcome.delivered else None
    params = [
        key.site,
        key.week,
        key.recipient,
        key.report_sha256,
        iso_week,
        outcome.status.value,
        outcome.attempts,
        outcome.error,
        naive_utc(outcome.first_attempt_at),
        naive_utc(outcome.last_attempt_at),
        delivered_at,
        outcome.message_id,
        run_id,
    ]
    location = ledger_location(ledger_path)
    if isinstance(location, PostgresLedger):
        with pg_open(location) as connection:
            with connection.cursor() as cursor:
                cursor.execute(pg(UPSERT.format(target=f"{location.table} AS {TABLE}")), params)
            connection.commit()
        return
    path = location
    with _open(path) as connection:
        _checked_schema(connection, path)
        connection.begin()
        try:
            connection.execute(UPSERT.format(target=TABLE), params)
            connection.commit()
        except Exception:
            connection.rollback()
            raise


def read_ledger(ledger_path: LedgerLocation) -> pd.DataFrame:
    """The whole ledger as a DataFrame (empty, with the columns, when there is none yet)."""
    location = ledger_location(ledger_path)
    if isinstance(location, PostgresLedger):
        return pg_read_all(location)
    path = location
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
    ledger_path: LedgerLocation, site_weeks: set[tuple[str, date]]
) -> dict[tuple[str, date, str], dict[str, dict]]:
    """Every recorded report version, by (site, week, recipient), then by hash."""
    location = ledger_location(ledger_path)
    history: dict[tuple[str, date, str], dict[str, dict]] = {}
    if not site_weeks:
        return history
    if isinstance(location, PostgresLedger):
        rows = pg_rows_of(location, site_weeks)
    elif not location.exists():
        return history
    else:
        with _open(location) as connection:
            if not table_exists(connection):
                return history
            _checked_schema(connection, location)
            rows = _rows_of(connection, site_weeks)
    for row in rows:
        history.setdefault((row["site"], row["week"], row["recipient"]), {})[
            row["report_sha256"]
        ] = row
    return history
