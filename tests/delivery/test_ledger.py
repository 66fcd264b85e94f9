"""The delivery ledger: planning rules, idempotent upserts, planning never writes.

Tests taking ``ledger_at`` run against both stores: the DuckDB warehouse and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb

from assets.delivery.ledger import (
    ALREADY_DELIVERED,
    CHANGED_HELD,
    CHANGED_RESEND,
    NEW,
    RETRY,
    DeliveryKey,
    plan_deliveries,
    read_ledger,
    record_outcome,
)
from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus

WEEK = date(2026, 11, 16)
T0 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def _outcome(
    status: DeliveryStatus, attempts: int = 1, at: datetime = T0, error: str | None = None
) -> DeliveryOutcome:
    return DeliveryOutcome(status, attempts, at, at, "<id@x>", error)


def _decide(path, key, resend_changed=False):
    [decision] = plan_deliveries(path, [key], resend_changed=resend_changed)
    return decision.send, decision.reason


def test_planning_against_no_ledger_sends_everything_and_creates_nothing(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    keys = [
        DeliveryKey("S1", WEEK, "a@example.com", "h1"),
        DeliveryKey("S1", WEEK, "A@example.com", "h1"),
    ]
    decisions = plan_deliveries(path, keys, resend_changed=False)
    assert [(d.send, d.reason) for d in decisions] == [(True, NEW)]  # same address, case-blind
    assert not path.exists()


def test_delivered_failed_and_changed_reports(ledger_at):
    path = ledger_at
    sent = DeliveryKey("S1", WEEK, "a@example.com", "h1")
    failed = DeliveryKey("S1", WEEK, "b@example.com", "h1")
    record_outcome(path, sent, _outcome(DeliveryStatus.SENT), run_id="r1", iso_week="2026-W47")
    record_outcome(path, failed, _outcome(DeliveryStatus.FAILED, 3, error="451"), run_id="r1")

    assert _decide(path, sent) == (False, ALREADY_DELIVERED)
    assert _decide(path, failed) == (True, RETRY)
    changed = DeliveryKey("S1", WEEK, "a@example.com", "h2")
    assert _decide(path, changed) == (False, CHANGED_HELD)
    assert _decide(path, changed, resend_changed=True) == (True, CHANGED_RESEND)
    # other weeks and sites are independent
    next_week = DeliveryKey("S1", WEEK + timedelta(7), "a@example.com", "h1")
    assert _decide(path, next_week) == (True, NEW)
    assert _decide(path, DeliveryKey("S2", WEEK, "a@example.com", "h1")) == (True, NEW)
    # a changed report for someone who never received the first one is simply new
    assert _decide(path, DeliveryKey("S1", WEEK, "b@example.com", "h2")) == (True, NEW)


def test_outbox_counts_as_delivered(ledger_at):
    path = ledger_at
    key = DeliveryKey("S1", WEEK, "a@example.com", "h1")
    record_outcome(path, key, _outcome(DeliveryStatus.WRITTEN_TO_OUTBOX), run_id="r1")
    assert _decide(path, key) == (False, ALREADY_DELIVERED)


def test_record_is_idempotent_cumulative_and_never_downgrades(ledger_at):
    path = ledger_at
    key = DeliveryKey("S1", WEEK, "a@example.com", "h1")
    failure = _outcome(DeliveryStatus.FAILED, 3, T0, "connection refused")
    record_outcome(path, key, failure, run_id="r1", iso_week="2026-W47")
    record_outcome(path, key, failure, run_id="r1", iso_week="2026-W47")  # exact repeat
    later = T0 + timedelta(days=7)
    record_outcome(path, key, _outcome(DeliveryStatus.SENT, 1, later), run_id="r2")
    record_outcome(path, key, _outcome(DeliveryStatus.FAILED, 1, later + timedelta(1)), run_id="r3")

    ledger = read_ledger(path)
    assert len(ledger) == 1
    row = ledger.iloc[0]
    assert row["status"] == "SENT"
    assert row["attempts"] == 3 + 1 + 1
    assert row["iso_week"] == "2026-W47"
    assert row["last_error"] == "connection refused"
    assert row["first_attempt_at"] == T0.replace(tzinfo=None)
    assert row["delivered_at"] == later.replace(tzinfo=None)


def test_ledger_shares_a_file_with_other_tables(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TABLE certification_status AS SELECT 1 AS x")
    key = DeliveryKey("S1", WEEK, "a@example.com", "h1")
    assert _decide(path, key) == (True, NEW)  # file exists, ledger table not yet
    record_outcome(path, key, _outcome(DeliveryStatus.SENT), run_id="r1")
    with duckdb.connect(str(path)) as connection:
        assert connection.execute("SELECT x FROM certification_status").fetchall() == [(1,)]
        assert connection.execute("SELECT count(*) FROM delivery_ledger").fetchone() == (1,)
