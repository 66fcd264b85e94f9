"""One Week value names a partition every way the pipeline does: key, Monday, as-of, ISO label."""

from datetime import date

import pytest

from assets.partitions import as_of_date, iso_week_label, week_start
from assets.reporting.context import ReportContext
from assets.week_keys import Week


@pytest.mark.parametrize(
    ("key", "as_of", "label"),
    [
        ("2026-11-16", date(2026, 11, 22), "2026-W47"),
        ("2020-12-28", date(2021, 1, 3), "2020-W53"),  # a 53-week year, D in the next year
        ("2024-12-30", date(2025, 1, 5), "2025-W01"),  # the Monday's ISO year is the next one
        ("2020-01-06", date(2020, 1, 12), "2020-W02"),  # the first week of the partitioning
    ],
)
def test_a_week_is_named_once_and_everyone_uses_those_names(key, as_of, label):
    week = Week.of(key)
    assert (week.key, week.monday, week.as_of, week.iso_label) == (
        key,
        date.fromisoformat(key),
        as_of,
        label,
    )
    assert Week.starting(week.monday) == week
    # the partitioning's helpers and the reports' context give the same names
    assert (week_start(key), as_of_date(key), iso_week_label(key)) == (week.monday, as_of, label)
    ctx = ReportContext.for_week(week.monday, run_id="r", code_version="c", config_hash="h")
    assert (ctx.week, ctx.as_of, ctx.iso_week) == (week.monday, as_of, label)
