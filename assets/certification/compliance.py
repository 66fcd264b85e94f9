"""Compliance of each status row with the role's requirement, and its roll-up per site.

Per row (SPEC 2, "Requirement and compliance"):

- ``NOT_REQUIRED``: the role does not require this credential; no due date.
- ``COMPLIANT``: status CERTIFIED or EXPIRING. The due date is the expiry date: the natural date
  by which the renewal is due.
- ``GRACE``: otherwise, when D is less than ``new_hire_grace_days`` after the hire date
  (D < hire + grace); due date = hire + grace.
- ``NON_COMPLIANT``: otherwise; due date = overdue since the later of the grace end and the last
  expiry (if the person ever held the credential), and ``overdue_days`` = D - due date
  (0 on the day the grace period ends).

Site roll-up: the people *in scope* are the employed people whose role requires a credential;
``not_required`` counts the employed people whose role requires none. ``expiring_30/60/90`` count
compliant people in scope whose expiry is at most 30/60/90 days after D (cumulative).
``exempt`` counts required rows excused by an exemption valid on D: they are not in
``headcount_in_scope`` (so not in the rate's denominator) nor in ``not_required``.
``compliance_rate`` = compliant / in scope, NaN when no one at the site is in scope (a rate of
nothing is not 0 % or 100 %). Every configured site gets a row, even with nobody employed, so a
site's report exists every week; ``site_configured`` flags sites that appear only in the data.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from assets.certification.dates import NO_DAY
from assets.text import arrow_text, is_text
from schemas.config import CompetenceConfig
from schemas.vocabulary import Compliance

# the codes as plain text for the arrays; the vocabulary itself is schemas.vocabulary.Compliance
COMPLIANT = Compliance.COMPLIANT.value
GRACE = Compliance.GRACE.value
NON_COMPLIANT = Compliance.NON_COMPLIANT.value
NOT_REQUIRED = Compliance.NOT_REQUIRED.value
EXEMPT = Compliance.EXEMPT.value  # excused by an exemption valid on D (certification/exemptions.py)
_LABELS = np.array([NOT_REQUIRED, COMPLIANT, GRACE, NON_COMPLIANT], dtype=object)

SITE_COMPLIANCE_COLUMNS = (
    "site",
    "site_name",
    "headcount_in_scope",
    "compliant",
    "grace",
    "non_compliant",
    "not_required",
    "expiring_30",
    "expiring_60",
    "expiring_90",
    "compliance_rate",
    "site_configured",
    "as_of",
    "exempt",
)


def compliance_of(
    certified: np.ndarray,
    expired: np.ndarray,
    required: np.ndarray,
    hire_day: np.ndarray,
    expires_on: np.ndarray,
    as_of_day: int,
    grace_days: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Compliance label, due day (NO_DAY when none) and days overdue (-1 when not overdue).

    ``certified``: status CERTIFIED or EXPIRING; ``expired``: status EXPIRED (then
    ``expires_on`` is the last expiry).
    """
    grace_end = hire_day + grace_days
    in_grace = ~certified & (as_of_day < grace_end)
    overdue = ~certified & ~in_grace
    last_expiry = np.where(expired, expires_on, np.iinfo(np.int64).min)
    overdue_since = np.maximum(grace_end, last_expiry)

    # labels index one shared string each: no million new Python strings
    code = np.select([~required, certified, in_grace], [0, 1, 2], 3)
    label = _LABELS[code]
    due = np.select([certified, in_grace], [expires_on, grace_end], overdue_since)
    due = np.where(required, due, NO_DAY)
    overdue_days = np.where(required & overdue, as_of_day - overdue_since, -1)
    return label, due, overdue_days


def _person_codes(employee_ids: pd.Series) -> np.ndarray:
    """A number per distinct employee id (rows of one person share it).

    The engine's status table comes sorted by employee id: then a person's rows are adjacent
    and counting the changes numbers them, without hashing a million ids.
    """
    if is_text(employee_ids) and len(employee_ids) > 1:
        ids = arrow_text(employee_ids)
        if ids.null_count == 0 and pc.all(pc.greater_equal(ids[1:], ids[:-1])).as_py():
            changes = np.asarray(pc.not_equal(ids[1:], ids[:-1]), dtype=np.int64)
            return np.concatenate(([0], np.cumsum(changes)))
    return pd.factorize(employee_ids)[0]


def site_compliance(status: pd.DataFrame, config: CompetenceConfig, as_of: dt.date) -> pd.DataFrame:
    """One row per site (configured or seen in ``status``) with the compliance counts of D."""
    site_code, site_values = pd.factorize(status["site"])
    n_sites = len(site_values)
    compliance = status["compliance"].to_numpy(dtype=object)
    # an EXEMPT row is counted apart: outside the rate's denominator, yet its person in scope
    needs = status["required"].to_numpy(dtype=bool) & (site_code >= 0)
    exempt = needs & (compliance == EXEMPT)
    required = needs & ~exempt
    days = status["days_to_expiry"].to_numpy(dtype=float, na_value=np.nan)
    compliant = required & (compliance == COMPLIANT)

    def per_site(mask: np.ndarray) -> np.ndarray:
        return np.bincount(site_code[mask], minlength=n_sites)

    counts = {
        "headcount_in_scope": per_site(required),
        "compliant": per_site(compliant),
        "grace": per_site(required & (compliance == GRACE)),
        "non_compliant": per_site(required & (compliance == NON_COMPLIANT)),
        "expiring_30": per_site(compliant & (days <= 30)),
        "expiring_60": per_site(compliant & (days <= 60)),
        "expiring_90": per_site(compliant & (days <= 90)),
        "exempt": per_site(exempt),
    }
    # a person is in scope when any of their rows is required; count the others once each
    person = _person_codes(status["employee_id"])
    person_in_scope = np.zeros(person.max() + 1 if len(person) else 0, dtype=bool)
    person_in_scope[person[needs]] = True
    _, first_row = np.unique(person, return_index=True)
    outside = first_row[~person_in_scope[person[first_row]] & (site_code[first_row] >= 0)]
    counts["not_required"] = np.bincount(site_code[outside], minlength=n_sites)
    by_site = pd.DataFrame(counts, index=pd.Index(site_values, dtype=object).astype(str))

    sites = sorted(set(config.policy.sites) | set(by_site.index))
    table = by_site.reindex(sites).fillna(0).astype(np.int64)
    table = table.reset_index(names="site")
    table["site_name"] = [config.site(s).name for s in sites]
    headcount = table["headcount_in_scope"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        table["compliance_rate"] = np.where(
            headcount > 0, table["compliant"] / np.maximum(headcount, 1), np.nan
        )
    table["site_configured"] = [s in config.policy.sites for s in sites]
    table["as_of"] = pd.Timestamp(as_of)
    return table[list(SITE_COMPLIANCE_COLUMNS)]
