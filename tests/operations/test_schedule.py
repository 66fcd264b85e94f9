"""The weekly schedule's ticks map to the right partition keys, across daylight-saving changes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from dagster._utils.schedules import cron_string_iterator

from assets.delivery.assets import SEND_MAIL_TAG
from assets.partitions import COMPANY_TIMEZONE
from pipelines.definitions import defs

CHICAGO = ZoneInfo("America/Chicago")
# the schedule as the code location serves it (its cron comes from the job's inferred partitions)
weekly_competence_schedule = defs.resolve_schedule_def("weekly_competence_schedule")


def test_schedule_is_monday_six_in_the_company_timezone():
    assert COMPANY_TIMEZONE == "America/Chicago"  # config/policy.yaml
    assert weekly_competence_schedule.cron_schedule == "0 6 * * 1"
    assert weekly_competence_schedule.execution_timezone == "America/Chicago"


@pytest.mark.parametrize(
    ("tick", "expected_week"),
    [
        # the Monday after the spring-forward Sunday (2026-03-08): CDT, UTC-5
        (datetime(2026, 3, 9, 6, 0, tzinfo=CHICAGO), "2026-03-02"),
        # the Monday after the fall-back Sunday (2026-11-01): CST, UTC-6
        (datetime(2026, 11, 2, 6, 0, tzinfo=CHICAGO), "2026-10-26"),
        # an ordinary Monday, and the first week of a year
        (datetime(2026, 11, 23, 6, 0, tzinfo=CHICAGO), "2026-11-16"),
        (datetime(2027, 1, 4, 6, 0, tzinfo=CHICAGO), "2026-12-28"),
    ],
)
def test_each_tick_requests_the_week_that_just_ended_with_mail_on(tick, expected_week):
    with dg.instance_for_test() as instance:
        context = dg.build_schedule_context(
            instance=instance,
            scheduled_execution_time=tick,
            repository_def=defs.get_repository_def(),
        )
        result = weekly_competence_schedule.evaluate_tick(context)
    [request] = result.run_requests
    assert request.partition_key == expected_week
    assert request.tags[SEND_MAIL_TAG] == "true"


def test_consecutive_ticks_across_both_changes_are_seven_days_apart_in_local_time():
    # Dagster's own cron iterator, the one the daemon uses to place ticks
    times = cron_string_iterator(
        datetime(2026, 2, 20, tzinfo=CHICAGO).timestamp(),
        weekly_competence_schedule.cron_schedule,
        weekly_competence_schedule.execution_timezone,
    )
    ticks = [next(times) for _ in range(40)]
    assert all(t.astimezone(CHICAGO).hour == 6 and t.weekday() == 0 for t in ticks)
    utc_hours = {t.astimezone(ZoneInfo("UTC")).hour for t in ticks}
    assert utc_hours == {11, 12}  # 06:00 CDT and 06:00 CST
