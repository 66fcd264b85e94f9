"""A week key as a folder name: the one check every week folder is built through.

Status exports (``status/<week>/``) and reports (``reports/<week>/``) live in folders named by the
partition key. The key is checked here to be an ISO date and nothing else, so no value can
steer a folder elsewhere. Below every stage: the resources build the status folders, the
reporting stage the report folders (``assets/reporting/paths.py``).
"""

from __future__ import annotations

from datetime import date


class UnsafeReportPath(ValueError):
    """A report name or week that would not stay a plain file under the output folder."""


def week_folder_name(week: str) -> str:
    """The week key as a folder name: an ISO date (``2026-11-16``) and nothing else."""
    try:
        parsed = date.fromisoformat(week)
    except (TypeError, ValueError):
        raise UnsafeReportPath(f"week {week!r}: expected a date YYYY-MM-DD") from None
    if parsed.isoformat() != week:
        raise UnsafeReportPath(f"week {week!r}: expected a date YYYY-MM-DD")
    return week
