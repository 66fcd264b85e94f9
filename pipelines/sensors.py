"""Tell the data team when a run fails: one e-mail per failed run, never one per retry.

Every run counts — scheduled, UI, asset backfills (``__ASSET_JOB``), ``dagster asset
materialize`` and the ``competence`` CLI. The sensor monitors every run of the instance
(``monitor_all_code_locations``): runs started in process by the CLI or by ``dagster asset
materialize`` carry no code-location origin, and a sensor limited to its own location would never
see them. The instance serves this code location alone (``deploy/dagster.yaml``).

The CLI, which runs without a daemon, alerts itself right after a failed week; when a daemon also
sees that run, the alert is already in the ledger. Alerts are keyed in the delivery ledger by the
root run id (run-level retries share it) and the week, so a run and its retries produce one
message whoever sees them first.

A run that failed only because the reject-share gate held the week's e-mail is not alerted: the
status, findings and reports were computed, and the hold is on the report's cover, in the run's
check result and in ``competence status``.
"""

from __future__ import annotations

import hashlib
from datetime import date

import dagster as dg

from assets.delivery.ledger import DeliveryKey, claim, plan_deliveries, record_outcome
from assets.delivery.mailer_env import mailer_from_env
from assets.delivery.message import compose_failure_message
from assets.delivery.outcome import DeliveryOutcome
from assets.delivery.ownership import delivering
from assets.recipients import data_team_recipients
from assets.resources import CompetenceSettings
from pipelines.run_outcome import outcome_from_instance

# The ledger's week for an alert about a run that has no week (no partition).
NO_WEEK = date(1970, 1, 1)
ALERT_SITE_PREFIX = "run-failure "


def alert_data_team(
    settings: CompetenceSettings,
    run_id: str,
    root_run_id: str,
    job_name: str,
    error: str,
    *,
    week: str | None = None,
    step: str | None = None,
) -> list[str]:
    """Send (or write to the outbox) the failure alert unless this root run already had one.

    Returns the recipients alerted now; ``[]`` when the alert was already delivered (or the
    data team has no address)."""
    return _send_alert(settings, run_id, root_run_id, job_name, error, week=week, step=step)[0]


def _send_alert(
    settings: CompetenceSettings,
    run_id: str,
    root_run_id: str,
    job_name: str,
    error: str,
    *,
    week: str | None,
    step: str | None,
) -> tuple[list[str], DeliveryOutcome | None]:
    """The recipients tried now and how it went (``None``: nothing was due)."""
    config = settings.load_config()
    recipients = data_team_recipients(config.recipients)
    if not recipients:
        return [], None
    ledger = settings.ledger
    fingerprint = hashlib.sha256(f"run-failure\0{root_run_id}".encode()).hexdigest()
    # One ledger "report" per root run, on a date that only depends on the run (its week), so the
    # CLI and the daemon's sensor, on whatever day either sees it, find the same key.
    ledger_week = date.fromisoformat(week) if week else NO_WEEK
    keys = [
        DeliveryKey(f"{ALERT_SITE_PREFIX}{root_run_id}", ledger_week, r, fingerprint)
        for r in recipients
    ]
    due = [d.key for d in plan_deliveries(ledger, keys, resend_changed=False) if d.send]
    if not due:
        return [], None
    mailer = mailer_from_env(settings.output_path / "outbox").process_config_and_initialize()

    def compose(recipients: list[str]):
        return compose_failure_message(
            run_id, job_name, error, recipients, sender=mailer.sender, week=week, step=step
        )

    message = compose([k.recipient for k in due])
    with delivering(run_id):
        # the same intent-then-outcome protocol as the weekly mail: a sensor tick that dies
        # mid-send leaves an intent, so the next tick does not alert twice
        message_id = message["Message-ID"]
        claimed = [k for k in due if claim(ledger, k, run_id=run_id, message_id=message_id)[0]]
        if not claimed:
            return [], None
        if claimed != due:  # the same Message-ID: it depends on the run, not the recipients
            due = claimed
            message = compose([k.recipient for k in due])
        recorded: list[DeliveryOutcome] = []

        def record(outcome: DeliveryOutcome) -> None:
            for key in due:
                record_outcome(ledger, key, outcome, run_id=run_id)
            recorded.append(outcome)

        outcome = mailer.deliver(message, on_accepted=record)
        if not recorded:
            record(outcome)
    return [k.recipient for k in due], outcome


def alert_for_run(settings: CompetenceSettings, instance: dg.DagsterInstance, run_id: str) -> str:
    """Alert the data team about a failed stored run; says what was done (for logs and CLI)."""
    run = instance.get_run_by_id(run_id)
    if run is None:
        return f"run {run_id} is not in the instance"
    outcome = outcome_from_instance(instance, run_id)
    if outcome.mail_held_only:
        return "not alerted: the run only held the week's e-mail (reject share over policy)"
    root = run.tags.get("dagster/root_run_id", run.run_id)
    sent, delivery = _send_alert(
        settings,
        run.run_id,
        root,
        run.job_name,
        outcome.full_error or "the run failed",
        week=run.tags.get("dagster/partition"),
        step=outcome.first_step,
    )
    if delivery is None:
        if not data_team_recipients(settings.load_config().recipients):
            return "not alerted: recipients.yaml names no data_team address"
        return "data team already alerted"
    if not delivery.delivered:
        # recorded FAILED in the ledger: whoever evaluates this run again (the daemon's sensor
        # seeing a CLI run, a replayed tick) sends it then
        return f"data team alert FAILED ({', '.join(sent)}): {delivery.error}"
    return f"data team alerted: {', '.join(sent)}"


@dg.run_failure_sensor(
    name="data_team_failure_alert",
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def data_team_failure_alert(context: dg.RunFailureSensorContext):
    """E-mail the data team (recipients.yaml: data_team) about any failed run: the week, the
    failed step and the first error line."""
    run = context.dagster_run
    done = alert_for_run(CompetenceSettings.from_environment(), context.instance, run.run_id)
    log = context.log.warning if "FAILED" in done else context.log.info
    log(f"run {run.run_id} ({run.job_name}): {done}")
