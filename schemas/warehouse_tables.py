"""The column types of every warehouse table, declared here rather than guessed from a frame.

DuckDB types a table created from a pandas frame by the frame's dtypes; an empty or all-None
object column becomes the type ``"NULL"``, which can never hold a value again (every later
insert fails with ``Unimplemented type for cast (VARCHAR -> "NULL")``). So each table is created
from this declaration whatever the first run contains. The three ingested tables take their
columns from the Pandera models (``schemas.tables``) plus the intake's bookkeeping columns; the
tables the engine, the reports and the mail write have a typed column map.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from schemas.tables import (
    AssessmentResult,
    CeActivity,
    Exemption,
    RejectedRow,
    Revocation,
    RosterRecord,
    StatusEvidence,
)

TEXT, INT, FLOAT, BOOL = "VARCHAR", "BIGINT", "DOUBLE", "BOOLEAN"
DAY = "TIMESTAMP_NS"  # dates, as pandas holds them (nanosecond datetimes)
WEEK = {"week": "TIMESTAMP"}  # the partition column: a naive timestamp (the Monday)
# where a row came from, in every ingested table
SOURCE = {"source_file": TEXT, "source_row": INT}


def duckdb_type(dtype: object) -> str:
    """The DuckDB type of a pandas/Pandera dtype (text, integers, floats, booleans, dates)."""
    dtype = getattr(dtype, "type", dtype)  # a Pandera DataType wraps the pandas dtype
    if pd.api.types.is_bool_dtype(dtype):
        return BOOL
    if pd.api.types.is_integer_dtype(dtype):
        return INT
    if pd.api.types.is_float_dtype(dtype):
        return FLOAT
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return DAY
    return TEXT


def model_columns(model: type[pa.DataFrameModel]) -> dict[str, str]:
    return {name: duckdb_type(column.dtype) for name, column in model.to_schema().columns.items()}


TABLE_COLUMNS: dict[str, dict[str, str]] = {
    # --- ingestion (Pandera models + bookkeeping) ---
    "roster_snapshot": model_columns(RosterRecord)
    | SOURCE
    | {"extract_file": TEXT, "before_first_extract": BOOL}
    | WEEK,
    "assessment_results": model_columns(AssessmentResult)
    | SOURCE
    | {"person_id": TEXT, "match_method": TEXT}
    | WEEK,
    "ce_activities": model_columns(CeActivity) | SOURCE | {"person_id": TEXT} | WEEK,
    "exemptions": model_columns(Exemption) | SOURCE | WEEK,
    "revocations": model_columns(Revocation) | SOURCE | WEEK,
    "rejected_rows": model_columns(RejectedRow) | WEEK,
    "deduplicated_rows": {
        "source": TEXT,
        "source_file": TEXT,
        "row_number": INT,
        "kind": TEXT,
        "record_key": TEXT,
        "kept_file": TEXT,
        "kept_row": INT,
    }
    | WEEK,
    "unmatched_records": {
        "provider": TEXT,
        "record_id": TEXT,
        "source_file": TEXT,
        "row_number": INT,
        "reason": TEXT,
        "detail": TEXT,
        "employee_id": TEXT,
        "email": TEXT,
        "first_name": TEXT,
        "last_name": TEXT,
        "candidates": TEXT,
    }
    | WEEK,
    "source_files": {
        "source": TEXT,
        "file": TEXT,
        "sha256": TEXT,
        "modified_at": DAY,
        "rows_in": INT,
        "accepted": INT,
        "rejected": INT,
        "deduplicated": INT,
        "problem": TEXT,
    }
    | WEEK,
    # --- certification engine ---
    "certification_status": {
        "employee_id": TEXT,
        "first_name": TEXT,
        "last_name": TEXT,
        "site": TEXT,
        "job_role": TEXT,
        "credential": TEXT,
        "status": TEXT,
        "modules_passed": TEXT,
        "certified_on": DAY,
        "cycle_start": DAY,
        "expires_on": DAY,
        "cycle_points": FLOAT,
        "points_needed": FLOAT,
        "renewal_secured": BOOL,
        "compliance": TEXT,
        "due_date": DAY,
        "email": TEXT,
        "department": TEXT,
        "manager_email": TEXT,
        "hire_date": DAY,
        "required": BOOL,
        "requirement_determined": BOOL,
        "module_pass_dates": TEXT,
        "days_to_expiry": INT,
        "overdue_days": INT,
        "last_attempt_date": DAY,
        "evidence_record_ids": TEXT,
        "evidence_credential_ids": TEXT,
        "matched_by_name": BOOL,
        "as_of": DAY,
        # the company's decisions applied to the row (assets/certification/exemptions.py)
        "exemption_reason": TEXT,
        "exemption_approved_by": TEXT,
        "exemption_until": DAY,
        "revoked_on": DAY,
        "revocation_reason": TEXT,
    }
    | WEEK,
    "status_evidence": model_columns(StatusEvidence) | WEEK,
    "corrective_actions": {
        "site": TEXT,
        "employee_id": TEXT,
        "name": TEXT,
        "credential": TEXT,
        "kind": TEXT,
        "action": TEXT,
        "first_raised": DAY,
        "weeks_open": INT,
        "due_date": DAY,
        "days_past_due": INT,
        "state": TEXT,
        "escalated_to": TEXT,
        "closed_week": DAY,
        "closed_how": TEXT,
        "closed_on_time": BOOL,
    }
    | WEEK,
    # ISO 9001 7.2 c) effectiveness of training (assets/reporting/training_effectiveness.py)
    "training_effectiveness": {
        "site": TEXT,
        "provider": TEXT,
        "module": TEXT,
        "credential": TEXT,
        "window_weeks": INT,
        "window_start": DAY,
        "window_end": DAY,
        "measure": TEXT,
        "value": FLOAT,
        "count": INT,
        "sample": INT,
        "judged": BOOL,
        "note": TEXT,
    }
    | WEEK,
    "points_ledger": {
        "employee_id": TEXT,
        "credential": TEXT,
        "cycle_start": DAY,
        "cycle_end": DAY,
        "category": TEXT,
        "event_date": DAY,
        "points": FLOAT,
        "source_record_id": TEXT,
    }
    | WEEK,
    "renewal_forecast": {
        "employee_id": TEXT,
        "credential": TEXT,
        "expires_on": DAY,
        "cycle_points": FLOAT,
        "points_needed": FLOAT,
        "days_left": INT,
        "points_per_day_so_far": FLOAT,
        "projected_points_at_expiry": FLOAT,
        "on_track": BOOL,
        "site": TEXT,
        "status": TEXT,
        "required": BOOL,
        "renewal_secured": BOOL,
        "employment_points_to_come": FLOAT,
        "as_of": DAY,
    }
    | WEEK,
    "site_compliance": {
        "site": TEXT,
        "site_name": TEXT,
        "headcount_in_scope": INT,
        "compliant": INT,
        "grace": INT,
        "non_compliant": INT,
        "not_required": INT,
        "expiring_30": INT,
        "expiring_60": INT,
        "expiring_90": INT,
        "compliance_rate": FLOAT,
        "site_configured": BOOL,
        "as_of": DAY,
        "exempt": INT,
    }
    | WEEK,
    # --- reporting and delivery ---
    "audit_findings": {
        "site": TEXT,
        "criteria_set": TEXT,
        "clause": TEXT,
        "title": TEXT,
        "requirement": TEXT,
        "verdict": TEXT,
        "statement": TEXT,
        "evidence": TEXT,
        "affected_count": INT,
        "affected_unit": TEXT,
    }
    | WEEK,
    "site_report_pdfs": {
        "report": TEXT,
        "site_name": TEXT,
        "path": TEXT,
        "sha256": TEXT,
        "size_bytes": INT,
        "verdict": TEXT,
        "compliance_rate": FLOAT,
        "held": BOOL,
        "hold_reason": TEXT,
        "counts_json": TEXT,
        "findings_json": TEXT,
        "actions_json": TEXT,
        "briefing_json": TEXT,
        "escalation": TEXT,
        "recipients": TEXT,
    }
    | WEEK,
    "mail_clearance": {
        "source": TEXT,
        "files": INT,
        "files_rejected_whole": INT,
        "rows_in": INT,
        "rejected": INT,
        "reject_share": FLOAT,
        "threshold": FLOAT,
        "within_policy": BOOL,
    }
    | WEEK,
    "email_delivery": {
        "site": TEXT,
        "recipient": TEXT,
        "report_sha256": TEXT,
        "decision": TEXT,
        "status": TEXT,
        "attempts": INT,
        "error": TEXT,
    }
    | WEEK,
}


def declared_columns(table: str) -> dict[str, str]:
    """The declared columns of a warehouse table ({} for a table nobody declared)."""
    return TABLE_COLUMNS.get(table, {})


# the tables whose columns come from a Pandera model: their descriptions and nullability are
# shown beside the declared types (the Dagster UI's column schema, assets/catalog.py)
TABLE_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "roster_snapshot": RosterRecord,
    "assessment_results": AssessmentResult,
    "ce_activities": CeActivity,
    "exemptions": Exemption,
    "revocations": Revocation,
    "rejected_rows": RejectedRow,
    "status_evidence": StatusEvidence,
}
WEEK_DESCRIPTION = "the partition: the week's Monday"
SOURCE_DESCRIPTIONS = {
    "source_file": "landing file the row was read from",
    "source_row": "row number in that file",
}


def column_notes(table: str) -> dict[str, tuple[str, bool | None]]:
    """Per declared column: its description and whether it may be empty (``None``: not stated).

    Taken from the table's Pandera model where it has one, so the model stays the one place a
    column is described."""
    model = TABLE_MODELS.get(table)
    fields = model.to_schema().columns if model is not None else {}
    notes: dict[str, tuple[str, bool | None]] = {}
    for name in declared_columns(table):
        field = fields.get(name)
        if field is not None:
            notes[name] = (field.description or "", bool(field.nullable))
        elif name == "week":
            notes[name] = (WEEK_DESCRIPTION, False)
        else:
            notes[name] = (SOURCE_DESCRIPTIONS.get(name, ""), None)
    return notes
