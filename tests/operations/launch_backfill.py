"""Create an asset backfill the way Dagster's UI does, and leave it to the running daemon.

``python -m tests.operations.launch_backfill WEEK [WEEK ...] [TAG=VALUE ...]`` with DAGSTER_HOME
and the code location's environment: the GraphQL mutation ``launchPartitionBackfill`` (every
asset, the weeks given, the tags) against the workspace of ``pipelines.definitions``, as the UI's
"Materialize..." sends it. Prints ``backfill <id>``. Unlike ``tests/pipelines/backfill_driver.py``
it runs nothing itself: a real ``dagster-daemon`` process picks the backfill up.
"""

from __future__ import annotations

import os
import sys

import dagster as dg
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import ModuleTarget
from dagster_graphql.test.utils import execute_dagster_graphql

from tests.pipelines.backfill_driver import LAUNCH_PARTITION_BACKFILL


def launch(weeks: list[str], tags: dict[str, str]) -> str:
    with dg.DagsterInstance.get() as instance:
        target = ModuleTarget(
            module_name="pipelines.definitions",
            attribute=None,
            working_directory=os.getcwd(),
            location_name="competence",
        )
        with WorkspaceProcessContext(instance, target) as workspace:
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


if __name__ == "__main__":
    args = sys.argv[1:]
    given = dict(arg.split("=", 1) for arg in args if "=" in arg)
    print(f"backfill {launch([a for a in args if '=' not in a], given)}")
