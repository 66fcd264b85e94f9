"""What the rules may ask of a person's records: the questions, not how they are answered.

The cycle rules need "the first pass of this module on or after that day" for many people at
once. They ask through these protocols; the answers come from indexes built elsewhere
(:mod:`assets.certification.machinery`), which the rules never import.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from assets.certification.rules.days import Days
from assets.certification.rules.points import EarnedPoints


class PassHistory(Protocol):
    """The module passes of the employed people dated on or before D."""

    def first_passes(self, person: np.ndarray, modules: list[int]) -> Days:
        """Per person (rows) and module (columns), the earliest pass."""
        ...

    def passes_from(self, person: np.ndarray, modules: list[int], from_day: np.ndarray) -> Days:
        """Per person (rows) and module (columns), the first pass on or after ``from_day``."""
        ...


class PointsHistory(Protocol):
    """The points each person earned, by source, in spans of days."""

    def earned(self, person: np.ndarray, start: np.ndarray, end: np.ndarray) -> EarnedPoints:
        """Points earned in (start, end] by each person; ``end`` is on or before D."""
        ...
