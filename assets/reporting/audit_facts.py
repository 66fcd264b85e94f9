"""What the audit rules look at and return: one site's facts for a week (:class:`SiteFacts`),
a rule's outcome (:class:`RuleOutcome`), the verdicts in order of severity, and how a statement
names dates, people and a sample of many. The rules themselves are ``audit_rules.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from assets.csv_bytes import is_missing
from assets.print_text import IDENTIFIER, NAME, clip
from assets.reporting.figures import person_name
from schemas.config import Policy
from schemas.vocabulary import Compliance, FindingVerdict

CONFORMS, OBSERVATION, MINOR_NC, MAJOR_NC = (
    FindingVerdict.CONFORMS,
    FindingVerdict.OBSERVATION,
    FindingVerdict.MINOR_NC,
    FindingVerdict.MAJOR_NC,
)
VERDICT_SEVERITY = {CONFORMS: 0, OBSERVATION: 1, MINOR_NC: 2, MAJOR_NC: 3}
IN_SCOPE = (Compliance.COMPLIANT, Compliance.GRACE, Compliance.NON_COMPLIANT)
NAMED_IN_STATEMENT = 6  # an auditor names a sample, then gives the count


@dataclass(frozen=True)
class SiteFacts:
    """What the rules may look at for one site and week."""

    site: str
    as_of: date
    status: pd.DataFrame  # the site's status rows
    source_files: pd.DataFrame  # every input file (files are company-wide)
    site_rejected: pd.DataFrame  # rejected rows attributable to the site
    site_unmatched: pd.DataFrame  # unmatched/ambiguous records attributable to the site
    unattributed_rejected: int
    unattributed_unmatched: int
    policy: Policy
    config_hash: str
    # the week's training_effectiveness rows (every site's; empty when not computed)
    effectiveness: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class RuleOutcome:
    verdict: str
    finding: str  # what failed, with objective evidence; empty when it conforms
    evidence: str  # short, for the findings table
    affected_count: int
    affected_unit: str = "people"  # what affected_count counts: people, records, files, roles


def worst(verdicts: list[str]) -> str:
    """The most severe of the verdicts (CONFORMS for none)."""
    return max(verdicts, key=VERDICT_SEVERITY.__getitem__, default=CONFORMS)


def fmt_date(value: object) -> str:
    return "" if is_missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def person(row: pd.Series) -> str:
    # Statements are printed: a name from the data is cut like every printed name (print_text).
    name = clip(person_name(row["first_name"], row["last_name"]), NAME)
    return f"{name} ({clip(str(row['employee_id']), IDENTIFIER)})"


def sample(items: list[str], listed_in: str = "employee_status.csv") -> str:
    """Name the first few, then count the rest, as an audit statement does."""
    return _named_then_counted(items[:NAMED_IN_STATEMENT], len(items), listed_in)


def _named_then_counted(named: list[str], total: int, listed_in: str) -> str:
    rest = total - len(named)
    where = f"the attached {listed_in}" if listed_in.endswith(".csv") else f"the {listed_in}"
    return "; ".join(named) + (f"; and {rest} more (listed in {where})" if rest > 0 else "")


def sample_rows(
    rows: pd.DataFrame,
    describe: Callable[[pd.Series], str],
    listed_in: str = "employee_status.csv",
) -> str:
    """:func:`sample` of one description per row, in the frame's order: only the rows named are
    described (a site can have hundreds of rows behind a statement that names six)."""
    named = [describe(row) for _, row in rows.head(NAMED_IN_STATEMENT).iterrows()]
    return _named_then_counted(named, len(rows), listed_in)
