"""The e-mail pattern checked in one Arrow pass (assets/ingest/pattern_checks.py) fails
exactly the cells the model's own ``str_matches`` fails, under the same check name, and the
quarantine says so in the same words."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from pandera.errors import SchemaErrors

from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from assets.ingest.pattern_checks import (
    matches_pattern,
    with_patterns_without_copy,
)
from assets.text import text_series
from schemas.tables import EMAIL_PATTERN, AssessmentResult, RosterRecord
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import CANONICAL_HEADER, ROSTER_HEADER, write
from tests.ingest.test_scale_paths import AS_OF

# the awkward cases: missing, empty, spaces, a trailing newline, no dot, two @, non-ASCII
ADDRESSES = [
    "ann@acme.example",
    "not-an-email",
    None,
    "",
    "x y@acme.example",
    "ann@acme.example\n",
    "ann@acme",
    "a@b@c.de",
    "zoë@bücher.de",
    "ANN@ACME.EXAMPLE",
]


def _text(values: list, chunks: int = 1) -> pd.Series:
    """Arrow text in ``chunks`` chunks, as a source's joined files may be."""
    size = -(-len(values) // chunks)
    pieces = [pa.array(values[i : i + size], pa.string()) for i in range(0, len(values), size)]
    return text_series(pa.chunked_array(pieces, pa.string()), pd.RangeIndex(len(values)))


def _failure_cases(schema, frame: pd.DataFrame) -> pd.DataFrame:
    with pytest.raises(SchemaErrors) as raised:
        schema.validate(frame, lazy=True)
    return raised.value.failure_cases


@pytest.mark.parametrize("chunks", [1, 3])
def test_same_answer_per_row_as_str_match(chunks):
    values = ADDRESSES * 7  # every address repeated, as a person's e-mail on each result
    # the model's check on Arrow text: pandas' str.match in Arrow's kernel (RE2, where "$" does
    # not match before a trailing newline, unlike Python's re), missing cells ignored
    by_model = _text(values).str.match(EMAIL_PATTERN)
    expected = [v is None or bool(m) for v, m in zip(values, by_model, strict=True)]
    got = matches_pattern(_text(values, chunks), EMAIL_PATTERN)
    assert got.tolist() == expected
    assert got.tolist()[:4] == [True, False, True, False]  # a missing cell passes, "" fails


def test_failure_cases_identical_to_the_models_check():
    rows = len(ADDRESSES) * 3
    roster = pd.DataFrame(
        {
            "employee_id": _text([f"E{i}" for i in range(rows)]),
            "first_name": _text(["Ann"] * rows),
            "last_name": _text(["Lee"] * rows),
            "email": _text(ADDRESSES * 3, chunks=2),
            "site": _text(["DAYTON"] * rows),
            "department": _text([None] * rows),
            "job_role": _text(["Production Technician"] * rows),
            "manager_email": _text(list(reversed(ADDRESSES)) * 3),
            "hire_date": pd.Timestamp("2020-01-01"),
            "termination_date": pd.NaT,
        }
    )
    model = RosterRecord.to_schema()
    ours = _failure_cases(with_patterns_without_copy(model), roster)
    theirs = _failure_cases(model, roster)
    pd.testing.assert_frame_equal(ours, theirs)
    emails = theirs[theirs["column"] == "email"]
    assert emails["failure_case"].tolist()[:2] == ["not-an-email", ""]
    assert len(ours) == 2 * 3 * 6  # six bad addresses, three times, in two columns


def test_only_pattern_checks_are_replaced():
    model = AssessmentResult.to_schema()
    ours = with_patterns_without_copy(model)
    replaced = ours.columns["email"].checks[0]
    assert (replaced.name, replaced.error, replaced.ignore_na) == (
        "str_matches",
        model.columns["email"].checks[0].error,
        False,
    )
    assert model.columns["email"].checks[0].ignore_na  # the model itself is left as declared
    assert ours.columns["score"].checks == model.columns["score"].checks


def test_quarantine_message_of_a_bad_result_email(tmp_path, config):
    write(
        tmp_path / "roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,"],
    )
    write(
        tmp_path / "providers/inhouse_academy/results.csv",
        [
            CANONICAL_HEADER,
            "inhouse_academy,R1,E1,ann@acme.example,Ann,Lee,SAFETY,2025-03-06,80,true,C1",
            "inhouse_academy,R2,E1,ann at acme,Ann,Lee,SAFETY,2025-03-07,80,true,C2",
            "inhouse_academy,R3,E1,ann@acme.example,Ann,Lee,SAFETY,2025-03-08,80,true,C3",
        ],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    assert week.rejects["message"].tolist() == [
        "providers/inhouse_academy/results.csv row 3 (record_id R2), column 'email': "
        "expected a valid e-mail address, found 'ann at acme'"
    ]
    assert sorted(week.results["record_id"]) == ["R1", "R3"]
