"""The roster, the results and the activities are taken in on threads of their own
(assets/ingest/intake.py): the week is the very same as with one source after the other, and
the workbooks read in worker processes are handed over safely to several threads at once."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import psutil

from assets.ingest import intake, read_workers
from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from assets.ingest.read_workers import WorkbookReads
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import ACTIVITY_HEADER, write
from tests.ingest.test_read_workers import TABLES, _landing, _spawned_workers

AS_OF = dt.date(2026, 11, 22)


def _week(root, config, threads, monkeypatch):
    monkeypatch.setattr(intake, "SOURCE_THREADS", threads)
    monkeypatch.setattr(read_workers, "WORKER_MIN_BYTES", 0)  # the workbooks in workers too
    return ingest_week(take_inventory(root, config.providers), config, AS_OF, RUN_DATE)


def _with_activities(root):
    _landing(root)
    write(
        root / "activities/ce_2025.csv",
        [
            ACTIVITY_HEADER,
            "E1,2025-02-01,COURSE,4,,Lean basics,EV-1",
            "E1,2025-02-01,COURSE,4,,Lean basics,EV-1",  # a repeat
            "E2,2025-02-03,WEBINAR,-2,,Bad hours,EV-2",  # a reject
            "E9,2025-02-04,COURSE,,3,Not on the roster,EV-3",  # unmatched
        ],
    )


def test_sources_on_threads_give_the_same_week_as_one_after_the_other(
    tmp_path, config, monkeypatch
):
    _with_activities(tmp_path)
    one_by_one = _week(tmp_path, config, 1, monkeypatch)
    on_threads = _week(tmp_path, config, 3, monkeypatch)
    for name in [*TABLES, "source_files"]:
        pd.testing.assert_frame_equal(getattr(on_threads, name), getattr(one_by_one, name))
    assert on_threads.roster_file == one_by_one.roster_file == "roster/roster_2026-01-05.csv"
    # what the comparison is about: every source's rows and trouble are there
    assert sorted(on_threads.rejects["source"].unique()) == ["activities", "apex_academy"]
    assert sorted(on_threads.deduplicated["source"]) == [
        "activities",
        "apex_academy",
        "apex_academy",
    ]
    assert on_threads.unmatched["record_id"].tolist() == ["A-5", "EV-3"]
    # an unmatched activity stays, without a person
    assert on_threads.activities["evidence_ref"].tolist() == ["EV-1", "EV-3"]
    assert on_threads.activities["person_id"].isna().tolist() == [False, True]
    files = on_threads.source_files.set_index("file")
    assert files.loc["activities/ce_2025.csv", ["rows_in", "accepted", "rejected"]].tolist() == [
        4,
        2,
        1,
    ]
    # each phase is summed over the sources
    assert set(on_threads.phase_seconds) >= {"read", "validate", "deduplicate", "link"}


def test_workbooks_taken_from_several_threads_at_once(tmp_path, config, monkeypatch):
    _landing(tmp_path)
    monkeypatch.setattr(read_workers, "WORKER_MIN_BYTES", 0)
    inventory = take_inventory(tmp_path, config.providers)
    books = [f for f in inventory.provider_files if f.path.suffix == ".xlsx"]
    with WorkbookReads(inventory.provider_files, config) as reads:
        workers = _spawned_workers()
        with ThreadPoolExecutor(max_workers=len(books)) as threads:
            outcomes = list(threads.map(reads.take, books))
        # the last one taken, whichever thread took it, ended the workers
        assert psutil.wait_procs(workers, timeout=30)[1] == []
    assert [len(o.conformed.frame) for o in outcomes[:2]] == [6, 2]
    assert outcomes[2].problem.check == "an XLSX workbook"
