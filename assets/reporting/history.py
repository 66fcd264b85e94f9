"""What a week's report looks back on, read point-in-time from the warehouse.

A report shows last week's status ("since last week"), the trend of up to 52 weeks of site
compliance, and corrective actions derived from 52 weeks of statuses. These are read here, as
stored when the week runs — not through Dagster partition mappings. A mapping onto earlier weeks
makes every later week's report a downstream of each week: an asset backfill of two weeks then
re-rendered (and could re-mail) every later week up to today. Read this way, a backfill of weeks
A..B computes exactly A..B, and a week depends in the asset graph only on its own partitions.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd

from assets.partitions import week_start
from assets.warehouse import read_weeks


def window(partition_key: str, weeks: int) -> list[str]:
    """The ``weeks`` Monday keys ending with ``partition_key``, oldest first (a window may
    begin before the first partition: such weeks are simply never stored)."""
    last = week_start(partition_key)
    return [(last - timedelta(weeks=back)).isoformat() for back in range(weeks - 1, -1, -1)]


def stored_window(
    database: str | Path,
    table: str,
    partition_key: str,
    weeks: int,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """The stored rows of ``table`` for the ``weeks`` weeks up to and including the week,
    oldest first — the same frame a ``TimeWindowPartitionMapping(start_offset=-(weeks - 1))``
    input loaded (weeks nobody computed are absent)."""
    return read_weeks(database, table, window(partition_key, weeks), columns)
