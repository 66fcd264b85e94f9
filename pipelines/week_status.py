"""``competence status``: one line per week — computed, held, failed, running — and what was mailed.

Read from the Dagster instance under ``DAGSTER_HOME`` (every run with a week, whoever started
it: CLI, UI, schedule, backfill; the latest run of a week decides its state) and from the
delivery ledger in the warehouse (what each week's reports reached). Weeks are listed oldest
first, so the newest is on the last line, next to the prompt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
import duckdb
import pandas as pd

from assets.delivery.ledger import read_ledger
from assets.delivery.ledger_store import LedgerLocation, LedgerUnavailable
from pipelines.run_outcome import outcome_from_instance
from pipelines.sensors import ALERT_SITE_PREFIX

PARTITION_TAG = "dagster/partition"
_IN_FLIGHT = {
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
}


@dataclass(frozen=True)
class WeekStatus:
    week: str
    state: str  # computed, held, FAILED, running, canceled, or "-" (mail recorded, no run)
    run_id: str | None
    at: datetime | None
    detail: str
    mailed: int | None  # None: the ledger could not be read (another process holds it)
    mail_failed: int

    def line(self) -> str:
        when = f"{self.at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if self.at else "-"
        run = f"run {self.run_id[:8]}" if self.run_id else "no run recorded"
        if self.mailed is None:
            mail = "mail unknown"
        else:
            mail = f"mailed {self.mailed:,}" if self.mailed else "not mailed"
        if self.mail_failed:
            mail += f", {self.mail_failed:,} failed"
        detail = f"  {self.detail}" if self.detail else ""
        return f"{self.week}  {self.state:<8}  {run:<15}  {when:<20}  {mail}{detail}"


def week_statuses(instance: dg.DagsterInstance, ledger: LedgerLocation) -> list[WeekStatus]:
    """Every week that has a run or a delivery, oldest first; ``ledger`` is the warehouse path
    or the PostgreSQL ledger (``CompetenceSettings.ledger``)."""
    latest: dict[str, dg.RunRecord] = {}
    for record in instance.get_run_records(ascending=True):
        week = record.dagster_run.tags.get(PARTITION_TAG)
        if week:
            latest[week] = record  # ascending: the last one seen is the newest run
    deliveries = _deliveries(ledger)
    mailed, failed = deliveries or ({}, {})
    statuses = []
    for week in sorted(set(latest) | set(mailed) | set(failed)):
        record = latest.get(week)
        state, detail, run_id, at = "-", "", None, None
        if record is not None:
            run = record.dagster_run
            run_id, at = run.run_id, record.create_timestamp
            state, detail = _state(instance, run)
        sent = mailed.get(week, 0) if deliveries is not None else None
        statuses.append(WeekStatus(week, state, run_id, at, detail, sent, failed.get(week, 0)))
    return statuses


def _state(instance: dg.DagsterInstance, run: dg.DagsterRun) -> tuple[str, str]:
    if run.status == dg.DagsterRunStatus.SUCCESS:
        return "computed", ""
    if run.status in _IN_FLIGHT:
        return "running", run.status.value.lower()
    if run.status == dg.DagsterRunStatus.CANCELED:
        return "canceled", ""
    outcome = outcome_from_instance(instance, run.run_id)
    if outcome.mail_held_only:
        return "held", f"E-MAIL HELD: {outcome.hold_reason}"
    where = f"at {outcome.first_step}: " if outcome.first_step else ""
    return "FAILED", f"{where}{outcome.first_error or 'the run failed'}"


def _deliveries(ledger_at: LedgerLocation) -> tuple[dict[str, int], dict[str, int]] | None:
    """Delivered and failed report e-mails per week (failure alerts are not reports); ``None``
    when a running week holds the warehouse's lock (DuckDB has one writer process), or the
    PostgreSQL ledger cannot be reached."""
    try:
        ledger = read_ledger(ledger_at)
    except (duckdb.IOException, LedgerUnavailable):
        return None
    ledger = ledger[~ledger["site"].astype(str).str.startswith(ALERT_SITE_PREFIX)]
    if ledger.empty:
        return {}, {}
    weeks = pd.to_datetime(ledger["week"]).dt.strftime("%Y-%m-%d")
    delivered = ledger["status"].isin(["SENT", "WRITTEN_TO_OUTBOX"])
    return (
        weeks[delivered].value_counts().to_dict(),
        weeks[~delivered].value_counts().to_dict(),
    )
