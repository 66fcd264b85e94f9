"""The warehouse: one DuckDB file, one table per asset, one ``week`` column per row.

Writing a week deletes that week and inserts the new rows in one transaction, so a rerun or a
second backfill replaces the week instead of appending to it — also when the new frame is empty
(the stock DuckDB IO manager skips empty frames, which would leave last run's rejects behind).
Columns are matched by name; a column added by a newer version of the code is added to the table.
Reading an input returns every stored week of the requested partition range as one frame.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

SCHEMA = "competence"


LOCK_WAIT_SECONDS = 120.0


def _open(database: str, read_only: bool, wait_seconds: float) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting while another process holds DuckDB's single-writer lock.

    Two processes may meet here: steps of a run under the multiprocess executor, or a CLI run
    next to `dagster dev`. DuckDB refuses a second writer at once; waiting with backoff turns
    that into a queue instead of a failed step.
    """
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            return duckdb.connect(database, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


@contextmanager
def connect(database: str, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS):
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    con = _open(database, read_only, wait_seconds)
    try:
        yield con
    finally:
        con.close()


def _table(context) -> str:
    return f'{SCHEMA}."{context.asset_key.path[-1]}"'


def replace_week(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, weeks: list[pd.Timestamp]
) -> None:
    """Delete ``weeks`` from ``table`` and insert ``frame`` (which carries ``week``)."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.register("incoming", frame)
    try:
        con.execute("begin")
        con.execute(f"create table if not exists {table} as select * from incoming limit 0")
        existing = {row[0] for row in con.execute(f"describe {table}").fetchall()}
        for name, dtype, *_ in con.execute("describe incoming").fetchall():
            if name not in existing:
                con.execute(f'alter table {table} add column "{name}" {dtype}')
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
    """Stores each weekly asset as a table in the DuckDB warehouse, partition by ``week``."""

    database: str

    def handle_output(self, context: dg.OutputContext, obj: pd.DataFrame) -> None:
        if obj is None:
            return
        keys = context.asset_partition_keys if context.has_asset_partitions else []
        weeks = [pd.Timestamp(k) for k in keys]
        if "week" not in obj.columns:
            raise dg.Failure(f"{context.asset_key.to_user_string()}: frame has no 'week' column")
        with connect(self.database) as con:
            replace_week(con, _table(context), obj, weeks)
        context.add_output_metadata({"warehouse_table": _table(context)})

    def load_input(self, context: dg.InputContext) -> pd.DataFrame:
        table = _table(context.upstream_output) if context.upstream_output else _table(context)
        keys = context.asset_partition_keys if context.has_asset_partitions else []
        with connect(self.database, read_only=False) as con:
            exists = con.execute(
                "select count(*) from information_schema.tables where table_schema = ? "
                "and table_name = ?",
                [SCHEMA, context.asset_key.path[-1]],
            ).fetchone()[0]
            if not exists:
                return pd.DataFrame()
            if not keys:
                frame = con.execute(f"select * from {table}").df()
            else:
                frame = con.execute(
                    f"select * from {table} where week in (select unnest(?::timestamp[])) "
                    "order by week",
                    [[pd.Timestamp(k) for k in keys]],
                ).df()
        # DuckDB hands back microsecond timestamps; the rules and reports use nanoseconds
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].astype("datetime64[ns]")
        return frame
