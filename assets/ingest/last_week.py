"""The facts of the last stored week, read from the warehouse for the completeness rules."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assets.warehouse import SCHEMA, connect, table_names

from .completeness import WeekFacts, facts_of_week

NEEDED = ("source_files", "roster_snapshot", "assessment_results", "ce_activities")


def last_stored_week(database: Path, before: str) -> WeekFacts | None:
    """The latest week before ``before`` whose intake is stored, or None (no history)."""
    if not Path(database).exists():
        return None
    with connect(str(database)) as con:
        if not set(NEEDED) <= table_names(con):
            return None
        week = con.execute(
            f"select max(week) from {SCHEMA}.source_files where week < ?::timestamp", [before]
        ).fetchone()[0]
        if week is None:
            return None

        def column(table: str, name: str) -> pd.Series:
            rows = con.execute(
                f'select "{name}"::varchar from {SCHEMA}.{table} where week = ?', [week]
            ).fetchall()
            return pd.Series([r[0] for r in rows], dtype=object)

        files = con.execute(
            f"select source, accepted from {SCHEMA}.source_files where week = ?", [week]
        ).df()
        return facts_of_week(
            pd.Timestamp(week).date().isoformat(),
            files,
            column("roster_snapshot", "employee_id"),
            [column("assessment_results", "person_id"), column("ce_activities", "person_id")],
        )
