"""Make CSV exports safe to open in a spreadsheet (CSV/formula injection, docs/reports.md).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula, so a hostile name in a provider file could execute on the quality manager's
machine. Every text cell that starts with one of those characters gets a leading single quote,
which spreadsheets show as text and hide. Numbers and dates are not text cells and are left
alone (a negative number is not a formula).
"""

from __future__ import annotations

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: object) -> object:
    """One cell: prefix a single quote when it is a string a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralize_formula_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells cannot run as spreadsheet formulas.

    Only object and string columns are touched; the input frame is not modified. Column names
    are neutralized too, since they become the header row of the CSV.
    """
    safe = df.copy()
    for column in safe.columns:
        if pd.api.types.is_object_dtype(safe[column]) or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralize_cell, na_action="ignore")
    safe.columns = [neutralize_cell(str(c)) for c in safe.columns]
    return safe
