"""Run weeks in process, one Dagster run per week, oldest first, and say how each went.

Each run is the weekly job — every asset of the week, the same assets the UI's asset backfill
runs for each week it was asked for, and nothing of any other week. Oldest first because a
week's report looks back on the weeks stored before it (``assets/reporting/history.py``).

Each week gets one line: ok / computed with the e-mail held / FAILED, its time, and the input
accounting of ``source_files`` (rows in = accepted + rejected + de-duplicated, files rejected
whole). A progress bar with an ETA runs on stderr when it is a terminal. A failed week alerts the
data team at once (no daemon watches in-process runs); the ledger keeps that to one alert per run.
"""

from __future__ import annotations

import sys
import time

import dagster as dg
from tqdm import tqdm

from assets.delivery.assets import SEND_MAIL_TAG
from assets.ledger_location import LedgerUnavailable
from assets.reporting.render_pool import start_warm_workers
from assets.resources import CompetenceSettings
from assets.warehouse import held_open
from pipelines.instance_sqlite import quick_run_records
from pipelines.run_outcome import RunOutcome, outcome_of
from pipelines.sensors import alert_for_run

EXIT_RUN_FAILED = 1

# Dagster logs every step to the console; the CLI prints its own one-line-per-week summary
# and the failure messages, so only critical engine messages pass.
QUIET_LOGS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


def week_line(key: str, seconds: float, outcome: RunOutcome, success: bool, run_id: str) -> str:
    """The one line printed for a week."""
    accounting = outcome.accounting_text()
    counted = f" — {accounting}" if accounting else ""
    if success:
        return f"week {key}: ok in {seconds:.1f} s{counted}"
    if outcome.mail_held_only:
        return (
            f"week {key}: computed in {seconds:.1f} s{counted}; E-MAIL HELD: {outcome.hold_reason}"
        )
    where = f" at {outcome.first_step}" if outcome.first_step else ""
    return (
        f"week {key}: FAILED in {seconds:.1f} s{where} (run {run_id[:8]}): "
        f"{outcome.first_error or 'the run failed'}{counted}"
    )


def run_weeks(
    partition_keys: list[str],
    *,
    send_mail: bool = False,
    progress: bool = True,
    quiet_logs: bool = True,
) -> int:
    """Materialize the weekly job for each week, in process, recorded in DAGSTER_HOME.

    Returns 0 when every week was computed (a held e-mail included), 1 when a week failed."""
    from pipelines.definitions import defs

    job = defs.resolve_job_def("weekly_competence")
    settings = CompetenceSettings.from_environment()
    failures = 0
    bar = tqdm(
        total=len(partition_keys),
        unit="week",
        file=sys.stderr,
        disable=not progress or not sys.stderr.isatty(),
        dynamic_ncols=True,
    )
    # once per process, overlapping the first week: the render workers' warm-up
    start_warm_workers(settings.render_workers)
    with dg.DagsterInstance.get() as instance, bar, quick_run_records(instance):
        for key in partition_keys:
            bar.set_description(f"week {key}")
            started = time.perf_counter()
            # the warehouse file stays open for the week's run only: between weeks another
            # process (a UI run, `competence status`) gets its turn
            with held_open(settings.warehouse_path):
                result = job.execute_in_process(
                    partition_key=key,
                    instance=instance,
                    raise_on_error=False,
                    tags={SEND_MAIL_TAG: "true" if send_mail else "false"},
                    run_config=QUIET_LOGS if quiet_logs else None,
                )
            seconds = time.perf_counter() - started
            outcome = outcome_of(result.all_events)
            line = week_line(key, seconds, outcome, result.success, result.run_id)
            failed = not result.success and not outcome.mail_held_only
            bar.write(line, file=sys.stderr if failed else sys.stdout)
            if failed:
                failures += 1
                # the first failed step is on the week's line; any further ones follow
                for step, message in _step_messages(result)[1:]:
                    bar.write(f"  {step}: {message}", file=sys.stderr)
                bar.write(f"  {_alert(settings, instance, result.run_id)}", file=sys.stderr)
            sys.stdout.flush()
            bar.update(1)
    return EXIT_RUN_FAILED if failures else 0


def _alert(settings: CompetenceSettings, instance: dg.DagsterInstance, run_id: str) -> str:
    """The data team's alert for a failed week, as one line even when it cannot be sent.

    The ledger that keeps alerts to one per run may be the very thing that failed the week (a
    PostgreSQL warehouse or ledger that is down): then the line says so instead of a traceback,
    and the daemon's failure sensor, which sees CLI runs too, alerts once the ledger is back."""
    try:
        return alert_for_run(settings, instance, run_id)
    except LedgerUnavailable as exc:
        return f"data team NOT alerted: {exc}"


def _step_messages(result: dg.ExecuteInProcessResult) -> list[tuple[str, str]]:
    """Every failed step with its message (the first line only: the run log has the rest)."""
    messages = []
    for event in result.all_events:
        if event.is_step_failure and event.step_key:
            outcome = outcome_of([event])
            messages.append((event.step_key, outcome.first_error or "failed"))
    return messages
