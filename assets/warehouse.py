"""The warehouse: one table per asset, one ``week`` column per row.

By default one DuckDB file (one machine, one writing process at a time). With
``COMPETENCE_WAREHOUSE_URL`` set, the same tables live in PostgreSQL
(:mod:`assets.warehouse_postgres`), which takes several writers at once; every reader and writer
below goes through :func:`warehouse_location` and dispatches on what it gets.

Writing a week deletes that week and inserts the new rows in one transaction, so a rerun or a
second backfill replaces the week instead of appending to it — also when the new frame is empty
(the stock DuckDB IO manager skips empty frames, which would leave last run's rejects behind).
Columns are matched by name; a column added by a newer version of the code is added to the table.
Reading an input returns every stored week of the requested partition range as one frame.

Tables are created with the column types declared in ``schemas.warehouse_tables``, never from the
first frame's dtypes (an empty object column would become DuckDB's type ``"NULL"`` and refuse
every later value). A warehouse an older version left with such columns is detected before
anything is written, and ``competence repair-warehouse`` (:func:`repair_warehouse`) retypes them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import tenacity

from assets import warehouse_postgres as pg
from assets.person_history import ensure_person_history
from assets.warehouse_postgres import PostgresWarehouse, WarehouseUnavailable, is_postgres_url
from schemas.warehouse_tables import declared_columns

WarehouseLocation = Path | PostgresWarehouse

SCHEMA = "competence"
UNTYPED = '"NULL"'  # how DuckDB names the type of a column created from all-null values
FALLBACK_TYPE = "VARCHAR"  # an undeclared column with no values yet: text holds anything


class WarehouseNeedsRepair(Exception):
    """The warehouse has columns without a type; the message says how to repair it."""


LOCK_WAIT_SECONDS = 120.0


def _is_lock_conflict(exc: Exception) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _open(database: str, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting while another process holds DuckDB's single-writer lock.

    Two processes may meet here: steps of a run under the multiprocess executor, or a CLI run
    next to `dagster dev`. DuckDB refuses a second writer at once; waiting with exponential
    backoff (tenacity, the project's retry library: from 50 ms, at most 2 s between tries,
    jittered so that waiters do not retry in step) turns that into a queue instead of a failed
    step. Any other error is raised at once.
    """
    waiting = tenacity.Retrying(
        retry=tenacity.retry_if_exception(_is_lock_conflict),
        stop=tenacity.stop_after_delay(wait_seconds),
        wait=tenacity.wait_random_exponential(multiplier=0.05, max=2.0),
        reraise=True,  # the caller's error says what happened: DuckDB's own lock message
    )
    return waiting(duckdb.connect, database, read_only=read_only)


@contextmanager
def connect(database: str, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS):
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    con = _open(database, read_only, wait_seconds)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def held_open(location: WarehouseLocation) -> Iterator[bool]:
    """Keep the DuckDB file open for the block (one week's run in this process); yields whether
    it could be opened.

    DuckDB keeps one database instance per file and process while any connection to it is open,
    so every :func:`connect` inside the block attaches to that instance instead of opening the
    file (reading the catalog, taking the lock) and checkpointing it when closing: a week of the
    demo opened the file 85 times, at about 130 ms each on a loaded machine against 11 ms
    attached. Each write still commits in its own transaction, as before. The single-writer lock
    is then held for the whole block, so another process waits in :func:`_open` until the week is
    done instead of between two of its writes. PostgreSQL: nothing to hold. A file that cannot be
    opened is not held: the run's own steps open it and say what is wrong in their words.
    """
    if isinstance(location, PostgresWarehouse):
        yield False
        return
    try:
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        keep = _open(str(location), read_only=False, wait_seconds=LOCK_WAIT_SECONDS)
    except (duckdb.Error, OSError):
        keep = None
    try:
        yield keep is not None
    finally:
        if keep is not None:
            keep.close()


def warehouse_location(value: str | Path | PostgresWarehouse) -> WarehouseLocation:
    """The DuckDB file, or the PostgreSQL warehouse for a ``postgresql://`` URL."""
    if isinstance(value, PostgresWarehouse):
        return value
    if is_postgres_url(value):
        return PostgresWarehouse(str(value).strip())
    return Path(value)


def _table(context) -> str:
    return f'{SCHEMA}."{context.asset_key.path[-1]}"'


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the warehouse schema."""
    return {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [SCHEMA]
        ).fetchall()
    }


def untyped_columns(con: duckdb.DuckDBPyConnection, table: str | None = None) -> list[str]:
    """``table.column`` of every warehouse column typed ``"NULL"`` (of one table, if given)."""
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = ? and data_type = ? and (? is null or table_name = ?) "
        "order by table_name, ordinal_position",
        [SCHEMA, UNTYPED, table, table],
    ).fetchall()
    return [f"{t}.{c}" for t, c in rows]


def repair_advice(database: str | Path, columns: list[str]) -> str:
    shown = ", ".join(columns[:5]) + (f" and {len(columns) - 5} more" if len(columns) > 5 else "")
    return (
        f"the warehouse {database} has {len(columns)} column(s) without a type, left by an older "
        f"version ({shown}): run `competence repair-warehouse` to retype them (the data is kept)"
    )


def check_warehouse(database: str | Path) -> None:
    """Raise :class:`WarehouseNeedsRepair` when any warehouse column has no type.

    In PostgreSQL every column is created with its type, so there is nothing to repair; the
    server is reached once instead, so a wrong URL fails the week before anything is computed."""
    location = warehouse_location(database)
    if isinstance(location, PostgresWarehouse):
        pg.check_reachable(location)
        return
    if not Path(database).exists():
        return
    with connect(str(database)) as con:  # not read-only: the run's own writes share the file
        columns = untyped_columns(con)
    if columns:
        raise WarehouseNeedsRepair(repair_advice(database, columns))


def repair_warehouse(database: str | Path) -> list[str]:
    """Retype every ``"NULL"`` column to its declared type (VARCHAR when undeclared).

    Such a column can only hold NULLs, so retyping keeps every row. One transaction: either
    every column is repaired or none. Returns what was done, one line per column.
    """
    if isinstance(warehouse_location(database), PostgresWarehouse):
        return []  # PostgreSQL columns always carry their declared type
    done = []
    with connect(str(database)) as con:
        con.execute("begin")
        try:
            for qualified in untyped_columns(con):
                table, column = qualified.split(".", 1)
                wanted = declared_columns(table).get(column, FALLBACK_TYPE)
                con.execute(
                    f'alter table {SCHEMA}."{table}" alter column "{column}" set data type {wanted}'
                )
                done.append(f"{SCHEMA}.{table}.{column}: retyped to {wanted}")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    return done


def _bare_name(table: str) -> str:
    """``competence."rejected_rows"`` -> ``rejected_rows``."""
    return table.rsplit(".", 1)[-1].strip('"')


def _create_table(con: duckdb.DuckDBPyConnection, table: str, declared: dict[str, str]) -> None:
    """Create ``table`` from the declared types; undeclared, from the frame's (NULL as text)."""
    columns = declared or {
        name: FALLBACK_TYPE if dtype == UNTYPED else dtype
        for name, dtype, *_ in con.execute("describe incoming").fetchall()
    }
    listed = ", ".join(f'"{name}" {dtype}' for name, dtype in columns.items())
    con.execute(f"create table if not exists {table} ({listed})")


def replace_week(
    con: duckdb.DuckDBPyConnection,
    table: str,
    frame: pd.DataFrame,
    weeks: list[pd.Timestamp],
    declared: dict[str, str] | None = None,
) -> None:
    """Delete ``weeks`` from ``table`` and insert ``frame`` (which carries ``week``).

    ``declared`` gives the column types (``schemas.warehouse_tables``); a column neither
    declared nor typed by the frame (all None) is created as VARCHAR, never as ``"NULL"``.
    """
    declared = declared or {}
    con.execute(f"create schema if not exists {SCHEMA}")
    con.register("incoming", frame)
    try:
        con.execute("begin")
        _create_table(con, table, declared)
        existing = {row[0]: row[1] for row in con.execute(f"describe {table}").fetchall()}
        for name, dtype, *_ in con.execute("describe incoming").fetchall():
            if name not in existing:
                wanted = declared.get(name) or (FALLBACK_TYPE if dtype == UNTYPED else dtype)
                con.execute(f'alter table {table} add column "{name}" {wanted}')
                existing[name] = wanted
        untyped = [name for name, dtype in existing.items() if dtype == UNTYPED]
        if untyped:
            raise WarehouseNeedsRepair(
                repair_advice(
                    con.execute("pragma database_list").fetchone()[2],
                    [f"{_bare_name(table)}.{name}" for name in untyped],
                )
            )
        con.execute(
            f"delete from {table} where week in (select unnest(?::timestamp[]))", [list(weeks)]
        )
        if not frame.empty:
            con.execute(f"insert into {table} by name select * from incoming")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("incoming")


class WarehouseIOManager(dg.ConfigurableIOManager):
    """Stores each weekly asset as a table in the warehouse, partition by ``week``.

    ``database`` is the DuckDB file, or a ``postgresql://`` URL (COMPETENCE_WAREHOUSE_URL, given
    as a ``dg.EnvVar`` so the UI shows the variable's name, never the password)."""

    database: str

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        if obj is None:
            return
        keys = context.asset_partition_keys if context.has_asset_partitions else []
        weeks = [pd.Timestamp(k) for k in keys]
        if "week" not in obj.columns:
            raise dg.Failure(f"{context.asset_key.to_user_string()}: frame has no 'week' column")
        try:
            write_week(self.database, context.asset_key.path[-1], obj, weeks)
        except (WarehouseNeedsRepair, WarehouseUnavailable) as exc:
            raise dg.Failure(description=str(exc)) from None
        context.add_output_metadata({"warehouse_table": _table(context)})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        keys = context.asset_partition_keys if context.has_asset_partitions else []
        # an input may name the columns it needs (AssetIn metadata "columns"): a long
        # history of a wide table is read column by column, not whole
        wanted = (getattr(context, "definition_metadata", None) or {}).get("columns")
        return read_weeks(self.database, context.asset_key.path[-1], keys or None, wanted)


def write_week(
    database: str | Path | PostgresWarehouse,
    table: str,
    frame: pd.DataFrame,
    weeks: list[pd.Timestamp],
) -> None:
    """Replace ``weeks`` of ``table`` by ``frame`` (which carries ``week``) in one transaction,
    in the DuckDB file or the PostgreSQL warehouse, with the declared column types."""
    declared = declared_columns(table)
    location = warehouse_location(database)
    if isinstance(location, PostgresWarehouse):
        # the person history is computed on demand there (pipelines/person_report.py)
        pg.replace_week(location, table, frame, weeks, declared)
        return
    with connect(str(location)) as con:
        replace_week(con, f'{SCHEMA}."{table}"', frame, weeks, declared)
        if table in ("certification_status", "corrective_actions"):
            ensure_person_history(con)  # the per-person view over the weekly tables


def read_weeks(
    database: str | Path | PostgresWarehouse,
    table: str,
    weeks: list[str] | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """The stored rows of ``weeks`` (partition keys; None: every week) of a warehouse table,
    oldest week first, as the IO manager hands them to an asset: an empty frame when the table
    does not exist yet, timestamps in nanoseconds. ``columns`` limits what is read."""
    location = warehouse_location(database)
    if isinstance(location, PostgresWarehouse):
        return _in_nanoseconds(
            pg.read_weeks(location, table, weeks, columns, declared_columns(table))
        )
    qualified = f'{SCHEMA}."{table}"'
    with connect(str(database), read_only=False) as con:
        if table not in table_names(con):
            return pd.DataFrame()
        select = ", ".join(f'"{c}"' for c in columns) if columns else "*"
        if weeks is None:
            frame = con.execute(f"select {select} from {qualified}").df()
        else:
            # rowid: within a week, the order the rows were stored in (DuckDB's sort is not
            # stable: by week alone, a week's rows came back shuffled — e.g. a site's findings,
            # stored most severe first, reached the report in another order)
            frame = con.execute(
                f"select {select} from {qualified} where week in (select unnest(?::timestamp[])) "
                "order by week, rowid",
                [[pd.Timestamp(k) for k in weeks]],
            ).df()
    return _in_nanoseconds(frame)


def _in_nanoseconds(frame: pd.DataFrame) -> pd.DataFrame:
    # DuckDB hands back microsecond timestamps; the rules and reports use nanoseconds
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].astype("datetime64[ns]")
    return frame


def latest_week_before(
    database: str | Path | PostgresWarehouse, table: str, before: str
) -> str | None:
    """The latest stored week (Monday, ISO) of ``table`` before the Monday ``before``, or None
    when the warehouse or the table does not exist yet."""
    location = warehouse_location(database)
    if isinstance(location, PostgresWarehouse):
        return pg.latest_week_before(location, table, before)
    if not location.exists():
        return None
    with connect(str(location)) as con:
        if table not in table_names(con):
            return None
        week = con.execute(
            f'select max(week) from {SCHEMA}."{table}" where week < ?::timestamp', [before]
        ).fetchone()[0]
    return None if week is None else pd.Timestamp(week).date().isoformat()


def stored_tables(database: str | Path | PostgresWarehouse) -> set[str]:
    """The tables the warehouse holds (none when the DuckDB file does not exist yet)."""
    location = warehouse_location(database)
    if isinstance(location, PostgresWarehouse):
        return pg.table_names(location)
    if not location.exists():
        return set()
    with connect(str(location)) as con:
        return table_names(con)
