"""Is there enough data to report this week at all? The rules that refuse to report on nothing.

A weekly report is audit evidence: a week built from a missing landing folder, without a roster,
or with a source that went silent would render every site "n/a compliant" and mail it. These
plain functions judge the week's intake against the last stored week and return what is missing,
one sentence per problem; the intake asset fails the week with them before anything is written.

"Last week" is the latest week before this one that is stored in the warehouse (normally the
previous Monday; after a failed week, the one before). Without a stored week only the absolute
rules apply: a landing folder with files in it, and a readable roster extract with rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

MAX_NAMED_PROBLEMS = 1  # a message names the first problem file, then counts the rest


@dataclass(frozen=True)
class WeekFacts:
    """What one week delivered: rows accepted per source, and people with any evidence."""

    week: str  # the partition key (Monday)
    accepted_by_source: dict[str, int] = field(default_factory=dict)
    people: int = 0  # distinct employees on the week's roster
    people_with_evidence: int = 0  # ... with at least one linked result or CE activity

    @property
    def evidence_share(self) -> float | None:
        return self.people_with_evidence / self.people if self.people else None


def facts_of_week(
    week: str,
    source_files: pd.DataFrame,
    roster_ids: pd.Series,
    evidence_person_ids: list[pd.Series],
) -> WeekFacts:
    """The facts of a week from its accounting, roster ids and the person ids of its evidence."""
    accepted = (
        source_files.groupby("source")["accepted"].sum()
        if not source_files.empty
        else pd.Series(dtype="int64")
    )
    people = set(roster_ids.dropna().astype(str))
    linked: set[str] = set()
    for ids in evidence_person_ids:
        linked |= set(ids.dropna().astype(str))
    return WeekFacts(
        week=week,
        accepted_by_source={str(k): int(v) for k, v in accepted.items()},
        people=len(people),
        people_with_evidence=len(people & linked),
    )


def _name_problems(problems: list[str]) -> str:
    shown = "; ".join(problems[:MAX_NAMED_PROBLEMS])
    more = len(problems) - MAX_NAMED_PROBLEMS
    return shown + (f"; and {more} more" if more > 0 else "")


def _roster_problem(
    source_files: pd.DataFrame, roster_file: str | None, roster_rows: int, rejects: pd.DataFrame
) -> str | None:
    roster = source_files[source_files["source"] == "roster"]
    if roster_file is None:
        problems = roster["problem"].dropna().astype(str).tolist()
        if not problems:
            return (
                "no roster extract in roster/ (expected files named roster_YYYY-MM-DD.csv or .xlsx)"
            )
        return f"no readable roster extract for the week: {_name_problems(problems)}"
    if roster_rows == 0:
        mine = rejects[rejects["source_file"] == roster_file] if not rejects.empty else rejects
        first = f" (first: {mine['message'].iloc[0]})" if not mine.empty else ""
        return f"roster extract {roster_file} has no usable row: every row was rejected{first}"
    return None


def _silent_source(
    source: str, delivered: int, source_files: pd.DataFrame, previous_week: str
) -> str:
    files = source_files[source_files["source"] == source]
    last = f"last week ({previous_week}) it delivered {delivered:,} accepted rows"
    if files.empty:
        return f"source {source}: no files this week; {last}"
    whole = files[files["problem"].notna()]
    read = files[files["problem"].isna()]
    parts = []
    if not whole.empty:
        parts.append(
            f"{len(whole)} of {len(files)} file(s) rejected whole "
            f"({_name_problems(whole['problem'].astype(str).tolist())})"
        )
    if not read.empty:
        parts.append(
            f"all {int(read['rows_in'].sum()):,} rows of {len(read)} readable file(s) "
            "rejected or repeated"
        )
    return f"source {source}: nothing usable this week, {', '.join(parts)}; {last}"


def missing_data(
    *,
    landing_dir: Path,
    landing_exists: bool,
    files_found: int,
    source_files: pd.DataFrame,
    rejects: pd.DataFrame,
    roster_file: str | None,
    roster_rows: int,
    current: WeekFacts,
    previous: WeekFacts | None,
    max_evidence_drop: float,
) -> list[str]:
    """Why the week must not be reported, one sentence each; empty when the data is complete.

    ``max_evidence_drop`` is the largest relative fall of the share of people with evidence
    against the previous week (0.2 = may fall from 80 % to 64 %, not lower).
    """
    if not landing_exists:
        return [f"the landing folder {landing_dir} does not exist (COMPETENCE_LANDING_DIR)"]
    if files_found == 0:
        return [
            f"the landing folder {landing_dir} is empty: no roster extract, provider or "
            "activity file"
        ]
    problems = []
    roster = _roster_problem(source_files, roster_file, roster_rows, rejects)
    if roster:
        problems.append(roster)
    if previous is not None:
        for source, delivered in sorted(previous.accepted_by_source.items()):
            if source == "roster" or delivered <= 0:
                continue  # the roster has its own rule; a source that sent nothing is not missed
            if current.accepted_by_source.get(source, 0) == 0:
                problems.append(_silent_source(source, delivered, source_files, previous.week))
        before, now = previous.evidence_share, current.evidence_share
        # the epsilon keeps a fall of exactly the allowed fraction allowed (0.8 * 0.8 > 0.64)
        if before and now is not None and now < before * (1 - max_evidence_drop) - 1e-9:
            problems.append(
                f"the share of people with evidence fell from {before:.1%} ({previous.week}) "
                f"to {now:.1%} ({current.people_with_evidence:,} of {current.people:,} on the "
                f"roster), more than policy evidence_share_max_drop = {max_evidence_drop:g} allows"
            )
    return problems


def refusal_message(week: str, as_of: date, problems: list[str]) -> str:
    """The one line the user sees when a week is refused."""
    return (
        f"week {week} (as of {as_of}) not reported, data missing: {'; '.join(problems)}. "
        "The week's previous results, status files and reports are kept; nothing was mailed."
    )
