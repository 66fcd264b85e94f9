"""The one weekly partitioning every asset of the main graph shares (README, Operations).

Weeks start on Monday; the partition key is the Monday's date; the as-of date D is that week's
Sunday; the first week is 2020-01-06 and the last is the last complete week. ``day_offset=1``
makes the keys Mondays (without it Dagster uses Sundays, see STACK_NOTES). The timezone is the
company timezone of ``policy.yaml`` so that "last complete week" flips at Monday 00:00 there.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from zoneinfo import available_timezones

import dagster as dg
import yaml

from assets.week_keys import FIRST_WEEK as FIRST_MONDAY
from assets.week_keys import Week

FIRST_WEEK = FIRST_MONDAY.isoformat()  # the date itself lives in week_keys, beside its checks


def _company_timezone() -> str:
    """Read only the timezone here; the full configuration is validated when a run starts.

    This is the one place that reads a configuration file by hand, at import, rather than using
    the run's configuration (the ``settings`` resource, loaded once per run): the partitions
    definition is part of the code location and must exist before any run does — the UI, the
    schedule and ``dagster asset materialize --partition`` all ask it which weeks exist and when
    the last one ended, in the company timezone. A timezone edited in ``policy.yaml`` takes
    effect when the code location is reloaded.

    An invalid timezone falls back to UTC so the code location still loads: the run then stops
    at the configuration check with a message naming the file and key, not an import traceback.
    """
    policy = Path(os.environ.get("COMPETENCE_CONFIG_DIR", "config")) / "policy.yaml"
    try:
        name = str(yaml.safe_load(policy.read_text(encoding="utf-8")).get("timezone") or "UTC")
    except (OSError, AttributeError, yaml.YAMLError):
        return "UTC"
    return name if name in available_timezones() else "UTC"


COMPANY_TIMEZONE = _company_timezone()

weekly_partitions = dg.WeeklyPartitionsDefinition(
    start_date=FIRST_WEEK, day_offset=1, timezone=COMPANY_TIMEZONE, end_offset=0
)


def week_start(partition_key: str) -> date:
    """The week's Monday (``Week.of(key).monday``)."""
    return Week.of(partition_key).monday


def as_of_date(partition_key: str) -> date:
    """D: the Sunday that ends the week (``Week.of(key).as_of``)."""
    return Week.of(partition_key).as_of


def iso_week_label(partition_key: str) -> str:
    """``2026-W47`` (``Week.of(key).iso_label``)."""
    return Week.of(partition_key).iso_label
