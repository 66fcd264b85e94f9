"""Benchmark of the certification engine against a DuckDB SQL reference, on synthetic data.

Usage: ``python benchmarks/bench_engine.py [employees] [--repeat=N] [--object-text]`` (default
10000 employees, 3 repeats; ``make bench`` runs 10k, 100k and 1M, one process each). The target
at 1,000,000: under 15 s, under 4 GB peak, within 3.5x of DuckDB. The frames have the shapes the
ingestion stage hands over (about 5 assessment results and 1 activity per employee, text as
Arrow strings; ``--object-text`` uses plain object columns instead) and are generated directly
with numpy, so the benchmark measures the engine, not file parsing.

The DuckDB reference computes the simple first-certification status (no renewal chain, no
points): per employed person, the latest of the earliest passes of CPT's required modules, its
expiry and the status that follows. It is the floor an equivalent SQL engine would need for the
easy part of the job, printed beside the engine's time. Both use every core (DuckDB its own
threads, the engine its worker threads); they take turns N times and the medians are compared,
because one sample on a shared 2-core VM swings by a third. Peak RSS is the process's high-water
mark after the first engine run, inputs included.
"""

from __future__ import annotations

import datetime as dt
import resource
import statistics
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import psutil
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assets.certification import evaluate
from assets.phase_clock import PhaseClock
from schemas.config import load_config

AS_OF = dt.date(2026, 11, 22)
SITES = np.array(["DAYTON", "GREENVILLE", "QUERETARO", "TOLEDO"], dtype=object)
ROLES = np.array(
    [
        "Production Technician",
        "Quality Inspector",
        "Maintenance Technician",
        "Forklift Operator",
        "Production Supervisor",
        "HR Generalist",
        "Engineer",
    ],
    dtype=object,
)
ROLE_WEIGHTS = [0.45, 0.15, 0.1, 0.1, 0.08, 0.05, 0.07]
MODULES = np.array(["SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE", "GREEN", "FORKLIFT"])
MODULE_WEIGHTS = [0.22, 0.22, 0.22, 0.22, 0.06, 0.06]
METHODS = np.array(["employee_id", "email", "name"], dtype=object)


def _dates(rng: np.random.Generator, n: int, start: str, end: str) -> np.ndarray:
    lo, hi = np.datetime64(start, "D").astype(int), np.datetime64(end, "D").astype(int)
    return rng.integers(lo, hi, n).astype("datetime64[D]").astype("datetime64[ns]")


def _labels(prefix: str, numbers: np.ndarray) -> np.ndarray:
    return (prefix + pd.Series(numbers).astype(str)).to_numpy(dtype=object)


def synthetic_frames(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = _labels("E", np.arange(n))
    hire = _dates(rng, n, "1995-01-01", "2026-11-01")
    leaves = rng.random(n) < 0.1
    termination = np.where(
        leaves, hire + rng.integers(30, 4000, n).astype("timedelta64[D]"), np.datetime64("NaT")
    )
    roster = pd.DataFrame(
        {
            "employee_id": ids,
            "first_name": _labels("F", rng.integers(0, 5000, n)),
            "last_name": _labels("L", rng.integers(0, 20000, n)),
            "email": _labels("e", np.arange(n)),
            "site": SITES[rng.integers(0, len(SITES), n)],
            "department": pd.Series([pd.NA] * n, dtype=object),
            "job_role": ROLES[rng.choice(len(ROLES), n, p=ROLE_WEIGHTS)],
            "manager_email": pd.Series([pd.NA] * n, dtype=object),
            "hire_date": hire,
            "termination_date": termination.astype("datetime64[ns]"),
        }
    )
    # Everyone sits the four CPT modules plus one other exam; a fifth of the records belong to
    # somebody else (retakes, repeats), and rows arrive in no particular order.
    m = 5 * n
    passed = rng.random(m) < 0.85
    person = np.repeat(np.arange(n), 5)
    stray = rng.random(m) < 0.2
    person[stray] = rng.integers(0, n, stray.sum())
    module = np.tile(MODULES[[0, 1, 2, 3, 0]].astype(object), n)
    fifth = np.arange(m) % 5 == 4
    module[fifth] = MODULES[rng.choice(len(MODULES), fifth.sum(), p=MODULE_WEIGHTS)]
    shuffle = rng.permutation(m)
    results = pd.DataFrame(
        {
            "employee_id": ids[person[shuffle]],
            "provider": np.array(["northfield_college", "apex_academy"], dtype=object)[
                rng.integers(0, 2, m)
            ],
            "record_id": _labels("R", np.arange(m)),
            "module": module[shuffle],
            "assessment_date": _dates(rng, m, "2005-01-01", "2026-12-31"),
            "passed": passed,
            "score": np.where(passed, 85.0, 40.0),
            "credential_id": np.where(rng.random(m) < 0.5, "CPT-1", None).astype(object),
            "match_method": METHODS[rng.choice(3, m, p=[0.9, 0.07, 0.03])],
        }
    )
    a = n
    hours = rng.integers(1, 20, a).astype(float)
    explicit = rng.random(a) < 0.5
    activities = pd.DataFrame(
        {
            "employee_id": ids[rng.integers(0, n, a)],
            "activity_id": _labels("A", np.arange(a)),
            "activity_date": _dates(rng, a, "2010-01-01", "2026-12-31"),
            "activity_type": "course",
            "hours": np.where(explicit, np.nan, hours),
            "points": np.where(explicit, hours * 1.5, np.nan),
            "evidence_ref": pd.Series([pd.NA] * a, dtype=object),
        }
    )
    return roster, results, activities


def as_arrow_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as ``pd.ArrowDtype(pa.string())``, the way the ingestion stage sends them."""
    text = [c for c in frame.columns if frame[c].dtype == object]
    return frame.astype(dict.fromkeys(text, pd.ArrowDtype(pa.string())))


REFERENCE_SQL = """
WITH employed AS (
    SELECT employee_id FROM roster
    WHERE hire_date <= $d AND (termination_date IS NULL OR termination_date > $d)
),
firsts AS (
    SELECT r.employee_id, r.module, min(r.assessment_date) AS first_pass
    FROM results r JOIN employed e USING (employee_id)
    WHERE r.passed AND r.assessment_date <= $d
      AND r.module IN ('SAFETY', 'QUALITY', 'PROCESSES', 'MAINTENANCE')
    GROUP BY ALL
),
people AS (
    SELECT e.employee_id, count(f.module) AS modules, max(f.first_pass) AS certified_on
    FROM employed e LEFT JOIN firsts f USING (employee_id) GROUP BY ALL
)
SELECT employee_id, certified_on, certified_on + INTERVAL 5 YEAR AS expires_on,
    CASE WHEN modules = 0 THEN 'NOT_STARTED'
         WHEN modules < 4 THEN 'IN_PROGRESS'
         WHEN certified_on + INTERVAL 5 YEAR <= $d THEN 'EXPIRED'
         WHEN certified_on + INTERVAL 5 YEAR <= $d + INTERVAL 90 DAY THEN 'EXPIRING'
         ELSE 'CERTIFIED' END AS status
FROM people
"""


def duckdb_reference(roster: pd.DataFrame, results: pd.DataFrame) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (all DuckDB threads) and rows of the reference query."""
    con = duckdb.connect()
    con.register("roster", roster)
    con.register("results", results)
    started, cpu_started = time.perf_counter(), time.process_time()
    table = con.execute(REFERENCE_SQL, {"d": pd.Timestamp(AS_OF)}).df()
    return time.perf_counter() - started, time.process_time() - cpu_started, len(table)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _option(name: str, default: int) -> int:
    for arg in sys.argv[1:]:
        if arg.startswith(f"--{name}="):
            return int(arg.split("=", 1)[1])
    return default


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 10_000
    repeat = _option("repeat", 3)
    config = load_config(Path(__file__).resolve().parents[1] / "config")
    started = time.perf_counter()
    roster, results, activities = synthetic_frames(n)
    if "--object-text" not in sys.argv:
        roster, results, activities = (as_arrow_text(f) for f in (roster, results, activities))
    print(f"employees {n:,}  results {len(results):,}  activities {len(activities):,}")
    print(
        f"generated in {time.perf_counter() - started:.1f} s, peak RSS so far {_rss_mb():,.0f} MB"
    )

    # Engine and reference take turns, so that both meet the same (shared, noisy) machine;
    # medians are compared.
    before_mb = psutil.Process().memory_info().rss / 2**20
    engine, engine_cpu, reference, reference_cpu, clocks = [], [], [], [], []
    for attempt in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        clock = PhaseClock()
        outcome = evaluate(roster, results, activities, config, AS_OF, clock=clock)
        engine.append(time.perf_counter() - started)
        engine_cpu.append(time.process_time() - cpu_started)
        clocks.append(clock.seconds)
        if attempt == 0:
            engine_peak = _rss_mb()
        if attempt < repeat - 1:
            del outcome  # the next attempt starts from the same memory as the first
        wall, cpu, reference_rows = duckdb_reference(roster, results)
        reference.append(wall)
        reference_cpu.append(cpu)

    engine_s, reference_s = statistics.median(engine), statistics.median(reference)
    print(
        f"engine   {engine_s:7.2f} s wall (median of {repeat}; min {min(engine):.2f}),"
        f" {statistics.median(engine_cpu):6.2f} s CPU; peak RSS {engine_peak:,.0f} MB"
        f" (inputs held before the run: {before_mb:,.0f} MB)"
    )
    print(
        f"duckdb   {reference_s:7.2f} s wall (median of {repeat}; min {min(reference):.2f}),"
        f" {statistics.median(reference_cpu):6.2f} s CPU (first certification only,"
        f" {reference_rows:,} rows)"
    )
    print(f"ratio    {engine_s / reference_s:7.2f} x (medians)")
    phases = {k: statistics.median(c[k] for c in clocks) for k in clocks[0]}
    print("engine phases (medians): " + ", ".join(f"{k} {v:.2f} s" for k, v in phases.items()))
    print(f"status rows {len(outcome.status):,}  ledger rows {len(outcome.ledger):,}")
    print(outcome.status["status"].value_counts().to_string())


if __name__ == "__main__":
    main()
