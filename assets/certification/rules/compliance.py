"""Compliance of each status row with the role's requirement (docs/rules.md, "Requirement and
compliance"), and its due date.

- ``NOT_REQUIRED``: the role does not require this credential; no due date.
- ``COMPLIANT``: status CERTIFIED or EXPIRING. The due date is the expiry date: the natural date
  by which the renewal is due.
- ``GRACE``: otherwise, when D is less than ``new_hire_grace_days`` after the hire date
  (D < hire + grace); due date = hire + grace.
- ``NON_COMPLIANT``: otherwise; due date = overdue since the later of the grace end and the last
  expiry (if the person ever held the credential), and ``overdue_days`` = D - due date
  (0 on the day the grace period ends).

The site roll-up of these labels is :func:`assets.certification.compliance.site_compliance`.
"""

from __future__ import annotations

import numpy as np

from assets.certification.rules.days import Days
from schemas.vocabulary import Compliance

# the codes as plain text for the arrays; the vocabulary itself is schemas.vocabulary.Compliance
COMPLIANT = Compliance.COMPLIANT.value
GRACE = Compliance.GRACE.value
NON_COMPLIANT = Compliance.NON_COMPLIANT.value
NOT_REQUIRED = Compliance.NOT_REQUIRED.value
EXEMPT = Compliance.EXEMPT.value  # excused by an exemption valid on D (certification/exemptions.py)
_LABELS = np.array([NOT_REQUIRED, COMPLIANT, GRACE, NON_COMPLIANT], dtype=object)


def compliance_of(
    certified: np.ndarray,
    expired: np.ndarray,
    required: np.ndarray,
    hire_day: np.ndarray,
    expires_on: Days,
    as_of_day: int,
    grace_days: int,
) -> tuple[np.ndarray, Days, Days]:
    """Compliance label, due date and days overdue of each row.

    ``certified``: status CERTIFIED or EXPIRING; ``expired``: status EXPIRED (then
    ``expires_on`` is the last expiry). The due date is absent when the credential is not
    required; days overdue only for NON_COMPLIANT rows.
    """
    grace_end = hire_day + grace_days
    in_grace = ~certified & (as_of_day < grace_end)
    overdue = required & ~certified & ~in_grace
    last_expiry = np.where(expired & expires_on.present, expires_on.day, np.iinfo(np.int64).min)
    overdue_since = np.maximum(grace_end, last_expiry)

    # labels index one shared string each: no million new Python strings
    label = _LABELS[np.select([~required, certified, in_grace], [0, 1, 2], 3)]
    due = np.select([certified, in_grace], [expires_on.day, grace_end], overdue_since)
    return label, Days(due, required.copy()), Days(as_of_day - overdue_since, overdue)
