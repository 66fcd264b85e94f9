"""CSV files on disk in the one CSV format of the project (``assets/csv_bytes.py``).

Every CSV the pipeline writes — the week's status exports, the quarantine, the de-duplicated and
unlinked records, a person's history — is made by :func:`assets.csv_bytes.frame_to_csv_bytes`:
formula cells neutralised, dates ``YYYY-MM-DD``, booleans ``true``/``false``, whole numbers
without ``.0``, empty cells for missing values, UTF-8 with ``\n`` line ends. Written to a
temporary name and renamed, so a reader never opens half a file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from assets.csv_bytes import frame_to_csv_bytes


def write_safe_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` to ``path`` in the project's CSV format (see the module's docstring)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(frame_to_csv_bytes(frame))
    partial.replace(path)
    return path
