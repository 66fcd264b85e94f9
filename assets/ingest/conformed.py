"""What every conformer returns: a canonical frame, the raw cells, and the cells that failed.

A conformer (``provider_results.py``, ``company_records.py``, ``decisions.py``) never drops a
row. A cell that does not parse becomes missing in the canonical frame and is listed as a
:class:`ParseFailure`, so the quarantine (``validation.py``) rejects the row showing the value as
it was written. :func:`concat_conformed` joins one source's files so validation runs once per
source instead of once per file.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assets.cores import available_cores
from assets.text import contiguous, same_data

from .labels import file_label, is_label, join_labels
from .readers import ROW_NUMBER

FILE_COLUMN = "_file"
# threads joining a source's columns (``_join_columns``): copies, which release the GIL
JOIN_THREADS = min(2, available_cores())


@dataclass
class ParseFailure:
    column: str
    mask: pd.Series  # True where the cell had a value that did not parse
    expected: str
    # the value to show on failing rows when the raw value must not be shown as it is
    # (cell_checks: NUL and bidi controls named, long text shortened); None: the raw value
    shown: np.ndarray | None = None


@dataclass
class Conformed:
    """A canonical frame, the raw values under canonical names, and the cells that failed."""

    frame: pd.DataFrame
    raw: pd.DataFrame
    parse_failures: list[ParseFailure] = field(default_factory=list)


def keep_parsed(
    frame: pd.DataFrame,
    raw_values: pd.DataFrame,
    failures: list[ParseFailure],
    column: str,
    parsed: pd.Series,
    expected: str,
) -> None:
    """Store a parsed column; cells written but not parsed fail, expecting ``expected``."""
    frame[column] = parsed
    failures.append(ParseFailure(column, failed(raw_values[column], parsed), expected))


def failed(raw: pd.Series, parsed: pd.Series) -> pd.Series:
    """Written (not blank) but missing once parsed."""
    return pd.Series(
        raw.notna().to_numpy(dtype=bool) & parsed.isna().to_numpy(dtype=bool), index=raw.index
    )


def finish(
    frame: pd.DataFrame,
    raw_values: pd.DataFrame,
    failures: list[ParseFailure],
    raw: pd.DataFrame,
    relative_path: str,
) -> Conformed:
    """Every row labelled with its file and its row number in that file."""
    frame[FILE_COLUMN] = file_label(relative_path, raw.index)  # codes, not text (labels.py)
    frame[ROW_NUMBER] = raw[ROW_NUMBER].to_numpy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return Conformed(frame=frame, raw=raw_values, parse_failures=failures)


def concat_conformed(parts: list[Conformed]) -> Conformed:
    """One frame for many files, so validation runs once per source instead of once per file.

    Parse failures of the same column and expectation are merged into one mask over all rows.
    """
    frames, raws, offset = [], [], 0
    merged: dict[tuple[str, str], list[tuple[int, ParseFailure]]] = {}
    for part in parts:
        index = pd.RangeIndex(offset, offset + len(part.frame))
        raw = _raw_only(part)
        raw.index = index
        part.frame.index = index  # the part's frame is emptied column by column below
        frames.append(part.frame)
        raws.append(raw)
        for f in part.parse_failures:
            merged.setdefault((f.column, f.expected), []).append((offset, f))
        offset += len(index)
    frame = _join_columns(frames)
    for column in frame.columns:  # all-missing columns of one file must not change the dtype
        if frame[column].dtype == object:
            frame[column] = frame[column].where(frame[column].notna(), None)
    failures = []
    for (column, expected), pieces in merged.items():
        full = np.zeros(offset, dtype=bool)
        shown = None
        for start, f in pieces:
            full[start : start + len(f.mask)] = f.mask.to_numpy(dtype=bool, na_value=False)
            if f.shown is not None:
                shown = np.full(offset, None, dtype=object) if shown is None else shown
                shown[start : start + len(f.shown)] = f.shown
        failures.append(ParseFailure(column, pd.Series(full, index=frame.index), expected, shown))
    # the raw cells are read only for rejected rows (``validation._cells_at``): left chunked
    raw = _join_columns(raws, one_array_per_text=False)
    return Conformed(frame=frame, raw=raw, parse_failures=failures)


def _join_columns(frames: list[pd.DataFrame], one_array_per_text: bool = True) -> pd.DataFrame:
    """The files' rows as one frame, joined column by column: each file's column is taken out
    of its frame as it is joined, so the source is never held twice (before, all files and the
    joined copy were held together: the ingest's peak). Text becomes one Arrow array per column
    (``contiguous``), or with ``one_array_per_text=False`` keeps a chunk per file; labels stay
    codes (``join_labels``); every other column, and a column some file lacks, gets the type a
    whole-frame ``pd.concat`` gives it (each column is concatenated by ``pd.concat`` itself, as
    one-column frames, and column-less frames for the files without it).

    The columns are joined on a few threads (:data:`JOIN_THREADS`): the validation otherwise
    runs on one core while the others wait, and the work is copying (Arrow's concatenation of a
    text column, numpy's of a number column), which runs without the GIL — at a million
    employees 1.3 s of the 2.4 s join of the results was the text copies alone. Each file's
    column is still taken out of its frame before its join starts and released when it ends, so
    at most two columns are held twice at a time.
    """
    names = list(dict.fromkeys(c for f in frames for c in f.columns))  # pd.concat's order
    index = frames[0].index.append([f.index for f in frames[1:]])
    indexes = [f.index for f in frames]
    if JOIN_THREADS < 2:  # one core: joined here, one column at a time
        columns = {}
        for name in names:
            pieces = [f.pop(name) if name in f.columns else None for f in frames]
            columns[name] = _join_column(name, pieces, indexes, index, one_array_per_text)
        return pd.DataFrame(columns, index=index, copy=False)
    with ThreadPoolExecutor(max_workers=JOIN_THREADS) as pool:
        joins = {}
        for name in names:
            pieces = [f.pop(name) if name in f.columns else None for f in frames]
            joins[name] = pool.submit(
                _join_column, name, pieces, indexes, index, one_array_per_text
            )
            del pieces
        columns = {name: join.result() for name, join in joins.items()}
    return pd.DataFrame(columns, index=index, copy=False)


def _join_column(
    name: str,
    pieces: list[pd.Series | None],
    indexes: list[pd.Index],
    index: pd.Index,
    one_array_per_text: bool,
) -> pd.Series:
    """One column of :func:`_join_columns` (``None``: the file has no such column)."""
    if all(p is not None and is_label(p) for p in pieces):
        return join_labels(pieces, index)
    joined = pd.concat(
        [
            p.to_frame() if p is not None else pd.DataFrame(index=i)
            for p, i in zip(pieces, indexes, strict=True)
        ]
    )[name]
    pieces.clear()  # the files' columns are released as soon as they are joined
    return contiguous(joined.to_frame())[name] if one_array_per_text else joined


def without_shared_raw(part: Conformed) -> Conformed:
    """``part`` without the raw columns that are the canonical columns' very data (see
    ``_raw_only``): for a file read in a worker process, before it is sent back."""
    part.raw = _raw_only(part)
    return part


def _raw_only(part: Conformed) -> pd.DataFrame:
    """The raw cells that differ from the canonical ones. Most text columns are the very same
    data in both (ids, e-mails, names): where a raw column is missing, the quarantine shows the
    canonical value, which is the same, and the data is not copied twice."""
    shared = [
        c for c in part.raw.columns if c in part.frame and same_data(part.raw[c], part.frame[c])
    ]
    return part.raw.drop(columns=shared)
