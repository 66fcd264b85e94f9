"""Certification and renewal cycles of one credential, chained for all people at once, as of D.

The rules (SPEC 2), with the boundary choices this module makes:

- **Certification.** A person is certified on the latest of the earliest passes of every required
  module. That date starts a cycle; it expires ``validity_years`` calendar years later.
- **A cycle covers D** when ``cycle_start <= D < expires_on``. On the expiry date itself the
  cycle is over: the person is renewed from that day (a new cycle starts on it) or expired.
- **Points renewal.** At least ``points_required`` points earned in (cycle start, expiry] renew
  the credential on the expiry date for another validity period. It is judged only once the
  expiry date has been reached (expiry <= D); before that, points so far only say whether the
  renewal is already secured.
- **Retest renewal.** Every required module passed again on a day in
  [expiry - window_days, expiry] and after the cycle start renews on the expiry date. A cycle
  still covering D is "renewal secured" once all those passes exist.
- **Lapse.** A cycle that ends without renewal leaves the person EXPIRED until every required
  module has been passed again strictly after the expiry date; the last of those first passes
  certifies the person again and starts a new cycle (a new ``certified_on``). Cycles chain:
  the loop runs once per cycle number, vectorised over the people still chaining.

``certified_on`` is the date the current chain of cycles began: the first certification, or the
re-certification after the latest lapse; a renewal keeps it. The *proof* of a chain is, per
required module, the pass that established it: the certifying passes, replaced by the window
passes at each retest renewal (points renewals keep the certifying passes).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assets.certification.assessments import AssessmentIndex
from assets.certification.dates import NO_DAY, add_years
from assets.certification.points import PointsSources
from schemas.config import Credential, RetestRenewal

NEVER_CERTIFIED = 0
COVERS_AS_OF = 1
LAPSED = 2


@dataclass(frozen=True)
class CycleOutcome:
    """Where each person stands in one credential's cycles on D (arrays aligned with ``person``).

    ``state`` is NEVER_CERTIFIED, COVERS_AS_OF (a cycle covers D) or LAPSED (the last cycle
    ended on or before D without renewal). Day arrays hold NO_DAY where not applicable.
    ``cycle_points`` are the points of the covering cycle up to D, or of the lapsed cycle (NaN for
    retest credentials and the never certified). ``proof`` is ``(people, required modules)``:
    for the never certified, each module's first pass.
    """

    person: np.ndarray
    state: np.ndarray
    certified_on: np.ndarray
    cycle_start: np.ndarray
    expires_on: np.ndarray
    cycle_points: np.ndarray
    renewal_secured: np.ndarray
    proof: np.ndarray
    required_passed: np.ndarray


def _passes_from(
    assessments: AssessmentIndex, person: np.ndarray, modules: list[int], from_day: np.ndarray
) -> np.ndarray:
    columns = [assessments.first_pass_from(person, m, from_day) for m in modules]
    return np.stack(columns, axis=1) if columns else np.empty((len(person), 0), dtype=np.int64)


def _retest_window_passes(
    assessments: AssessmentIndex,
    person: np.ndarray,
    modules: list[int],
    start: np.ndarray,
    expiry: np.ndarray,
    window_days: int,
) -> tuple[np.ndarray, np.ndarray]:
    """First pass of each module in the renewal window, and whether all fall on or before expiry."""
    from_day = np.maximum(expiry - window_days, start + 1)
    passes = _passes_from(assessments, person, modules, from_day)
    return passes, (passes <= expiry[:, None]).all(axis=1)


def chain_cycles(
    person: np.ndarray,
    credential: Credential,
    required_modules: list[int],
    assessments: AssessmentIndex,
    points: PointsSources | None,
    as_of_day: int,
) -> CycleOutcome:
    """Follow every person's cycles of ``credential`` from first certification up to D.

    ``person`` are positions among the employed people; ``required_modules`` module numbers of
    ``assessments``; ``points`` is given for points-renewed credentials, None for retest ones.
    """
    n = len(person)
    years = credential.validity_years
    retest = credential.renewal if isinstance(credential.renewal, RetestRenewal) else None
    first = assessments.first_pass[person][:, required_modules]
    passed = first < NO_DAY

    state = np.full(n, NEVER_CERTIFIED, dtype=np.int8)
    certified_on = np.full(n, NO_DAY, dtype=np.int64)
    cycle_start = np.full(n, NO_DAY, dtype=np.int64)
    expires_on = np.full(n, NO_DAY, dtype=np.int64)
    cycle_points = np.full(n, np.nan)
    proof = first.copy()

    live = np.flatnonzero(passed.all(axis=1))
    start = first[live].max(axis=1)
    expiry = add_years(start, years)
    chain_start = start.copy()
    chain_proof = first[live]

    def settle(mask: np.ndarray, outcome: int) -> None:
        # records the final cycle of the chaining people selected by ``mask``; it reads the
        # loop's current ``live``/``start``/``expiry``/``chain_*`` arrays
        rows = live[mask]
        state[rows] = outcome
        certified_on[rows] = chain_start[mask]
        cycle_start[rows] = start[mask]
        expires_on[rows] = expiry[mask]
        proof[rows] = chain_proof[mask]

    while live.size:
        ended = expiry <= as_of_day
        settle(~ended, COVERS_AS_OF)
        live, start, expiry = live[ended], start[ended], expiry[ended]
        chain_start, chain_proof = chain_start[ended], chain_proof[ended]
        if not live.size:
            break
        who = person[live]
        if retest is None:
            earned = points.earned(who, start, expiry).total
            renewed = earned >= points.rule.points_required
            renewal_proof = chain_proof
        else:
            window, renewed = _retest_window_passes(
                assessments, who, required_modules, start, expiry, retest.window_days
            )
            renewal_proof = np.where(renewed[:, None], window, chain_proof)
        again = _passes_from(assessments, who, required_modules, expiry + 1)
        recertified = ~renewed & (again < NO_DAY).all(axis=1)
        lapsed = ~renewed & ~recertified
        settle(lapsed, LAPSED)
        if retest is None:
            cycle_points[live[lapsed]] = earned[lapsed]

        moving = ~lapsed
        next_start = np.where(renewed, expiry, again.max(axis=1, initial=np.iinfo(np.int64).min))
        next_chain = np.where(renewed, chain_start, next_start)
        next_proof = np.where(renewed[:, None], renewal_proof, again)
        live, start = live[moving], next_start[moving]
        chain_start, chain_proof = next_chain[moving], next_proof[moving]
        expiry = add_years(start, years)

    secured = np.zeros(n, dtype=bool)
    covering = np.flatnonzero(state == COVERS_AS_OF)
    who = person[covering]
    if retest is None:
        earned = points.earned(who, cycle_start[covering], np.full(len(covering), as_of_day))
        cycle_points[covering] = earned.total
        secured[covering] = earned.total >= points.rule.points_required
    else:
        _, secured[covering] = _retest_window_passes(
            assessments,
            who,
            required_modules,
            cycle_start[covering],
            expires_on[covering],
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
        required_passed=passed.sum(axis=1),
    )
