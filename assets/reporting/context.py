"""The facts about one weekly run that every report prints: week, as-of date, provenance, hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from assets.ingest.reject_share import hold_reason
from assets.provenance import code_version, newest_input_file
from assets.reporting.roster_extract import roster_extract
from assets.week_keys import Week
from schemas.config import CompetenceConfig


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
        """Build a context from the partition's Monday; the as-of date and the ISO label are the
        week's own (:class:`assets.week_keys.Week`), never worked out again here."""
        named = Week.starting(week)
        return cls(
            week=named.monday,
            as_of=named.as_of,
            iso_week=named.iso_label,
            **facts,  # type: ignore[arg-type]
        )


def report_context(
    partition_key: str,
    run_id: str,
    config: CompetenceConfig,
    source_files: pd.DataFrame,
    roster_snapshot: pd.DataFrame,
    previous_roster: pd.DataFrame | None = None,
) -> ReportContext:
    """The run-level facts every report of the week prints, the hold reason among them."""
    reason = hold_reason(source_files, config.policy.reject_share_threshold)
    before_first = bool(
        not roster_snapshot.empty and roster_snapshot["before_first_extract"].fillna(False).any()
    )
    extract, extract_date = roster_extract(roster_snapshot)
    previous_extract, previous_date = (
        roster_extract(previous_roster) if previous_roster is not None else (None, None)
    )
    return ReportContext.for_week(
        Week.of(partition_key).monday,
        run_id=run_id,
        code_version=code_version(),
        config_hash=config.config_hash,
        newest_input_file=newest_input_file(source_files),
        held=bool(reason),
        hold_reason=reason,
        before_first_extract=before_first,
        roster_extract=extract,
        roster_extract_date=extract_date,
        previous_roster_extract=previous_extract,
        previous_roster_extract_date=previous_date,
        roster_max_age_days=config.policy.roster_max_age_days,
    )
