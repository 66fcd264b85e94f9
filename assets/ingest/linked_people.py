"""Every result's person, put together once from the steps of the linking (``identity.py``).

Most results link by their own employee id; the e-mail and name steps find people for a few
thousand others, at known positions. Spreading each step's answer over all the rows
(``reindex`` to every row, then ``fillna``) went over five million rows per step, seconds at a
million employees (measured); here the answers are joined once, with one Arrow ``take``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from assets.text import arrow_of, text_series, to_text


def linked_people(
    employee_id: pd.Series, by_id: np.ndarray, found: list[tuple[np.ndarray, pd.Series]]
) -> pd.Series:
    """The person of each row: its own ``employee_id`` where ``by_id``; for each ``(rows,
    people)`` of ``found``, ``people`` at those positions; missing everywhere else."""
    count = len(employee_id)
    take = np.where(by_id, np.arange(count), -1)
    parts = [arrow_of(to_text(employee_id))]
    start = count
    for rows, people in found:
        take[rows] = start + np.arange(len(rows))
        start += len(rows)
        parts.append(arrow_of(to_text(people)))
    values = pa.chunked_array([c for part in parts for c in part.chunks], type=pa.string())
    return text_series(
        values.combine_chunks().take(pa.array(take, mask=take < 0)), employee_id.index
    )
