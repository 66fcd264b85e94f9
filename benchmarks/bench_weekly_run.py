"""Benchmark: the whole weekly run, ingest to mail, for N employees (100 sites at 100,000).

Usage: python benchmarks/bench_weekly_run.py 100000
Uses the cached landing folder of bench_ingest.py (var/bench/landing_<N>), a fresh output folder
and Dagster instance under var/bench/, and runs the weekly job for the last complete week with
mail on (no SMTP configured: the messages are written to the outbox), the way `competence run`
runs a week (warm render workers, Dagster's run records without a flush per event, the warehouse
file held open). Prints the wall time, the time of each step and the peak memory of the process.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(employees: int) -> None:
    from benchmarks.bench_ingest import landing_for

    landing = landing_for(employees)
    output = ROOT / "var" / "bench" / f"weekly_{employees}"
    shutil.rmtree(output, ignore_errors=True)
    os.environ.update(
        COMPETENCE_LANDING_DIR=str(landing),
        COMPETENCE_OUTPUT_DIR=str(output / "var"),
        COMPETENCE_CONFIG_DIR=str(ROOT / "config"),
        DAGSTER_HOME=str(output / "dagster_home"),
    )
    os.environ.pop("COMPETENCE_SMTP_HOST", None)
    (output / "dagster_home").mkdir(parents=True)
    (output / "dagster_home" / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")

    import dagster as dg

    from assets.reporting.render_pool import start_warm_workers
    from assets.resources import CompetenceSettings
    from assets.warehouse import held_open
    from pipelines.backfill import QUIET_LOGS
    from pipelines.cli import recent_weeks
    from pipelines.definitions import defs
    from pipelines.instance_sqlite import quick_run_records

    [week] = recent_weeks(1)
    job = defs.resolve_job_def("weekly_competence")
    settings = CompetenceSettings.from_environment()
    started = time.perf_counter()
    # as `competence run` runs a week (pipelines/backfill.py run_weeks): the render workers
    # warming up beside the ingest, Dagster's run records without a flush per event, the
    # warehouse file held open for the week's run; the warm-up is inside the timed span
    start_warm_workers(settings.render_workers)
    with (
        dg.DagsterInstance.get() as instance,
        quick_run_records(instance),
        held_open(settings.warehouse_path),
    ):
        result = job.execute_in_process(
            partition_key=week,
            instance=instance,
            raise_on_error=False,
            tags={"competence/send_mail": "true"},
            run_config=QUIET_LOGS,
        )
        seconds = time.perf_counter() - started
        steps = {}
        for event in result.all_events:
            if event.event_type_value == "STEP_SUCCESS":
                steps[event.step_key] = event.event_specific_data.duration_ms / 1000
    reports = list((output / "var" / "reports" / week).glob("*.pdf"))
    mails = list((output / "var" / "outbox").glob("*.eml"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{employees:,} employees, week {week}: {'ok' if result.success else 'FAILED'} in "
        f"{seconds:.1f} s, peak RSS {peak:,.0f} MB; {len(reports)} PDFs, {len(mails)} e-mails"
    )
    for step, step_seconds in steps.items():
        print(f"  {step:<20} {step_seconds:7.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
