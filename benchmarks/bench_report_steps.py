"""Benchmark: a week's reports in one step in process against several steps in processes.

Usage: python benchmarks/bench_report_steps.py [EMPLOYEES] [SITES_PER_STEP]
Generates sample data (var/bench/report_steps_<N>/), computes the week once in process, then
renders its reports three times from copies of that warehouse (no PDF kept): in process with
one render step (the default), with the multiprocess executor and one render step, and with the
multiprocess executor at SITES_PER_STEP sites per step (default 1). Prints each wall time and
the render steps. A run with separate step processes pays each process's imports (~2-5 s) and
the hand-over of the week's inputs; it pays off where the steps go to separate machines.
"""

# No ``from __future__ import annotations``: Dagster reads the assets' type hints at runtime.

import datetime as dt
import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dagster as dg  # noqa: E402

from assets.certification.assets import certification, status_evidence  # noqa: E402
from assets.ingest.assets import landing_intake  # noqa: E402
from assets.reporting.action_assets import corrective_actions  # noqa: E402
from assets.reporting.assets import audit_findings  # noqa: E402
from assets.reporting.effectiveness_assets import training_effectiveness_table  # noqa: E402
from assets.reporting.report_steps import site_report_pdfs  # noqa: E402
from assets.resources import CompetenceSettings  # noqa: E402
from assets.warehouse import WarehouseIOManager  # noqa: E402

TODAY = dt.date(2026, 11, 25)
WEEK = "2026-11-16"
ASSETS = [
    landing_intake,
    certification,
    status_evidence,
    audit_findings,
    corrective_actions,
    training_effectiveness_table,
    site_report_pdfs,
]


def _resources() -> dict:
    settings = CompetenceSettings.from_environment()
    return {
        "settings": settings,
        "io_manager": WarehouseIOManager(database=str(settings.warehouse_path)),
    }


def report_job() -> dg.JobDefinition:
    """The reports alone, one process per step (rebuilt in each step process)."""
    return dg.Definitions(
        assets=ASSETS,
        jobs=[
            dg.define_asset_job(
                "week_reports",
                selection=["site_report_pdfs", "report_briefing_lines"],
                executor_def=dg.multiprocess_executor.configured({"max_concurrent": 2}),
            )
        ],
        resources=_resources(),
    ).resolve_job_def("week_reports")


def _fresh_copy(base: Path, target: Path) -> None:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(base, target)
    shutil.rmtree(target / "reports", ignore_errors=True)
    os.environ["COMPETENCE_OUTPUT_DIR"] = str(target)


def main(employees: int, sites_per_step: int) -> None:
    from pipelines.sample_data import generate_sample_data

    folder = ROOT / "var" / "bench" / f"report_steps_{employees}"
    shutil.rmtree(folder, ignore_errors=True)
    landing, base = folder / "landing", folder / "base"
    generate_sample_data(landing, employees=employees, seed=7, today=TODAY, progress=False)
    os.environ.update(
        COMPETENCE_LANDING_DIR=str(landing),
        COMPETENCE_CONFIG_DIR=str(ROOT / "config"),
        COMPETENCE_OUTPUT_DIR=str(base),
        COMPETENCE_RUN_DATE=TODAY.isoformat(),
        COMPETENCE_RENDER_SITES_PER_STEP="0",
    )
    os.environ.pop("COMPETENCE_SMTP_HOST", None)
    with dg.instance_for_test() as instance:
        dg.materialize(ASSETS[:-1], partition_key=WEEK, instance=instance, resources=_resources())

    def timed(label: str, run) -> None:
        started = time.perf_counter()
        steps = run()
        print(f"{label}: {time.perf_counter() - started:.1f} s, render steps: {steps}", flush=True)

    def in_process() -> int:
        _fresh_copy(base, folder / "in_process")
        with dg.instance_for_test() as instance:
            result = dg.materialize(
                ASSETS,
                selection=["site_report_pdfs", "report_briefing_lines"],
                partition_key=WEEK,
                instance=instance,
                resources=_resources(),
            )
            return _render_steps(instance, result.run_id)

    def in_steps(per_step: int, name: str):
        def run() -> int:
            _fresh_copy(base, folder / name)
            os.environ["COMPETENCE_RENDER_SITES_PER_STEP"] = str(per_step)
            with dg.instance_for_test() as instance:
                result = dg.execute_job(
                    dg.reconstructable(report_job),
                    instance=instance,
                    tags={"dagster/partition": WEEK},
                )
                assert result.success
                return _render_steps(instance, result.run_id)

        return run

    print(f"{employees} employees, load average {os.getloadavg()[0]:.1f}", flush=True)
    timed("in process, one render step", in_process)
    timed("multiprocess, one render step", in_steps(0, "one_step"))
    timed(f"multiprocess, {sites_per_step} site(s) per step", in_steps(sites_per_step, "chunked"))


def _render_steps(instance: dg.DagsterInstance, run_id: str) -> int:
    return sum(
        ".render_report_chunk[" in stats.step_key for stats in instance.get_run_step_stats(run_id)
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 600, int(sys.argv[2]) if len(sys.argv) > 2 else 1
    )
