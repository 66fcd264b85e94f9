"""The ``COMPETENCE_*`` environment variables, read and checked in one place.

The CLI and the Dagster code location both read them here, so a mistake gets the same one-line
message wherever it is made: the variable's name, the value as written, and what was expected.
Every problem is collected before raising, so one attempt shows all of them.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

from schemas.config import ConfigError

DEFAULT_PORTS = {"plain": 25, "starttls": 587, "tls": 465}
SECURITY_MODES = ("plain", "starttls", "tls")
EXECUTORS = ("in_process", "multiprocess", "dask")
DASK_SCHEMES = ("tcp", "tls")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SettingsError(ConfigError):
    """An environment variable the user can fix; ``str()`` is one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Environment:
    """The checked values of the ``COMPETENCE_*`` variables (defaults filled in)."""

    landing_dir: str
    config_dir: str
    output_dir: str
    run_date: date | None
    engine_threads: int
    render_workers: int
    executor: str
    smtp_security: str
    smtp_port: int
    # COMPETENCE_RENDER_SITES_PER_STEP: sites per render step (0 = the week in one step)
    render_sites_per_step: int = 0
    # COMPETENCE_LEDGER_URL: may carry a password, so never shown in a repr
    ledger_url: str = field(default="", repr=False)
    # COMPETENCE_WAREHOUSE_URL: the same
    warehouse_url: str = field(default="", repr=False)
    # COMPETENCE_DASK_SCHEDULER: the scheduler the dask executor sends steps to
    dask_scheduler: str = ""


def _raw(env: Mapping[str, str], name: str) -> str:
    return env.get(name, "").strip()


def _shown(name: str, value: str) -> str:
    return f"{name} = {value!r}"


def _path(env: Mapping[str, str], name: str, default: str) -> str:
    return _raw(env, name) or default


def run_date(env: Mapping[str, str]) -> date | None:
    """``COMPETENCE_RUN_DATE``: an ISO date, or unset for today in the company timezone."""
    raw = _raw(env, "COMPETENCE_RUN_DATE")
    if not raw:
        return None
    reason = "write YYYY-MM-DD"
    if _ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError as exc:  # e.g. "month must be in 1..12"
            reason = f"{exc}; write YYYY-MM-DD"
    raise SettingsError([f"{_shown('COMPETENCE_RUN_DATE', raw)}: not a date ({reason})"])


def engine_threads(env: Mapping[str, str]) -> int:
    """``COMPETENCE_ENGINE_THREADS``: a whole number >= 0; 0 or unset = every core."""
    raw = _raw(env, "COMPETENCE_ENGINE_THREADS")
    if not raw:
        return 0
    if not raw.isdigit():
        raise SettingsError(
            [
                f"{_shown('COMPETENCE_ENGINE_THREADS', raw)}: expected a whole number of threads "
                "(0 or unset = every core)"
            ]
        )
    return int(raw)


def render_workers(env: Mapping[str, str]) -> int:
    """``COMPETENCE_RENDER_WORKERS``: a whole number >= 0; 0 or unset = every core."""
    raw = _raw(env, "COMPETENCE_RENDER_WORKERS")
    if not raw:
        return 0
    if not raw.isdigit():
        raise SettingsError(
            [
                f"{_shown('COMPETENCE_RENDER_WORKERS', raw)}: expected a whole number of "
                "processes (0 or unset = every core)"
            ]
        )
    return int(raw)


def render_sites_per_step(env: Mapping[str, str]) -> int:
    """``COMPETENCE_RENDER_SITES_PER_STEP``: a whole number >= 0; 0 or unset = one render step
    for the whole week."""
    raw = _raw(env, "COMPETENCE_RENDER_SITES_PER_STEP")
    if not raw:
        return 0
    if not raw.isdigit():
        raise SettingsError(
            [
                f"{_shown('COMPETENCE_RENDER_SITES_PER_STEP', raw)}: expected a whole number of "
                "sites (0 or unset = the whole week in one step)"
            ]
        )
    return int(raw)


def executor(env: Mapping[str, str]) -> str:
    """``COMPETENCE_EXECUTOR``: ``in_process`` (default), ``multiprocess`` or ``dask`` (steps
    on the workers of a ``dask.distributed`` scheduler, ``COMPETENCE_DASK_SCHEDULER``)."""
    raw = _raw(env, "COMPETENCE_EXECUTOR").lower().replace("-", "_")
    if not raw:
        return "in_process"
    shown = _shown("COMPETENCE_EXECUTOR", _raw(env, "COMPETENCE_EXECUTOR"))
    if raw not in EXECUTORS:
        raise SettingsError([f"{shown}: expected {', '.join(EXECUTORS[:-1])} or {EXECUTORS[-1]}"])
    if raw == "dask" and importlib.util.find_spec("dagster_dask") is None:
        # the scale-out pieces are an extra: a single server does not need dask installed
        raise SettingsError(
            [f"{shown}: needs dagster-dask; install it with pip install 'competence[scale-out]'"]
        )
    return raw


def dask_scheduler(env: Mapping[str, str], chosen_executor: str) -> str:
    """``COMPETENCE_DASK_SCHEDULER``: ``tcp://host:8786`` (or ``tls://``), required with
    ``COMPETENCE_EXECUTOR=dask`` and refused without it, so that a scheduler set for nothing
    never looks like a scaled-out deployment that runs everything in one process."""
    raw = _raw(env, "COMPETENCE_DASK_SCHEDULER")
    shown = _shown("COMPETENCE_DASK_SCHEDULER", raw)
    if chosen_executor != "dask":
        if raw:
            raise SettingsError(
                [f"{shown}: used only with COMPETENCE_EXECUTOR=dask (set that too, or unset this)"]
            )
        return ""
    if not raw:
        raise SettingsError(
            [
                "COMPETENCE_DASK_SCHEDULER is not set: COMPETENCE_EXECUTOR=dask needs the "
                "scheduler's address, like tcp://scheduler.internal:8786"
            ]
        )
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        port = 0
    if parts.scheme.lower() not in DASK_SCHEMES or not parts.hostname or not port:
        raise SettingsError(
            [
                f"{shown}: expected the scheduler's address as tcp://host:port (or tls://), "
                "like tcp://scheduler.internal:8786"
            ]
        )
    if parts.path.strip("/") or parts.query or parts.username:
        raise SettingsError([f"{shown}: expected only scheme, host and port, like tcp://host:8786"])
    return raw


def smtp_security(env: Mapping[str, str]) -> str:
    """``COMPETENCE_SMTP_SECURITY``: starttls (default), tls or plain."""
    raw = _raw(env, "COMPETENCE_SMTP_SECURITY").lower()
    if not raw:
        return "starttls"
    if raw not in SECURITY_MODES:
        modes = ", ".join(SECURITY_MODES)
        raise SettingsError([f"{_shown('COMPETENCE_SMTP_SECURITY', raw)}: expected one of {modes}"])
    return raw


def smtp_port(env: Mapping[str, str], security: str = "starttls") -> int:
    """``COMPETENCE_SMTP_PORT``: 1..65535; unset = the usual port for the security mode."""
    raw = _raw(env, "COMPETENCE_SMTP_PORT")
    if not raw:
        return DEFAULT_PORTS.get(security, 587)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SettingsError(
            [f"{_shown('COMPETENCE_SMTP_PORT', raw)}: expected a port number between 1 and 65535"]
        )
    return int(raw)


def _redacted(url: str) -> str:
    from assets.ledger_location import redact

    return redact(url)


def ledger_url(env: Mapping[str, str]) -> str:
    """``COMPETENCE_LEDGER_URL``: unset = the delivery ledger stays in the warehouse; a
    ``postgresql://user@host:port/database`` URL puts it in that (shared) PostgreSQL database.
    A wrong value is shown with its password masked."""
    return _postgres_url(env, "COMPETENCE_LEDGER_URL", "unset for the warehouse")


def warehouse_url(env: Mapping[str, str]) -> str:
    """``COMPETENCE_WAREHOUSE_URL``: unset = the warehouse is the DuckDB file in the output
    folder; a ``postgresql://user@host:port/database`` URL puts its tables in that PostgreSQL
    database (schema ``competence``), which takes several writing workers at once. A wrong
    value is shown with its password masked."""
    return _postgres_url(env, "COMPETENCE_WAREHOUSE_URL", "unset for the DuckDB file")


def _postgres_url(env: Mapping[str, str], name: str, unset: str) -> str:
    raw = _raw(env, name)
    if not raw:
        return ""
    shown = _shown(name, _redacted(raw))
    try:
        parts = urlsplit(raw)
        port = parts.port  # raises ValueError when not a number in 0..65535
    except ValueError:
        # the parser's message may quote part of the password: say what to check instead
        raise SettingsError(
            [
                f"{shown}: not a valid URL (the port must be 1-65535; write / ? # @ in the "
                "password percent-encoded)"
            ]
        ) from None
    if parts.scheme.lower() not in ("postgresql", "postgres"):
        raise SettingsError(
            [f"{shown}: expected postgresql://user@host:5432/database (or {unset})"]
        )
    if not parts.hostname or not parts.path.strip("/"):
        raise SettingsError(
            [f"{shown}: name the host and the database, like postgresql://user@host:5432/database"]
        )
    if port == 0:
        raise SettingsError([f"{shown}: expected a port number between 1 and 65535"])
    return raw


def _mail_from(env: Mapping[str, str]) -> None:
    raw = _raw(env, "COMPETENCE_MAIL_FROM")
    if raw and "@" not in parseaddr(raw)[1]:
        raise SettingsError([f"{_shown('COMPETENCE_MAIL_FROM', raw)}: expected an e-mail address"])


def _ca_file(env: Mapping[str, str]) -> None:
    raw = _raw(env, "COMPETENCE_SMTP_CA_FILE")
    if raw and not Path(raw).is_file():
        raise SettingsError(
            [f"{_shown('COMPETENCE_SMTP_CA_FILE', raw)}: no such file (expected a PEM CA bundle)"]
        )


def read_environment(env: Mapping[str, str] | None = None) -> Environment:
    """Every ``COMPETENCE_*`` variable checked; raises one :class:`SettingsError` naming all
    the variables that are wrong. Reads nothing from disk but the CA file's existence."""
    env = os.environ if env is None else env
    problems: list[str] = []

    def checked(read: Callable[[], object], default: object) -> object:
        try:
            return read()
        except SettingsError as exc:
            problems.extend(exc.problems)
            return default

    security = str(checked(lambda: smtp_security(env), "starttls"))
    values = Environment(
        landing_dir=_path(env, "COMPETENCE_LANDING_DIR", "data/landing"),
        config_dir=_path(env, "COMPETENCE_CONFIG_DIR", "config"),
        output_dir=_path(env, "COMPETENCE_OUTPUT_DIR", "var"),
        run_date=checked(lambda: run_date(env), None),  # type: ignore[arg-type]
        engine_threads=int(checked(lambda: engine_threads(env), 0)),  # type: ignore[call-overload]
        render_workers=int(checked(lambda: render_workers(env), 0)),  # type: ignore[call-overload]
        executor=str(checked(lambda: executor(env), "in_process")),
        render_sites_per_step=int(checked(lambda: render_sites_per_step(env), 0)),  # type: ignore[call-overload]
        smtp_security=security,
        smtp_port=int(checked(lambda: smtp_port(env, security), 587)),  # type: ignore[call-overload]
        ledger_url=str(checked(lambda: ledger_url(env), "")),
        warehouse_url=str(checked(lambda: warehouse_url(env), "")),
    )
    # the executor as written (even when it could not be used) decides what the scheduler
    # setting must be; an executor that is no executor at all is already reported
    chosen = _raw(env, "COMPETENCE_EXECUTOR").lower().replace("-", "_") or "in_process"
    if chosen in EXECUTORS:
        scheduler = str(checked(lambda: dask_scheduler(env, chosen), ""))
        values = replace(values, dask_scheduler=scheduler)
    checked(lambda: _mail_from(env), None)
    checked(lambda: _ca_file(env), None)
    if problems:
        raise SettingsError(problems)
    return values


def require_folder(path: str | Path, variable: str) -> Path:
    """A folder that must already exist (the landing or configuration folder)."""
    folder = Path(path)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "no such folder"
        raise SettingsError([f"{_shown(variable, str(path))}: {what}"])
    return folder


def require_writable_folder(path: str | Path, variable: str) -> Path:
    """Create the folder if needed and prove it takes a file, before any week starts: a run
    that fails at its last step because the disk refuses the PDF helps nobody."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-probe-"):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SettingsError(
            [
                f"{_shown(variable, str(path))}: cannot write there ({reason}); "
                f"set {variable} to a folder this user can write"
            ]
        ) from None
    return folder
