"""A site's report from its own rows (``WeekReports.by_site``) is the report from the whole week.

The week here has people moving between sites, leaving and joining, a renewal forecast, a points
ledger, evidence, corrective actions and history at several sites: each site's PDF rendered from
its slice must be byte for byte the PDF rendered from every site's rows, its archive
fingerprints the same, and the slice must hold only the rows the site's report reads.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from assets.recipients import RecipientPlan
from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.render_pool import render_jobs
from assets.reporting.week_reports import RenderInputs, WeekReports, fingerprint
from tests.reporting import frames as F
from tests.reporting.pdf_reading import pdf_text, squashed

SITES = ["S1", "S2", "S9"]


def _forecast(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": ids,
            "credential": "CPT",
            "expires_on": pd.Timestamp("2026-12-20"),
            "cycle_points": 60.0,
            "points_needed": 40.0,
            "days_left": 28,
            "points_per_day_so_far": 0.05,
            "projected_points_at_expiry": 61.4,
            "on_track": False,
        }
    )


def _ledger(ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": ids,
            "credential": "CPT",
            "cycle_start": pd.Timestamp("2023-05-10"),
            "cycle_end": pd.Timestamp("2028-05-10"),
            "category": "CONTINUING_EDUCATION",
            "event_date": pd.Timestamp("2025-01-01"),
            "points": 12.0,
            "source_record_id": "x",
        }
    )


def _evidence(status: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "employee_id": status["employee_id"],
            "first_name": status["first_name"],
            "last_name": status["last_name"],
            "site": status["site"],
            "job_role": status["job_role"],
            "credential": status["credential"],
            "status": status["status"],
            "compliance": status["compliance"],
            "module": "SAFETY",
            "provider": "northfield_college",
            "record_id": "R-" + status["employee_id"],
            "assessment_date": pd.Timestamp("2023-01-15"),
            "score": 91.0,
            "passed": True,
            "credential_id": "CPT-" + status["employee_id"],
            "linked_by": "employee_id",
            "source_file": "providers/northfield_college/results.csv",
            "source_row": range(2, 2 + len(status)),
        }
    )


def _actions(status: pd.DataFrame) -> pd.DataFrame:
    late = status[status["compliance"] != "COMPLIANT"]
    return pd.DataFrame(
        {
            "site": late["site"],
            "employee_id": late["employee_id"],
            "name": late["first_name"] + " " + late["last_name"],
            "credential": late["credential"],
            "kind": "CERTIFY",
            "action": "Certify: pass every required module",
            "first_raised": pd.Timestamp("2026-10-05"),
            "weeks_open": 7,
            "due_date": pd.Timestamp("2026-11-01"),
            "days_past_due": 21,
            "state": "open",
            "escalated_to": "site",
            "closed_week": pd.NaT,
            "closed_how": "",
            "closed_on_time": "",
        }
    )


@pytest.fixture(scope="module")
def week(config, ctx) -> RenderInputs:
    people = [F.person(f"E{i}", f"First{i}", f"Last{i:02d}", site=SITES[i % 3]) for i in range(12)]
    people += [
        F.person("N1", "Nia", "Late", site="S1", status="EXPIRED", compliance="NON_COMPLIANT"),
        F.person("M1", "Mo", "Ved", site="S2"),  # at S1 last week: "moved to site S2"
        F.person("J1", "Jo", "Ined", site="S1"),  # at S9 last week: "moved from site S9"
    ]
    status = F.status_frame(people)
    before = status[~status["employee_id"].isin(["M1", "J1"])]
    previous = pd.concat(
        [
            before,
            F.status_frame(
                [
                    F.person("M1", "Mo", "Ved", site="S1"),
                    F.person("J1", "Jo", "Ined", site="S9"),
                    F.person("L1", "Lee", "Gone", site="S1"),  # no longer on the roster
                ]
            ),
        ],
        ignore_index=True,
    )
    facts = WeekFacts.of(status, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx)
    ids = list(status["employee_id"])
    reports = WeekReports(
        facts=facts,
        previous_status=previous,
        compliance_history=pd.concat([F.history(site, 6) for site in SITES], ignore_index=True),
        renewal_forecast=_forecast(ids[::2]),
        points_ledger=_ledger(ids[::3]),
        findings=pd.concat([audit_findings(facts, site) for site in SITES], ignore_index=True),
        recipients=RecipientPlan({}, tuple(SITES), company_without_recipients=False),
        evidence=_evidence(status),
        corrective_actions=_actions(status),
    )
    return RenderInputs(reports)


def test_each_site_renders_the_same_pdf_from_its_own_rows(week):
    by_site = week.reports.by_site()
    # every configured site gets a slice too; one nobody works at has no status rows
    assert set(SITES) | {"DAYTON"} <= set(by_site) and by_site["DAYTON"].status.empty
    for site in [*SITES, "DAYTON"]:
        whole = week.render(site)
        assert RenderInputs(by_site[site]).render(site) == whole, site
    s1 = squashed(pdf_text(week.render("S1")))
    for change in ("moved to site S2", "no longer on the roster", "moved from site S9"):
        assert squashed(change) in s1, change


def test_the_pool_sends_each_site_only_the_rows_its_report_reads(week):
    jobs = dict(render_jobs(["S1", "S2", "company"], week))
    s1 = jobs["S1"].reports
    # the site's people and the people who moved in or out of it, last week and this
    assert sorted(s1.status["employee_id"]) == ["E0", "E3", "E6", "E9", "J1", "M1", "N1"]
    assert sorted(s1.previous_status["employee_id"]) == [
        "E0",
        "E3",
        "E6",
        "E9",
        "J1",
        "L1",
        "M1",
        "N1",
    ]
    assert set(s1.findings["site"]) == {"S1"} and set(s1.compliance_history["site"]) == {"S1"}
    assert set(s1.evidence["site"]) == {"S1"} and len(s1.evidence) == 6
    assert sorted(s1.corrective_actions["employee_id"]) == ["N1"]
    assert set(s1.renewal_forecast["employee_id"]) <= set(s1.status["employee_id"])
    assert set(s1.points_ledger["employee_id"]) <= set(s1.status["employee_id"])
    # the roll-up reads the whole week; the company-wide inputs are shared, not split
    assert jobs["company"].reports is week.reports
    assert s1.source_files is week.reports.source_files
    assert s1.facts.attribution is week.reports.facts.attribution


def test_archive_fingerprints_from_the_slices_equal_those_from_the_whole_week(week):
    reports = week.reports
    parts = reports.parts()
    shared = {
        "inputs": fingerprint(
            reports.source_files, reports.rejected_rows, reports.unmatched_records
        ),
        "run": parts["company"]["run"],
    }
    for site in SITES:
        # _site_parts on the whole week selects the site's rows with masks, as before the split
        assert parts[site] == reports._site_parts(site, shared), site
    assert len({parts[site]["people"] for site in SITES}) == 3


def test_a_site_with_nobody_last_week_is_rendered_again_once_last_week_is_stored(week):
    """DAYTON has nobody this week or last: its report says whether last week is stored, which
    its (empty) rows cannot tell. When a rerun finds last week stored, its fingerprint must move
    so the archive renders it again, as it moves every other site's with their rows."""
    stored = week.reports.by_site()["DAYTON"]
    not_stored = replace(stored, previous_week_stored=False)
    text_stored = squashed(pdf_text(RenderInputs(stored).render("DAYTON")))
    text_not_stored = squashed(pdf_text(RenderInputs(not_stored).render("DAYTON")))
    assert squashed("No snapshot of the previous week is stored") in text_not_stored
    assert squashed("No snapshot of the previous week is stored") not in text_stored
    assert stored.parts()["DAYTON"]["history"] != not_stored.parts()["DAYTON"]["history"]
    # a site with people last week keeps the fingerprint it had before the flag counted
    s1 = week.reports.by_site()["S1"]
    rows = s1.previous_status[s1.previous_status["site"] == "S1"]
    assert s1.parts()["S1"]["history"] == fingerprint(rows, s1.compliance_history)
