"""Where the delivery ledger lives: the DuckDB warehouse (default) or a shared PostgreSQL.

The embedded default is the table ``main.delivery_ledger`` in the warehouse file: DuckDB admits
one writing process, which is enough while one machine sends. When several workers (processes
on several machines) may run a week's delivery at the same time, ``COMPETENCE_LEDGER_URL``
(``postgresql://user@host:5432/db``) puts the ledger in PostgreSQL — typically the server that
already holds the Dagster instance — in the table ``competence.delivery_ledger``. There the
database enforces exactly-once: the key (site, week, recipient, report hash) is the primary key,
and an intent is claimed with ``INSERT ... ON CONFLICT DO NOTHING`` and ``SELECT ... FOR UPDATE``
in one transaction before the message is handed to SMTP (``ledger.claim``).

The URL may carry a password; it is kept out of every ``repr``, log line and error text (shown
as ``postgresql://user:***@host:5432/db``). libpq's own ``PGPASSWORD`` or ``~/.pgpass`` work too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from assets.delivery.ledger_schema import COLUMNS, KEY, NOT_NULL, STATUS_CHECK, TABLE

SCHEMES = ("postgresql", "postgres")
PG_SCHEMA = "competence"
PG_TABLE = f"{PG_SCHEMA}.{TABLE}"
# DuckDB type -> PostgreSQL type; TIMESTAMP stays naive (the ledger stores UTC), as in DuckDB
_PG_TYPES = {"VARCHAR": "text", "DATE": "date", "INTEGER": "integer", "TIMESTAMP": "timestamp"}
# One lock id for creating the schema and table: two workers starting at once must not race
# on CREATE ... IF NOT EXISTS (which is not safe against a concurrent creator in PostgreSQL).
_CREATE_LOCK = 0x636F6D70  # "comp"


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
        return f"{self.schema}.{TABLE}"

    @contextmanager
    def connect(self) -> Iterator[object]:
        """A fresh connection (closed afterwards): no connection outlives a ledger call, so a
        forked worker or a long-lived daemon never reuses a stale one."""
        import psycopg2

        try:
            connection = psycopg2.connect(self.url, connect_timeout=10)
        except psycopg2.Error as exc:
            raise LedgerUnavailable(
                f"delivery ledger {redact(self.url)}: cannot connect "
                f"({self._scrub(str(exc).strip())})"
            ) from None
        with closing(connection):
            yield connection

    def _scrub(self, text: str) -> str:
        password = urlsplit(self.url.strip()).password
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


def pg_create_sql(table: str) -> str:
    columns = ",\n    ".join(
        f"{column} {_PG_TYPES[kind]}{' NOT NULL' if column in NOT_NULL else ''}"
        for column, kind in COLUMNS.items()
    )
    return (
        f"CREATE TABLE IF NOT EXISTS {table} (\n    {columns},\n    CHECK ({STATUS_CHECK}),\n"
        f"    PRIMARY KEY ({', '.join(KEY)})\n)"
    )


def pg_ensure_schema(connection: object, ledger: PostgresLedger) -> None:
    """Create the schema and table when missing, serialised by a transaction-level advisory
    lock so that workers starting together do not trip over each other."""
    with connection.cursor() as cursor:  # type: ignore[attr-defined]
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CREATE_LOCK])
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ledger.schema}")
        cursor.execute(pg_create_sql(ledger.table))
    connection.commit()  # type: ignore[attr-defined]
