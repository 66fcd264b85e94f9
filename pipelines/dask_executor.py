"""Steps on the workers of a ``dask.distributed`` scheduler (``COMPETENCE_EXECUTOR=dask``).

This is dagster-dask's executor, connected to an existing scheduler, with three corrections:

- The library names each dask task ``<job>.<step>``, and dask treats two tasks with the same
  name as one. Two weeks of a backfill are two runs of the same job, so the second week's steps
  would be merged into the first week's and never run — and the second run would be handed the
  first run's events (dagster-io/dagster#21418, still so in dagster-dask 0.29). Here the task
  name carries the run id as well.
- Dask (since 2025) walks into tuples among a task's arguments looking for other tasks, which
  Dagster's records refuse ("Iteration is not allowed on `@record`"), so the step's arguments
  travel wrapped (``StepCall``).
- The library submits the whole plan up front, level by level, which leaves out every step
  mapped over a dynamic output: the week's render steps (``render_report_chunk[...]``) never ran
  and the run still ended "successful", with no PDF and no mail. Here Dagster's own
  ``ActiveExecution`` (what its multiprocess executor uses) hands out the steps as their inputs
  become ready, dynamic ones included, each submitted to dask with the run's known state so far.

How a step runs on the worker (``query_on_dask_worker``) and the
``dagster-dask/resource_requirements`` tag are the library's own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import dagster as dg
import dask.distributed
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._core.events import DagsterEvent
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.active import ActiveExecution
from dagster._core.execution.plan.objects import StepFailureData
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode
from dagster._utils.error import serializable_error_info_from_exc_info
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
    """On a dask worker: one step (submitted once its inputs are ready), its events returned."""
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
        # Dagster's own bookkeeping of a run's steps, as its multiprocess executor uses it: it
        # hands out the steps whose inputs are ready, including the steps mapped over a dynamic
        # output (the week's render chunks), which a plan fixed before the run cannot list
        with (
            dask.distributed.Client(self.cluster_configuration["address"]) as client,
            ActiveExecution(execution_plan, retry_mode=RetryMode.DISABLED) as active,
        ):
            running: dict[dask.distributed.Future, str] = {}
            while not active.is_complete or running:
                if active.check_for_interrupts():
                    for future in running:
                        future.cancel()
                    active.mark_interrupted()
                    raise DagsterExecutionInterruptedError()
                for step in active.get_steps_to_execute():
                    call = StepCall(
                        plan_context.reconstructable_job,
                        run,
                        plan_context.run_config,
                        [step.key],
                        instance_ref,
                        active.get_known_state(),  # the dynamic outputs seen so far
                    )
                    future = client.submit(
                        run_step,
                        [],
                        call,
                        key=dask_task_key(plan_context.job_name, run.run_id, step.key),
                        resources=get_dask_resource_requirements(step.tags),
                        pure=False,
                    )
                    running[future] = step.key
                yield from self._finished(plan_context, active, running)
                yield from active.plan_events_iterator(plan_context)

    @staticmethod
    def _finished(
        plan_context: PlanOrchestrationContext,
        active: ActiveExecution,
        running: dict[dask.distributed.Future, str],
    ) -> Iterator[DagsterEvent]:
        """The events of the steps that finished within a second, handed to the bookkeeping."""
        if not running:
            return
        try:
            done = dask.distributed.wait(list(running), timeout=1.0, return_when="FIRST_COMPLETED")
        except dask.distributed.TimeoutError:
            return
        for future in done.done:
            key = running.pop(future)
            try:
                events = future.result()
            except Exception:  # the worker died or the task could not run: the step failed
                step_context = plan_context.for_step(active.get_step_by_key(key))
                failure = DagsterEvent.step_failure_event(
                    step_context,
                    StepFailureData(serializable_error_info_from_exc_info(sys.exc_info()), None),
                )
                events = [failure]
            for event in events:
                yield event
                active.handle_event(event)
            active.verify_complete(plan_context, key)


@dg.executor(
    name="dask",
    requirements=dg.multiple_process_executor_requirements(),
    config_schema={"address": dg.Field(dg.StringSource, description="tcp://scheduler:8786")},
)
def dask_executor(init_context: dg.InitExecutorContext) -> RunScopedDaskExecutor:
    """Each step of a run as a task on the dask scheduler's workers."""
    return RunScopedDaskExecutor(init_context.executor_config["address"])
