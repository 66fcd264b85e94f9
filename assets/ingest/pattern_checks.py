"""The models' text patterns (the e-mail address) checked once per distinct value, in Arrow.

The Pandera models (``schemas/tables.py``) stay the declared contract: ``str_matches`` on
``email`` and ``manager_email``. Pandera runs such a check by dropping the missing cells (a copy
of the whole column) and matching the regular expression on every row. A week's results repeat
each person's e-mail on every result (at a million employees 5M rows, about 1M distinct
addresses), and that check was 4 s of the validation's single-core time (py-spy). Here the same
Arrow kernel that pandas' ``str.match`` calls (``match_substring_regex``, the pattern anchored
as pandas anchors it) runs on the distinct values, and each row takes its value's answer.

The check that replaces the model's keeps its name and its error text, so a failure reads the
same in the quarantine (``validation._wording``); a missing cell passes, as with the model's
check (which ignores missing cells). Only the validation's own copy of the schema changes.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pyarrow as pyarrow_
import pyarrow.compute as pc

from assets.text import arrow_of, is_text


def matches_by_distinct_value(values: pd.Series, pattern: str) -> pd.Series:
    """True where ``values`` matches ``pattern`` (from its start, as ``str.match``) or is
    missing; the expression runs once per distinct value."""
    if not pattern.startswith("^"):  # pandas anchors a match at the start the same way
        pattern = "^" + pattern
    if not is_text(values):  # not Arrow text (an empty or odd column): pandas decides
        matched = values.dropna().astype(str).str.match(pattern)
        return matched.reindex(values.index, fill_value=True).astype(bool)
    column = arrow_of(values)
    distinct = pc.unique(column)
    answers = pc.match_substring_regex(distinct, pattern)
    # missing rows (and a missing distinct value) index nothing: filled in as a pass
    answer = answers.take(pc.index_in(column, value_set=distinct))
    passed = pc.fill_null(answer, True)
    if isinstance(passed, pyarrow_.ChunkedArray):
        passed = passed.combine_chunks()
    return pd.Series(passed.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def _by_distinct_value(check: pa.Check) -> pa.Check:
    pattern = check.statistics["pattern"]
    pattern = getattr(pattern, "pattern", pattern)  # a compiled expression: its text
    return pa.Check(
        lambda values: matches_by_distinct_value(values, pattern),
        name=check.name,
        error=check.error,
        ignore_na=False,  # missing cells pass inside the check: no copy of the column
    )


def with_patterns_by_distinct_value(schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """``schema`` with every ``str_matches`` check run by :func:`matches_by_distinct_value`."""
    updates = {}
    for name, column in schema.columns.items():
        if any(check.name == "str_matches" for check in column.checks):
            updates[name] = {
                "checks": [
                    _by_distinct_value(c) if c.name == "str_matches" else c for c in column.checks
                ]
            }
    return schema.update_columns(updates) if updates else schema
