"""The engine against the hand-computed company of ``scenario.py``."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from assets.certification import evaluate
from assets.certification.status import STATUS_COLUMNS, STATUS_CSV_COLUMNS
from tests.certification import scenario
from tests.certification.builders import default_config, small_slices

DATE_COLUMNS = {"certified_on", "cycle_start", "expires_on", "due_date", "last_attempt_date"}


@pytest.fixture(scope="module", params=["one thread", "sliced over two threads"])
def outcome(request):
    """The scenario's tables as one thread computes them, and with every stage sliced.

    Slices of two people on two threads exercise the chunked cycles, the parallel interleave
    and the chunked evidence texts; the hand-computed answers must not change.
    """
    roster, results, activities = scenario.frames()
    if request.param == "one thread":
        return evaluate(roster, results, activities, default_config(), scenario.AS_OF, workers=1)
    with small_slices():
        return evaluate(roster, results, activities, default_config(), scenario.AS_OF, workers=2)


@pytest.fixture(scope="module")
def status(outcome):
    return outcome.status.set_index(["employee_id", "credential"])


def _same(actual, expected) -> bool:
    if expected is None:
        return (
            actual is None
            or actual is pd.NA
            or actual is pd.NaT
            or (isinstance(actual, float) and math.isnan(actual))
        )
    if actual is None or actual is pd.NA or actual is pd.NaT:
        return False
    return bool(actual == expected)


@pytest.mark.parametrize("key", sorted(scenario.EXPECTED), ids=lambda k: f"{k[0]}-{k[1]}")
def test_status_row_matches_hand_computation(status, key):
    row = status.loc[key]
    for column, expected in scenario.EXPECTED[key].items():
        actual = row[column]
        if column in DATE_COLUMNS and expected is not None:
            expected = pd.Timestamp(expected)
        if column in DATE_COLUMNS and actual is pd.NaT:
            actual = None
        assert _same(actual, expected), f"{key} {column}: {actual!r} != {expected!r}"


def test_rows_are_the_employed_people_and_their_credentials(outcome):
    keys = list(zip(outcome.status["employee_id"], outcome.status["credential"], strict=True))
    # P12 (left before D), P13 (left on D) and P14 (starts after D) are out; P11 has two rows
    expected = sorted(scenario.EXPECTED)
    assert keys == expected


def test_columns_follow_the_contract(outcome):
    assert tuple(outcome.status.columns) == STATUS_COLUMNS
    assert STATUS_COLUMNS[: len(STATUS_CSV_COLUMNS)] == STATUS_CSV_COLUMNS
    assert (outcome.status["as_of"] == pd.Timestamp(scenario.AS_OF)).all()


def test_every_status_and_compliance_value_is_covered(outcome):
    assert set(outcome.status["status"]) == {
        "NOT_STARTED",
        "IN_PROGRESS",
        "CERTIFIED",
        "EXPIRING",
        "EXPIRED",
    }
    assert set(outcome.status["compliance"]) == {
        "COMPLIANT",
        "GRACE",
        "NON_COMPLIANT",
        "NOT_REQUIRED",
    }


def test_ledger_lists_the_events_of_each_current_or_last_cycle(outcome):
    ledger = outcome.ledger
    events = {
        (r.employee_id, r.category, r.event_date.date().isoformat(), r.points)
        for r in ledger.itertuples()
    }
    assert events == {
        ("P03", "EMPLOYMENT", "2026-02-28", 20.0),
        ("P04", "CONTINUING_EDUCATION", "2023-05-05", 40.0),
        ("P04", "ASSESSMENT_RETAKE", "2025-03-03", 25.0),
        ("P04", "EMPLOYMENT", "2025-06-01", 20.0),
        ("P04", "EMPLOYMENT", "2026-06-01", 20.0),
        ("P05", "CONTINUING_EDUCATION", "2024-01-01", 30.0),
        ("P05", "CONTINUING_EDUCATION", "2026-11-22", 5.0),
        ("P06", "CONTINUING_EDUCATION", "2020-06-06", 10.0),
        ("P06", "EMPLOYMENT", "2022-01-01", 20.0),
        ("P06", "EMPLOYMENT", "2023-01-01", 20.0),
        ("P08", "EMPLOYMENT", "2023-05-05", 20.0),
        ("P08", "EMPLOYMENT", "2024-05-05", 20.0),
        ("P08", "EMPLOYMENT", "2025-05-05", 20.0),
        ("P08", "EMPLOYMENT", "2026-05-05", 20.0),
        ("P08", "ASSESSMENT_RETAKE", "2024-08-08", 25.0),
        ("P09", "CONTINUING_EDUCATION", "2023-03-03", 30.0),
        ("P09", "ASSESSMENT_RETAKE", "2026-03-03", 25.0),
        ("P17", "EMPLOYMENT", "2025-03-01", 20.0),
        ("P17", "EMPLOYMENT", "2026-03-01", 20.0),
    }
    assert len(ledger) == len(events)  # the same-day double report earned one retake


def test_ledger_comes_in_person_then_date_order(outcome):
    ledger = outcome.ledger
    keys = list(zip(ledger["employee_id"], ledger["event_date"], strict=True))
    assert keys == sorted(keys)
    assert ledger.index.equals(pd.RangeIndex(len(ledger)))


def test_ledger_sources_and_cycle_bounds(outcome):
    ledger = outcome.ledger

    def only(person, category):
        rows = ledger[(ledger["employee_id"] == person) & (ledger["category"] == category)]
        assert len(rows) == 1
        return rows.iloc[0]

    # of two same-day records, the one carrying a credential id is the evidence
    assert only("P04", "ASSESSMENT_RETAKE")["source_record_id"] == "apex:A-4r"
    ce = only("P06", "CONTINUING_EDUCATION")
    assert ce["source_record_id"] == "A06-1"
    assert ce["cycle_start"] == pd.Timestamp("2018-03-01")
    assert ce["cycle_end"] == pd.Timestamp("2023-03-01")
    assert ledger.loc[ledger["category"] == "EMPLOYMENT", "source_record_id"].isna().all()


def test_ledger_adds_up_to_the_status_points(outcome):
    by_person = outcome.ledger.groupby("employee_id")["points"].sum()
    status = outcome.status.set_index(["employee_id", "credential"])
    for person, total in by_person.items():
        assert status.loc[(person, "CPT"), "cycle_points"] == pytest.approx(total)


def test_forecast_rows_and_projection(outcome):
    forecast = outcome.forecast.set_index("employee_id")
    # in or near the window (expiry within 180 days), points-renewed only: not P11's forklift
    assert sorted(forecast.index) == ["P04", "P05", "P08"]
    p05 = forecast.loc["P05"]
    elapsed = scenario.days("2021-12-20", scenario.D)
    pace = 35.0 / elapsed
    assert p05["days_left"] == 28
    assert p05["points_per_day_so_far"] == pytest.approx(pace)
    # anniversary of the 2025-12-01 hire on 2026-12-01 comes before the expiry: certain 20
    assert p05["employment_points_to_come"] == 20.0
    assert p05["projected_points_at_expiry"] == pytest.approx(35.0 + pace * 28 + 20.0)
    assert not p05["on_track"]
    p08 = forecast.loc["P08"]
    # only the retake is the person's own effort; the 2027-05-05 anniversary is still to come
    pace = 25.0 / scenario.days("2022-05-05", scenario.D)
    assert p08["projected_points_at_expiry"] == pytest.approx(105.0 + pace * 164 + 20.0)
    assert p08["on_track"]
    assert forecast.loc["P04", "on_track"]


def test_site_compliance_counts(outcome):
    sites = outcome.site_compliance.set_index("site")
    assert list(sites.index) == ["DAYTON", "GREENVILLE", "QUERETARO", "TOLEDO"]
    dayton = sites.loc["DAYTON"]
    # in scope: P01 P02 P03 P04 P08 P17; P09 (no entry) and P16 (null) are not required
    assert (dayton["headcount_in_scope"], dayton["compliant"], dayton["grace"]) == (6, 4, 1)
    assert (dayton["non_compliant"], dayton["not_required"]) == (1, 2)
    # P04 expires in 49 days, P08 in 164
    assert (dayton["expiring_30"], dayton["expiring_60"], dayton["expiring_90"]) == (0, 1, 1)
    assert dayton["compliance_rate"] == pytest.approx(4 / 6)
    assert dayton["site_name"] == "Dayton, Ohio"
    greenville = sites.loc["GREENVILLE"]
    # P05 P06 P07 P10 P11 (P11's CPT row is not required but the person is in scope)
    assert (greenville["headcount_in_scope"], greenville["compliant"]) == (5, 4)
    assert (greenville["non_compliant"], greenville["not_required"]) == (1, 0)
    assert (greenville["expiring_30"], greenville["expiring_90"]) == (2, 2)
    assert greenville["compliance_rate"] == pytest.approx(0.8)
    queretaro = sites.loc["QUERETARO"]
    assert queretaro["headcount_in_scope"] == 0 and math.isnan(queretaro["compliance_rate"])
    toledo = sites.loc["TOLEDO"]
    assert not toledo["site_configured"] and toledo["site_name"] == "TOLEDO"
    assert (toledo["non_compliant"], toledo["compliance_rate"]) == (1, 0.0)
