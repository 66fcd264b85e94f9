"""Fixtures for the delivery tests: a real SMTP server (aiosmtpd) on 127.0.0.1, TLS
certificates from a throw-away CA (trustme), and a real PostgreSQL server on loopback for the
delivery ledger's shared store."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller

from assets.delivery.ledger_store import PostgresLedger
from tests.delivery.support import RecordingHandler, SmtpServer, authenticator, free_port
from tests.operations.postgres_server import PostgresServer, fresh_database_url, running_postgres


@pytest.fixture(scope="session")
def tls_ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(tls_ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
def smtp_server(tls_ca: trustme.CA) -> Iterator[Callable[..., SmtpServer]]:
    """Start a real SMTP server: ``mode`` is plain, starttls or tls; TLS modes require AUTH."""
    started: list[Controller] = []

    def start(
        mode: str = "plain",
        *,
        port: int | None = None,
        handler: RecordingHandler | None = None,
        **server_options: object,
    ) -> SmtpServer:
        handler = handler or RecordingHandler()
        port = port or free_port()
        kwargs: dict[str, object] = {"hostname": "127.0.0.1", "port": port, **server_options}
        if mode != "plain":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            tls_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
            kwargs["authenticator"] = authenticator
            if mode == "starttls":
                kwargs.update(tls_context=context, require_starttls=True, auth_require_tls=True)
            else:
                # aiosmtpd 1.4 does not see implicit TLS as TLS for auth_require_tls; the whole
                # connection is encrypted anyway.
                kwargs.update(ssl_context=context, auth_require_tls=False)
        controller = Controller(handler, **kwargs)
        controller.start()
        started.append(controller)
        return SmtpServer(port=port, handler=handler, controller=controller)

    yield start
    for controller in started:
        controller.stop()


# --- the delivery ledger in PostgreSQL (COMPETENCE_LEDGER_URL) ---------------------------------

LEDGER_DB_PASSWORD = "pg-Ledger-s3cret-Ü"  # must never show up in a log, an error or the ledger


@pytest.fixture(scope="session")
def ledger_postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on loopback that requires a password (SCRAM) over TCP.

    A missing server binary fails the tests that need it (in CI too), it never skips them."""
    with running_postgres("competence-ledger-pg-", LEDGER_DB_PASSWORD) as server:
        yield server


def postgres_ledger_url(server: PostgresServer) -> str:
    """A fresh database on ``server``; the URL a worker would get in COMPETENCE_LEDGER_URL."""
    return fresh_database_url(server, "ledger")


@pytest.fixture(params=["duckdb", "postgres"])
def ledger_at(request: pytest.FixtureRequest, tmp_path: Path) -> Path | PostgresLedger:
    """The delivery ledger in each store: the warehouse file (default) and PostgreSQL."""
    if request.param == "duckdb":
        return tmp_path / "warehouse.duckdb"
    return PostgresLedger(postgres_ledger_url(request.getfixturevalue("ledger_postgres")))
