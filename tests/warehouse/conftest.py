"""A real PostgreSQL server on loopback for the scale-out warehouse (COMPETENCE_WAREHOUSE_URL).

It requires a password over TCP, so the tests also see that the password never shows up in a
message. A missing server binary fails the tests that need it (in CI too); it never skips them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.operations.postgres_server import PostgresServer, fresh_database_url, running_postgres

WAREHOUSE_DB_PASSWORD = "pg-Wareh0use-s3cret-Ü"  # must never show up in a message


@pytest.fixture(scope="session")
def warehouse_postgres() -> Iterator[PostgresServer]:
    with running_postgres("competence-warehouse-pg-", WAREHOUSE_DB_PASSWORD) as server:
        yield server


def fresh_warehouse_url(server: PostgresServer) -> str:
    """A new, empty database on ``server``: the URL COMPETENCE_WAREHOUSE_URL would hold."""
    return fresh_database_url(server, "warehouse")


@pytest.fixture
def warehouse_url(warehouse_postgres: PostgresServer) -> str:
    return fresh_warehouse_url(warehouse_postgres)
