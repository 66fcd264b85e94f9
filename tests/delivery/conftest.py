"""Fixtures for the delivery tests: a real SMTP server (aiosmtpd) on 127.0.0.1, and TLS
certificates from a throw-away CA (trustme)."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator

import pytest
import trustme
from aiosmtpd.controller import Controller

from tests.delivery.support import RecordingHandler, SmtpServer, authenticator, free_port


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
