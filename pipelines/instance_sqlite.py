"""Dagster's SQLite run records written without one disk flush per event, while weeks run here.

A local instance (``DAGSTER_HOME`` with the default storage) keeps its runs, its event log and
its asset index in SQLite files in WAL mode. Dagster opens a new connection for every event it
stores and closes it afterwards; each commit flushes the write-ahead log to disk, and closing
the file's last connection checkpoints it and flushes again. A week of the demo stores about 300
events, several of them in two files, and on this kind of disk each flush costs 10-20 ms: several
seconds a week spent waiting on the disk for records that are not the report's evidence.

While :func:`quick_run_records` is active, every SQLite connection opened under the instance
folder uses ``synchronous=NORMAL``, and one idle connection per file stays open, so Dagster's
closing connection is never the last one and checkpoints only happen every 1,000 pages (SQLite's
automatic checkpoint) and when the block ends. In WAL mode with ``synchronous=NORMAL`` a database
cannot be corrupted by a crash of the process, the system or the power; a system crash or power
loss may lose the last events written (SQLite's documented trade). The warehouse, the delivery
ledger and the report archive are not SQLite and keep their own flushes. The instance's
configuration is left as it is: `dg dev` and the daemon write as Dagster always does.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from sqlalchemy import event
from sqlalchemy.engine import Engine


class _QuickSqlite:
    """The connect hook and the idle connections it keeps, one per SQLite file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.kept: dict[str, sqlite3.Connection] = {}
        self.lock = threading.Lock()

    def on_connect(self, dbapi_connection: object, _record: object) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return  # not SQLite (a PostgreSQL instance, another database)
        path = dbapi_connection.execute("pragma database_list").fetchone()[2]
        if not path or not Path(path).resolve().is_relative_to(self.root):
            return  # an in-memory database, or a file that is not the instance's
        dbapi_connection.execute("pragma synchronous=NORMAL")
        # Kept open only once the file is in WAL mode (Dagster sets it when it creates a file):
        # only a connection that has read the file in WAL mode counts as still using it.
        mode = dbapi_connection.execute("pragma journal_mode").fetchone()[0]
        with self.lock:
            if mode.lower() != "wal" or path in self.kept:
                return
            idle = sqlite3.connect(path, check_same_thread=False)
            idle.execute("select count(*) from sqlite_master").fetchone()  # maps the WAL index
            self.kept[path] = idle

    def close(self) -> None:
        with self.lock:
            for idle in self.kept.values():
                idle.close()  # the last connection of each file: SQLite checkpoints it here
            self.kept.clear()


@contextmanager
def quick_run_records(instance: dg.DagsterInstance) -> Iterator[None]:
    """Store ``instance``'s SQLite records with ``synchronous=NORMAL`` and no checkpoint per event
    for the block (see the module docstring); nothing changes for other storage."""
    root = instance.root_directory if instance.is_persistent else None
    if root is None:
        yield
        return
    hook = _QuickSqlite(Path(root).resolve())
    event.listen(Engine, "connect", hook.on_connect)
    try:
        yield
    finally:
        event.remove(Engine, "connect", hook.on_connect)
        hook.close()
