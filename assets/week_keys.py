"""Week keys as people type them: checked before anything runs, with a message saying what to write.

A key is the Monday of a complete week between the first week (2020-01-06) and the last week that
has ended in the company timezone. "Today" is the earlier of the real date there and
``COMPETENCE_RUN_DATE``: a run date in the past makes the weeks after it incomplete, and Dagster
knows no week that has not ended on the real clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

FIRST_WEEK = date(2020, 1, 6)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Week:
    """One week of the weekly partitioning, named every way the pipeline names it: the key (the
    Monday, ``2026-11-16``), the Monday as a date, the as-of date D (that week's Sunday, the day
    every status answers for) and the ISO label (``2026-W47``). Built once from the key; nothing
    else works these out again."""

    key: str
    monday: date
    as_of: date
    iso_label: str

    @classmethod
    def of(cls, key: str) -> Week:
        """The week of a partition key (a Monday, as ``YYYY-MM-DD``)."""
        monday = date.fromisoformat(key)
        return cls.starting(monday)

    @classmethod
    def starting(cls, monday: date) -> Week:
        """The week that starts on ``monday``."""
        year, number, _ = monday.isocalendar()
        return cls(monday.isoformat(), monday, monday + timedelta(days=6), f"{year}-W{number:02d}")


class WeekKeyError(ValueError):
    """A week key the user typed that names no week that can be run."""


@dataclass(frozen=True)
class Calendar:
    """What decides which weeks exist: today in the company timezone, and the run date."""

    today: date
    timezone: str
    run_date: date | None = None

    @property
    def effective_today(self) -> date:
        return min(self.today, self.run_date) if self.run_date else self.today

    @property
    def last_complete_week(self) -> date:
        """The Monday of the last week whose Sunday is before today."""
        today = self.effective_today
        return today - timedelta(days=today.weekday() + 7)

    def recent(self, count: int) -> list[str]:
        """The last ``count`` complete weeks, oldest first (never before the first week)."""
        last = self.last_complete_week
        weeks = [last - timedelta(weeks=n) for n in range(count)]
        return [w.isoformat() for w in reversed(weeks) if w >= FIRST_WEEK]

    def check(self, text: str) -> str:
        """The week key for ``text``, or :class:`WeekKeyError` with a one-line message."""
        text = text.strip()
        monday = _parse(text)
        if monday.weekday() != 0:
            start = monday - timedelta(days=monday.weekday())
            raise WeekKeyError(
                f"{text} is a {monday.strftime('%A')}; the week starts {start.isoformat()}"
            )
        if monday < FIRST_WEEK:
            raise WeekKeyError(f"week {text} is too early: weeks start at {FIRST_WEEK}")
        if monday > self.last_complete_week:
            complete = (monday + timedelta(days=7)).isoformat()
            message = f"week {text} is not complete until {complete} in {self.timezone}"
            real_last = Calendar(self.today, self.timezone).last_complete_week
            if self.run_date and monday <= real_last:  # only the run date holds it back
                message += f" (COMPETENCE_RUN_DATE is {self.run_date})"
            raise WeekKeyError(message)
        return monday.isoformat()

    def span(self, first: str, last: str | None) -> list[str]:
        """Every week from ``first`` to ``last`` inclusive (``None`` = the last complete week)."""
        start = date.fromisoformat(self.check(first))
        end = date.fromisoformat(self.check(last)) if last else self.last_complete_week
        if end < start:
            raise WeekKeyError(f"--from {start} is after --to {end}: the range holds no week")
        return [
            (start + timedelta(weeks=n)).isoformat() for n in range((end - start).days // 7 + 1)
        ]


def _parse(text: str) -> date:
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError as exc:  # 2026-02-30: say why, not only the format
            raise WeekKeyError(f"{text} is not a date ({exc}): write YYYY-MM-DD") from None
    raise WeekKeyError(f"{text} is not a date: write YYYY-MM-DD")
