"""The row-hash search for repeated keys (key_hashes.py) answers exactly what pandas'
``duplicated(keep=False)`` answers, on the awkward data the intake sees."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from assets.ingest.dedup import _repeated_keys, deduplicate
from assets.ingest.key_hashes import column_hash, repeated_rows
from assets.text import TEXT

# one short id per byte length from 0 to 17, ids that differ only after byte 8 or 16, a
# multi-byte character, and text over the hashed length (dictionary-encoded instead)
_IDS = [
    "",
    "A",
    "AT-0000001",
    "AT-0000002",
    "AT-00000010",
    "12345678",
    "12345678X",
    "12345678Y",
    "1234567812345678",
    "1234567812345678Z",
    "Zoë",
    "Zoe",
    "x" * 40,
    "x" * 39 + "y",
]


def _chunked_text(values: list[str | None], cut: int) -> pd.Series:
    """Arrow text in two chunks, the second a slice (offset into its buffers), as files joined."""
    whole = pa.array(["pad", *values], type=pa.string())
    chunks = [whole.slice(1, cut), whole.slice(1 + cut)]
    return pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(chunks, pa.string())))


def _reference(frame: pd.DataFrame, key: list[str], rows: np.ndarray) -> np.ndarray:
    return frame.iloc[rows][key].duplicated(keep=False).to_numpy()


def test_missing_values_repeat_each_other_and_empty_text_is_not_missing():
    frame = pd.DataFrame(
        {
            "id": pd.Series(["A", None, "", None, "", "B"], dtype=TEXT),
            "day": pd.to_datetime(["2025-01-01", None, None, None, "2025-01-01", None]),
            "score": [1.0, np.nan, np.nan, np.nan, 1.0, 2.0],
        }
    )
    rows = np.arange(len(frame))
    # rows 1 and 3: missing everywhere, so equal; rows 2 and 4 differ in day and score
    assert repeated_rows(frame, ["id", "day", "score"], rows).tolist() == [
        False,
        True,
        False,
        True,
        False,
        False,
    ]
    assert repeated_rows(frame, ["id"], rows).tolist() == _reference(frame, ["id"], rows).tolist()


def test_categorical_labels_and_text_across_chunks_match_pandas():
    ids = [_IDS[i % len(_IDS)] for i in range(60)] + [None, None]
    provider = pd.Categorical(
        [["apex", "north", None][i % 3] for i in range(len(ids))], categories=["north", "apex"]
    )
    frame = pd.DataFrame({"provider": provider, "record_id": _chunked_text(ids, 25)})
    for rows in (np.arange(len(frame)), np.arange(0, len(frame), 2), np.array([3, 17])):
        for key in (["record_id"], ["provider", "record_id"], ["provider"]):
            got = repeated_rows(frame, key, rows)
            assert got.tolist() == _reference(frame, key, rows).tolist(), (key, rows)


def test_text_longer_than_the_hashed_length_is_compared_whole():
    frame = pd.DataFrame(
        {"note": pd.Series(["x" * 40, "x" * 39 + "y", "x" * 40, None], dtype=TEXT)}
    )
    assert repeated_rows(frame, ["note"], np.arange(4)).tolist() == [True, False, True, False]


def test_equal_values_hash_alike_wherever_they_sit_in_the_buffers():
    values = _chunked_text(["AT-0000001", None, "AT-0000001", "Zoë", None, "Zoë"], 2)
    hashed = column_hash(values)
    assert hashed[0] == hashed[2] and hashed[3] == hashed[5] and hashed[1] == hashed[4]
    assert len(set(hashed.tolist())) == 3


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from([*_IDS, None]),
            st.sampled_from(["a", "b", None]),
            st.sampled_from([pd.Timestamp("2025-01-01"), pd.Timestamp("2025-01-02"), pd.NaT]),
            st.booleans(),
        ),
        min_size=0,
        max_size=40,
    ),
    cut=st.integers(0, 40),
)
def test_any_frame_matches_pandas_duplicated(rows, cut):
    ids = [r[0] for r in rows]
    frame = pd.DataFrame(
        {
            "id": _chunked_text(ids, min(cut, len(ids))),
            "label": pd.Categorical([r[1] for r in rows], categories=["b", "a"]),
            "day": pd.Series([r[2] for r in rows], dtype="datetime64[ns]"),
        }
    )
    considered = np.array([r[3] for r in rows], dtype=bool)
    chosen = np.flatnonzero(considered)
    for key in (["id"], ["label", "id"], ["id", "day", "label"]):
        got = _repeated_keys(frame, key, considered)
        expected = np.zeros(len(frame), dtype=bool)
        expected[chosen] = _reference(frame, key, chosen)
        assert got.tolist() == expected.tolist(), key


def test_deduplicate_logs_repeats_across_files_as_before():
    frame = pd.DataFrame(
        {
            "provider": pd.Categorical(["apex", "apex", "north", "apex", "apex"]),
            "record_id": pd.Series(["R1", "R2", "R1", "R1", "R2"], dtype=TEXT),
            "score": [80.0, 70.0, 80.0, 80.0, 75.0],
            "_file": pd.Categorical(["a.csv", "a.csv", "n.csv", "b.csv", "b.csv"]),
            "_row": [2, 3, 2, 2, 3],
            "_drop_order": [0, 0, 1, 2, 2],
        }
    )
    kept, log = deduplicate(frame, ["provider", "record_id"], ["score"], "results")
    assert kept["_row"].tolist() == [2, 2, 3]
    assert kept["_file"].astype(str).tolist() == ["n.csv", "b.csv", "b.csv"]
    assert log[
        ["source_file", "row_number", "kind", "record_key", "kept_file"]
    ].values.tolist() == [
        ["a.csv", 2, "EXACT_REPEAT", "apex|R1", "b.csv"],
        ["a.csv", 3, "SUPERSEDED", "apex|R2", "b.csv"],
    ]
