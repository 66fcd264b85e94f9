"""Moving from the DuckDB file to PostgreSQL: history and ledger move, nothing is overwritten,
and no run starts on PostgreSQL while the file still holds what should have moved.

The file is written by the warehouse's and the ledger's own writers; the target is a real
PostgreSQL on loopback; the move runs as the `competence` command a user types.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import pandas as pd
from pandas.testing import assert_frame_equal

from assets.delivery.ledger import read_ledger, record_outcome
from assets.delivery.ledger_rows import DeliveryKey
from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus
from assets.ledger_location import PostgresLedger, redact
from assets.resources import CompetenceSettings
from assets.warehouse import held_open, read_weeks, write_week
from assets.warehouse_move import mark_moved, unmoved_data
from pipelines.run_outcome import outcome_of
from tests.conftest import PROJECT_ROOT
from tests.pipelines.cli_support import cli_env, competence
from tests.warehouse.conftest import WAREHOUSE_DB_PASSWORD
from tests.warehouse.writer_process import week_frame

OLD, NEW = "2026-11-09", "2026-11-16"
SENT_AT = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def _compliance(week: str, rate: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "site": ["S1", "S2"],
            "headcount_in_scope": [10, 4],
            "compliant": [9, 2],
            "compliance_rate": [rate, 0.5],
            "week": pd.Timestamp(week),
        }
    )


def _file_with_two_weeks_and_deliveries(output) -> None:
    database = output / "warehouse.duckdb"
    for week in (OLD, NEW):
        write_week(database, "certification_status", week_frame(week, "file", 0, 5), [week])
        write_week(database, "site_compliance", _compliance(week, 0.9), [pd.Timestamp(week)])
    for recipient, status in (("qm@s1.example", "SENT"), ("qm@s2.example", "UNKNOWN")):
        record_outcome(
            database,
            DeliveryKey("S1", date(2026, 11, 16), recipient, "a" * 64),
            DeliveryOutcome(DeliveryStatus(status), 1, SENT_AT, SENT_AT, "<id@x>"),
            run_id="run-file",
            iso_week="2026-W47",
        )


@dg.asset
def warehouse_in_use(settings: CompetenceSettings) -> str:
    return str(settings.warehouse_path)


def _run(tmp_path, url: str) -> dg.ExecuteInProcessResult:
    settings = CompetenceSettings(
        landing_dir=str(tmp_path / "landing"),
        config_dir=str(PROJECT_ROOT / "config"),
        output_dir=str(tmp_path / "var"),
        warehouse_url=url,
    )
    with dg.instance_for_test() as instance:
        return dg.materialize(
            [warehouse_in_use],
            resources={"settings": settings},
            instance=instance,
            raise_on_error=False,
        )


def test_a_run_on_postgresql_refuses_until_the_file_is_moved_then_the_move_keeps_every_row(
    tmp_path, warehouse_url
):
    output = tmp_path / "var"
    _file_with_two_weeks_and_deliveries(output)
    file = output / "warehouse.duckdb"
    # PostgreSQL already computed NEW's site compliance (after the switch): it must stay
    write_week(warehouse_url, "site_compliance", _compliance(NEW, 0.1), [pd.Timestamp(NEW)])

    refused = _run(tmp_path, warehouse_url)
    message = outcome_of(refused.all_events).first_error  # what the CLI and the alert print
    assert (
        f"{file} holds 2 week(s) of 2 table(s) and 2 delivery ledger row(s) that were never "
        "moved to PostgreSQL"
    ) in message
    assert "run `competence move-warehouse` once" in message
    assert not refused.success

    env = cli_env(tmp_path, COMPETENCE_WAREHOUSE_URL=warehouse_url)
    moved = competence(env, "move-warehouse")
    assert moved.returncode == 0, moved.stderr
    out = moved.stdout.splitlines()
    assert out[0] == f"moving {file}:"
    assert "  certification_status: 2 week(s), 10 rows copied" in out
    assert (
        "  site_compliance: 1 week(s), 2 rows copied; 1 week(s) already in PostgreSQL kept" in out
    )
    assert any(line.startswith("delivery ledger: 2 row(s) copied") for line in out), out
    assert WAREHOUSE_DB_PASSWORD not in moved.stdout + moved.stderr

    for week in (OLD, NEW):
        assert_frame_equal(
            read_weeks(warehouse_url, "certification_status", [week]),
            read_weeks(file, "certification_status", [week]),
        )
    assert_frame_equal(
        read_weeks(warehouse_url, "site_compliance", [OLD]),
        read_weeks(file, "site_compliance", [OLD]),
    )
    kept = read_weeks(warehouse_url, "site_compliance", [NEW])
    assert kept["compliance_rate"].tolist() == [0.1, 0.5]  # PostgreSQL's own week, not the file's

    ledger = read_ledger(PostgresLedger(warehouse_url))
    assert sorted(zip(ledger["recipient"], ledger["status"], strict=True)) == [
        ("qm@s1.example", "SENT"),
        ("qm@s2.example", "UNKNOWN"),  # still blocks a resend until someone checks
    ]
    assert set(ledger["run_id"]) == {"run-file"}

    ran = _run(tmp_path, warehouse_url)  # the same run as before the move now goes ahead
    assert ran.output_for_node("warehouse_in_use") == redact(warehouse_url)

    again = competence(env, "move-warehouse")
    assert again.returncode == 0, again.stderr
    assert (
        "  certification_status: 0 week(s), 0 rows copied; 2 week(s) already in PostgreSQL kept"
        in (again.stdout.splitlines())
    )
    assert "delivery ledger: 0 row(s) copied" in again.stdout
    assert len(read_ledger(PostgresLedger(warehouse_url))) == 2


def test_the_move_says_what_is_missing_in_one_line(tmp_path):
    env = cli_env(tmp_path)
    nothing_to = competence(env, "move-warehouse")
    assert nothing_to.returncode == 2
    assert nothing_to.stderr.splitlines() == [
        "error: neither COMPETENCE_WAREHOUSE_URL nor COMPETENCE_LEDGER_URL is set: there is no "
        "PostgreSQL to move the warehouse to"
    ]
    no_file = competence(
        cli_env(tmp_path, COMPETENCE_WAREHOUSE_URL="postgresql://u:secret@127.0.0.1:9/x"),
        "move-warehouse",
    )
    assert no_file.returncode == 2
    assert no_file.stderr.splitlines() == [
        f"error: {tmp_path / 'var/warehouse.duckdb'}: no such warehouse file (--database names "
        "another)"
    ]


def test_the_check_reads_a_file_this_process_holds_open_for_a_week(tmp_path):
    """Only the ledger in PostgreSQL: the file is still the warehouse, held open by the CLI for
    a week's run (warehouse.held_open) while each step's settings check it."""
    output = tmp_path / "var"
    _file_with_two_weeks_and_deliveries(output)
    file = output / "warehouse.duckdb"
    with held_open(file) as held:
        assert held
        assert unmoved_data(file, warehouse_moves=False, ledger_moves=True) == [
            "2 delivery ledger row(s)"
        ]
    mark_moved(file, "ledger", "postgresql://x:***@db/ledger")
    assert unmoved_data(file, warehouse_moves=False, ledger_moves=True) == []
    assert unmoved_data(file, warehouse_moves=True, ledger_moves=True) == [
        "2 week(s) of 2 table(s)"
    ]
