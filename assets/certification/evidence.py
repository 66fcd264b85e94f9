"""The text columns that show an auditor which module passes prove a status.

Built column-wise over all rows, never row by row: string work runs in Arrow compute kernels
(missing pieces are nulls and are skipped when joining with ``;``), and module combinations come
from a lookup table. Module codes in ``modules_passed`` and ``module_pass_dates`` are sorted;
evidence lists follow the credential's order of required modules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from assets.certification.assessments import AssessmentIndex
from assets.certification.dates import NO_DAY
from assets.certification.text_columns import take_text


def _empty(n: int) -> pa.Array:
    return pa.array(np.full(n, "", dtype=object), type=pa.string())


def _join_all(pieces: list[pa.Array], n: int, glued: bool = False) -> pa.Array:
    """The ``;``-joined present pieces of each row ('' when none is present).

    Every present piece gets a leading ``;`` (unless ``glued``: it has one already), absent
    ones become '', the pieces are concatenated and the first character dropped: a few kernels,
    and ids that contain ``;`` stay intact. (``null_handling="skip"`` would be one call, but
    pyarrow 26 drops all-null rows with it.)
    """
    if not pieces:
        return _empty(n)
    if not glued:
        pieces = [pc.binary_join_element_wise(";", piece, "") for piece in pieces]
    joined = pc.binary_join_element_wise(*pieces, "", null_handling="replace", null_replacement="")
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
    pieces = []
    for j, code in enumerate(codes):
        index = pa.array(np.where(present[:, j], pass_days[:, j] - low, 0), mask=~present[:, j])
        texts = pa.array((";" + code + "=") + dates, type=pa.string())
        pieces.append(pa.DictionaryArray.from_arrays(index, texts).cast(pa.string()))
    return _join_all(pieces, len(pass_days), glued=True)


def modules_passed(codes: list[str], pass_days: np.ndarray) -> np.ndarray:
    """Sorted passed module codes joined by ``;``, via a lookup table of the 2^k combinations."""
    passed = pass_days < NO_DAY
    if len(codes) > 16:  # a lookup table would be too big; join column-wise instead
        pieces = [
            pa.array(np.full(len(passed), code, dtype=object), mask=~passed[:, j])
            for j, code in enumerate(codes)
        ]
        return _join_all(pieces, len(passed)).to_numpy(zero_copy_only=False)
    combination = (passed.astype(np.int64) << np.arange(len(codes))).sum(axis=1)
    table = np.array(
        [
            ";".join(c for j, c in enumerate(codes) if combo >> j & 1)
            for combo in range(2 ** len(codes))
        ],
        dtype=object,
    )
    return table[combination]


@dataclass(frozen=True)
class Evidence:
    record_ids: pa.Array  # `provider:record_id;...`
    credential_ids: pa.Array  # distinct credential ids of those records, `;`-joined
    matched_by_name: np.ndarray  # bool


def proving_records(
    assessments: AssessmentIndex, person: np.ndarray, modules: list[int], proof_days: np.ndarray
) -> Evidence:
    """The pass records behind ``proof_days`` (rows x modules, in ``modules`` order)."""
    records = assessments.records
    n = len(person)
    if not len(records) or not modules or not n:
        return Evidence(_empty(n), _empty(n), np.zeros(n, dtype=bool))
    rows = np.concatenate(
        [assessments.record_of(person, m, proof_days[:, j]) for j, m in enumerate(modules)]
    )
    absent = rows < 0
    rows = np.where(absent, 0, rows)
    provider = take_text(records.provider, rows, absent)
    record_id = take_text(records.record_id, rows, absent)
    ids = pc.binary_join_element_wise(provider, record_id, ":")
    ids = [ids.slice(j * n, n) for j in range(len(modules))]

    credential = take_text(records.credential_id, rows, absent)
    credential = pc.if_else(pc.equal(credential, ""), pa.scalar(None, pa.string()), credential)
    credentials: list[pa.Array] = []
    for j in range(len(modules)):
        text = credential.slice(j * n, n)
        # one certificate is often quoted on every module's record: list it once
        for earlier in credentials:
            repeat = pc.fill_null(pc.equal(text, earlier), False)
            text = pc.if_else(repeat, pa.scalar(None, pa.string()), text)
        credentials.append(text)

    named = (records.matched_by_name[rows] & ~absent).reshape(len(modules), n).any(axis=0)
    return Evidence(
        record_ids=_join_all(ids, n),
        credential_ids=_join_all(credentials, n),
        matched_by_name=named,
    )
