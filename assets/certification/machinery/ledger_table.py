"""The points ledger: every earning event of each person's current (or lapsed) points cycle.

The events and their points come from :mod:`.points_index` (which asks the points rules); here
they become rows with dates, in (person, credential order, date) order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.certification.dates import datetimes_from_days
from assets.certification.machinery.points_index import PointsSources
from assets.certification.people import People
from assets.certification.rules.cycles import NEVER_CERTIFIED, CycleOutcome

LEDGER_COLUMNS = (
    "employee_id",
    "credential",
    "cycle_start",
    "cycle_end",
    "category",
    "event_date",
    "points",
    "source_record_id",
)


def ledger_rows(
    people: People, code: str, sources: PointsSources, outcome: CycleOutcome, as_of_day: int
) -> pd.DataFrame:
    """The ledger rows of one credential for the people of ``outcome`` who hold a cycle."""
    held = np.flatnonzero(outcome.state != NEVER_CERTIFIED)
    person = outcome.person[held]
    start, expiry = outcome.cycle_start.day[held], outcome.expires_on.day[held]
    events = sources.ledger(person, start, expiry, as_of_day)
    row = events["row"]
    return pd.DataFrame(
        {
            "person": person[row],
            "employee_id": people.column_at("employee_id", person[row]),
            "credential": code,
            "cycle_start": datetimes_from_days(start[row]),
            "cycle_end": datetimes_from_days(expiry[row]),
            "category": events["category"],
            "event_date": datetimes_from_days(events["event_day"]),
            "points": events["points"].astype(float),
            "source_record_id": events["source_record_id"],
        }
    )


def ledger_table(blocks: list[pd.DataFrame], credential_rank: dict[str, int]) -> pd.DataFrame:
    """The credentials' ledger rows in (person, credential order, date) order, contract columns."""
    if not blocks:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in LEDGER_COLUMNS})
    if len(blocks) == 1:  # already in (person, date) order
        return blocks[0][list(LEDGER_COLUMNS)]
    table = pd.concat(blocks, ignore_index=True)
    rank = table["credential"].map(credential_rank).to_numpy()
    day = table["event_date"].to_numpy()
    order = np.lexsort((day, rank, table["person"].to_numpy()))
    return table.iloc[order].reset_index(drop=True)[list(LEDGER_COLUMNS)]
