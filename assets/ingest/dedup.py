"""De-duplication of accepted records across drops (files), latest drop wins.

* An **exact repeat** (same key, same content) is a re-send: one copy is kept, the others are
  logged as ``EXACT_REPEAT``.
* A **conflicting duplicate** (same key, different content) keeps the copy from the latest drop
  (file modification time, then file name, then row) and logs the others as
  ``SUPERSEDED``, naming the copy that won, so the conflict is reported rather than hidden.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.text import keep_rows

from .conformed import FILE_COLUMN
from .key_hashes import repeated_rows
from .readers import ROW_NUMBER

DROP_ORDER = "_drop_order"
DEDUP_COLUMNS = [
    "source",
    "source_file",
    "row_number",
    "kind",
    "record_key",
    "kept_file",
    "kept_row",
]


def empty_dedup_log() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="Int64" if c.endswith("_row") or c == "row_number" else object)
            for c in DEDUP_COLUMNS
        }
    )


def _key_text(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """A readable key for the log (only built for the few removed rows)."""
    parts = [frame[c].astype(object).where(frame[c].notna(), "").astype(str) for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + "|" + part
    return key


def _in_drop_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows by drop order, then row. One file per drop order, so the file name cannot reorder
    anything; frames arrive concatenated in that order already, and then no copy is made."""
    drop = frame[DROP_ORDER].to_numpy()
    row = frame[ROW_NUMBER].to_numpy()
    later = (drop[1:] > drop[:-1]) | ((drop[1:] == drop[:-1]) & (row[1:] >= row[:-1]))
    if later.all():
        return frame
    return frame.sort_values([DROP_ORDER, FILE_COLUMN, ROW_NUMBER], kind="stable")


def _repeated_keys(frame: pd.DataFrame, key: list[str], considered: np.ndarray) -> np.ndarray:
    """True on the considered rows whose key another considered row shares: pandas'
    ``frame[considered][key].duplicated(keep=False)`` (missing values equal to each other),
    answered through row hashes (``key_hashes.py``: seconds less at five million results)."""
    rows = np.flatnonzero(considered)
    repeated = np.zeros(len(frame), dtype=bool)
    repeated[rows[repeated_rows(frame, key, rows)]] = True
    return repeated


def deduplicate(
    frame: pd.DataFrame,
    key: list[str],
    content: list[str],
    source: str,
    considered: np.ndarray | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (kept rows, log of removed rows). ``frame`` carries DROP_ORDER, file and row.

    ``considered``: the rows to de-duplicate (the quarantine's accepted rows); the others are
    left out of the kept rows in the same pass, so the records are copied once, not twice.
    When rows are removed, ``frame``'s columns move into the kept rows (it is left empty)."""
    if considered is None:
        considered = np.ones(len(frame), dtype=bool)
    considered = np.asarray(considered, dtype=bool)
    if frame.empty or not considered.any():
        return keep_rows(frame, considered, release=True), empty_dedup_log()
    ordered = _in_drop_order(frame)
    if ordered is not frame:  # sorted: the mask follows its rows
        considered = considered[frame.index.get_indexer(ordered.index)]
    # Only rows whose key repeats can be repeats: compare whole records among those alone.
    repeated_key = _repeated_keys(ordered, key, considered)
    if not repeated_key.any():
        return _kept_in_order(ordered, considered), empty_dedup_log()
    candidates = ordered[repeated_key]
    # missing values compare equal here (pandas duplicated), as they should for a re-send
    exact_c = candidates.duplicated(subset=key + content, keep="last")
    superseded_c = ~exact_c & candidates[~exact_c].duplicated(subset=key, keep="last").reindex(
        candidates.index, fill_value=False
    )
    exact = pd.Series(False, index=ordered.index)
    superseded = pd.Series(False, index=ordered.index)
    exact[repeated_key] = exact_c.to_numpy()
    superseded[repeated_key] = superseded_c.to_numpy()
    removed_mask = exact | superseded
    if not removed_mask.any():
        return _kept_in_order(ordered, considered), empty_dedup_log()
    # observed: the provider is a label (a Categorical, labels.py); only keys present count
    group = candidates.groupby(key, dropna=False, sort=False, observed=True).ngroup()
    winners = ~(exact_c | superseded_c)
    winner = pd.DataFrame(
        {
            "file": candidates.loc[winners, FILE_COLUMN].to_numpy(),
            "row": candidates.loc[winners, ROW_NUMBER].to_numpy(),
        },
        index=group[winners].to_numpy(),
    )
    logs = []
    for kind, mask in (("EXACT_REPEAT", exact_c), ("SUPERSEDED", superseded_c)):
        if not mask.any():
            continue
        removed = candidates[mask]
        won = winner.loc[group[mask].to_numpy()]
        logs.append(
            pd.DataFrame(
                {
                    "source": removed["provider"].to_numpy() if "provider" in removed else source,
                    "source_file": removed[FILE_COLUMN].to_numpy(),
                    "row_number": removed[ROW_NUMBER].to_numpy(),
                    "kind": kind,
                    "record_key": _key_text(removed, key).to_numpy(),
                    "kept_file": won["file"].to_numpy(),
                    "kept_row": won["row"].to_numpy(),
                }
            )
        )
    log = pd.concat(logs, ignore_index=True)
    for column in ("row_number", "kept_row"):
        log[column] = log[column].astype("Int64")
    return _kept_in_order(ordered, considered & ~removed_mask.to_numpy()), log


def _kept_in_order(ordered: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """The kept rows, back in the order the frame came in."""
    kept = keep_rows(ordered, keep, release=True)
    if not kept.index.is_monotonic_increasing:
        kept = kept.sort_index()
    return kept
