"""The resources a test week is materialized with: one place, so that every test runs the
pipeline the way ``competence run`` wires it (settings, the warehouse in the output folder,
optionally a mailer) and a new setting is added here once, not in twenty test files."""

from __future__ import annotations

from pathlib import Path

from assets.delivery.mailer import Mailer
from assets.resources import CompetenceSettings
from assets.warehouse import WarehouseIOManager
from tests.conftest import PROJECT_ROOT, RUN_DATE


def week_resources(
    output: Path,
    *,
    landing: Path | None = None,
    config_dir: Path = PROJECT_ROOT / "config",
    run_date: str | None = RUN_DATE.isoformat(),
    mailer: Mailer | None = None,
    database: str | Path | None = None,
    **settings: object,
) -> dict[str, object]:
    """Settings for ``output`` (and ``landing``), the warehouse ``output/warehouse.duckdb``
    (or ``database``), and ``mailer`` when one is given. ``settings`` are further
    :class:`CompetenceSettings` fields (``render_workers=1``, ``engine_threads=1``, ...)."""
    if landing is not None:
        settings["landing_dir"] = str(landing)
    if run_date is not None:
        settings["run_date"] = run_date
    resources: dict[str, object] = {
        "settings": CompetenceSettings(
            config_dir=str(config_dir), output_dir=str(output), **settings
        ),
        "io_manager": WarehouseIOManager(
            database=str(database if database is not None else output / "warehouse.duckdb")
        ),
    }
    if mailer is not None:
        resources["mailer"] = mailer
    return resources


def outbox_mailer(output: Path) -> Mailer:
    """The mailer that writes to ``output/outbox`` (no server), as the demo does."""
    return Mailer(outbox_dir=str(output / "outbox"))
