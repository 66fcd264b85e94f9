"""Pandera models of the tables the pipeline writes after ingestion: one contract per table.

A model says what a stored week of the table holds: its columns and their types (the
warehouse's column declaration is derived from it, ``schemas.warehouse_tables``), which may be
empty, and what every value must be — a code from its vocabulary (``schemas.vocabulary``), a
count that is not negative, a rate between 0 and 1, one row per key. ``assets/contracts.py``
turns each model into a blocking asset check run on every week written, so a table that breaks
its contract (a bug, never bad input: bad input is quarantined at ingest) stops the week before
a report or a mail is made from it.

Types are pandas' nullable ones and the models coerce: a week read back from DuckDB types a
BIGINT column ``int64`` or ``Int64`` depending on whether it holds a null, and the contract is
about values, not about that accident.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.vocabulary import (
    ActionKind,
    ActionState,
    Compliance,
    DuplicateKind,
    FindingVerdict,
    PointsCategory,
    SiteVerdict,
    Status,
    values,
)

Text = Series[pd.StringDtype]
Whole = Series[pd.Int64Dtype]
Number = Series[pd.Float64Dtype]
Flag = Series[pd.BooleanDtype]
Day = Series[pd.Timestamp]
SHA256 = r"^[0-9a-f]{64}$"


def key(description: str, **checks) -> pa.Field:
    """A column every row fills."""
    return pa.Field(nullable=False, description=description, **checks)


def note(description: str, **checks) -> pa.Field:
    """A column a row may leave empty."""
    return pa.Field(nullable=True, description=description, **checks)


def count(description: str) -> pa.Field:
    return pa.Field(nullable=False, ge=0, description=description)


def code(vocabulary, description: str, nullable: bool = False) -> pa.Field:
    return pa.Field(nullable=nullable, isin=values(vocabulary), description=description)


class Contract(pa.DataFrameModel):
    class Config:
        coerce = True


class DeduplicatedRow(Contract):
    source: Text = key("source the row came from (roster, a provider, activities, ...)")
    source_file: Text = key("landing file of the row not loaded")
    row_number: Whole = note("its row number in that file")
    kind: Text = code(DuplicateKind, "EXACT_REPEAT or SUPERSEDED (a later drop won)")
    record_key: Text = note("the record's key")
    kept_file: Text = note("file of the copy that was loaded")
    kept_row: Whole = note("row of the copy that was loaded")


class UnmatchedRecord(Contract):
    provider: Text = key("provider or source of the record")
    record_id: Text = note("the record's id")
    source_file: Text = key("landing file")
    row_number: Whole = note("row number in that file")
    reason: Text = key("UNMATCHED or AMBIGUOUS")
    detail: Text = note("what was tried")
    employee_id: Text = note("employee id as the record wrote it")
    email: Text = note("e-mail as written")
    first_name: Text = note("first name as written")
    last_name: Text = note("last name as written")
    candidates: Text = note("people it could be (ambiguous records)")


class SourceFile(Contract):
    source: Text = key("source (roster, a provider, activities, ...)")
    file: Text = key("path under the landing folder")
    sha256: Text = note("SHA-256 of the bytes parsed", str_matches=SHA256)
    modified_at: Day = note("modification time when read")
    rows_in: Whole = count("data rows read")
    accepted: Whole = count("rows loaded")
    rejected: Whole = count("rows quarantined")
    deduplicated: Whole = count("rows not loaded as repeats")
    problem: Text = note("why the whole file was rejected or set aside")


class CertificationStatus(Contract):
    employee_id: Text = key("the person")
    first_name: Text = note("first name on the roster")
    last_name: Text = note("last name on the roster")
    site: Text = key("site code")
    job_role: Text = note("job role on the roster")
    credential: Text = key("credential (CPT, FORKLIFT, ...)")
    status: Text = code(Status, "what the evidence shows on the as-of date")
    modules_passed: Text = note("modules passed in the current chain")
    certified_on: Day = note("start of the current certification chain")
    cycle_start: Day = note("start of the current cycle")
    expires_on: Day = note("end of the current cycle")
    cycle_points: Number = note("points earned in the cycle", ge=0)
    points_needed: Number = note("points a points renewal needs", ge=0)
    renewal_secured: Flag = note("renewal already secured")
    compliance: Text = code(Compliance, "whether the role's requirement is met")
    due_date: Day = note("grace end, overdue since, or next renewal deadline")
    email: Text = note("e-mail on the roster")
    department: Text = note("department on the roster")
    manager_email: Text = note("manager's e-mail on the roster")
    hire_date: Day = note("hire date")
    required: Flag = key("the role requires the credential")
    requirement_determined: Flag = note("the role's requirement is decided in requirements.yaml")
    module_pass_dates: Text = note("module: pass date, per required module")
    days_to_expiry: Whole = note("days from the as-of date to expires_on")
    overdue_days: Whole = note("days past the due date", ge=0)
    last_attempt_date: Day = note("latest module attempt")
    evidence_record_ids: Text = note("provider:record_id of the records that prove the status")
    evidence_credential_ids: Text = note("certificate ids of those records")
    matched_by_name: Flag = note("some evidence was linked by name only")
    as_of: Day = key("the as-of date (the week's Sunday)")
    exemption_reason: Text = note("the exemption that speaks for the as-of date")
    exemption_approved_by: Text = note("who approved it")
    exemption_until: Day = note("its last day")
    revoked_on: Day = note("revocation applied")
    revocation_reason: Text = note("why")

    class Config:
        # one row per person and credential a week
        unique = ("employee_id", "credential")


class CorrectiveAction(Contract):
    site: Text = key("site code")
    employee_id: Text = key("the person")
    name: Text = note("First Last")
    credential: Text = key("credential")
    kind: Text = code(ActionKind, "what the action asks")
    action: Text = key("the action in words")
    first_raised: Day = key("week the action was first raised")
    weeks_open: Whole = count("weeks open")
    due_date: Day = note("due date")
    days_past_due: Whole = note("days past due", ge=0)
    state: Text = code(ActionState, "open, overdue, escalated or closed")
    escalated_to: Text = note("site lead or company, when escalated")
    closed_week: Day = note("week closed")
    closed_how: Text = note("how it closed")
    closed_on_time: Flag = note("closed by its due date")


class TrainingEffectiveness(Contract):
    site: Text = key("site code")
    provider: Text = note("provider")
    module: Text = note("module")
    credential: Text = note("credential")
    window_weeks: Whole = pa.Field(isin=[12, 52], description="window length in weeks")
    window_start: Day = key("first day of the window")
    window_end: Day = key("last day of the window")
    measure: Text = key("what is measured")
    value: Number = note("the measure (a rate, a count of attempts, days)")
    count: Whole = note("what the value counts", ge=0)
    sample: Whole = note("the sample it is judged on", ge=0)
    judged: Flag = key("enough sample to judge")
    note: Text = note("why not judged")


class PointsLedgerEntry(Contract):
    employee_id: Text = key("the person")
    credential: Text = key("credential")
    cycle_start: Day = key("cycle the points count in")
    cycle_end: Day = key("its end")
    category: Text = code(PointsCategory, "continuing education, retake or employment")
    event_date: Day = key("when earned")
    points: Number = key("points")
    source_record_id: Text = note("the record that earned them")


class RenewalForecast(Contract):
    employee_id: Text = key("the person")
    credential: Text = key("credential")
    expires_on: Day = key("end of the current cycle")
    cycle_points: Number = note("points so far", ge=0)
    points_needed: Number = note("points needed", ge=0)
    days_left: Whole = note("days to expiry")
    points_per_day_so_far: Number = note("pace so far")
    projected_points_at_expiry: Number = note("points at expiry at that pace")
    on_track: Flag = note("projected to make it")
    site: Text = key("site code")
    status: Text = code(Status, "status on the as-of date")
    required: Flag = key("the role requires the credential")
    renewal_secured: Flag = note("renewal already secured")
    employment_points_to_come: Number = note("employment points before expiry", ge=0)
    as_of: Day = key("the as-of date")


class SiteCompliance(Contract):
    site: Text = key("site code", unique=True)
    site_name: Text = note("site name from policy.yaml")
    headcount_in_scope: Whole = count("people the rate is over (exempt people left out)")
    compliant: Whole = count("compliant")
    grace: Whole = count("in new-hire grace")
    non_compliant: Whole = count("non-compliant")
    not_required: Whole = count("not required")
    expiring_30: Whole = count("expiring within 30 days")
    expiring_60: Whole = count("within 60 days")
    expiring_90: Whole = count("within 90 days")
    compliance_rate: Number = note("compliant / in scope; empty with nobody in scope", ge=0, le=1)
    site_configured: Flag = key("the site is configured in policy.yaml")
    as_of: Day = key("the as-of date")
    exempt: Whole = count("exempt people, outside every rate")

    @pa.dataframe_check(description="in scope = compliant + grace + non-compliant")
    def in_scope_adds_up(cls, frame: pd.DataFrame) -> pd.Series:
        parts = frame["compliant"] + frame["grace"] + frame["non_compliant"]
        return parts == frame["headcount_in_scope"]


class AuditFinding(Contract):
    site: Text = key("site code, or company for company-wide input findings")
    criteria_set: Text = key("criteria set (ISO9001, IATF16949, ...)")
    clause: Text = key("clause")
    title: Text = note("criterion")
    requirement: Text = note("what the clause asks")
    verdict: Text = code(FindingVerdict, "the grade")
    statement: Text = note("the auditor-style statement")
    evidence: Text = note("what it rests on")
    affected_count: Whole = note("how many", ge=0)
    affected_unit: Text = note("people, records or files")


class SiteReport(Contract):
    report: Text = key("site code, or company for the roll-up", unique=True)
    site_name: Text = note("site name")
    path: Text = key("the PDF under reports/<week>/")
    sha256: Text = key("SHA-256 of the PDF", str_matches=SHA256)
    size_bytes: Whole = pa.Field(gt=0, description="size of the PDF")
    verdict: Text = code(SiteVerdict, "the cover's verdict", nullable=True)
    compliance_rate: Number = note("the cover's rate", ge=0, le=1)
    held: Flag = key("the week's mail is held")
    hold_reason: Text = note("why")
    # what the mail repeats of the first page (assets/reporting/briefing_table.py); a week
    # stored by an older version has these empty and JSON columns instead (docs/data-contract.md)
    compliant: Whole = note("people compliant", ge=0)
    grace: Whole = note("people in new-hire grace", ge=0)
    non_compliant: Whole = note("people non-compliant", ge=0)
    exempt: Whole = note("people exempt", ge=0)
    not_required: Whole = note("people not required to hold the credential", ge=0)
    major_nc: Whole = note("major nonconformities (roll-up: every site's)", ge=0)
    minor_nc: Whole = note("minor nonconformities (roll-up: every site's)", ge=0)
    observations: Whole = note("observations (roll-up: every site's)", ge=0)
    actions_total: Whole = note("actions in the report's action list (the mail shows 5)", ge=0)
    previous_week_stored: Flag = note("last week's snapshot was stored: changes are known")
    rate_change: Text = note("why the rate moved since last week, in words")
    contact: Text = note("the address for questions about the report")
    escalation: Text = note("escalated actions for the site lead")
    recipients: Text = note("who the week's mail for this report goes to, decided at rendering")


class ReportBriefingLine(Contract):
    """The lists a report's mail repeats, one row per line; a section fills its own columns."""

    report: Text = key("site code, or company for the roll-up")
    section: Text = pa.Field(
        isin=["finding", "action", "change", "site"], description="which list of the mail"
    )
    position: Whole = pa.Field(ge=1, description="place in its list, from 1")
    site: Text = note("finding, site: the site code")
    site_name: Text = note("site: the site's name")
    criteria_set: Text = note("finding: criteria set (ISO9001, ...)")
    clause: Text = note("finding: clause")
    verdict: Text = note("finding: its verdict code; site: the site's verdict")
    title: Text = note("finding: the criterion; change: what changed (joined, left, ...)")
    employee_id: Text = note("action: the person")
    name: Text = note("action: First Last")
    action: Text = note("action: what to do")
    credential: Text = note("action: the credential")
    due_date: Day = note("action: due date")
    overdue_days: Whole = note("action: days past due", ge=0)
    manager: Text = note("action: the person's manager")
    count: Whole = note("change: how many", ge=0)
    compliance_rate: Number = note("site: the rate", ge=0, le=1)
    major_nc: Whole = note("site: major nonconformities", ge=0)
    minor_nc: Whole = note("site: minor nonconformities", ge=0)
    observations: Whole = note("site: observations", ge=0)

    class Config:
        # one line per place of each list of each report
        unique = ("report", "section", "position")


class MailClearance(Contract):
    source: Text = key("source", unique=True)
    files: Whole = count("data files")
    files_rejected_whole: Whole = count("files rejected whole")
    rows_in: Whole = count("rows read")
    rejected: Whole = count("rows rejected")
    reject_share: Number = pa.Field(ge=0, le=1, description="the larger of row and file shares")
    threshold: Number = pa.Field(ge=0, le=1, description="policy.reject_share_threshold")
    within_policy: Flag = key("at or under the threshold")


class EmailDelivery(Contract):
    site: Text = key("site code")
    recipient: Text = key("recipient")
    report_sha256: Text = note("hash of the report mailed", str_matches=SHA256)
    decision: Text = note("why it was (not) sent")
    status: Text = key("SENT, WRITTEN_TO_OUTBOX, FAILED, UNKNOWN, NOT_SENT, WOULD_SEND, SKIPPED")
    attempts: Whole = count("attempts this run")
    error: Text = note("last error, credentials scrubbed")


OUTPUT_MODELS: dict[str, type[Contract]] = {
    "deduplicated_rows": DeduplicatedRow,
    "unmatched_records": UnmatchedRecord,
    "source_files": SourceFile,
    "certification_status": CertificationStatus,
    "corrective_actions": CorrectiveAction,
    "training_effectiveness": TrainingEffectiveness,
    "points_ledger": PointsLedgerEntry,
    "renewal_forecast": RenewalForecast,
    "site_compliance": SiteCompliance,
    "audit_findings": AuditFinding,
    "site_report_pdfs": SiteReport,
    "report_briefing_lines": ReportBriefingLine,
    "mail_clearance": MailClearance,
    "email_delivery": EmailDelivery,
}
