"""A real PostgreSQL server on loopback for the deployment test, started and stopped by a fixture.

PostgreSQL refuses to run as root, so the server runs as the ``postgres`` system user when the
tests run as root. In CI (CI=true) a missing server binary is a failure, never a skip.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote


def _bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """``password`` set: TCP connections must authenticate (SCRAM) as ``postgres`` with it."""

    def __init__(self, base: Path, password: str | None = None) -> None:
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise RuntimeError(
                "PostgreSQL server binaries not found; install them with "
                "`apt-get install -y postgresql` (make test does this when run as root)"
            )
        self.bin = bin_dir
        self.data = base / "pgdata"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        self.password = password

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True)

    def start(self) -> PostgresServer:
        self.data.mkdir(parents=True)
        if self.as_postgres:
            shutil.chown(self.data.parent, "postgres")
            shutil.chown(self.data, "postgres")
            self.data.parent.chmod(0o755)
        auth = ["--auth=trust"]
        if self.password is not None:
            secret = self.data.parent / "pwfile"
            secret.write_text(self.password + "\n")
            if self.as_postgres:
                shutil.chown(secret, "postgres")
            secret.chmod(0o600)
            auth = ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={secret}"]
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            *auth,
            "-E",
            "UTF8",
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.data / "server.log"),
            "-o",
            f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1",
            "-w",
            "start",
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.2)
        raise RuntimeError(f"PostgreSQL did not listen on 127.0.0.1:{self.port}")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextmanager
def running_postgres(prefix: str, password: str | None = None) -> Iterator[PostgresServer]:
    """A server in a temporary folder (password-protected over TCP when ``password`` is given),
    stopped and removed on exit.

    A missing server binary raises (so the tests that need it fail, in CI too); never a skip."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    server = PostgresServer(base, password=password).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def fresh_database_url(server: PostgresServer, prefix: str) -> str:
    """A new, empty database on ``server``, as the URL a COMPETENCE_*_URL variable would hold."""
    import psycopg2  # only the PostgreSQL tests need the driver

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    secret = quote(server.password or "", safe="")
    admin = f"postgresql://postgres:{secret}@127.0.0.1:{server.port}/postgres"
    connection = psycopg2.connect(admin)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
    finally:
        connection.close()
    return f"postgresql://postgres:{secret}@127.0.0.1:{server.port}/{name}"


def dagster_home_on(server: PostgresServer, instance_yaml: Path, home: Path, monkeypatch) -> Path:
    """``home`` set up as DAGSTER_HOME with ``instance_yaml``, its DAGSTER_PG_* variables pointing
    at ``server`` (trust authentication: the password variable is required but unused)."""
    home.mkdir()
    shutil.copy(instance_yaml, home / "dagster.yaml")
    for key, value in {
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(server.port),
        "DAGSTER_PG_DB": "postgres",
        "DAGSTER_PG_USER": "postgres",
        "DAGSTER_PG_PASSWORD": "unused-trust-auth",
    }.items():
        monkeypatch.setenv(key, value)
    return home
