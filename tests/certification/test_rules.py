"""Boundary cases of docs/rules.md, one small company each, expectations worked out by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from assets.certification import certification_status, evaluate, points_ledger, site_compliance
from schemas.config import Requirement, RequirementsConfig
from tests.certification.builders import (
    activities_frame,
    default_config,
    results_frame,
    roster_frame,
    small_slices,
)

CONFIG = default_config()
CPT = ["SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE"]
NO_ACTIVITIES = activities_frame([])


def _passes(emp: str, dates: list[str], modules=CPT, prefix="r") -> list[tuple]:
    return [
        (emp, "nf", f"{prefix}-{emp}-{m}-{d}", m, d, True, None, "employee_id")
        for m, d in zip(modules, dates, strict=True)
    ]


def _status(people, records, as_of, activities=NO_ACTIVITIES, config=CONFIG) -> pd.DataFrame:
    frame = certification_status(
        roster_frame(people), results_frame(records), activities, config, as_of
    )
    return frame.set_index(["employee_id", "credential"])


# An engineer: no requirement entry and no employment points, so only the given points count.
ENGINEER = ("E1", "DAYTON", "Engineer", "2000-01-01", None)
LEAP_CERT = _passes("E1", ["2019-01-01", "2020-02-29", "2019-01-02", "2019-01-03"])


def test_leap_day_certificate_expires_on_28_february():
    # 2025-02-28 is 89 days after 2024-12-01: within the 90-day warning window
    row = _status([ENGINEER], LEAP_CERT, dt.date(2024, 12, 1)).loc[("E1", "CPT")]
    assert row["certified_on"] == pd.Timestamp("2020-02-29")
    assert row["expires_on"] == pd.Timestamp("2025-02-28")
    assert row["status"] == "EXPIRING"
    assert row["days_to_expiry"] == 89
    assert not row["renewal_secured"]


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        (dt.date(2024, 11, 29), "CERTIFIED"),  # 91 days before expiry
        (dt.date(2024, 11, 30), "EXPIRING"),  # exactly 90 days: within the window
        (dt.date(2025, 2, 27), "EXPIRING"),  # the last day of the cycle
        (dt.date(2025, 2, 28), "EXPIRED"),  # on the expiry date the cycle is over
    ],
)
def test_warning_window_and_expiry_boundaries(as_of, status):
    assert _status([ENGINEER], LEAP_CERT, as_of).loc[("E1", "CPT"), "status"] == status


@pytest.mark.parametrize(
    ("points", "status", "cycle_start"),
    [(100.0, "CERTIFIED", "2025-02-28"), (99.0, "EXPIRED", "2020-02-29")],
)
def test_points_renewal_is_judged_on_the_expiry_date(points, status, cycle_start):
    # points earned on the expiry day itself still count (on or before expiry)
    activities = activities_frame([("E1", "A1", "2025-02-28", None, points)])
    row = _status([ENGINEER], LEAP_CERT, dt.date(2025, 2, 28), activities).loc[("E1", "CPT")]
    assert row["status"] == status
    assert row["cycle_start"] == pd.Timestamp(cycle_start)


def test_points_on_the_cycle_start_do_not_count():
    activities = activities_frame([("E1", "A1", "2020-02-29", None, 100.0)])
    row = _status([ENGINEER], LEAP_CERT, dt.date(2025, 3, 1), activities).loc[("E1", "CPT")]
    assert row["status"] == "EXPIRED"
    assert row["cycle_points"] == 0.0


def test_before_expiry_points_only_secure_the_renewal():
    activities = activities_frame([("E1", "A1", "2024-12-01", 100.0, None)])
    row = _status([ENGINEER], LEAP_CERT, dt.date(2024, 12, 8), activities).loc[("E1", "CPT")]
    assert (row["status"], row["expires_on"]) == ("EXPIRING", pd.Timestamp("2025-02-28"))
    assert row["renewal_secured"] and row["points_needed"] == 0.0


def test_recertification_needs_passes_strictly_after_the_expiry_date():
    # all four modules passed again, one of them on the expiry date itself
    again = _passes("E1", ["2025-02-28", "2025-03-05", "2025-03-06", "2025-03-07"], prefix="b")
    row = _status([ENGINEER], LEAP_CERT + again, dt.date(2025, 6, 1)).loc[("E1", "CPT")]
    assert row["status"] == "EXPIRED"
    # the expiry-day pass was a retake inside the old cycle instead
    assert row["cycle_points"] == 25.0
    later = [("E1", "nf", "c1", "SAFETY", "2025-04-01", True, None, "employee_id")]
    row = _status([ENGINEER], LEAP_CERT + again + later, dt.date(2025, 6, 1)).loc[("E1", "CPT")]
    assert row["status"] == "CERTIFIED"
    assert row["certified_on"] == pd.Timestamp("2025-04-01")
    assert row["expires_on"] == pd.Timestamp("2030-04-01")


def test_employment_points_need_a_manufacturing_role_and_count_from_hire():
    # Production Supervisor: credential null (not required) but listed as manufacturing-related;
    # hired 2021-07-01 inside the cycle starting 2020-02-29: anniversaries 2022/23/24-07-01
    supervisor = ("S1", "DAYTON", "Production Supervisor", "2021-07-01", None)
    engineer = ("E1", "DAYTON", "Engineer", "2021-07-01", None)
    records = LEAP_CERT + _passes("S1", ["2019-01-01", "2020-02-29", "2019-01-02", "2019-01-03"])
    as_of = dt.date(2024, 12, 1)
    status = _status([supervisor, engineer], records, as_of)
    assert status.loc[("S1", "CPT"), "cycle_points"] == 60.0
    assert status.loc[("S1", "CPT"), "compliance"] == "NOT_REQUIRED"
    assert status.loc[("E1", "CPT"), "cycle_points"] == 0.0
    ledger = points_ledger(
        roster_frame([supervisor]), results_frame(records), NO_ACTIVITIES, CONFIG, as_of
    )
    assert list(ledger["event_date"].dt.strftime("%Y-%m-%d")) == [
        "2022-07-01",
        "2023-07-01",
        "2024-07-01",
    ]


FORKLIFT_OPERATOR = ("F1", "DAYTON", "Forklift Operator", "2015-01-01", None)


@pytest.mark.parametrize(
    ("retest", "status", "expires_on"),
    [
        ("2022-10-17", "CERTIFIED", "2026-01-15"),  # first day of the 90-day window
        ("2023-01-15", "CERTIFIED", "2026-01-15"),  # the expiry date itself
        ("2022-10-16", "EXPIRED", "2023-01-15"),  # a day too early
    ],
)
def test_forklift_retest_window(retest, status, expires_on):
    records = _passes("F1", ["2020-01-15", retest], ["FORKLIFT", "FORKLIFT"])
    row = _status([FORKLIFT_OPERATOR], records, dt.date(2023, 6, 1)).loc[("F1", "FORKLIFT")]
    assert (row["status"], row["expires_on"]) == (status, pd.Timestamp(expires_on))
    assert row["compliance"] == ("COMPLIANT" if status == "CERTIFIED" else "NON_COMPLIANT")
    assert pd.isna(row["cycle_points"]) and pd.isna(row["points_needed"])


def test_forklift_renewal_secured_before_expiry():
    records = _passes("F1", ["2020-01-15", "2022-11-01"], ["FORKLIFT", "FORKLIFT"])
    row = _status([FORKLIFT_OPERATOR], records, dt.date(2022, 11, 6)).loc[("F1", "FORKLIFT")]
    assert (row["status"], row["renewal_secured"]) == ("EXPIRING", True)
    early = _passes("F1", ["2020-01-15", "2022-10-01"], ["FORKLIFT", "FORKLIFT"])
    row = _status([FORKLIFT_OPERATOR], early, dt.date(2022, 11, 6)).loc[("F1", "FORKLIFT")]
    assert (row["status"], row["renewal_secured"]) == ("EXPIRING", False)


@pytest.mark.parametrize(
    ("as_of", "compliance", "overdue"),
    [(dt.date(2026, 6, 29), "GRACE", None), (dt.date(2026, 6, 30), "NON_COMPLIANT", 0)],
)
def test_grace_period_boundary(as_of, compliance, overdue):
    # hired 2026-01-01: grace ends 2026-06-30 (hire + 180 days)
    person = ("N1", "DAYTON", "Production Technician", "2026-01-01", None)
    row = _status([person], [], as_of).loc[("N1", "CPT")]
    assert row["compliance"] == compliance
    assert row["due_date"] == pd.Timestamp("2026-06-30")
    assert (None if pd.isna(row["overdue_days"]) else row["overdue_days"]) == overdue


def test_site_specific_requirement_beats_the_wildcard_and_roles_fold_case():
    config = CONFIG.model_copy(
        update={
            "requirements": RequirementsConfig(
                requirements=[
                    Requirement(site="*", job_role="Production Technician", credential="CPT"),
                    Requirement(
                        site="GREENVILLE", job_role="Production Technician", credential="FORKLIFT"
                    ),
                ]
            )
        }
    )
    people = [
        ("A", "DAYTON", "production  technician ", "2010-01-01", None),
        ("B", "GREENVILLE", "Production Technician", "2010-01-01", None),
        ("C", "DAYTON", "Quality Inspector", "2010-01-01", None),
    ]
    status = _status(people, [], dt.date(2026, 11, 22), config=config)
    assert list(status.index) == [("A", "CPT"), ("B", "FORKLIFT"), ("C", "CPT")]
    assert status["required"].tolist() == [True, True, False]
    assert status["requirement_determined"].tolist() == [True, True, False]
    assert status["compliance"].tolist() == ["NON_COMPLIANT", "NON_COMPLIANT", "NOT_REQUIRED"]


def test_an_empty_week_still_has_every_table():
    outcome = evaluate(
        roster_frame([]),
        results_frame([]),
        NO_ACTIVITIES,
        CONFIG,
        dt.date(2026, 11, 22),
    )
    assert outcome.status.empty and outcome.ledger.empty and outcome.forecast.empty
    assert list(outcome.site_compliance["site"]) == ["DAYTON", "GREENVILLE", "QUERETARO"]
    assert outcome.site_compliance["headcount_in_scope"].eq(0).all()


@pytest.mark.parametrize("text", ["object", "arrow"])
def test_a_repeated_employee_id_keeps_its_last_roster_row(text):
    people = [
        ("E2", "DAYTON", "Production Technician", "2010-01-01", None),
        ("E1", "DAYTON", "Production Technician", "2010-01-01", None),
        ("E2", "TOLEDO", "Engineer", "2012-01-01", None),  # the extract repeats E2: last wins
        ("E3", "DAYTON", "Engineer", "2010-01-01", None),
        ("E1", "GREENVILLE", "Quality Inspector", "2011-01-01", None),
    ]
    roster = roster_frame(people)
    if text == "arrow":
        roster = roster.astype(
            {c: pd.ArrowDtype(pa.string()) for c in ("employee_id", "site", "job_role")}
        )
    status = certification_status(
        roster, results_frame([]), NO_ACTIVITIES, CONFIG, dt.date(2026, 11, 22)
    )
    assert status["employee_id"].tolist() == ["E1", "E2", "E3"]
    assert status["site"].tolist() == ["GREENVILLE", "TOLEDO", "DAYTON"]
    assert status["hire_date"].tolist() == [pd.Timestamp(d) for d in ("2011", "2012", "2010")]


def test_site_roll_up_does_not_depend_on_the_status_row_order():
    people = [
        ("A", "DAYTON", "Production Technician", "2010-01-01", None),
        ("B", "DAYTON", "Forklift Operator", "2010-01-01", None),
        ("C", "GREENVILLE", "Engineer", "2010-01-01", None),
        ("D", "GREENVILLE", "Production Technician", "2026-11-01", None),
    ]
    records = [
        *_passes("A", ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
        *_passes("B", ["2024-01-01"], modules=["FORKLIFT"]),
        *_passes("B", ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
    ]
    as_of = dt.date(2026, 11, 22)
    roster = roster_frame(people).astype({"employee_id": pd.ArrowDtype(pa.string())})
    outcome = evaluate(roster, results_frame(records), NO_ACTIVITIES, CONFIG, as_of)
    shuffled = outcome.status.sample(frac=1, random_state=3).reset_index(drop=True)
    assert shuffled["employee_id"].tolist() != outcome.status["employee_id"].tolist()
    pd.testing.assert_frame_equal(site_compliance(shuffled, CONFIG, as_of), outcome.site_compliance)
    by_site = outcome.site_compliance.set_index("site")
    # A compliant (CPT); B compliant (FORKLIFT, the role's credential; the CPT row is extra);
    # C needs nothing; D is a new hire in grace
    assert by_site.loc["DAYTON", ["headcount_in_scope", "compliant", "not_required"]].tolist() == [
        2,
        2,
        0,
    ]
    assert by_site.loc["GREENVILLE", ["headcount_in_scope", "grace", "not_required"]].tolist() == [
        1,
        1,
        1,
    ]


def _forklift_ties(order: list[int]) -> pd.DataFrame:
    """Six forklift drivers, each reported three times for one exam: the same provider, record
    id and match, only the certificate differs (and one of them is blank)."""
    records = [
        (f"F{p}", "nf", "R1", "FORKLIFT", "2025-03-01", True, cert, "employee_id")
        for p in range(6)
        for cert in ("CERT-B", "CERT-A", "CERT-C", "   ")
    ]
    return results_frame([records[i] for i in order])


def test_tied_pass_records_resolve_the_same_whatever_the_order_and_threads():
    people = [(f"F{p}", "DAYTON", "Forklift Operator", "2010-01-01", None) for p in range(6)]
    rows = list(range(24))
    as_of = dt.date(2026, 11, 22)
    expected = ["CERT-A"] * 6  # the smallest credential id breaks the last tie; blank is none

    def evidence(order, workers):
        status = (
            certification_status(
                roster_frame(people), _forklift_ties(order), NO_ACTIVITIES, CONFIG, as_of
            )
            if workers is None
            else evaluate(
                roster_frame(people),
                _forklift_ties(order),
                NO_ACTIVITIES,
                CONFIG,
                as_of,
                workers=workers,
            ).status
        )
        forklift = status[status["credential"] == "FORKLIFT"]
        return forklift["evidence_credential_ids"].tolist(), forklift["evidence_record_ids"]

    assert evidence(rows, None)[0] == expected
    assert set(evidence(rows, None)[1]) == {"nf:R1"}
    with small_slices(1):
        for order in (rows, rows[::-1], rows[1::2] + rows[::2]):
            for workers in (1, 3, 4):
                assert evidence(order, workers)[0] == expected, (order, workers)


def test_numbers_among_text_ids_are_read_as_text():
    person = ("E1", "DAYTON", "Forklift Operator", "2010-01-01", None)
    records = [
        ("E1", "nf", 5, "FORKLIFT", "2025-03-01", True, 77, "employee_id"),
        ("X9", "nf", 6, "FORKLIFT", "2025-03-01", True, 78, "employee_id"),  # nobody's
    ]
    status = _status([person], records, dt.date(2026, 11, 22))
    row = status.loc[("E1", "FORKLIFT")]
    assert (row["evidence_record_ids"], row["evidence_credential_ids"]) == ("nf:5", "77")


def test_a_negative_thread_count_means_one_thread():
    people = [("E1", "DAYTON", "Production Technician", "2010-01-01", None)]
    outcome = evaluate(
        roster_frame(people),
        results_frame([]),
        NO_ACTIVITIES,
        CONFIG,
        dt.date(2026, 11, 22),
        workers=-1,
    )
    assert outcome.status["status"].tolist() == ["NOT_STARTED"]
