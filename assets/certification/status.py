"""The certification status table: one row per employed person and credential held or needed.

The status of a row is the rule :func:`assets.certification.rules.status.status_of`; the table
is assembled by :mod:`assets.certification.machinery.status_table`.

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

from assets.certification.rules.status import (
    CERTIFIED,
    EXPIRED,
    EXPIRING,
    IN_PROGRESS,
    NOT_STARTED,
    STATUS_ORDER,
)
from schemas.tables import EMPLOYEE_STATUS_COLUMNS

__all__ = [
    "CERTIFIED",
    "EXPIRED",
    "EXPIRING",
    "IN_PROGRESS",
    "NOT_STARTED",
    "STATUS_COLUMNS",
    "STATUS_CSV_COLUMNS",
    "STATUS_ORDER",
]

# the columns of docs/data-contract.md, defined once in schemas.tables
STATUS_CSV_COLUMNS = EMPLOYEE_STATUS_COLUMNS
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
