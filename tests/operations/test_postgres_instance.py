"""The production instance configuration (deploy/dagster.yaml) against a real PostgreSQL server."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from assets.delivery.mailer import Mailer
from assets.resources import CompetenceSettings
from assets.warehouse import WarehouseIOManager
from pipelines.definitions import defs
from tests.conftest import PROJECT_ROOT
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write
from tests.operations.postgres_server import PostgresServer

WEEK = "2026-11-16"


@pytest.fixture(scope="module")
def postgres():
    base = Path(tempfile.mkdtemp(prefix="competence-pg-"))
    server = PostgresServer(base).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def test_a_week_runs_against_a_postgres_backed_instance(postgres, tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy/dagster.yaml", home / "dagster.yaml")
    for key, value in {
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(postgres.port),
        "DAGSTER_PG_DB": "postgres",
        "DAGSTER_PG_USER": "postgres",
        "DAGSTER_PG_PASSWORD": "unused-trust-auth",
    }.items():
        monkeypatch.setenv(key, value)

    landing = tmp_path / "landing"
    write(
        landing / "roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,,DAYTON,,Production Technician,,2020-01-01,"],
    )
    write(
        landing / "providers/northfield_college/q1.csv",
        [NORTHFIELD_HEADER, "R1,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C1"],
    )
    resources = {
        "settings": CompetenceSettings(
            landing_dir=str(landing),
            config_dir=str(PROJECT_ROOT / "config"),
            output_dir=str(tmp_path / "var"),
            run_date="2026-11-25",
        ),
        "io_manager": WarehouseIOManager(database=str(tmp_path / "var/warehouse.duckdb")),
        "mailer": Mailer(outbox_dir=str(tmp_path / "var/outbox")),
    }
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        result = dg.materialize(
            list(defs.assets), partition_key=WEEK, resources=resources, instance=instance
        )
        assert result.success
        event = instance.get_latest_materialization_event(dg.AssetKey("source_files"))
        assert event is not None and event.dagster_event.partition == WEEK

    with (
        psycopg2.connect(
            host="127.0.0.1", port=postgres.port, user="postgres", dbname="postgres"
        ) as con,
        con.cursor() as cur,
    ):
        cur.execute("select status from runs where run_id = %s", (result.run_id,))
        assert cur.fetchone() == ("SUCCESS",)
        cur.execute(
            "select count(*) from event_logs where run_id = %s and "
            "dagster_event_type = 'ASSET_MATERIALIZATION'",
            (result.run_id,),
        )
        assert cur.fetchone()[0] >= 7  # the intake's seven tables at least
