"""Properties of the engine over generated companies (hypothesis).

- Row order of the inputs changes nothing.
- New evidence never makes a status worse. The order, worst to best, is
  NOT_STARTED < IN_PROGRESS < EXPIRED < EXPIRING < CERTIFIED (having held the credential ranks
  above never having held it; closer to expiry ranks below), and for compliance
  NON_COMPLIANT < GRACE < COMPLIANT. "New evidence" is a passing record or CE points dated on
  or after every record already present (and on or before D): what arrives in a new week.
  An *older* record can legitimately make things worse — an earlier first pass moves the
  certification date, and so the expiry, earlier — so the property is stated for new records.
- The answer for week W does not depend on records dated after W.
- The points ledger adds up to the status table's cycle points.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assets.certification import evaluate
from assets.certification.status import STATUS_ORDER
from tests.certification.builders import (
    activities_frame,
    default_config,
    results_frame,
    roster_frame,
)

CONFIG = default_config()
D = dt.date(2026, 11, 22)
FIRST = dt.date(2006, 1, 1)
SPAN = (D - FIRST).days
ROLES = [
    "Production Technician",
    "Quality Inspector",
    "Forklift Operator",
    "Production Supervisor",
    "Engineer",
]
MODULES = ["SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE", "GREEN", "FORKLIFT"]
COMPLIANCE_ORDER = ("NON_COMPLIANT", "GRACE", "COMPLIANT")
SETTINGS = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def _date(offset: int) -> str:
    return (FIRST + dt.timedelta(days=offset)).isoformat()


person_st = st.tuples(
    st.sampled_from(["DAYTON", "TOLEDO"]),
    st.sampled_from(ROLES),
    st.integers(0, SPAN + 60),  # hire; a few start after D
    st.one_of(st.none(), st.integers(0, 2000)),  # days employed before leaving
)
record_st = st.tuples(
    st.integers(0, 3),  # person
    st.sampled_from(MODULES),
    st.integers(0, SPAN + 30),  # some after D
    st.sampled_from([True, True, True, False]),  # mostly passes
    st.sampled_from(["employee_id", "email", "name"]),
    st.sampled_from([None, "CPT-1", "FL-9"]),
)
activity_st = st.tuples(
    st.integers(0, 3),
    st.integers(0, SPAN + 30),
    st.one_of(st.none(), st.sampled_from([2.0, 10.0, 40.0])),
    st.one_of(st.none(), st.sampled_from([5.0, 30.0, 100.0])),
)
# all four CPT modules (or a forklift pass) within a few months: certifications happen often
bundle_st = st.tuples(
    st.integers(0, 3),
    st.integers(0, SPAN),
    st.integers(0, 120),
    st.sampled_from(["CPT", "CPT", "FORKLIFT"]),
)
company_st = st.tuples(
    st.lists(person_st, min_size=1, max_size=4),
    st.lists(record_st, max_size=12),
    st.lists(activity_st, max_size=6),
    st.lists(bundle_st, max_size=4),
)


def _bundled(records: list[tuple], bundles: list[tuple]) -> list[tuple]:
    records = list(records)
    for p, day, spread, credential in bundles:
        modules = ["SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE"]
        if credential == "FORKLIFT":
            modules = ["FORKLIFT"]
        for j, module in enumerate(modules):
            records.append((p, module, day + spread * j // 4, True, "employee_id", None))
    return records


def _frames(company):
    people, records, activities, bundles = company
    records = _bundled(records, bundles)
    roster = roster_frame(
        [
            (
                f"E{i}",
                site,
                role,
                _date(hire),
                _date(hire + stay) if stay is not None else None,
            )
            for i, (site, role, hire, stay) in enumerate(people)
        ]
    )
    n = len(people)
    results = results_frame(
        [
            (f"E{p % n}", "nf", f"r{i}", module, _date(day), passed, cred, method)
            for i, (p, module, day, passed, method, cred) in enumerate(records)
        ]
    )
    acts = activities_frame(
        [
            (f"E{p % n}", f"a{i}", _date(day), hours, points)
            for i, (p, day, hours, points) in enumerate(activities)
        ]
    )
    return roster, results, acts


def _assert_same(one, other) -> None:
    for name in ("status", "ledger", "forecast", "site_compliance"):
        pd.testing.assert_frame_equal(
            getattr(one, name).reset_index(drop=True), getattr(other, name).reset_index(drop=True)
        )


@SETTINGS
@given(company=company_st, seed=st.integers(0, 2**32 - 1))
def test_input_row_order_changes_nothing(company, seed):
    roster, results, activities = _frames(company)
    rng = np.random.default_rng(seed)
    shuffled = [f.iloc[rng.permutation(len(f))] for f in (roster, results, activities)]
    _assert_same(
        evaluate(roster, results, activities, CONFIG, D),
        evaluate(*shuffled, CONFIG, D),
    )


new_evidence_st = st.tuples(
    st.sampled_from(["pass", "points"]),
    st.integers(0, 3),
    st.sampled_from(MODULES),
    st.floats(0, 1),  # where between the latest record and D
    st.sampled_from([25.0, 100.0]),
)


@SETTINGS
@given(company=company_st, evidence=new_evidence_st)
def test_new_evidence_never_makes_a_status_worse(company, evidence):
    roster, results, activities = _frames(company)
    kind, p, module, where, points = evidence
    dated = [*results["assessment_date"], *activities["activity_date"]]
    latest = max([d.date() for d in dated if d.date() <= D], default=FIRST)
    day = latest + dt.timedelta(days=round(where * (D - latest).days))
    who = roster["employee_id"].iloc[p % len(roster)]
    if kind == "pass":
        extra = results_frame([(who, "nf", "new", module, day.isoformat(), True, None, "email")])
        more_results, more_activities = pd.concat([results, extra], ignore_index=True), activities
    else:
        extra = activities_frame([(who, "new", day.isoformat(), None, points)])
        more_results, more_activities = results, pd.concat([activities, extra], ignore_index=True)

    before = evaluate(roster, results, activities, CONFIG, D).status
    after = evaluate(roster, more_results, more_activities, CONFIG, D).status
    both = before.merge(after, on=["employee_id", "credential"], suffixes=("_0", "_1"))
    assert len(both) == len(before)  # new evidence may add rows, never remove them
    for row in both.itertuples():
        assert STATUS_ORDER.index(row.status_1) >= STATUS_ORDER.index(row.status_0), row
        if row.compliance_0 != "NOT_REQUIRED":
            rank_0 = COMPLIANCE_ORDER.index(row.compliance_0)
            assert COMPLIANCE_ORDER.index(row.compliance_1) >= rank_0, row
        if row.status_0 == row.status_1 == "EXPIRING" and row.renewal_secured_0:
            assert row.renewal_secured_1, row


@SETTINGS
@given(company=company_st, week=st.integers(0, SPAN // 7))
def test_a_week_is_unchanged_by_records_dated_after_it(company, week):
    roster, results, activities = _frames(company)
    as_of = FIRST + dt.timedelta(days=7 * week)  # FIRST is a Sunday
    cutoff = pd.Timestamp(as_of)
    known_then = (
        results[results["assessment_date"] <= cutoff],
        activities[activities["activity_date"] <= cutoff],
    )
    _assert_same(
        evaluate(roster, results, activities, CONFIG, as_of),
        evaluate(roster, *known_then, CONFIG, as_of),
    )


@SETTINGS
@given(company=company_st)
def test_ledger_adds_up_to_cycle_points(company):
    outcome = evaluate(*_frames(company), CONFIG, D)
    status = outcome.status
    held = status[(status["credential"] == "CPT") & status["cycle_start"].notna()]
    totals = outcome.ledger.groupby("employee_id")["points"].sum()
    for row in held.itertuples():
        assert row.cycle_points == totals.get(row.employee_id, 0.0)
    assert (outcome.ledger["event_date"] <= pd.Timestamp(D)).all()
    assert (outcome.ledger["event_date"] > outcome.ledger["cycle_start"]).all()
    assert (outcome.ledger["event_date"] <= outcome.ledger["cycle_end"]).all()
