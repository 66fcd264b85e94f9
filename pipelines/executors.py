"""Which executor runs a week's steps, chosen by ``COMPETENCE_EXECUTOR`` alone (no code change).

- ``in_process`` (default): one process for the whole week. The one-process-per-step executor
  re-imports everything for each step (measured in the README's "Executor" section).
- ``multiprocess``: one process per step, on the machine that runs the run.
- ``dask``: each step a task on the workers of the ``dask.distributed`` scheduler at
  ``COMPETENCE_DASK_SCHEDULER`` (dagster-dask; ``pipelines/dask_executor.py``), so the weeks of a
  backfill run side by side on as many machines as there are workers.
"""

from __future__ import annotations

import dagster as dg

from assets.environment import Environment


def week_executor(environment: Environment) -> dg.ExecutorDefinition:
    """The executor for the code location, from the checked environment."""
    if environment.executor == "dask":
        # imported only here: dask is an extra (`competence[scale-out]`) a single server lacks
        from pipelines.dask_executor import dask_executor

        return dask_executor.configured(
            {"address": environment.dask_scheduler}, name="dask_scheduler"
        )
    if environment.executor == "multiprocess":
        return dg.multiprocess_executor
    return dg.in_process_executor
