"""The warehouse in PostgreSQL (``COMPETENCE_WAREHOUSE_URL``): several writers at once.

The same layout as the DuckDB file — schema ``competence``, one table per asset, a ``week``
column — in a PostgreSQL database that every worker reaches, so weeks can be written by several
processes on several machines at the same moment. What makes that safe:

- **A week is replaced in one transaction** (delete the week, ``COPY`` the new rows, commit): a
  reader's statement sees the week before or after, never half of it or two copies.
- **The same week twice** is serialised by a transaction-level advisory lock on (table, week),
  taken before the delete: without it two transactions under READ COMMITTED would each delete
  only the rows they could see and both insert, leaving two copies. With it the second waits,
  then deletes what the first stored: the later write wins whole.
- **Different weeks** take different locks and only row locks on their own rows: they run side
  by side.
- **Tables and columns** are created from the declared types (``schemas.warehouse_tables``)
  under one advisory lock, in their own short transaction (two workers creating the same table
  at once would otherwise trip over ``CREATE TABLE IF NOT EXISTS``).

Rows travel as CSV through DuckDB on both sides: the frame is cast to its declared DuckDB types
exactly as the DuckDB warehouse casts it, and what comes back is parsed with the declared types,
so a week read from PostgreSQL is the frame the DuckDB warehouse would hand back. Connections are
fresh per call (no connection outlives a read or a write; a forked worker never reuses one).
The URL may carry a password: it is masked (``***``) in every ``repr`` and message.
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from assets.ledger_location import is_postgres_url, postgres_connection, redact

SCHEMA = "competence"
FALLBACK_TYPE = "VARCHAR"
UNTYPED = '"NULL"'
# DuckDB type (as declared) -> PostgreSQL type. Dates are whole days, so microseconds lose nothing.
PG_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "bigint",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "DATE": "date",
}
# and back, for columns nobody declared (read as the DuckDB warehouse would type them)
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "bigint": "BIGINT",
    "integer": "BIGINT",
    "double precision": "DOUBLE",
    "boolean": "BOOLEAN",
    "timestamp without time zone": "TIMESTAMP",
    "date": "DATE",
}
# Each row's place in its week's frame: PostgreSQL hands rows back in no particular order (a
# week rewritten fills the space an earlier one freed), while the DuckDB file keeps the order of
# insertion, and some report sections keep the order they were given. Stored with every row,
# never handed back.
ROW_ORDER = "_row_in_week"
_POSITION = "_position"  # a read's row order, carried through the CSV (never stored)
_DDL_LOCK = 0x636F6D77  # "comw": creating schema, tables and columns, one worker at a time


class WarehouseUnavailable(RuntimeError):
    """The PostgreSQL warehouse cannot be reached; the text names it without secrets."""


@dataclass(frozen=True)
class PostgresWarehouse:
    """The warehouse in the PostgreSQL database of ``url`` (schema ``competence``)."""

    url: str = field(repr=False)

    def __post_init__(self) -> None:
        if not is_postgres_url(self.url):
            raise ValueError(f"not a postgresql:// URL: {redact(str(self.url))}")

    def __repr__(self) -> str:
        return f"PostgresWarehouse({redact(self.url)!r})"

    def __str__(self) -> str:
        return redact(self.url)

    @contextmanager
    def connect(self) -> Iterator[object]:
        """A fresh connection, closed afterwards; an unreachable server is one clear line."""
        with postgres_connection(self.url, "warehouse", WarehouseUnavailable) as connection:
            yield connection


def _qualified(table: str) -> str:
    return f'{SCHEMA}."{table}"'


def _pg_type(duckdb_type: str) -> str:
    kind = duckdb_type.upper()
    if kind.startswith("TIMESTAMP_"):  # TIMESTAMP_S / _MS / _NS: pandas' units, all naive
        return "timestamp"
    return PG_TYPES.get(kind, "text")


def table_columns(cursor: object, table: str) -> dict[str, str]:
    """The columns of a warehouse table and their PostgreSQL types, in table order."""
    cursor.execute(  # type: ignore[attr-defined]
        "select column_name, data_type from information_schema.columns "
        "where table_schema = %s and table_name = %s order by ordinal_position",
        [SCHEMA, table],
    )
    return dict(cursor.fetchall())  # type: ignore[attr-defined]


def table_names(warehouse: PostgresWarehouse) -> set[str]:
    """The tables of the warehouse schema."""
    with warehouse.connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            "select table_name from information_schema.tables where table_schema = %s", [SCHEMA]
        )
        return {row[0] for row in cursor.fetchall()}


def _frame_types(frame: pd.DataFrame) -> dict[str, str]:
    """The DuckDB types DuckDB gives the frame's columns (all-None columns: text)."""
    with duckdb.connect() as con:
        con.register("incoming", frame)  # DuckDB types object columns from a sample of values
        return {
            name: FALLBACK_TYPE if dtype == UNTYPED else dtype
            for name, dtype, *_ in con.execute("describe incoming").fetchall()
        }


def _ensure_table(
    connection: object, table: str, wanted: dict[str, str], declared: dict[str, str]
) -> dict[str, str]:
    """Create the table (declared types) and add the frame's new columns; returns the columns.

    Serialised by an advisory lock and committed at once, so concurrent writers of other weeks
    find the table complete and never race on the DDL."""
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        existing = table_columns(cursor, table)
        if existing and set(wanted) <= set(existing):
            return existing  # the usual case: nothing to create, no lock taken
        cursor.execute("select pg_advisory_xact_lock(%s)", [_DDL_LOCK])
        cursor.execute(f"create schema if not exists {SCHEMA}")
        existing = table_columns(cursor, table)
        if not existing:
            columns = (declared | {ROW_ORDER: "BIGINT"}) if declared else wanted
            listed = ", ".join(f'"{n}" {_pg_type(t)}' for n, t in columns.items())
            cursor.execute(f"create table {_qualified(table)} ({listed})")
            if "week" in columns:
                cursor.execute(f'create index on {_qualified(table)} ("week")')
            existing = table_columns(cursor, table)
        for name, dtype in wanted.items():
            if name not in existing:  # a column a newer version of the code added
                cursor.execute(
                    f'alter table {_qualified(table)} add column "{name}" {_pg_type(dtype)}'
                )
        columns = table_columns(cursor, table)
    connection.commit()  # type: ignore[attr-defined]
    return columns


def _week_lock(table: str, week: pd.Timestamp) -> tuple[int, int]:
    """The advisory lock of one (table, week): two signed 32-bit keys."""

    def key(text: str) -> int:
        return zlib.crc32(text.encode()) - 2**31

    return key(f"{SCHEMA}.{table}"), key(week.date().isoformat())


def replace_week(
    warehouse: PostgresWarehouse,
    table: str,
    frame: pd.DataFrame,
    weeks: list[pd.Timestamp],
    declared: dict[str, str] | None = None,
) -> None:
    """Delete ``weeks`` from ``table`` and insert ``frame`` (which carries ``week``), in one
    transaction holding the weeks' advisory locks; an empty frame empties the weeks."""
    declared = declared or {}
    frame = frame.assign(**{ROW_ORDER: range(len(frame))})
    frame_types = _frame_types(frame)
    wanted = {name: declared.get(name, dtype) for name, dtype in frame_types.items()}
    with warehouse.connect() as connection:
        columns = _ensure_table(connection, table, wanted, declared)
        names = [name for name in frame.columns if name in columns]
        with tempfile.TemporaryDirectory(prefix="competence-week-") as folder:
            csv = Path(folder) / "week.csv"
            if not frame.empty:
                # cast to the declared types exactly as the DuckDB warehouse's insert does
                select = ", ".join(f'cast("{n}" as {wanted[n]}) as "{n}"' for n in names)
                with duckdb.connect() as con:
                    con.register("incoming", frame)
                    con.execute(f"copy (select {select} from incoming) to '{csv}' (header false)")
            with connection.cursor() as cursor:
                # sorted, so two writers of overlapping weeks never wait on each other in a cycle
                for first, second in sorted(_week_lock(table, w) for w in set(weeks)):
                    cursor.execute("select pg_advisory_xact_lock(%s, %s)", [first, second])
                if weeks:
                    cursor.execute(
                        f'delete from {_qualified(table)} where "week" = any(%s)',
                        [[w.to_pydatetime() for w in weeks]],
                    )
                if not frame.empty:
                    listed = ", ".join(f'"{n}"' for n in names)
                    with csv.open("rb") as rows:
                        cursor.copy_expert(
                            f"copy {_qualified(table)} ({listed}) from stdin with (format csv)",
                            rows,
                        )
        connection.commit()


def read_weeks(
    warehouse: PostgresWarehouse,
    table: str,
    weeks: list[str] | None,
    columns: list[str] | None,
    declared: dict[str, str],
    where: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """The stored rows of ``weeks`` (None: all), oldest week first, typed as declared;
    ``where`` = (column, value) keeps the rows whose column holds the value."""
    with warehouse.connect() as connection:
        connection.set_session(readonly=True, isolation_level="REPEATABLE READ")
        with connection.cursor() as cursor:
            stored = table_columns(cursor, table)
            if not stored:
                return pd.DataFrame()
            names = columns or [name for name in stored if name != ROW_ORDER]
            types = {n: declared.get(n) or DUCKDB_TYPES.get(stored[n], "VARCHAR") for n in names}
            listed = ", ".join(f'"{n}"' for n in names)
            # the rows' order travels as a column: the CSV is parsed in parallel
            stored_order = f', "{ROW_ORDER}"' if ROW_ORDER in stored else ""
            position = f'row_number() over (order by "week"{stored_order}) as "{_POSITION}"'
            query = f"select {listed}, {position} from {_qualified(table)} where true"
            if where is not None:
                query += cursor.mogrify(f' and "{where[0]}" = %s', [where[1]]).decode()
            if weeks is not None:
                literals = ", ".join(
                    cursor.mogrify("%s", [pd.Timestamp(w).to_pydatetime()]).decode() for w in weeks
                )
                query += f' and "week" in ({literals or "null"})'
            with tempfile.TemporaryDirectory(prefix="competence-read-") as folder:
                csv = Path(folder) / "rows.csv"
                with csv.open("wb") as out:
                    cursor.copy_expert(f"copy ({query}) to stdout with (format csv)", out)
                return _parse(csv, types)


def _parse(csv: Path, types: dict[str, str]) -> pd.DataFrame:
    """The CSV PostgreSQL wrote, typed as declared (quoted "" is an empty text, not NULL), in
    the order of its position column."""
    listed = ", ".join(f'"{n}"' for n in types)
    with duckdb.connect() as con:
        if csv.stat().st_size == 0:
            nulls = ", ".join(f'cast(null as {t}) as "{n}"' for n, t in types.items())
            return con.execute(f"select {nulls} limit 0").df()
        rows = con.read_csv(
            str(csv),
            header=False,
            columns=types | {_POSITION: "BIGINT"},
            allow_quoted_nulls=False,
            auto_detect=False,
        )
        return rows.query("rows", f'select {listed} from rows order by "{_POSITION}"').df()


def latest_week_before(warehouse: PostgresWarehouse, table: str, before: str) -> str | None:
    """The latest ``week`` of ``table`` before the Monday ``before`` (ISO), or None."""
    with warehouse.connect() as connection, connection.cursor() as cursor:
        if not table_columns(cursor, table):
            return None
        cursor.execute(
            f'select max("week") from {_qualified(table)} where "week" < %s::timestamp', [before]
        )
        week = cursor.fetchone()[0]
    return None if week is None else pd.Timestamp(week).date().isoformat()


def scalars(warehouse: PostgresWarehouse, query: str, params: list[object]) -> tuple:
    """The first row of a small query (e.g. a table's first and last week)."""
    with warehouse.connect() as connection, connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


def check_reachable(warehouse: PostgresWarehouse) -> None:
    """Connect once, so a wrong URL or password fails the week before anything is computed."""
    with warehouse.connect() as connection, connection.cursor() as cursor:
        cursor.execute("select 1")
