"""Benchmark of the warehouse: a week of ``certification_status`` written and read, one writer
and several writers of different weeks at once, in each candidate store.

Usage: ``python benchmarks/bench_warehouse.py [ROWS ...] [--url=postgresql://...]`` (default
10000 and 100000 rows a week). Without ``--url`` a throw-away PostgreSQL server is started on
loopback (the test suite's helper, ``tests/operations/postgres_server.py``; needs the
``postgresql`` package). The stores:

- the DuckDB file (the default warehouse; one writing process at a time, others wait);
- PostgreSQL (COMPETENCE_WAREHOUSE_URL), through ``assets.warehouse.write_week`` /
  ``read_weeks`` exactly as the pipeline uses it;
- per-week Parquet files (the candidate not chosen, written here as an IO manager would: the
  week cast to its declared types, written to a temporary file and renamed over the week's
  file, read back with DuckDB).

A week's frame has every declared column of ``certification_status``. Figures: the median of
3 writes (each replacing the week) and of 3 reads, and the wall time for 2 and 4 processes each
writing its own week at the same moment (from the start signal to the last commit), with the
weeks per second that gives. Every stored week is counted afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from assets.warehouse import read_weeks, warehouse_location, write_week
from schemas.warehouse_tables import declared_columns

TABLE = "certification_status"
FIRST_WEEK = pd.Timestamp("2026-01-05")


def week_key(n: int) -> str:
    return (FIRST_WEEK + pd.Timedelta(weeks=n)).date().isoformat()


def status_frame(rows: int, week: str) -> pd.DataFrame:
    """``rows`` rows with every declared column, values of the usual shapes."""
    n = pd.RangeIndex(rows)
    columns = {}
    for name, kind in declared_columns(TABLE).items():
        if kind == "BIGINT":
            columns[name] = n % 7
        elif kind == "DOUBLE":
            columns[name] = (n % 40) / 2.0
        elif kind == "BOOLEAN":
            columns[name] = n % 3 == 0
        elif kind.startswith("TIMESTAMP"):
            columns[name] = pd.Timestamp("2024-03-01") + pd.to_timedelta(n % 900, unit="D")
        else:
            columns[name] = [f"{name[:4]}-{i % 5000:05d}" for i in n]
    frame = pd.DataFrame(columns)
    frame["employee_id"] = [f"E{i:07d}" for i in n]
    frame["week"] = pd.Timestamp(week)
    return frame


class ParquetWeeks:
    """One Parquet file per (table, week), replaced by an atomic rename."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def write(self, frame: pd.DataFrame, week: str) -> None:
        target = self.folder / TABLE / f"week={week}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        types = declared_columns(TABLE)
        select = ", ".join(f'cast("{c}" as {types.get(c, "VARCHAR")}) as "{c}"' for c in frame)
        with duckdb.connect() as con:
            con.register("incoming", frame)
            con.execute(f"copy (select {select} from incoming) to '{temporary}' (format parquet)")
        os.replace(temporary, target)

    def read(self, week: str) -> pd.DataFrame:
        with duckdb.connect() as con:
            path = self.folder / TABLE / f"week={week}.parquet"
            return con.execute(f"select * from read_parquet('{path}')").df()

    def count(self) -> dict[str, int]:
        with duckdb.connect() as con:
            return {
                p.stem.removeprefix("week="): con.execute(
                    f"select count(*) from read_parquet('{p}')"
                ).fetchone()[0]
                for p in sorted((self.folder / TABLE).glob("week=*.parquet"))
            }


def _write(store, frame: pd.DataFrame, week: str) -> None:
    if isinstance(store, ParquetWeeks):
        store.write(frame, week)
    else:
        write_week(store, TABLE, frame, [pd.Timestamp(week)])


def _read(store, week: str) -> pd.DataFrame:
    return store.read(week) if isinstance(store, ParquetWeeks) else read_weeks(store, TABLE, [week])


def _stored(store) -> dict[str, int]:
    if isinstance(store, ParquetWeeks):
        return store.count()
    frame = read_weeks(store, TABLE, None, ["week"])
    return {f"{w:%Y-%m-%d}": n for w, n in frame.groupby("week").size().items()}


def _writer(store, frame, week, go, times) -> None:
    go.wait()
    started = time.time()
    _write(store, frame, week)
    times.put((started, time.time()))


def concurrent_writes(store, frames: dict[str, pd.DataFrame]) -> float:
    """Wall seconds for one process per week, all writing at the same moment."""
    context = multiprocessing.get_context("fork")
    go, times = context.Event(), context.Queue()
    workers = [
        context.Process(target=_writer, args=(store, frame, week, go, times))
        for week, frame in frames.items()
    ]
    for worker in workers:
        worker.start()
    time.sleep(0.5)
    go.set()
    spans = [times.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise SystemExit(f"a writer failed (exit {worker.exitcode})")
    return max(end for _, end in spans) - min(start for start, _ in spans)


def measure(store, rows: int) -> dict[str, str]:
    figures = {}
    frame = status_frame(rows, week_key(0))
    writes, reads = [], []
    for _ in range(3):
        started = time.perf_counter()
        _write(store, frame, week_key(0))
        writes.append(time.perf_counter() - started)
    for _ in range(3):
        started = time.perf_counter()
        got = _read(store, week_key(0))
        reads.append(time.perf_counter() - started)
        assert len(got) == rows
    figures["write one week (replace)"] = f"{statistics.median(writes):6.2f} s"
    figures["read one week"] = f"{statistics.median(reads):6.2f} s"
    week = 1
    for writers in (2, 4):
        frames = {
            week_key(week + i): status_frame(rows, week_key(week + i)) for i in range(writers)
        }
        week += writers
        wall = concurrent_writes(store, frames)
        figures[f"{writers} writers, a week each"] = (
            f"{wall:6.2f} s wall, {writers / wall:5.2f} weeks/s"
        )
    stored = _stored(store)
    assert stored == {week_key(n): rows for n in range(week)}, stored
    return figures


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv if a.isdigit()] or [10_000, 100_000]
    url = next((a.split("=", 1)[1] for a in argv if a.startswith("--url=")), None)
    pg_base = Path(tempfile.mkdtemp(prefix="bench-warehouse-pg-"))
    server = None
    try:
        if url is None:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
            from tests.operations.postgres_server import PostgresServer

            server = PostgresServer(pg_base).start()
            url = f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
        print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
        for rows in sizes:
            base = Path(tempfile.mkdtemp(prefix="bench-warehouse-"))
            try:
                stores = {
                    "DuckDB file": base / "warehouse.duckdb",
                    f"PostgreSQL {warehouse_location(url)}": warehouse_location(url),
                    "per-week Parquet": ParquetWeeks(base / "parquet"),
                }
                if server is not None:  # a fresh table per size
                    import psycopg2

                    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
                        cursor.execute("drop schema if exists competence cascade")
                    connection.close()
                for name, store in stores.items():
                    print(f"{name}, {rows:,} rows a week:", flush=True)
                    for what, value in measure(store, rows).items():
                        print(f"  {what:28} {value}", flush=True)
            finally:
                shutil.rmtree(base, ignore_errors=True)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(pg_base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
