"""The action list: who must do what by when, and the points forecast of those near renewal.

Who needs action: every NON_COMPLIANT row (overdue: act now), every GRACE row (qualify by the
due date) and every EXPIRING row whose renewal is not yet secured (renew by the expiry date).
Most urgent first: overdue rows by days overdue (longest first), then the rest by date.
"Near renewal" (docs/reports.md) reads as: expiry within twice the warning window.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from assets.csv_bytes import is_missing
from assets.reporting.figures import overdue_text, person_name, round_points
from schemas.config import CompetenceConfig, PointsRenewal
from schemas.vocabulary import Compliance, Status

LEDGER_CATEGORIES = ("CONTINUING_EDUCATION", "EMPLOYMENT", "ASSESSMENT_RETAKE")


@dataclass(frozen=True)
class Action:
    employee_id: str
    name: str
    job_role: str
    credential: str
    compliance: str
    what: str
    by_when: date | None
    overdue_days: int
    manager: str

    @property
    def when_text(self) -> str:
        if self.overdue_days > 0:
            return overdue_text(self.overdue_days)
        return f"{self.by_when:%Y-%m-%d}" if self.by_when else "now"


@dataclass(frozen=True)
class RenewalOutlook:
    employee_id: str
    name: str
    credential: str
    expires_on: str
    days_left: int
    points: float
    needed: float
    projected: float | None
    on_track: bool | None
    ledger: dict[str, float]


def _passed(value: object) -> set[str]:
    return set() if is_missing(value) else {m for m in str(value).split(";") if m}


def _when(value: object) -> date | None:
    return None if is_missing(value) else pd.Timestamp(value).date()


def _what(row: Mapping[str, Any], config: CompetenceConfig) -> str:
    credential = config.credentials.credentials.get(str(row["credential"]))
    if row["status"] == Status.EXPIRING:
        if credential and isinstance(credential.renewal, PointsRenewal):
            needed = row.get("points_needed")
            amount = "" if is_missing(needed) else f"{float(needed):g} more "
            return f"Earn {amount}renewal points before expiry"
        modules = ", ".join(credential.required_modules) if credential else "the modules"
        return f"Pass {modules} again before expiry"
    if row["status"] == Status.EXPIRED:
        return (
            "Re-certify: pass every required module again (expired "
            f"{pd.Timestamp(row['expires_on']):%Y-%m-%d})"
            if not is_missing(row["expires_on"])
            else "Re-certify: pass every required module again"
        )
    if credential is None:
        return f"Complete {row['credential']}"
    missing = [m for m in credential.required_modules if m not in _passed(row["modules_passed"])]
    return "Pass " + ", ".join(missing) if missing else f"Complete {row['credential']}"


def action_list(rows: pd.DataFrame, config: CompetenceConfig) -> list[Action]:
    """Every row needing action at one site, most urgent first."""
    secured = rows["renewal_secured"].map(lambda v: not is_missing(v) and bool(v))
    need = rows[
        (rows["compliance"].isin((Compliance.NON_COMPLIANT, Compliance.GRACE)))
        | ((rows["status"] == Status.EXPIRING) & ~secured)
    ]
    actions = []
    # rows as dicts (the cells iterrows gives, without building a Series per row)
    for row in need.to_dict("records"):
        overdue = row.get("overdue_days")
        overdue = 0 if is_missing(overdue) else int(overdue)
        if row["compliance"] == Compliance.NON_COMPLIANT:
            by_when = _when(row["due_date"])
            overdue = max(overdue, 0)
        elif row["status"] == Status.EXPIRING:
            by_when = _when(row["expires_on"])
        else:
            by_when = _when(row["due_date"])
        manager = "" if is_missing(row.get("manager_email")) else str(row["manager_email"])
        actions.append(
            Action(
                str(row["employee_id"]),
                person_name(row["first_name"], row["last_name"]),
                str(row["job_role"]),
                str(row["credential"]),
                str(row["compliance"]),
                _what(row, config),
                by_when,
                overdue if row["compliance"] == Compliance.NON_COMPLIANT else 0,
                manager,
            )
        )
    # Overdue first (longest first), then by date; person and credential break ties stably.
    return sorted(
        actions,
        key=lambda a: (
            a.compliance != Compliance.NON_COMPLIANT,
            -a.overdue_days,
            a.by_when or date.min,
            a.employee_id,
            a.credential,
        ),
    )


def actions_frame(actions: list[Action]) -> pd.DataFrame:
    """The action list as a table (the PDF's actions.csv attachment)."""
    return pd.DataFrame(
        {
            "employee_id": [a.employee_id for a in actions],
            "name": [a.name for a in actions],
            "job_role": [a.job_role for a in actions],
            "credential": [a.credential for a in actions],
            "compliance": [a.compliance for a in actions],
            "action": [a.what for a in actions],
            "due_date": [a.by_when for a in actions],
            "overdue_days": [a.overdue_days for a in actions],
            "manager": [a.manager for a in actions],
        }
    )


def outlook_frame(outlook: list[RenewalOutlook]) -> pd.DataFrame:
    """The renewal outlook as a table (the PDF's renewal_outlook.csv attachment)."""
    return pd.DataFrame(
        {
            "employee_id": [o.employee_id for o in outlook],
            "name": [o.name for o in outlook],
            "credential": [o.credential for o in outlook],
            "expires_on": [o.expires_on for o in outlook],
            "days_left": [o.days_left for o in outlook],
            # points mean tenths at most: one decimal, projections too (not 158.4158853)
            **{
                category.lower() + "_points": [
                    round_points(o.ledger.get(category, 0.0)) for o in outlook
                ]
                for category in LEDGER_CATEGORIES
            },
            "cycle_points": [round_points(o.points) for o in outlook],
            "points_needed": [round_points(o.needed) for o in outlook],
            "projected_points_at_expiry": [round_points(o.projected) for o in outlook],
            "on_track": [o.on_track for o in outlook],
        }
    )


def renewal_outlook(
    rows: pd.DataFrame, forecast: pd.DataFrame, ledger: pd.DataFrame, window_days: int
) -> list[RenewalOutlook]:
    """Points forecast and ledger by category for the site's people near renewal."""
    if forecast.empty:
        return []
    people = rows[rows["compliance"] == Compliance.COMPLIANT][
        ["employee_id", "credential", "first_name", "last_name", "cycle_start"]
    ]
    near = forecast.merge(people, on=["employee_id", "credential"], how="inner")
    days = pd.to_numeric(near["days_left"], errors="coerce")
    near = near[(days >= 0) & (days <= window_days)].sort_values(["days_left", "employee_id"])
    # points by category in each person's current cycle, summed once (not a scan per person)
    points = pd.DataFrame(columns=["employee_id", "credential", *LEDGER_CATEGORIES])
    if not ledger.empty and not near.empty:
        mine = ledger.merge(
            near[["employee_id", "credential", "cycle_start"]].rename(
                columns={"cycle_start": "current_cycle"}
            ),
            on=["employee_id", "credential"],
        )
        current = pd.to_datetime(mine["cycle_start"]) == pd.to_datetime(mine["current_cycle"])
        mine = mine[current | mine["current_cycle"].isna()]
        points = (
            mine.pivot_table(
                index=["employee_id", "credential"],
                columns="category",
                values="points",
                aggfunc="sum",
                fill_value=0.0,
            )
            .reindex(columns=list(LEDGER_CATEGORIES), fill_value=0.0)
            .reset_index()
        )
    by_person = {
        (r["employee_id"], r["credential"]): {c: float(r[c]) for c in LEDGER_CATEGORIES}
        for r in points.to_dict("records")
    }
    outlooks = []
    for _, row in near.iterrows():
        by_category = by_person.get(
            (row["employee_id"], row["credential"]), dict.fromkeys(LEDGER_CATEGORIES, 0.0)
        )
        projected = row.get("projected_points_at_expiry")
        on_track = row.get("on_track")
        outlooks.append(
            RenewalOutlook(
                str(row["employee_id"]),
                person_name(row["first_name"], row["last_name"]),
                str(row["credential"]),
                f"{pd.Timestamp(row['expires_on']):%Y-%m-%d}",
                int(row["days_left"]),
                float(row["cycle_points"] or 0),
                0.0 if is_missing(row["points_needed"]) else float(row["points_needed"]),
                None if is_missing(projected) else float(projected),
                None if is_missing(on_track) else bool(on_track),
                by_category,
            )
        )
    return outlooks
