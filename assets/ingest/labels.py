"""Per-file labels: the file name and the provider, one value for every row of a file.

Through the intake these columns are kept dictionary-encoded (a pandas ``Categorical``: one
small code per row, each distinct name stored once). As text they were the largest part of the
week's records (at a million employees ``source_file`` and ``provider`` were 63 bytes a result)
and were copied whole three times — made per file, joined per source, filtered into the kept
rows — each copy fresh memory the kernel must zero. Codes cost a byte a row.

Every consumer keeps what it had before: Pandera checks ``provider`` as the Arrow text its model
declares (converted by :func:`labels_as_text` for the validation alone), the quarantine and the
de-duplication log take Python strings from either form, and the accepted tables leave the
intake with plain Arrow text columns (:func:`labels_as_text` again), the types the engine, the
warehouse, the reports and the CSVs have always received.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import union_categoricals

from assets.text import text_series


def file_label(value: str, index: pd.Index) -> pd.Series:
    """``value`` on every row of one file, as a one-category ``Categorical``."""
    codes = np.zeros(len(index), dtype=np.int8)
    categories = pd.Index([value], dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories), index=index, copy=False)


def is_label(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.CategoricalDtype)


def join_labels(parts: list[pd.Series], index: pd.Index) -> pd.Series:
    """Several files' labels as one column on ``index``: the codes are joined, each name kept
    once (in order of first appearance). ``pd.concat`` would turn differing names into Python
    objects, one per row."""
    return pd.Series(union_categoricals(parts, ignore_order=True), index=index, copy=False)


def label_text(values: pd.Series) -> pd.Series:
    """A label column as the Arrow text column it stands for (missing stays missing): one
    contiguous array, built from the codes in C. Any other column is returned as it is."""
    if not is_label(values):
        return values
    codes = values.cat.codes.to_numpy()
    names = pa.array(values.cat.categories.to_numpy(dtype=object), type=pa.string())
    return text_series(names.take(pa.array(codes, mask=codes < 0)), values.index)


def labels_as_text(frame: pd.DataFrame, only: Collection[str] | None = None) -> pd.DataFrame:
    """``frame`` with every label column (or those of them named in ``only``) as Arrow text,
    for Pandera and at the boundary of the intake (what leaves it has the column types it
    always had). ``frame`` itself is left as it is and the other columns are not copied."""
    labels = [c for c in frame.columns if is_label(frame[c]) and (only is None or c in only)]
    if not labels:
        return frame
    frame = frame.copy(deep=False)  # (``assign`` would copy every column)
    for column in labels:
        frame[column] = label_text(frame[column])
    return frame
