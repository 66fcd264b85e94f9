"""The column types of every warehouse table, declared here rather than guessed from a frame.

DuckDB types a table created from a pandas frame by the frame's dtypes; an empty or all-None
object column becomes the type ``"NULL"``, which can never hold a value again (every later
insert fails with ``Unimplemented type for cast (VARCHAR -> "NULL")``). So each table is created
from this declaration whatever the first run contains. The three ingested tables take their
columns from the Pandera models (``schemas.tables``) plus the intake's bookkeeping columns; the
tables the intake's bookkeeping, the engine, the reports and the mail write take theirs from
their contracts (``schemas.output_tables``).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from schemas.output_tables import OUTPUT_MODELS
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
    # --- what the intake, the engine, the reports and the mail write (schemas.output_tables) ---
    "deduplicated_rows": model_columns(OUTPUT_MODELS["deduplicated_rows"]) | WEEK,
    "unmatched_records": model_columns(OUTPUT_MODELS["unmatched_records"]) | WEEK,
    "source_files": model_columns(OUTPUT_MODELS["source_files"]) | WEEK,
    "certification_status": model_columns(OUTPUT_MODELS["certification_status"]) | WEEK,
    "status_evidence": model_columns(StatusEvidence) | WEEK,
    "corrective_actions": model_columns(OUTPUT_MODELS["corrective_actions"]) | WEEK,
    "training_effectiveness": model_columns(OUTPUT_MODELS["training_effectiveness"]) | WEEK,
    "points_ledger": model_columns(OUTPUT_MODELS["points_ledger"]) | WEEK,
    "renewal_forecast": model_columns(OUTPUT_MODELS["renewal_forecast"]) | WEEK,
    "site_compliance": model_columns(OUTPUT_MODELS["site_compliance"]) | WEEK,
    "audit_findings": model_columns(OUTPUT_MODELS["audit_findings"]) | WEEK,
    "site_report_pdfs": model_columns(OUTPUT_MODELS["site_report_pdfs"]) | WEEK,
    "report_briefing_lines": model_columns(OUTPUT_MODELS["report_briefing_lines"]) | WEEK,
    "mail_clearance": model_columns(OUTPUT_MODELS["mail_clearance"]) | WEEK,
    "email_delivery": model_columns(OUTPUT_MODELS["email_delivery"]) | WEEK,
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
    **OUTPUT_MODELS,
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
