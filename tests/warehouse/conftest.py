"""A real PostgreSQL server on loopback for the scale-out warehouse (COMPETENCE_WAREHOUSE_URL).

It requires a password over TCP, so the tests also see that the password never shows up in a
message. A missing server binary fails the tests that need it (in CI too); it never skips them.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest

from tests.operations.postgres_server import PostgresServer

WAREHOUSE_DB_PASSWORD = "pg-Wareh0use-s3cret-Ü"  # must never show up in a message


@pytest.fixture(scope="session")
def warehouse_postgres() -> Iterator[PostgresServer]:
    base = Path(tempfile.mkdtemp(prefix="competence-warehouse-pg-"))
    server = PostgresServer(base, password=WAREHOUSE_DB_PASSWORD).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


def fresh_warehouse_url(server: PostgresServer) -> str:
    """A new, empty database on ``server``: the URL COMPETENCE_WAREHOUSE_URL would hold."""
    name = f"warehouse_{uuid.uuid4().hex[:12]}"
    secret = quote(WAREHOUSE_DB_PASSWORD, safe="")
    admin = f"postgresql://postgres:{secret}@127.0.0.1:{server.port}/postgres"
    connection = psycopg2.connect(admin)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {name}")
    finally:
        connection.close()
    return f"postgresql://postgres:{secret}@127.0.0.1:{server.port}/{name}"


@pytest.fixture
def warehouse_url(warehouse_postgres: PostgresServer) -> str:
    return fresh_warehouse_url(warehouse_postgres)
