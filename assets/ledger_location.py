"""Where the delivery ledger lives, as a value every stage and the resources can hold.

``CompetenceSettings.ledger`` is the warehouse file or a :class:`PostgresLedger` (from
``COMPETENCE_LEDGER_URL``); this module is below every stage so that the resources and the
environment checks need not import the delivery stage. The ledger itself (tables, claims) is in
``assets/delivery/ledger_store.py`` and ``ledger.py``.

The URL may carry a password; it is kept out of every ``repr``, log line and error text (shown
as ``postgresql://user:***@host:5432/db``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

LEDGER_TABLE = "delivery_ledger"
SCHEMES = ("postgresql", "postgres")
PG_SCHEMA = "competence"


class LedgerUnavailable(RuntimeError):
    """The configured PostgreSQL ledger cannot be reached; the text names it without secrets."""


def redact(url: str) -> str:
    """The URL with any password replaced by ``***`` (for messages and ``repr``)."""
    # up to the last "@": a password with an unencoded / ? # or @ is still masked whole
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/@?#]*):.*@", r"\1:***@", url.strip())


def is_postgres_url(value: object) -> bool:
    return isinstance(value, str) and urlsplit(value.strip()).scheme.lower() in SCHEMES


@dataclass(frozen=True)
class PostgresLedger:
    """The ledger in a PostgreSQL database; ``schema`` names the schema holding the table."""

    url: str = field(repr=False)
    schema: str = PG_SCHEMA

    def __post_init__(self) -> None:
        if not is_postgres_url(self.url):
            raise ValueError(f"not a postgresql:// URL: {redact(str(self.url))}")
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", self.schema):
            raise ValueError(f"schema {self.schema!r}: expected a plain lower-case identifier")

    def __repr__(self) -> str:
        return f"PostgresLedger({redact(self.url)!r}, schema={self.schema!r})"

    __str__ = __repr__

    @property
    def table(self) -> str:
        return f"{self.schema}.{LEDGER_TABLE}"

    @contextmanager
    def connect(self) -> Iterator[object]:
        """A fresh connection (closed afterwards): no connection outlives a ledger call, so a
        forked worker or a long-lived daemon never reuses a stale one."""
        with postgres_connection(self.url, "delivery ledger", LedgerUnavailable) as connection:
            yield connection


@contextmanager
def postgres_connection(url: str, what: str, unavailable: type[Exception]) -> Iterator[object]:
    """A fresh psycopg2 connection to ``url``, closed afterwards. A server that cannot be
    reached raises ``unavailable`` with one line naming ``what`` and the URL, its password
    masked — the ledger's and the warehouse's connections alike."""
    import psycopg2

    try:
        connection = psycopg2.connect(url, connect_timeout=10)
    except psycopg2.Error as exc:
        driver = " ".join(str(exc).split())  # the driver's text on one line
        raise unavailable(
            f"{what} {redact(url)}: cannot connect ({scrub_password(url, driver)})"
        ) from None
    with closing(connection):
        yield connection


def scrub_password(url: str, text: str) -> str:
    """``text`` with the URL's password (plain or percent-encoded) replaced by ``***``."""
    password = urlsplit(url.strip()).password
    for form in sorted({password, unquote(password)} if password else (), key=len)[::-1]:
        text = text.replace(form, "***")
    return text


LedgerLocation = str | Path | PostgresLedger


def ledger_location(value: LedgerLocation) -> Path | PostgresLedger:
    """A warehouse path (the embedded DuckDB ledger) or a PostgreSQL ledger."""
    if isinstance(value, PostgresLedger):
        return value
    if is_postgres_url(value):
        return PostgresLedger(str(value))
    return Path(value)
