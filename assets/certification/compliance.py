"""The roll-up per site of each status row's compliance.

The compliance of a row (COMPLIANT, GRACE, NON_COMPLIANT, NOT_REQUIRED) and its due date are the
rule :func:`assets.certification.rules.compliance.compliance_of`; how a site is graded under
ISO 9001 7.2 b) from these counts is the reporting stage's (``assets/reporting/audit_rules.py``,
``persons_competent``).

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

from assets.certification.rules.compliance import (
    COMPLIANT,
    EXEMPT,
    GRACE,
    NON_COMPLIANT,
    NOT_REQUIRED,
)
from assets.text import arrow_text, is_text
from schemas.config import CompetenceConfig

__all__ = [
    "COMPLIANT",
    "EXEMPT",
    "GRACE",
    "NON_COMPLIANT",
    "NOT_REQUIRED",
    "SITE_COMPLIANCE_COLUMNS",
    "site_compliance",
]

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
