"""Repeated keys found through 64-bit row hashes: the machinery under ``dedup._repeated_keys``.

The rule is pandas' ``frame[key].duplicated(keep=False)``: a row is repeated when another row
has equal values in every key column, missing values being equal to each other. pandas answers
it by building a hash table of every distinct value of every key column (Arrow's dictionary
encoding for text) and then another of the combined codes. At a million employees (five
million results, each record id distinct) that was 5 s of the single-threaded intake, for a few
thousand repeated rows; Arrow's dictionary encoding alone took 1.5-3.8 s of it (measured).

Here every row gets a 64-bit hash of its key in a few vectorised numpy passes, with no hash
table: a short text cell is read straight from the Arrow buffers as 8-byte words, a label by
its ``Categorical`` code, anything else by its ``pd.factorize`` code (pandas' own equality).
Equal keys always get equal hashes (every missing cell of a column hashes alike), so only the
rows whose hash repeats can be repeated; sorting the hashes finds them, and pandas'
``duplicated`` itself then decides among those few rows. The answer is pandas' answer: a hash
collision only adds a row to the few that pandas checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from assets.text import arrow_of, is_text

# Text cells up to this many bytes are hashed from their bytes (ids are short); longer ones
# are dictionary-encoded by Arrow instead, one pass per byte being slower by then.
_MAX_HASHED_BYTES = 32

# a table of 2**24 flags (16 MB) for the repeated hashes' low bits: few false hits
_LOW_BITS_TABLE = 2**24
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # 2**64 / golden ratio: spreads the bits
_MISSING = np.uint64(0x5BD1E9955BD1E995)  # the hash of every missing cell


def _mixed(values: np.ndarray) -> np.ndarray:
    """A bijective scramble of uint64 values (the finaliser of SplitMix64), in place."""
    values ^= values >> np.uint64(30)
    values *= np.uint64(0xBF58476D1CE4E5B9)
    values ^= values >> np.uint64(27)
    values *= np.uint64(0x94D049BB133111EB)
    values ^= values >> np.uint64(31)
    return values


# _WORD_MASK[n]: the low n bytes of a little-endian 8-byte word
_WORD_MASK = np.array([(1 << (8 * n)) - 1 for n in range(8)] + [2**64 - 1], dtype=np.uint64)


def _words_at(data: np.ndarray) -> np.ndarray:
    """``words[i]``: the 8 bytes of ``data`` from byte i on, as one little-endian uint64 (an
    unaligned view with a stride of one byte, over a copy padded with 8 zero bytes)."""
    padded = np.zeros(len(data) + 8, dtype=np.uint8)
    padded[: len(data)] = data
    return np.ndarray((len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))


def _text_hash(array: pa.Array) -> np.ndarray:
    """A hash of each cell's bytes (its length included); missing cells hash to ``_MISSING``.

    Comparable within one array only: the number of words mixed in is that of its longest
    cell (the de-duplication compares the rows of one column; tried for the roster's ids
    against the results', by a pandas index of the hashes, and not kept: no faster than
    Arrow's ``is_in``)."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)
    offsets = offsets[array.offset : array.offset + len(array) + 1].astype(np.int64)
    starts, lengths = offsets[:-1], np.diff(offsets)
    hashed = lengths.astype(np.uint64) * _MULTIPLIER
    longest = int(lengths.max()) if len(lengths) else 0
    if longest:
        data_buffer = array.buffers()[2]
        words = _words_at(np.frombuffer(data_buffer, dtype=np.uint8)[: int(offsets[-1])])
        for word_start in range(0, longest, 8):
            # a cell's bytes from word_start, 8 at a time; past the cell's end they count as 0
            # (its length is in the hash already)
            word = words[np.minimum(starts + word_start, len(words) - 1)]
            word &= _WORD_MASK[np.clip(lengths - word_start, 0, 8)]
            hashed = _mixed(hashed ^ word) * _MULTIPLIER
    if array.null_count:
        hashed[array.is_null().to_numpy(zero_copy_only=False)] = _MISSING
    return hashed


def column_hash(column: pd.Series) -> np.ndarray:
    """uint64 per cell: equal values hash alike, and so do all missing cells."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64) + 1  # missing (-1) becomes 0
        return _mixed(codes.astype(np.uint64))
    if is_text(column):
        array = arrow_of(column).combine_chunks()
        lengths = pc.binary_length(array)
        longest = pc.max(lengths).as_py() or 0
        if longest <= _MAX_HASHED_BYTES:
            return _text_hash(array)
        encoded = pc.dictionary_encode(array, null_encoding="encode")
        return _mixed(encoded.indices.to_numpy(zero_copy_only=False).astype(np.uint64))
    codes, _ = pd.factorize(column, use_na_sentinel=True)
    return _mixed((codes.astype(np.int64) + 1).astype(np.uint64))


def repeated_rows(frame: pd.DataFrame, columns: list[str], rows: np.ndarray) -> np.ndarray:
    """``frame.iloc[rows][columns].duplicated(keep=False)`` as a numpy mask over ``rows``
    (positions), without copying the key columns of the chosen rows."""
    hashed = np.zeros(len(frame), dtype=np.uint64)
    for column in columns:
        hashed = _mixed(hashed * _MULTIPLIER ^ column_hash(frame[column]))
    hashed = hashed[rows]
    repeated = np.zeros(len(rows), dtype=bool)
    if len(rows) < 2:
        return repeated
    ordered = np.sort(hashed)
    repeated_hashes = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated_hashes):
        return repeated
    # only these rows can repeat a key: pandas itself decides among them. Found with a table
    # of the repeated hashes' low bits first, then a binary search for those few rows
    # (np.isin sorted all five million hashes again, and searching them all took 0.8 s)
    repeated_hashes = np.unique(repeated_hashes)
    low_bits = np.zeros(_LOW_BITS_TABLE, dtype=bool)
    low_bits[repeated_hashes & np.uint64(_LOW_BITS_TABLE - 1)] = True
    maybe = np.flatnonzero(low_bits[hashed & np.uint64(_LOW_BITS_TABLE - 1)])
    found = np.minimum(np.searchsorted(repeated_hashes, hashed[maybe]), len(repeated_hashes) - 1)
    suspects = maybe[repeated_hashes[found] == hashed[maybe]]
    keys = frame[columns].take(rows[suspects])
    repeated[suspects] = keys.duplicated(keep=False).to_numpy()
    return repeated
