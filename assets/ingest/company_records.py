"""The company's own files: HR roster extracts and continuing-education activities.

Both have fixed columns (the data contract in the README) and ISO dates; the roster's XLSX
extracts may carry real Excel dates. Exemptions and revocations are in ``decisions.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.text import empty_text
from schemas.tables import ROSTER_COLUMNS

from .cell_parsing import ISO_DATE, clean_text, parse_dates, parse_numbers, present_or_missing
from .conformed import Conformed, ParseFailure, finish, keep_parsed


def conform_roster(
    raw: pd.DataFrame, source_columns: dict[str, str], relative_path: str
) -> Conformed:
    """An HR roster extract: ISO dates (or real Excel dates)."""
    frame = pd.DataFrame(index=raw.index)
    raw_values = pd.DataFrame(index=raw.index)
    failures: list[ParseFailure] = []
    for column, source in source_columns.items():
        raw_values[column] = clean_text(raw[source])
    for column in ROSTER_COLUMNS:
        if column in ("hire_date", "termination_date"):
            continue
        frame[column] = raw_values[column] if column in raw_values else empty_text(raw.index)
    # A site code is an identifier (schemas/identifiers.py): one case, so 'dayton' is DAYTON.
    frame["site"] = frame["site"].str.upper()
    for column in ("hire_date", "termination_date"):
        if column in raw_values:
            keep_parsed(
                frame,
                raw_values,
                failures,
                column,
                parse_dates(
                    present_or_missing(raw[source_columns[column]], raw_values[column]), ISO_DATE
                ),
                f"a date in the format {ISO_DATE}",
            )
        else:
            frame[column] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    return finish(frame, raw_values, failures, raw, relative_path)


def conform_activities(
    raw: pd.DataFrame, source_columns: dict[str, str], relative_path: str
) -> Conformed:
    """Continuing-education records: ISO dates, hours or points."""
    frame = pd.DataFrame(index=raw.index)
    raw_values = pd.DataFrame(index=raw.index)
    failures: list[ParseFailure] = []
    for column, source in source_columns.items():
        raw_values[column] = clean_text(raw[source])
    for column in ("employee_id", "activity_type", "description", "evidence_ref"):
        frame[column] = raw_values[column] if column in raw_values else empty_text(raw.index)
    keep_parsed(
        frame,
        raw_values,
        failures,
        "activity_date",
        parse_dates(raw_values["activity_date"], ISO_DATE),
        f"a date in the format {ISO_DATE}",
    )
    for column in ("hours", "points"):
        if column in raw_values:
            keep_parsed(
                frame, raw_values, failures, column, parse_numbers(raw_values[column]), "a number"
            )
        else:
            frame[column] = np.nan
    return finish(frame, raw_values, failures, raw, relative_path)
