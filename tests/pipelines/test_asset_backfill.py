"""A backfill does what was asked: an asset backfill of two weeks, launched as Dagster's UI does
(the GraphQL mutation ``launchPartitionBackfill`` with every asset and the two weeks) and run by
the backfill daemon's ``execute_backfill_iteration``, in a real process with a real Dagster
instance and DuckDB warehouse in tmp_path (``backfill_driver.py``).

Week 2026-11-09 was computed and mailed before by the weekly run. The backfill of 2026-10-26 and
2026-11-02 must run those two weeks only — one run each, both launched at once (neither waits
for the other in the asset graph) — and leave the later week's reports and e-mails alone; with
history read through partition mappings the same backfill re-rendered every later week.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT
from tests.pipelines.cli_support import cli_env, competence, tiny_landing
from tests.reporting.pdf_reading import pdf_text

ASKED = ["2026-10-26", "2026-11-02"]  # 2026-W44, W45
LATER = "2026-11-09"  # 2026-W46, computed before
SEND_MAIL = "competence/send_mail=true"  # the backfill's tag: mail what it computes
ALL_ASSETS = {
    "landing_intake": [
        "roster_snapshot",
        "assessment_results",
        "ce_activities",
        "exemptions",
        "revocations",
        "rejected_rows",
        "deduplicated_rows",
        "unmatched_records",
        "source_files",
    ],
    "certification": [
        "certification_status",
        "points_ledger",
        "renewal_forecast",
        "site_compliance",
    ],
    "reporting": [
        "status_evidence",
        "audit_findings",
        "corrective_actions",
        "training_effectiveness",
        "site_report_pdfs",
        "report_briefing_lines",  # the same step's second output: what the mail repeats
        "mail_clearance",
        "email_delivery",
    ],
}
# runs are launched in this process, synchronously, by the daemon's iteration
INSTANCE_YAML = """\
run_launcher:
  module: dagster._core.launcher.sync_in_memory_run_launcher
  class: SyncInMemoryRunLauncher
run_coordinator:
  module: dagster._core.run_coordinator
  class: DefaultRunCoordinator
telemetry:
  enabled: false
"""


def _files(folder) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_a_backfill_of_two_weeks_runs_those_weeks_only_and_both_at_once(tmp_path):
    tiny_landing(tmp_path / "landing")
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(INSTANCE_YAML)
    env = cli_env(tmp_path, DAGSTER_HOME=str(home))
    weekly = competence(env, "run", "--week", LATER, "--send-mail")
    assert weekly.returncode == 0, weekly.stderr
    reports, outbox = tmp_path / "var/reports", tmp_path / "var/outbox"
    later_reports = _files(reports / LATER)
    mailed_before = _files(outbox)
    assert len(mailed_before) == 5 and all("2026-W46" in name for name in mailed_before)

    driver = subprocess.run(
        [sys.executable, "-m", "tests.pipelines.backfill_driver", *ASKED, SEND_MAIL],
        env={**env, "PYTHONPATH": str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert driver.returncode == 0, driver.stderr[-3000:]
    [line] = [x for x in driver.stdout.splitlines() if x.startswith('{"status"')]
    backfill = json.loads(line)

    assert backfill["status"] == "COMPLETED_SUCCESS"
    # one run per week asked for, both launched by the first iteration: they may run in parallel
    [first_iteration] = backfill["iterations"]
    assert [run["week"] for run in first_iteration] == ASKED
    every_asset = sorted(key for keys in ALL_ASSETS.values() for key in keys)
    assert [run["assets"] for run in first_iteration] == [every_asset, every_asset]
    assert [run["status"] for run in first_iteration] == ["SUCCESS", "SUCCESS"]
    # every asset materialized for exactly the two weeks, nothing for any other week
    assert backfill["materialized"] == {asset: ASKED for asset in every_asset}

    # the later week: its PDFs and manifest untouched (bytes and modification time), no mail
    assert _files(reports / LATER) == later_reports
    assert sorted(p.name for p in reports.iterdir()) == [*ASKED, LATER]
    mailed = _files(outbox)
    assert {k: v for k, v in mailed.items() if "2026-W46" in k} == mailed_before
    assert sorted({name.split("_")[1] for name in mailed}) == ["2026-W44", "2026-W45", "2026-W46"]

    # the second week's report looks back on the first, computed by the same backfill
    text = pdf_text((reports / ASKED[1] / "DAYTON.pdf").read_bytes())
    assert "the trend shows the 2 week(s) with a compliance rate since 2026-10-26" in text


def test_the_cli_runs_the_same_assets_per_week_as_the_asset_backfill():
    """``competence run --from/--to`` runs the weekly job once per week: the job holds every
    asset, as each run of the UI's backfill does, and no asset reaches into another week."""
    from pipelines.definitions import defs

    job = defs.resolve_job_def("weekly_competence")
    every_asset = sorted(key for keys in ALL_ASSETS.values() for key in keys)
    assert sorted(key.to_user_string() for key in job.asset_layer.executable_asset_keys) == (
        every_asset
    )
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        for parent in graph.get(key).parent_keys:
            mapping = graph.get_partition_mapping(key, parent)
            same_week = (getattr(mapping, "start_offset", 0), getattr(mapping, "end_offset", 0))
            assert same_week == (0, 0), (key, parent, mapping)
