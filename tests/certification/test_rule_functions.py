"""The docs/rules.md rules one function at a time, with their honest nulls (no magic days).

The scenario and property tests check the engine as a whole; these read like the rules
themselves, on a handful of hand-written values. Days are day numbers (days since 1970-01-01).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from assets.certification.dates import day_number
from assets.certification.rules.compliance import compliance_of
from assets.certification.rules.cycles import expiry_of, first_certification, recertification
from assets.certification.rules.days import Days
from assets.certification.rules.evidence import evidence_record
from assets.certification.rules.points import (
    anniversaries,
    countable_points_and_hours,
    employment_base,
    retakes,
)
from assets.certification.rules.renewal import retest_renewal


def day(text: str) -> int:
    return day_number(dt.date.fromisoformat(text))


class PassBook:
    """A person's passes written out by hand: {(person, module): [days]} (a real PassHistory)."""

    def __init__(self, passes: dict[tuple[int, int], list[int]]) -> None:
        self.passes = passes

    def first_passes(self, person, modules):
        return self.passes_from(person, modules, np.full(len(person), -(10**6)))

    def passes_from(self, person, modules, from_day):
        found = [
            [min((d for d in self.passes.get((p, m), []) if d >= f), default=None) for m in modules]
            for p, f in zip(person, from_day, strict=True)
        ]
        present = np.array([[d is not None for d in row] for row in found], dtype=bool)
        days = np.array([[d or 0 for d in row] for row in found], dtype=np.int64)
        return Days(days.reshape(len(person), len(modules)), present.reshape(days.shape))


def test_first_certification_is_the_latest_first_pass_and_absent_until_all_are_passed():
    first = Days(
        np.array([[day("2020-01-10"), day("2020-03-01")], [day("2021-05-05"), 0]]),
        np.array([[True, True], [True, False]]),
    )
    certified = first_certification(first)
    assert certified.present.tolist() == [True, False]
    assert certified.day[0] == day("2020-03-01")


def test_validity_is_in_calendar_years_and_29_february_becomes_28():
    starts = np.array([day("2020-02-29"), day("2020-02-29"), day("2021-06-30")])
    assert expiry_of(starts, 5).tolist() == [
        day("2025-02-28"),
        day("2025-02-28"),
        day("2026-06-30"),
    ]
    assert expiry_of(starts[:1], 4).tolist() == [day("2024-02-29")]


def test_recertification_needs_every_module_strictly_after_the_expiry():
    expiry = day("2025-03-01")
    book = PassBook(
        {
            (0, 0): [expiry, day("2025-04-01")],  # a pass on the expiry day itself does not count
            (0, 1): [day("2025-05-02")],
            (1, 0): [day("2025-04-01")],  # module 1 never passed again: still lapsed
        }
    )
    certified_on, proof = recertification(book, np.array([0, 1]), [0, 1], np.array([expiry] * 2))
    assert certified_on.present.tolist() == [True, False]
    assert certified_on.day[0] == day("2025-05-02")
    assert proof.day[0].tolist() == [day("2025-04-01"), day("2025-05-02")]


def test_retest_renewal_needs_every_module_inside_the_window_before_expiry():
    start, expiry = day("2023-01-01"), day("2026-01-01")
    book = PassBook(
        {
            (0, 0): [expiry - 90],  # first day of the window: renews
            (1, 0): [expiry - 91],  # one day early: does not
            (2, 0): [expiry + 1],  # after the expiry: not a renewal (a re-certification)
        }
    )
    renewed, window = retest_renewal(
        book, np.array([0, 1, 2]), [0], np.full(3, start), np.full(3, expiry), 90
    )
    assert renewed.tolist() == [True, False, False]
    assert window.present[:, 0].tolist() == [True, False, True]


def test_compliance_due_dates_and_overdue_days_are_absent_where_the_rule_has_none():
    d = day("2026-11-22")
    hire = np.array([day("2010-01-01"), day("2026-10-01"), day("2010-01-01"), day("2010-01-01")])
    expires = Days(np.array([d + 400, 0, d - 30, 0]), np.array([True, False, True, False]))
    label, due, overdue = compliance_of(
        certified=np.array([True, False, False, False]),
        expired=np.array([False, False, True, False]),
        required=np.array([True, True, True, False]),
        hire_day=hire,
        expires_on=expires,
        as_of_day=d,
        grace_days=180,
    )
    assert label.tolist() == ["COMPLIANT", "GRACE", "NON_COMPLIANT", "NOT_REQUIRED"]
    assert due.present.tolist() == [True, True, True, False]
    assert due.day[:3].tolist() == [d + 400, day("2026-10-01") + 180, d - 30]
    assert overdue.present.tolist() == [False, False, True, False]
    assert overdue.day[2] == 30  # overdue since the last expiry, later than the grace end


def test_the_evidence_is_the_record_with_a_certificate_then_the_surest_link():
    chosen = evidence_record(
        pass_number=np.array([0, 0, 0, 1, 1]),
        credential_id=np.array([None, "  ", "CPT-1", None, None], dtype=object),
        match_method=np.array(
            ["employee_id", "employee_id", "name", "name", "email"], dtype=object
        ),
        provider=np.array(["a", "a", "b", "a", "a"], dtype=object),
        record_id=np.array(["1", "2", "3", "4", "5"], dtype=object),
    )
    # pass 0: the only record with a credential id wins over better links; a blank id is none.
    # pass 1: e-mail beats name.
    assert chosen.tolist() == [False, False, True, False, True]


def test_an_activity_counts_its_points_else_its_hours():
    points, hours = countable_points_and_hours(
        np.array([5.0, np.nan, np.nan, 2.0]), np.array([8.0, 3.0, np.nan, np.nan])
    )
    assert points.tolist() == [5.0, 0.0, 0.0, 2.0]
    assert hours.tolist() == [0.0, 3.0, 0.0, 0.0]


def test_employment_counts_anniversaries_of_the_later_of_cycle_start_and_hire():
    base = employment_base(np.array([day("2020-02-29")]), np.array([day("2019-01-01")]))
    owner, when = anniversaries(base, np.array([2]))
    assert owner.tolist() == [0, 0]
    assert when.tolist() == [day("2021-02-28"), day("2022-02-28")]


def test_a_retake_is_every_pass_day_of_a_module_after_the_first():
    # (person, module) numbers of distinct pass days, in order
    assert retakes(np.array([3, 3, 3, 4, 7, 7])).tolist() == [False, True, True, False, False, True]
