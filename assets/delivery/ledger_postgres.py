"""The delivery ledger in PostgreSQL (``COMPETENCE_LEDGER_URL``): the operations of ``ledger.py``.

The same rows and rules; what DuckDB's single writer gave for free, row locks give here: a
claim inserts the intent with ON CONFLICT DO NOTHING, or locks the existing row with FOR UPDATE
before deciding, so a second claimer (another process, another machine) waits for the first
to commit and then sees its intent. Each call opens its own connection and transaction.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pandas as pd

from assets.delivery.ledger_rows import (
    CLAIM_COLUMNS,
    CLAIM_VALUES,
    SETTLE,
    WHERE_KEY,
    DeliveryKey,
    abandoned_reason,
    claimable,
    effective_status,
    naive_utc,
)
from assets.delivery.ledger_schema import COLUMNS, KEY
from assets.delivery.ledger_store import PostgresLedger, pg_ensure_schema
from assets.delivery.ownership import owner_alive

_PG_CHECKED: set[tuple[str, str, int]] = set()


def pg(sql: str) -> str:
    """DuckDB's ``?`` placeholders as psycopg's ``%s`` (the ledger's SQL has no literal ``?``)."""
    return sql.replace("%", "%%").replace("?", "%s")


@contextmanager
def pg_open(ledger: PostgresLedger, *, create: bool = True) -> Iterator:
    """A connection to the ledger's database; creates the table once per process (``create``)."""
    with ledger.connect() as connection:
        key = (ledger.url, ledger.schema, os.getpid())
        if create and key not in _PG_CHECKED:
            pg_ensure_schema(connection, ledger)
            _PG_CHECKED.add(key)
        yield connection


def _pg_select(cursor, ledger: PostgresLedger, where: str, params: list, lock: str = "") -> list:
    cursor.execute(
        pg(f"SELECT {', '.join(COLUMNS)} FROM {ledger.table} WHERE {where} {lock}"), params
    )
    return [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def _pg_table_exists(connection, ledger: PostgresLedger) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [ledger.table])
        return bool(cursor.fetchone()[0])


def _pg_week_rows(
    cursor, ledger: PostgresLedger, site_weeks: set[tuple[str, date]], where: str, lock: str = ""
) -> list[dict]:
    weeks = sorted({week for _, week in site_weeks})
    rows = _pg_select(cursor, ledger, f"week = ANY(?::date[]) AND {where}", [weeks], lock)
    return [row for row in rows if (row["site"], row["week"]) in site_weeks]


def pg_rows_of(ledger: PostgresLedger, site_weeks: set[tuple[str, date]]) -> list[dict]:
    with pg_open(ledger, create=False) as connection:  # planning never creates the table
        if not _pg_table_exists(connection, ledger):
            return []
        with connection.cursor() as cursor:
            rows = _pg_week_rows(cursor, ledger, site_weeks, "true")
        connection.rollback()
    return rows


def pg_settle(
    ledger: PostgresLedger, site_weeks: set[tuple[str, date]], idempotent_channel: bool
) -> list[DeliveryKey]:
    if not site_weeks:
        return []
    status = "FAILED" if idempotent_channel else "UNKNOWN"
    settled = []
    with pg_open(ledger, create=False) as connection:
        if not _pg_table_exists(connection, ledger):
            return []
        with connection.cursor() as cursor:
            # the intents are locked while deciding: a run claiming one meanwhile waits, and is
            # never overwritten by a settlement based on the previous owner
            rows = _pg_week_rows(cursor, ledger, site_weeks, "status = 'SENDING'", "FOR UPDATE")
            now = naive_utc(datetime.now(UTC))
            for row in rows:
                if owner_alive(row, now):
                    continue
                cursor.execute(
                    pg(SETTLE.format(table=ledger.table)),
                    [status, abandoned_reason(row), *(row[c] for c in KEY)],
                )
                settled.append(DeliveryKey(*(row[c] for c in KEY)))
        connection.commit()
    return settled


def pg_claim(
    ledger: PostgresLedger, key: list, values: list, take_unknown: bool, now: datetime
) -> tuple[bool, str | None]:
    """Claim in one transaction: insert the intent, or lock the row and decide on it."""
    with pg_open(ledger) as connection:
        with connection.cursor() as cursor:
            cursor.execute(
                pg(
                    f"INSERT INTO {ledger.table} ({CLAIM_COLUMNS}) VALUES ({CLAIM_VALUES}) "
                    f"ON CONFLICT ({', '.join(KEY)}) DO NOTHING RETURNING status"
                ),
                [*key, *values],
            )
            if cursor.fetchone() is not None:
                connection.commit()
                return True, None
            # someone recorded this key before: wait for any claimer holding the row, then decide
            [row] = _pg_select(cursor, ledger, WHERE_KEY, key, "FOR UPDATE")
            found = effective_status(row, now)
            if claimable(found, take_unknown):
                _iso_week, _first, last, *owner = values
                cursor.execute(
                    pg(
                        f"UPDATE {ledger.table} SET status = 'SENDING', last_attempt_at = ?, "
                        "message_id = ?, run_id = ?, owner_host = ?, owner_pid = ?, "
                        f"owner_started = ?, lease_until = ? WHERE {WHERE_KEY}"
                    ),
                    [last, *owner, *key],
                )
        connection.commit()
    return claimable(found, take_unknown), found


def pg_read_all(ledger: PostgresLedger) -> pd.DataFrame:
    with pg_open(ledger, create=False) as connection:
        if not _pg_table_exists(connection, ledger):
            return pd.DataFrame(columns=list(COLUMNS))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(COLUMNS)} FROM {ledger.table} ORDER BY week, "
                'site COLLATE "C", recipient COLLATE "C", first_attempt_at'
            )
            rows = cursor.fetchall()
        connection.rollback()
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column, kind in COLUMNS.items():  # the types DuckDB's .df() gives, for every reader
        if kind in ("DATE", "TIMESTAMP"):
            frame[column] = pd.to_datetime(frame[column])
    return frame
