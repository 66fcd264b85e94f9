"""``competence move-warehouse``: the DuckDB file's weeks and deliveries into PostgreSQL.

Run once when an installation that started on ``var/warehouse.duckdb`` sets
``COMPETENCE_WAREHOUSE_URL`` (and with it, or with ``COMPETENCE_LEDGER_URL``, the delivery
ledger) — before the first week runs there; a run refuses to start until it is done
(``assets/warehouse_move.py``). What moves follows the environment: the tables when the warehouse
is PostgreSQL, the ledger when the ledger is. Weeks and ledger keys PostgreSQL holds already are
kept as they are there. Running it again copies only what is still missing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assets.delivery.ledger_move import move_ledger
from assets.ledger_location import PostgresLedger
from assets.warehouse_move import mark_moved, move_weeks
from assets.warehouse_postgres import PostgresWarehouse


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
