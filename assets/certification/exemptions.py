"""The company's recorded decisions, applied to the engine's status of D.

Rules (README "Exemptions and revocations"):

- **Revocation.** A credential withdrawn on ``revoked_on`` stops counting from that day: on any D on
  or after it, a row whose certification in force was obtained on or before the revocation
  (``certified_on <= revoked_on``) is ``EXPIRED`` with ``expires_on`` = the revocation date, and
  its compliance follows as for any expired credential (GRACE inside the new-hire grace, else
  NON_COMPLIANT, overdue since the later of the grace end and the revocation). A certification
  obtained after the revocation date counts again: the person's evidence of that credential dated
  after ``revoked_on`` is evaluated on its own (the engine, on these few people only), and when it
  certifies them that row replaces the withdrawn one. Before ``revoked_on`` nothing changes.
- **Exemption.** While an exemption is valid on D (``valid_from <= D <= valid_until``; no
  ``valid_until``: no end), a required row that is not COMPLIANT is ``EXEMPT``: its due date is
  the exemption's last day (empty without one). A person who is compliant anyway stays COMPLIANT.
  The status column is never changed by an exemption: it still says what the evidence shows.
- **What the report questions.** Each row names the exemption that speaks for D (in force, or
  else the one that ended last): one in force without an end date, or one that ended before D
  while the person is still not compliant, is an observation under 7.2 b)
  (``assets/reporting/exemption_review.py``).

Revocations are applied before exemptions: an exemption can excuse a revoked credential.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from assets.certification.compliance import COMPLIANT, EXEMPT, GRACE, NON_COMPLIANT
from assets.certification.engine import evaluate
from schemas.config import CompetenceConfig

REVOKED_STATUSES = ("CERTIFIED", "EXPIRING")
DECISION_COLUMNS = {
    "exemption_reason": object,
    "exemption_approved_by": object,
    "exemption_until": "datetime64[ns]",
    "revoked_on": "datetime64[ns]",
    "revocation_reason": object,
}


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        employee_id=frame["employee_id"].astype(str), credential=frame["credential"].astype(str)
    )


def _rows_of(status: pd.DataFrame, decisions: pd.DataFrame) -> np.ndarray:
    """Position in ``status`` of each decision's (employee_id, credential); -1 when absent.

    Only the rows of the people named are keyed (a week has far fewer decisions than rows)."""
    named = np.flatnonzero(status["employee_id"].isin(decisions["employee_id"].unique()))
    subset = status.iloc[named]
    keys = pd.MultiIndex.from_arrays(
        [subset["employee_id"].astype(str), subset["credential"].astype(str)]
    )
    wanted = pd.MultiIndex.from_arrays([decisions["employee_id"], decisions["credential"]])
    found = keys.get_indexer(wanted)
    return np.where(found >= 0, named[np.maximum(found, 0)], -1)


@dataclass(frozen=True)
class Evidence:
    """The engine's inputs of the week, to evaluate again what was earned after a revocation."""

    roster: pd.DataFrame
    results: pd.DataFrame
    activities: pd.DataFrame
    config: CompetenceConfig


def apply_revocations(
    status: pd.DataFrame,
    revocations: pd.DataFrame,
    as_of: date,
    grace_days: int,
    evidence: Evidence | None = None,
) -> pd.DataFrame:
    """The status of D with every revocation dated on or before D applied (see module doc)."""
    status = status.copy()
    for column, dtype in DECISION_COLUMNS.items():
        if column not in status:
            status[column] = pd.Series(None if dtype is object else pd.NaT, index=status.index)
            status[column] = status[column].astype(dtype)
    if revocations is None or revocations.empty or status.empty:
        return status
    d = pd.Timestamp(as_of)
    revocations = _keyed(revocations)
    revocations = revocations[pd.to_datetime(revocations["revoked_on"]) <= d]
    # the latest withdrawal on or before D of each person's credential decides
    revocations = revocations.sort_values("revoked_on").drop_duplicates(
        ["employee_id", "credential"], keep="last"
    )
    rows = _rows_of(status, revocations)
    revocations = revocations[rows >= 0]
    rows = rows[rows >= 0]
    if not len(rows):
        return status
    index = status.index[rows]
    revoked_on = pd.to_datetime(revocations["revoked_on"]).to_numpy()
    status.loc[index, "revoked_on"] = revoked_on
    status.loc[index, "revocation_reason"] = revocations["reason"].astype(str).to_numpy()

    certified_on = pd.to_datetime(status.loc[index, "certified_on"]).to_numpy()
    in_force = status.loc[index, "status"].isin(REVOKED_STATUSES).to_numpy()
    withdrawn = in_force & ~(certified_on > revoked_on)  # NaT compares False: withdrawn
    hit = index[withdrawn]
    ended = pd.Series(revoked_on[withdrawn], index=hit)
    status.loc[hit, "status"] = "EXPIRED"
    status.loc[hit, "expires_on"] = ended
    status.loc[hit, "days_to_expiry"] = (ended - d).dt.days
    status.loc[hit, "renewal_secured"] = False
    status.loc[hit, "points_needed"] = np.nan
    if "renewal_shown" in status:
        status.loc[hit, "renewal_shown"] = False

    required = status.loc[hit, "required"].astype(bool)
    grace_end = pd.to_datetime(status.loc[hit, "hire_date"]) + pd.Timedelta(days=grace_days)
    in_grace = required & (d < grace_end)
    overdue_since = pd.concat([grace_end, ended], axis=1).max(axis=1)
    overdue = required & ~in_grace
    status.loc[hit[in_grace.to_numpy()], "compliance"] = GRACE
    status.loc[hit[in_grace.to_numpy()], "due_date"] = grace_end[in_grace]
    status.loc[hit[overdue.to_numpy()], "compliance"] = NON_COMPLIANT
    status.loc[hit[overdue.to_numpy()], "due_date"] = overdue_since[overdue]
    if "overdue_days" in status:
        status.loc[hit[overdue.to_numpy()], "overdue_days"] = (d - overdue_since[overdue]).dt.days
    if evidence is not None and len(hit):
        status = _recertified(status, hit, as_of, evidence)
    return status


def _recertified(
    status: pd.DataFrame, withdrawn: pd.Index, as_of: date, evidence: Evidence
) -> pd.DataFrame:
    """Rows whose credential was earned again after its revocation, from that evidence alone.

    Vectorised per credential (a handful), never per person: a week may carry many revocations.
    """
    rows = status.loc[withdrawn]
    people = rows["employee_id"].astype(str)
    named = people.unique()
    results = evidence.results[evidence.results["employee_id"].isin(named)]
    result_person = results["employee_id"].astype(str)
    before = pd.Series(False, index=results.index)
    for code, group in rows.groupby(rows["credential"].astype(str)):
        credential = evidence.config.credentials.credentials[code]
        modules = [*credential.required_modules, *credential.optional_modules]
        revoked = pd.Series(
            group["revoked_on"].to_numpy(), index=group["employee_id"].astype(str).to_numpy()
        )
        cutoff = result_person.map(revoked)  # NaT for people without this revocation
        before |= results["module"].astype(str).isin(modules) & (
            results["assessment_date"] <= cutoff
        ).fillna(False).astype(bool)
    roster = evidence.roster[evidence.roster["employee_id"].isin(named)]
    activities = evidence.activities[evidence.activities["employee_id"].isin(named)]
    again = evaluate(roster, results[~before], activities, evidence.config, as_of, workers=1)
    fresh = again.status
    position = pd.MultiIndex.from_arrays(
        [fresh["employee_id"].astype(str), fresh["credential"].astype(str)]
    ).get_indexer(pd.MultiIndex.from_arrays([people, rows["credential"].astype(str)]))
    found = position >= 0
    fresh = fresh.iloc[position[found]]
    earned_again = fresh["status"].isin(REVOKED_STATUSES).to_numpy() & (
        fresh["certified_on"].to_numpy() > rows["revoked_on"].to_numpy()[found]
    )
    target = rows.index[found][earned_again]
    if not len(target):
        return status
    fresh = fresh[earned_again]
    status = status.copy()
    for column in fresh.columns.intersection(status.columns):
        if column in DECISION_COLUMNS:
            continue  # the revocation stays named on the row
        status.loc[target, column] = fresh[column].to_numpy()
    return status


def current_exemptions(exemptions: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per (person, credential), the exemption that speaks for D: the one in force on D that ends
    last; with none in force, the one that ended last (a lapsed exemption). Not yet started:
    none."""
    columns = ["employee_id", "credential", "reason", "approved_by", "valid_from", "valid_until"]
    if exemptions is None or exemptions.empty:
        return pd.DataFrame(columns=[*columns, "in_force"])
    d = pd.Timestamp(as_of)
    frame = _keyed(exemptions)
    until = pd.to_datetime(frame["valid_until"])
    started = pd.to_datetime(frame["valid_from"]) <= d
    frame = frame[started].assign(
        in_force=(until.isna() | (until >= d))[started],
        _end=until[started].fillna(pd.Timestamp.max),
    )
    frame = frame.sort_values(["in_force", "_end"]).drop_duplicates(
        ["employee_id", "credential"], keep="last"
    )
    return frame.drop(columns=["_end"])


def apply_exemptions(status: pd.DataFrame, exemptions: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """The status of D with EXEMPT compliance where an exemption is in force (see module doc).

    Every row with an exemption started on or before D names it (reason, approver, end), so a
    lapsed one stays visible: ``exemption_until`` before D and compliance not EXEMPT."""
    current = current_exemptions(exemptions, as_of)
    if current.empty or status.empty:
        return status
    status = status.copy()
    rows = _rows_of(status, current)
    current = current[rows >= 0]
    index = status.index[rows[rows >= 0]]
    status.loc[index, "exemption_reason"] = current["reason"].astype(str).to_numpy()
    status.loc[index, "exemption_approved_by"] = current["approved_by"].astype(str).to_numpy()
    status.loc[index, "exemption_until"] = pd.to_datetime(current["valid_until"]).to_numpy()
    excused = (
        current["in_force"].to_numpy(dtype=bool)
        & status.loc[index, "required"].astype(bool).to_numpy()
        & (status.loc[index, "compliance"] != COMPLIANT).to_numpy()
    )
    hit = index[excused]
    status.loc[hit, "compliance"] = EXEMPT
    status.loc[hit, "due_date"] = status.loc[hit, "exemption_until"]
    if "overdue_days" in status:
        # an exempt person is not overdue: empty, as for everyone not overdue (never a -1)
        status.loc[hit, "overdue_days"] = pd.NA
    return status
