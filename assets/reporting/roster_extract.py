"""Which HR roster extract a week's headcount comes from, and the date in its name."""

from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

import pandas as pd

from assets.ingest.landing import ROSTER_NAME


def roster_extract(roster_snapshot: pd.DataFrame) -> tuple[str | None, date | None]:
    """The extract's landing path (``roster/roster_2026-11-02.csv``) and its date, or Nones.

    The date is the one in the file name (``roster_YYYY-MM-DD``), the rule the intake chose the
    extract by; a stored snapshot without an extract (no readable roster) gives ``(None, None)``.
    """
    if roster_snapshot.empty or "extract_file" not in roster_snapshot:
        return None, None
    files = roster_snapshot["extract_file"].dropna()
    if files.empty:
        return None, None
    name = str(files.iloc[0])
    match = ROSTER_NAME.match(PurePosixPath(name).name)
    return name, date.fromisoformat(match[1]) if match else None
