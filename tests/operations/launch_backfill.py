"""Create an asset backfill the way Dagster's UI does, and leave it to the running daemon.

``python -m tests.operations.launch_backfill WEEK [WEEK ...] [TAG=VALUE ...]`` with DAGSTER_HOME
and the code location's environment: the GraphQL mutation ``launchPartitionBackfill`` (every
asset, the weeks given, the tags) against the workspace of ``pipelines.definitions``, as the UI's
"Materialize..." sends it. Prints ``backfill <id>``. Unlike ``tests/pipelines/backfill_driver.py``
it runs nothing itself: a real ``dagster-daemon`` process picks the backfill up.
"""

from __future__ import annotations

import sys

from tests.pipelines.backfill_driver import code_location_workspace, launch_from_ui


def launch(weeks: list[str], tags: dict[str, str]) -> str:
    with code_location_workspace() as (_, workspace):
        return launch_from_ui(workspace, weeks, tags)


if __name__ == "__main__":
    args = sys.argv[1:]
    given = dict(arg.split("=", 1) for arg in args if "=" in arg)
    print(f"backfill {launch([a for a in args if '=' not in a], given)}")
