"""Resources: where the data lives, the validated configuration, and the warehouse.

Paths come from the environment variables when Definitions are built (never read in an asset):
``COMPETENCE_LANDING_DIR``, ``COMPETENCE_CONFIG_DIR``, ``COMPETENCE_OUTPUT_DIR``. The
configuration is loaded and validated once, when the ``settings`` resource starts for a run
(before any step of it), and pinned to the run (``assets/config_pin.py``); assets read
``settings.config``.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
from pydantic import Field, PrivateAttr

from assets.config_pin import ConfigChanged, pin_config
from assets.environment import SettingsError, read_environment, require_writable_folder
from assets.ledger_location import PostgresLedger
from assets.warehouse_move import unmoved_data
from assets.warehouse_postgres import PostgresWarehouse
from assets.week_folders import week_folder_name
from schemas.config import CompetenceConfig, ConfigError, load_config


class CompetenceSettings(dg.ConfigurableResource):
    """Where the inputs, configuration and outputs are, and what day it is."""

    landing_dir: str = "data/landing"
    config_dir: str = "config"
    output_dir: str = "var"
    # Overrides the run date (ISO date) for tests and reproductions; empty = today in the
    # company timezone. Records dated after the run date are rejected (docs/data-contract.md).
    run_date: str = ""
    # Threads the certification engine may use; 0 = every core this process may run on. Lower
    # it when several steps share the machine (the multiprocess executor).
    engine_threads: int = 0
    # Processes rendering the week's PDFs; 0 = every core this process may run on.
    render_workers: int = 0
    # Sites per render step of site_report_pdfs; 0 = the whole week in one step (fastest in one
    # process). Under a distributed executor, e.g. 25 spreads a big week over many workers.
    render_sites_per_step: int = 0
    # Where the delivery ledger lives: empty = the warehouse (DuckDB, one machine); a
    # postgresql:// URL = that database, shared by every worker that may send (scale-out). Set
    # from COMPETENCE_LEDGER_URL as a dg.EnvVar: the UI shows the variable's name, never the URL.
    ledger_url: str | None = Field(default=None, repr=False)
    # Where the warehouse lives: empty = the DuckDB file in the output folder (one machine); a
    # postgresql:// URL = that database, which takes several writers at once (scale-out). Set
    # from COMPETENCE_WAREHOUSE_URL as a dg.EnvVar, like the ledger's.
    warehouse_url: str | None = Field(default=None, repr=False)
    # The validated configuration of this run: loaded once when the resource starts
    _config: CompetenceConfig | None = PrivateAttr(default=None)

    @classmethod
    def from_environment(cls) -> CompetenceSettings:
        """The settings from the ``COMPETENCE_*`` variables; a wrong value raises
        :class:`assets.environment.SettingsError` naming the variable and what was expected."""
        env = read_environment()
        return cls(
            landing_dir=env.landing_dir,
            config_dir=env.config_dir,
            output_dir=env.output_dir,
            run_date=env.run_date.isoformat() if env.run_date else "",
            engine_threads=env.engine_threads,
            render_workers=env.render_workers,
            render_sites_per_step=env.render_sites_per_step,
            # only a reference when set: an EnvVar unset at run time fails the resource
            ledger_url=dg.EnvVar("COMPETENCE_LEDGER_URL") if env.ledger_url else None,
            warehouse_url=dg.EnvVar("COMPETENCE_WAREHOUSE_URL") if env.warehouse_url else None,
        )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Before any step writes: an unwritable output folder is named as the variable to change
        # rather than surfacing as an OSError in whichever step writes first.
        try:
            require_writable_folder(self.output_dir, "COMPETENCE_OUTPUT_DIR")
        except SettingsError as exc:
            raise dg.Failure(description=str(exc)) from None
        # A warehouse or ledger just moved to PostgreSQL starts empty there: without the file's
        # history the reports would look back on nothing, and without its ledger a rerun week
        # could mail again what was sent. Refuse until `competence move-warehouse` has run.
        self._refuse_unmoved_file()
        # The configuration once per run, before any step: a bad file fails the run with the
        # configuration error, and every step of the run uses the same files (config_pin.py).
        config = self.load_config()
        try:
            pin_config(context.instance, context.run_id, config.config_hash)
        except ConfigChanged as exc:
            raise dg.Failure(description=str(exc)) from None
        self._config = config

    def _refuse_unmoved_file(self) -> None:
        warehouse, ledger = self.warehouse_path, self.ledger
        source = self.output_path / "warehouse.duckdb"
        try:
            left = unmoved_data(
                source,
                warehouse_moves=isinstance(warehouse, PostgresWarehouse),
                ledger_moves=isinstance(ledger, PostgresLedger),
            )
        except duckdb.Error as exc:
            raise dg.Failure(
                description=f"{source} could not be checked for weeks and deliveries not yet "
                f"moved to PostgreSQL ({type(exc).__name__}: {exc})"
            ) from None
        if left:
            raise dg.Failure(
                description=f"{source} holds {' and '.join(left)} that were never moved to "
                "PostgreSQL, where this run would read and record them: run `competence "
                'move-warehouse` once (README, "Scaling out: the warehouse"), or move the file '
                "out of the output folder if it is not this installation's"
            )

    @property
    def config(self) -> CompetenceConfig:
        """The run's validated configuration, loaded when the resource started. Outside a run
        (the resource built by hand) it is loaded on first use."""
        if self._config is None:
            self._config = self.load_config()
        return self._config

    def load_config(self) -> CompetenceConfig:
        """The configuration as the files are now; a bad file fails with a readable message.
        Assets use :attr:`config` (loaded once per run); the CLI and the sensor, which have no
        run, call this."""
        try:
            return load_config(Path(self.config_dir))
        except ConfigError as exc:
            raise dg.Failure(description=str(exc)) from None

    def today(self, config: CompetenceConfig) -> date:
        if self.run_date:
            return date.fromisoformat(self.run_date)
        return datetime.now(ZoneInfo(config.policy.timezone)).date()

    @property
    def landing_path(self) -> Path:
        return Path(self.landing_dir)

    @property
    def output_path(self) -> Path:
        return Path(self.output_dir)

    def status_dir(self, partition_key: str) -> Path:
        # the week key names a folder: an ISO date and nothing else (assets/week_folders.py)
        path = self.output_path / "status" / week_folder_name(partition_key)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def warehouse_path(self) -> Path | PostgresWarehouse:
        """Where the warehouse is: the DuckDB file ``warehouse.duckdb`` in the output folder, or
        the PostgreSQL warehouse of COMPETENCE_WAREHOUSE_URL. Every reader and writer takes
        this value (``assets/warehouse.py`` dispatches on it), so none can read the local file
        while the weeks are stored elsewhere."""
        url = _resolved(self.warehouse_url)
        return PostgresWarehouse(url) if url else self.output_path / "warehouse.duckdb"

    @property
    def ledger(self) -> Path | PostgresLedger:
        """The delivery ledger: COMPETENCE_LEDGER_URL's PostgreSQL when set, else the
        warehouse's — the DuckDB file, or the PostgreSQL of COMPETENCE_WAREHOUSE_URL (a warehouse
        shared by several machines shares its ledger too, so exactly-once holds across them)."""
        url = _resolved(self.ledger_url)
        if url:
            return PostgresLedger(url)
        warehouse = self.warehouse_path
        return (
            PostgresLedger(warehouse.url) if isinstance(warehouse, PostgresWarehouse) else warehouse
        )


def _resolved(url: str | dg.EnvVar | None) -> str:
    if isinstance(url, dg.EnvVar):
        # not resolved: the settings are used outside a run (the CLI, a sensor)
        url = os.environ.get(url.env_var_name)
    return (url or "").strip()
