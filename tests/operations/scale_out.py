"""The scale-out deployment of deploy/scale-out/ started for real on loopback.

A PostgreSQL server (the Dagster instance's storage and the delivery ledger), a dask scheduler,
dask workers and a Dagster daemon, each a separate process, with the environment of
``deploy/scale-out/competence.env``. Used by tests/operations/test_distributed_backfill.py and by
benchmarks/bench_backfill.py. Every process is stopped by its own id.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.operations.postgres_server import PostgresServer, free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCALE_OUT = PROJECT_ROOT / "deploy" / "scale-out"


def _wait_for_port(port: int, what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited ({process.returncode}): {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port}")


class ScaleOut:
    """``base`` holds every process's files; ``env`` is the week runs' environment
    (COMPETENCE_* without the executor, scheduler, ledger and DAGSTER_* settings, which this
    class adds)."""

    def __init__(self, base: Path, env: dict[str, str], workers: int = 2) -> None:
        self.base = base
        self.workers = workers
        # a folder of its own outside tmp_path: as root the server runs as `postgres`, which
        # may not enter pytest's private folders
        self.postgres_base = Path(tempfile.mkdtemp(prefix="competence-scale-out-pg-"))
        self.postgres = PostgresServer(self.postgres_base)
        self.scheduler_port = free_port()
        self.home = base / "dagster_home"
        self.processes: dict[str, subprocess.Popen] = {}
        self.postgres_started = False
        self.env = dict(env)

    @property
    def scheduler(self) -> str:
        return f"tcp://127.0.0.1:{self.scheduler_port}"

    @property
    def ledger_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.postgres.port}/postgres"

    def _log(self, name: str) -> Path:
        return self.base / "logs" / f"{name}.log"

    def _start(self, name: str, command: list[str], cwd: Path) -> subprocess.Popen:
        log = self._log(name)
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=cwd, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes[name] = process
        return process

    def start(self) -> ScaleOut:
        (self.base / "logs").mkdir(parents=True, exist_ok=True)
        self.postgres.start()
        self.postgres_started = True
        self.home.mkdir(parents=True)
        shutil.copy(SCALE_OUT / "dagster.yaml", self.home / "dagster.yaml")
        # the same variables on every machine (deploy/scale-out/competence.env)
        self.env.update(
            DAGSTER_HOME=str(self.home),
            DAGSTER_PG_HOST="127.0.0.1",
            DAGSTER_PG_PORT=str(self.postgres.port),
            DAGSTER_PG_DB="postgres",
            DAGSTER_PG_USER="postgres",
            DAGSTER_PG_PASSWORD="unused-trust-auth",
            COMPETENCE_EXECUTOR="dask",
            COMPETENCE_DASK_SCHEDULER=self.scheduler,
            COMPETENCE_LEDGER_URL=self.ledger_url,
        )
        scheduler = self._start(
            "scheduler",
            [
                str(BIN / "dask"),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.scheduler_port),
                "--no-dashboard",
            ],
            self.base,
        )
        _wait_for_port(self.scheduler_port, "dask scheduler", scheduler, self._log("scheduler"))
        for n in range(1, self.workers + 1):
            self._start(
                f"worker{n}",
                worker_command(self.scheduler, f"worker{n}", self.base / f"worker{n}"),
                self.base,
            )
        self._wait_for_workers()
        workspace = self.base / "workspace.yaml"
        workspace.write_text(
            "load_from:\n  - python_module:\n      module_name: pipelines.definitions\n"
            f"      working_directory: {PROJECT_ROOT}\n      location_name: competence\n"
        )
        self._start("daemon", [str(BIN / "dagster-daemon"), "run", "-w", str(workspace)], self.base)
        return self

    def _wait_for_workers(self) -> None:
        from dask.distributed import Client

        with Client(self.scheduler, timeout=30) as client:
            client.wait_for_workers(self.workers, timeout=120)

    def worker_pids(self) -> dict[str, int]:
        """Each dask worker's process id (``--no-nanny``: the command's own process)."""
        return {
            name: process.pid
            for name, process in self.processes.items()
            if name.startswith("worker")
        }

    def log(self, name: str) -> str:
        return self._log(name).read_text(errors="replace")

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self.postgres_started:
            self.postgres.stop()
        shutil.rmtree(self.postgres_base, ignore_errors=True)


def worker_command(scheduler: str, name: str, local_directory: Path) -> list[str]:
    """One dask worker as deploy/scale-out/ starts it: one step at a time (Dagster steps are not
    meant to share a process's threads), no nanny (the worker is the command's own process, so
    the report renderer may start its own processes: a nanny's worker is daemonic and may not)."""
    return [
        str(BIN / "dask"),
        "worker",
        "--local-directory",
        str(local_directory),
        scheduler,
        "--name",
        name,
        "--nthreads",
        "1",
        "--no-nanny",
        "--no-dashboard",
        "--host",
        "127.0.0.1",
    ]


def running_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of a process started for the scale-out: nothing inherited that could
    steer it (COMPETENCE_*, DAGSTER_*), the project importable."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("COMPETENCE_", "DAGSTER_"))}
    base.update(env)
    return base
