"""Checks every text cell passes before it is conformed: not too long, no NUL, no bidi controls.

A failing cell rejects its row (quarantined with the reason, like any other failed check); the
rows around it still load. Rejecting, not stripping: a NUL byte or a right-to-left override in an
employee id, a module name or a certificate number means the export is broken or the text was
made to display differently from what it is, and an audit record must not be silently repaired.
The value shown in the reject row names the characters (``<U+202E>``) instead of carrying them,
so they never reach a PDF, a CSV or an e-mail; an over-long value is shown shortened.

The checks run in Arrow's C++ kernels over whole columns; only the few failing cells are
touched in Python.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets.text import arrow_of, is_text

from .readers import ROW_NUMBER

# Explicit embeddings, overrides and isolates, and the left-to-right / right-to-left marks.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
_BIDI_PATTERN = "[" + BIDI_CONTROLS + "]"
_NAMED = {ord(c): f"<U+{ord(c):04X}>" for c in "\x00" + BIDI_CONTROLS}
SHOWN_CHARS = 60  # an over-long value is shown this long, then its length

NUL_EXPECTED = "text without NUL characters"
BIDI_EXPECTED = (
    "text without bidirectional control characters (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F)"
)


def length_expected(max_chars: int) -> str:
    return f"at most {max_chars:,} characters (limits.max_cell_chars)"


@dataclass
class CellFailure:
    column: str  # the column as named in the file
    mask: np.ndarray  # True on the failing rows
    expected: str
    shown: np.ndarray  # object: the value to show on failing rows (None elsewhere)


def shown_value(text: str, max_chars: int | None = None) -> str:
    """A cell as it may be shown anywhere: NUL and bidi controls named, long text shortened."""
    if max_chars is not None and len(text) > max_chars:
        return text[:SHOWN_CHARS].translate(_NAMED) + f"... ({len(text):,} characters)"
    return text.translate(_NAMED)


def safe_text(values: pd.Series) -> pd.Series:
    """``shown_value`` of every cell that needs it (for keys echoed into reject rows)."""
    strings = values.astype(object)
    risky = strings.map(lambda v: isinstance(v, str) and bool(set(v) & _RISKY_SET))
    if not risky.any():
        return values
    out = strings.copy()
    out[risky] = strings[risky].map(shown_value)
    return out


_RISKY_SET = set("\x00" + BIDI_CONTROLS)


def _text_array(values: pd.Series) -> pa.ChunkedArray | None:
    if is_text(values):
        return arrow_of(values)
    if values.dtype == object:  # an Excel column of mixed kinds: its text cells
        cells = [v if isinstance(v, str) else None for v in values.to_numpy(dtype=object)]
        return pa.chunked_array([pa.array(cells, type=pa.string())])
    return None


def _mask(result) -> np.ndarray:
    return np.asarray(pc.fill_null(result, False).to_numpy(zero_copy_only=False), dtype=bool)


# UTF-8 bytes of the bidi controls: U+200E/F, U+202A-U+202E, U+2066-U+2069
_BIDI_UTF8 = re.compile(rb"\xe2(?:\x80[\x8e\x8f\xaa-\xae]|\x81[\xa6-\xa9])")
_UTF8_NAMES = {"utf_8", "utf_8_sig", "ascii"}


@dataclass(frozen=True)
class TextBytesHint:
    """What a file's own bytes already rule out, so the column checks can be skipped."""

    may_hold_nul: bool = True
    may_hold_bidi: bool = True


def bytes_hint(data: bytes, encoding: str) -> TextBytesHint:
    """Scan a text file's bytes once (C speed) for NUL and bidi controls. Only for UTF-8 and
    ASCII, where a NUL character is a zero byte and a bidi control its own byte sequence; any
    other encoding (and a workbook, which is compressed) gets every column checked."""
    try:
        name = codecs.lookup(encoding).name.replace("-", "_")
    except LookupError:
        return TextBytesHint()
    if name not in _UTF8_NAMES:
        return TextBytesHint()
    # most files hold no 0xE2 lead byte at all; only then is the pattern searched
    bidi = data.find(b"\xe2") >= 0 and _BIDI_UTF8.search(data) is not None
    return TextBytesHint(may_hold_nul=data.find(b"\x00") >= 0, may_hold_bidi=bidi)


def _longest(array: pa.ChunkedArray) -> int:
    """An upper bound of the longest cell in characters: its length in bytes (from the offsets,
    without reading the text)."""
    longest = pc.max(pc.binary_length(array)).as_py()
    return longest or 0


def cell_failures(
    raw: pd.DataFrame, max_chars: int, hint: TextBytesHint | None = None
) -> list[CellFailure]:
    """Every over-long, NUL-bearing or bidi-bearing text cell of a file as read.

    One failure per cell: an over-long cell is reported as such (its content is not inspected
    further), then NUL, then bidi controls. ``hint``: what the file's bytes rule out (a column
    is only searched for what its file may hold; the result is the same).
    """
    hint = hint or TextBytesHint()
    failures = []
    for column in raw.columns:
        if column == ROW_NUMBER:
            continue
        array = _text_array(raw[column])
        if array is None:
            continue
        nothing = np.zeros(len(array), dtype=bool)
        if _longest(array) > max_chars:
            too_long = _mask(pc.greater(pc.utf8_length(array), max_chars))
        else:
            too_long = nothing
        nul = nothing
        if hint.may_hold_nul:
            nul = _mask(pc.match_substring(array, "\x00")) & ~too_long
        # bidi controls are not ASCII
        if hint.may_hold_bidi and pc.all(pc.string_is_ascii(array)).as_py() is False:
            bidi = _mask(pc.match_substring_regex(array, _BIDI_PATTERN)) & ~too_long & ~nul
        else:
            bidi = nothing
        for mask, expected in (
            (too_long, length_expected(max_chars)),
            (nul, NUL_EXPECTED),
            (bidi, BIDI_EXPECTED),
        ):
            if not mask.any():
                continue
            shown = np.full(len(mask), None, dtype=object)
            where = np.flatnonzero(mask)
            texts = array.take(pa.array(where)).to_pylist()
            shown[where] = [shown_value(t, max_chars) for t in texts]
            failures.append(CellFailure(column, mask, expected, shown))
    return failures
