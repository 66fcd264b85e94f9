"""One writer hammering one week of ``certification_status`` in its own process.

``python -m tests.warehouse.writer_process WAREHOUSE WEEK WRITER ROWS TIMES GO_FILE`` waits
until GO_FILE exists (so that every writer starts at the same moment), then replaces WEEK
TIMES times with ROWS rows whose ``status`` is ``WRITER:GENERATION`` — so a reader can tell
whose write, and which of its writes, it sees — and prints one JSON line: the generations
written and when each was committed (epoch seconds). WAREHOUSE is a DuckDB file or a
postgresql:// URL, exactly as COMPETENCE_WAREHOUSE_URL would hold it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd

from assets.warehouse import write_week


def week_frame(week: str, writer: str, generation: int, rows: int) -> pd.DataFrame:
    """``rows`` status rows of one week, every one stamped with who wrote it."""
    return pd.DataFrame(
        {
            "employee_id": [f"E{i:06d}" for i in range(rows)],
            "credential": "CPT",
            "site": "DAYTON",
            "status": f"{writer}:{generation}",
            "compliance": "COMPLIANT",
            "modules_passed": 4,
            "cycle_points": 12.5,
            "renewal_secured": True,
            "expires_on": pd.Timestamp("2027-03-01"),
            "week": pd.Timestamp(week),
        }
    )


def main(argv: list[str]) -> int:
    warehouse, week, writer, rows, times, go_file = argv
    frames = [week_frame(week, writer, g, int(rows)) for g in range(int(times))]
    deadline = time.monotonic() + 120
    while not Path(go_file).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{go_file} never appeared")
        time.sleep(0.005)
    committed = []
    for generation, frame in enumerate(frames):
        write_week(warehouse, "certification_status", frame, [pd.Timestamp(week)])
        committed.append((generation, time.time()))
    print(json.dumps({"writer": writer, "week": week, "committed": committed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
