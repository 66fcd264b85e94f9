"""The production instance configuration (deploy/dagster.yaml) against a real PostgreSQL server."""

from __future__ import annotations

import dagster as dg
import psycopg2
import pytest

from pipelines.definitions import defs
from tests.conftest import PROJECT_ROOT
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write
from tests.operations.postgres_server import dagster_home_on, running_postgres
from tests.week_resources import outbox_mailer, week_resources

WEEK = "2026-11-16"


@pytest.fixture(scope="module")
def postgres():
    with running_postgres("competence-pg-") as server:
        yield server


def test_a_week_runs_against_a_postgres_backed_instance(postgres, tmp_path, monkeypatch):
    home = dagster_home_on(
        postgres, PROJECT_ROOT / "deploy/dagster.yaml", tmp_path / "dagster_home", monkeypatch
    )

    landing = tmp_path / "landing"
    write(
        landing / "roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,,DAYTON,,Production Technician,,2020-01-01,"],
    )
    write(
        landing / "providers/northfield_college/q1.csv",
        [NORTHFIELD_HEADER, "R1,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C1"],
    )
    resources = week_resources(
        tmp_path / "var", landing=landing, mailer=outbox_mailer(tmp_path / "var")
    )
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
