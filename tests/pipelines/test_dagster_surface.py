"""What the Dagster UI shows: owners, code versions, column schemas, partitioned checks, and
materialization metadata a user can plot (numbers, not JSON) and open (absolute PDF paths).

The definitions are the code location itself (``pipelines.definitions``); the metadata comes
from real materializations of generated sample data into a DuckDB file under tmp_path.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from assets.catalog import CODE_VERSIONS
from assets.partitions import COMPANY_TIMEZONE, weekly_partitions
from assets.reporting.figures import rate_percent
from pipelines.definitions import defs
from pipelines.local_instance import write_local_instance
from pipelines.sample_data import generate_sample_data
from schemas.output_tables import OUTPUT_MODELS
from schemas.warehouse_tables import declared_columns
from tests.conftest import PROJECT_ROOT
from tests.week_resources import week_resources

TODAY = dt.date(2026, 11, 25)
WEEK = "2026-11-16"
STAGE_OWNERS = {
    "ingest": ["team:data"],
    "certification": ["team:data"],
    "reporting": ["team:quality"],
    "delivery": ["team:quality"],
}


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def _node(graph, name: str):
    return graph.get(dg.AssetKey(name))


def test_every_asset_has_its_stage_owners_tag_and_code_version(graph):
    nodes = {key.to_user_string(): graph.get(key) for key in graph.get_all_asset_keys()}
    assert len(nodes) == 21  # report_briefing_lines is written with site_report_pdfs
    for name, node in nodes.items():
        stage = node.tags.get("stage")
        assert stage == node.group_name, name  # the stage tag names the stage the asset is in
        assert node.owners == STAGE_OWNERS[stage], name
        assert node.code_version == CODE_VERSIONS[stage], name
    assert nodes["site_report_pdfs"].owners == ["team:quality"]
    assert nodes["roster_snapshot"].owners == ["team:data"]


def test_the_weeks_reports_are_due_monday_0800_in_the_company_timezone(graph):
    policy = _node(graph, "site_report_pdfs").freshness_policy
    assert policy.deadline_cron == "0 8 * * 1"
    assert policy.timezone == COMPANY_TIMEZONE
    # from the end of the week (Monday 00:00), when only this week's run can have rendered them
    assert policy.lower_bound_delta == dt.timedelta(hours=8)
    others = [k for k in graph.get_all_asset_keys() if graph.get(k).freshness_policy is not None]
    assert others == [dg.AssetKey("site_report_pdfs")]


def test_descriptions_hold_no_angle_brackets_the_ui_would_eat_as_html(graph):
    texts = [graph.get(key).description or "" for key in graph.get_all_asset_keys()]
    texts += [graph.get(key).description or "" for key in graph.asset_check_keys]
    assert all(text for text in texts)
    assert [text for text in texts if "<" in text or ">" in text] == []
    pdfs = _node(graph, "site_report_pdfs").description
    assert "reports/YYYY-MM-DD/" in pdfs


def test_tables_carry_their_declared_column_schema(graph):
    for key in graph.get_all_asset_keys():
        schema = graph.get(key).metadata["dagster/column_schema"]
        declared = declared_columns(key.path[-1])
        assert [(c.name, c.type) for c in schema.columns] == list(declared.items())

    status = _node(graph, "certification_status").metadata["dagster/column_schema"]
    types = {column.name: column.type for column in status.columns}
    assert types["expires_on"] == "TIMESTAMP_NS" and types["cycle_points"] == "DOUBLE"
    assert types["week"] == "TIMESTAMP"
    # a table with a Pandera model shows the model's descriptions and nullability
    roster = _node(graph, "roster_snapshot").metadata["dagster/column_schema"]
    employee_id = next(c for c in roster.columns if c.name == "employee_id")
    assert employee_id.description == "HR employee number"
    assert employee_id.constraints.nullable is False


def test_asset_checks_are_partitioned_like_their_assets(graph):
    checks = {key.name: graph.get(key) for key in graph.asset_check_keys}
    contracts = {f"{table}_contract" for table in OUTPUT_MODELS}
    assert (
        set(checks)
        == {
            "row_conservation",
            "results_link_to_people",
            "reject_share_within_policy",
        }
        | contracts
    )
    assert all(spec.partitions_def == weekly_partitions for spec in checks.values())
    assert checks["reject_share_within_policy"].blocking
    assert all(checks[name].blocking for name in contracts)


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    generate_sample_data(root, employees=120, seed=3, today=TODAY, progress=False)
    return root


def _resources(landing: Path, output: Path) -> dict:
    return week_resources(output, landing=landing, run_date=TODAY.isoformat())


def _metadata(result, node: str, asset: str) -> dict:
    [metadata] = [
        m.metadata
        for m in result.asset_materializations_for_node(node)
        if m.asset_key.path[-1] == asset
    ]
    return metadata


def test_a_week_materializes_numbers_the_ui_can_plot_and_paths_it_can_open(landing, tmp_path):
    output = tmp_path / "var"
    # every asset but the mail (nothing to send here; delivery has its own tests)
    assets = [a for a in defs.assets if dg.AssetKey("email_delivery") not in a.keys]
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            assets,
            partition_key=WEEK,
            resources=_resources(landing, output),
            instance=instance,
        )
    assert result.success
    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        rates = dict(
            con.execute(
                "select site, compliance_rate from competence.site_compliance where week = ?",
                [dt.datetime.fromisoformat(WEEK)],
            ).fetchall()
        )
        statuses = dict(
            con.execute(
                "select status, count(*) from competence.certification_status group by status"
            ).fetchall()
        )

    [reports] = [
        m.metadata
        for m in result.asset_materializations_for_node("site_report_pdfs")
        if m.asset_key == dg.AssetKey("site_report_pdfs")  # not its briefing lines
    ]
    assert rates and {f"compliance_rate_pct/{site}" for site in rates} <= set(reports)
    for site, rate in rates.items():
        entry = reports[f"compliance_rate_pct/{site}"]
        assert isinstance(entry, dg.FloatMetadataValue)
        assert entry.value == float(rate_percent(rate))  # 87.3, as the report prints it
        assert 1 < entry.value <= 100  # a percentage, not the 0..1 fraction
        pdf = reports[f"pdf/{site}"]
        assert isinstance(pdf, dg.PathMetadataValue)
        assert Path(pdf.path).is_absolute() and Path(pdf.path).is_file()
        assert Path(pdf.path).read_bytes().startswith(b"%PDF-")
    assert Path(reports["pdf/company"].path).name == "company.pdf"
    assert Path(reports["folder"].path).is_absolute()

    status_meta = _metadata(result, "certification", "certification_status")
    for status, count in statuses.items():
        assert status_meta[f"status/{status}"] == dg.IntMetadataValue(count)
    assert status_meta["status/EXPIRED"].value == statuses.get("EXPIRED", 0)  # always present
    compliance_counts = {k: v.value for k, v in status_meta.items() if k.startswith("compliance/")}
    assert sum(compliance_counts.values()) == sum(statuses.values())
    results = _metadata(result, "landing_intake", "assessment_results")
    methods = {k: v.value for k, v in results.items() if k.startswith("match_method/")}
    assert set(methods) >= {"match_method/employee_id", "match_method/unmatched"}
    assert sum(methods.values()) == results["dagster/row_count"].value > 0
    verdicts = _metadata(result, "audit_findings", "audit_findings")
    assert all(isinstance(verdicts[f"verdict/{v}"], dg.IntMetadataValue) for v in ("MAJOR_NC",))


def test_check_results_carry_their_week_so_a_backfill_keeps_each_weeks_latest(landing, tmp_path):
    output = tmp_path / "var"
    ingest = [a for a in defs.assets if dg.AssetKey("source_files") in a.keys]
    weeks = ["2026-11-16", "2026-11-09"]  # the later week first, as a backfill may run them
    with dg.instance_for_test() as instance:
        for week in weeks:
            assert dg.materialize(
                ingest, partition_key=week, resources=_resources(landing, output), instance=instance
            ).success
        key = dg.AssetCheckKey(dg.AssetKey("source_files"), "row_conservation")
        history = instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [key], partition_filter=None
        )
    assert [record.partition for record in history] == ["2026-11-09", "2026-11-16"]
    assert latest[key].partition == "2026-11-09"


def test_make_ui_instance_has_the_production_run_limits(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")  # as the CLI writes it
    write_local_instance(home)
    deploy = yaml.safe_load((PROJECT_ROOT / "deploy/dagster.yaml").read_text())
    with dg.DagsterInstance.from_config(str(home)) as instance:
        coordinator = instance.run_coordinator
        assert type(coordinator).__name__ == "QueuedRunCoordinator"
        queue = coordinator.get_run_queue_config()
        limits = deploy["run_coordinator"]["config"]
        assert queue.max_concurrent_runs == limits["max_concurrent_runs"] == 1
        assert [
            (limit["key"], limit["value"], limit["limit"]) for limit in queue.tag_concurrency_limits
        ] == [("competence/send_mail", "true", 1)]
        # storage stays local (the production file names a PostgreSQL server)
        assert type(instance.run_storage).__name__ == "SqliteRunStorage"
    local = yaml.safe_load((home / "dagster.yaml").read_text())
    assert local["telemetry"] == {"enabled": False} and "storage" not in local
    assert "dg dev -w workspace.yaml" in (PROJECT_ROOT / "Makefile").read_text()
