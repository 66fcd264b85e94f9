"""The ``corrective_actions`` asset: the week's corrective actions with their history.

It reads the stored ``certification_status`` of the last ``ACTION_HISTORY_WEEKS`` weeks up to and
including its own (only the columns the history needs) and derives every action point-in-time
(``corrective_actions.action_history``): weeks computed in any order, or rerun, give the same
table for a week. An action first raised before the window shows the window's first stored week
as "first raised" (the report says "since at least").
"""

import warnings

import dagster as dg
import pandas as pd

from assets.partitions import week_start, weekly_partitions
from assets.reporting.corrective_actions import STATUS_COLUMNS, action_history
from assets.resources import CompetenceSettings

ACTION_HISTORY_WEEKS = 52
# as in assets.reporting.assets: the weeks before the first partition may be asked for (beta)
warnings.filterwarnings("ignore", message=".*allow_nonexistent_upstream_partitions.*")


@dg.asset(
    partitions_def=weekly_partitions,
    group_name="reporting",
    kinds={"pandas", "duckdb"},
    metadata={"partition_expr": "week"},
    ins={
        "status_history": dg.AssetIn(
            "certification_status",
            partition_mapping=dg.TimeWindowPartitionMapping(
                start_offset=-(ACTION_HISTORY_WEEKS - 1), allow_nonexistent_upstream_partitions=True
            ),
            metadata={"columns": STATUS_COLUMNS},
        ),
    },
)
def corrective_actions(
    context: dg.AssetExecutionContext,
    settings: CompetenceSettings,
    status_history: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """Corrective actions of the week, keyed by (person, credential, kind): every action open
    this week with when it was first raised, weeks open, due date and state (open, overdue,
    escalated) and every action closed since the previous stored week with how and whether on
    time. Derived from the stored weekly statuses, so backfills build the same history."""
    config = settings.load_config()
    week = week_start(context.partition_key)
    actions = action_history(status_history, week, config).assign(week=pd.Timestamp(week))
    states = actions["state"].value_counts().to_dict()
    stored = status_history["week"].nunique() if not status_history.empty else 0
    return dg.Output(
        actions,
        metadata={
            "dagster/row_count": len(actions),
            "by_state": dg.MetadataValue.json({k: int(v) for k, v in states.items()}),
            "weeks_of_history": stored,
            "preview": dg.MetadataValue.md(
                actions[["site", "employee_id", "kind", "weeks_open", "state"]]
                .head(10)
                .to_markdown(index=False)
                or "_no actions_"
            ),
        },
    )
