"""site_report_pdfs renders in steps: one plan, one render step per chunk of sites, one filing.

A real week (generated sample data, four sites) is materialized in process with the default of
one render step; a copy of its warehouse is then rendered again by the multiprocess executor
through a reconstructable job with two sites per step, so each chunk is a step process of its
own. Both give the same report rows and the same PDF text (but the run id each prints), and the
asset is still one materialization of the week.
"""

# No ``from __future__ import annotations``: Dagster reads the assets' type hints at runtime.

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.reporting.render_pool import report_chunks
from assets.reporting.report_steps import site_report_pdfs
from assets.resources import CompetenceSettings
from assets.warehouse import WarehouseIOManager
from pipelines.sample_data import generate_sample_data
from schemas.identifiers import ROLLUP_NAME
from tests.conftest import PROJECT_ROOT
from tests.reporting.pdf_reading import pdf_text
from tests.reporting.report_steps_job import UPSTREAM, report_job

TODAY = dt.date(2026, 11, 25)
WEEK = "2026-11-16"
RENDER_STEP = "site_report_pdfs.render_report_chunk"


def _settings(landing: Path, output: Path, **extra) -> CompetenceSettings:
    return CompetenceSettings(
        landing_dir=str(landing),
        config_dir=str(PROJECT_ROOT / "config"),
        output_dir=str(output),
        run_date=TODAY.isoformat(),
        render_workers=1,
        **extra,
    )


def _materialize(assets, landing: Path, output: Path, instance, **extra):
    return dg.materialize(
        assets,
        partition_key=WEEK,
        instance=instance,
        resources={
            "settings": _settings(landing, output, **extra),
            "io_manager": WarehouseIOManager(database=str(output / "warehouse.duckdb")),
        },
        raise_on_error=False,
    )


@pytest.fixture(scope="module")
def one_step(tmp_path_factory):
    """The week computed and its reports rendered in one step (the default)."""
    root = tmp_path_factory.mktemp("report_steps")
    landing = root / "landing"
    generate_sample_data(landing, employees=60, seed=5, today=TODAY, progress=False)
    output = root / "one_step"
    with dg.instance_for_test() as instance:
        result = _materialize([*UPSTREAM, site_report_pdfs], landing, output, instance)
        assert result.success
        steps = {s.step_key for s in instance.get_run_step_stats(result.run_id)}
    return root, landing, output, result.run_id, steps


def _index(output: Path) -> pd.DataFrame:
    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(
            "select * exclude (path, sha256, size_bytes) from competence.site_report_pdfs "
            "where week = ? order by report",
            [dt.datetime.fromisoformat(WEEK)],
        ).df()


def _texts(output: Path, run_id: str) -> dict[str, str]:
    folder = output / "reports" / WEEK
    # the appendix prints the run that rendered the PDF (maybe wrapped): the one difference
    return {
        pdf.stem: re.sub(r"\s+", " ", pdf_text(pdf.read_bytes()).replace(run_id, "RUN"))
        for pdf in sorted(folder.glob("*.pdf"))
    }


def _copy_without_reports(source: Path, target: Path) -> None:
    shutil.copytree(source, target)
    shutil.rmtree(target / "reports")  # every report of the week renders again


def test_chunks_render_in_separate_step_processes_with_the_same_result(one_step, monkeypatch):
    root, landing, one_output, one_run, one_steps = one_step
    assert sorted(s for s in one_steps if s.startswith(RENDER_STEP)) == [
        f"{RENDER_STEP}[chunk_000]"
    ]
    output = root / "two_per_step"
    _copy_without_reports(one_output, output)
    for name, value in {
        "COMPETENCE_LANDING_DIR": str(landing),
        "COMPETENCE_CONFIG_DIR": str(PROJECT_ROOT / "config"),
        "COMPETENCE_OUTPUT_DIR": str(output),
        "COMPETENCE_RUN_DATE": TODAY.isoformat(),
        "COMPETENCE_RENDER_WORKERS": "1",
        "COMPETENCE_RENDER_SITES_PER_STEP": "2",
    }.items():
        monkeypatch.setenv(name, value)

    with dg.instance_for_test() as instance:
        result = dg.execute_job(
            dg.reconstructable(report_job), instance=instance, tags={"dagster/partition": WEEK}
        )
        assert result.success
        starts = {
            entry.dagster_event.step_key: entry.dagster_event.pid
            for entry in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_START)
        }
        materialized = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=dg.AssetKey("site_report_pdfs")), limit=10
        ).records

    index = _index(output)
    sites = [r for r in index["report"] if r != ROLLUP_NAME]
    assert len(sites) == 4
    # one render step per chunk of two sites, each in a process of its own
    render_steps = sorted(s for s in starts if s.startswith(RENDER_STEP))
    assert render_steps == [f"{RENDER_STEP}[chunk_000]", f"{RENDER_STEP}[chunk_001]"]
    pids = {starts[s] for s in render_steps}
    assert len(pids) == 2 and os.getpid() not in pids
    assert starts["site_report_pdfs.plan_site_reports"] not in pids
    # the asset is one materialization of the week
    assert [(r.run_id, r.partition_key) for r in materialized] == [(result.run_id, WEEK)]

    # the same rows and the same PDFs as the week rendered in one step
    pd.testing.assert_frame_equal(index, _index(one_output))
    assert index["recipients"].str.contains("@").any()
    texts = _texts(output, result.run_id)
    assert sorted(texts) == sorted([*sites, ROLLUP_NAME])
    assert texts == _texts(one_output, one_run)


def test_an_unchanged_rerun_in_steps_keeps_every_pdf(one_step):
    root, landing, one_output, _, _ = one_step
    output = root / "rerun"
    shutil.copytree(one_output, output)
    folder = output / "reports" / WEEK
    before = {pdf.name: pdf.read_bytes() for pdf in folder.glob("*.pdf")}
    with dg.instance_for_test() as instance:
        result = _materialize(
            [*UPSTREAM, site_report_pdfs], landing, output, instance, render_sites_per_step=1
        )
        assert result.success
        steps = {s.step_key for s in instance.get_run_step_stats(result.run_id)}
    [metadata] = [
        m.metadata
        for m in result.asset_materializations_for_node("site_report_pdfs")
        if m.asset_key == dg.AssetKey("site_report_pdfs")  # not its briefing lines
    ]
    assert metadata["rendered"].value == 0 and metadata["kept_unchanged"].value == 5
    assert {pdf.name: pdf.read_bytes() for pdf in folder.glob("*.pdf")} == before
    # nothing to render: one empty render step, so the week is still filed
    assert sorted(s for s in steps if s.startswith(RENDER_STEP)) == [f"{RENDER_STEP}[chunk_000]"]


def test_a_site_that_fails_to_render_fails_the_week_and_files_nothing(one_step, monkeypatch):
    root, landing, one_output, _, _ = one_step
    output = root / "broken"
    _copy_without_reports(one_output, output)
    from assets.reporting import week_reports

    real = week_reports.render_site_report

    def render(site: str, week, **kwargs) -> bytes:
        if site == "DAYTON":
            raise ValueError("a template failed on this site's data")
        return real(site, week, **kwargs)

    monkeypatch.setattr(week_reports, "render_site_report", render)
    with dg.instance_for_test() as instance:
        result = _materialize(
            [*UPSTREAM, site_report_pdfs], landing, output, instance, render_sites_per_step=1
        )
    assert not result.success
    failures = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    messages = " ".join(e.step_failure_data.error.message for e in failures)
    assert "week 2026-11-16 not reported" in messages
    assert "the report 'DAYTON' could not be rendered" in messages
    assert "a template failed on this site's data" in messages
    assert result.asset_materializations_for_node("site_report_pdfs") == []
    # the other chunks rendered, but a week with a report missing is never filed
    folder = output / "reports" / WEEK
    assert list(folder.glob("*.pdf")) == [] and not (folder / "manifest.json").exists()


def test_chunks_split_the_sites_evenly_with_the_roll_up_in_the_first():
    status = pd.DataFrame({"site": ["A"] * 5 + ["B"] * 4 + ["C"] * 3 + ["D"] * 2 + ["E"]})
    names = ["E", "D", ROLLUP_NAME, "C", "B", "A"]
    assert report_chunks(names, status, 0) == [[ROLLUP_NAME, "A", "B", "C", "D", "E"]]
    assert report_chunks(names, status, 5) == [[ROLLUP_NAME, "A", "B", "C", "D", "E"]]
    # heaviest first, dealt back and forth: A+D+E and B+C, the roll-up with the first
    assert report_chunks(names, status, 3) == [[ROLLUP_NAME, "A", "D", "E"], ["B", "C"]]
    assert report_chunks(names, status, 1) == [[ROLLUP_NAME, "A"], ["B"], ["C"], ["D"], ["E"]]
    assert report_chunks([], status, 2) == [[]]  # nothing stale: one empty step, still filed
