"""The evidence text columns, rendered from record rows and pass days, whole or in slices.

Expected texts are written by hand from the records below; the slices check that rendering on
worker threads and stitching the chunks back together changes nothing.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from assets.certification.dates import NO_DAY, day_number
from assets.certification.machinery.evidence_text import (
    evidence_columns,
    evidence_slice,
    matched_by_name,
    modules_passed,
)
from assets.certification.machinery.parallel import WorkerPool
from assets.certification.machinery.results_index import SourceRecords
from tests.certification.builders import small_slices

# results rows 0..4: provider, record id, credential id, how the record was linked
RECORDS = pd.DataFrame(
    {
        "provider": ["nf", "apex", "nf", "apex", "nf"],
        "record_id": ["A;1", "B2", "C3", "D4", "E5"],
        "credential_id": ["CPT-9", "  ", "CPT-9", None, "CPT-7"],
        "match_method": ["employee_id", "name", "email", "employee_id", "employee_id"],
    }
)

# status rows x required modules: the proving results row, -1 for none
PROOF_ROWS = np.array(
    [
        [0, 1, 2],
        [-1, -1, -1],  # nothing proven: '' (and the row must not vanish)
        [-1, 3, 4],  # the first module has no record: no leading ';'
        [-1, -1, -1],
        [4, -1, 0],
    ]
)

CODES = ["QUALITY", "SAFETY"]
Q, S = day_number(dt.date(2024, 1, 2)), day_number(dt.date(2020, 2, 29))
MODULE_DAYS = np.array([[Q, NO_DAY], [NO_DAY, NO_DAY], [NO_DAY, S], [Q, S], [NO_DAY, NO_DAY]])

EXPECTED = {
    "evidence_record_ids": ["nf:A;1;apex:B2;nf:C3", "", "apex:D4;nf:E5", "", "nf:E5;nf:A;1"],
    # a blank (or all-space) id is no id; one certificate quoted on several records is listed once
    "evidence_credential_ids": ["CPT-9", "", "CPT-7", "", "CPT-7;CPT-9"],
    "module_pass_dates": [
        "QUALITY=2024-01-02",
        "",
        "SAFETY=2020-02-29",
        "QUALITY=2024-01-02;SAFETY=2020-02-29",
        "",
    ],
}


@pytest.mark.parametrize("text", ["object", "arrow"])
@pytest.mark.parametrize("workers", [1, 2])
def test_evidence_texts_whole_or_in_slices(text, workers):
    records = RECORDS if text == "object" else RECORDS.astype(pd.ArrowDtype(pa.string()))
    source = SourceRecords.of(records)
    pool = WorkerPool(workers)
    try:
        with small_slices():
            slices = pool.map_ranges(
                partial(evidence_slice, source, CODES, MODULE_DAYS, PROOF_ROWS), len(PROOF_ROWS)
            )
            rendered = evidence_columns(slices)
    finally:
        pool.close()
    for column, expected in EXPECTED.items():
        assert rendered[column].to_pylist() == expected, column
    if workers == 2:  # really cut into slices, stitched back as chunks
        assert rendered["evidence_record_ids"].num_chunks == 2


def test_records_linked_by_name_are_flagged():
    flagged = matched_by_name(SourceRecords.of(RECORDS), PROOF_ROWS)
    assert flagged.tolist() == [True, False, False, False, False]


def test_modules_passed_lists_sorted_codes_of_passed_modules():
    assert modules_passed(CODES, MODULE_DAYS).tolist() == [
        "QUALITY",
        "",
        "SAFETY",
        "QUALITY;SAFETY",
        "",
    ]
