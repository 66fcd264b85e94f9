"""Tell the data team when a run fails: one e-mail per failed run, never one per retry.

Run-level retries create new runs with the same ``dagster/root_run_id``; the alert is keyed by
that root in the delivery ledger, so the retries of one run produce one message.
"""

import hashlib
from datetime import date

import dagster as dg

from assets.delivery.ledger import DeliveryKey, claim, plan_deliveries, record_outcome
from assets.delivery.mailer import mailer_from_env
from assets.delivery.message import compose_failure_message
from assets.delivery.outcome import DeliveryOutcome
from assets.delivery.ownership import delivering
from assets.delivery.recipients import data_team_recipients
from assets.resources import CompetenceSettings
from pipelines.jobs import weekly_competence_job


def alert_data_team(
    settings: CompetenceSettings, run_id: str, root_run_id: str, job_name: str, error: str
) -> list[str]:
    """Send (or write to the outbox) the failure alert unless this root run already had one."""
    config = settings.load_config()
    recipients = data_team_recipients(config.recipients)
    if not recipients:
        return []
    ledger = settings.warehouse_path
    fingerprint = hashlib.sha256(f"run-failure\0{root_run_id}".encode()).hexdigest()
    # one ledger "report" per root run: retries of it find their alert already delivered
    keys = [
        DeliveryKey(f"run-failure {root_run_id}", date.today(), r, fingerprint) for r in recipients
    ]
    due = [d.key for d in plan_deliveries(ledger, keys, resend_changed=False) if d.send]
    if not due:
        return []
    mailer = mailer_from_env(settings.output_path / "outbox").process_config_and_initialize()
    message = compose_failure_message(
        run_id, job_name, error, [k.recipient for k in due], sender=mailer.sender
    )
    with delivering(run_id):
        # the same intent-then-outcome protocol as the weekly mail: a sensor tick that dies
        # mid-send leaves an intent, so the next tick does not alert twice
        message_id = message["Message-ID"]
        claimed = [k for k in due if claim(ledger, k, run_id=run_id, message_id=message_id)[0]]
        if not claimed:
            return []
        if claimed != due:  # the same Message-ID: it depends on the run, not the recipients
            due = claimed
            message = compose_failure_message(
                run_id, job_name, error, [k.recipient for k in due], sender=mailer.sender
            )
        recorded = []

        def record(outcome: DeliveryOutcome) -> None:
            for key in due:
                record_outcome(ledger, key, outcome, run_id=run_id)
            recorded.append(outcome)

        outcome = mailer.deliver(message, on_accepted=record)
        if not recorded:
            record(outcome)
    return [k.recipient for k in due]


@dg.run_failure_sensor(
    monitored_jobs=[weekly_competence_job],
    name="data_team_failure_alert",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def data_team_failure_alert(context: dg.RunFailureSensorContext):
    """E-mail the data team (recipients.yaml: data_team) about a failed weekly run."""
    run = context.dagster_run
    root = run.tags.get("dagster/root_run_id", run.run_id)
    error = context.failure_event.message or "the run failed"
    sent = alert_data_team(
        CompetenceSettings.from_environment(), run.run_id, root, run.job_name, error
    )
    context.log.info(f"failure alert for root run {root}: {sent or 'already sent'}")
