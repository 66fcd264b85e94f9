"""The local Dagster instance of ``make ui``: storage on disk, the production run limits.

``deploy/dagster.yaml`` is the one place the run limits are written (one run at a time, never two
runs that send mail at once). A local instance takes its run coordinator and run launcher from
there and keeps Dagster's default storage under ``DAGSTER_HOME`` (the production file names a
PostgreSQL server), so a backfill started in the local UI queues exactly as in production.

``python -m pipelines.local_instance HOME`` writes (or updates) ``HOME/dagster.yaml``; keys of an
existing file other than the run settings (e.g. the CLI's ``telemetry``) are kept.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEPLOY_INSTANCE = PROJECT_ROOT / "deploy" / "dagster.yaml"
# what a local instance takes over from production; storage stays local
RUN_SETTINGS = ("run_coordinator", "run_launcher", "telemetry")


def local_instance_config(
    deploy: dict[str, Any], existing: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The local instance's settings: ``existing`` with the production run settings over it."""
    config = dict(existing or {})
    config.pop("storage", None)  # never a copy of the production database settings
    config.update({key: deploy[key] for key in RUN_SETTINGS if key in deploy})
    return config


def write_local_instance(home: Path, deploy_file: Path = DEPLOY_INSTANCE) -> Path:
    """Write ``home/dagster.yaml`` for a local instance with the production run limits."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    existing = yaml.safe_load(target.read_text(encoding="utf-8")) if target.exists() else None
    deploy = yaml.safe_load(deploy_file.read_text(encoding="utf-8"))
    config = local_instance_config(deploy, existing)
    header = "# Written by `make ui`: local storage, the run limits of deploy/dagster.yaml\n"
    target.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m pipelines.local_instance DAGSTER_HOME", file=sys.stderr)
        return 2
    print(f"Instance: {write_local_instance(Path(args[0]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
