"""The text columns that show an auditor which module passes prove a status.

The rules hand over numbers only: per status row, the latest pass day of each module
(``module_days``, rows x modules) and the results rows of the passes that prove the status
(``proof_rows``, rows x required modules, -1 where none). The texts are rendered once, after the
rows are in their final order, so that millions of strings are never re-ordered or copied
again; the orchestrator gives slices of rows to the worker threads (Arrow's string kernels
release the GIL) and :func:`evidence_columns` makes their slices the chunks of one chunked Arrow
array each, never Python strings.

Missing pieces are nulls and are skipped when joining with ``;``; module codes in
``modules_passed`` and ``module_pass_dates`` are sorted; evidence lists follow the credential's
order of required modules.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assets.certification.dates import NO_DAY
from assets.certification.machinery.results_index import SourceRecords
from assets.text import after_present

_NULL_TEXT = pa.scalar(None, pa.string())

EVIDENCE_TEXT_COLUMNS = ("module_pass_dates", "evidence_record_ids", "evidence_credential_ids")


def _empty(n: int) -> pa.Array:
    return pa.array(np.full(n, "", dtype=object), type=pa.string())


def _concatenated(pieces: list[pa.Array], n: int) -> pa.Array:
    """Each row's pieces concatenated, absent (null) ones as ''."""
    if not pieces:
        return _empty(n)
    return pc.binary_join_element_wise(*pieces, "", null_handling="replace", null_replacement="")


def _join_present(pieces: list[pa.Array], n: int) -> pa.Array:
    """The present pieces of each row joined by ``;`` ('' when none), for pieces without one.

    A leading empty piece keeps every row non-null — pyarrow 26 drops the rows whose pieces are
    all null under ``null_handling="skip"`` — and its separator is sliced off again.
    """
    if not pieces:
        return _empty(n)
    joined = pc.binary_join_element_wise(_empty(n), *pieces, ";", null_handling="skip")
    return pc.utf8_slice_codeunits(joined, 1)


def module_pass_dates(codes: list[str], pass_days: np.ndarray) -> pa.Array:
    """``CODE=YYYY-MM-DD;...`` of each row's passed modules (``pass_days`` is rows x codes).

    Each module's texts come from a small dictionary of the distinct days, not one conversion
    per row.
    """
    present = pass_days < NO_DAY
    if not present.any():
        return _empty(len(pass_days))
    low, high = pass_days[present].min(), pass_days[present].max()
    days = np.arange(low, high + 1).astype("datetime64[D]")
    dates = np.datetime_as_string(days).astype(object)
    later = after_present(present)
    pieces = []
    for j, code in enumerate(codes):
        if not present[:, j].any():
            continue
        # one dictionary per module: its dates without, then with, the leading separator
        texts = pa.array(np.concatenate([code + "=" + dates, ";" + code + "=" + dates]))
        index = np.where(present[:, j], pass_days[:, j] - low, 0) + np.where(
            later[:, j], len(dates), 0
        )
        pieces.append(
            pa.DictionaryArray.from_arrays(pa.array(index, mask=~present[:, j]), texts).cast(
                pa.string()
            )
        )
    return _concatenated(pieces, len(pass_days))


def modules_passed(codes: list[str], pass_days: np.ndarray) -> np.ndarray:
    """Sorted passed module codes joined by ``;``, via a lookup table of the 2^k combinations.

    The rows share one Python string per combination (a handful), not one string per row.
    """
    passed = pass_days < NO_DAY
    if len(codes) > 16:  # a lookup table would be too big; join column-wise instead
        pieces = [
            pa.array(np.full(len(passed), code, dtype=object), mask=~passed[:, j])
            for j, code in enumerate(codes)
        ]
        return _join_present(pieces, len(passed)).to_numpy(zero_copy_only=False)
    combination = passed.astype(np.int32) @ (1 << np.arange(len(codes), dtype=np.int32))
    table = np.array(
        [
            ";".join(c for j, c in enumerate(codes) if combo >> j & 1)
            for combo in range(2 ** len(codes))
        ],
        dtype=object,
    )
    return table[combination]


def matched_by_name(records: SourceRecords, proof_rows: np.ndarray) -> np.ndarray:
    """Whether any proving record of a row was linked to the person by name only."""
    if not len(records) or not proof_rows.size:
        return np.zeros(len(proof_rows), dtype=bool)
    return (records.matched_by_name[proof_rows] & (proof_rows >= 0)).any(axis=1)


def _evidence(records: SourceRecords, proof_rows: np.ndarray) -> tuple[pa.Array, pa.Array]:
    n, width = proof_rows.shape
    if not len(records) or not width or not n:
        return _empty(n), _empty(n)
    record_ids = _concatenated(records.evidence_pieces(proof_rows), n)
    rows = proof_rows.T.ravel()  # module by module, so that each module's ids are one slice
    credential = records.evidence_credentials(rows)
    credentials: list[pa.Array] = []
    for j in range(width):
        text = credential.slice(j * n, n)
        # one certificate is often quoted on every module's record: list it once
        for earlier in credentials:
            repeat = pc.fill_null(pc.equal(text, earlier), False)
            text = pc.if_else(repeat, _NULL_TEXT, text)
        credentials.append(text)
    return record_ids, _join_present(credentials, n)


def evidence_texts(
    records: SourceRecords, codes: list[str], module_days: np.ndarray, proof_rows: np.ndarray
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """The EVIDENCE_TEXT_COLUMNS of rows (any slice of the final rows), in that order.

    ``codes`` name the columns of ``module_days``; ``proof_rows`` lists, per row, the results
    rows of the proving passes in the credential's order of required modules, -1 where none
    (and as padding for credentials with fewer).
    """
    record_ids, credential_ids = _evidence(records, proof_rows)
    return module_pass_dates(codes, module_days), record_ids, credential_ids


def evidence_slice(
    records: SourceRecords,
    codes: list[str],
    module_days: np.ndarray,
    proof_rows: np.ndarray,
    start: int,
    stop: int,
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """:func:`evidence_texts` of rows ``start:stop`` (one worker thread's share)."""
    return evidence_texts(records, codes, module_days[start:stop], proof_rows[start:stop])


def evidence_columns(slices: list[tuple[pa.Array, ...]]) -> dict[str, pa.ChunkedArray]:
    """The evidence texts of consecutive slices of rows, as one chunked array per column."""
    return {
        name: pa.chunked_array([part[k] for part in slices], type=pa.string())
        for k, name in enumerate(EVIDENCE_TEXT_COLUMNS)
    }
