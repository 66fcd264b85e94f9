"""Which input files are a site's own: the files a site's evidence appendix lists by name.

An auditor at one site needs the digests of the files that site's report rests on, not four
pages of every file in the company. A file is a site's own when it holds a row about one of the
site's people this week: a roster row, an assessment result or a continuing-education activity
linked to them, or a rejected row or an unlinked record attributed to the site. Every other file
(another site's records, stray files, files rejected whole with nothing to tie them to a site) is
company-wide: the site report counts them in one line, and ``company.pdf`` lists them all.
"""

from __future__ import annotations

import pandas as pd

from assets.reporting.audit_findings import Attribution

FILE_SITE_COLUMNS = ["file", "site"]


def _by_person(table: pd.DataFrame | None, person_site: pd.Series) -> pd.DataFrame:
    if table is None or table.empty or not {"employee_id", "source_file"} <= set(table.columns):
        return pd.DataFrame(columns=FILE_SITE_COLUMNS)
    pairs = table[["employee_id", "source_file"]].dropna().astype(str).drop_duplicates()
    sites = pairs["employee_id"].map(person_site)
    found = sites.notna()
    return pd.DataFrame({"file": pairs["source_file"][found], "site": sites[found]})


def _attributed(table: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    if table.empty or rows.empty or "source_file" not in table:
        return pd.DataFrame(columns=FILE_SITE_COLUMNS)
    files = table["source_file"].reindex(rows["row"].to_numpy())
    return pd.DataFrame({"file": files.to_numpy(), "site": rows["site"].to_numpy()}).dropna()


def files_by_site(
    status: pd.DataFrame,
    *,
    roster: pd.DataFrame | None,
    results: pd.DataFrame | None,
    activities: pd.DataFrame | None,
    rejected_rows: pd.DataFrame,
    unmatched_records: pd.DataFrame,
    attribution: Attribution,
) -> pd.DataFrame:
    """(file, site) pairs: each input file with every site it holds rows about."""
    people = status.drop_duplicates("employee_id")
    person_site = pd.Series(
        people["site"].astype(str).to_numpy(), index=people["employee_id"].astype(str).to_numpy()
    )
    frames = [
        _by_person(roster, person_site),
        _by_person(results, person_site),
        _by_person(activities, person_site),
        _attributed(rejected_rows, attribution.rejected_sites),
        _attributed(unmatched_records, attribution.unmatched_sites),
    ]
    frames = [f.astype(str) for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=FILE_SITE_COLUMNS)
    return pd.concat(frames, ignore_index=True).drop_duplicates().reset_index(drop=True)


def site_file_names(file_sites: pd.DataFrame | None, site: str) -> set[str] | None:
    """The files of one site; ``None`` when nobody worked the mapping out (list every file)."""
    if file_sites is None:
        return None
    return set(file_sites.loc[file_sites["site"] == site, "file"])
