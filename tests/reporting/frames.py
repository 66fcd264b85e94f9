"""Small hand-built frames for the reporting tests: one row per call, defaults filled in."""

from __future__ import annotations

from datetime import date

import pandas as pd

from assets.certification.engine import LEDGER_COLUMNS
from assets.certification.forecast import FORECAST_COLUMNS
from assets.certification.status import STATUS_COLUMNS as ENGINE_STATUS_COLUMNS

WEEK = date(2026, 11, 16)  # Monday of 2026-W47
AS_OF = date(2026, 11, 22)

# the engine's own status contract, so these frames cannot drift from what reports receive
STATUS_COLUMNS = list(ENGINE_STATUS_COLUMNS)
DATE_COLUMNS = [
    "certified_on",
    "cycle_start",
    "expires_on",
    "due_date",
    "hire_date",
    "last_attempt_date",
    "as_of",
]


def person(employee_id: str, first: str, last: str, **overrides: object) -> dict:
    """A status row; by default a certified Production Technician at site S1."""
    row = {
        "employee_id": employee_id,
        "first_name": first,
        "last_name": last,
        "site": "S1",
        "job_role": "Production Technician",
        "credential": "CPT",
        "status": "CERTIFIED",
        "modules_passed": "MAINTENANCE;PROCESSES;QUALITY;SAFETY",
        "certified_on": "2023-05-10",
        "cycle_start": "2023-05-10",
        "expires_on": "2028-05-10",
        "cycle_points": 20.0,
        "points_needed": 80.0,
        "renewal_secured": False,
        "compliance": "COMPLIANT",
        "due_date": "2023-05-10",
        "email": f"{employee_id.lower()}@example.com",
        "department": "Assembly",
        "manager_email": "boss@example.com",
        "hire_date": "2020-01-06",
        "required": True,
        "requirement_determined": True,
        "module_pass_dates": "MAINTENANCE=2023-05-10;PROCESSES=2023-03-01;QUALITY=2023-02-01;"
        "SAFETY=2023-01-15",
        "days_to_expiry": 535,
        "overdue_days": 0,
        "last_attempt_date": "2023-05-10",
        "evidence_record_ids": f"northfield_college:R-{employee_id}",
        "evidence_credential_ids": f"CPT-{employee_id}",
        "matched_by_name": False,
        "as_of": AS_OF.isoformat(),
    }
    row.update(overrides)
    return row


def status_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    for column in DATE_COLUMNS:
        frame[column] = pd.to_datetime(frame[column])
    frame["days_to_expiry"] = frame["days_to_expiry"].astype("Int64")
    frame["overdue_days"] = frame["overdue_days"].astype("Int64")
    frame["renewal_secured"] = frame["renewal_secured"].astype("boolean")
    return frame


def source_files(rows: list[tuple] | None = None) -> pd.DataFrame:
    rows = (
        rows
        if rows is not None
        else [
            ("roster", "roster/roster_2026-11-01.csv", "a" * 64, 10, 10, 0, 0, None),
            (
                "northfield_college",
                "providers/northfield_college/results.csv",
                "b" * 64,
                40,
                39,
                1,
                0,
                None,
            ),
        ]
    )
    return pd.DataFrame(
        rows,
        columns=[
            "source",
            "file",
            "sha256",
            "rows_in",
            "accepted",
            "rejected",
            "deduplicated",
            "problem",
        ],
    )


def rejected_rows(rows: list[tuple] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        rows or [], columns=["source", "source_file", "row_number", "column", "check", "value"]
    )


def unmatched(rows: list[tuple] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        rows or [],
        columns=[
            "provider",
            "record_id",
            "source_file",
            "row_number",
            "reason",
            "employee_id",
            "email",
            "first_name",
            "last_name",
            "candidates",
        ],
    )


def history(site: str, weeks: int, rate: float = 0.8) -> pd.DataFrame:
    mondays = pd.date_range(end=pd.Timestamp(WEEK), periods=weeks, freq="7D")
    return pd.DataFrame(
        {
            "week": mondays.date,
            "site": site,
            "site_name": site,
            "headcount_in_scope": 10,
            "compliant": 8,
            "grace": 1,
            "non_compliant": 1,
            "not_required": 0,
            "expiring_30": 0,
            "expiring_60": 0,
            "expiring_90": 1,
            "compliance_rate": [rate + 0.01 * i for i in range(weeks)],
        }
    )


def empty_forecast() -> pd.DataFrame:
    return pd.DataFrame(columns=list(FORECAST_COLUMNS))


def empty_ledger() -> pd.DataFrame:
    return pd.DataFrame(columns=list(LEDGER_COLUMNS))
