"""The report as a controlled document (ISO 9001 7.5.3): id, revision, issue, distribution.

- **Document id**: ``CMP-<SITE>-<ISO week>`` (``CMP-DAYTON-2026-W47``; the roll-up is
  ``CMP-COMPANY-2026-W47``, a name no site may take), the same for every revision of the week.
- **Revision**: 1 for the first issue of a week. A rerun whose inputs did not change keeps the
  issued PDF (and its revision); a rerun whose inputs changed reissues the week as the next
  revision, and the cover says why: which parts of the report's inputs changed since the last
  revision. The manifest beside the PDFs (``reports/<week>/manifest.json``) keeps each report's
  revision history: revision, issue date, reason, input fingerprint, PDF hash.
- **Issue date**: the run date (``COMPETENCE_RUN_DATE`` or today in the company timezone), also
  the PDF's creation date; "data as of" is the week's Sunday.
- **Distribution**: the report's recipients from ``recipients.yaml``.
- **Retention**: ``policy.report.retention_years`` from the issue date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.config import CompetenceConfig
from schemas.identifiers import ROLLUP_NAME

MARKING = (
    "Personal data - confidential. Contains names and certification records of employees; "
    "for the listed recipients and auditors only; do not forward."
)
# What a report's inputs are made of, as named in a revision's reason (see part_fingerprints).
PART_NAMES = {
    "people": "the people's certification status",
    "history": "last week's status and the trend",
    "findings": "the audit findings",
    "actions": "the corrective actions",
    "effectiveness": "the effectiveness of training",
    "inputs": "the input files",
    "run": "the configuration or code version",
}


@dataclass(frozen=True)
class DocumentControl:
    document_id: str
    revision: int
    revision_reason: str
    issued_on: date
    as_of: date
    distribution: tuple[str, ...]
    retention_years: int

    @property
    def retain_until(self) -> date:
        try:
            return self.issued_on.replace(year=self.issued_on.year + self.retention_years)
        except ValueError:  # issued on 29 February
            return self.issued_on.replace(year=self.issued_on.year + self.retention_years, day=28)

    @property
    def marking(self) -> str:
        return MARKING


def document_id(report: str, iso_week: str) -> str:
    """``CMP-DAYTON-2026-W47``: stable per report and week, whatever the revision."""
    return f"CMP-{report.upper()}-{iso_week}"


def distribution(report: str, config: CompetenceConfig) -> tuple[str, ...]:
    """Who the report is issued to: the site's quality managers, or the roll-up's readers."""
    if report == ROLLUP_NAME:
        return tuple(config.recipients.company)
    return tuple(config.recipients.sites.get(report, []))


def revision_for(entry: dict | None, parts: dict[str, str]) -> tuple[int, str]:
    """The revision a new rendering of a report gets, and why, from its manifest entry.

    ``entry`` is the report's manifest entry (None: never issued); ``parts`` the fingerprints of
    its inputs by part (:data:`PART_NAMES`). Only called when the inputs changed (or the PDF is
    gone), so an existing entry always means a reissue.
    """
    if not entry:
        return 1, "first issue"
    previous = int(entry.get("revision", 1))
    before = entry.get("parts") or {}
    changed = [PART_NAMES.get(k, k) for k in parts if before.get(k) != parts[k]] if before else []
    if changed:
        why = "changed since revision " + str(previous) + ": " + ", ".join(changed)
    elif before:
        why = f"revision {previous}'s PDF was missing or altered in the archive: issued again"
    else:
        why = f"the report's inputs changed since revision {previous}"
    return previous + 1, why


def control_for(
    report: str,
    iso_week: str,
    revision: tuple[int, str],
    issued_on: date,
    as_of: date,
    config: CompetenceConfig,
) -> DocumentControl:
    return DocumentControl(
        document_id=document_id(report, iso_week),
        revision=revision[0],
        revision_reason=revision[1],
        issued_on=issued_on,
        as_of=as_of,
        distribution=distribution(report, config),
        retention_years=config.policy.report.retention_years,
    )
