"""What changed at a site since last week's snapshot (docs/reports.md).

Rows are matched on (employee_id, credential). Readings: "became non-compliant" includes people
new to the site who arrive non-compliant (marked ``new to site``); "certified or renewed" is a row
now CERTIFIED/EXPIRING that was not last week, or whose expiry moved later (a renewal); "left" is
a person in last week's site rows who is not in this week's, with the site they moved to when they
still work elsewhere in the company; "new expiries" are rows that entered the EXPIRING window.

Every change is also listed by cause (``joined``, ``entered_scope``, ``left_scope`` and
``transitions``; ``left`` above): "joined" is a person at the site this week who was not last
week - hired (new to the company's roster) or moved from another site; "entered scope" and
"left scope" are rows of people at the site both weeks whose credential became needed or no
longer needed (a role change, a requirement added or removed); a "transition" is a row in scope
both weeks whose status or compliance changed, in either direction (a renewal that moved the
expiry later counts too). ``rate`` splits the rate change into these causes
(:mod:`assets.reporting.rate_change`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from assets.csv_bytes import is_missing
from assets.reporting.labels import label
from assets.reporting.rate_change import IN_SCOPE, RateChange, rate_change
from schemas.vocabulary import Compliance, Status

KEY = ["employee_id", "credential"]
HOLDING = (Status.CERTIFIED, Status.EXPIRING)


@dataclass(frozen=True)
class Change:
    employee_id: str
    name: str
    job_role: str
    credential: str
    detail: str


@dataclass(frozen=True)
class Transition:
    """A row in scope both weeks whose status or compliance changed."""

    employee_id: str
    name: str
    job_role: str
    credential: str
    status_was: str
    status_now: str
    compliance_was: str
    compliance_now: str
    detail: str

    @property
    def direction(self) -> str:
        """better / worse / same, by compliance (a renewal or new expiry is "same")."""
        if self.compliance_was == self.compliance_now:
            return "same"
        return "better" if self.compliance_now == Compliance.COMPLIANT else "worse"


@dataclass(frozen=True)
class WeeklyChanges:
    has_previous: bool
    became_non_compliant: list[Change]
    certified_or_renewed: list[Change]
    left: list[Change]
    new_expiries: list[Change]
    joined: list[Change] = field(default_factory=list)
    entered_scope: list[Change] = field(default_factory=list)
    left_scope: list[Change] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    rate: RateChange | None = None

    @property
    def became_compliant(self) -> list[Transition]:
        return [t for t in self.transitions if t.direction == "better"]

    @property
    def no_longer_compliant(self) -> list[Transition]:
        return [t for t in self.transitions if t.direction == "worse"]

    def summary_counts(self) -> list[tuple[str, int]]:
        """The change counts in print order: the PDF's "Since last week" line and the site
        mail's both print this list, so their figures are the same."""
        better, worse = len(self.became_compliant), len(self.no_longer_compliant)
        return [
            ("joined", len(self.joined)),
            ("left", len(self.left)),
            ("newly need a credential", len(self.entered_scope)),
            ("no longer need one", len(self.left_scope)),
            ("became compliant", better),
            ("no longer compliant", worse),
            ("other status changes", len(self.transitions) - better - worse),
        ]


def _date(value: object) -> str:
    return "" if is_missing(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _word(code: object) -> str:
    return label(code).lower()


# the cells the rules below read of a row (this week's, and last week's as ``*_prev``)
READ = (
    *KEY,
    "first_name",
    "last_name",
    "job_role",
    "status",
    "compliance",
    "certified_on",
    "expires_on",
    "due_date",
    "hire_date",
    "renewal_secured",
    "status_prev",
    "compliance_prev",
    "expires_on_prev",
)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as dicts of the cells the rules read, as ``iterrows`` gives them
    (Timestamps, Python numbers, NA): a Series per row cost more than the rules reading it."""
    return frame[[c for c in READ if c in frame.columns]].to_dict("records")


def _change(row: Mapping[str, Any], detail: str) -> Change:
    return Change(
        str(row["employee_id"]),
        f"{row['first_name']} {row['last_name']}",
        str(row["job_role"]),
        str(row["credential"]),
        detail,
    )


def weekly_changes(
    current: pd.DataFrame,
    previous: pd.DataFrame,
    site: str,
    company_now: pd.DataFrame,
    previous_stored: bool | None = None,
) -> WeeklyChanges:
    """Compare the site's rows with last week's; ``company_now`` tells where leavers went.
    ``previous_stored``: whether last week is stored at all (default: ``previous`` has rows),
    for a caller whose ``previous`` holds only some sites' rows."""
    now = current[current["site"] == site]
    stored = previous is not None and not previous.empty
    if not (stored if previous_stored is None else previous_stored):
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
    for row, is_new in zip(_rows(merged), new_row, strict=True):
        if row["compliance"] == Compliance.NON_COMPLIANT and (
            is_new or row["compliance_prev"] != Compliance.NON_COMPLIANT
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
        if row["status"] == Status.EXPIRING and (is_new or row["status_prev"] != Status.EXPIRING):
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
    for row in (
        before[before["employee_id"].isin(gone_ids)]
        .drop_duplicates("employee_id")
        .sort_values(["last_name", "first_name", "employee_id"])
        .pipe(_rows)
    ):
        moved = elsewhere.get(row["employee_id"])
        detail = f"moved to site {moved}" if moved is not None else "no longer on the roster"
        left.append(_change(row, detail))
    previous_site = previous.drop_duplicates("employee_id").set_index("employee_id")["site"]
    joined = []
    for row in (
        now[~now["employee_id"].isin(set(before["employee_id"]))]
        .drop_duplicates("employee_id")
        .sort_values(["last_name", "first_name", "employee_id"])
        .pipe(_rows)
    ):
        came_from = previous_site.get(row["employee_id"])
        detail = (
            f"moved from site {came_from}"
            if came_from is not None
            else f"new on the roster, hired {_date(row['hire_date'])}"
        )
        joined.append(_change(row, detail))
    entered, left_scope, transitions = _scope_and_transitions(now, before)
    return WeeklyChanges(
        True,
        became_nc,
        certified,
        left,
        expiring,
        joined=joined,
        entered_scope=entered,
        left_scope=left_scope,
        transitions=transitions,
        rate=rate_change(current, previous, site),
    )


def _scope_and_transitions(
    now: pd.DataFrame, before: pd.DataFrame
) -> tuple[list[Change], list[Change], list[Transition]]:
    """Rows of people at the site both weeks: scope entered or left, and status transitions."""
    stayed = set(now["employee_id"]) & set(before["employee_id"])
    merged = now[now["employee_id"].isin(stayed)].merge(
        before.loc[
            before["employee_id"].isin(stayed), [*KEY, "status", "compliance", "expires_on"]
        ],
        on=KEY,
        how="outer",
        suffixes=("", "_prev"),
        indicator=True,
    )
    names = (
        pd.concat([now, before])
        .drop_duplicates("employee_id")
        .set_index("employee_id")[["first_name", "last_name", "job_role"]]
    )
    for column in ("first_name", "last_name", "job_role"):
        merged[column] = merged[column].where(
            merged[column].notna(), merged["employee_id"].map(names[column])
        )
    merged = merged.sort_values(["last_name", "first_name", "employee_id", "credential"])
    in_now = merged["compliance"].isin(IN_SCOPE) & (merged["_merge"] != "right_only")
    in_before = merged["compliance_prev"].isin(IN_SCOPE) & (merged["_merge"] != "left_only")
    entered, left_scope, transitions = [], [], []
    for row, now_in, before_in in zip(_rows(merged), in_now, in_before, strict=True):
        if now_in and not before_in:
            entered.append(
                _change(row, f"now needs {row['credential']}: {_word(row['compliance'])}")
            )
        elif before_in and not now_in:
            left_scope.append(_change(row, f"no longer needs {row['credential']}"))
        elif now_in and before_in:
            renewed = (
                not is_missing(row["expires_on_prev"])
                and not is_missing(row["expires_on"])
                and pd.Timestamp(row["expires_on"]) > pd.Timestamp(row["expires_on_prev"])
            )
            if (
                row["status"] == row["status_prev"]
                and row["compliance"] == row["compliance_prev"]
                and not renewed
            ):
                continue
            detail = (
                f"renewed: expiry {_date(row['expires_on_prev'])} -> {_date(row['expires_on'])}"
                if renewed
                else (
                    f"expires {_date(row['expires_on'])}"
                    if not is_missing(row["expires_on"])
                    else f"due {_date(row['due_date'])}"
                )
            )
            transitions.append(
                Transition(
                    str(row["employee_id"]),
                    f"{row['first_name']} {row['last_name']}",
                    str(row["job_role"]),
                    str(row["credential"]),
                    str(row["status_prev"]),
                    str(row["status"]),
                    str(row["compliance_prev"]),
                    str(row["compliance"]),
                    detail,
                )
            )
    return entered, left_scope, transitions
