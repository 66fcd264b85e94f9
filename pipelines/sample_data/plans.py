"""Which records go into which file of each source, with the counted trouble mixed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

import pipelines.sample_data.trouble as trouble
from pipelines.sample_data.days import numbered_ids
from pipelines.sample_data.layouts import activity_rows, apex_rows, inhouse_rows, northfield_rows
from pipelines.sample_data.people import People
from pipelines.sample_data.summary import SampleSummary
from pipelines.sample_data.vocabulary import XLSX_MAX_ROWS

# --- putting it together ----------------------------------------------------------------------


@dataclass
class OutputFile:
    """One file to write: where, which records, which extra (trouble) rows, and when it landed."""

    kind: str
    relative: str
    records: np.ndarray  # row positions in the source frame
    landed: date
    extras: list[pd.DataFrame] = field(default_factory=list)


def _quarter_end(year: int, quarter: int) -> date:
    return date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(1)


def _landed(period_end: date, today: date) -> date:
    return min(period_end + timedelta(days=3), today - timedelta(days=1))


def _files_by_period(
    kind: str,
    days: np.ndarray,
    folder: str,
    name,
    today: date,
    by_quarter: bool,
    max_rows: int | None = None,
) -> list[OutputFile]:
    """Split records into one file per quarter (or year), in date order."""
    dt = days.astype("datetime64[D]")
    year = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    quarter = (dt.astype("datetime64[M]").astype(np.int64) % 12) // 3 + 1 if by_quarter else 0
    key = year * 10 + quarter
    files = []
    for value in np.unique(key):
        rows = np.flatnonzero(key == value)
        y, q = int(value // 10), int(value % 10)
        end = _quarter_end(y, q) if by_quarter else date(y, 12, 31)
        chunks = [rows] if not max_rows else np.array_split(rows, -(-len(rows) // max_rows))
        for part, chunk in enumerate(chunks, start=1):
            suffix = f"_part{part}" if len(chunks) > 1 else ""
            files.append(
                OutputFile(kind, f"{folder}/{name(y, q)}{suffix}", chunk, _landed(end, today))
            )
    return files


def _file_of(files: list[OutputFile], size: int) -> np.ndarray:
    owner = np.zeros(size, dtype=np.int64)
    for i, f in enumerate(files):
        owner[f.records] = i
    return owner


def _sample(rng: np.random.Generator, pool: np.ndarray, count: int) -> np.ndarray:
    return np.sort(rng.choice(pool, min(count, len(pool)), replace=False))


def plan_northfield(
    rec: pd.DataFrame, p: People, rng: np.random.Generator, today: date, summary: SampleSummary
) -> list[OutputFile]:
    files = _files_by_period(
        "northfield_college",
        rec["day"].to_numpy(),
        "providers/northfield_college",
        lambda y, q: f"results_{y}Q{q}.csv",
        today,
        by_quarter=True,
    )
    owner = _file_of(files, len(rec))
    last = len(files) - 1
    k = trouble.rows_per_kind(len(p.hire))
    next_seq = int(rec["seq"].max()) + 1 if len(rec) else 1
    # Corrupted copies of ordinary rows (not of the e-mail-only ones, which are counted apart).
    ordinary = np.flatnonzero(~rec["email_only"].to_numpy())

    def fresh(kind_rows: np.ndarray) -> pd.DataFrame:
        nonlocal next_seq
        frame = northfield_rows(rec.iloc[kind_rows], p)
        frame["Result ID"] = numbered_ids("NF", np.arange(next_seq, next_seq + len(frame)), 8)
        next_seq += len(frame)
        return frame

    def place(frame: pd.DataFrame, kind_rows: np.ndarray | None) -> None:
        targets = owner[kind_rows] if kind_rows is not None else np.full(len(frame), last)
        for target in np.unique(targets):
            files[target].extras.append(frame[targets == target])

    corruptions = {
        "impossible_date": (lambda f: trouble.northfield_impossible_dates(f), True),
        "future_date": (lambda f: trouble.northfield_future_dates(f, today, rng), False),
        "unknown_module": (lambda f: trouble.northfield_unknown_modules(f, rng), True),
        "score_out_of_range": (lambda f: trouble.northfield_scores_out_of_range(f), True),
        "bad_result_word": (lambda f: trouble.northfield_bad_result_words(f, rng), True),
        "unmatched": (lambda f: trouble.northfield_strangers(f, p.id_width, rng), True),
    }
    rejects = 0
    for kind, (corrupt, in_own_file) in corruptions.items():
        chosen = _sample(rng, ordinary, k)
        place(corrupt(fresh(chosen)), chosen if in_own_file else None)
        summary.trouble[kind] = summary.trouble.get(kind, 0) + len(chosen)
        rejects += len(chosen) if kind != "unmatched" else 0
    # A later file re-sends rows of the previous quarter byte for byte, and corrects a few others.
    earlier = np.flatnonzero(owner < last)
    previous = np.flatnonzero(owner == last - 1)
    resent = _sample(rng, np.intersect1d(previous, ordinary), max(3, len(p.hire) // 200))
    place(northfield_rows(rec.iloc[resent], p), None)
    # Conflicts change what a record says, so they spare the people shown as scenario examples.
    examples = [int(e[1:]) - 1 for ids in summary.scenario_examples.values() for e in ids]
    spared = np.flatnonzero(~np.isin(rec["person"].to_numpy(), examples))
    candidates = np.setdiff1d(np.intersect1d(np.intersect1d(earlier, ordinary), spared), resent)
    conflicted = _sample(rng, candidates, k)
    place(trouble.northfield_conflicts(northfield_rows(rec.iloc[conflicted], p)), None)
    summary.trouble["exact_resend"] = len(resent)
    summary.trouble["conflicting_duplicate"] = len(conflicted)
    summary.trouble["email_only"] = int(rec["email_only"].sum())
    summary.expected_rejects["northfield_college"] = rejects + len(conflicted)
    return files


def plan_apex(
    rec: pd.DataFrame, p: People, rng: np.random.Generator, today: date, summary: SampleSummary
) -> list[OutputFile]:
    # Room under the row cap for the trouble rows added later.
    files = _files_by_period(
        "apex_academy",
        rec["day"].to_numpy(),
        "providers/apex_academy",
        lambda y, q: f"gradebook_{y}",
        today,
        by_quarter=False,
        max_rows=XLSX_MAX_ROWS - 5_000,
    )
    for f in files:
        f.relative += ".xlsx"
    owner = _file_of(files, len(rec))
    k = trouble.rows_per_kind(len(p.hire))
    name_only = np.isin(rec["person"].to_numpy(), p.name_only)
    ordinary = np.flatnonzero(~name_only)
    next_seq = int(rec["seq"].max()) + 1 if len(rec) else 1
    shared_names = [
        (str(p.first[i]), str(p.last[i])) for i in p.shared[::2]
    ]  # one record per shared-name pair

    def fresh(chosen: np.ndarray) -> pd.DataFrame:
        nonlocal next_seq
        frame = apex_rows(rec.iloc[chosen], p)
        frame["Attempt ID"] = numbered_ids("AT-", np.arange(next_seq, next_seq + len(frame)), 7)
        next_seq += len(frame)
        return frame

    corruptions = {
        "impossible_date": (trouble.apex_impossible_dates, k, True),
        "future_date": (lambda f: trouble.apex_future_dates(f, today, rng), k, False),
        "unknown_module": (lambda f: trouble.apex_unknown_modules(f, rng), k, True),
        "score_out_of_range": (trouble.apex_scores_out_of_range, k, True),
        "unmatched": (lambda f: trouble.apex_strangers(f, rng), k, True),
        "ambiguous_name": (
            lambda f: trouble.apex_ambiguous(f, shared_names),
            len(shared_names),
            True,
        ),
    }
    rejects = 0
    for kind, (corrupt, count, in_own_file) in corruptions.items():
        chosen = _sample(rng, ordinary, count)
        frame = corrupt(fresh(chosen))
        targets = owner[chosen] if in_own_file else np.full(len(chosen), len(files) - 1)
        for target in np.unique(targets):
            files[target].extras.append(frame[targets == target])
        summary.trouble[kind] = summary.trouble.get(kind, 0) + len(chosen)
        rejects += len(chosen) if kind not in ("unmatched", "ambiguous_name") else 0
    summary.trouble["name_only"] = int(name_only.sum())
    summary.expected_rejects["apex_academy"] = rejects
    return files


def plan_inhouse(
    rec: pd.DataFrame, p: People, rng: np.random.Generator, today: date, summary: SampleSummary
) -> list[OutputFile]:
    files = _files_by_period(
        "inhouse_academy",
        rec["day"].to_numpy(),
        "providers/inhouse_academy",
        lambda y, q: f"inhouse_results_{y}.csv",
        today,
        by_quarter=False,
    )
    owner = _file_of(files, len(rec))
    chosen = _sample(rng, np.arange(len(rec)), trouble.rows_per_kind(len(p.hire)))
    frame = trouble.inhouse_strangers(inhouse_rows(rec.iloc[chosen], p), p.id_width, rng)
    frame["record_id"] = numbered_ids("IHA-", np.arange(len(rec) + 1, len(rec) + 1 + len(frame)), 7)
    for target in np.unique(owner[chosen]):
        files[target].extras.append(frame[owner[chosen] == target])
    summary.trouble["unmatched"] = summary.trouble.get("unmatched", 0) + len(chosen)
    summary.expected_rejects["inhouse_academy"] = 0
    return files


def plan_activities(
    act: pd.DataFrame, p: People, rng: np.random.Generator, today: date, summary: SampleSummary
) -> list[OutputFile]:
    files = _files_by_period(
        "activities",
        act["day"].to_numpy(),
        "activities",
        lambda y, q: f"ce_activities_{y}.csv",
        today,
        by_quarter=False,
    )
    owner = _file_of(files, len(act))
    chosen = _sample(rng, np.arange(len(act)), trouble.rows_per_kind(len(p.hire)))
    frame = trouble.activities_negative_hours(activity_rows(act.iloc[chosen], p))
    frame["evidence_ref"] = numbered_ids(
        "CE-", np.arange(len(act) + 1, len(act) + 1 + len(frame)), 6
    )
    for target in np.unique(owner[chosen]):
        files[target].extras.append(frame[owner[chosen] == target])
    summary.trouble["activity_negative_hours"] = len(chosen)
    summary.expected_rejects["activities"] = len(chosen)
    return files
