"""Steps on the workers of a ``dask.distributed`` scheduler (``COMPETENCE_EXECUTOR=dask``).

This is dagster-dask's executor, connected to an existing scheduler, with one correction: the
library names each dask task ``<job>.<step>``, and dask treats two tasks with the same name as
one. Two weeks of a backfill are two runs of the same job, so the second week's steps would be
merged into the first week's and never run — and the second run would be handed the first run's
events (dagster-io/dagster#21418, still so in dagster-dask 0.29). Here the task name carries the
run id as well. And dask (since 2025) walks into tuples among a task's arguments looking for
other tasks, which Dagster's records refuse ("Iteration is not allowed on `@record`"), so the
step's arguments travel wrapped (``StepCall``). Everything else — how a step runs on the worker
(``query_on_dask_worker``), the step order, the ``dagster-dask/resource_requirements`` tag — is
the library's own.
"""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg
import dask.distributed
from dagster._core.errors import raise_execution_interrupts
from dagster._core.events import DagsterEvent
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._utils import iterate_with_context
from dagster_dask.executor import (
    DaskExecutor,
    get_dask_resource_requirements,
    query_on_dask_worker,
)


def dask_task_key(job_name: str, run_id: str, step_key: str) -> str:
    """The dask task of one step of one run: unique per run, readable in dask's dashboard."""
    return f"{job_name}.{run_id}.{step_key}"


class StepCall:
    """A step's arguments for ``query_on_dask_worker``, opaque to dask's argument parsing."""

    __slots__ = ("arguments",)

    def __init__(self, *arguments: object) -> None:
        self.arguments = arguments

    def __getstate__(self) -> tuple:
        return self.arguments

    def __setstate__(self, state: tuple) -> None:
        self.arguments = state


def run_step(upstream: list, call: StepCall) -> list[DagsterEvent]:
    """On a dask worker: the step, once its upstream steps' tasks are done."""
    return query_on_dask_worker(upstream, *call.arguments)


class RunScopedDaskExecutor(DaskExecutor):
    """dagster-dask's executor on an existing scheduler, its tasks named per run."""

    def __init__(self, address: str) -> None:
        super().__init__("existing", {"address": address})

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        if not plan_context.instance.is_persistent:
            # the workers read the run and write its events through the instance's storage
            raise dg.DagsterInvariantViolationError(
                "COMPETENCE_EXECUTOR=dask needs a persistent Dagster instance (DAGSTER_HOME with "
                "the PostgreSQL storage of deploy/scale-out/dagster.yaml)"
            )
        run = plan_context.dagster_run
        instance_ref = plan_context.instance.get_ref()
        with dask.distributed.Client(self.cluster_configuration["address"]) as client:
            futures: dict[str, dask.distributed.Future] = {}
            for level in execution_plan.get_steps_to_execute_by_level():
                for step in level:
                    # a step's task takes its upstream tasks as an argument: dask starts it
                    # only when they are done (the library's way of ordering steps)
                    upstream = [
                        futures[key]
                        for step_input in step.step_inputs
                        for key in step_input.dependency_keys
                    ]
                    futures[step.key] = client.submit(
                        run_step,
                        upstream,
                        StepCall(
                            plan_context.reconstructable_job,
                            run,
                            plan_context.run_config,
                            [step.key],
                            instance_ref,
                            execution_plan.known_state,
                        ),
                        key=dask_task_key(plan_context.job_name, run.run_id, step.key),
                        resources=get_dask_resource_requirements(step.tags),
                    )
            done = dask.distributed.as_completed(list(futures.values()), with_results=True)
            for _future, events in iterate_with_context(raise_execution_interrupts, done):
                yield from events


@dg.executor(
    name="dask",
    requirements=dg.multiple_process_executor_requirements(),
    config_schema={"address": dg.Field(dg.StringSource, description="tcp://scheduler:8786")},
)
def dask_executor(init_context: dg.InitExecutorContext) -> RunScopedDaskExecutor:
    """Each step of a run as a task on the dask scheduler's workers."""
    return RunScopedDaskExecutor(init_context.executor_config["address"])
