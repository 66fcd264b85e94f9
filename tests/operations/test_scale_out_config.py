"""The scale-out configuration in deploy/scale-out/ cannot rot: the instance file loads into a real
Dagster instance on a real PostgreSQL server, the environment template passes the checks every
process runs, and the Helm values carry the keys Dagster's chart reads (no cluster here)."""

from __future__ import annotations

import dagster as dg
import pytest
import yaml

from assets.environment import read_environment
from pipelines.executors import week_executor
from tests.conftest import PROJECT_ROOT
from tests.operations.postgres_server import dagster_home_on, running_postgres

SCALE_OUT = PROJECT_ROOT / "deploy" / "scale-out"


@pytest.fixture(scope="module")
def postgres():
    with running_postgres("competence-pg-") as server:
        yield server


def _env_file() -> dict[str, str]:
    lines = (SCALE_OUT / "competence.env").read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {key: value for key, value in pairs}


def test_the_scale_out_instance_loads_against_postgres(postgres, tmp_path, monkeypatch):
    home = dagster_home_on(
        postgres, SCALE_OUT / "dagster.yaml", tmp_path / "dagster_home", monkeypatch
    )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        coordinator = instance.run_coordinator
        assert type(coordinator).__name__ == "QueuedRunCoordinator"
        # weeks run side by side (one per worker), mail-sending runs limited but not to one
        assert coordinator.get_run_queue_config().max_concurrent_runs == 2
        [limit] = coordinator.get_run_queue_config().tag_concurrency_limits
        assert limit == {"key": "competence/send_mail", "value": "true", "limit": 2}
        # the storage works: a run written by one process is read back
        run = instance.create_run_for_job(dg.Definitions(jobs=[_noop_job]).resolve_job_def("noop"))
        assert instance.get_run_by_id(run.run_id).job_name == "noop"
    # the single-server file keeps its own limits
    single = yaml.safe_load((PROJECT_ROOT / "deploy/dagster.yaml").read_text())
    assert single["run_coordinator"]["config"]["max_concurrent_runs"] == 1


@dg.op
def _noop() -> None:
    pass


@dg.job(name="noop")
def _noop_job() -> None:
    _noop()


def test_the_environment_template_passes_the_checks_and_picks_the_dask_executor():
    env = _env_file()
    checked = read_environment(env)  # raises with one line per wrong variable
    assert checked.executor == "dask"
    assert checked.dask_scheduler == "tcp://scheduler.internal:8786"
    assert checked.ledger_url.startswith("postgresql://")
    executor = week_executor(checked)
    assert executor.name == "dask_scheduler"
    # every variable the template sets is read by the project or by the instance file (no typo
    # that would silently leave a default in place)
    instance_vars = {"DAGSTER_HOME", *(v for v in env if v.startswith("DAGSTER_PG_"))}
    sources = "".join(
        path.read_text()
        for folder in ("assets", "pipelines")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
    )
    assert {v for v in env if v not in instance_vars and f'"{v}"' not in sources} == set()
    instance_file = (SCALE_OUT / "dagster.yaml").read_text()
    assert all(f"{{env: {v}}}" in instance_file for v in instance_vars - {"DAGSTER_HOME"})


def test_the_default_stays_in_process():
    assert week_executor(read_environment({})) is dg.in_process_executor
    multi = read_environment({"COMPETENCE_EXECUTOR": "multiprocess"})
    assert week_executor(multi) is dg.multiprocess_executor


def test_the_helm_values_have_the_keys_of_dagsters_chart():
    values = yaml.safe_load((SCALE_OUT / "values.yaml").read_text())
    [deployment] = values["dagster-user-deployments"]["deployments"]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "pipelines.definitions"]
    assert {"name", "image", "port", "envSecrets", "envConfigMaps"} <= set(deployment)
    assert {"repository", "tag"} <= set(deployment["image"])
    launcher = values["runLauncher"]
    assert launcher["type"] == "K8sRunLauncher"
    k8s = launcher["config"]["k8sRunLauncher"]
    assert k8s["envSecrets"] == deployment["envSecrets"]
    assert k8s["envConfigMaps"] == deployment["envConfigMaps"]
    assert k8s["volumeMounts"] == deployment["volumeMounts"]
    coordinator = values["dagsterDaemon"]["runCoordinator"]
    assert coordinator["enabled"] is True and coordinator["type"] == "QueuedRunCoordinator"
    queued = coordinator["config"]["queuedRunCoordinator"]
    instance = yaml.safe_load((SCALE_OUT / "dagster.yaml").read_text())["run_coordinator"]
    # the chart's queue says what deploy/scale-out/dagster.yaml says
    assert queued["maxConcurrentRuns"] == instance["config"]["max_concurrent_runs"]
    assert queued["tagConcurrencyLimits"] == instance["config"]["tag_concurrency_limits"]
    assert {"postgresqlHost", "postgresqlUsername", "postgresqlDatabase"} <= set(
        values["postgresql"]
    )
