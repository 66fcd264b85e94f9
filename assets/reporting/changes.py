"""What changed at a site since last week's snapshot (SPEC 5 section 3).

Rows are matched on (employee_id, credential). Readings: "became non-compliant" includes people
new to the site who arrive non-compliant (marked ``new to site``); "certified or renewed" is a row
now CERTIFIED/EXPIRING that was not last week, or whose expiry moved later (a renewal); "left" is
a person in last week's site rows who is not in this week's, with the site they moved to when they
still work elsewhere in the company; "new expiries" are rows that entered the EXPIRING window.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from assets.reporting.exports import is_missing
from assets.reporting.labels import label

KEY = ["employee_id", "credential"]
HOLDING = ("CERTIFIED", "EXPIRING")


@dataclass(frozen=True)
class Change:
    employee_id: str
    name: str
    job_role: str
    credential: str
    detail: str


@dataclass(frozen=True)
class WeeklyChanges:
    has_previous: bool
    became_non_compliant: list[Change]
    certified_or_renewed: list[Change]
    left: list[Change]
    new_expiries: list[Change]


def _date(value: object) -> str:
    return "" if is_missing(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _change(row: pd.Series, detail: str) -> Change:
    return Change(
        str(row["employee_id"]),
        f"{row['first_name']} {row['last_name']}",
        str(row["job_role"]),
        str(row["credential"]),
        detail,
    )


def weekly_changes(
    current: pd.DataFrame, previous: pd.DataFrame, site: str, company_now: pd.DataFrame
) -> WeeklyChanges:
    """Compare the site's rows with last week's; ``company_now`` tells where leavers went."""
    now = current[current["site"] == site]
    if previous is None or previous.empty:
        return WeeklyChanges(False, [], [], [], [])
    before = previous[previous["site"] == site]
    merged = now.merge(
        before[[*KEY, "status", "compliance", "expires_on"]],
        on=KEY,
        how="left",
        suffixes=("", "_prev"),
        indicator=True,
    )
    merged = merged.sort_values(["last_name", "first_name", "employee_id", "credential"])
    new_row = merged["_merge"] == "left_only"
    became_nc, certified, expiring = [], [], []
    for (_, row), is_new in zip(merged.iterrows(), new_row, strict=True):
        if row["compliance"] == "NON_COMPLIANT" and (
            is_new or row["compliance_prev"] != "NON_COMPLIANT"
        ):
            was = "new to site" if is_new else f"was {label(row['compliance_prev']).lower()}"
            became_nc.append(
                _change(row, f"{label(row['status'])}, due {_date(row['due_date'])} ({was})")
            )
        if row["status"] in HOLDING:
            if not is_new and row["status_prev"] not in HOLDING:
                certified.append(
                    _change(
                        row,
                        f"certified {_date(row['certified_on'])}, "
                        f"expires {_date(row['expires_on'])}",
                    )
                )
            elif (
                not is_new
                and not is_missing(row["expires_on_prev"])
                and not is_missing(row["expires_on"])
                and pd.Timestamp(row["expires_on"]) > pd.Timestamp(row["expires_on_prev"])
            ):
                certified.append(
                    _change(
                        row,
                        f"renewed: expiry {_date(row['expires_on_prev'])} "
                        f"-> {_date(row['expires_on'])}",
                    )
                )
        if row["status"] == "EXPIRING" and (is_new or row["status_prev"] != "EXPIRING"):
            secured = row.get("renewal_secured")
            note = ", renewal points secured" if not is_missing(secured) and secured else ""
            expiring.append(_change(row, f"expires {_date(row['expires_on'])}{note}"))
    gone_ids = sorted(set(before["employee_id"]) - set(now["employee_id"]))
    elsewhere = (
        company_now.drop_duplicates("employee_id").set_index("employee_id")["site"]
        if not company_now.empty
        else pd.Series(dtype=object)
    )
    left = []
    for _, row in (
        before[before["employee_id"].isin(gone_ids)]
        .drop_duplicates("employee_id")
        .sort_values(["last_name", "first_name", "employee_id"])
        .iterrows()
    ):
        moved = elsewhere.get(row["employee_id"])
        detail = f"moved to site {moved}" if moved is not None else "no longer on the roster"
        left.append(_change(row, detail))
    return WeeklyChanges(True, became_nc, certified, left, expiring)
