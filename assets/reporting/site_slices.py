"""The rows of the week's report inputs that one site's report reads, split for every site at once.

A site report reads a small part of each company-wide frame: its own status, findings, history,
actions and files, the forecast, points and evidence of its people, and - to say where a leaver
went or where a newcomer came from - the rows of people who moved in or out. Selecting that part
with a boolean mask per site scans every frame once per site: at 100 sites of 1,000 people that
is a hundred scans of 100,000-row frames per step, and each render worker was handed the whole
company to scan. Here each frame is grouped once (``groupby(...).indices``, linear in its rows)
into the row positions of each site, in the frame's own order, so a site's slice holds exactly
the rows its report would have selected, in the same order: the same bytes out, and the slices
together are one copy of the week, however many workers render it.

A site's slice holds:

- rows keyed by ``site`` (compliance history, findings, corrective actions, training
  effectiveness, file-site pairs): the site's rows;
- ``status`` and ``previous_status``: every row of every person at the site this week or last
  week (``weekly_changes`` looks a leaver up in this week's rows and a newcomer in last week's);
- rows keyed by ``employee_id`` (renewal forecast, points ledger, evidence): the rows of the
  people at the site this week (evidence rows carry the person's site, so they are among them).

No Dagster here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# site code -> row positions into a frame, ascending; None: the frame is not split (no frame, or
# no column to split it by) and every site's slice holds it whole
SiteRows = dict[str, np.ndarray] | None

_NO_ROWS = np.empty(0, dtype=np.int64)


def rows_by_site(frame: pd.DataFrame | None) -> SiteRows:
    """Each site's row positions in ``frame``."""
    if frame is None or "site" not in frame:
        return None
    if frame.empty:
        return {}
    return {str(site): rows for site, rows in frame.groupby("site", sort=False).indices.items()}


def person_sites(*frames: pd.DataFrame | None) -> pd.DataFrame:
    """Distinct (employee_id, site) pairs found in ``frames``."""
    pairs = [
        f[["employee_id", "site"]]
        for f in frames
        if f is not None and not f.empty and {"employee_id", "site"} <= set(f.columns)
    ]
    if not pairs:
        return pd.DataFrame({"employee_id": pd.Series(dtype=object), "site": []})
    return pd.concat(pairs, ignore_index=True).dropna().drop_duplicates()


def rows_by_person_site(frame: pd.DataFrame | None, person_sites: pd.DataFrame) -> SiteRows:
    """Each site's row positions in ``frame``: the rows of the people ``person_sites`` puts
    there (a person at two sites counts at both, as a mask on the site's people would)."""
    if frame is None or "employee_id" not in frame:
        return None
    if frame.empty or person_sites.empty:
        return {}
    positions = pd.DataFrame(
        {"employee_id": frame["employee_id"].to_numpy(), "row": np.arange(len(frame))}
    )
    joined = positions.merge(person_sites, on="employee_id", how="inner")
    return {
        str(site): np.sort(joined["row"].to_numpy()[rows])
        for site, rows in joined.groupby("site", sort=False).indices.items()
    }


def take(frame: pd.DataFrame | None, rows: SiteRows, site: str) -> pd.DataFrame | None:
    """The site's rows of ``frame`` in the frame's order (a frame not split: whole)."""
    if frame is None or rows is None:
        return frame
    return frame.iloc[rows.get(site, _NO_ROWS)]


class SiteSplit:
    """The row positions of each site in each of the week's frames, computed once."""

    def __init__(
        self,
        status: pd.DataFrame,
        previous_status: pd.DataFrame | None,
        by_site: dict[str, pd.DataFrame | None],
        by_person: dict[str, pd.DataFrame | None],
    ) -> None:
        movers = person_sites(status, previous_status)  # this week's and last week's sites
        here = person_sites(status)
        self.status = rows_by_person_site(status, movers)
        self.previous_status = rows_by_person_site(previous_status, movers)
        self.by_site = {name: rows_by_site(frame) for name, frame in by_site.items()}
        self.by_person = {
            name: rows_by_person_site(frame, here) for name, frame in by_person.items()
        }


def rows_by_attributed_site(frame: pd.DataFrame, pairs: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each site's row positions in ``frame``, from ``pairs`` of (``row``: an index label of
    ``frame``, ``site``): the rows a mask ``frame.index.isin(labels of the site)`` selects, in
    the frame's order (a label repeated in the index selects every row carrying it)."""
    if frame.empty or pairs.empty:
        return {}
    positions = pd.DataFrame({"row": frame.index.to_numpy(), "position": np.arange(len(frame))})
    joined = positions.merge(pairs[["row", "site"]], on="row", how="inner")
    return {
        str(site): np.unique(joined["position"].to_numpy()[rows])
        for site, rows in joined.groupby("site", sort=False).indices.items()
    }
