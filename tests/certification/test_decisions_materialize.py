"""Exemptions and revocations from landing files, through real materializations into DuckDB."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from assets.certification.assets import certification
from assets.ingest.assets import landing_intake
from tests.ingest.landing_builder import CANONICAL_HEADER, ROSTER_HEADER, write
from tests.week_resources import week_resources

WEEK = "2026-11-16"  # as of Sunday 2026-11-22
EXEMPTION_HEADER = "employee_id,credential,reason,approved_by,valid_from,valid_until"
REVOCATION_HEADER = "employee_id,credential,revoked_on,reason,revoked_by"


def _landing(root):
    people = [f"E{i},N{i},L{i},,DAYTON,,Production Technician,,2020-01-01," for i in range(1, 6)]
    write(root / "roster/roster_2026-01-05.csv", [ROSTER_HEADER, *people])
    modules = ["SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE"]
    results = [
        f"acme,{emp}-{m},{emp},,,,{m},2024-0{i + 1}-01,90,true,"
        for emp in ("E4", "E5")
        for i, m in enumerate(modules)
    ]
    write(root / "providers/acme/results.csv", [CANONICAL_HEADER, *results])
    write(
        root / "exemptions/2026.csv",
        [
            EXEMPTION_HEADER,
            "E1,CPT,long-term sick leave,Q. Manager,2026-01-01,2027-06-30",  # row 2: valid
            "E2,cpt,supervises only,Q. Manager,2026-01-01,",  # row 3: no end (case folded)
            "E3,CPT,parental leave,Q. Manager,2025-01-01,2026-06-30",  # row 4: lapsed
            "E1,WELDING,not ours,Q. Manager,2026-01-01,2026-12-31",  # row 5: unknown credential
            "E2,CPT,typo,Q. Manager,2026-13-01,",  # row 6: not a date
            "E3,CPT,backwards,Q. Manager,2026-06-01,2026-01-01",  # row 7: ends before it starts
            "E1,CPT,,Q. Manager,2026-02-01,",  # row 8: no reason
        ],
    )
    write(
        root / "revocations/provider.csv",
        [
            REVOCATION_HEADER,
            "E4,CPT,2026-05-01,exam fraud found by the provider,acme",  # row 2
            "E5,CPT,,no date given,company",  # row 3: rejected, so E5 stays certified
        ],
    )


def _materialize(tmp_path, instance):
    resources = week_resources(tmp_path / "var", landing=tmp_path / "landing")
    return dg.materialize(
        [landing_intake, certification], partition_key=WEEK, resources=resources, instance=instance
    )


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("decisions")
    _landing(tmp_path / "landing")
    with dg.instance_for_test() as instance:
        result = _materialize(tmp_path, instance)
    with duckdb.connect(str(tmp_path / "var/warehouse.duckdb"), read_only=True) as con:
        yield result, con


def test_bad_exemption_and_revocation_rows_are_rejected_with_messages(week):
    _, con = week
    messages = con.execute(
        "select message from competence.rejected_rows where source in "
        "('exemptions', 'revocations') order by source_file, row_number"
    ).fetchall()
    assert [m for (m,) in messages] == [
        "exemptions/2026.csv row 5 (employee_id E1), column 'credential': expected a known "
        "credential, one of CPT, FORKLIFT, found 'WELDING'",
        "exemptions/2026.csv row 6 (employee_id E2), column 'valid_from': expected a date in "
        "the format %Y-%m-%d, found '2026-13-01'",
        "exemptions/2026.csv row 7 (employee_id E3), column 'valid_until': expected "
        "valid_until not before valid_from, found '2026-01-01'",
        "exemptions/2026.csv row 8 (employee_id E1), column 'reason': expected a value (the "
        "column is required), found '(empty)'",
        "revocations/provider.csv row 3 (employee_id E5), column 'revoked_on': expected a "
        "value (the column is required), found '(empty)'",
    ]


def test_every_decision_row_is_accounted_for(week):
    result, con = week
    assert con.execute(
        "select file, rows_in, accepted, rejected from competence.source_files "
        "where source in ('exemptions', 'revocations') order by file"
    ).fetchall() == [("exemptions/2026.csv", 7, 3, 4), ("revocations/provider.csv", 2, 1, 1)]
    assert con.execute("select count(*) from competence.exemptions").fetchone() == (3,)
    assert con.execute("select employee_id from competence.revocations").fetchall() == [("E4",)]
    check = result.get_asset_check_evaluations()
    conservation = next(c for c in check if c.check_name == "row_conservation")
    assert conservation.passed
    assert conservation.metadata["stored_in_tables"].value == 5 + 8 + 3 + 1


def test_status_and_compliance_follow_the_decisions(week):
    _, con = week
    rows = con.execute(
        "select employee_id, status, compliance, expires_on::date, exemption_until::date "
        "from competence.certification_status order by employee_id"
    ).fetchall()
    assert [(e, s, c) for e, s, c, *_ in rows] == [
        ("E1", "NOT_STARTED", "EXEMPT"),
        ("E2", "NOT_STARTED", "EXEMPT"),
        ("E3", "NOT_STARTED", "NON_COMPLIANT"),
        ("E4", "EXPIRED", "NON_COMPLIANT"),  # revoked on 2026-05-01
        ("E5", "CERTIFIED", "COMPLIANT"),
    ]
    assert str(rows[3][3]) == "2026-05-01" and str(rows[0][4]) == "2027-06-30"


def test_the_site_rate_leaves_exempt_people_out(week):
    _, con = week
    assert con.execute(
        "select exempt, headcount_in_scope, compliant, non_compliant, compliance_rate "
        "from competence.site_compliance where site = 'DAYTON'"
    ).fetchone() == (2, 3, 1, 2, pytest.approx(1 / 3))
