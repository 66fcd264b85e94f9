"""The same weeks against the DuckDB file (default) and against PostgreSQL
(COMPETENCE_WAREHOUSE_URL) give the same results: status and evidence exports, stored
statuses, the reports (which read last week and the trend from the warehouse), the mail (the
delivery ledger follows the warehouse), and the CLI's ``person`` and ``repair-warehouse``.

Two weeks of the whole weekly job run on generated sample data with mail on (to an outbox):
the second week's completeness check, report history and corrective actions read the first
week back from the warehouse under test.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys

import dagster as dg
import pandas as pd
import psycopg2
import pytest
from pypdf import PdfReader

from assets.delivery.ledger_store import PostgresLedger
from assets.delivery.mailer import Mailer
from assets.resources import CompetenceSettings
from assets.warehouse import (
    PostgresWarehouse,
    WarehouseIOManager,
    read_weeks,
    warehouse_location,
)
from pipelines.definitions import defs
from pipelines.sample_data import generate_sample_data
from tests.conftest import PROJECT_ROOT
from tests.warehouse.conftest import WAREHOUSE_DB_PASSWORD, fresh_warehouse_url

TODAY = dt.date(2026, 11, 25)
WEEKS = ["2026-11-09", "2026-11-16"]
EXPORTS = ["employee_status.csv", "evidence.csv", "rejected_rows.csv", "unmatched_records.csv"]


def _run_weeks(landing, output, url: str | None) -> None:
    settings = CompetenceSettings(
        landing_dir=str(landing),
        config_dir=str(PROJECT_ROOT / "config"),
        output_dir=str(output),
        run_date=TODAY.isoformat(),
        warehouse_url=url,
    )
    resources = {
        "settings": settings,
        "io_manager": WarehouseIOManager(database=url or str(output / "warehouse.duckdb")),
        "mailer": Mailer(outbox_dir=str(output / "outbox")),
    }
    job = defs.resolve_job_def("weekly_competence")
    with dg.instance_for_test() as instance:
        for week in WEEKS:
            result = job.execute_in_process(
                partition_key=week,
                instance=instance,
                resources=resources,
                tags={"competence/send_mail": "true"},
            )
            assert result.success, week


@pytest.fixture(scope="module")
def both(tmp_path_factory, warehouse_postgres):
    """The two weeks run twice: into a DuckDB file, and into a fresh PostgreSQL database."""
    root = tmp_path_factory.mktemp("same")
    landing = root / "landing"
    generate_sample_data(landing, employees=150, seed=5, today=TODAY, progress=False)
    url = fresh_warehouse_url(warehouse_postgres)
    _run_weeks(landing, root / "duckdb", None)
    _run_weeks(landing, root / "postgres", url)
    return root / "duckdb", root / "postgres", url


def test_exports_reports_and_stored_statuses_are_the_same_in_both_warehouses(both):
    duck, post, url = both
    assert not (post / "warehouse.duckdb").exists()  # nothing went to a local file
    for week in WEEKS:
        for name in EXPORTS:
            expected = (duck / "status" / week / name).read_bytes()
            assert (post / "status" / week / name).read_bytes() == expected, (week, name)
        pdfs = sorted(p.name for p in (duck / "reports" / week).glob("*.pdf"))
        assert len(pdfs) >= 3
        assert sorted(p.name for p in (post / "reports" / week).glob("*.pdf")) == pdfs
        for name in pdfs:  # the trend and "since last week" were read back the same way
            assert _text(post / "reports" / week / name) == _text(duck / "reports" / week / name)

    # report_briefing_lines: what each mail repeats (typed, dates and nulls included)
    for table in (
        "certification_status",
        "site_compliance",
        "corrective_actions",
        "report_briefing_lines",
    ):
        expected = read_weeks(duck / "warehouse.duckdb", table, WEEKS)
        stored = read_weeks(url, table, WEEKS)
        assert len(stored) == len(expected) > 0, table
        # same columns, types, values — and rows in the order they were stored
        pd.testing.assert_frame_equal(stored, expected, check_dtype=True)


def _text(pdf) -> str:
    """The PDF's text, its run id (one per run) masked."""
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "RUN", text)


def test_the_delivery_ledger_follows_the_warehouse_into_postgresql(both):
    duck, post, url = both
    mailed = sorted(p.name for p in (duck / "outbox").glob("*.eml"))
    assert len(mailed) >= 4
    assert sorted(p.name for p in (post / "outbox").glob("*.eml")) == mailed
    settings = CompetenceSettings(output_dir=str(post), warehouse_url=url)
    assert settings.ledger == PostgresLedger(url)
    assert settings.warehouse_path == PostgresWarehouse(url)
    with psycopg2.connect(url) as connection, connection.cursor() as cursor:
        cursor.execute("select count(*), min(status), max(status) from competence.delivery_ledger")
        assert cursor.fetchone() == (len(mailed), "WRITTEN_TO_OUTBOX", "WRITTEN_TO_OUTBOX")
    connection.close()


def _cli(*args: str, url: str | None, output) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPETENCE_")}
    env["COMPETENCE_OUTPUT_DIR"] = str(output)
    if url:
        env["COMPETENCE_WAREHOUSE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_competence_person_prints_the_same_history_from_postgresql(both, tmp_path):
    duck, post, url = both
    status = read_weeks(url, "certification_status", [WEEKS[-1]], ["employee_id", "compliance"])
    # someone with an open action, so the history has status, record and action events
    person = status.loc[status["compliance"] == "NON_COMPLIANT", "employee_id"].iloc[0]
    expected = _cli("person", person, "--csv", str(tmp_path / "d.csv"), url=None, output=duck)
    got = _cli("person", person, "--csv", str(tmp_path / "p.csv"), url=url, output=post)
    assert (expected.returncode, got.returncode) == (0, 0), got.stderr
    assert got.stdout.splitlines()[:-1] == expected.stdout.splitlines()[:-1]
    assert len(got.stdout.splitlines()) > 3
    assert (tmp_path / "p.csv").read_bytes() == (tmp_path / "d.csv").read_bytes()

    unknown = _cli("person", "E999999", url=url, output=post)
    shown = warehouse_location(url)
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        f"person: no employee 'E999999' in the warehouse {shown} (weeks {WEEKS[0]} to {WEEKS[-1]})"
    )
    assert WAREHOUSE_DB_PASSWORD not in unknown.stderr and "***" in unknown.stderr


def test_repair_warehouse_has_nothing_to_repair_in_postgresql(both):
    _, post, url = both
    done = _cli("repair-warehouse", url=url, output=post)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"warehouse {warehouse_location(url)}: nothing to repair "
        "(PostgreSQL columns always have a type)"
    )
    assert WAREHOUSE_DB_PASSWORD not in done.stdout
