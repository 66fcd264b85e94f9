"""Summary figures of one site's week: counts, compliance rate, expiries and the rate's trend.

Compliance rate = COMPLIANT rows / in-scope rows (COMPLIANT + GRACE + NON_COMPLIANT), one row per
person and credential, computed from this week's status rows so the cover agrees with the counts
beside it; the trend takes earlier weeks from the stored snapshots (``compliance_history``) and
this week's point from the same computation. Expiries
count compliant rows whose expiry falls 0..N days after D, cumulatively (30 within 60 within 90),
like the snapshot's ``expiring_30/60/90``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from assets.csv_bytes import is_missing
from schemas.vocabulary import Compliance, Status

STATUSES = (
    Status.CERTIFIED,
    Status.EXPIRING,
    Status.IN_PROGRESS,
    Status.NOT_STARTED,
    Status.EXPIRED,
)
# EXEMPT is counted (and printed) apart: outside every rate's denominator, never hidden
COMPLIANCES = (
    Compliance.COMPLIANT,
    Compliance.GRACE,
    Compliance.NON_COMPLIANT,
    Compliance.NOT_REQUIRED,
    Compliance.EXEMPT,
)
IN_SCOPE = (Compliance.COMPLIANT, Compliance.GRACE, Compliance.NON_COMPLIANT)
EXPIRY_HORIZONS = (30, 60, 90)


@dataclass(frozen=True)
class Trend:
    weeks: list[date]
    rates: list[float | None]
    wanted_weeks: int
    note: str = ""


@dataclass(frozen=True)
class SiteSummary:
    headcount: int
    in_scope: int
    by_compliance: dict[str, int]
    by_status: dict[str, int]  # in-scope rows only: the people who need the credential
    rate: float | None
    expiring_within: dict[int, int]
    secured_within_90: int
    trend: Trend = field(default_factory=lambda: Trend([], [], 0))


def compliance_rate(compliant: int, in_scope: int) -> float | None:
    return compliant / in_scope if in_scope else None


def rate_trend(
    history: pd.DataFrame, week: date, wanted: int, this_week_rate: float | None = None
) -> Trend:
    """The last ``wanted`` weeks ending at ``week``; says so when fewer are stored.

    Weeks inside the window with no stored snapshot are gaps in the line; the window starts at
    the first stored week so a young history is not drawn as a long run of gaps.
    """
    weeks_of = pd.to_datetime(history["week"]).dt.date if not history.empty else []
    stored = {
        w: r for w, r in zip(weeks_of, history.get("compliance_rate", []), strict=True) if w <= week
    }
    if this_week_rate is not None:
        stored[week] = this_week_rate
    if not stored:
        return Trend(
            [],
            [],
            wanted,
            f"No weekly snapshots are stored yet; the {wanted}-week "
            "trend starts with the next run.",
        )
    window = [week - timedelta(weeks=k) for k in range(wanted - 1, -1, -1)]
    window = [w for w in window if w >= min(stored, default=week)]
    rates = [None if is_missing(stored.get(w)) else float(stored[w]) for w in window]
    known = sum(r is not None for r in rates)
    note = ""
    if known < wanted:
        note = (
            f"History is shorter than {wanted} weeks: the trend shows the {known} week(s) "
            f"with a compliance rate since {window[0]:%Y-%m-%d}."
        )
    return Trend(window, rates, wanted, note)


def site_summary(
    rows: pd.DataFrame, history: pd.DataFrame, week: date, as_of: date, wanted_weeks: int
) -> SiteSummary:
    """Figures of one site; ``rows`` are the site's status rows, ``history`` its snapshots."""
    by_compliance = {c: int((rows["compliance"] == c).sum()) for c in COMPLIANCES}
    scope = rows[rows["compliance"].isin(IN_SCOPE)]
    by_status = {s: int((scope["status"] == s).sum()) for s in STATUSES}
    in_scope = len(scope)
    rate = compliance_rate(by_compliance[Compliance.COMPLIANT], in_scope)
    compliant = rows[rows["compliance"] == Compliance.COMPLIANT]
    days = pd.to_numeric(compliant["days_to_expiry"], errors="coerce")
    expiring = {n: int(((days >= 0) & (days <= n)).sum()) for n in EXPIRY_HORIZONS}
    secured = compliant["renewal_secured"].map(lambda v: not is_missing(v) and bool(v))
    return SiteSummary(
        headcount=int(rows["employee_id"].nunique()),
        in_scope=in_scope,
        by_compliance=by_compliance,
        by_status=by_status,
        rate=rate,
        expiring_within=expiring,
        secured_within_90=int((secured & (days >= 0) & (days <= 90)).sum()),
        trend=rate_trend(history, week, wanted_weeks, this_week_rate=rate),
    )
