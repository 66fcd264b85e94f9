"""Small input frames for the certification engine, built from compact tuples.

The frames have the column names and dtypes the ingestion stage hands to the engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from assets.certification.machinery import parallel
from schemas.config import CompetenceConfig, load_config
from schemas.tables import ROSTER_COLUMNS

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


def default_config() -> CompetenceConfig:
    """The shipped configuration (CPT by points, FORKLIFT by retest, 90-day warning...)."""
    return load_config(CONFIG_DIR)


def roster_frame(people: list[tuple]) -> pd.DataFrame:
    """(employee_id, site, job_role, hire_date, termination_date or None) per person."""
    rows = [
        {
            "employee_id": emp,
            "first_name": f"First{emp}",
            "last_name": f"Last{emp}",
            "email": f"{emp.lower()}@example.com",
            "site": site,
            "department": pd.NA,
            "job_role": role,
            "manager_email": "boss@example.com",
            "hire_date": pd.Timestamp(hire),
            "termination_date": pd.Timestamp(term) if term else pd.NaT,
        }
        for emp, site, role, hire, term in people
    ]
    frame = pd.DataFrame(rows, columns=list(ROSTER_COLUMNS))
    for column in ("hire_date", "termination_date"):
        frame[column] = frame[column].astype("datetime64[ns]")
    return frame


def results_frame(records: list[tuple]) -> pd.DataFrame:
    """(employee_id, provider, record_id, module, date, passed, credential_id, match_method)."""
    columns = [
        "employee_id",
        "provider",
        "record_id",
        "module",
        "assessment_date",
        "passed",
        "credential_id",
        "match_method",
    ]
    frame = pd.DataFrame(records, columns=columns)
    frame["assessment_date"] = pd.to_datetime(frame["assessment_date"]).astype("datetime64[ns]")
    frame["passed"] = frame["passed"].astype(bool)
    frame["score"] = np.where(frame["passed"], 90.0, 40.0)
    frame["credential_id"] = (
        frame["credential_id"].astype(object).where(frame["credential_id"].notna(), pd.NA)
    )
    return frame


def activities_frame(activities: list[tuple]) -> pd.DataFrame:
    """(employee_id, activity_id, date, hours or None, points or None)."""
    frame = pd.DataFrame(
        activities, columns=["employee_id", "activity_id", "activity_date", "hours", "points"]
    )
    frame["activity_date"] = pd.to_datetime(frame["activity_date"]).astype("datetime64[ns]")
    frame["hours"] = frame["hours"].astype(float)
    frame["points"] = frame["points"].astype(float)
    frame["activity_type"] = "course"
    frame["evidence_ref"] = pd.NA
    return frame


@contextmanager
def small_slices(people_per_slice: int = 2) -> Iterator[None]:
    """Make the engine cut even a handful of people into slices for its worker threads.

    Real runs only slice from 50,000 people up; tests use this to check that slicing, the
    threads and the reassembly change nothing.
    """
    saved = parallel.MIN_CHUNK
    parallel.MIN_CHUNK = people_per_slice
    try:
        yield
    finally:
        parallel.MIN_CHUNK = saved
