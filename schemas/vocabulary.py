"""The codes the pipeline computes with, as enums: one place that says which values exist.

The values are a stable interface (the warehouse, ``employee_status.csv``, the ledger): a code
is never renamed, only added. ``StrEnum`` members compare equal to their text, so rules written
with the plain codes keep working, and a frame's column can be checked with ``values()``.
The reader's words for each code are in ``assets/reporting/labels.py``.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """What a person's evidence shows for a credential on the as-of date."""

    CERTIFIED = "CERTIFIED"
    EXPIRING = "EXPIRING"
    IN_PROGRESS = "IN_PROGRESS"
    NOT_STARTED = "NOT_STARTED"
    EXPIRED = "EXPIRED"


class Compliance(StrEnum):
    """Whether the person meets their role's requirement on the as-of date."""

    COMPLIANT = "COMPLIANT"
    GRACE = "GRACE"
    NON_COMPLIANT = "NON_COMPLIANT"
    NOT_REQUIRED = "NOT_REQUIRED"
    EXEMPT = "EXEMPT"


class PointsCategory(StrEnum):
    """Where recertification points come from."""

    CONTINUING_EDUCATION = "CONTINUING_EDUCATION"
    EMPLOYMENT = "EMPLOYMENT"
    ASSESSMENT_RETAKE = "ASSESSMENT_RETAKE"


class FindingVerdict(StrEnum):
    """An audit criterion's grade at a site."""

    MAJOR_NC = "MAJOR_NC"
    MINOR_NC = "MINOR_NC"
    OBSERVATION = "OBSERVATION"
    CONFORMS = "CONFORMS"


class SiteVerdict(StrEnum):
    """The cover's colour: red with a major NC, amber with a minor, grey with nobody in scope."""

    RED = "RED"
    AMBER = "AMBER"
    GREEN = "GREEN"
    NOT_RATED = "NOT_RATED"


class ActionKind(StrEnum):
    """What a corrective action asks of the person."""

    CERTIFY = "CERTIFY"
    RECERTIFY = "RECERTIFY"
    RENEW = "RENEW"
    CONTAIN = "CONTAIN"  # a safety-critical credential lapsed: off the task until re-certified


class ActionState(StrEnum):
    """Where a corrective action stands in its week (lower case, as stored since it began)."""

    OPEN = "open"
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    CLOSED = "closed"


class DuplicateKind(StrEnum):
    """Why a row was not loaded although valid: it repeats a record."""

    EXACT_REPEAT = "EXACT_REPEAT"
    SUPERSEDED = "SUPERSEDED"


class MatchMethod(StrEnum):
    """How a result or activity was linked to a person on the roster."""

    EMPLOYEE_ID = "employee_id"
    EMAIL = "email"
    NAME = "name"


def values(vocabulary: type[StrEnum]) -> list[str]:
    """The codes of a vocabulary, as Pandera's ``isin`` wants them."""
    return [member.value for member in vocabulary]
