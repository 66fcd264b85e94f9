"""Corrective actions with a history: raised, carried week to week, escalated, closed.

An action is keyed by (person, credential, kind). Its history is *derived*, point-in-time, from the
stored weekly ``certification_status`` of the weeks up to the one being built, never from a
previous run's action table: a backfill, a rerun of a middle week and the weekly run therefore
build the same table for a week whatever order the weeks ran in, and a week never waits for the
previous week's actions. An action is open in every stored week whose status needs it; the first
stored week where it is no longer needed closes it, and the row of that week says how.

Kinds: ``CERTIFY`` (never certified: in grace or non-compliant), ``RECERTIFY`` (expired),
``RENEW`` (expiring, renewal not secured) and ``CONTAIN`` (a safety-critical credential expired or
missing: remove the person from the task until re-certified; raised next to the re-certify one).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from schemas.config import CompetenceConfig
from schemas.vocabulary import ActionKind, Compliance, Status

KEY = ["employee_id", "credential", "kind"]
# What the history needs of each stored week's certification_status (read column by column).
STATUS_COLUMNS = [
    "week",
    "site",
    "employee_id",
    "first_name",
    "last_name",
    "credential",
    "status",
    "compliance",
    "renewal_secured",
    "due_date",
    "expires_on",
]
CONTAINMENT = "Remove from the task until re-certified"
WHAT = {
    ActionKind.CERTIFY: "Certify: pass every required module",
    ActionKind.RECERTIFY: "Re-certify: pass every required module again",
    ActionKind.RENEW: "Renew before expiry",
    ActionKind.CONTAIN: CONTAINMENT,
}
COLUMNS = {
    "site": "object",
    "employee_id": "object",
    "name": "object",
    "credential": "object",
    "kind": "object",
    "action": "object",
    "first_raised": "datetime64[ns]",
    "weeks_open": "int64",
    "due_date": "datetime64[ns]",
    "days_past_due": "int64",
    "state": "object",
    "escalated_to": "object",
    "closed_week": "datetime64[ns]",
    "closed_how": "object",
    "closed_on_time": "object",
}


def needed_actions(status: pd.DataFrame, config: CompetenceConfig) -> pd.DataFrame:
    """The actions each row of (one or many weeks of) certification status needs.

    One row per (week, person, credential, kind) with the site, the name and the due date:
    the expiry date for a renewal, the status's due date otherwise (for a non-compliant person
    the day they became overdue; a containment is due at once, so from that same day).
    """
    secured = status["renewal_secured"].astype("boolean").fillna(False).astype(bool)
    compliance, state = status["compliance"], status["status"]
    renew = (compliance == Compliance.COMPLIANT) & (state == Status.EXPIRING) & ~secured
    lacking = compliance.isin((Compliance.NON_COMPLIANT, Compliance.GRACE))
    kind = np.where(
        renew,
        ActionKind.RENEW,
        np.where(state == Status.EXPIRED, ActionKind.RECERTIFY, ActionKind.CERTIFY),
    )
    due = status["due_date"].where(~renew, status["expires_on"])
    rows = status.assign(kind=kind, due_date=pd.to_datetime(due))[renew | lacking]
    critical = {n for n, c in config.credentials.credentials.items() if c.safety_critical}
    contain = rows[
        (rows["compliance"] == Compliance.NON_COMPLIANT) & rows["credential"].isin(critical)
    ]
    rows = pd.concat([rows, contain.assign(kind=ActionKind.CONTAIN)], ignore_index=True)
    rows["name"] = rows["first_name"].fillna("") + " " + rows["last_name"].fillna("")
    return rows[["week", "site", "employee_id", "name", "credential", "kind", "due_date"]]


def _episodes(needed: pd.DataFrame, weeks: list[pd.Timestamp]) -> pd.DataFrame:
    """First and last stored week of each unbroken run of weeks an action was needed.

    Weeks are counted in *stored* weeks: a week nobody computed is not a gap (nothing says the
    action was done then), a stored week without the action is one (it was closed).
    """
    index = {w: i for i, w in enumerate(weeks)}
    frame = needed.assign(n=needed["week"].map(index)).sort_values([*KEY, "n"])
    new_run = (frame[KEY].ne(frame[KEY].shift()).any(axis=1)) | (frame["n"].diff() != 1)
    frame["episode"] = new_run.cumsum()
    return frame.groupby("episode").agg(
        **{k: (k, "first") for k in KEY},
        first_raised=("week", "min"),
        last_seen=("week", "max"),
    )


def _closed_how(kind: str, now: dict | None, left: bool, other_kinds: set[str]) -> str:
    if now is None:
        return "left the company" if left else "no longer required of this person"
    if now["compliance"] == Compliance.COMPLIANT:
        if kind == ActionKind.RENEW:
            return "renewed"
        return "re-certified, back on the task" if kind == ActionKind.CONTAIN else "certified"
    if now["compliance"] == Compliance.NOT_REQUIRED:
        return "no longer required (role changed)"
    if kind == ActionKind.RENEW and ActionKind.RECERTIFY in other_kinds:
        return "not renewed in time: the credential expired (a re-certify action is open)"
    return "superseded by another action"


def action_history(
    status_history: pd.DataFrame, week: date, config: CompetenceConfig
) -> pd.DataFrame:
    """The corrective actions of ``week``: every action open that week and every action closed
    since the previous stored week, from the stored weekly statuses of weeks up to ``week``.

    ``status_history`` holds :data:`STATUS_COLUMNS` of the stored weeks (later weeks are ignored,
    so the result for a week never depends on weeks computed after it).
    """
    this_week = pd.Timestamp(week)
    history = status_history[pd.to_datetime(status_history["week"]) <= this_week].copy()
    history["week"] = pd.to_datetime(history["week"])
    weeks = sorted(set(history["week"]) | {this_week})
    previous = weeks[-2] if len(weeks) > 1 else None
    needed = needed_actions(history, config)
    if needed.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})
    episodes = _episodes(needed, weeks)
    ending = episodes[
        (episodes["last_seen"] == this_week)
        | ((episodes["last_seen"] == previous) & (previous is not None))
    ].reset_index(drop=True)
    detail = needed.set_index([*KEY, "week"])
    last = detail.loc[list(zip(*(ending[k] for k in [*KEY, "last_seen"]), strict=True))]
    ending = ending.assign(**{c: last[c].to_numpy() for c in ("site", "name", "due_date")})

    as_of = this_week + timedelta(days=6)
    now_rows = history[history["week"] == this_week]
    now = {(r["employee_id"], r["credential"]): r for r in now_rows.to_dict("records")}
    present = set(now_rows["employee_id"])
    open_now = needed[needed["week"] == this_week]
    kinds_now: dict[tuple[str, str], set[str]] = {}
    for e, c, k in open_now[["employee_id", "credential", "kind"]].itertuples(index=False):
        kinds_now.setdefault((e, c), set()).add(k)
    rows = []
    for a in ending.to_dict("records"):
        closed = a["last_seen"] != this_week
        end = a["last_seen"] + timedelta(days=7) if closed else this_week
        due = a["due_date"]
        days_past = 0 if pd.isna(due) else max((as_of - due).days, 0)
        if closed:
            key = (a["employee_id"], a["credential"])
            how = _closed_how(
                a["kind"], now.get(key), a["employee_id"] not in present, kinds_now.get(key, set())
            )
            # closed on time: the week that saw it closed ended on or before its due date
            on_time = bool(pd.isna(due) or (end + timedelta(days=6)) <= due)
            state, escalated_to = "closed", ""
        else:
            how, on_time = "", None
            escalated_to = _escalated_to(a["site"], days_past, config)
            state = "escalated" if escalated_to else ("overdue" if days_past > 0 else "open")
        rows.append(
            {
                "site": a["site"],
                "employee_id": a["employee_id"],
                "name": a["name"],
                "credential": a["credential"],
                "kind": a["kind"],
                "action": WHAT[a["kind"]],
                "first_raised": a["first_raised"],
                "weeks_open": (end - a["first_raised"]).days // 7 + (0 if closed else 1),
                "due_date": due,
                "days_past_due": days_past if not closed else 0,
                "state": state,
                "escalated_to": escalated_to,
                "closed_week": this_week if closed else pd.NaT,
                "closed_how": how,
                "closed_on_time": on_time,
            }
        )
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.sort_values(
        ["state", "days_past_due", "employee_id", "credential", "kind"],
        ascending=[True, False, True, True, True],
        ignore_index=True,
    ).astype({"weeks_open": "int64", "days_past_due": "int64"})


def _escalated_to(site: str, days_past_due: int, config: CompetenceConfig) -> str:
    """Whom an open action has escalated to by now: the company roll-up past the longer limit,
    the site lead past the shorter one, nobody before (policy ``escalation``)."""
    policy = config.policy.escalation
    if days_past_due > policy.company_after_days:
        return "company"
    if days_past_due > policy.site_lead_after_days:
        return "site lead"
    return ""


def site_lead(site: str, config: CompetenceConfig) -> str:
    """The site lead an action escalates to, as policy.yaml names them (empty when unnamed)."""
    return config.policy.sites[site].lead if site in config.policy.sites else ""


def escalation_note(actions: pd.DataFrame, site: str, config: CompetenceConfig) -> str:
    """The sentence the site's mail prints about its escalated actions (empty when none):
    ``2 corrective action(s) more than 30 days past due, escalated to the site lead: Dana
    Whitfield, plant manager (1 also listed in the company roll-up, more than 90 days).``"""
    if actions.empty:
        return ""
    mine = actions[(actions["site"] == site) & (actions["state"] == "escalated")]
    if mine.empty:
        return ""
    policy = config.policy.escalation
    lead = site_lead(site, config) or f"not named (set sites.{site}.lead in policy.yaml)"
    to_company = int((mine["escalated_to"] == "company").sum())
    also = (
        f" ({to_company} also listed in the company roll-up, more than "
        f"{policy.company_after_days} days)"
        if to_company
        else ""
    )
    return (
        f"{len(mine)} corrective action(s) more than {policy.site_lead_after_days} days past due, "
        f"escalated to the site lead: {lead}{also}."
    )


MAX_PRINTED = 40  # the longest-overdue open actions print; every one is in corrective_actions.csv


def _printable(frame: pd.DataFrame) -> list[dict]:
    out = []
    for r in frame.to_dict("records"):
        out.append(
            {
                **r,
                "first_raised": f"{pd.Timestamp(r['first_raised']):%Y-%m-%d}",
                "due": "" if pd.isna(r["due_date"]) else f"{pd.Timestamp(r['due_date']):%Y-%m-%d}",
                "age_days": int(r["weeks_open"]) * 7,
            }
        )
    return out


def action_report(actions: pd.DataFrame, site: str | None, config: CompetenceConfig) -> dict:
    """What the report prints of the corrective actions: the open ones with their age (longest
    overdue first), those closed since last week, and the escalations (a site's to its lead, the
    company roll-up's past the longer limit)."""
    mine = actions if site is None else actions[actions["site"] == site]
    opened = mine[mine["state"] != "closed"].sort_values(
        ["days_past_due", "weeks_open", "employee_id", "kind"], ascending=[False, False, True, True]
    )
    closed = mine[mine["state"] == "closed"].sort_values(["employee_id", "credential", "kind"])
    escalated = opened[opened["escalated_to"] != ""]
    to_company = opened[opened["escalated_to"] == "company"]
    policy = config.policy.escalation
    return {
        "open": _printable(opened.head(MAX_PRINTED)),
        "open_total": len(opened),
        "closed": _printable(closed.head(MAX_PRINTED)),
        "closed_total": len(closed),
        "escalated_total": len(escalated),
        "company_total": len(to_company),
        "company": _printable(to_company.head(MAX_PRINTED)),
        "containment_total": int((opened["kind"] == ActionKind.CONTAIN).sum()),
        "lead": site_lead(site, config) if site else "",
        "site_lead_days": policy.site_lead_after_days,
        "company_days": policy.company_after_days,
        "closed_on_time": int((closed["closed_on_time"] == True).sum()),  # noqa: E712
    }
