"""Benchmark the whole report path: per-PDF medians at three site sizes, and the demo.

Run from the repository root:  make bench-reports  (.venv/bin/python benchmarks/bench_reports.py)

1. One site PDF at 20, 200 and 2,000 people, each size in a fresh process (so the large one's
   peak memory is its own): a first render (cold: stylesheet, fonts, templates), then warm
   renders as the pipeline's workers do them; prints the median wall and CPU time of the
   render alone (``render_site_report``: selection, CSVs, charts, template, WeasyPrint, PDF/A).
2. The demo's 12 weeks (600 people, five sites): ``competence demo`` in a subprocess with a
   fresh output folder and Dagster instance; the sample landing data is generated once and
   cached under var/bench/ (not timed: the goal is "once set up").
``--throughput`` adds 50 sites x 200 people through the pipeline's render pool.

Synthetic status rows mimic a realistic mix (most certified, some expiring, in grace or
non-compliant, a role without a requirement entry) so every section of the report is exercised.
Timings are wall-clock on whatever else the machine is doing: the script prints the load average
before and after, and medians, never a single run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assets.certification.engine import LEDGER_COLUMNS
from assets.certification.forecast import FORECAST_COLUMNS
from assets.cores import available_cores
from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.context import ReportContext
from assets.reporting.site_report import render_site_report
from schemas.config import load_config

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
WEEK = date(2026, 11, 16)
AS_OF = WEEK + timedelta(days=6)
MODULES = ["SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE"]


def synthetic_status(site: str, people: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    kinds = rng.choice(
        ["CERT", "EXPIRING", "GRACE", "NC", "NOTREQ"], size=people, p=[0.70, 0.08, 0.07, 0.10, 0.05]
    )
    rows = []
    for i, kind in enumerate(kinds):
        certified = pd.Timestamp(AS_OF) - pd.Timedelta(days=int(rng.integers(100, 1700)))
        passes = {m: (certified - pd.Timedelta(days=int(rng.integers(0, 200)))) for m in MODULES}
        expires = certified + pd.DateOffset(years=5)
        status, compliance, due, overdue = "CERTIFIED", "COMPLIANT", certified, 0
        if kind == "EXPIRING":
            expires = pd.Timestamp(AS_OF) + pd.Timedelta(days=int(rng.integers(1, 90)))
            status = "EXPIRING"
        elif kind == "GRACE":
            passes = {m: d for m, d in list(passes.items())[: int(rng.integers(0, 3))]}
            status, compliance = ("IN_PROGRESS" if passes else "NOT_STARTED"), "GRACE"
            due = pd.Timestamp(AS_OF) + pd.Timedelta(days=int(rng.integers(1, 180)))
            certified = expires = pd.NaT
        elif kind == "NC":
            expires = pd.Timestamp(AS_OF) - pd.Timedelta(days=int(rng.integers(1, 400)))
            status, compliance, due = "EXPIRED", "NON_COMPLIANT", expires
            overdue = int((pd.Timestamp(AS_OF) - expires).days)
        elif kind == "NOTREQ":
            compliance = "NOT_REQUIRED"
        role = "Welder" if kind == "NOTREQ" and i % 2 else "Production Technician"
        days = None if pd.isna(expires) else int((expires - pd.Timestamp(AS_OF)).days)
        rows.append(
            {
                "employee_id": f"{site}-{i:05d}",
                "first_name": f"First{i}",
                "last_name": f"Last{i}",
                "site": site,
                "job_role": role,
                "credential": "CPT",
                "status": status,
                "modules_passed": ";".join(sorted(passes)),
                "certified_on": certified,
                "cycle_start": certified,
                "expires_on": expires,
                "cycle_points": 40.0,
                "points_needed": 60.0,
                "renewal_secured": kind == "CERT" and i % 3 == 0,
                "compliance": compliance,
                "due_date": due,
                "email": f"p{i}@example.com",
                "department": "Assembly",
                "manager_email": f"mgr{i % 17}@example.com",
                "hire_date": pd.Timestamp("2015-01-05"),
                "required": kind != "NOTREQ",
                "requirement_determined": role != "Welder",
                "module_pass_dates": ";".join(f"{m}={d:%Y-%m-%d}" for m, d in passes.items()),
                "days_to_expiry": days,
                "overdue_days": overdue,
                "last_attempt_date": pd.Timestamp(AS_OF)
                - pd.Timedelta(days=int(rng.integers(0, 400))),
                "evidence_record_ids": f"northfield_college:R{i}",
                "evidence_credential_ids": f"C{i}" if i % 11 else "",
                "matched_by_name": i % 29 == 0,
                "as_of": pd.Timestamp(AS_OF),
            }
        )
    frame = pd.DataFrame(rows)
    frame["days_to_expiry"] = frame["days_to_expiry"].astype("Int64")
    frame["overdue_days"] = frame["overdue_days"].astype("Int64")
    return frame


def inputs():
    source_files = pd.DataFrame(
        [
            ("roster", "roster/roster_2026-11-01.csv", "a" * 64, 10000, 9990, 10, 0, None),
            (
                "northfield_college",
                "providers/northfield_college/results.csv",
                "b" * 64,
                40000,
                39900,
                100,
                0,
                None,
            ),
        ],
        columns=[
            "source",
            "file",
            "sha256",
            "rows_in",
            "accepted",
            "rejected",
            "deduplicated",
            "problem",
        ],
    )
    rejected = pd.DataFrame(
        columns=["source", "source_file", "row_number", "column", "check", "value"]
    )
    unmatched = pd.DataFrame(
        columns=[
            "provider",
            "record_id",
            "source_file",
            "row_number",
            "reason",
            "employee_id",
            "email",
            "first_name",
            "last_name",
            "candidates",
        ]
    )
    forecast = pd.DataFrame(columns=list(FORECAST_COLUMNS))
    ledger = pd.DataFrame(columns=list(LEDGER_COLUMNS))
    return source_files, rejected, unmatched, forecast, ledger


def site_inputs(site: str, people: int, seed: int) -> dict:
    """The keyword arguments of ``render_site_report`` (all but the site) for a synthetic site."""
    config = load_config(ROOT / "config")
    ctx = ReportContext.for_week(
        WEEK, run_id="bench", code_version="bench", config_hash=config.config_hash
    )
    status = synthetic_status(site, people, seed)
    source_files, rejected, unmatched, forecast, ledger = inputs()
    history = pd.DataFrame(
        {
            "week": [WEEK - timedelta(weeks=k) for k in range(11, -1, -1)],
            "site": site,
            "compliant": 150,
            "headcount_in_scope": 190,
            "compliance_rate": np.linspace(0.7, 0.8, 12),
        }
    )
    return {
        "week": WeekFacts.of(status, source_files, rejected, unmatched, config, ctx),
        "previous_status": status.iloc[:0],
        "compliance_history": history,
        "renewal_forecast": forecast,
        "points_ledger": ledger,
        "findings": audit_findings(
            WeekFacts.of(status, source_files, rejected, unmatched, config, ctx), site
        ),
    }


def render_one(site: str, people: int, seed: int) -> tuple[str, int, float, int]:
    """Render one site in this process; returns (site, bytes, seconds, peak RSS in MB)."""
    started = time.perf_counter()
    pdf = render_site_report(site, **site_inputs(site, people, seed))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return site, len(pdf), time.perf_counter() - started, peak_mb


def measure_size(people: int, repeats: int) -> dict:
    """In this (fresh) process: one cold render, then ``repeats`` warm ones, each timed alone."""
    kwargs = site_inputs("BENCH", people, seed=people)
    walls, cpus, size = [], [], 0
    for _ in range(repeats + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        size = len(render_site_report("BENCH", **kwargs))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {
        "people": people,
        "cold": walls[0],
        "walls": walls[1:],
        "wall": statistics.median(walls[1:]),
        "cpu": statistics.median(cpus[1:]),
        "kib": size / 1024,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def in_fresh_process(work, *args):
    """``work(*args)`` in a new interpreter: its imports, caches and peak memory its own."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work, *args).result()


def demo_landing() -> Path:
    """The demo's sample data (600 people, seed 7), generated once and cached."""
    landing = BENCH_DIR / "demo_landing"
    if not (landing / ".complete").exists():
        from pipelines.sample_data import generate_sample_data

        shutil.rmtree(landing, ignore_errors=True)
        generate_sample_data(landing, employees=600, seed=7, progress=False)
        (landing / ".complete").write_text("ok")
    return landing


def demo_weeks(weeks: int) -> tuple[float, float, int]:
    """``competence demo`` for ``weeks`` weeks from a fresh output folder and instance.

    Returns the weeks' time the demo prints ("Done in ..."), the whole command's wall time
    (interpreter start and the summary included) and the number of PDFs written."""
    output = BENCH_DIR / "demo_run"
    shutil.rmtree(output, ignore_errors=True)
    env = {
        **os.environ,
        "COMPETENCE_LANDING_DIR": str(demo_landing()),
        "COMPETENCE_OUTPUT_DIR": str(output / "var"),
        "COMPETENCE_CONFIG_DIR": str(ROOT / "config"),
        "DAGSTER_HOME": str(output / "dagster_home"),
    }
    env.pop("COMPETENCE_SMTP_HOST", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "demo", "--weeks", str(weeks)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    found = re.search(r"Done in ([0-9.]+) s", done.stdout)
    if done.returncode != 0 or not found:
        sys.exit(f"the demo failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    pdfs = len(list((output / "var" / "reports").glob("*/*.pdf")))
    return float(found[1]), wall, pdfs


def throughput(sites: int, people: int) -> tuple[float, int]:
    """``sites`` sites x ``people`` through the pipeline's render pool (every core)."""
    from assets.recipients import resolve_recipients
    from assets.reporting.render_pool import pool_size, render_reports
    from assets.reporting.week_reports import RenderInputs, WeekReports

    names = [f"S{i:02d}" for i in range(sites)]
    per_site = [site_inputs(name, people, seed) for seed, name in enumerate(names)]
    first = per_site[0]
    every = {
        key: pd.concat([p[key] for p in per_site], ignore_index=True)
        for key in ("previous_status", "compliance_history", "findings")
    }
    status = pd.concat([p["week"].status for p in per_site], ignore_index=True)
    facts = first["week"]
    week = WeekFacts.of(
        status, facts.source_files, facts.rejected_rows, facts.unmatched_records,
        facts.config, facts.ctx,
    )  # fmt: skip
    reports = WeekReports(
        facts=week,
        renewal_forecast=first["renewal_forecast"],
        points_ledger=first["points_ledger"],
        recipients=resolve_recipients(facts.config.recipients, names),
        **every,
    )
    started = time.perf_counter()
    pdfs = render_reports(names, RenderInputs(reports))
    assert sorted(pdfs) == names
    return time.perf_counter() - started, pool_size(sites)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="warm renders per size (5)")
    parser.add_argument("--weeks", type=int, default=12, help="demo weeks (12; 0 = skip)")
    parser.add_argument("--throughput", action="store_true", help="also 50 sites x 200 people")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, {available_cores()} usable; load average {load()}")
    for people, goal in ((20, None), (200, 1.0), (2000, 2.0)):
        repeats = args.repeats if people < 2000 else max(1, args.repeats - 2)
        r = in_fresh_process(measure_size, people, repeats)
        verdict = "" if goal is None else f" (goal <= {goal:.1f} s)"
        memory = f", peak RSS {r['peak_mb']:,.0f} MB (goal <= 1,024)" if people >= 2000 else ""
        print(
            f"site PDF, {people:>5,} people: median {r['wall']:.2f} s wall{verdict}, "
            f"{r['cpu']:.2f} s CPU, over {len(r['walls'])} warm renders "
            f"[{', '.join(f'{w:.2f}' for w in r['walls'])}]; first in a fresh process "
            f"{r['cold']:.2f} s; {r['kib']:,.0f} KiB{memory}",
            flush=True,
        )
    if args.throughput:
        seconds, workers = in_fresh_process(throughput, 50, 200)
        print(f"50 sites x 200 people through the render pool ({workers} workers): {seconds:.1f} s")
    if args.weeks:
        weeks_s, wall, pdfs = demo_weeks(args.weeks)
        print(
            f"demo, {args.weeks} weeks of 600 people: {weeks_s:.1f} s for the weeks "
            f"(goal <= 60 s), {wall:.1f} s for the whole command; {pdfs} PDFs",
            flush=True,
        )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
