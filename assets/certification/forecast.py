"""Will people in or near the renewal window reach the points requirement by their expiry?

Rows: points-renewed credentials whose cycle covers D (CERTIFIED or EXPIRING) and whose expiry is
at most twice the warning window after D (every EXPIRING row is in). Retest credentials have no
pace to project and are left out: their ``renewal_secured`` in the status table says it all.

The projection separates what is certain from what depends on the person:

- ``points_per_day_so_far``: continuing-education and retake points earned in the cycle so far,
  per day elapsed since the cycle start (0 on the cycle's first day);
- ``employment_points_to_come``: the employment anniversaries between D (exclusive) and the
  expiry (inclusive), counted as certain for a manufacturing-related role;
- ``projected_points_at_expiry`` = cycle_points + pace x days_left + employment_points_to_come,
  and ``on_track`` = projected >= points_required.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from assets.certification.dates import day_number, days_from_datetimes
from assets.certification.people import is_manufacturing_role
from assets.certification.rules.days import completed_years
from assets.certification.rules.points import EMPLOYMENT
from schemas.config import CompetenceConfig, PointsRenewal

FORECAST_COLUMNS = (
    "employee_id",
    "credential",
    "expires_on",
    "cycle_points",
    "points_needed",
    "days_left",
    "points_per_day_so_far",
    "projected_points_at_expiry",
    "on_track",
    "site",
    "status",
    "required",
    "renewal_secured",
    "employment_points_to_come",
    "as_of",
)


# what the forecast reads of the status table (copying the rest of a million rows is waste)
_USED_STATUS_COLUMNS = [
    "employee_id",
    "credential",
    "status",
    "expires_on",
    "cycle_start",
    "hire_date",
    "cycle_points",
    "points_needed",
    "job_role",
    "site",
    "required",
    "renewal_secured",
]


def renewal_forecast(
    status: pd.DataFrame, ledger: pd.DataFrame, config: CompetenceConfig, as_of: dt.date
) -> pd.DataFrame:
    """The points forecast of each person and credential in or near the renewal window."""
    d = day_number(as_of)
    rules = {
        code: c.renewal
        for code, c in config.credentials.credentials.items()
        if isinstance(c.renewal, PointsRenewal)
    }
    horizon = config.policy.renewal_outlook_days
    label = status["status"].to_numpy(dtype=object)
    days_to_expiry = status["days_to_expiry"].to_numpy(dtype=float, na_value=np.nan)
    near = (
        status["credential"].isin(list(rules)).to_numpy()
        & ((label == "CERTIFIED") | (label == "EXPIRING"))
        & ((days_to_expiry <= horizon) | (label == "EXPIRING"))
    )
    rows = status.loc[near, _USED_STATUS_COLUMNS].reset_index(drop=True)

    own_effort = ledger[ledger["category"] != EMPLOYMENT]
    effort = own_effort.groupby(["employee_id", "credential"], observed=True)["points"].sum()
    effort = effort.rename("effort").reset_index()
    rows = rows.merge(effort, on=["employee_id", "credential"], how="left")
    rows["effort"] = rows["effort"].fillna(0.0)

    start = days_from_datetimes(rows["cycle_start"])[0]
    expiry = days_from_datetimes(rows["expires_on"])[0]
    hire = days_from_datetimes(rows["hire_date"])[0]
    elapsed = d - start
    pace = np.where(elapsed > 0, rows["effort"] / np.maximum(elapsed, 1), 0.0)
    per_year = rows["credential"].map({k: r.employment_points_per_year for k, r in rules.items()})
    required_points = rows["credential"].map({k: r.points_required for k, r in rules.items()})
    base = np.maximum(start, hire)
    years_to_come = completed_years(base, expiry) - completed_years(base, np.full(len(rows), d))
    manufacturing = is_manufacturing_role(rows["job_role"], config)
    to_come = np.where(manufacturing, years_to_come, 0) * per_year.to_numpy(dtype=float)
    days_left = expiry - d
    projected = rows["cycle_points"].to_numpy(dtype=float) + pace * days_left + to_come

    out = rows[["employee_id", "credential", "expires_on", "cycle_points", "points_needed"]].copy()
    out["days_left"] = pd.array(days_left, dtype="Int64")
    out["points_per_day_so_far"] = pace
    out["projected_points_at_expiry"] = projected
    out["on_track"] = projected >= required_points.to_numpy(dtype=float)
    out["site"] = rows["site"]
    out["status"] = rows["status"]
    out["required"] = rows["required"]
    out["renewal_secured"] = rows["renewal_secured"]
    out["employment_points_to_come"] = to_come
    out["as_of"] = pd.Timestamp(as_of)
    return out[list(FORECAST_COLUMNS)]
