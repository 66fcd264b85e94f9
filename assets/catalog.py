"""What the Dagster UI shows about every asset: owners, stage tag, code version, column schema.

One place for the catalogue entries, so each stage's asset module asks for its stage's entry
instead of spelling owners and tags itself:

- **Owners**: the data team answers for ingest and certification (the data and the rules that
  compute status), the quality team for reporting and delivery (the findings, the PDFs, the mail).
- **Code version**: a constant per stage (``CODE_VERSIONS``), not the package version (``0.1.0``
  never moves) nor the git commit (every commit, even a README fix, would mark every week
  stale). Raise a stage's number in the commit that changes what that stage computes for the
  same inputs; the UI then flags the weeks materialized with the older logic.
- **Column schema** (``dagster/column_schema``): built from the warehouse's typed declaration
  (``schemas/warehouse_tables.py``), with descriptions and nullability from the Pandera models
  where a table has one, so the UI's Columns tab and the warehouse cannot disagree.
- **Checks** partitioned like their assets (``weekly_check``), **counts** as one number per value
  (``counts``), and the reports' **freshness** (``REPORTS_DUE``).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from datetime import timedelta
from typing import Any, Literal

import dagster as dg
import pandas as pd

from assets.partitions import COMPANY_TIMEZONE, weekly_partitions
from schemas.warehouse_tables import column_notes, declared_columns

Stage = Literal["ingest", "certification", "reporting", "delivery"]

DATA_TEAM = "team:data"
QUALITY_TEAM = "team:quality"
OWNERS: dict[str, list[str]] = {
    "ingest": [DATA_TEAM],
    "certification": [DATA_TEAM],
    "reporting": [QUALITY_TEAM],
    "delivery": [QUALITY_TEAM],
}
# Raised when a stage's stored output changes shape or meaning, so the UI marks the weeks an
# earlier version computed (reporting 2: the report index's typed briefing columns and
# report_briefing_lines replace its JSON columns).
CODE_VERSIONS: dict[str, str] = {
    "ingest": "1",
    "certification": "1",
    "reporting": "2",
    "delivery": "1",
}

# The week's reports are due Monday 08:00 in the company timezone: the schedule starts at 06:00,
# and any materialization after the week ended (Monday 00:00, 8 hours before) is this week's
# run. Dagster's daemon evaluates the policy (no sensor); the UI shows the asset as failing its
# freshness when no report was materialized in that window. (A cron policy is not partition-aware:
# a rerun of an older week in the window would also count; the partition-aware
# build_time_partition_freshness_checks is superseded in Dagster 1.13.)
REPORTS_DUE = dg.FreshnessPolicy.cron(
    deadline_cron="0 8 * * 1", lower_bound_delta=timedelta(hours=8), timezone=COMPANY_TIMEZONE
)


def weekly_check(
    name: str, asset: str, description: str, blocking: bool = False
) -> dg.AssetCheckSpec:
    """An asset check evaluated per week, like its asset: each result carries its partition, so
    after a backfill the UI's "latest" result of a week is that week's own, not the last run's.

    ``partitions_def`` on a check spec is marked preview in Dagster 1.13 and warns at every
    import (the CLI would print it on each command); the feature is what we need, so that one
    warning is silenced here and nowhere else."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return dg.AssetCheckSpec(
            name,
            asset=asset,
            description=description,
            blocking=blocking,
            partitions_def=weekly_partitions,
        )


def column_schema(table: str) -> dg.TableSchema:
    """The declared columns of a warehouse table as a Dagster table schema."""
    notes = column_notes(table)
    columns = []
    for name, sql_type in declared_columns(table).items():
        description, nullable = notes[name]
        constraints = None if nullable is None else dg.TableColumnConstraints(nullable=nullable)
        columns.append(
            dg.TableColumn(name, sql_type, description=description or None, constraints=constraints)
        )
    return dg.TableSchema(columns=columns)


def table_metadata(table: str) -> dict[str, Any]:
    """Definition metadata of a weekly warehouse table: how the IO manager finds the week
    (``partition_expr``) and the table's column schema."""
    metadata: dict[str, Any] = {"partition_expr": "week"}
    if declared_columns(table):
        metadata["dagster/column_schema"] = column_schema(table)
    return metadata


def entry(stage: Stage, table: str) -> dict[str, Any]:
    """The keyword arguments every asset of ``stage`` writing ``table`` shares (``@dg.asset``
    or ``dg.AssetOut``): owners, stage tag, code version and table metadata."""
    return {
        "owners": OWNERS[stage],
        "tags": {"stage": stage},
        "code_version": CODE_VERSIONS[stage],
        "metadata": table_metadata(table),
    }


def counts(prefix: str, values: pd.Series, labels: Iterable[str] = ()) -> dict[str, int]:
    """Counts by value as separate numeric entries (``status/EXPIRED: 3``), which the UI plots
    across weeks; a JSON blob cannot be plotted. ``labels`` are always present (0 when absent),
    so a plotted line drops to zero instead of vanishing."""
    found = values.dropna().astype(str).value_counts()
    keys = list(dict.fromkeys([*labels, *found.index]))
    return {f"{prefix}/{key}": int(found.get(key, 0)) for key in keys}
