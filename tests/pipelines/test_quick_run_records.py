"""While the CLI runs weeks, Dagster's SQLite records are written in WAL mode with
``synchronous=NORMAL`` and one idle connection per file (pipelines/instance_sqlite.py): every
event is still stored, nothing outside the instance folder is touched, and the hook and the idle
connections are gone when the block ends (the write-ahead logs checkpointed into the files)."""

from __future__ import annotations

import sqlite3

import dagster as dg
import sqlalchemy

from pipelines.instance_sqlite import quick_run_records


@dg.asset
def tiny() -> int:
    return 7


def _synchronous(path) -> int:
    engine = sqlalchemy.create_engine(f"sqlite:///{path}", poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("pragma synchronous").scalar()
    finally:
        engine.dispose()


def test_every_event_is_stored_and_the_files_are_checkpointed_at_the_end(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    outside = tmp_path / "elsewhere.db"
    with dg.instance_for_test(temp_dir=str(home)) as instance:
        with quick_run_records(instance):
            result = dg.materialize([tiny], instance=instance)
            index = home / "history" / "runs" / "index.db"
            # Dagster's own connections to the instance's files: NORMAL (1); others untouched
            assert _synchronous(index) == 1
            assert _synchronous(outside) == 2  # SQLite's default, FULL
            # the run's log file is written ahead and kept open: its WAL is not folded back yet
            run_db = home / "history" / "runs" / f"{result.run_id}.db"
            assert run_db.with_name(run_db.name + "-wal").exists()
        assert _synchronous(index) == 2  # the hook is removed with the block
        # the last connection closed: SQLite checkpointed the log into the file and removed it
        assert not run_db.with_name(run_db.name + "-wal").exists()
        stored = instance.all_logs(result.run_id)
        assert {e.dagster_event_type for e in stored if e.is_dagster_event} >= {
            dg.DagsterEventType.RUN_START,
            dg.DagsterEventType.ASSET_MATERIALIZATION,
            dg.DagsterEventType.RUN_SUCCESS,
        }
        assert instance.get_latest_materialization_event(dg.AssetKey("tiny")) is not None
    # a fresh process's view of the file: every event of the run is in it
    with sqlite3.connect(run_db) as connection:
        rows = connection.execute("select count(*) from event_logs").fetchone()[0]
    assert rows == len(stored)


def test_an_instance_without_a_folder_is_left_as_it_is():
    with dg.DagsterInstance.ephemeral() as instance, quick_run_records(instance):
        result = dg.materialize([tiny], instance=instance)
        assert result.output_for_node("tiny") == 7
