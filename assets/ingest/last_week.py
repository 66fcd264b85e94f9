"""The facts of the last stored week, read from the warehouse for the completeness rules."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assets.warehouse import PostgresWarehouse, latest_week_before, read_weeks, stored_tables

from .completeness import WeekFacts, facts_of_week

NEEDED = ("source_files", "roster_snapshot", "assessment_results", "ce_activities")


def last_stored_week(database: Path | PostgresWarehouse, before: str) -> WeekFacts | None:
    """The latest week before ``before`` whose intake is stored, or None (no history).

    ``database`` is the DuckDB file or the PostgreSQL warehouse (``settings.warehouse_path``)."""
    if not set(NEEDED) <= stored_tables(database):
        return None
    week = latest_week_before(database, "source_files", before)
    if week is None:
        return None

    def column(table: str, name: str) -> pd.Series:
        values = read_weeks(database, table, [week], [name])
        return pd.Series(values[name].tolist() if not values.empty else [], dtype=object)

    return facts_of_week(
        week,
        read_weeks(database, "source_files", [week], ["source", "accepted"]),
        column("roster_snapshot", "employee_id"),
        [column("assessment_results", "person_id"), column("ce_activities", "person_id")],
    )
