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

import numpy as np
import pandas as pd
import pyarrow as pa

from assets.certification.assessments import NO_ATTEMPT, AssessmentIndex
from assets.certification.compliance import compliance_of
from assets.certification.cycles import COVERS_AS_OF, LAPSED, NEVER_CERTIFIED, CycleOutcome
from assets.certification.dates import NO_DAY, datetimes_from_days
from assets.certification.evidence import module_pass_dates, modules_passed, proving_records
from assets.certification.people import People
from schemas.config import CompetenceConfig, Credential, PointsRenewal
from schemas.tables import EMPLOYEE_STATUS_COLUMNS

NOT_STARTED = "NOT_STARTED"
IN_PROGRESS = "IN_PROGRESS"
CERTIFIED = "CERTIFIED"
EXPIRING = "EXPIRING"
EXPIRED = "EXPIRED"

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


def _status_labels(outcome: CycleOutcome, as_of_day: int, warning_days: int) -> np.ndarray:
    expiring = outcome.expires_on - as_of_day <= warning_days
    return np.select(
        [
            outcome.state == LAPSED,
            (outcome.state == COVERS_AS_OF) & expiring,
            outcome.state == COVERS_AS_OF,
            outcome.required_passed > 0,
        ],
        [EXPIRED, EXPIRING, CERTIFIED, IN_PROGRESS],
        NOT_STARTED,
    ).astype(object)


def status_rows(
    people: People,
    code: str,
    credential: Credential,
    outcome: CycleOutcome,
    assessments: AssessmentIndex,
    config: CompetenceConfig,
    as_of_day: int,
) -> dict[str, np.ndarray]:
    """Columns of one credential's status rows for the people in ``outcome``.

    Person columns are added by :func:`finish_status`; missing dates are NO_DAY day numbers and
    missing integers -1 until then, so that stacking credentials stays plain numpy.
    """
    person = outcome.person
    policy = config.policy
    number = {m: i for i, m in enumerate(assessments.modules)}
    shown = sorted([*credential.required_modules, *credential.optional_modules])
    shown_numbers = [number[m] for m in shown]
    required = [number[m] for m in credential.required_modules]
    status = _status_labels(outcome, as_of_day, policy.expiry_warning_days)
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
    latest = assessments.last_pass[person][:, shown_numbers]
    attempt = assessments.last_attempt[person][:, shown_numbers].max(axis=1, initial=NO_ATTEMPT)
    evidence = proving_records(assessments, person, required, outcome.proof)
    return {
        "person": person,
        "credential": np.full(len(person), code, dtype=object),
        "status": status,
        "modules_passed": modules_passed(shown, latest),
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
        "module_pass_dates": module_pass_dates(shown, latest),
        "days_to_expiry": np.where(has_cycle, outcome.expires_on - as_of_day, -(10**9)),
        "overdue_days": overdue,
        "last_attempt_date": np.where(attempt > NO_ATTEMPT, attempt, NO_DAY),
        "evidence_record_ids": evidence.record_ids,
        "evidence_credential_ids": evidence.credential_ids,
        "matched_by_name": evidence.matched_by_name,
    }


_DAY_COLUMNS = ("certified_on", "cycle_start", "expires_on", "due_date", "last_attempt_date")


def _stack(parts: list) -> np.ndarray | pa.Array:
    if isinstance(parts[0], pa.Array):
        return pa.concat_arrays(parts)
    return np.concatenate(parts)


def _take(
    values: np.ndarray | pa.Array, order: np.ndarray
) -> np.ndarray | pd.api.extensions.ExtensionArray:
    if isinstance(values, pa.Array):  # evidence text stays Arrow-backed: no Python strings
        return pd.arrays.ArrowExtensionArray(values.take(pa.array(order)))
    return values[order]


def finish_status(
    people: People,
    blocks: list[dict[str, np.ndarray]],
    credential_rank: dict[str, int],
    as_of_day: int,
) -> pd.DataFrame:
    """Stack the credentials' rows in (employee id, credential order) order, contract columns."""
    stacked = {c: _stack([b[c] for b in blocks]) for c in blocks[0]}
    rank = pd.Series(stacked["credential"]).map(credential_rank).to_numpy()
    order = np.lexsort((rank, stacked["person"]))
    columns = {c: _take(values, order) for c, values in stacked.items()}
    person = columns.pop("person")
    # person columns keep the roster's own dtypes (Arrow text stays Arrow)
    table = {c: people.frame[c].array.take(person) for c in _PERSON_COLUMNS}
    table["hire_date"] = datetimes_from_days(people.hire_day[person])
    for c in _DAY_COLUMNS:
        columns[c] = datetimes_from_days(columns[c])
    shown = columns.pop("renewal_shown")
    columns["renewal_secured"] = pd.arrays.BooleanArray(columns["renewal_secured"], ~shown)
    days = columns["days_to_expiry"]
    columns["days_to_expiry"] = pd.arrays.IntegerArray(days, days == -(10**9))
    overdue = columns["overdue_days"]
    columns["overdue_days"] = pd.arrays.IntegerArray(np.maximum(overdue, 0), overdue < 0)
    columns["as_of"] = datetimes_from_days(np.full(len(person), as_of_day))
    table.update(columns)
    # object columns are text: say so, or pandas scans each one for dates
    series = {
        c: pd.Series(v, dtype=object, copy=False)
        if isinstance(v, np.ndarray) and v.dtype == object
        else v
        for c, v in table.items()
    }
    return pd.DataFrame(series, copy=False)[list(STATUS_COLUMNS)]
