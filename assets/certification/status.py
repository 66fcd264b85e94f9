"""The certification status table: one row per employed person and credential held or needed.

Status of a row, as of D (SPEC 2):

- ``NOT_STARTED``: no required module passed; ``IN_PROGRESS``: some, never certified;
- ``CERTIFIED``: a cycle covers D and its expiry is more than ``expiry_warning_days`` after D;
- ``EXPIRING``: a cycle covers D and expires at most ``expiry_warning_days`` after D;
- ``EXPIRED``: the last cycle ended on or before D without renewal, not re-certified since.

Column choices: ``cycle_points`` are the points of the covering cycle up to D, or of the lapsed
cycle for EXPIRED (NaN for retest credentials and the never certified); ``points_needed`` is
shown only for CERTIFIED/EXPIRING points-renewed rows; ``renewal_secured`` only for EXPIRING;
``due_date`` of a COMPLIANT row is its expiry date (when the renewal is due);
``days_to_expiry`` = expiry - D for every row with a cycle (negative once EXPIRED);
``module_pass_dates`` gives each module's latest pass; ``last_attempt_date`` the latest
assessment, pass or fail, of any of the credential's modules. The evidence columns name, in the
credential's order of required modules, the passes that established the current (or lapsed)
chain of cycles — the certifying passes, or the window passes of the latest retest renewal —
and, for the never certified, each passed required module's first pass. ``as_of`` is a
datetime64 at midnight of D, like every date column, so that the table stores as a DATE or
naive TIMESTAMP partition column. Rows come sorted by employee id, then by the order of the
credentials in ``credentials.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from assets.certification.assessments import NO_ATTEMPT, AssessmentIndex
from assets.certification.compliance import compliance_of
from assets.certification.cycles import COVERS_AS_OF, LAPSED, NEVER_CERTIFIED, CycleOutcome
from assets.certification.dates import NO_DAY, datetimes_from_days
from assets.certification.evidence import (
    EVIDENCE_TEXT_COLUMNS,
    PendingTexts,
    evidence_texts,
    matched_by_name,
    modules_passed,
)
from assets.certification.parallel import WorkerPool
from assets.certification.people import People
from schemas.config import CompetenceConfig, Credential, PointsRenewal
from schemas.tables import EMPLOYEE_STATUS_COLUMNS
from schemas.vocabulary import Status

# the codes as plain text for the arrays; the vocabulary itself is schemas.vocabulary.Status
NOT_STARTED = Status.NOT_STARTED.value
IN_PROGRESS = Status.IN_PROGRESS.value
CERTIFIED = Status.CERTIFIED.value
EXPIRING = Status.EXPIRING.value
EXPIRED = Status.EXPIRED.value

# Worst to best, for anyone who needs to compare statuses ("never makes a status worse").
STATUS_ORDER = (NOT_STARTED, IN_PROGRESS, EXPIRED, EXPIRING, CERTIFIED)

STATUS_CSV_COLUMNS = EMPLOYEE_STATUS_COLUMNS  # SPEC 8, defined once in schemas.tables
STATUS_COLUMNS = (
    *STATUS_CSV_COLUMNS,
    "email",
    "department",
    "manager_email",
    "hire_date",
    "required",
    "requirement_determined",
    "module_pass_dates",
    "days_to_expiry",
    "overdue_days",
    "last_attempt_date",
    "evidence_record_ids",
    "evidence_credential_ids",
    "matched_by_name",
    "as_of",
)
_PERSON_COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "site",
    "job_role",
    "email",
    "department",
    "manager_email",
)


_STATUS_LABELS = np.array([NOT_STARTED, IN_PROGRESS, CERTIFIED, EXPIRING, EXPIRED], dtype=object)


def _status_labels(outcome: CycleOutcome, as_of_day: int, warning_days: int) -> np.ndarray:
    expiring = outcome.expires_on - as_of_day <= warning_days
    code = np.select(
        [
            outcome.state == LAPSED,
            (outcome.state == COVERS_AS_OF) & expiring,
            outcome.state == COVERS_AS_OF,
            outcome.required_passed > 0,
        ],
        [4, 3, 2, 1],
        0,
    )
    return _STATUS_LABELS[code]  # one shared string per label, not one per row


def status_rows(
    people: People,
    code: str,
    credential: Credential,
    outcome: CycleOutcome,
    assessments: AssessmentIndex,
    config: CompetenceConfig,
    as_of_day: int,
) -> dict[str, np.ndarray]:
    """Columns of one credential's status rows for the people in ``outcome``, as numbers.

    Person and text columns are added by :func:`finish_status`, once the rows are in order:
    missing dates are NO_DAY day numbers and missing integers -1 until then; ``module_days``
    holds the latest pass of each of the credential's modules (rows x all modules, NO_DAY for the
    others) and ``proof_rows`` the proving results rows (rows x required modules, -1 for none).
    """
    person = outcome.person
    policy = config.policy
    shown = np.isin(
        np.arange(len(assessments.modules)),
        assessments.numbers([*credential.required_modules, *credential.optional_modules]),
    )
    required = assessments.numbers(credential.required_modules)
    rank = list(config.credentials.credentials).index(code)
    has_cycle = outcome.state != NEVER_CERTIFIED
    covers = outcome.state == COVERS_AS_OF
    needed = np.full(len(person), np.nan)
    if isinstance(credential.renewal, PointsRenewal):
        needed = np.maximum(0.0, credential.renewal.points_required - outcome.cycle_points)
    is_required = people.required_credential[person] == code
    compliance, due, overdue = compliance_of(
        covers,
        outcome.state == LAPSED,
        is_required,
        people.hire_day[person],
        outcome.expires_on,
        as_of_day,
        policy.new_hire_grace_days,
    )
    attempt = np.full(len(person), NO_ATTEMPT)
    for m in np.flatnonzero(shown):  # column by column: numpy's row-wise max is slow
        attempt = np.maximum(attempt, assessments.last_attempt[person, m])
    proof_rows = np.empty((len(person), len(required)), dtype=np.int64)
    for j, m in enumerate(required):
        proof_rows[:, j] = assessments.record_of(person, m, outcome.proof[:, j])
    return {
        "person": person,
        "credential_rank": np.full(len(person), rank, dtype=np.int16),
        "status": _status_labels(outcome, as_of_day, policy.expiry_warning_days),
        "certified_on": outcome.certified_on,
        "cycle_start": outcome.cycle_start,
        "expires_on": outcome.expires_on,
        "cycle_points": outcome.cycle_points,
        "points_needed": np.where(covers, needed, np.nan),
        "renewal_secured": outcome.renewal_secured,
        "renewal_shown": covers & (outcome.expires_on - as_of_day <= policy.expiry_warning_days),
        "compliance": compliance,
        "due_date": due,
        "required": is_required,
        "requirement_determined": people.requirement_determined[person],
        "days_to_expiry": np.where(has_cycle, outcome.expires_on - as_of_day, -(10**9)),
        "overdue_days": overdue,
        "last_attempt_date": np.where(attempt > NO_ATTEMPT, attempt, NO_DAY),
        "matched_by_name": matched_by_name(assessments.records, proof_rows),
        "module_days": np.where(shown, assessments.last_pass[person], NO_DAY),
        "proof_rows": proof_rows,
    }


_DAY_COLUMNS = ("certified_on", "cycle_start", "expires_on", "due_date", "last_attempt_date")


def _interleave(parts: list[np.ndarray], destination: list[np.ndarray]) -> np.ndarray:
    """One column of all blocks, each block's rows written straight to their final places.

    Each block is in person order, so its destinations rise and the writes run sequentially;
    credentials differ in their number of required modules, so 2-D parts are padded with -1.
    """
    first = parts[0]
    n = sum(len(p) for p in parts)
    if first.ndim == 2:
        out = np.full((n, max(p.shape[1] for p in parts)), -1, dtype=first.dtype)
        for part, where in zip(parts, destination, strict=True):
            out[where, : part.shape[1]] = part
        return out
    out = np.empty(n, dtype=np.result_type(*parts))
    for part, where in zip(parts, destination, strict=True):
        out[where] = part
    return out


@dataclass(frozen=True)
class PendingStatus:
    """The status table while its evidence texts are still being rendered.

    ``frame`` has every other column already, so that work that needs no evidence text (the
    forecast, the site roll-up) can run meanwhile; ``complete()`` waits and inserts the texts.
    """

    frame: pd.DataFrame
    texts: PendingTexts

    def complete(self) -> pd.DataFrame:
        frame = self.frame.copy(deep=False)
        # ascending contract positions: every column before the inserted one is already there
        for c, text in sorted(self.texts.result().items(), key=lambda t: _POSITION[t[0]]):
            frame.insert(_POSITION[c], c, pd.arrays.ArrowExtensionArray(text))
        return frame


_POSITION = {c: i for i, c in enumerate(STATUS_COLUMNS)}


def finish_status(
    people: People,
    blocks: list[dict[str, np.ndarray]],
    assessments: AssessmentIndex,
    credentials: list[str],
    as_of_day: int,
    pool: WorkerPool,
) -> PendingStatus:
    """Stack the credentials' rows in (employee id, credential order) order, contract columns.

    ``credentials`` are the codes in ``credentials.yaml`` order (what ``credential_rank`` counts).
    The evidence texts are rendered on the worker threads; see :class:`PendingStatus`.
    """
    order = np.lexsort(
        (
            np.concatenate([b["credential_rank"] for b in blocks]),
            np.concatenate([b["person"] for b in blocks]),
        )
    )
    final_place = np.empty_like(order)
    final_place[order] = np.arange(len(order))
    bounds = np.cumsum([0] + [len(b["person"]) for b in blocks])
    destination = [final_place[lo:hi] for lo, hi in pairwise(bounds)]

    def interleaved(column: str) -> np.ndarray:
        return _interleave([b[column] for b in blocks], destination)

    # what the evidence texts need comes first, so that the threads can start rendering them
    # while this thread puts the other columns in place
    module_days, proof_rows = pool.map_items(interleaved, ["module_days", "proof_rows"])
    texts = evidence_texts(
        assessments.records, list(assessments.modules), module_days, proof_rows, pool
    )
    columns = {c: interleaved(c) for c in blocks[0] if c not in ("module_days", "proof_rows")}
    person = columns.pop("person")
    rank = columns.pop("credential_rank")
    for c in _DAY_COLUMNS:
        columns[c] = datetimes_from_days(columns[c])
    shown = columns.pop("renewal_shown")
    columns["renewal_secured"] = pd.arrays.BooleanArray(columns["renewal_secured"], ~shown)
    days = columns["days_to_expiry"]
    columns["days_to_expiry"] = pd.arrays.IntegerArray(days, days == -(10**9))
    overdue = columns["overdue_days"]
    columns["overdue_days"] = pd.arrays.IntegerArray(np.maximum(overdue, 0), overdue < 0)
    columns["credential"] = np.array(credentials, dtype=object)[rank]
    columns["modules_passed"] = modules_passed(list(assessments.modules), module_days)
    # person columns keep the roster's own dtypes (Arrow text stays Arrow)
    columns.update({c: people.column_at(c, person) for c in _PERSON_COLUMNS})
    columns["hire_date"] = datetimes_from_days(people.hire_day[person])
    columns["as_of"] = datetimes_from_days(np.full(len(person), as_of_day))
    # object columns are text: say so, or pandas scans each one for dates
    series = {
        c: pd.Series(columns[c], dtype=object, copy=False)
        if isinstance(columns[c], np.ndarray) and columns[c].dtype == object
        else columns[c]
        for c in STATUS_COLUMNS
        if c not in EVIDENCE_TEXT_COLUMNS
    }
    return PendingStatus(pd.DataFrame(series, copy=False), texts)
