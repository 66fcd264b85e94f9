"""Pydantic models of the configuration files in ``config/``: one model per file, and
:class:`CompetenceConfig`, all of them together. Loading and cross-checking is ``config.py``.

Every model is strict (unknown keys are refused) and frozen; the checked value types (codecs,
date formats, timezones, addresses, site codes) are ``config_values.py``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.config_values import (
    DateFormat,
    Delimiter,
    EmailAddress,
    Encoding,
    SiteCode,
    SiteCodeOrAny,
    TimezoneName,
)

CANONICAL_RESULT_COLUMNS = (
    "provider",
    "record_id",
    "employee_id",
    "email",
    "first_name",
    "last_name",
    "module",
    "assessment_date",
    "score",
    "passed",
    "credential_id",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- credentials.yaml -------------------------------------------------------------------------


class PointsRenewal(_Strict):
    """Renewal by points earned inside the validity cycle (CPT's rule)."""

    method: Literal["points"] = "points"
    points_required: Annotated[float, Field(gt=0)] = 100
    ce_points_per_hour: Annotated[float, Field(ge=0)] = 1
    employment_points_per_year: Annotated[float, Field(ge=0)] = 20
    retake_points: Annotated[float, Field(ge=0)] = 25


class RetestRenewal(_Strict):
    """Renewal by passing every required module again in the window before expiry."""

    method: Literal["retest"] = "retest"
    window_days: Annotated[int, Field(gt=0)] = 90


class Credential(_Strict):
    name: str
    issuer: str = ""
    required_modules: Annotated[list[str], Field(min_length=1)]
    optional_modules: list[str] = []
    validity_years: Annotated[int, Field(gt=0, le=50)]
    renewal: PointsRenewal | RetestRenewal = Field(discriminator="method")
    # An expired or missing safety-critical credential also raises a containment action:
    # the person is removed from the task until re-certified.
    safety_critical: bool = False

    @model_validator(mode="after")
    def _modules_disjoint(self) -> Credential:
        overlap = set(self.required_modules) & set(self.optional_modules)
        if overlap:
            raise ValueError(f"modules {sorted(overlap)} are both required and optional")
        return self


class CredentialsConfig(_Strict):
    credentials: Annotated[dict[str, Credential], Field(min_length=1)]

    @property
    def all_modules(self) -> set[str]:
        return {
            m for c in self.credentials.values() for m in (*c.required_modules, *c.optional_modules)
        }


# --- requirements.yaml ------------------------------------------------------------------------


class Requirement(_Strict):
    site: SiteCodeOrAny = "*"
    job_role: str
    # None means "competence determined: this role needs no credential" (no audit finding),
    # unlike a role with no entry at all, which is reported as "competence not determined".
    credential: str | None


class RequirementsConfig(_Strict):
    requirements: list[Requirement]


# --- providers.yaml ---------------------------------------------------------------------------


class PassRule(_Strict):
    """How a provider says 'passed': a result column with pass/fail words, or a score threshold."""

    pass_values: list[str] | None = None
    fail_values: list[str] | None = None
    min_score: Annotated[float, Field(ge=0, le=100)] | None = None

    @model_validator(mode="after")
    def _one_rule(self) -> PassRule:
        has_values = self.pass_values is not None
        if has_values == (self.min_score is not None):
            raise ValueError("give either pass_values (with fail_values) or min_score, not both")
        if has_values and not self.fail_values:
            raise ValueError("pass_values needs fail_values too, so unknown words are rejected")
        return self


class Provider(_Strict):
    format: Literal["csv", "xlsx"]
    encoding: Encoding = "utf-8"
    delimiter: Delimiter = ","
    sheet: str | int = 0
    skip_rows: Annotated[int, Field(ge=0)] = 0
    date_format: DateFormat = "%Y-%m-%d"
    # canonical column -> column in the provider's file. ``full_name`` is a pseudo-column split
    # by ``name_order`` into first and last name.
    columns: dict[str, str]
    name_order: Literal["last_comma_first", "first_last"] = "last_comma_first"
    module_values: dict[str, str] = {}
    score_scale: Literal["percent", "fraction"] = "percent"
    pass_rule: PassRule

    @field_validator("columns")
    @classmethod
    def _known_targets(cls, columns: dict[str, str]) -> dict[str, str]:
        allowed = set(CANONICAL_RESULT_COLUMNS) | {"full_name"}
        unknown = sorted(set(columns) - allowed)
        if unknown:
            raise ValueError(f"unknown canonical columns {unknown}; allowed: {sorted(allowed)}")
        for needed in ("record_id", "module", "assessment_date"):
            if needed not in columns:
                raise ValueError(f"the column map must map '{needed}'")
        return columns


class ProvidersConfig(_Strict):
    providers: dict[str, Provider] = {}


# --- recipients.yaml --------------------------------------------------------------------------


class RecipientsConfig(_Strict):
    sites: dict[SiteCode, list[EmailAddress]] = {}
    company: list[EmailAddress] = []
    data_team: list[EmailAddress] = []
    # Where a reader's questions go, printed in every report e-mail: one address for all, and
    # optionally one per site. Unset: the first company recipient.
    contact: EmailAddress | None = None
    site_contacts: dict[SiteCode, EmailAddress] = {}

    def contact_for(self, site: str) -> str | None:
        """The address a site's (or the roll-up's) readers write to with questions."""
        return self.site_contacts.get(site) or self.contact or next(iter(self.company), None)


# --- policy.yaml ------------------------------------------------------------------------------


class Site(_Strict):
    name: str
    timezone: TimezoneName | None = None
    audit_criteria: list[str] = ["ISO9001"]
    # Who an overdue corrective action escalates to (named in the report and the site's mail);
    # empty = not named (the report and the mail then say which key to set).
    lead: str = ""
    paper: Literal["A4", "Letter"] | None = None  # None: report.paper, else from the timezone

    @field_validator("lead")
    @classmethod
    def _one_line(cls, value: str) -> str:
        # printed in the PDF and in the mail body: one line of plain text, like a name and title
        value = value.strip()
        if any(ord(c) < 32 or ord(c) == 127 for c in value) or len(value) > 120:
            raise ValueError(
                "expected the site lead's name (and title) on one line of at most 120 "
                'characters, like "Dana Whitfield, plant manager"'
            )
        return value


class ReportPolicy(_Strict):
    # auto: Letter for sites in the US and Canada (by timezone), A4 elsewhere
    paper: Literal["auto", "A4", "Letter"] = "auto"
    history_weeks: Annotated[int, Field(ge=1, le=104)] = 12
    max_attachment_mb: Annotated[float, Field(gt=0)] = 10
    # How long an issued report is kept (printed on it as its retention period, ISO 9001 7.5.3).
    retention_years: Annotated[int, Field(ge=1, le=100)] = 7


class Escalation(_Strict):
    """Days past its due date after which an open corrective action escalates."""

    site_lead_after_days: Annotated[int, Field(ge=0)] = 30
    company_after_days: Annotated[int, Field(ge=0)] = 90

    @model_validator(mode="after")
    def _company_after_site_lead(self) -> Escalation:
        if self.company_after_days < self.site_lead_after_days:
            raise ValueError(
                f"company_after_days ({self.company_after_days}) must not be less than "
                f"site_lead_after_days ({self.site_lead_after_days})"
            )
        return self


class Limits(_Strict):
    """How big a landing file may be. Each limit is checked before the work it protects (file
    size before reading, header and line count before parsing, an XLSX archive's declared sizes
    and sheet dimensions before it is unpacked), so a hostile file costs seconds, not gigabytes."""

    max_file_mb: Annotated[float, Field(gt=0)] = 1024
    max_columns: Annotated[int, Field(gt=0)] = 500
    max_rows: Annotated[int, Field(gt=0)] = 5_000_000
    max_cell_chars: Annotated[int, Field(gt=0)] = 1000
    max_xlsx_uncompressed_mb: Annotated[float, Field(gt=0)] = 2048


class Policy(_Strict):
    company_name: str = "Competence"
    timezone: TimezoneName = "UTC"
    default_credential: str = "CPT"
    expiry_warning_days: Annotated[int, Field(ge=0)] = 90
    new_hire_grace_days: Annotated[int, Field(ge=0)] = 180
    reject_share_threshold: Annotated[float, Field(ge=0, le=1)] = 0.05
    # The week is refused when the share of people with evidence falls by more than this
    # fraction of last week's share (0.2: from 80 % to below 64 %); 1 switches the rule off.
    evidence_share_max_drop: Annotated[float, Field(gt=0, le=1)] = 0.2
    manufacturing_related_roles: list[str] = []
    progress_lookback_days: Annotated[int, Field(ge=0)] = 90
    # ISO 7.2 c) effectiveness of training: a rate from fewer attempts (people, renewals,
    # actions) than this is shown with its counts but not judged; a module's first-attempt pass
    # rate over 52 weeks below the minimum is an observation
    effectiveness_min_attempts: Annotated[int, Field(ge=1)] = 10
    first_attempt_pass_rate_min: Annotated[float, Field(ge=0, le=1)] = 0.6
    major_nc_share: Annotated[float, Field(ge=0, le=1)] = 0.10
    major_nc_overdue_days: Annotated[int, Field(ge=0)] = 90
    # a roster extract older than this (days before the as-of date) makes the cover warn that
    # the headcount may be stale
    roster_max_age_days: Annotated[int, Field(ge=1)] = 35
    report: ReportPolicy = ReportPolicy()
    escalation: Escalation = Escalation()
    limits: Limits = Limits()
    sites: dict[SiteCode, Site] = {}

    @property
    def renewal_outlook_days(self) -> int:
        """How far ahead renewals are watched: twice the expiry warning, so people are in the
        points forecast (and the report's renewal outlook) a whole warning period before they
        turn EXPIRING. One home for the figure the forecast and the report share."""
        return 2 * self.expiry_warning_days


# --- audit_criteria.yaml ----------------------------------------------------------------------


class Criterion(_Strict):
    clause: str
    title: str
    requirement: str
    rule: str  # which grading rule of the reporting stage evaluates it


class AuditCriteriaConfig(_Strict):
    criteria_sets: Annotated[dict[str, list[Criterion]], Field(min_length=1)]


class CompetenceConfig(_Strict):
    """Everything in the configuration folder, validated and cross-checked."""

    credentials: CredentialsConfig
    requirements: RequirementsConfig
    providers: ProvidersConfig
    recipients: RecipientsConfig
    policy: Policy
    audit_criteria: AuditCriteriaConfig
    config_hash: str

    def site(self, site_id: str) -> Site:
        """A site's settings; a site nowhere in the configuration gets the defaults
        (docs/rules.md)."""
        return self.policy.sites.get(site_id) or Site(name=site_id)

    def site_timezone(self, site_id: str) -> str:
        return self.site(site_id).timezone or self.policy.timezone
