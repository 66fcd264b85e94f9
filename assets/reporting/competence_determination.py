"""How competence is determined at a site (ISO 9001 7.2 a): each job role, what it needs.

For every job role of the people employed at the site on the as-of date: the credential that
requirements.yaml asks for, the entry that decides it (the site's own entry wins over ``*``),
how many people hold the role, and how many of them are compliant. A role decided as needing
no credential (``credential: null``) is "decided: none needed"; a role with no entry at all is
"not determined" - the gap the 7.2 a) finding names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from schemas.config import CompetenceConfig
from schemas.vocabulary import Compliance

NEEDS, NONE_NEEDED, NOT_DETERMINED = "needs", "none needed", "not determined"


@dataclass(frozen=True)
class RoleRequirement:
    job_role: str
    people: int
    credential: str | None
    decision: str  # NEEDS, NONE_NEEDED or NOT_DETERMINED
    entry: str  # where the decision is written, e.g. "requirements.yaml, site DAYTON"
    compliant: int  # people of the role compliant with the credential (0 unless NEEDS)


def _fold(role: str) -> str:
    # the engine's reading of a role name: spacing and case do not matter
    return " ".join(role.split()).casefold()


def _entry(config: CompetenceConfig, site: str, role: str) -> tuple[str | None, str, str]:
    """(credential, decision, where) for a role at a site, as the engine looks it up."""
    folded = _fold(role)
    for wanted, where in ((site, f"site {site}"), ("*", "any site (*)")):
        for entry in config.requirements.requirements:
            if entry.site == wanted and _fold(entry.job_role) == folded:
                decision = NEEDS if entry.credential else NONE_NEEDED
                return entry.credential, decision, f"requirements.yaml, {where}"
    return None, NOT_DETERMINED, "no entry in requirements.yaml"


def role_requirements_table(
    rows: pd.DataFrame, config: CompetenceConfig, site: str
) -> list[RoleRequirement]:
    """One line per job role at the site: undetermined roles first, then by role name."""
    if rows.empty:
        return []
    people = rows.drop_duplicates("employee_id")
    out = []
    for role, members in people.groupby(people["job_role"].astype(str), sort=True):
        credential, decision, where = _entry(config, site, role)
        ids = set(members["employee_id"])
        compliant = 0
        if credential:
            held = rows[
                rows["employee_id"].isin(ids)
                & (rows["credential"] == credential)
                & (rows["compliance"] == Compliance.COMPLIANT)
            ]
            compliant = int(held["employee_id"].nunique())
        out.append(RoleRequirement(role, len(ids), credential, decision, where, compliant))
    order = {NOT_DETERMINED: 0, NEEDS: 1, NONE_NEEDED: 2}
    return sorted(out, key=lambda r: (order[r.decision], r.job_role.casefold()))


def not_required_split(rows: pd.DataFrame) -> dict[str, int]:
    """NOT_REQUIRED rows split into "decided: none needed" and "not determined"."""
    not_required = rows[rows["compliance"] == Compliance.NOT_REQUIRED]
    determined = not_required["requirement_determined"].fillna(False).astype(bool)
    return {NONE_NEEDED: int(determined.sum()), NOT_DETERMINED: int((~determined).sum())}
