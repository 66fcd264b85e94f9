"""Certification and renewal cycles of one credential, chained for all people at once, as of D.

The rules (docs/rules.md), with the boundary choices this module makes:

- **First certification** (:func:`first_certification`): a person is certified on the latest of
  the earliest passes of every required module. That date starts a cycle; it expires
  ``validity_years`` calendar years later (:func:`expiry_of`).
- **A cycle covers D** (:func:`covers`) when ``cycle_start <= D < expires_on``. On the expiry
  date itself the cycle is over: the person is renewed from that day (a new cycle starts on it)
  or expired.
- **Renewal** on the expiry date, for another validity period: by points
  (:func:`~assets.certification.rules.points.points_renewal`, judged only once the expiry date
  has been reached; before that, points so far only say whether the renewal is secured) or by
  retest (:func:`~assets.certification.rules.renewal.retest_renewal`).
- **Lapse** (:func:`recertification`): a cycle that ends without renewal leaves the person
  EXPIRED until every required module has been passed again strictly after the expiry date; the
  last of those first passes certifies the person again and starts a new cycle (a new
  ``certified_on``).
- **Chaining** (:func:`chain_cycles`): the loop runs once per cycle number, vectorised over the
  people still chaining, never once per person.

``certified_on`` is the date the current chain of cycles began: the first certification, or the
re-certification after the latest lapse; a renewal keeps it. The *proof* of a chain is, per
required module, the pass that established it: the certifying passes, replaced by the window
passes at each retest renewal (points renewals keep the certifying passes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assets.certification.rules.days import Days, add_years, latest_of_all
from assets.certification.rules.history import PassHistory, PointsHistory
from assets.certification.rules.points import points_renewal
from assets.certification.rules.renewal import retest_renewal
from schemas.config import Credential, RetestRenewal

# where a person stands in a credential's cycles on D
NEVER_CERTIFIED = 0
COVERS_AS_OF = 1  # a cycle covers D
LAPSED = 2  # the last cycle ended on or before D without renewal


@dataclass(frozen=True)
class CycleOutcome:
    """Where each person stands in one credential's cycles on D (arrays aligned with ``person``).

    ``state`` is NEVER_CERTIFIED, COVERS_AS_OF or LAPSED; the dates are absent for the never
    certified. ``cycle_points`` are the points of the covering cycle up to D, or of the lapsed
    cycle (NaN for retest credentials and the never certified). ``proof`` is
    ``(people, required modules)``: the passes that established the chain; for the never
    certified, each module's first pass (absent where none).
    """

    person: np.ndarray
    state: np.ndarray
    certified_on: Days
    cycle_start: Days
    expires_on: Days
    cycle_points: np.ndarray
    renewal_secured: np.ndarray
    proof: Days
    required_passed: np.ndarray


def first_certification(first_passes: Days) -> Days:
    """Certified on the latest of the earliest passes of every required module.

    ``first_passes`` is people x required modules; absent for whoever lacks one of them.
    """
    return latest_of_all(first_passes)


def expiry_of(cycle_start: np.ndarray, validity_years: int) -> np.ndarray:
    """A cycle expires ``validity_years`` calendar years after it starts (29 Feb -> 28 Feb)."""
    return add_years(cycle_start, validity_years)


def covers(expires_on: np.ndarray, as_of_day: int) -> np.ndarray:
    """A cycle (started on or before D) covers D while D is before its expiry date."""
    return expires_on > as_of_day


def recertification(
    history: PassHistory, person: np.ndarray, modules: list[int], expires_on: np.ndarray
) -> tuple[Days, Days]:
    """After a lapse: certified again on the last of the first passes strictly after expiry.

    Returns the new certification date (absent while a module is still missing) and the passes
    that prove it (people x required modules).
    """
    again = history.passes_from(person, modules, expires_on + 1)
    return latest_of_all(again), again


def chain_cycles(
    person: np.ndarray,
    credential: Credential,
    required_modules: list[int],
    history: PassHistory,
    points: PointsHistory | None,
    as_of_day: int,
) -> CycleOutcome:
    """Follow every person's cycles of ``credential`` from first certification up to D.

    ``person`` are positions among the employed people; ``required_modules`` module numbers of
    ``history``; ``points`` is given for points-renewed credentials, None for retest ones.
    """
    n = len(person)
    years = credential.validity_years
    retest = credential.renewal if isinstance(credential.renewal, RetestRenewal) else None
    first = history.first_passes(person, required_modules)
    certified = first_certification(first)

    state = np.full(n, NEVER_CERTIFIED, dtype=np.int8)
    certified_on, cycle_start, expires_on = Days.absent(n), Days.absent(n), Days.absent(n)
    cycle_points = np.full(n, np.nan)
    proof = Days(first.day.copy(), first.present.copy())

    live = np.flatnonzero(certified.present)
    start = certified.day[live]
    expiry = expiry_of(start, years)
    chain_start = start.copy()
    chain_proof = first[live]

    def settle(mask: np.ndarray, outcome: int) -> None:
        # records the final cycle of the chaining people selected by ``mask``; it reads the
        # loop's current ``live``/``start``/``expiry``/``chain_*`` arrays
        rows = live[mask]
        state[rows] = outcome
        certified_on.put(rows, Days.of(chain_start[mask]))
        cycle_start.put(rows, Days.of(start[mask]))
        expires_on.put(rows, Days.of(expiry[mask]))
        proof.put(rows, chain_proof[mask])

    while live.size:
        ended = ~covers(expiry, as_of_day)
        settle(~ended, COVERS_AS_OF)
        live, start, expiry = live[ended], start[ended], expiry[ended]
        chain_start, chain_proof = chain_start[ended], chain_proof[ended]
        if not live.size:
            break
        who = person[live]
        if retest is None:
            earned = points.earned(who, start, expiry)
            renewed = points_renewal(earned, credential.renewal)
            renewal_proof = chain_proof
        else:
            renewed, window = retest_renewal(
                history, who, required_modules, start, expiry, retest.window_days
            )
            renewal_proof = window.where(renewed[:, None], chain_proof)
        recertified_on, again = recertification(history, who, required_modules, expiry)
        lapsed = ~renewed & ~recertified_on.present
        settle(lapsed, LAPSED)
        if retest is None:
            cycle_points[live[lapsed]] = earned.total[lapsed]

        moving = ~lapsed
        next_start = np.where(renewed, expiry, recertified_on.day)
        next_chain = np.where(renewed, chain_start, next_start)
        next_proof = renewal_proof.where(renewed[:, None], again)
        live, start = live[moving], next_start[moving]
        chain_start, chain_proof = next_chain[moving], next_proof[moving]
        expiry = expiry_of(start, years)

    secured = np.zeros(n, dtype=bool)
    covering = np.flatnonzero(state == COVERS_AS_OF)
    who = person[covering]
    if retest is None:
        earned = points.earned(who, cycle_start.day[covering], np.full(len(covering), as_of_day))
        cycle_points[covering] = earned.total
        secured[covering] = points_renewal(earned, credential.renewal)
    else:
        secured[covering], _ = retest_renewal(
            history,
            who,
            required_modules,
            cycle_start.day[covering],
            expires_on.day[covering],
            retest.window_days,
        )
    return CycleOutcome(
        person=person,
        state=state,
        certified_on=certified_on,
        cycle_start=cycle_start,
        expires_on=expires_on,
        cycle_points=cycle_points,
        renewal_secured=secured,
        proof=proof,
        required_passed=first.present.sum(axis=1),
    )
