"""The week's report asset as a job on the multiprocess executor, rebuilt in every step process.

``dg.reconstructable(report_job)`` lets each step process import this module and build the same
job; the settings come from the ``COMPETENCE_*`` variables the test sets (step processes inherit
them), so every step reads and writes the same output folder and warehouse.
"""

# No ``from __future__ import annotations``: Dagster reads the assets' type hints at runtime.

import dagster as dg

from assets.certification.assets import certification, status_evidence
from assets.ingest.assets import landing_intake
from assets.reporting.action_assets import corrective_actions
from assets.reporting.assets import audit_findings
from assets.reporting.effectiveness_assets import training_effectiveness_table
from assets.reporting.report_steps import site_report_pdfs
from assets.resources import CompetenceSettings
from assets.warehouse import WarehouseIOManager

UPSTREAM = [
    landing_intake,
    certification,
    status_evidence,
    audit_findings,
    corrective_actions,
    training_effectiveness_table,
]


def resources() -> dict:
    settings = CompetenceSettings.from_environment()
    return {
        "settings": settings,
        "io_manager": WarehouseIOManager(database=str(settings.warehouse_path)),
    }


def report_job() -> dg.JobDefinition:
    """``site_report_pdfs`` alone (its inputs read from the warehouse), one process per step."""
    defs = dg.Definitions(
        assets=[*UPSTREAM, site_report_pdfs],
        jobs=[
            dg.define_asset_job(
                "week_reports",
                selection=["site_report_pdfs", "report_briefing_lines"],
                executor_def=dg.multiprocess_executor.configured({"max_concurrent": 2}),
            )
        ],
        resources=resources(),
    )
    return defs.resolve_job_def("week_reports")
