"""The ``training_effectiveness`` asset: ISO 9001 7.2 c) effectiveness of training, per week.

The rules are in :mod:`assets.reporting.training_effectiveness` (plain pandas); this asset only
gathers the week's tables and the stored corrective actions of the last 52 weeks, and stores the
result like every weekly table (the week replaced in one transaction). The earlier weeks' actions
are read from the warehouse, not through a partition mapping (which would make every later week
downstream of this one in an asset backfill: ``assets/reporting/history.py``), after waiting for
an earlier week another run is still computing (``history_order``).
"""

import dagster as dg
import pandas as pd

from assets.catalog import entry
from assets.partitions import week_start, weekly_partitions
from assets.reporting.history import stored_window
from assets.reporting.history_order import history_ready
from assets.reporting.training_effectiveness import WINDOWS, training_effectiveness
from assets.resources import CompetenceSettings

# the closures of the longest window are read from the stored corrective actions
ACTION_WEEKS = max(WINDOWS)
ACTION_COLUMNS = [
    "week",
    "site",
    "employee_id",
    "credential",
    "kind",
    "first_raised",
    "state",
    "closed_week",
    "closed_how",
    "closed_on_time",
]
STATUS_COLUMNS = [
    "employee_id",
    "site",
    "credential",
    "status",
    "certified_on",
    "cycle_start",
    "expires_on",
    "hire_date",
    "revoked_on",
]


@dg.asset(
    name="training_effectiveness",
    partitions_def=weekly_partitions,
    group_name="reporting",
    kinds={"pandas", "duckdb"},
    **entry("reporting", "training_effectiveness"),
    ins={
        "assessment_results": dg.AssetIn("assessment_results"),
        "roster_snapshot": dg.AssetIn(
            "roster_snapshot", metadata={"columns": ["employee_id", "site"]}
        ),
        "certification_status": dg.AssetIn(
            "certification_status", metadata={"columns": STATUS_COLUMNS}
        ),
    },
    deps=["corrective_actions"],  # this week's; the earlier weeks are read as stored
)
def training_effectiveness_table(
    context: dg.AssetExecutionContext,
    settings: CompetenceSettings,
    assessment_results: pd.DataFrame,
    roster_snapshot: pd.DataFrame,
    certification_status: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """Effectiveness of training (ISO 9001 7.2 c) per site and provider over the last 12 and 52
    weeks: first-attempt pass rate and attempts per pass per module, median days from hire to
    first certification, renewals secured before expiry, corrective actions closed on time —
    each with its counts, and not judged below policy.effectiveness_min_attempts."""
    config = settings.config
    week = week_start(context.partition_key)
    # an earlier week being computed alongside this one stores its actions first
    history_ready(context, ACTION_WEEKS, ["corrective_actions"])
    action_history = stored_window(
        settings.warehouse_path,
        "corrective_actions",
        context.partition_key,
        ACTION_WEEKS,
        columns=ACTION_COLUMNS,
    )
    required = {n: list(c.required_modules) for n, c in config.credentials.credentials.items()}
    table = training_effectiveness(
        assessment_results,
        roster_snapshot,
        certification_status,
        action_history,
        week,
        config.policy.effectiveness_min_attempts,
        required,
    ).assign(week=pd.Timestamp(week))
    low = table[
        (table["measure"] == "first_attempt_pass_rate")
        & (table["window_weeks"] == 52)
        & table["judged"]
        & (table["value"] < config.policy.first_attempt_pass_rate_min)
    ]
    return dg.Output(
        table,
        metadata={
            "dagster/row_count": len(table),
            "judged": int(table["judged"].sum()),
            "below_first_attempt_minimum": len(low),
            "preview": dg.MetadataValue.md(
                low[["site", "provider", "module", "count", "sample", "value"]]
                .head(10)
                .to_markdown(index=False)
                or "_no judged first-attempt pass rate below the policy minimum_"
            ),
        },
    )
