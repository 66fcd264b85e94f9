"""The ``corrective_actions`` asset: the week's corrective actions with their history.

It reads the stored ``certification_status`` of the last ``ACTION_HISTORY_WEEKS`` weeks up to and
including its own (only the columns the history needs) from the warehouse — not through a
partition mapping, which would make every later week's actions and reports downstream of each
week in an asset backfill (``assets/reporting/history.py``) — and derives every action point-in-time
(``corrective_actions.action_history``): weeks computed in any order, or rerun, give the same
table for a week. An action first raised before the window shows the window's first stored week
as "first raised" (the report says "since at least").
"""

import dagster as dg
import pandas as pd

from assets.catalog import counts, entry
from assets.partitions import week_start, weekly_partitions
from assets.reporting.corrective_actions import STATUS_COLUMNS, action_history
from assets.reporting.history import stored_window
from assets.reporting.history_order import history_ready
from assets.resources import CompetenceSettings

ACTION_HISTORY_WEEKS = 52
ACTION_STATES = ("open", "overdue", "escalated", "closed")


@dg.asset(
    partitions_def=weekly_partitions,
    group_name="reporting",
    kinds={"pandas", "duckdb"},
    **entry("reporting", "corrective_actions"),
    deps=["certification_status"],  # this week's; the earlier weeks are read as stored
)
def corrective_actions(
    context: dg.AssetExecutionContext,
    settings: CompetenceSettings,
) -> dg.Output[pd.DataFrame]:
    """Corrective actions of the week, keyed by (person, credential, kind): every action open
    this week with when it was first raised, weeks open, due date and state (open, overdue,
    escalated) and every action closed since the previous stored week with how and whether on
    time. Derived from the stored weekly statuses, so backfills build the same history."""
    config = settings.config
    week = week_start(context.partition_key)
    # an earlier week being computed alongside this one stores its status first
    waited = history_ready(context, ACTION_HISTORY_WEEKS, ["certification_status"])
    status_history = stored_window(
        settings.warehouse_path,
        "certification_status",
        context.partition_key,
        ACTION_HISTORY_WEEKS,
        columns=STATUS_COLUMNS,
    )
    actions = action_history(status_history, week, config).assign(week=pd.Timestamp(week))
    stored = status_history["week"].nunique() if not status_history.empty else 0
    return dg.Output(
        actions,
        metadata={
            "dagster/row_count": len(actions),
            **counts("state", actions["state"], ACTION_STATES),
            "weeks_of_history": stored,
            "waited_for_weeks": dg.MetadataValue.json(waited),
            "preview": dg.MetadataValue.md(
                actions[["site", "employee_id", "kind", "weeks_open", "state"]]
                .head(10)
                .to_markdown(index=False)
                or "_no actions_"
            ),
        },
    )
