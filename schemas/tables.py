"""Pandera models of the canonical tables, one per table.

Each model states what a valid row is; rows that fail are not dropped but quarantined by the
ingestion stage (``assets.ingest.validation``) with the check's name and the offending value.
Checks that depend on configuration or on the run date (known modules, "not in the future") are
added per run by :func:`with_runtime_checks`, so the models stay importable without a config.

Text columns are Arrow-backed strings (``Text``), as the ingestion readers produce them: Pandera
then checks the column's dtype once instead of calling ``isinstance(str)`` on every cell, and the
string checks (e-mail pattern) run in Arrow's C++ kernels.
"""

from typing import Annotated

import pandas as pd
import pandera.pandas as pa
import pyarrow
from pandera.typing import Series

from schemas.identifiers import RESERVED_SITE_CODES, SITE_CODE_EXPECTED, SITE_CODE_PATTERN

# An Arrow-backed text column: pd.ArrowDtype(pyarrow.string()).
Text = Annotated[pd.ArrowDtype, pyarrow.string()]

ROSTER_COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "email",
    "site",
    "department",
    "job_role",
    "manager_email",
    "hire_date",
    "termination_date",
)
# status/<partition>/employee_status.csv and the PDF attachment (docs/data-contract.md), in this
# order
EMPLOYEE_STATUS_COLUMNS = (
    "employee_id",
    "first_name",
    "last_name",
    "site",
    "job_role",
    "credential",
    "status",
    "modules_passed",
    "certified_on",
    "cycle_start",
    "expires_on",
    "cycle_points",
    "points_needed",
    "renewal_secured",
    "compliance",
    "due_date",
)
ROSTER_REQUIRED = ("employee_id", "first_name", "last_name", "site", "job_role", "hire_date")

ACTIVITY_COLUMNS = (
    "employee_id",
    "activity_date",
    "activity_type",
    "hours",
    "points",
    "description",
    "evidence_ref",
)
ACTIVITY_REQUIRED = ("employee_id", "activity_date", "activity_type")

# exemptions/ and revocations/: decisions recorded by the company (README "Data contract")
EXEMPTION_COLUMNS = (
    "employee_id",
    "credential",
    "reason",
    "approved_by",
    "valid_from",
    "valid_until",
)
EXEMPTION_REQUIRED = ("employee_id", "credential", "reason", "approved_by", "valid_from")
REVOCATION_COLUMNS = ("employee_id", "credential", "revoked_on", "reason", "revoked_by")
REVOCATION_REQUIRED = REVOCATION_COLUMNS

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

# Row-level (dataframe) checks name no column of their own; a reject row names this one.
ROW_CHECK_COLUMNS = {
    "termination_date not before hire_date": "termination_date",
    "some identity given (employee_id, email or name)": "employee_id",
    "hours or points given": "hours",
    "valid_until not before valid_from": "valid_until",
}


class RosterRecord(pa.DataFrameModel):
    """One employee on one HR roster extract."""

    employee_id: Series[Text] = pa.Field(nullable=False, description="HR employee number")
    first_name: Series[Text] = pa.Field(nullable=False)
    last_name: Series[Text] = pa.Field(nullable=False)
    email: Series[Text] = pa.Field(nullable=True, str_matches=EMAIL_PATTERN)
    # The site code names the site's PDF, outbox files and keys: an identifier, never a path
    # (schemas/identifiers.py). The ingest upper-cases and trims it before this check.
    site: Series[Text] = pa.Field(nullable=False, description="site code, e.g. DAYTON")
    department: Series[Text] = pa.Field(nullable=True)
    job_role: Series[Text] = pa.Field(nullable=False)
    manager_email: Series[Text] = pa.Field(nullable=True, str_matches=EMAIL_PATTERN)
    hire_date: Series[pd.Timestamp] = pa.Field(nullable=False)
    termination_date: Series[pd.Timestamp] = pa.Field(nullable=True)

    @pa.check("site", name=SITE_CODE_EXPECTED)
    def _site_code(cls, site: Series[str]) -> Series[bool]:
        matches = site.str.fullmatch(SITE_CODE_PATTERN).fillna(False).astype(bool)
        return matches & ~site.isin(sorted(RESERVED_SITE_CODES))

    @pa.dataframe_check(name="termination_date not before hire_date")
    def _termination_after_hire(cls, df: pd.DataFrame) -> Series[bool]:
        return df["termination_date"].isna() | (df["termination_date"] >= df["hire_date"])

    class Config:
        strict = False
        coerce = False


class AssessmentResult(pa.DataFrameModel):
    """One module assessment reported by a training provider, in the canonical shape."""

    provider: Series[Text] = pa.Field(nullable=False)
    record_id: Series[Text] = pa.Field(nullable=False, description="unique within the provider")
    employee_id: Series[Text] = pa.Field(nullable=True)
    email: Series[Text] = pa.Field(nullable=True, str_matches=EMAIL_PATTERN)
    first_name: Series[Text] = pa.Field(nullable=True)
    last_name: Series[Text] = pa.Field(nullable=True)
    module: Series[Text] = pa.Field(nullable=False, description="canonical module code")
    assessment_date: Series[pd.Timestamp] = pa.Field(nullable=False)
    score: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    passed: Series[pd.BooleanDtype] = pa.Field(nullable=False)
    credential_id: Series[Text] = pa.Field(nullable=True)

    @pa.dataframe_check(name="some identity given (employee_id, email or name)")
    def _identifiable(cls, df: pd.DataFrame) -> Series[bool]:
        named = df["first_name"].notna() & df["last_name"].notna()
        return df["employee_id"].notna() | df["email"].notna() | named

    class Config:
        strict = False
        coerce = False


class CeActivity(pa.DataFrameModel):
    """One continuing-education activity (course, webinar, conference...) of one employee."""

    employee_id: Series[Text] = pa.Field(nullable=False)
    activity_date: Series[pd.Timestamp] = pa.Field(nullable=False)
    activity_type: Series[Text] = pa.Field(nullable=False)
    hours: Series[float] = pa.Field(nullable=True, ge=0, le=1000)
    points: Series[float] = pa.Field(nullable=True, ge=0, le=1000)
    description: Series[Text] = pa.Field(nullable=True)
    evidence_ref: Series[Text] = pa.Field(nullable=True)

    @pa.dataframe_check(name="hours or points given")
    def _hours_or_points(cls, df: pd.DataFrame) -> Series[bool]:
        return df["hours"].notna() | df["points"].notna()

    class Config:
        strict = False
        coerce = False


class StatusEvidence(pa.DataFrameModel):
    """One record that proves one status row (warehouse table ``status_evidence``, ISO 9001
    7.2 d); ``linked_by`` is how the record was linked to the person: employee_id, email or
    name."""

    employee_id: Series[str] = pa.Field(nullable=False)
    first_name: Series[str] = pa.Field(nullable=True)
    last_name: Series[str] = pa.Field(nullable=True)
    site: Series[str] = pa.Field(nullable=False)
    job_role: Series[str] = pa.Field(nullable=True)
    credential: Series[str] = pa.Field(nullable=False)
    status: Series[str] = pa.Field(nullable=False)
    compliance: Series[str] = pa.Field(nullable=False)
    module: Series[str] = pa.Field(nullable=False)
    provider: Series[str] = pa.Field(nullable=False)
    record_id: Series[str] = pa.Field(nullable=False)
    assessment_date: Series[pd.Timestamp] = pa.Field(nullable=False)
    score: Series[float] = pa.Field(nullable=True, ge=0, le=100)
    passed: Series[bool] = pa.Field(nullable=True)
    credential_id: Series[str] = pa.Field(nullable=True)
    linked_by: Series[str] = pa.Field(nullable=False, isin=["employee_id", "email", "name"])
    source_file: Series[str] = pa.Field(nullable=True)
    source_row: Series[int] = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = True


class Exemption(pa.DataFrameModel):
    """A person excused from a credential's requirement for a time, and who decided it."""

    employee_id: Series[Text] = pa.Field(nullable=False)
    credential: Series[Text] = pa.Field(nullable=False, description="credential code")
    reason: Series[Text] = pa.Field(nullable=False)
    approved_by: Series[Text] = pa.Field(nullable=False)
    valid_from: Series[pd.Timestamp] = pa.Field(nullable=False)
    valid_until: Series[pd.Timestamp] = pa.Field(
        nullable=True, description="last day the exemption holds; empty: no end date"
    )

    @pa.dataframe_check(name="valid_until not before valid_from")
    def _ends_after_start(cls, df: pd.DataFrame) -> Series[bool]:
        return df["valid_until"].isna() | (df["valid_until"] >= df["valid_from"])

    class Config:
        strict = False
        coerce = False


class Revocation(pa.DataFrameModel):
    """A credential withdrawn from a person (by its provider or the company) from a date."""

    employee_id: Series[Text] = pa.Field(nullable=False)
    credential: Series[Text] = pa.Field(nullable=False, description="credential code")
    revoked_on: Series[pd.Timestamp] = pa.Field(nullable=False)
    reason: Series[Text] = pa.Field(nullable=False)
    revoked_by: Series[Text] = pa.Field(nullable=False, description="provider or company")

    class Config:
        strict = False
        coerce = False


def with_runtime_checks(
    model: type[pa.DataFrameModel],
    *,
    date_column: str,
    today: pd.Timestamp,
    known_modules: set[str] | None = None,
    known_credentials: set[str] | None = None,
) -> pa.DataFrameSchema:
    """The model's schema plus the checks that need the run date and the configuration.

    A record dated after the day the pipeline runs cannot have happened yet
    (docs/data-contract.md), and a
    module the credentials do not define cannot count towards anything.
    """
    schema = model.to_schema()
    updates: dict[str, dict] = {
        date_column: {
            "checks": [
                *schema.columns[date_column].checks,
                pa.Check.le(today, name=f"not after the run date {today:%Y-%m-%d}"),
            ]
        }
    }
    if known_modules is not None:
        updates["module"] = {
            "checks": [
                *schema.columns["module"].checks,
                pa.Check.isin(sorted(known_modules), name="known module"),
            ]
        }
    if known_credentials is not None:
        updates["credential"] = {
            "checks": [
                *schema.columns["credential"].checks,
                pa.Check.isin(sorted(known_credentials), name="known credential"),
            ]
        }
    return schema.update_columns(updates)


class RejectedRow(pa.DataFrameModel):
    """One entry of the quarantine (``rejected_rows``, ``status/<week>/rejected_rows.csv``).

    A row that failed a check names its file, row, column, the check, the value as written and
    the record's key; a file rejected whole has no row number, column, value or key. Columns are
    only ever added at the end (scripts read the export by position too).
    """

    source: Series[str] = pa.Field(nullable=False)
    source_file: Series[str] = pa.Field(nullable=False)
    row_number: Series[pd.Int64Dtype] = pa.Field(nullable=True, description="empty: whole file")
    column: Series[str] = pa.Field(nullable=True)
    check: Series[str] = pa.Field(nullable=False, description="what was expected")
    value: Series[str] = pa.Field(nullable=True)
    message: Series[str] = pa.Field(nullable=False)
    record_key: Series[str] = pa.Field(
        nullable=True,
        description="the record's key: record_id for results, employee_id for roster and "
        "activities; empty for a whole file or a record without one",
    )

    class Config:
        strict = True
        ordered = True
        coerce = False
