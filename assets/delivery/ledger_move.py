"""Moving the delivery ledger of the DuckDB warehouse file into the PostgreSQL ledger.

Every row keeps its key (site, week, recipient, report hash) and its state, so a report the file
records as sent (or as being sent: ``SENDING`` and ``UNKNOWN`` rows keep blocking a resend until
someone checks the mailbox) is never mailed again from PostgreSQL. A key PostgreSQL holds already
is left as it is there (``ON CONFLICT DO NOTHING``): that row was written by a run against
PostgreSQL, after the file's. Used by ``competence move-warehouse`` with
``assets/warehouse_move.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from assets.delivery.ledger import read_ledger
from assets.delivery.ledger_postgres import pg, pg_open
from assets.delivery.ledger_schema import COLUMNS, KEY
from assets.ledger_location import PostgresLedger


@dataclass(frozen=True)
class LedgerMove:
    copied: int  # rows inserted into PostgreSQL
    kept: int  # keys PostgreSQL held already (its row kept)


def _value(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value.item() if hasattr(value, "item") else value


def move_ledger(source: Path, target: PostgresLedger) -> LedgerMove:
    """Insert every row of the file's ledger that ``target`` lacks, in one transaction."""
    rows = read_ledger(source)
    if rows.empty:
        return LedgerMove(0, 0)
    listed = ", ".join(COLUMNS)
    insert = pg(
        f"INSERT INTO {target.table} ({listed}) VALUES ({', '.join('?' for _ in COLUMNS)}) "
        f"ON CONFLICT ({', '.join(KEY)}) DO NOTHING"
    )
    copied = 0
    with pg_open(target) as connection:
        with connection.cursor() as cursor:
            for row in rows[list(COLUMNS)].itertuples(index=False):
                cursor.execute(insert, [_value(v) for v in row])
                copied += cursor.rowcount
        connection.commit()
    return LedgerMove(copied, len(rows) - copied)
