"""The reject share of each input source in a week, shared by the mail gate and the findings.

A file that was read and rejected whole (unreadable, wrong encoding, missing columns) has no rows
to count, so it counts as a whole file: a source's share is the larger of its rejected rows over
its rows read and its files rejected whole over its data files. A source whose every file was
rejected is at 100 %, not at 0 %. Files the inventory set aside before reading (stray non-data
files, unknown provider folders, badly named extracts; they carry no modification time) are
reported as findings but do not count here.
"""

from __future__ import annotations

import pandas as pd


def rejected_whole(source_files: pd.DataFrame) -> pd.Series:
    """Data files that were read and rejected whole (the inventory's set-asides excluded)."""
    problem = source_files["problem"].notna()
    if "modified_at" not in source_files:  # a hand-made table: every problem file counts
        return problem
    return problem & source_files["modified_at"].notna()


def reject_shares(source_files: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per source: files, files rejected whole, rows in, rejected rows, the reject share, and
    whether it is within the threshold."""
    files = source_files.assign(
        data_file=source_files["modified_at"].notna() if "modified_at" in source_files else True,
        whole=rejected_whole(source_files),
    )
    per_source = files.groupby("source", as_index=False).agg(
        files=("data_file", "sum"),
        files_rejected_whole=("whole", "sum"),
        rows_in=("rows_in", "sum"),
        rejected=("rejected", "sum"),
    )
    rows = per_source["rows_in"].where(per_source["rows_in"] > 0)
    row_share = (per_source["rejected"] / rows).fillna(0.0)
    file_share = (
        per_source["files_rejected_whole"] / per_source["files"].where(per_source["files"] > 0)
    ).fillna(0.0)
    per_source["reject_share"] = row_share.where(row_share >= file_share, file_share)
    per_source["threshold"] = threshold
    per_source["within_policy"] = per_source["reject_share"] <= threshold
    return per_source


def _over(row) -> str:
    parts = []
    if row.files_rejected_whole:
        parts.append(f"{row.files_rejected_whole} of {row.files} file(s) rejected whole")
    if row.rejected or not row.files_rejected_whole:
        parts.append(f"{row.rejected} of {row.rows_in} rows rejected")
    return f"{row.source}: {', '.join(parts)}"


def hold_reason(source_files: pd.DataFrame, threshold: float) -> str:
    """Why the week's e-mail is held ("" when it is not): each source over the threshold."""
    shares = reject_shares(source_files, threshold)
    return "; ".join(
        f"{_over(row)} ({row.reject_share:.1%} > {threshold:.0%})"
        for row in shares[~shares["within_policy"]].itertuples()
    )
