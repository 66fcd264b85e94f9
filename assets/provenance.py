"""Where a report came from: the code version and the newest input file, for the evidence page."""

from __future__ import annotations

import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str:
    """What a git command prints about this checkout."""
    return subprocess.run(
        ["git", "-C", str(PROJECT_ROOT), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=5,
    ).stdout.strip()


@cache
def code_version() -> str:
    """Package version plus the git commit when the code runs from a checkout."""
    try:
        package = version("competence")
    except PackageNotFoundError:
        package = "0+unknown"
    try:
        commit = _git("rev-parse", "--short=12", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return package
    return f"{package}+g{commit}{'.dirty' if dirty else ''}"


def newest_input_file(source_files: pd.DataFrame) -> str | None:
    """The most recently modified landing file the week saw (docs/rules.md: the report names it)."""
    data = source_files[source_files["modified_at"].notna()] if not source_files.empty else None
    if data is None or data.empty:
        return None
    return str(data.sort_values(["modified_at", "file"]).iloc[-1]["file"])
