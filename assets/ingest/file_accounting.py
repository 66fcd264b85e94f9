"""The accounting of every input file: one row per file with its rows in, accepted, rejected
and de-duplicated (rows in = accepted + rejected + de-duplicated), and one reject row per file
rejected whole. Split from the intake so the rule "every input row is accounted for" reads on
its own. No Dagster here.
"""

from __future__ import annotations

import pandas as pd

from .landing import FileProblem, LandingFile
from .snapshot import UnreadableFile
from .validation import REJECT_COLUMNS, empty_rejects

SOURCE_FILE_COLUMNS = [
    "source",
    "file",
    "sha256",
    "modified_at",
    "rows_in",
    "accepted",
    "rejected",
    "deduplicated",
    "problem",
]


def file_record(
    f: LandingFile,
    rows_in: int = 0,
    problem: UnreadableFile | None = None,
    sha256: str | None = None,
) -> dict:
    return {
        "source": f.source,
        "file": f.relative_path,
        "sha256": sha256,
        "modified_at": pd.Timestamp(f.modified_ns, unit="ns"),
        "rows_in": rows_in,
        "problem": str(problem) if problem is not None else None,
        "check": problem.check if problem is not None else None,
    }


def problem_record(problem: FileProblem) -> dict:
    return {
        "source": problem.source,
        "file": problem.relative_path,
        "sha256": problem.sha256,
        "modified_at": pd.NaT,
        "rows_in": 0,
        "problem": problem.problem,
        "check": problem.check,
    }


def whole_file_rejects(files: pd.DataFrame) -> pd.DataFrame:
    """One reject row per file (or folder) rejected whole: no row number, no column."""
    failed = files[files["problem"].notna()]
    if failed.empty:
        return empty_rejects()
    rejects = pd.DataFrame(
        {
            "source": failed["source"].to_numpy(dtype=object),
            "source_file": failed["file"].to_numpy(dtype=object),
            "row_number": pd.array([pd.NA] * len(failed), dtype="Int64"),
            "column": None,
            "check": failed["check"].to_numpy(dtype=object),
            "value": None,
            "message": failed["problem"].to_numpy(dtype=object),
            "record_key": None,
        }
    )
    return rejects[REJECT_COLUMNS]


def account(files: pd.DataFrame, rejects: pd.DataFrame, deduplicated: pd.DataFrame) -> pd.DataFrame:
    """Per file: rows in, rejected (distinct rows), de-duplicated, and accepted = the rest.

    A file rejected whole brought no rows in: its reject row (no row number) counts no row."""
    row_rejects = rejects[rejects["row_number"].notna()]
    rejected = (
        row_rejects.drop_duplicates(["source_file", "row_number"]).groupby("source_file").size()
    )
    dedup = deduplicated.groupby("source_file").size()
    files = files.copy()
    files["rejected"] = files["file"].map(rejected).fillna(0).astype("int64")
    files["deduplicated"] = files["file"].map(dedup).fillna(0).astype("int64")
    files["rows_in"] = files["rows_in"].astype("int64")
    files["accepted"] = files["rows_in"] - files["rejected"] - files["deduplicated"]
    return files[SOURCE_FILE_COLUMNS].sort_values(["source", "file"]).reset_index(drop=True)
