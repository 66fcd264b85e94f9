"""Benchmark the PDF reports: 50 sites x 200 people in 2 processes (< 60 s), and one
2,000-person site (< 20 s, peak memory < 1.5 GB).

Run from the repository root:  .venv/bin/python benchmarks/bench_reports.py
Synthetic status rows mimic a realistic mix (most certified, some expiring, in grace or
non-compliant, a role without a requirement entry) so every section of the report is exercised.
"""

from __future__ import annotations

import resource
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
from assets.reporting.audit_findings import audit_findings
from assets.reporting.context import ReportContext
from assets.reporting.site_report import render_site_report
from schemas.config import load_config

ROOT = Path(__file__).resolve().parents[1]
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


def render_one(site: str, people: int, seed: int) -> tuple[str, int, float, int]:
    """Render one site in this process; returns (site, bytes, seconds, peak RSS in MB)."""
    started = time.perf_counter()
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
    findings = audit_findings(status, source_files, rejected, unmatched, config, ctx, site)
    pdf = render_site_report(
        site,
        status=status,
        previous_status=status.iloc[:0],
        compliance_history=history,
        renewal_forecast=forecast,
        points_ledger=ledger,
        findings=findings,
        source_files=source_files,
        rejected_rows=rejected,
        unmatched_records=unmatched,
        config=config,
        ctx=ctx,
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return site, len(pdf), time.perf_counter() - started, peak_mb


def main() -> None:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(render_one, [f"S{i:02d}" for i in range(50)], [200] * 50, range(50))
        )
    total = time.perf_counter() - started
    slowest = max(r[2] for r in results)
    mean_kib = np.mean([r[1] for r in results]) / 1024
    print(
        f"50 sites x 200 people, 2 processes: {total:.1f} s total "
        f"(slowest site {slowest:.2f} s, mean PDF {mean_kib:.0f} KiB, "
        f"peak RSS per worker {max(r[3] for r in results)} MB) -> "
        f"{'OK' if total < 60 else 'TOO SLOW'} (limit 60 s)"
    )
    with ProcessPoolExecutor(max_workers=1) as pool:
        _, size, seconds, peak_mb = pool.submit(render_one, "BIG", 2000, 7).result()
    print(
        f"one site x 2,000 people: {seconds:.1f} s, PDF {size / 1024:.0f} KiB, peak RSS "
        f"{peak_mb} MB -> {'OK' if seconds < 20 and peak_mb < 1536 else 'OVER LIMIT'} "
        "(limits 20 s, 1,536 MB)"
    )


if __name__ == "__main__":
    main()
