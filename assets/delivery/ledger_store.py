"""Where the delivery ledger lives: the DuckDB warehouse (default) or a shared PostgreSQL.

The embedded default is the table ``main.delivery_ledger`` in the warehouse file: DuckDB admits
one writing process, which is enough while one machine sends. When several workers (processes
on several machines) may run a week's delivery at the same time, ``COMPETENCE_LEDGER_URL``
(``postgresql://user@host:5432/db``) puts the ledger in PostgreSQL — typically the server that
already holds the Dagster instance — in the table ``competence.delivery_ledger``. There the
database enforces exactly-once: the key (site, week, recipient, report hash) is the primary key,
and an intent is claimed with ``INSERT ... ON CONFLICT DO NOTHING`` and ``SELECT ... FOR UPDATE``
in one transaction before the message is handed to SMTP (``ledger.claim``).

The URL may carry a password; it is kept out of every ``repr``, log line and error text (shown
as ``postgresql://user:***@host:5432/db``). libpq's own ``PGPASSWORD`` or ``~/.pgpass`` work too.
"""

from __future__ import annotations

from assets.delivery.ledger_schema import COLUMNS, KEY, NOT_NULL, STATUS_CHECK, TABLE
from assets.ledger_location import (
    PG_SCHEMA,
    LedgerLocation,
    LedgerUnavailable,
    PostgresLedger,
    is_postgres_url,
    ledger_location,
    redact,
)

# The location types live below every stage (the resources hold one); the delivery stage keeps
# importing them from here, with the ledger's tables.
__all__ = [
    "PG_SCHEMA",
    "PG_TABLE",
    "LedgerLocation",
    "LedgerUnavailable",
    "PostgresLedger",
    "is_postgres_url",
    "ledger_location",
    "pg_create_sql",
    "pg_ensure_schema",
    "redact",
]

PG_TABLE = f"{PG_SCHEMA}.{TABLE}"
# DuckDB type -> PostgreSQL type; TIMESTAMP stays naive (the ledger stores UTC), as in DuckDB
_PG_TYPES = {"VARCHAR": "text", "DATE": "date", "INTEGER": "integer", "TIMESTAMP": "timestamp"}
# One lock id for creating the schema and table: two workers starting at once must not race
# on CREATE ... IF NOT EXISTS (which is not safe against a concurrent creator in PostgreSQL).
_CREATE_LOCK = 0x636F6D70  # "comp"


def pg_create_sql(table: str) -> str:
    columns = ",\n    ".join(
        f"{column} {_PG_TYPES[kind]}{' NOT NULL' if column in NOT_NULL else ''}"
        for column, kind in COLUMNS.items()
    )
    return (
        f"CREATE TABLE IF NOT EXISTS {table} (\n    {columns},\n    CHECK ({STATUS_CHECK}),\n"
        f"    PRIMARY KEY ({', '.join(KEY)})\n)"
    )


def pg_ensure_schema(connection: object, ledger: PostgresLedger) -> None:
    """Create the schema and table when missing, serialised by a transaction-level advisory
    lock so that workers starting together do not trip over each other."""
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CREATE_LOCK])
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ledger.schema}")
        cursor.execute(pg_create_sql(ledger.table))
    connection.commit()  # type: ignore[attr-defined]
