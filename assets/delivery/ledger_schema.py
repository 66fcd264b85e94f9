"""The delivery ledger's table: its columns and types, and repairing tables of older versions.

The ledger lives in schema ``main`` of the warehouse file. Its columns are declared here, never
inferred from a frame: a column inferred from an all-empty first week is typed ``NULL`` and then
refuses the first error text (``ConversionException ... VARCHAR -> "NULL"``).
"""

from __future__ import annotations

import duckdb

from assets.delivery.outcome import DeliveryStatus
from assets.ledger_location import LEDGER_TABLE

TABLE = LEDGER_TABLE
STATUSES = tuple(s.value for s in DeliveryStatus)

# name -> DuckDB type; the key and bookkeeping columns are NOT NULL (see create_sql)
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
NOT_NULL = {"site", "week", "recipient", "report_sha256", "status", "attempts", "run_id"}
NOT_NULL |= {"first_attempt_at", "last_attempt_at"}
KEY = ("site", "week", "recipient", "report_sha256")
STATUS_CHECK = "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")"


def create_sql(name: str) -> str:
    columns = ",\n    ".join(
        f"{column} {kind}{' NOT NULL' if column in NOT_NULL else ''}"
        for column, kind in COLUMNS.items()
    )
    return (
        f"CREATE TABLE {name} (\n    {columns},\n    CHECK ({STATUS_CHECK}),\n"
        f"    PRIMARY KEY ({', '.join(KEY)})\n)"
    )


def ensure_schema(connection: duckdb.DuckDBPyConnection) -> None:
    """Create the table, or rebuild an older one (missing or NULL-typed columns, an older status
    list) to :data:`COLUMNS`, keeping its rows."""
    if not table_exists(connection):
        connection.execute(create_sql(TABLE))
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
        connection.execute(create_sql(f"{TABLE}__rebuilt"))
        connection.execute(
            f"INSERT INTO {TABLE}__rebuilt ({', '.join(kept)}) SELECT {select} FROM {TABLE}"
        )
        connection.execute(f"DROP TABLE {TABLE}")
        connection.execute(f"ALTER TABLE {TABLE}__rebuilt RENAME TO {TABLE}")
        connection.commit()
    except Exception:
        connection.rollback()
        raise


def table_exists(connection: duckdb.DuckDBPyConnection) -> bool:
    found = connection.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_name = ?",
        [TABLE],
    ).fetchone()
    return bool(found and found[0])


def repair_null_typed_columns(
    connection: duckdb.DuckDBPyConnection, schema: str, table: str, types: dict[str, str]
) -> list[str]:
    """Give columns an older version created with type ``NULL`` their declared type.

    ``types`` maps a column to its DuckDB type. Returns the columns repaired; a missing table
    or column is left alone (the writer creates it).
    """
    found = connection.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND data_type = '\"NULL\"'",
        [schema, table],
    ).fetchall()
    repaired = [name for (name,) in found if name in types]
    for name in repaired:
        connection.execute(
            f'ALTER TABLE {schema}."{table}" ALTER COLUMN "{name}" TYPE {types[name]}'
        )
    return repaired
