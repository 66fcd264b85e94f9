"""The Dagster code location ``pipelines.definitions`` (docs/data-contract.md): assets, resources,
automation."""

import dagster as dg

from assets.certification.assets import certification, status_evidence
from assets.contracts import contract_checks
from assets.delivery.assets import email_delivery
from assets.delivery.clearance import mail_clearance
from assets.delivery.mailer_env import mailer_from_env
from assets.environment import read_environment
from assets.ingest.assets import landing_intake
from assets.reporting.action_assets import corrective_actions
from assets.reporting.assets import audit_findings
from assets.reporting.effectiveness_assets import training_effectiveness_table
from assets.reporting.report_steps import site_report_pdfs
from assets.resources import CompetenceSettings
from assets.warehouse import WarehouseIOManager
from pipelines.executors import week_executor
from pipelines.jobs import weekly_competence_job
from pipelines.schedules import weekly_competence_schedule
from pipelines.sensors import data_team_failure_alert

# A wrong COMPETENCE_* variable stops the code location from loading with the same one-line
# message the CLI prints (assets/environment.py), instead of failing a step later.
environment = read_environment()
settings = CompetenceSettings.from_environment()

defs = dg.Definitions(
    assets=[
        landing_intake,
        certification,
        status_evidence,
        audit_findings,
        corrective_actions,
        training_effectiveness_table,
        site_report_pdfs,
        mail_clearance,
        email_delivery,
    ],
    # every table written after ingestion is checked against its contract, week by week
    asset_checks=contract_checks(),
    jobs=[weekly_competence_job],
    schedules=[weekly_competence_schedule],
    sensors=[data_team_failure_alert],
    resources={
        "settings": settings,
        # the DuckDB file, or COMPETENCE_WAREHOUSE_URL's PostgreSQL (as an EnvVar: the UI shows
        # the variable's name, never the password)
        "io_manager": WarehouseIOManager(
            database=dg.EnvVar("COMPETENCE_WAREHOUSE_URL")
            if environment.warehouse_url
            else str(settings.warehouse_path)
        ),
        # the attachment limit is the run's policy.report.max_attachment_mb, read by the
        # delivery asset from the run's configuration, not here when the code location loads
        "mailer": mailer_from_env(settings.output_path / "outbox"),
    },
    executor=week_executor(environment),
)
