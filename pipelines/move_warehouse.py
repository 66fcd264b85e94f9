"""``competence move-warehouse``: the DuckDB file's weeks and deliveries into PostgreSQL.

Run once when an installation that started on ``var/warehouse.duckdb`` sets
``COMPETENCE_WAREHOUSE_URL`` (and with it, or with ``COMPETENCE_LEDGER_URL``, the delivery
ledger) — before the first week runs there; a run refuses to start until it is done
(``assets/warehouse_move.py``). What moves follows the environment: the tables when the warehouse
is PostgreSQL, the ledger when the ledger is. Weeks and ledger keys PostgreSQL holds already are
kept as they are there. Running it again copies only what is still missing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import duckdb

from assets.delivery.ledger_move import move_ledger
from assets.ledger_location import LedgerUnavailable, PostgresLedger
from assets.resources import CompetenceSettings
from assets.warehouse_move import mark_moved, move_weeks
from assets.warehouse_postgres import PostgresWarehouse, WarehouseUnavailable


class MoveRefused(ValueError):
    """Nothing to move to, or nothing to move: a usage mistake, said in one line."""


def move_from_environment(database: str | None) -> int:
    """``competence move-warehouse [--database PATH]``: exit 0 when moved, 1 when a server or
    the file could not be reached (nothing is marked as moved then)."""
    settings = CompetenceSettings.from_environment()
    source = Path(database) if database else settings.output_path / "warehouse.duckdb"
    warehouse, ledger = settings.warehouse_path, settings.ledger
    if not isinstance(warehouse, PostgresWarehouse) and not isinstance(ledger, PostgresLedger):
        raise MoveRefused(
            "neither COMPETENCE_WAREHOUSE_URL nor COMPETENCE_LEDGER_URL is set: there is no "
            "PostgreSQL to move the warehouse to"
        )
    if not source.is_file():
        raise MoveRefused(f"{source}: no such warehouse file (--database names another)")
    try:
        move_warehouse(
            source,
            warehouse if isinstance(warehouse, PostgresWarehouse) else None,
            ledger if isinstance(ledger, PostgresLedger) else None,
        )
    except (WarehouseUnavailable, LedgerUnavailable, duckdb.IOException) as exc:
        # unreachable server (named without its password), or the file in use by a run
        print(f"move-warehouse: {exc}; nothing was marked as moved", file=sys.stderr)
        return 1
    return 0


def move_warehouse(
    source: Path,
    warehouse: PostgresWarehouse | None,
    ledger: PostgresLedger | None,
    say: Callable[[str], None] = print,
) -> None:
    """Move what the settings now keep in PostgreSQL, saying what moved as it goes."""
    say(f"moving {source}:")
    if warehouse is not None:
        moves = move_weeks(source, warehouse, progress=lambda line: say(f"  {line}"))
        weeks = {week for move in moves for week in move.copied}
        rows = sum(sum(move.copied.values()) for move in moves)
        kept = sum(len(move.kept) for move in moves)
        mark_moved(source, "warehouse", str(warehouse))
        say(
            f"warehouse: {len(moves)} table(s), {len(weeks)} week(s), {rows:,} rows copied to "
            f"{warehouse}"
            + (f"; {kept} table-week(s) PostgreSQL held already kept" if kept else "")
        )
    if ledger is not None:
        moved = move_ledger(source, ledger)
        mark_moved(source, "ledger", str(ledger))
        say(
            f"delivery ledger: {moved.copied:,} row(s) copied to {ledger.table} at {ledger}"
            + (f"; {moved.kept:,} key(s) PostgreSQL held already kept" if moved.kept else "")
        )
    say(f"done: runs with these settings no longer refuse; keep {source} as a backup")
