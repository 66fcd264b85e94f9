"""Benchmark of the delivery ledger's per-message cost: the DuckDB warehouse vs PostgreSQL.

Usage: ``python benchmarks/bench_ledger.py [messages] [--url=postgresql://...]`` (default 200
messages). Without ``--url`` a throw-away PostgreSQL server is started on loopback (the test
suite's helper, ``tests/operations/postgres_server.py``; needs the ``postgresql`` package). For
each store it times what a run does per message — the claim (intent) before handing it to SMTP,
and the outcome after the server's answer — and once per run the planning read and the settling
of abandoned intents, over ``messages`` recipients of one week. A run pays ``claim + outcome``
per message on top of the SMTP exchange itself. Times are per call: median and 95th percentile
in milliseconds; each store gets a fresh ledger, and its first call (creating the table) is
reported apart.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from assets.delivery.ledger import (
    DeliveryKey,
    claim,
    plan_deliveries,
    record_outcome,
    settle_abandoned,
)
from assets.delivery.ledger_store import PostgresLedger, redact
from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus

WEEK = date(2026, 11, 16)


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ordered) * 1000:6.2f} ms, p95 {p95 * 1000:6.2f} ms"


def measure(ledger, messages: int) -> dict[str, object]:
    keys = [DeliveryKey("DAYTON", WEEK, f"qm{n}@example.com", "h" * 64) for n in range(messages)]
    started = time.perf_counter()
    claim(ledger, DeliveryKey("WARMUP", WEEK, "x@example.com", "h"), run_id="w", message_id="<w>")
    first = time.perf_counter() - started
    started = time.perf_counter()
    plan_deliveries(ledger, keys, resend_changed=False)
    plan = time.perf_counter() - started
    claims, outcomes = [], []
    for key in keys:
        started = time.perf_counter()
        claimed, _ = claim(ledger, key, run_id="bench", message_id=f"<{key.recipient}>")
        claims.append(time.perf_counter() - started)
        assert claimed
        now = datetime.now(UTC)
        outcome = DeliveryOutcome(DeliveryStatus.SENT, 1, now, now, f"<{key.recipient}>")
        started = time.perf_counter()
        record_outcome(ledger, key, outcome, run_id="bench", iso_week="2026-W47")
        outcomes.append(time.perf_counter() - started)
    started = time.perf_counter()
    settle_abandoned(ledger, {("DAYTON", WEEK)}, idempotent_channel=False)
    settle = time.perf_counter() - started
    per_message = [c + o for c, o in zip(claims, outcomes, strict=True)]
    return {
        "first call (creates the table)": f"{first * 1000:.1f} ms",
        f"plan {messages} keys": f"{plan * 1000:.1f} ms",
        "claim": _ms(claims),
        "outcome": _ms(outcomes),
        "claim + outcome per message": _ms(per_message),
        "settle (one week)": f"{settle * 1000:.1f} ms",
    }


def main(argv: list[str]) -> int:
    messages = next((int(a) for a in argv if a.isdigit()), 200)
    url = next((a.split("=", 1)[1] for a in argv if a.startswith("--url=")), None)
    base = Path(tempfile.mkdtemp(prefix="bench-ledger-"))
    pg_base = Path(tempfile.mkdtemp(prefix="bench-ledger-pg-"))  # handed to the postgres user
    server = None
    try:
        if url is None:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
            from tests.operations.postgres_server import PostgresServer

            server = PostgresServer(pg_base).start()
            url = f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
        stores = {
            "DuckDB warehouse file": base / "warehouse.duckdb",
            f"PostgreSQL {redact(url)}": PostgresLedger(url, schema="bench_ledger"),
        }
        for name, ledger in stores.items():
            print(f"{name} ({messages} messages):")
            for what, value in measure(ledger, messages).items():
                print(f"  {what:32} {value}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(pg_base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
