"""Benchmark: a backfill of W weeks at M employees, embedded and one after another against the
scale-out deployment (dask scheduler, K workers, PostgreSQL instance and ledger), and the
projection of a 260-week backfill on N workers.

Usage: python benchmarks/bench_backfill.py WEEKS EMPLOYEES [WORKERS]
       (the issue's figure: 12 100000 2 — an hour or more on a 2-core machine)

Both sides run the last WEEKS complete weeks with mail on (no SMTP: the outbox), on the cached
landing folder of bench_ingest.py (var/bench/landing_<M>), each in fresh folders under
var/bench/backfill_<W>x<M>/. Sequential: ``competence run --from --to`` in one process (the
embedded default). Scale-out: the processes of tests/operations/scale_out.py on loopback and the
UI's backfill (GraphQL), run by the daemon, two weeks at once. Prints wall times, the peak
memory of each worker (the worker and its render processes, sampled every 0.2 s), each step's
median time and the projection with its inputs.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent


def main(weeks_count: int, employees: int, workers: int) -> None:
    import dagster as dg

    from benchmarks.bench_ingest import landing_for
    from pipelines.cli import recent_weeks
    from tests.operations.launch_backfill import launch
    from tests.operations.scale_out import ScaleOut, running_env

    landing = landing_for(employees)
    weeks = recent_weeks(weeks_count)
    base = ROOT / "var" / "bench" / f"backfill_{weeks_count}x{employees}"
    shutil.rmtree(base, ignore_errors=True)

    def env_for(side: str) -> dict[str, str]:
        (base / side / "var").mkdir(parents=True)
        return running_env(
            {
                "COMPETENCE_LANDING_DIR": str(landing),
                "COMPETENCE_CONFIG_DIR": str(ROOT / "config"),
                "COMPETENCE_OUTPUT_DIR": str(base / side / "var"),
            }
        )

    print(f"backfill of {weeks_count} weeks ({weeks[0]} .. {weeks[-1]}) at {employees:,} employees")
    # --- sequential, embedded -------------------------------------------------------------
    seq_env = env_for("sequential")
    seq_env["DAGSTER_HOME"] = str(base / "sequential" / "dagster_home")
    Path(seq_env["DAGSTER_HOME"]).mkdir()
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "competence"), "run", "--quiet", "--send-mail", *_range(weeks)],
        env=seq_env,
        cwd=base,
    )
    peak = _Peak({"sequential": process.pid})
    try:
        process.wait()
    finally:
        if process.poll() is None:  # interrupted: stop the run rather than leave it behind
            process.terminate()
            process.wait(timeout=60)
    sequential = time.perf_counter() - started
    peak.stop()
    if process.returncode != 0:
        raise SystemExit(f"sequential run failed ({process.returncode})")
    with dg.DagsterInstance.from_config(seq_env["DAGSTER_HOME"]) as instance:
        seq_steps = _step_times(instance, [run.run_id for run in instance.get_runs()])
    print(f"sequential: {sequential:.0f} s, peak {peak.mb('sequential'):.0f} MB")

    # --- scale-out --------------------------------------------------------------------------
    cluster = ScaleOut(base / "cluster", env_for("distributed"), workers=workers)
    try:
        cluster.start()
        os.environ.update({k: v for k, v in cluster.env.items() if k.startswith("DAGSTER_")})
        peak = _Peak(cluster.worker_pids())
        started = time.perf_counter()
        backfill = launch(weeks, {"competence/send_mail": "true"})
        with dg.DagsterInstance.get() as instance:
            runs = _wait(instance, backfill, len(weeks))
            scale_out = time.perf_counter() - started
            peak.stop()
            failed = [run.run_id for run in runs if run.status != dg.DagsterRunStatus.SUCCESS]
            if failed:
                raise SystemExit(f"runs failed: {failed}; logs in {cluster.base / 'logs'}")
            records = instance.get_run_records(
                filters=dg.RunsFilter(run_ids=[r.run_id for r in runs])
            )
            run_walls = [r.end_time - r.start_time for r in records]
            dist_steps = _step_times(instance, [r.run_id for r in runs])
    finally:
        cluster.stop()
    print(f"scale-out ({workers} workers): {scale_out:.0f} s from the backfill's launch")
    for name in sorted(peak.peaks):
        print(f"  {name}: peak {peak.mb(name):.0f} MB (worker and its render processes)")
    print(f"ratio sequential / scale-out: {sequential / scale_out:.2f}")

    print("\nper step, median over the weeks (s): sequential | scale-out  (write = warehouse)")
    for step in sorted(
        dist_steps["compute"], key=lambda s: -statistics.median(dist_steps["compute"][s])
    ):
        print(
            f"  {step:28s} {statistics.median(seq_steps['compute'].get(step, [0])):7.1f} |"
            f" {statistics.median(dist_steps['compute'][step]):7.1f}"
            f"  (write {statistics.median(dist_steps['write'].get(step, [0])):5.1f})"
        )
    _projection(dist_steps, run_walls, workers)


def _projection(steps: dict, run_walls: list[float], workers: int) -> None:
    """T(N) = max(ceil(W/N) x (C + S + O), W x S): C each week's step time on a worker without
    its warehouse writes, S the writes (DuckDB has one writer: every week's writes queue on one
    lock, whatever N), O a run's own time outside its steps (starting the run process, handing
    steps to the scheduler, the steps' start on a worker)."""
    per_week = {kind: sum(statistics.median(v) for v in steps[kind].values()) for kind in steps}
    write = per_week.get("write", 0.0)
    compute = per_week["compute"] - write
    overhead = max(0.0, statistics.median(run_walls) - per_week["compute"])
    print(
        f"\nmodel inputs per week: C = {compute:.1f} s compute, S = {write:.1f} s warehouse "
        f"writes, O = {overhead:.1f} s run overhead "
        f"(median run {statistics.median(run_walls):.1f} s)"
    )
    print("projection of 260 weeks: T(N) = max(ceil(260/N) x (C + S + O), 260 x S)")
    for n in sorted({1, workers, 4, 8, 16, 32}):
        total = max(math.ceil(260 / n) * (compute + write + overhead), 260 * write)
        print(f"  N = {n:2d} workers: {total / 3600:6.2f} h")


def _range(weeks: list[str]) -> list[str]:
    return ["--from", weeks[0], "--to", weeks[-1]]


def _wait(instance, backfill: str, count: int) -> list:
    import dagster as dg

    while True:
        runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill}))
        if len(runs) == count and all(run.is_finished for run in runs):
            return runs
        time.sleep(1)


def _step_times(instance, run_ids: list[str]) -> dict[str, dict[str, list[float]]]:
    """Per step: its duration ("compute", from STEP_START to STEP_SUCCESS) and the time its
    outputs took to be stored ("write": each STEP_OUTPUT to its HANDLED_OUTPUT), one value per
    run."""
    from dagster._core.events import DagsterEventType

    times: dict[str, dict[str, list[float]]] = {
        "compute": defaultdict(list),
        "write": defaultdict(list),
    }
    for run_id in run_ids:
        started, output_at, written = {}, {}, defaultdict(float)
        for entry in instance.all_logs(run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            key = event.step_key
            if event.event_type == DagsterEventType.STEP_START:
                started[key] = entry.timestamp
            elif event.event_type == DagsterEventType.STEP_OUTPUT:
                output_at[(key, event.event_specific_data.step_output_handle.output_name)] = (
                    entry.timestamp
                )
            elif event.event_type == DagsterEventType.HANDLED_OUTPUT:
                name = event.event_specific_data.output_name
                if (key, name) in output_at:
                    written[key] += entry.timestamp - output_at[(key, name)]
            elif event.event_type == DagsterEventType.STEP_SUCCESS and key in started:
                times["compute"][key].append(entry.timestamp - started[key])
                times["write"][key].append(written[key])
    return times


class _Peak:
    """Peak resident memory of processes and their children, sampled in a thread."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.peaks = dict.fromkeys(pids, 0)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._done.is_set():
            for name, pid in self.pids.items():
                try:
                    parent = psutil.Process(pid)
                    rss = parent.memory_info().rss + sum(
                        child.memory_info().rss for child in parent.children(recursive=True)
                    )
                except psutil.Error:
                    continue
                self.peaks[name] = max(self.peaks[name], rss)
            self._done.wait(0.2)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()

    def mb(self, name: str) -> float:
        return self.peaks[name] / 1e6


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__.split("\n\n")[1])
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 2)
