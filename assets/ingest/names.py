"""People's names: a full name split as a provider writes it, and names folded for matching.

Both work once per distinct name (names repeat, and the per-string work is pure Python).
"""

from __future__ import annotations

import unicodedata

import pandas as pd
import pyarrow as pa

from assets.text import map_text, text_series, to_text


def _fold_one(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.casefold().replace("-", " ").replace("'", "").split())


def fold_name(values: pd.Series) -> pd.Series:
    """Accents, case, spacing, hyphens and apostrophes folded, for matching people by name."""
    return map_text(to_text(values), _fold_one)


def _split_one(full: str, order: str) -> tuple[str | None, str | None]:
    """(first, last) of one full name, or (None, None) if it is not written that way."""
    if order == "last_comma_first":
        parts = full.split(",", 1)
        last, first = parts[0].strip(), parts[1].strip() if len(parts) > 1 else None
    else:
        parts = full.rsplit(" ", 1)
        first, last = parts[0].strip(), parts[1].strip() if len(parts) > 1 else None
    if not first or not last:
        return None, None
    return first, last


def split_full_name(full: pd.Series, order: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(first, last, bad) of a full-name column written in ``order`` (``providers.yaml``'s
    ``name_order``); ``bad`` marks names not written as configured."""
    codes, uniques = pd.factorize(full, use_na_sentinel=True)
    split = [_split_one(name, order) for name in uniques.tolist()]
    indices = pa.array(codes, mask=codes < 0, type=pa.int64())
    firsts = pa.array([s[0] for s in split], type=pa.string()).take(indices)
    lasts = pa.array([s[1] for s in split], type=pa.string()).take(indices)
    first, last = text_series(firsts, full.index), text_series(lasts, full.index)
    bad = pd.Series(
        full.notna().to_numpy(dtype=bool) & first.isna().to_numpy(dtype=bool), index=full.index
    )
    return first, last, bad
