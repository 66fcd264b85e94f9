"""Fingerprints of a report's inputs, and the row hashes that make every site's a lookup.

A report's fingerprint (:func:`fingerprint`) hashes its frames by content: every cell as
text (``astype(str)``), hashed by pandas, the columns' hashes combined row by row. Hashing one
site's rows at a time paid pandas' per-call cost (factorizing each text column, building its
categories) for every column of every frame of every site: at 100 sites, some 24,000 small calls
and about 10 s. Since each row's hash depends on that row's cells alone, the whole frame's row
hashes are computed once and a site's are taken from them by row position: the same bytes as
hashing the site's rows on their own.

One exception keeps this honest: pandas writes a date-time column as text by looking at the whole
column (midnight everywhere: ``2026-11-16``; any time of day: ``2026-11-16 00:00:00`` for every
row), so a site's rows can read differently from the same rows in the whole frame. A frame with
such a column (times of day, time zones, durations, periods) is not hashed ahead:
:attr:`RowHashes.hashes` is None and the caller hashes the site's rows as they are.
No Dagster here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np
import pandas as pd

from assets.reporting.site_slices import SiteRows, person_sites, rows_by_person_site, rows_by_site


def _reads_the_same_in_part(series: pd.Series) -> bool:
    """Whether each cell's text is the same in any part of the column as in the whole."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype | pd.PeriodDtype) or dtype.kind == "m":
        return False
    if dtype.kind == "M":  # naive: dates only (all at midnight) print as dates in any part
        values = series.dropna()
        return bool((values == values.dt.normalize()).all())
    return True


def frame_hashes(frame: pd.DataFrame) -> np.ndarray:
    """The row hashes :func:`fingerprint` hashes a frame by (the frame has rows)."""
    return pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()


def fingerprint(*parts: object) -> str:
    """A hash of a report's inputs (frames by content, other parts by text)."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, pd.DataFrame):
            digest.update("|".join(map(str, part.columns)).encode())
            if not part.empty:
                digest.update(frame_hashes(part).tobytes())
        elif isinstance(part, RowsOf):  # some rows of a frame hashed ahead: the same bytes
            digest.update(part.frame.columns)
            digest.update(part.frame.of_rows(part.rows))
        else:
            digest.update(str(part).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def history_fingerprint(
    previous: pd.DataFrame | RowsOf | None,
    history: pd.DataFrame | RowsOf | None,
    last_week_stored: bool,
) -> str:
    """A site report's "history" part: its rows of last week and its trend history.

    A site with nobody last week prints whether last week is stored at all ("no snapshot of
    the previous week" or who joined), which its own rows cannot tell: the flag joins its
    fingerprint then, and only then, so no other report's fingerprint moves."""
    if previous is not None and previous.empty and last_week_stored:
        return fingerprint(previous, history, "last week stored")
    return fingerprint(previous, history)


class RowHashes:
    """A frame's column names and, when every column reads the same in part, its row hashes."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.columns = "|".join(map(str, frame.columns)).encode()
        reusable = all(_reads_the_same_in_part(frame[c]) for c in frame.columns)
        self.hashes = frame_hashes(frame) if reusable and not frame.empty else None

    def of_rows(self, rows: np.ndarray | None) -> bytes:
        """The hashes of the rows at ``rows`` (None: every row), as ``fingerprint`` adds them."""
        if rows is not None and len(rows) == 0:
            return b""
        if self.hashes is not None:
            return (self.hashes if rows is None else self.hashes[rows]).tobytes()
        part = self.frame if rows is None else self.frame.iloc[rows]
        return frame_hashes(part).tobytes() if not part.empty else b""


class RowsOf:
    """The rows at ``rows`` of a frame hashed ahead (None: all of them), as a fingerprint part."""

    def __init__(self, frame: RowHashes, rows: np.ndarray | None = None) -> None:
        self.frame, self.rows = frame, rows

    @property
    def empty(self) -> bool:
        return self.frame.frame.empty if self.rows is None else len(self.rows) == 0


_NO_ROWS = np.empty(0, dtype=np.int64)
# the frames of a week selected by site (``_site_parts``'s ``mine``), and by the site's people
BY_SITE = (
    "status",
    "previous_status",
    "compliance_history",
    "findings",
    "corrective_actions",
    "effectiveness",
    "file_sites",
)
BY_PERSON = ("renewal_forecast", "points_ledger", "evidence")


class WeekHashes:
    """Every frame a site's fingerprints read, hashed once, with each site's row positions.

    ``site_parts`` gives what ``WeekReports._site_parts`` gives (the readable definition: the
    site's rows selected by masks), for every site from one pass over each frame."""

    def __init__(self, frames: Mapping[str, pd.DataFrame | None]) -> None:
        status = frames["status"]
        self.hashes = {
            name: None if frame is None else RowHashes(frame) for name, frame in frames.items()
        }
        self.rows: dict[str, SiteRows] = {name: rows_by_site(frames[name]) for name in BY_SITE}
        here = person_sites(status)  # the people at each site this week
        for name in BY_PERSON:
            frame = frames[name]
            self.rows[name] = rows_by_person_site(frame, here) if frame is not None else None

    def whole(self, name: str) -> RowsOf | None:
        hashes = self.hashes[name]
        return None if hashes is None else RowsOf(hashes)

    def mine(self, name: str, site: str) -> RowsOf | None:
        """The site's rows of a frame (a frame without the column to select by: whole)."""
        hashes, rows = self.hashes[name], self.rows[name]
        if hashes is None:
            return None
        return RowsOf(hashes, None if rows is None else rows.get(site, _NO_ROWS))

    def site_parts(
        self, site: str, shared: dict[str, str], last_week_stored: bool
    ) -> dict[str, str]:
        def mine(name: str) -> RowsOf | None:
            return self.mine(name, site)

        return {
            "people": fingerprint(site, mine("status"), *map(mine, BY_PERSON)),
            "history": history_fingerprint(
                mine("previous_status"), mine("compliance_history"), last_week_stored
            ),
            "findings": fingerprint(mine("findings")),
            "actions": fingerprint(mine("corrective_actions")),
            "effectiveness": fingerprint(mine("effectiveness")),
            **shared,
            "inputs": fingerprint(mine("file_sites"), shared["inputs"]),
        }
