"""One writer hammering one week of ``certification_status`` in its own process.

``python -m tests.warehouse.writer_process WAREHOUSE WEEK WRITER ROWS TIMES GO_FILE WRITERS``
builds its frames, says so (``GO_FILE.ready.WRITER``) and waits until GO_FILE exists, so that
every writer starts at the same moment however slowly the machine started it. It then replaces
WEEK TIMES times with ROWS rows whose ``status`` is ``WRITER:GENERATION`` — so a reader can tell
whose write, and which of its writes, it sees — and prints one JSON line: the generations
written and when each was committed (epoch seconds).

After its first commit a writer waits until all WRITERS writers have committed once
(``GO_FILE.first.*``): every writer's first write then comes before any writer's second, so the
writers overlap by construction — on a loaded machine a descheduled process could otherwise
start only after another had finished, and the test would not be testing writers at once.
WAREHOUSE is a DuckDB file or a postgresql:// URL, exactly as COMPETENCE_WAREHOUSE_URL would
hold it.
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


def _wait_for(what: str, done) -> None:
    deadline = time.monotonic() + 120
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"waited 120 s for {what}")
        time.sleep(0.005)


def main(argv: list[str]) -> int:
    warehouse, week, writer, rows, times, go_file, writers = argv
    go = Path(go_file)
    frames = [week_frame(week, writer, g, int(rows)) for g in range(int(times))]
    Path(f"{go}.ready.{writer}").touch()
    _wait_for(str(go), go.exists)
    committed = []
    for generation, frame in enumerate(frames):
        write_week(warehouse, "certification_status", frame, [pd.Timestamp(week)])
        committed.append((generation, time.time()))
        if generation == 0:
            Path(f"{go}.first.{writer}").touch()
            _wait_for(
                "every writer's first commit",
                lambda: len(list(go.parent.glob(f"{go.name}.first.*"))) >= int(writers),
            )
    print(json.dumps({"writer": writer, "week": week, "committed": committed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
