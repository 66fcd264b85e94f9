"""Launch an asset backfill the way Dagster's UI does, and let the backfill daemon run it.

Run as a real process (``python -m tests.pipelines.backfill_driver WEEK [WEEK ...]``) with the
environment of the week runs (COMPETENCE_*, DAGSTER_HOME pointing at a folder whose dagster.yaml
launches runs synchronously in this process): the code location is loaded from
``pipelines.definitions`` through a workspace (a gRPC server process, as ``dagster dev`` does),
the backfill is created with the UI's GraphQL mutation ``launchPartitionBackfill`` (every asset,
the weeks given, optional tags), and the daemon's ``execute_backfill_iteration`` is called until
the backfill is done. Prints one JSON object: the backfill's status, the runs each daemon
iteration launched (in order, with their week and assets), and the weeks materialized per asset.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster._core.events import DagsterEventType
from dagster._core.execution.backfill import BulkActionStatus
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster_graphql.test.utils import execute_dagster_graphql

# the mutation Dagster's UI sends from "Materialize..." with a partition range
LAUNCH_PARTITION_BACKFILL = """
mutation LaunchPartitionBackfill($backfillParams: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $backfillParams) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message stack }
  }
}
"""
MAX_ITERATIONS = 30


@contextmanager
def code_location_workspace() -> Iterator[tuple[dg.DagsterInstance, WorkspaceProcessContext]]:
    """DAGSTER_HOME's instance and a workspace serving ``pipelines.definitions``, as the UI has."""
    with dg.DagsterInstance.get() as instance:
        target = ModuleTarget(
            module_name="pipelines.definitions",
            attribute=None,
            working_directory=os.getcwd(),
            location_name="competence",
        )
        with WorkspaceProcessContext(instance, target) as workspace:
            yield instance, workspace


def launch_from_ui(
    workspace: WorkspaceProcessContext, weeks: list[str], tags: dict[str, str]
) -> str:
    """Create a backfill of every asset for ``weeks`` with the UI's mutation; its id."""
    request = workspace.create_request_context()
    selection = [
        {"path": list(key.path)}
        for key in request.asset_graph.get_all_asset_keys()
        if request.asset_graph.get(key).is_materializable
    ]
    launched = execute_dagster_graphql(
        request,
        LAUNCH_PARTITION_BACKFILL,
        {
            "backfillParams": {
                "assetSelection": selection,
                "partitionNames": weeks,
                "tags": [{"key": k, "value": v} for k, v in tags.items()],
            }
        },
    ).data["launchPartitionBackfill"]
    assert launched["__typename"] == "LaunchBackfillSuccess", launched
    return launched["backfillId"]


def main(weeks: list[str], tags: dict[str, str]) -> dict:
    logger = logging.getLogger("backfill_driver")
    with code_location_workspace() as (instance, workspace):
        backfill_id = launch_from_ui(workspace, weeks, tags)
        iterations: list[list[dict]] = []
        seen: set[str] = set()
        for _ in range(MAX_ITERATIONS):
            list(execute_backfill_iteration(workspace, logger))
            runs = instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id}))
            new = [run for run in reversed(runs) if run.run_id not in seen]
            seen.update(run.run_id for run in new)
            if new:
                iterations.append([_run_summary(run) for run in new])
            if instance.get_backfill(backfill_id).status != BulkActionStatus.REQUESTED:
                break
        materialized: dict[str, list[str]] = defaultdict(list)
        for run_id in seen:
            for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION):
                event = record.get_dagster_event()
                asset = event.asset_key.to_user_string()
                materialized[asset].append(event.partition)
        return {
            "status": instance.get_backfill(backfill_id).status.value,
            "iterations": iterations,
            "materialized": {k: sorted(v) for k, v in sorted(materialized.items())},
        }


def _run_summary(run: dg.DagsterRun) -> dict:
    return {
        "week": run.tags.get("dagster/partition"),
        "status": run.status.value,
        "assets": sorted(key.to_user_string() for key in run.asset_selection or ()),
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    given_tags = dict(arg.split("=", 1) for arg in args if "=" in arg)
    print(json.dumps(main([a for a in args if "=" not in a], given_tags)))
