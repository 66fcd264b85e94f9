"""The models' text patterns (the e-mail address) checked in one Arrow pass, without a copy.

The Pandera models (``schemas/tables.py``) stay the declared contract: ``str_matches`` on
``email`` and ``manager_email``. Pandera runs such a check by first dropping the missing cells
(a copy of the whole column: at a million employees 4.6M e-mails of the results) and then
matching what is left. Here the same Arrow kernel that pandas' ``str.match`` calls
(``match_substring_regex``, the pattern anchored as pandas anchors it) runs on the column as it
is and a missing cell passes, as the model's check ignores it: measured on 4.6M e-mails, 0.45 s
of CPU instead of 0.65-0.87 s. (Matching each distinct address once was tried: the two hash
passes cost 2 s, more than the expression itself.)

The column is matched in contiguous row ranges on threads (``MATCH_THREADS``): the kernel
runs without the GIL and the validation otherwise holds one core while the others wait (at a
million employees the expression was 1.6 s of the validation's samples). Each row's answer is
the kernel's own, so the split changes nothing but the wall time.

The check that replaces the model's keeps its name and its error text, so a failure reads the
same in the quarantine (``validation._wording``). Only the validation's own copy of the schema
changes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.compute as pc

from assets.cores import available_cores
from assets.text import arrow_of, is_text

MATCH_THREADS = min(4, available_cores())
MIN_ROWS_PER_THREAD = 100_000  # below this a thread costs more than it saves


def matches_pattern(values: pd.Series, pattern: str) -> pd.Series:
    """True where ``values`` matches ``pattern`` (from its start, as ``str.match``) or is
    missing: one pass of Arrow's kernel over the column as it is, without a copy of it."""
    if not pattern.startswith("^"):  # pandas anchors a match at the start the same way
        pattern = "^" + pattern
    if not is_text(values):  # not Arrow text (an empty or odd column): pandas decides
        matched = values.dropna().astype(str).str.match(pattern)
        return matched.reindex(values.index, fill_value=True).astype(bool)
    array = arrow_of(values)
    passed = np.empty(len(array), dtype=bool)

    def match(start: int, stop: int) -> None:
        part = pc.match_substring_regex(array.slice(start, stop - start), pattern)
        passed[start:stop] = pc.fill_null(part, True).to_numpy()

    # the expression over millions of cells is the validation's largest single cost, run
    # without the GIL: split in contiguous row ranges over the cores, the result the same
    if MATCH_THREADS < 2 or len(array) < MIN_ROWS_PER_THREAD * 2:  # one range: matched here
        match(0, len(array))
    else:
        bounds = np.linspace(0, len(array), MATCH_THREADS + 1).astype(int)
        with ThreadPoolExecutor(max_workers=MATCH_THREADS) as pool:
            list(pool.map(match, bounds[:-1], bounds[1:]))
    return pd.Series(passed, index=values.index, dtype=bool, copy=False)


def _without_copy(check: pa.Check) -> pa.Check:
    pattern = check.statistics["pattern"]
    pattern = getattr(pattern, "pattern", pattern)  # a compiled expression: its text
    return pa.Check(
        lambda values: matches_pattern(values, pattern),
        name=check.name,
        error=check.error,
        ignore_na=False,  # missing cells pass inside the check: no copy of the column
    )


def with_patterns_without_copy(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """``schema`` with every ``str_matches`` check run by :func:`matches_pattern`."""
    updates = {}
    for name, column in schema.columns.items():
        if any(check.name == "str_matches" for check in column.checks):
            updates[name] = {
                "checks": [
                    _without_copy(c) if c.name == "str_matches" else c for c in column.checks
                ]
            }
    return schema.update_columns(updates) if updates else schema
