"""The briefing as a typed value: what a report's e-mail repeats from its PDF.

``Briefing`` is built once in the reporting stage (``briefing.py``, from the PDF's own figures),
stored as typed columns of the report index and rows of ``report_briefing_lines``
(``briefing_table.py``), rebuilt from those rows by the delivery stage and read by the mail's
formatters field by field. Frozen dataclasses rather than a dict: a misspelt or missing field is
an error where the value is built, not an empty line in Monday's mail. No pandas, no Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from schemas.vocabulary import FindingVerdict


@dataclass(frozen=True)
class FindingCounts:
    """Major and minor nonconformities and observations, as the PDF counts them."""

    major_nc: int = 0
    minor_nc: int = 0
    observation: int = 0

    def by_verdict(self) -> dict[str, int]:
        """``{"MAJOR_NC": 1, "MINOR_NC": 0, "OBSERVATION": 2}``, in the reports' order."""
        return {
            FindingVerdict.MAJOR_NC: self.major_nc,
            FindingVerdict.MINOR_NC: self.minor_nc,
            FindingVerdict.OBSERVATION: self.observation,
        }

    @classmethod
    def of(cls, counts: dict[str, int]) -> FindingCounts:
        """From a mapping keyed by verdict code (absent codes count 0)."""
        return cls(
            major_nc=int(counts.get(FindingVerdict.MAJOR_NC, 0)),
            minor_nc=int(counts.get(FindingVerdict.MINOR_NC, 0)),
            observation=int(counts.get(FindingVerdict.OBSERVATION, 0)),
        )

    def __add__(self, other: FindingCounts) -> FindingCounts:
        return FindingCounts(
            self.major_nc + other.major_nc,
            self.minor_nc + other.minor_nc,
            self.observation + other.observation,
        )


@dataclass(frozen=True)
class BriefingLine:
    """One of the worst open findings: where (site, standard), the clause, verdict and title."""

    site: str
    criteria_set: str
    clause: str
    verdict: str
    title: str


@dataclass(frozen=True)
class ActionLine:
    """One of the most urgent actions, with what the mail prints of it."""

    employee_id: str | None
    name: str
    what: str
    credential: str | None
    due: date | None
    overdue_days: int
    manager: str | None


@dataclass(frozen=True)
class ChangeCount:
    """One count of the PDF's "Since last week" line (``joined``, 18)."""

    title: str
    count: int


@dataclass(frozen=True)
class SiteRow:
    """One site's line of the roll-up's site table (the company PDF's, word for word)."""

    site: str
    name: str
    rate: float | None
    verdict: str  # RED, AMBER, GREEN, NOT_RATED
    finding_counts: FindingCounts | None  # None: not known (say nothing rather than "none")


@dataclass(frozen=True)
class Briefing:
    """A report's briefing: the figures its e-mail repeats, computed by the PDF's functions.

    ``changes`` is None when no snapshot of last week is stored (the mail says so); ``sites``
    is the roll-up's site table (empty for a site report). ``escalation`` is the sentence
    naming the site lead escalated corrective actions went to (empty when none).
    """

    finding_counts: FindingCounts
    findings: tuple[BriefingLine, ...] = ()
    actions: tuple[ActionLine, ...] = ()
    actions_total: int = 0
    changes: tuple[ChangeCount, ...] | None = None
    rate_change: str = ""
    contact: str | None = None
    escalation: str = ""
    sites: tuple[SiteRow, ...] = ()
