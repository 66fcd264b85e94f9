"""What happened in one weekly run, read from its Dagster events.

Shared by the CLI (its per-week line), ``competence status`` and the failure sensor, so all three
call a run the same thing: *computed*, *computed with the e-mail held* (the blocking
reject-share gate failed and nothing else did), or *failed* at a step with a first error line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg
from dagster_shared.error import SerializableErrorInfo

GATE_STEP = "mail_clearance"
GATE_CHECK = "reject_share_within_policy"
ACCOUNTING_ASSET = "source_files"
ACCOUNTING_KEYS = ("rows_in", "accepted", "rejected", "deduplicated", "files_rejected_whole")
# The events this module reads; the sensor and `status` fetch only these from the instance.
EVENT_TYPES = {
    dg.DagsterEventType.STEP_FAILURE,
    dg.DagsterEventType.RUN_FAILURE,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
}


@dataclass(frozen=True)
class RunOutcome:
    """The facts of one run that people are told about."""

    failed_steps: tuple[str, ...]
    first_step: str | None
    first_error: str | None
    full_error: str | None
    hold_reason: str | None
    accounting: dict[str, int] | None

    @property
    def mail_held_only(self) -> bool:
        """The run failed only because the gate held the week's e-mail: not a failure to alert
        on; status, findings and reports were computed."""
        return self.hold_reason is not None and set(self.failed_steps) <= {GATE_STEP}

    def accounting_text(self) -> str:
        """``4,223 rows = 4,196 accepted + 22 rejected + 5 de-duplicated; 2 files rejected
        whole`` from the ``source_files`` materialization, or '' when ingest did not finish."""
        if self.accounting is None:
            return ""
        a = self.accounting
        whole = a["files_rejected_whole"]
        files = "no file" if whole == 0 else f"{whole:,} file" + ("s" if whole != 1 else "")
        return (
            f"{a['rows_in']:,} rows = {a['accepted']:,} accepted + {a['rejected']:,} rejected + "
            f"{a['deduplicated']:,} de-duplicated; {files} rejected whole"
        )


def outcome_of(events: Iterable[dg.DagsterEvent]) -> RunOutcome:
    """Classify a run from its events (``result.all_events`` or the instance's event log)."""
    failed: list[str] = []
    first_step = first_error = full_error = hold = None
    run_error = None
    accounting = None
    for event in events:
        if event.is_step_failure and event.step_key:
            failed.append(event.step_key)
            if first_step is None:
                first_step, full_error = event.step_key, _step_error(event)
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE:
            run_error = _run_error(event)
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if evaluation.check_name == GATE_CHECK and not evaluation.passed:
                reason = evaluation.metadata.get("hold_reason")
                hold = str(reason.value) if reason is not None else "reject share over policy"
        elif event.is_step_materialization:
            materialization = event.step_materialization_data.materialization
            if materialization.asset_key.path[-1] == ACCOUNTING_ASSET:
                meta = materialization.metadata
                if all(k in meta for k in ACCOUNTING_KEYS):
                    accounting = {k: int(meta[k].value) for k in ACCOUNTING_KEYS}
    if full_error is None:
        full_error = run_error
    if full_error is not None:
        first_error = _first_line(full_error)
    return RunOutcome(tuple(failed), first_step, first_error, full_error, hold, accounting)


def outcome_from_instance(instance: dg.DagsterInstance, run_id: str) -> RunOutcome:
    """The outcome of a stored run, from the instance's event log."""
    entries = instance.all_logs(run_id, of_type=EVENT_TYPES)
    return outcome_of(e.dagster_event for e in entries if e.dagster_event is not None)


def _step_error(event: dg.DagsterEvent) -> str:
    data = event.step_failure_data
    if data is None:
        return event.message or "the step failed"
    user = data.user_failure_data
    if user is not None and user.description:
        return user.description  # a dg.Failure: its description is the message for people
    return _root_message(data.error) or event.message or "the step failed"


def _run_error(event: dg.DagsterEvent) -> str:
    data = event.event_specific_data
    return _root_message(getattr(data, "error", None)) or event.message or "the run failed"


def _root_message(error: SerializableErrorInfo | None) -> str | None:
    """The root cause's message, not Dagster's "error occurred while ..." wrapper."""
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return None
    message = error.message.strip()
    if error.cls_name == "Failure":
        # a dg.Failure raised while the resources start (the configuration, the output folder)
        # reaches here as its text: the description is the message for people, not the class
        message = message.split(": ", 1)[-1]
    return message


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), text.strip())
