"""Status of one person for one credential as of D (docs/rules.md), and the columns that go with it.

- ``NOT_STARTED``: no required module passed; ``IN_PROGRESS``: some, never certified;
- ``CERTIFIED``: a cycle covers D and its expiry is more than ``expiry_warning_days`` after D;
- ``EXPIRING``: a cycle covers D and expires at most ``expiry_warning_days`` after D; it carries
  ``renewal_secured``;
- ``EXPIRED``: the last cycle ended on or before D without renewal, not re-certified since.

``points_needed`` is shown only for rows whose cycle covers D on a points-renewed credential;
``days_to_expiry`` = expiry - D for every row with a cycle (negative once EXPIRED).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.certification.rules.cycles import COVERS_AS_OF, LAPSED, CycleOutcome
from assets.certification.rules.days import Days
from schemas.vocabulary import Status

# the codes as plain text for the arrays; the vocabulary itself is schemas.vocabulary.Status
NOT_STARTED = Status.NOT_STARTED.value
IN_PROGRESS = Status.IN_PROGRESS.value
CERTIFIED = Status.CERTIFIED.value
EXPIRING = Status.EXPIRING.value
EXPIRED = Status.EXPIRED.value

# Worst to best, for anyone who needs to compare statuses ("never makes a status worse").
STATUS_ORDER = (NOT_STARTED, IN_PROGRESS, EXPIRED, EXPIRING, CERTIFIED)

_LABELS = np.array([NOT_STARTED, IN_PROGRESS, CERTIFIED, EXPIRING, EXPIRED], dtype=object)


def within_warning(expires_on: Days, as_of_day: int, warning_days: int) -> np.ndarray:
    """An expiry at most ``warning_days`` after D (the EXPIRING window)."""
    return expires_on.present & (expires_on.day - as_of_day <= warning_days)


def status_of(outcome: CycleOutcome, as_of_day: int, warning_days: int) -> np.ndarray:
    """The status label of each person in ``outcome`` (one shared string per label)."""
    covers = outcome.state == COVERS_AS_OF
    code = np.select(
        [
            outcome.state == LAPSED,
            covers & within_warning(outcome.expires_on, as_of_day, warning_days),
            covers,
            outcome.required_passed > 0,
        ],
        [4, 3, 2, 1],
        0,
    )
    return _LABELS[code]


def renewal_secured(
    outcome: CycleOutcome, as_of_day: int, warning_days: int
) -> pd.arrays.BooleanArray:
    """Whether the renewal is already secured, said for EXPIRING rows only (null otherwise)."""
    expiring = (outcome.state == COVERS_AS_OF) & within_warning(
        outcome.expires_on, as_of_day, warning_days
    )
    return pd.arrays.BooleanArray(outcome.renewal_secured, ~expiring)


def points_needed(outcome: CycleOutcome, points_required: float | None) -> np.ndarray:
    """Points still missing in a covering cycle of a points-renewed credential (NaN otherwise)."""
    if points_required is None:
        return np.full(len(outcome.person), np.nan)
    needed = np.maximum(0.0, points_required - outcome.cycle_points)
    return np.where(outcome.state == COVERS_AS_OF, needed, np.nan)


def days_to_expiry(outcome: CycleOutcome, as_of_day: int) -> Days:
    """Expiry - D for every row with a cycle (negative once expired); absent for the others."""
    return Days(outcome.expires_on.day - as_of_day, outcome.expires_on.present)
