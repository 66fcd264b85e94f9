"""Conforming the company's recorded decisions: ``exemptions/`` and ``revocations/`` files.

Both are plain UTF-8 CSV files with ISO dates, one decision per row; the rows go through the same
quarantine, de-duplication and accounting as every other source (``intake.py``).
"""

from __future__ import annotations

import pandas as pd

from assets.text import empty_text
from schemas.tables import EXEMPTION_COLUMNS, REVOCATION_COLUMNS

from .cell_parsing import ISO_DATE, clean_text, parse_dates
from .conformed import Conformed, finish, keep_parsed

DATE_COLUMNS = {"exemptions": ("valid_from", "valid_until"), "revocations": ("revoked_on",)}
COLUMNS = {"exemptions": EXEMPTION_COLUMNS, "revocations": REVOCATION_COLUMNS}


def conform_decisions(
    kind: str, raw: pd.DataFrame, source_columns: dict[str, str], relative_path: str
) -> Conformed:
    """An exemptions or revocations file: text columns trimmed, ISO dates parsed.

    An optional date left blank (``valid_until``) stays empty; a date that does not parse rejects
    its row naming the column and the value as written.
    """
    frame = pd.DataFrame(index=raw.index)
    raw_values = pd.DataFrame(index=raw.index)
    failures = []
    for column, source in source_columns.items():
        raw_values[column] = clean_text(raw[source])
    dates = DATE_COLUMNS[kind]
    for column in COLUMNS[kind]:
        if column in dates:
            continue
        frame[column] = raw_values[column] if column in raw_values else empty_text(raw.index)
    # a credential is a code, like a site: one case, so 'forklift' is FORKLIFT
    frame["credential"] = frame["credential"].str.upper()
    for column in dates:
        if column in raw_values:
            keep_parsed(
                frame,
                raw_values,
                failures,
                column,
                parse_dates(raw_values[column], ISO_DATE),
                f"a date in the format {ISO_DATE}",
            )
        else:
            frame[column] = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    return finish(frame, raw_values, failures, raw, relative_path)
