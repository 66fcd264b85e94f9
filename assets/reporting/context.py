"""The facts about one weekly run that every report prints: week, as-of date, provenance, hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class ReportContext:
    """Run-level facts for the reports of one weekly partition.

    ``week`` is the partition's Monday and ``as_of`` the date D the statuses answer for (that
    week's Sunday). ``held`` marks a week whose e-mail is held because an input source failed the
    data-quality gate: the reports are still rendered, for inspection, and say so on page one.
    """

    week: date
    as_of: date
    iso_week: str
    run_id: str
    code_version: str
    config_hash: str
    newest_input_file: str | None = None
    held: bool = False
    hold_reason: str = ""
    before_first_extract: bool = False
    # The HR roster extract the week's headcount comes from, and last week's (item: changes)
    roster_extract: str | None = None
    roster_extract_date: date | None = None
    previous_roster_extract: str | None = None
    previous_roster_extract_date: date | None = None
    roster_max_age_days: int = 35

    @property
    def roster_age_days(self) -> int | None:
        """Days from the extract's date to the as-of date (None without a dated extract)."""
        if self.roster_extract_date is None:
            return None
        return (self.as_of - self.roster_extract_date).days

    @property
    def roster_stale(self) -> bool:
        """The extract is older than the policy allows: the headcount may be out of date."""
        age = self.roster_age_days
        return age is not None and age > self.roster_max_age_days

    @property
    def roster_extract_changed(self) -> bool:
        """Last week's figures came from another extract than this week's."""
        return (
            self.previous_roster_extract is not None
            and self.roster_extract is not None
            and self.previous_roster_extract != self.roster_extract
        )

    @classmethod
    def for_week(cls, week: date, **facts: object) -> ReportContext:
        """Build a context from the partition's Monday; as-of date and ISO label follow from it."""
        year, number, _ = week.isocalendar()
        return cls(
            week=week,
            as_of=week + timedelta(days=6),
            iso_week=f"{year}-W{number:02d}",
            **facts,  # type: ignore[arg-type]
        )
