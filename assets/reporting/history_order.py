"""A week's history waits for the earlier weeks that are being computed right now — and only
for their light tables, never for their reports.

Reports and corrective actions read the earlier weeks from the warehouse as stored
(``history.py``), so a week's run does not depend on any other week in Dagster's asset graph and
every week of a backfill may run at once. Two weeks of one backfill running side by side would
then race: week W could read its history before week W-1 has stored its status, and print a
"since last week" and a trend without it. Before reading, a week therefore waits until every
unfinished run of an earlier week in its window has stored the tables the history is read from
(``certification_status``, ``site_compliance``, ``roster_snapshot``: the ingest and the engine,
seconds of work) or has finished. Runs of earlier weeks that are not running (none, or finished,
failed, cancelled) are not waited for: their stored state is the history, as in a weekly run.

Dagster's queue starts a backfill's runs oldest first, so the week waited for is already
running (or done) and cannot be queued behind the one waiting. Should it be (a later week started
by hand before an earlier one), the wait ends after ``HISTORY_WAIT_SECONDS`` with a message
naming the week and run, and nothing is rendered from the incomplete history.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import dagster as dg

from assets.reporting.history import window

HISTORY_WAIT_SECONDS = 1800.0
POLL_SECONDS = 1.0
UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


class HistoryNotReady(Exception):
    """An earlier week's run did not store its history in time; the message says which."""


def _pending(
    instance: dg.DagsterInstance, run_id: str, weeks: list[str], tables: set[str]
) -> list[tuple[str, dg.DagsterRun]]:
    """(week, run) of every unfinished run of one of ``weeks`` that is to store one of
    ``tables`` and has not stored all of them yet."""
    pending = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED)):
        week = run.tags.get("dagster/partition")
        if run.run_id == run_id or week not in weeks:
            continue
        selected = (
            {key.path[-1] for key in run.asset_selection} & tables
            if run.asset_selection
            else tables  # a job run (the weekly job, the CLI): every asset
        )
        if selected and not selected <= _stored_by(instance, run.run_id):
            pending.append((week, run))
    return sorted(pending, key=lambda pair: pair[0])


def _stored_by(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    return {
        record.get_dagster_event().asset_key.path[-1]
        for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    }


def wait_for_earlier_weeks(
    instance: dg.DagsterInstance,
    run_id: str,
    partition_key: str,
    weeks: int,
    tables: Iterable[str],
    *,
    wait_seconds: float = HISTORY_WAIT_SECONDS,
    poll_seconds: float = POLL_SECONDS,
    log: Callable[[str], None] | None = None,
) -> list[str]:
    """Wait until no unfinished run of the ``weeks - 1`` weeks before ``partition_key`` still
    has ``tables`` to store. Returns the weeks waited for (oldest first); raises
    :class:`HistoryNotReady` after ``wait_seconds``."""
    earlier = window(partition_key, weeks)[:-1]
    wanted = set(tables)
    deadline = time.monotonic() + wait_seconds
    waited: set[str] = set()
    while pending := _pending(instance, run_id, earlier, wanted):
        if not waited and log:
            log(
                "waiting for the history of week(s) "
                + ", ".join(sorted({week for week, _ in pending}))
                + " (being computed by another run) before reading it"
            )
        waited.update(week for week, _ in pending)
        if time.monotonic() >= deadline:
            week, run = pending[0]
            raise HistoryNotReady(
                f"week {partition_key} not reported: its history includes week {week}, which run "
                f"{run.run_id[:8]} ({run.status.value.lower()}) has not stored after "
                f"{wait_seconds:.0f} s; run the week again once that run has finished "
                "(weeks of a backfill are started oldest first)"
            )
        time.sleep(poll_seconds)
    return sorted(waited)


def history_ready(
    context: dg.AssetExecutionContext, weeks: int, tables: Iterable[str]
) -> list[str]:
    """In an asset: :func:`wait_for_earlier_weeks` for this run's week, its waiting logged, a
    history that never came turned into the step's one-line failure. Returns the weeks waited
    for."""
    try:
        return wait_for_earlier_weeks(
            context.instance,
            context.run.run_id,
            context.partition_key,
            weeks,
            tables,
            log=context.log.info,
        )
    except HistoryNotReady as exc:
        raise dg.Failure(description=str(exc)) from None
