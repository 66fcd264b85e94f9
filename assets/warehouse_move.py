"""Moving the DuckDB warehouse file into PostgreSQL, and refusing to run before it is moved.

An installation that starts on the DuckDB file (``var/warehouse.duckdb``) and later sets
``COMPETENCE_WAREHOUSE_URL`` (or ``COMPETENCE_LEDGER_URL``) would otherwise start from nothing:
its reports would look back on no history, and — worse — its delivery ledger would be empty, so
a rerun week with ``--send-mail`` would mail again what the file's ledger records as sent.

- :func:`move_weeks` copies every week of every table of the file into the PostgreSQL warehouse,
  one transaction per (table, week) through the warehouse's own writer (declared types, row
  order kept), skipping weeks PostgreSQL already holds: those were computed there, later than
  the file's copy, and are never overwritten. Each copied week is counted back.
- :func:`mark_moved` records in the file (``main.moved_to_postgres``) what went where and when.
- :func:`unmoved_data` is the check every run makes when a PostgreSQL URL is set (in
  ``CompetenceSettings.setup_for_execution``): a file beside it with weeks or deliveries and no
  such record fails the run before any step, with the command that moves it.

The ledger's rows are moved by ``assets/delivery/ledger_move.py``; ``competence
move-warehouse`` (``pipelines/move_warehouse.py``) runs both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from assets import warehouse_postgres as pg
from assets.ledger_location import LEDGER_TABLE
from assets.warehouse import connect
from assets.warehouse_postgres import PostgresWarehouse
from schemas.warehouse_tables import declared_columns

SCHEMA = "competence"
MARKER = "main.moved_to_postgres"


@dataclass(frozen=True)
class TableMove:
    """What moving one table did: weeks copied (with their rows) and weeks kept in PostgreSQL."""

    table: str
    copied: dict[str, int]  # week (ISO) -> rows copied
    kept: list[str]  # weeks PostgreSQL held already (left as they were)


def _base_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The warehouse tables of the file (not its views), in name order."""
    return [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? "
            "and table_type = 'BASE TABLE' order by table_name",
            [SCHEMA],
        ).fetchall()
    ]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def _weeks(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(f'select distinct week::date from {SCHEMA}."{table}" order by 1').fetchall()
    return [row[0].isoformat() for row in rows if row[0] is not None]


def _target_weeks(target: PostgresWarehouse, table: str) -> set[str]:
    with target.connect() as connection, connection.cursor() as cursor:
        if not pg.table_columns(cursor, table):
            return set()
        cursor.execute(f'select distinct "week"::date from {SCHEMA}."{table}"')
        return {row[0].isoformat() for row in cursor.fetchall() if row[0] is not None}


def _target_count(target: PostgresWarehouse, table: str, week: str) -> int:
    with target.connect() as connection, connection.cursor() as cursor:
        cursor.execute(
            f'select count(*) from {SCHEMA}."{table}" where "week" = %s::timestamp', [week]
        )
        return int(cursor.fetchone()[0])


def move_weeks(
    source: Path,
    target: PostgresWarehouse,
    progress: Callable[[str], None] = lambda line: None,
) -> list[TableMove]:
    """Copy every week of every table of ``source`` that ``target`` does not hold yet."""
    moves = []
    with connect(str(source)) as con:
        for table in _base_tables(con):
            present = _target_weeks(target, table)
            copied, kept = {}, []
            for week in _weeks(con, table):
                if week in present:
                    kept.append(week)
                    continue
                # rowid: the order the week's rows were stored in (reports keep that order)
                frame = con.execute(
                    f'select * from {SCHEMA}."{table}" where week = ?::timestamp order by rowid',
                    [week],
                ).df()
                pg.replace_week(target, table, frame, [pd.Timestamp(week)], declared_columns(table))
                stored = _target_count(target, table, week)
                if stored != len(frame):
                    raise RuntimeError(
                        f"{table} week {week}: {len(frame)} rows in {source}, {stored} in "
                        f"{target} after copying; nothing was marked as moved, run it again"
                    )
                copied[week] = stored
            moves.append(TableMove(table, copied, kept))
            progress(
                f"{table}: {len(copied)} week(s), {sum(copied.values()):,} rows copied"
                + (f"; {len(kept)} week(s) already in PostgreSQL kept" if kept else "")
            )
    return moves


def mark_moved(source: Path, what: str, target: str) -> None:
    """Record in the file that its ``what`` (``warehouse`` or ``ledger``) now lives at
    ``target`` (a redacted URL): from then on a run with that URL set no longer refuses."""
    with connect(str(source)) as con:
        con.execute(
            f"create table if not exists {MARKER} "
            "(what varchar, target varchar, moved_at timestamp)"
        )
        con.execute(
            f"insert into {MARKER} values (?, ?, ?)",
            [what, target, datetime.now(UTC).replace(tzinfo=None)],
        )


def unmoved_data(source: Path, *, warehouse_moves: bool, ledger_moves: bool) -> list[str]:
    """What the DuckDB file still holds that should have moved to PostgreSQL: ``["3 weeks of
    certification_status, ...", "41 deliveries"]``, or nothing (no file, nothing in it, or
    marked as moved)."""
    if not source.exists() or not (warehouse_moves or ledger_moves):
        return []
    # the warehouse's own connect: it waits for a writing process, and attaches to the file
    # this process holds open (a CLI week), which a read-only connection could not
    with connect(str(source)) as con:
        marked = set()
        if _has_table(con, "main", "moved_to_postgres"):
            marked = {row[0] for row in con.execute(f"select what from {MARKER}").fetchall()}
        found = []
        if warehouse_moves and "warehouse" not in marked:
            weeks = {table: len(_weeks(con, table)) for table in _base_tables(con)}
            if any(weeks.values()):
                most = max(weeks.values())
                found.append(f"{most} week(s) of {len(weeks)} table(s)")
        if ledger_moves and "ledger" not in marked and _has_table(con, "main", LEDGER_TABLE):
            deliveries = con.execute(f"select count(*) from main.{LEDGER_TABLE}").fetchone()[0]
            if deliveries:
                found.append(f"{deliveries} delivery ledger row(s)")
    return found
