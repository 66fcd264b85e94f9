"""Several processes writing the warehouse at once: each week replaced whole, nothing lost.

Real writer processes (``writer_process.py``) hammer weeks of ``certification_status`` — three
of them a week each, two of them the same week — while this process reads the weeks over and
over. Against PostgreSQL (COMPETENCE_WAREHOUSE_URL) the writers of different weeks run side by
side; against the DuckDB file (the default) they queue on its single-writer lock. Either way a
reader never sees part of a week or two copies of it, and the last write of a week wins whole.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psycopg2
import pytest

from assets import warehouse_postgres as pg
from assets.warehouse import read_weeks, write_week
from tests.conftest import PROJECT_ROOT
from tests.warehouse.writer_process import week_frame

ROWS, TIMES = 3000, 8
OWN_WEEKS = {"w0": "2026-10-26", "w1": "2026-11-02", "w2": "2026-11-09"}
SHARED_WEEK = "2026-11-16"
WRITERS = [*OWN_WEEKS.items(), ("w3", SHARED_WEEK), ("w4", SHARED_WEEK)]
ALL_WEEKS = [*OWN_WEEKS.values(), SHARED_WEEK]


def _start(warehouse: str, week: str, writer: str, go: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.warehouse.writer_process",
            warehouse,
            week,
            writer,
            str(ROWS),
            str(TIMES),
            str(go),
            str(len(WRITERS)),
        ],
        cwd=PROJECT_ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("COMPETENCE_")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _check_whole(frame: pd.DataFrame) -> list[str]:
    """Every stored week holds ROWS rows of one write; returns what each week holds."""
    seen = []
    for week, rows in frame.groupby("week"):
        writes = rows["status"].unique().tolist()
        assert len(writes) == 1, f"{week:%Y-%m-%d} mixes writes {writes}"
        assert len(rows) == ROWS, f"{week:%Y-%m-%d} holds {len(rows)} rows of {writes[0]}"
        assert rows["employee_id"].is_unique, f"{week:%Y-%m-%d}: two copies of a row"
        seen.append(writes[0])
    return seen


@pytest.fixture(params=["postgres", "duckdb"])
def warehouse(request, tmp_path) -> str:
    if request.param == "duckdb":
        return str(tmp_path / "warehouse.duckdb")
    return request.getfixturevalue("warehouse_url")


def test_five_writers_at_once_leave_every_week_whole_and_the_last_write_wins(warehouse, tmp_path):
    go = tmp_path / "go"
    writers = [_start(warehouse, week, writer, go) for writer, week in WRITERS]
    # every writer has imported and built its frames (a fixed sleep was not enough under load)
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("go.ready.*"))) < len(WRITERS):
        failed = [w.stderr.read() for w in writers if w.poll() not in (None, 0)]
        assert not failed and time.monotonic() < deadline, failed or "writers never got ready"
        time.sleep(0.01)
    go.touch()
    reads = 0
    while any(w.poll() is None for w in writers):
        stored = read_weeks(
            warehouse, "certification_status", ALL_WEEKS, ["week", "status", "employee_id"]
        )
        if not stored.empty:
            _check_whole(stored)
            reads += 1
    logs = {}
    for writer in writers:
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err[-3000:]
        log = json.loads(out.strip().splitlines()[-1])
        logs[log["writer"]] = log["committed"]
    # the reader really read while the writers wrote (DuckDB's readers queue with its writers)
    assert reads >= (1 if warehouse.endswith(".duckdb") else 3), reads

    final = read_weeks(warehouse, "certification_status", ALL_WEEKS)
    holds = dict(zip(sorted(ALL_WEEKS), _check_whole(final), strict=True))
    last = f":{TIMES - 1}"
    for writer, week in OWN_WEEKS.items():
        assert holds[week] == writer + last  # nothing lost: each writer's last week is there
    # the same week written by two processes: it holds one of their last writes, whole — the
    # one committed later
    later = max(("w3", "w4"), key=lambda w: logs[w][-1][1])
    assert holds[SHARED_WEEK] == later + last
    if not warehouse.endswith(".duckdb"):
        # the two writers of the shared week really overlapped (in DuckDB they queue instead:
        # one process holds the file at a time); the writers' barrier after their first commit
        # makes this so on any machine, and this says the barrier still holds
        assert logs["w3"][0][1] < logs["w4"][-1][1] and logs["w4"][0][1] < logs["w3"][-1][1]
    assert final.groupby("week").size().to_dict() == {pd.Timestamp(w): ROWS for w in ALL_WEEKS}


def test_a_week_being_written_waits_for_the_other_writer_of_that_week_only(warehouse_url):
    """The advisory lock on (table, week): a second writer of the same week waits for the first
    to commit and then replaces the week whole; a writer of another week does not wait."""
    week, other = pd.Timestamp(SHARED_WEEK), pd.Timestamp(OWN_WEEKS["w0"])
    write_week(warehouse_url, "certification_status", week_frame(SHARED_WEEK, "old", 0, 50), [week])
    holder = psycopg2.connect(warehouse_url)  # stands for a writer in the middle of the week
    try:
        with holder.cursor() as cursor:
            cursor.execute(
                "select pg_advisory_xact_lock(%s, %s)", pg._week_lock("certification_status", week)
            )
        blocked = threading.Thread(
            target=write_week,
            args=(warehouse_url, "certification_status", week_frame(SHARED_WEEK, "new", 0, 70)),
            kwargs={"weeks": [week]},
        )
        blocked.start()
        write_week(  # another week goes through while the shared week is locked
            warehouse_url,
            "certification_status",
            week_frame(OWN_WEEKS["w0"], "other", 0, 30),
            [other],
        )
        time.sleep(0.5)
        assert blocked.is_alive()
        held = read_weeks(warehouse_url, "certification_status", [SHARED_WEEK], ["status"])
        assert held["status"].value_counts().to_dict() == {"old:0": 50}
    finally:
        holder.commit()  # the first writer commits
        holder.close()
    blocked.join(timeout=30)
    assert not blocked.is_alive()
    stored = read_weeks(warehouse_url, "certification_status", [OWN_WEEKS["w0"], SHARED_WEEK])
    assert stored.groupby(["week", "status"]).size().to_dict() == {
        (other, "other:0"): 30,
        (week, "new:0"): 70,
    }
