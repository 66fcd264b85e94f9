"""The warehouse waits for another process's DuckDB lock instead of failing the step."""

from __future__ import annotations

import subprocess
import sys
import time

import duckdb
import pandas as pd
import pytest

from assets.warehouse import connect, replace_week

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
