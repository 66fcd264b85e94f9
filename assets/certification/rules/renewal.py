"""Retest renewal (docs/rules.md, e.g. the forklift licence): passing every module again before
expiry.

Points renewal is in :mod:`assets.certification.rules.points` (``points_renewal``).
"""

from __future__ import annotations

import numpy as np

from assets.certification.rules.days import Days
from assets.certification.rules.history import PassHistory


def retest_window_start(
    cycle_start: np.ndarray, expires_on: np.ndarray, window_days: int
) -> np.ndarray:
    """First day of the renewal window: ``window_days`` before expiry, yet after the cycle start."""
    return np.maximum(expires_on - window_days, cycle_start + 1)


def retest_renewal(
    history: PassHistory,
    person: np.ndarray,
    modules: list[int],
    cycle_start: np.ndarray,
    expires_on: np.ndarray,
    window_days: int,
) -> tuple[np.ndarray, Days]:
    """Whether each cycle is renewed by retest, and the window passes that would prove it.

    The rule: every required module passed again on a day in [expiry - window_days, expiry]
    (and after the cycle start) renews the credential on the expiry date. A cycle still covering
    D has its renewal secured once all those passes exist. Returns (renewed, first pass of each
    module in the window - absent where there is none).
    """
    window = history.passes_from(
        person, modules, retest_window_start(cycle_start, expires_on, window_days)
    )
    return window.on_or_before(expires_on[:, None]).all(axis=1), window
