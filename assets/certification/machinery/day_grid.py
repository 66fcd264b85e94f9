"""Packing (group, day) pairs into one sortable integer, the key of every index of the engine."""

from __future__ import annotations

import numpy as np


class DayGrid:
    """Packs (group, day) pairs into one sortable ``int64`` key: ``group * span + offset``.

    ``offset`` is the day minus ``first_day``; the span leaves one free slot past D so that a
    search from "after D" lands on the next group. Offsets are clipped to [-1, span - 1], which
    keeps searches for days outside the grid inside their own group.
    """

    def __init__(self, first_day: int, as_of_day: int) -> None:
        self.first_day = int(min(first_day, as_of_day))
        self.span = int(as_of_day - self.first_day + 2)

    def key(self, group: np.ndarray, days: np.ndarray) -> np.ndarray:
        offset = np.clip(np.asarray(days, dtype=np.int64) - self.first_day, -1, self.span - 1)
        return np.asarray(group, dtype=np.int64) * self.span + offset

    def day_of(self, keys: np.ndarray) -> np.ndarray:
        return np.asarray(keys, dtype=np.int64) % self.span + self.first_day

    def group_of(self, keys: np.ndarray) -> np.ndarray:
        return np.asarray(keys, dtype=np.int64) // self.span
