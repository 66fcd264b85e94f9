"""The table contracts: every table written after ingestion is checked, week by week, as stored."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from assets.contracts import contract_checks
from assets.partitions import weekly_partitions
from assets.warehouse import WarehouseIOManager, read_weeks
from pipelines.definitions import defs
from pipelines.sample_data import generate_sample_data
from schemas.output_tables import OUTPUT_MODELS
from tests.week_resources import outbox_mailer, week_resources

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 11, 25)
WEEK = "2026-11-16"


def _resources(landing: Path, output: Path) -> dict:
    return week_resources(
        output, landing=landing, run_date=TODAY.isoformat(), mailer=outbox_mailer(output)
    )


def _check_results(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_a_real_week_keeps_every_contract_and_each_check_read_the_stored_week(tmp_path):
    landing, output = tmp_path / "landing", tmp_path / "var"
    generate_sample_data(landing, employees=120, seed=3, today=TODAY, progress=False)
    result = dg.materialize(
        [*defs.assets, *contract_checks()],
        partition_key=WEEK,
        resources=_resources(landing, output),
    )
    evaluations = _check_results(result)
    contracts = {f"{table}_contract" for table in OUTPUT_MODELS}
    assert contracts <= set(evaluations)
    failed = {name: evaluations[name].description for name in contracts}
    assert all(evaluations[name].passed for name in contracts), failed
    database = output / "warehouse.duckdb"
    for table in OUTPUT_MODELS:
        stored = len(read_weeks(database, table, [WEEK]))
        checked = evaluations[f"{table}_contract"].metadata["rows_checked"].value
        assert checked == stored, table
        assert evaluations[f"{table}_contract"].partition == WEEK
    # the week has people, findings and reports: the contracts were not checked on empty weeks
    assert all(
        evaluations[f"{t}_contract"].metadata["rows_checked"].value > 0
        for t in ("certification_status", "site_compliance", "audit_findings", "site_report_pdfs")
    )


def _site_compliance(**changes) -> pd.DataFrame:
    row = {
        "site": "DAYTON",
        "site_name": "Dayton",
        "headcount_in_scope": 10,
        "compliant": 8,
        "grace": 1,
        "non_compliant": 1,
        "not_required": 2,
        "expiring_30": 0,
        "expiring_60": 1,
        "expiring_90": 1,
        "compliance_rate": 0.8,
        "site_configured": True,
        "as_of": pd.Timestamp("2026-11-22"),
        "exempt": 0,
        "week": pd.Timestamp(WEEK),
    }
    return pd.DataFrame([row | changes])


def test_a_week_that_breaks_its_contract_fails_the_check_and_stops_what_is_built_on_it(tmp_path):
    broken = pd.concat(
        [
            _site_compliance(compliance_rate=1.5),  # a rate over 100 %
            _site_compliance(site="DAYTON", compliant=3),  # the same site twice; 3+1+1 != 10
        ],
        ignore_index=True,
    )

    @dg.asset(name="site_compliance", partitions_def=weekly_partitions)
    def written() -> pd.DataFrame:
        return broken

    @dg.asset(partitions_def=weekly_partitions, deps=["site_compliance"])
    def report_built_on_it() -> None:
        return None

    [check] = [c for c in contract_checks() if "site_compliance_contract" in str(c.check_keys)]
    result = dg.materialize(
        [written, report_built_on_it, check],
        partition_key=WEEK,
        resources={"io_manager": WarehouseIOManager(database=str(tmp_path / "w.duckdb"))},
        raise_on_error=False,
    )
    evaluation = _check_results(result)["site_compliance_contract"]
    assert not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    text = evaluation.description
    assert "compliance_rate: less_than_or_equal_to(1) fails in 1 row(s) (1.5)" in text
    assert "site: field_uniqueness fails in 2 row(s) (DAYTON)" in text
    assert "(table): in_scope_adds_up fails in 1 row(s) (row 1)" in text
    assert evaluation.metadata["rows_checked"].value == 2
    # blocking: nothing downstream of the broken table was materialized
    materialized = {m.asset_key.to_user_string() for m in result.get_asset_materialization_events()}
    assert materialized == {"site_compliance"}


@pytest.mark.parametrize("table", sorted(OUTPUT_MODELS))
def test_the_warehouse_declares_exactly_the_contract_columns(table):
    from schemas.warehouse_tables import declared_columns

    declared = [c for c in declared_columns(table) if c != "week"]
    assert declared == list(OUTPUT_MODELS[table].to_schema().columns)
