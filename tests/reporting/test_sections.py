"""The report sections computed before rendering: trend, changes, actions, skills matrix."""

from __future__ import annotations

from datetime import date

import pandas as pd

from assets.reporting.actions import action_list
from assets.reporting.changes import weekly_changes
from assets.reporting.skills_matrix import (
    FULL_MATRIX_LIMIT,
    PARTIAL_MATRIX_LIMIT,
    skills_matrices,
)
from assets.reporting.summary import rate_trend, site_summary
from tests.reporting import frames as F


def test_twelve_week_history_gives_twelve_points_ending_this_week():
    trend = rate_trend(F.history("S1", 12), F.WEEK, 12)
    assert len(trend.weeks) == 12 and trend.weeks[-1] == F.WEEK
    assert trend.weeks[0] == date(2026, 8, 31)
    assert trend.rates[0] == 0.8 and abs(trend.rates[-1] - 0.91) < 1e-9
    assert trend.note == ""


def test_three_week_history_is_said_to_be_shorter():
    trend = rate_trend(F.history("S1", 3), F.WEEK, 12, this_week_rate=0.5)
    assert trend.weeks == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]
    assert trend.rates[-1] == 0.5  # this week's point is this week's computed rate
    assert "shorter than 12 weeks" in trend.note


def test_summary_counts_rate_and_cumulative_expiries():
    rows = F.status_frame(
        [
            F.person("A", "A", "A", days_to_expiry=10, renewal_secured=True),
            F.person("B", "B", "B", days_to_expiry=45),
            F.person("C", "C", "C", days_to_expiry=400),
            F.person(
                "D", "D", "D", compliance="NON_COMPLIANT", status="EXPIRED", days_to_expiry=None
            ),
            F.person("E", "E", "E", compliance="NOT_REQUIRED"),
        ]
    )
    summary = site_summary(rows, F.history("S1", 0), F.WEEK, F.AS_OF, 12)
    assert summary.in_scope == 4 and summary.headcount == 5
    assert summary.rate == 0.75
    assert summary.expiring_within == {30: 1, 60: 2, 90: 2}
    assert summary.secured_within_90 == 1
    assert summary.by_status["EXPIRED"] == 1 and summary.by_status["CERTIFIED"] == 3


def test_weekly_changes_classify_each_kind():
    before = F.status_frame(
        [
            F.person("A", "Al", "Ahn"),  # becomes non-compliant
            F.person("B", "Bo", "Bay", status="IN_PROGRESS", compliance="GRACE"),  # certified
            F.person("C", "Cy", "Cole", expires_on="2026-12-01"),  # renewed
            F.person("D", "Di", "Dunn"),  # moves to S2
            F.person("E", "Ed", "Eck"),  # leaves the company
            F.person("F", "Fa", "Fox"),  # enters the expiry window
        ]
    )
    now = F.status_frame(
        [
            F.person("A", "Al", "Ahn", status="EXPIRED", compliance="NON_COMPLIANT"),
            F.person("B", "Bo", "Bay", certified_on="2026-11-20"),
            F.person("C", "Cy", "Cole", expires_on="2031-12-01"),
            F.person("D", "Di", "Dunn", site="S2"),
            F.person("F", "Fa", "Fox", status="EXPIRING", expires_on="2027-01-15"),
        ]
    )
    changes = weekly_changes(now, before, "S1", now)
    assert [c.employee_id for c in changes.became_non_compliant] == ["A"]
    assert "was compliant" in changes.became_non_compliant[0].detail
    assert [(c.employee_id, c.detail) for c in changes.certified_or_renewed] == [
        ("B", "certified 2026-11-20, expires 2028-05-10"),
        ("C", "renewed: expiry 2026-12-01 -> 2031-12-01"),
    ]
    assert [(c.employee_id, c.detail) for c in changes.left] == [
        ("D", "moved to site S2"),
        ("E", "no longer on the roster"),
    ]
    assert [c.employee_id for c in changes.new_expiries] == ["F"]


def test_actions_are_ordered_by_urgency_with_what_and_manager(config):
    rows = F.status_frame(
        [
            F.person(
                "G",
                "Gi",
                "Grace",
                status="IN_PROGRESS",
                compliance="GRACE",
                modules_passed="SAFETY;GREEN",
                due_date="2027-01-05",
                manager_email="m1@x.com",
            ),
            F.person(
                "N1",
                "Ny",
                "One",
                status="NOT_STARTED",
                compliance="NON_COMPLIANT",
                modules_passed="",
                overdue_days=12,
            ),
            F.person(
                "N2",
                "Ny",
                "Two",
                status="EXPIRED",
                compliance="NON_COMPLIANT",
                expires_on="2025-06-01",
                overdue_days=200,
            ),
            F.person(
                "X", "Ex", "Piring", status="EXPIRING", expires_on="2026-12-01", points_needed=15.0
            ),
            F.person("S", "Se", "Cured", status="EXPIRING", renewal_secured=True),
            F.person(
                "K",
                "Fo",
                "Rk",
                credential="FORKLIFT",
                status="EXPIRING",
                expires_on="2026-12-24",
                points_needed=None,
            ),
            F.person("OK", "Al", "Right"),
        ]
    )
    actions = action_list(rows, config)
    assert [a.employee_id for a in actions] == ["N2", "N1", "X", "K", "G"]
    by_id = {a.employee_id: a for a in actions}
    assert by_id["N2"].what == "Re-certify: pass every required module again (expired 2025-06-01)"
    assert by_id["N2"].when_text == "overdue 200 days"
    assert by_id["N1"].what == "Pass SAFETY, QUALITY, PROCESSES, MAINTENANCE"
    assert by_id["X"].what == "Earn 15 more renewal points before expiry"
    assert by_id["K"].what == "Pass FORKLIFT again before expiry"
    assert by_id["G"].what == "Pass QUALITY, PROCESSES, MAINTENANCE"
    assert by_id["G"].when_text == "2027-01-05" and by_id["G"].manager == "m1@x.com"


def test_large_site_matrix_prints_only_people_needing_action(config):
    n = FULL_MATRIX_LIMIT + 30
    people = [F.person(f"P{i:03d}", f"F{i}", f"L{i}") for i in range(n)]
    people[7] = F.person(
        "P007",
        "Gail",
        "Gap",
        status="IN_PROGRESS",
        compliance="GRACE",
        module_pass_dates="SAFETY=2026-10-01",
    )
    matrix = skills_matrices(F.status_frame(people), config)[0]
    assert matrix.partial and matrix.total_rows == n
    assert [r.employee_id for r in matrix.rows] == ["P007"]
    assert matrix.rows[0].passes == ["2026-10-01", "", "", "", ""]
    assert matrix.coverage == [n, n - 1, n - 1, n - 1, 0]
    small = skills_matrices(F.status_frame(people[:5]), config)[0]
    assert not small.partial and len(small.rows) == 5


def test_matrix_columns_follow_the_credential_definition(config):
    rows = F.status_frame(
        [F.person("K", "Fo", "Rk", credential="FORKLIFT", module_pass_dates="FORKLIFT=2025-03-03")]
    )
    matrix = skills_matrices(rows, config)[0]
    assert matrix.modules == ["FORKLIFT"] and matrix.rows[0].passes == ["2025-03-03"]
    assert pd.Series(matrix.coverage).tolist() == [1]


def test_large_site_matrix_prints_a_sample_of_the_people_with_gaps(config):
    n = FULL_MATRIX_LIMIT + 60
    gaps = PARTIAL_MATRIX_LIMIT + 10
    people = [F.person(f"P{i:03d}", f"F{i}", f"L{i:03d}") for i in range(n)]
    for i in range(gaps):  # the first `gaps` people are in grace with one module passed
        people[i] = F.person(
            f"P{i:03d}",
            f"F{i}",
            f"L{i:03d}",
            status="IN_PROGRESS",
            compliance="GRACE",
            module_pass_dates="SAFETY=2026-10-01",
        )
    matrix = skills_matrices(F.status_frame(people), config)[0]
    assert matrix.with_gaps == gaps
    assert len(matrix.rows) == PARTIAL_MATRIX_LIMIT
    assert matrix.rows[0].employee_id == "P000"  # same status: by last name
