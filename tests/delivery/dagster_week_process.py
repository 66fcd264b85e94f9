"""One worker materializing a week's ``email_delivery`` in its own process (a real Dagster run).

``python -m tests.delivery.dagster_week_process OUTPUT_DIR CONFIG_DIR SMTP_PORT GO_FILE`` builds
the week's reports (stand-ins for the upstream assets, byte-identical in every worker), waits
until GO_FILE exists so that several workers start sending at the same moment, materializes the
week with mail on and prints one JSON line: the run's success, its id, and when its
``email_delivery`` step started and ended (epoch seconds). Each worker has its own output folder
and DuckDB warehouse, as workers on different machines would; the delivery ledger is wherever
``COMPETENCE_LEDGER_URL`` says (unset: each worker's own warehouse).
"""

# No ``from __future__ import annotations``: Dagster reads the assets' type hints at runtime.

import json
import os
import sys
import time
from pathlib import Path

import dagster as dg

from assets.resources import CompetenceSettings
from assets.warehouse import WarehouseIOManager
from tests.delivery.support import smtp_mailer
from tests.delivery.test_delivery_asset import WEEK, _report_assets


def _step_window(instance: dg.DagsterInstance, run_id: str) -> tuple[float, float]:
    times: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is not None and event.step_key == "email_delivery":
            times.setdefault(event.event_type_value, entry.timestamp)
    end = times.get("STEP_SUCCESS", times.get("STEP_FAILURE", 0.0))
    return times.get("STEP_START", 0.0), end


def main(argv: list[str]) -> int:
    output, config_dir, port, go_file = argv
    settings = CompetenceSettings(
        config_dir=config_dir,
        output_dir=output,
        # resolved by Dagster at run time; unset = the embedded ledger in this worker's warehouse
        ledger_url=dg.EnvVar("COMPETENCE_LEDGER_URL")
        if os.environ.get("COMPETENCE_LEDGER_URL")
        else None,
    )
    assets = _report_assets(Path(output))
    deadline = time.monotonic() + 120
    while not Path(go_file).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{go_file} never appeared")
        time.sleep(0.01)
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            assets,
            partition_key=WEEK,
            instance=instance,
            resources={
                "settings": settings,
                "io_manager": WarehouseIOManager(database=str(Path(output) / "warehouse.duckdb")),
                "mailer": smtp_mailer(int(port), max_attempts=1),
            },
            run_config={"ops": {"email_delivery": {"config": {"send": True}}}},
            raise_on_error=False,
        )
        started, ended = _step_window(instance, result.run_id)
    print(
        json.dumps(
            {
                "success": result.success,
                "run_id": result.run_id,
                "started": started,
                "ended": ended,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
