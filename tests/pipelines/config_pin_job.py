"""Two steps of one run in two processes, the first editing the configuration between them.

``dg.reconstructable(config_pin_job)`` lets each step process import this module; the settings
come from the ``COMPETENCE_*`` variables the test sets (step processes inherit them).
"""

# No ``from __future__ import annotations``: Dagster reads the assets' type hints at runtime.

from pathlib import Path

import dagster as dg

from assets.resources import CompetenceSettings


@dg.asset
def first_step(settings: CompetenceSettings) -> str:
    """Reads the run's configuration, then someone edits policy.yaml (a comment: still valid)."""
    company = settings.config.policy.company_name
    policy = Path(settings.config_dir) / "policy.yaml"
    policy.write_text(policy.read_text(encoding="utf-8") + "\n# edited mid-run\n", "utf-8")
    return company


@dg.asset
def second_step(settings: CompetenceSettings, first_step: str) -> str:
    return settings.config.policy.company_name


def config_pin_job() -> dg.JobDefinition:
    defs = dg.Definitions(
        assets=[first_step, second_step],
        jobs=[
            dg.define_asset_job(
                "two_steps", executor_def=dg.multiprocess_executor.configured({"max_concurrent": 1})
            )
        ],
        resources={
            "settings": CompetenceSettings.from_environment(),
            "io_manager": dg.FilesystemIOManager(),
        },
    )
    return defs.resolve_job_def("two_steps")
