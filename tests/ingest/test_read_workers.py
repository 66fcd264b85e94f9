"""Large workbooks read in spawned worker processes give the very same week as the threads:
accepted rows, rejects with their messages, de-duplication and the per-file accounting."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
import pandas as pd
import psutil

from assets.ingest import read_workers
from assets.ingest.assets import landing_intake
from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from assets.ingest.read_workers import WorkbookReads
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import (
    CANONICAL_HEADER,
    ROSTER_HEADER,
    write,
    write_apex_xlsx,
)
from tests.week_resources import week_resources

AS_OF = dt.date(2026, 11, 22)
TABLES = ["roster", "results", "activities", "unmatched", "rejects", "deduplicated"]


def _landing(root):
    write(
        root / "roster/roster_2026-01-05.csv",
        [
            ROSTER_HEADER,
            "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            "E2,Bob,Ray,bob@acme.example,DAYTON,,Production Technician,,2021-01-01,",
        ],
    )
    write_apex_xlsx(
        root / "providers/apex_academy/gradebook_2024.xlsx",
        [
            ["A-1", "Lee, Ann", "ann@acme.example", "CPT-MA", dt.datetime(2024, 5, 1), 0.8, "B-1"],
            ["A-2", "Ray, Bob", None, "CPT-QPM", "2024-05-02", 0.9, None],  # a typed date
            ["A-3", "Ray, Bob", "bob@acme.example", "CPT-MA", "05/02/2024", 0.7, None],  # bad
            ["A-4", "Lee, Ann", None, "SAF\u202eETY", dt.datetime(2024, 6, 1), 1, None],  # bidi
            ["A-5", "Nobody, Here", None, "CPT-MA", dt.datetime(2024, 6, 2), 0.75, None],
            ["A-6", "Lee, Ann", "ann@acme.example", "CPT-MA", dt.datetime(2024, 7, 1), 0.8, None],
        ],
        mtime=1_700_000_000,
    )
    write_apex_xlsx(  # a later drop: A-6 again as it was (a repeat), A-1 changed (supersedes)
        root / "providers/apex_academy/gradebook_2025.xlsx",
        [
            ["A-6", "Lee, Ann", "ann@acme.example", "CPT-MA", dt.datetime(2024, 7, 1), 0.8, None],
            ["A-1", "Lee, Ann", "ann@acme.example", "CPT-MA", dt.datetime(2024, 5, 1), 0.9, "B-1"],
        ],
        mtime=1_710_000_000,
    )
    bad = root / "providers/apex_academy/gradebook_2026.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is no workbook")  # rejected whole, by a worker
    write(
        root / "providers/inhouse_academy/results.csv",
        [CANONICAL_HEADER, "inhouse_academy,R1,E2,,Bob,Ray,SAFETY,2025-03-04,88,true,C1"],
    )


def _week(root, config, min_bytes, monkeypatch):
    monkeypatch.setattr(read_workers, "WORKER_MIN_BYTES", min_bytes)
    inventory = take_inventory(root, config.providers)
    return ingest_week(inventory, config, as_of=AS_OF, today=RUN_DATE)


def test_workbooks_read_in_workers_give_the_same_week_as_the_threads(tmp_path, config, monkeypatch):
    _landing(tmp_path)
    on_threads = _week(tmp_path, config, 10**12, monkeypatch)
    in_workers = _week(tmp_path, config, 0, monkeypatch)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(in_workers, name), getattr(on_threads, name))
    pd.testing.assert_frame_equal(in_workers.source_files, on_threads.source_files)
    # what the comparison is about: the workbooks' trouble is all there, read by the workers
    files = in_workers.source_files.set_index("file")
    assert files.loc["providers/apex_academy/gradebook_2024.xlsx", "rows_in"] == 6
    assert files.loc["providers/apex_academy/gradebook_2024.xlsx", "rejected"] == 2
    assert files.loc["providers/apex_academy/gradebook_2025.xlsx", "accepted"] == 2
    assert files.loc["providers/apex_academy/gradebook_2026.xlsx", "problem"] == (
        "providers/apex_academy/gradebook_2026.xlsx: not an XLSX workbook "
        "(damaged ZIP archive: File is not a zip file)"
    )
    rejects = in_workers.rejects
    assert set(rejects["value"].dropna()) >= {"05/02/2024", "SAF<U+202E>ETY"}
    assert sorted(in_workers.deduplicated["kind"]) == ["EXACT_REPEAT", "SUPERSEDED"]
    assert set(in_workers.results["record_id"]) == {"A-1", "A-2", "A-5", "A-6", "R1"}
    assert in_workers.unmatched["record_id"].tolist() == ["A-5"]


def _spawned_workers() -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if "multiprocessing.spawn import spawn_main" in " ".join(p.cmdline())
    ]


def test_the_workers_are_spawned_processes_and_leave_with_the_last_workbook(
    tmp_path, config, monkeypatch
):
    _landing(tmp_path)
    monkeypatch.setattr(read_workers, "WORKER_MIN_BYTES", 0)
    inventory = take_inventory(tmp_path, config.providers)
    books = [f for f in inventory.provider_files if f.path.suffix == ".xlsx"]
    with WorkbookReads(inventory.provider_files, config) as reads:
        assert [f.relative_path for f in books if reads.handles(f)] == [
            f.relative_path for f in books
        ]
        assert not any(reads.handles(f) for f in inventory.provider_files if f not in books)
        workers = _spawned_workers()
        assert workers, "no spawned worker process was started"  # spawned, not forked
        outcomes = [reads.take(f) for f in books]
        # after the last workbook the workers are gone: their memory is given back
        assert psutil.wait_procs(workers, timeout=30)[1] == []
    assert [len(o.conformed.frame) for o in outcomes[:2]] == [6, 2]
    assert outcomes[2].conformed is None and outcomes[2].problem.check == "an XLSX workbook"


def test_a_materialized_week_with_workbooks_read_in_workers(tmp_path, monkeypatch):
    _landing(tmp_path / "landing")
    monkeypatch.setattr(read_workers, "WORKER_MIN_BYTES", 0)
    resources = week_resources(tmp_path / "var", landing=tmp_path / "landing")
    with dg.instance_for_test() as instance:
        dg.materialize(
            [landing_intake], partition_key="2026-11-16", resources=resources, instance=instance
        )
    with duckdb.connect(str(tmp_path / "var/warehouse.duckdb"), read_only=True) as con:
        stored = con.execute(
            "select record_id from competence.assessment_results order by record_id"
        ).fetchall()
        rejected = con.execute(
            'select source_file, row_number, "column" from competence.rejected_rows '
            "order by source_file, row_number nulls last"
        ).fetchall()
    assert [r for (r,) in stored] == ["A-1", "A-2", "A-5", "A-6", "R1"]
    assert rejected == [
        ("providers/apex_academy/gradebook_2024.xlsx", 5, "assessment_date"),
        ("providers/apex_academy/gradebook_2024.xlsx", 6, "module"),
        ("providers/apex_academy/gradebook_2026.xlsx", None, None),
    ]
