"""The warehouse in PostgreSQL (COMPETENCE_WAREHOUSE_URL): the setting, typing as declared,
what a week replace does, and an unreachable server named without its password.

Every round trip is compared with the DuckDB file given the same writes: the frame an asset
gets back must not depend on where the warehouse is.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

import dagster as dg
import pandas as pd
import pytest

from assets.delivery.ledger_store import PostgresLedger
from assets.environment import SettingsError, read_environment
from assets.resources import CompetenceSettings
from assets.warehouse import (
    PostgresWarehouse,
    WarehouseUnavailable,
    check_warehouse,
    read_weeks,
    stored_tables,
    write_week,
)
from tests.conftest import PROJECT_ROOT
from tests.warehouse.conftest import WAREHOUSE_DB_PASSWORD

W1, W2 = pd.Timestamp("2026-11-09"), pd.Timestamp("2026-11-16")


def _both(tmp_path, warehouse_url) -> dict[str, str]:
    return {"duckdb": str(tmp_path / "warehouse.duckdb"), "postgres": warehouse_url}


def test_a_week_reads_back_the_same_from_postgresql_as_from_the_duckdb_file(
    tmp_path, warehouse_url
):
    status = pd.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3"],
            "first_name": ["Zoë", "", None],  # an empty text stays empty, a missing one NULL
            "credential": "CPT",
            "modules_passed": [4, 0, 2],
            "cycle_points": [12.5, float("nan"), 0.0],
            "renewal_secured": [True, False, None],
            "expires_on": pd.to_datetime(["2027-03-01", None, "2026-12-31"]),
            "exemption_reason": [None, None, None],  # all empty: still typed as declared
            "week": W1,
        }
    )
    scratch = pd.DataFrame({"note": [None, None], "n": [1, 2], "week": W1})  # nobody declared it
    read = {}
    for name, warehouse in _both(tmp_path, warehouse_url).items():
        write_week(warehouse, "certification_status", status, [W1])
        write_week(warehouse, "certification_status", status.assign(week=W2).head(1), [W2])
        write_week(warehouse, "scratch", scratch, [W1])
        # a later version adds a column: added to the table, earlier rows read it as empty
        write_week(warehouse, "scratch", scratch.assign(extra=["a", "b"], week=W2), [W2])
        read[name] = (
            read_weeks(warehouse, "certification_status", [W1.isoformat(), W2.isoformat()]),
            read_weeks(warehouse, "certification_status", [W2.isoformat()], ["employee_id"]),
            read_weeks(warehouse, "scratch", None),
            read_weeks(warehouse, "no_such_table", [W1.isoformat()]),
        )
        assert {"certification_status", "scratch"} <= stored_tables(warehouse)
    for expected, got in zip(read["duckdb"], read["postgres"], strict=True):
        pd.testing.assert_frame_equal(got, expected, check_dtype=True)
    statuses = read["postgres"][0]
    assert statuses["first_name"].tolist()[:3] == ["Zoë", "", None]
    assert statuses["expires_on"].dtype == "datetime64[ns]"
    assert len(statuses) == 4  # three of W1, one of W2
    assert read["postgres"][2]["extra"].tolist() == [None, None, "a", "b"]
    assert read["postgres"][3].empty


def test_a_rewrite_replaces_the_week_whole_and_an_empty_one_empties_it(warehouse_url):
    frame = pd.DataFrame({"employee_id": [f"E{i}" for i in range(5)], "week": W1})
    write_week(warehouse_url, "certification_status", frame, [W1])
    write_week(warehouse_url, "certification_status", frame.assign(week=W2), [W2])
    write_week(warehouse_url, "certification_status", frame.head(2), [W1])  # a rerun
    stored = read_weeks(warehouse_url, "certification_status", None, ["employee_id", "week"])
    assert stored.groupby("week").size().to_dict() == {W1: 2, W2: 5}
    write_week(warehouse_url, "certification_status", frame.head(0), [W1])
    stored = read_weeks(warehouse_url, "certification_status", None, ["week"])
    assert stored["week"].unique().tolist() == [W2]  # the other week untouched


def test_the_setting_is_checked_in_one_line_with_the_password_masked():
    def problems(value: str) -> list[str]:
        with pytest.raises(SettingsError) as caught:
            read_environment({"COMPETENCE_WAREHOUSE_URL": value})
        return caught.value.problems

    assert problems("mysql://u:topsecret@db/x") == [
        "COMPETENCE_WAREHOUSE_URL = 'mysql://u:***@db/x': expected "
        "postgresql://user@host:5432/database (or unset for the DuckDB file)"
    ]
    assert problems("postgresql://u:topsecret@db:99999/x") == [
        "COMPETENCE_WAREHOUSE_URL = 'postgresql://u:***@db:99999/x': not a valid URL (the port "
        "must be 1-65535; write / ? # @ in the password percent-encoded)"
    ]
    assert problems("postgresql://u:topsecret@db") == [
        "COMPETENCE_WAREHOUSE_URL = 'postgresql://u:***@db': name the host and the database, "
        "like postgresql://user@host:5432/database"
    ]
    url = "postgresql://u:topsecret@db:5432/x"
    assert read_environment({"COMPETENCE_WAREHOUSE_URL": f" {url} "}).warehouse_url == url
    assert "topsecret" not in repr(read_environment({"COMPETENCE_WAREHOUSE_URL": url}))


def test_a_wrong_setting_stops_the_cli_with_exit_2_and_no_password(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPETENCE_")}
    env["COMPETENCE_OUTPUT_DIR"] = str(tmp_path)
    env["COMPETENCE_WAREHOUSE_URL"] = "postgres://u:topsecret@db:0/x"
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "person", "E1"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "error: COMPETENCE_WAREHOUSE_URL = 'postgres://u:***@db:0/x': expected a port number "
        "between 1 and 65535"
    )
    assert "topsecret" not in done.stdout + done.stderr


def test_settings_route_the_warehouse_and_the_ledger_to_postgresql(monkeypatch, tmp_path):
    url = "postgresql://u:topsecret@db.internal:5432/competence"
    monkeypatch.setenv("COMPETENCE_OUTPUT_DIR", str(tmp_path))
    monkeypatch.setenv("COMPETENCE_WAREHOUSE_URL", url)
    monkeypatch.delenv("COMPETENCE_LEDGER_URL", raising=False)
    settings = CompetenceSettings.from_environment()
    assert isinstance(settings.warehouse_url, dg.EnvVar)  # the UI shows the name, not the URL
    assert settings.warehouse_path == PostgresWarehouse(url)
    assert settings.ledger == PostgresLedger(url)  # the ledger follows the warehouse
    assert "topsecret" not in repr(settings.warehouse_path) + str(settings.warehouse_path)
    other = "postgresql://u@ledger.internal/mail"
    monkeypatch.setenv("COMPETENCE_LEDGER_URL", other)
    assert CompetenceSettings.from_environment().ledger == PostgresLedger(other)
    monkeypatch.delenv("COMPETENCE_WAREHOUSE_URL")
    monkeypatch.delenv("COMPETENCE_LEDGER_URL")
    default = CompetenceSettings.from_environment()
    assert default.warehouse_path == default.ledger == tmp_path / "warehouse.duckdb"


def test_an_unreachable_warehouse_is_named_without_its_password(warehouse_postgres, tmp_path):
    wrong = quote("not-" + WAREHOUSE_DB_PASSWORD, safe="")
    url = f"postgresql://postgres:{wrong}@127.0.0.1:{warehouse_postgres.port}/postgres"
    with pytest.raises(WarehouseUnavailable) as caught:
        check_warehouse(url)
    message = str(caught.value)
    assert message.startswith(
        f"warehouse postgresql://postgres:***@127.0.0.1:{warehouse_postgres.port}/postgres: "
        "cannot connect (connection to server at"
    )
    assert "password authentication failed" in message
    assert "not-" not in message and WAREHOUSE_DB_PASSWORD not in message
    # the CLI: one line, exit 2, no traceback
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPETENCE_")}
    env.update(COMPETENCE_OUTPUT_DIR=str(tmp_path), COMPETENCE_WAREHOUSE_URL=url)
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "person", "E1"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"person: {message.splitlines()[0]}")
    assert "Traceback" not in done.stderr and "not-" not in done.stderr


def test_a_week_reads_back_in_the_order_it_was_stored(tmp_path, warehouse_url):
    """Some report sections keep the order an asset stored (a site's findings, most severe
    first): neither DuckDB's unstable sort by week nor PostgreSQL's heap order may shuffle it."""
    ids = [f"E{(i * 7919) % 5000:05d}" for i in range(5000)]  # no order a sort could restore
    frame = pd.DataFrame({"employee_id": ids, "statement": "line one\nline two", "week": W1})
    for warehouse in _both(tmp_path, warehouse_url).values():
        write_week(warehouse, "certification_status", frame.head(10), [W1])
        write_week(warehouse, "certification_status", frame.assign(week=W2), [W2])
        write_week(warehouse, "certification_status", frame, [W1])  # reuses freed space
        stored = read_weeks(warehouse, "certification_status", [W1.isoformat(), W2.isoformat()])
        assert stored["employee_id"].tolist() == ids + ids, warehouse


def test_the_code_location_gives_the_io_manager_the_variable_not_the_url(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPETENCE_")}
    env.update(
        COMPETENCE_OUTPUT_DIR=str(tmp_path),
        COMPETENCE_WAREHOUSE_URL="postgresql://u:topsecret@db.internal:5432/competence",
    )
    shown = subprocess.run(
        [
            sys.executable,
            "-c",
            "from pipelines.definitions import defs; "
            "database = defs.resources['io_manager'].database; "
            "print(type(database).__name__, database.env_var_name)",
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    assert shown.stdout.strip() == "EnvVar COMPETENCE_WAREHOUSE_URL"
    assert "topsecret" not in shown.stdout + shown.stderr
