"""Exemptions and revocations applied to the engine's status (assets/certification/exemptions.py).

Hand-built people, the shipped configuration (CPT: four modules, 5 years; grace 180 days)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from assets.certification import evaluate
from assets.certification.compliance import site_compliance
from assets.certification.exemptions import Evidence, apply_exemptions, apply_revocations
from assets.reporting.exemption_review import LAPSED, NO_END, exemption_concerns, exemption_list
from tests.certification.builders import (
    activities_frame,
    default_config,
    results_frame,
    roster_frame,
)
from tests.certification.scenario import PT, _cpt

D = dt.date(2026, 11, 22)
PEOPLE = [
    ("E1", "DAYTON", PT, "2020-01-01", None),  # nothing passed, exemption valid with an end
    ("E2", "DAYTON", PT, "2020-01-01", None),  # nothing passed, exemption without an end
    ("E3", "DAYTON", PT, "2020-01-01", None),  # nothing passed, exemption lapsed in June
    ("E4", "DAYTON", PT, "2020-01-01", None),  # certified 2024, revoked 2026-05-01
    ("E5", "DAYTON", PT, "2020-01-01", None),  # certified 2022, revoked 2025, certified again
    ("E6", "DAYTON", PT, "2020-01-01", None),  # certified, no decision: the control
]
RESULTS = [
    *_cpt("E4", ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
    *_cpt("E5", ["2022-01-01", "2022-02-01", "2022-03-01", "2022-04-01"]),
    *[
        (e, p, f"{r}-again", m, d, ok, c, how)
        for e, p, r, m, d, ok, c, how in _cpt(
            "E5", ["2025-06-01", "2025-07-01", "2025-08-01", "2025-09-01"]
        )
    ],
    *_cpt("E6", ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"]),
]
EXEMPTIONS = pd.DataFrame(
    [
        ("E1", "CPT", "long-term sick leave", "Q. Manager", "2026-01-01", "2027-06-30"),
        ("E2", "CPT", "supervises only", "Q. Manager", "2026-01-01", None),
        ("E3", "CPT", "parental leave", "Q. Manager", "2025-01-01", "2026-06-30"),
    ],
    columns=["employee_id", "credential", "reason", "approved_by", "valid_from", "valid_until"],
).astype({"valid_from": "datetime64[ns]", "valid_until": "datetime64[ns]"})
REVOCATIONS = pd.DataFrame(
    [
        ("E4", "CPT", "2026-05-01", "exam fraud found by the provider", "northfield"),
        ("E5", "CPT", "2025-01-01", "withdrawn after an incident", "company"),
    ],
    columns=["employee_id", "credential", "revoked_on", "reason", "revoked_by"],
).astype({"revoked_on": "datetime64[ns]"})


def decided(as_of: dt.date, exemptions: pd.DataFrame = EXEMPTIONS) -> pd.DataFrame:
    config = default_config()
    roster, results = roster_frame(PEOPLE), results_frame(RESULTS)
    activities = activities_frame([])
    status = evaluate(roster, results, activities, config, as_of, workers=1).status
    evidence = Evidence(roster, results, activities, config)
    status = apply_revocations(status, REVOCATIONS, as_of, 180, evidence)
    return apply_exemptions(status, exemptions, as_of)


@pytest.fixture(scope="module")
def on_d() -> pd.DataFrame:
    return decided(D).set_index("employee_id")


def test_valid_exemption_is_exempt_with_its_end_as_due_date(on_d):
    row = on_d.loc["E1"]
    assert (row["status"], row["compliance"]) == ("NOT_STARTED", "EXEMPT")
    assert row["due_date"] == pd.Timestamp("2027-06-30")
    assert (row["exemption_reason"], row["exemption_approved_by"]) == (
        "long-term sick leave",
        "Q. Manager",
    )
    assert on_d.loc["E2", "compliance"] == "EXEMPT" and pd.isna(on_d.loc["E2", "due_date"])
    # not overdue while exempt: empty like anyone not overdue, never a -1 that a sum would count
    assert pd.isna(row["overdue_days"]) and pd.isna(on_d.loc["E2", "overdue_days"])


def test_lapsed_exemption_leaves_the_person_non_compliant(on_d):
    assert on_d.loc["E3", "compliance"] == "NON_COMPLIANT"


def test_exempt_people_are_counted_apart_from_the_rate(on_d):
    status = on_d.reset_index()
    site = site_compliance(status, default_config(), D).set_index("site").loc["DAYTON"]
    # E1, E2 exempt; E3 and E4 (revoked) non-compliant; E5 (certified again) and E6 compliant
    assert site["exempt"] == 2
    assert site["headcount_in_scope"] == 4
    assert (site["compliant"], site["non_compliant"]) == (2, 2)
    assert site["compliance_rate"] == pytest.approx(0.5)
    assert site["not_required"] == 0


def test_the_list_names_every_exemption_and_questions_two(on_d):
    listed = exemption_list(on_d.reset_index(), D)
    assert listed[["employee_id", "compliance", "concern"]].values.tolist() == [
        ["E1", "EXEMPT", None],
        ["E2", "EXEMPT", NO_END],
        ["E3", "NON_COMPLIANT", LAPSED],
    ]
    assert listed.loc[2, "exemption_until"] == pd.Timestamp("2026-06-30")
    parts, count = exemption_concerns(on_d.reset_index(), D)
    assert count == 2
    assert parts == [
        "FirstE2 LastE2 (E2), CPT: exempt with no end date (approved by Q. Manager)",
        "FirstE3 LastE3 (E3), CPT: exemption ended 2026-06-30, still NON_COMPLIANT "
        "(approved by Q. Manager)",
    ]


def test_a_lapsed_exemption_of_someone_compliant_is_not_questioned():
    late = EXEMPTIONS.assign(employee_id=["E1", "E2", "E6"])  # E6 holds the credential
    status = decided(D, late)
    assert status.set_index("employee_id").loc["E6", "compliance"] == "COMPLIANT"
    assert exemption_list(status, D)["employee_id"].tolist() == ["E1", "E2"]


def test_revocation_mid_cycle_ends_the_credential_on_its_date(on_d):
    row = on_d.loc["E4"]
    assert row["status"] == "EXPIRED"
    assert row["expires_on"] == pd.Timestamp("2026-05-01")
    assert row["compliance"] == "NON_COMPLIANT"
    assert row["due_date"] == pd.Timestamp("2026-05-01")
    assert row["overdue_days"] == (pd.Timestamp(D) - pd.Timestamp("2026-05-01")).days
    assert row["revocation_reason"] == "exam fraud found by the provider"


def test_before_the_revocation_date_nothing_changes():
    before = decided(dt.date(2026, 4, 26)).set_index("employee_id").loc["E4"]
    assert (before["status"], before["compliance"]) == ("CERTIFIED", "COMPLIANT")
    assert before["expires_on"] == pd.Timestamp("2029-04-01")
    assert pd.isna(before["revoked_on"])


def test_certification_earned_again_after_the_revocation_counts(on_d):
    row = on_d.loc["E5"]
    assert row["status"] == "CERTIFIED"
    assert row["certified_on"] == pd.Timestamp("2025-09-01")
    assert row["expires_on"] == pd.Timestamp("2030-09-01")
    assert row["compliance"] == "COMPLIANT"
    assert on_d.loc["E6", "compliance"] == "COMPLIANT"
