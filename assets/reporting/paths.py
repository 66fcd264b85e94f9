"""Where a week's reports are written: the one place a report's file name is built.

Site codes come from the HR roster and the configuration; both are validated as identifiers
(``schemas.identifiers``) long before a report is rendered. This module checks again and refuses
to build any path that would leave ``<output>/reports/<week>/``: an unsafe name reaching here is
a bug, and it must stop the run rather than overwrite another week's archived PDF.
"""

from __future__ import annotations

from pathlib import Path

from assets.week_folders import UnsafeReportPath, week_folder_name
from schemas.identifiers import ROLLUP_NAME, is_site_code, site_code_problem

__all__ = ["UnsafeReportPath", "report_dir", "report_path", "week_folder_name"]


def report_dir(output: Path, week: str) -> Path:
    """``<output>/reports/<week>/`` (not created here)."""
    return Path(output) / "reports" / week_folder_name(week)


def report_path(output: Path, week: str, name: str) -> Path:
    """``<output>/reports/<week>/<name>.pdf`` for a site code or the company roll-up.

    Raises :class:`UnsafeReportPath` when ``name`` is neither a valid site code nor the roll-up's
    name, or when the resolved path would not be a direct child of the week's folder.
    """
    if name != ROLLUP_NAME and not is_site_code(name):
        raise UnsafeReportPath(f"report name {site_code_problem(name)}")
    folder = report_dir(output, week)
    path = folder / f"{name}.pdf"
    # Belt and braces: whatever the checks above allow, the file lands in the week's folder.
    if path.resolve().parent != folder.resolve():
        raise UnsafeReportPath(f"report {name!r} would be written outside {folder}")
    return path
