"""The warehouse: it waits for another process's DuckDB lock instead of failing the step, types
its tables from the declared schema, and repairs the untyped columns older versions left."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from assets.warehouse import (
    PostgresWarehouse,
    WarehouseNeedsRepair,
    check_warehouse,
    connect,
    held_open,
    read_weeks,
    repair_warehouse,
    replace_week,
    untyped_columns,
    write_week,
)
from schemas.warehouse_tables import declared_columns

HOLDER = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def test_a_writer_waits_for_the_lock_held_by_another_process(tmp_path):
    database = str(tmp_path / "warehouse.duckdb")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, database, "1.5"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    started = time.monotonic()
    week = pd.Timestamp("2026-11-16")
    with connect(database) as con:
        replace_week(con, '"competence"."t"', pd.DataFrame({"week": [week], "x": [1]}), [week])
        assert con.execute('select x from "competence"."t"').fetchall() == [(1,)]
    assert time.monotonic() - started >= 0.5  # it really waited for the other process
    holder.wait(timeout=10)


def test_a_lock_held_too_long_still_fails_with_duckdbs_message(tmp_path):
    database = str(tmp_path / "warehouse.duckdb")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, database, "3"], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(duckdb.IOException, match="lock"), connect(database, wait_seconds=0.3):
        pass
    holder.wait(timeout=10)


# --- typed tables, and repairing a warehouse an older version poisoned --------------------------

WEEK = pd.Timestamp("2026-11-16")


def _types(con, table: str) -> dict[str, str]:
    return {row[0]: row[1] for row in con.execute(f"describe competence.{table}").fetchall()}


def test_an_empty_first_frame_creates_the_declared_column_types(tmp_path):
    """An empty frame of object columns (a week with no rejects) must not type the table."""
    empty = pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("source", "source_file", "row_number", "value")}
    ).assign(week=WEEK)
    with connect(str(tmp_path / "w.duckdb")) as con:
        replace_week(
            con, 'competence."rejected_rows"', empty, [WEEK], declared_columns("rejected_rows")
        )
        types = _types(con, "rejected_rows")
        assert types["row_number"] == "BIGINT"
        assert types["value"] == "VARCHAR"
        assert types["week"] == "TIMESTAMP"
        assert set(types) == set(declared_columns("rejected_rows"))  # every declared column
        # a later week with values goes in (the old code failed here: VARCHAR -> "NULL")
        later = pd.DataFrame({"source": ["apex"], "row_number": [7], "value": ["13/45/2025"]})
        replace_week(
            con,
            'competence."rejected_rows"',
            later.assign(week=WEEK),
            [WEEK],
            declared_columns("rejected_rows"),
        )
        assert con.execute(
            "select source, row_number, value from competence.rejected_rows"
        ).fetchall() == [("apex", 7, "13/45/2025")]


def test_an_undeclared_all_null_column_is_created_as_text(tmp_path):
    frame = pd.DataFrame({"note": [None, None]}).assign(week=WEEK)
    with connect(str(tmp_path / "w.duckdb")) as con:
        replace_week(con, 'competence."scratch"', frame, [WEEK])
        assert _types(con, "scratch")["note"] == "VARCHAR"
        assert untyped_columns(con) == []


def _poison(database: Path) -> None:
    """What older versions did: a table created from an all-None object frame."""
    with duckdb.connect(str(database)) as con:
        con.execute("create schema competence")
        con.register(
            "incoming", pd.DataFrame({"site": ["DAYTON"], "error": [None]}).assign(week=WEEK)
        )
        con.execute("create table competence.email_delivery as select * from incoming")
        con.register(
            "rejects",
            pd.DataFrame({"source": ["apex"], "value": [None], "message": [None]}).assign(
                week=WEEK
            ),
        )
        con.execute("create table competence.rejected_rows as select * from rejects")


def test_a_poisoned_warehouse_is_detected_and_repaired_by_the_cli(tmp_path):
    database = tmp_path / "var/warehouse.duckdb"
    database.parent.mkdir()
    _poison(database)
    with duckdb.connect(str(database)) as con:
        assert untyped_columns(con) == [
            "email_delivery.error",
            "rejected_rows.value",
            "rejected_rows.message",
        ]
        with pytest.raises(duckdb.ConversionException, match='VARCHAR -> "NULL"'):
            con.execute("insert into competence.rejected_rows values ('x', 'v', 'm', now())")
    with pytest.raises(WarehouseNeedsRepair) as raised:
        check_warehouse(database)
    assert str(raised.value) == (
        f"the warehouse {database} has 3 column(s) without a type, left by an older version "
        "(email_delivery.error, rejected_rows.value, rejected_rows.message): run "
        "`competence repair-warehouse` to retype them (the data is kept)"
    )

    repair = subprocess.run(
        [str(Path(sys.executable).parent / "competence"), "repair-warehouse"],
        env={**os.environ, "COMPETENCE_OUTPUT_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert repair.returncode == 0, repair.stderr
    assert repair.stdout.splitlines() == [
        "competence.email_delivery.error: retyped to VARCHAR",
        "competence.rejected_rows.value: retyped to VARCHAR",
        "competence.rejected_rows.message: retyped to VARCHAR",
        f"warehouse {tmp_path / 'var/warehouse.duckdb'}: 3 column(s) repaired",
    ]
    with duckdb.connect(str(database)) as con:
        assert untyped_columns(con) == []
        # the rows are kept, and the columns now take values
        assert con.execute("select site, error from competence.email_delivery").fetchall() == [
            ("DAYTON", None)
        ]
        con.execute("insert into competence.rejected_rows values ('x', 'v', 'm', now())")
        assert con.execute("select count(*) from competence.rejected_rows").fetchone() == (2,)
    check_warehouse(database)  # healthy now

    again = subprocess.run(
        [
            str(Path(sys.executable).parent / "competence"),
            "repair-warehouse",
            "--database",
            str(database),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (again.returncode, again.stdout.strip()) == (
        0,
        f"warehouse {database}: nothing to repair",
    )


def test_a_poisoned_warehouse_fails_the_week_before_anything_is_written(tmp_path):
    import dagster as dg

    from assets.ingest.assets import landing_intake
    from assets.resources import CompetenceSettings
    from assets.warehouse import WarehouseIOManager
    from tests.conftest import PROJECT_ROOT
    from tests.ingest.landing_builder import ROSTER_HEADER, write

    database = tmp_path / "var/warehouse.duckdb"
    database.parent.mkdir()
    _poison(database)
    write(
        tmp_path / "landing/roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,,DAYTON,,Production Technician,,2020-01-01,"],
    )
    settings = CompetenceSettings(
        landing_dir=str(tmp_path / "landing"),
        config_dir=str(PROJECT_ROOT / "config"),
        output_dir=str(tmp_path / "var"),
        run_date="2026-11-25",
    )
    resources = {"settings": settings, "io_manager": WarehouseIOManager(database=str(database))}
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [landing_intake],
            partition_key="2026-11-16",
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )
        [failure] = [e for e in result.all_events if e.is_step_failure]
        assert "run `competence repair-warehouse` to retype them" in (
            failure.step_failure_data.user_failure_data.description
        )
        with duckdb.connect(str(database), read_only=True) as con:
            assert "roster_snapshot" not in {
                r[0]
                for r in con.execute("select table_name from information_schema.tables").fetchall()
            }
        assert not (tmp_path / "var/status").exists()

        repair_warehouse(database)
        healed = dg.materialize(
            [landing_intake], partition_key="2026-11-16", resources=resources, instance=instance
        )
    assert healed.success
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select employee_id from competence.roster_snapshot").fetchall() == [
            ("E1",)
        ]
        assert untyped_columns(con) == []


# --- the file held open for one week's run (pipelines/backfill.py) -------------------------------

TRY_OPEN = """
import duckdb, sys
try:
    duckdb.connect(sys.argv[1]).close()
    print("opened")
except duckdb.IOException as exc:
    print("refused:", "lock" in str(exc).lower())
"""


def _other_process_opens(database: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", TRY_OPEN, database], capture_output=True, text=True, timeout=60
    )
    return done.stdout.strip()


def test_held_open_keeps_the_lock_for_the_block_and_every_write_is_stored(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    with held_open(database) as held:
        assert held
        for n in range(3):  # each write opens and closes its own connection, as the steps do
            write_week(database, "t", pd.DataFrame({"week": [WEEK], "x": [n]}), [WEEK])
        assert _other_process_opens(str(database)) == "refused: True"
    # released at the end of the block: another process opens the file and sees the last write
    assert _other_process_opens(str(database)) == "opened"
    assert read_weeks(database, "t", ["2026-11-16"])["x"].tolist() == [2]


def test_held_open_leaves_a_file_it_cannot_open_to_the_steps(tmp_path):
    database = tmp_path / "warehouse.duckdb"
    database.write_text("not a DuckDB file")
    with held_open(database) as held:
        assert not held
    with held_open(PostgresWarehouse("postgresql://user:secret@127.0.0.1:1/none")) as held:
        assert not held  # nothing to hold, and no server is reached
