"""The render pool: every core, the roll-up alongside the sites, warm workers, same bytes.

Real worker processes from the real forkserver; the PDFs they return are compared byte for byte
with the same reports rendered in this process (the reports are deterministic).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from assets.recipients import RecipientPlan
from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.company_report import render_company_report
from assets.reporting.render_pool import pool_size, render_reports
from assets.reporting.site_report import render_site_report
from assets.reporting.week_reports import RenderInputs, WeekReports
from schemas.identifiers import ROLLUP_NAME
from tests.reporting import frames as F

ROOT = Path(__file__).resolve().parents[2]
SITES = ["DAYTON", "S1", "S9"]


@pytest.fixture(scope="module")
def week(config, ctx):
    return _week(config, ctx)


def _week(config, ctx):
    status = F.status_frame(
        [F.person(f"E{i}", f"First{i}", f"Last{i}", site=SITES[i % 3]) for i in range(9)]
    )
    facts = WeekFacts.of(status, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx)
    findings = pd.concat(audit_findings(facts, site) for site in SITES)
    history = pd.concat([F.history(site, 4) for site in SITES])
    reports = WeekReports(
        facts=facts,
        previous_status=status.iloc[:0],
        compliance_history=history,
        renewal_forecast=F.empty_forecast(),
        points_ledger=F.empty_ledger(),
        findings=findings,
        recipients=RecipientPlan({}, ("S9",), company_without_recipients=False),
    )
    # what a render worker is handed: one typed, frozen value
    return RenderInputs(reports)


def test_pool_size_follows_the_cores_the_request_and_the_jobs(monkeypatch):
    monkeypatch.setattr("assets.reporting.render_pool.available_cores", lambda: 8)
    assert pool_size(101) == 8  # every core
    assert pool_size(3) == 3  # never more workers than reports
    assert pool_size(101, requested=2) == 2  # COMPETENCE_RENDER_WORKERS
    assert pool_size(0) == 1


def test_pool_renders_sites_and_roll_up_as_this_process_does_week_after_week(week):
    r = week.reports
    expected = {
        site: render_site_report(
            site,
            r.facts,
            previous_status=r.previous_status,
            compliance_history=r.compliance_history,
            renewal_forecast=r.renewal_forecast,
            points_ledger=r.points_ledger,
            findings=r.findings,
        )
        for site in SITES
    }
    expected[ROLLUP_NAME] = render_company_report(
        r.facts,
        compliance_history=r.compliance_history,
        findings=r.findings,
        sites_without_recipients=["S9"],
    )
    names = [*SITES, ROLLUP_NAME]
    # two pools in a row, as two weeks of a backfill: the second week's workers are forked from
    # the same warm forkserver, whose fonts the first week's workers must not have deleted
    for _ in range(2):
        pdfs = render_reports(names, week, workers=2)
        assert sorted(pdfs) == sorted(names)
        for name in names:
            assert pdfs[name] == expected[name], name
    # the roll-up is rendered only when it is among the reports asked for
    sites_only = render_reports(SITES[:2], week, workers=2)
    assert sorted(sites_only) == SITES[:2] and ROLLUP_NAME not in sites_only


CHILDREN = """
import json, sys, psutil
from tests.reporting.test_render_pool import build_week
from assets.reporting.render_pool import render_reports
inputs = build_week()
sites = json.loads(sys.argv[1])
pdfs = render_reports([*sites, "company"], inputs, workers=int(sys.argv[2]))
children = psutil.Process().children(recursive=True)
print(json.dumps({"reports": sorted(pdfs), "children": len(children)}))
"""


def build_week():
    """The module's week, built outside pytest (for the subprocess below)."""
    from assets.reporting.context import ReportContext
    from schemas.config import load_config

    config = load_config(ROOT / "config")
    ctx = ReportContext.for_week(F.WEEK, run_id="r", code_version="c", config_hash="h")
    return _week(config, ctx)


@pytest.mark.parametrize(
    ("sites", "workers", "pool_started"),
    [
        (["S1"], 0, False),  # a one-site week: site and roll-up in the run's own process
        (["S1", "S9"], 1, False),  # COMPETENCE_RENDER_WORKERS=1
        (["S1", "S9"], 2, True),
    ],
)
def test_one_site_week_renders_without_a_pool(sites, workers, pool_started):
    done = subprocess.run(
        [sys.executable, "-c", CHILDREN, json.dumps(sites), str(workers)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["reports"] == sorted([*sites, ROLLUP_NAME])
    # a pool leaves its forkserver running for the next week; no pool, no child process
    assert (outcome["children"] > 0) is pool_started
