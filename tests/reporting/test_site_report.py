"""A small hand-built site rendered to PDF and read back (expectations worked out by hand)."""

from __future__ import annotations

import io

import pandas as pd
import pikepdf
import pytest

from assets.csv_bytes import employee_status_csv
from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.site_report import render_site_report
from tests.reporting import frames as F
from tests.reporting.pdf_reading import (
    attachments,
    conformance_failures,
    docinfo,
    pdf_text,
    pdfa_identification,
    squashed,
)


def site_rows():
    """Site S1 on 2026-11-22: 4 people need CPT, 1 role (Welder) has no requirement entry.

    In scope: Ana (certified), Dev (expiring, 40 points short), Ben (expired 316 days ago,
    non-compliant) and Cleo (in grace): 2 of 4 compliant = 50.0 %. Ben overdue > 90 days ->
    7.2 b) MAJOR_NC -> verdict RED. Urgent actions: Ben first (overdue), then Dev (2026-12-20),
    then Cleo (2027-02-01).
    """
    return F.status_frame(
        [
            F.person("E1", "Ana", "Alvarez"),
            F.person(
                "E2",
                "Ben",
                "Brown",
                status="EXPIRED",
                compliance="NON_COMPLIANT",
                expires_on="2026-01-10",
                due_date="2026-01-10",
                overdue_days=316,
                days_to_expiry=None,
                last_attempt_date="2020-01-01",
            ),
            F.person(
                "E3",
                "Cleo",
                "Chen",
                status="IN_PROGRESS",
                compliance="GRACE",
                certified_on=None,
                cycle_start=None,
                expires_on=None,
                due_date="2027-02-01",
                modules_passed="SAFETY",
                module_pass_dates="SAFETY=2026-10-01",
                days_to_expiry=None,
                last_attempt_date="2026-10-01",
            ),
            F.person(
                "E4",
                "Dev",
                "Das",
                status="EXPIRING",
                expires_on="2026-12-20",
                days_to_expiry=28,
                points_needed=40.0,
                cycle_points=60.0,
            ),
            F.person(
                "E5",
                "Wendy",
                "Weld",
                job_role="Welder",
                required=False,
                requirement_determined=False,
                compliance="NOT_REQUIRED",
            ),
        ]
    )


def render(config, ctx, rows, weeks=12, previous=None, held=False):
    findings = audit_findings(
        WeekFacts.of(rows, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx), "S1"
    )
    forecast = pd.DataFrame(
        [
            {
                "employee_id": "E4",
                "credential": "CPT",
                "expires_on": pd.Timestamp("2026-12-20"),
                "cycle_points": 60.0,
                "points_needed": 40.0,
                "days_left": 28,
                "points_per_day_so_far": 0.05,
                "projected_points_at_expiry": 61.4,
                "on_track": False,
            }
        ]
    )
    ledger = pd.DataFrame(
        [
            {
                "employee_id": "E4",
                "credential": "CPT",
                "cycle_start": pd.Timestamp("2023-05-10"),
                "cycle_end": pd.Timestamp("2028-05-10"),
                "category": category,
                "event_date": pd.Timestamp("2025-01-01"),
                "points": points,
                "source_record_id": "x",
            }
            for category, points in (
                ("EMPLOYMENT", 40.0),
                ("CONTINUING_EDUCATION", 12.0),
                ("CONTINUING_EDUCATION", 8.0),
            )
        ]
    )
    if held:
        ctx = ctx.__class__(
            **{
                **ctx.__dict__,
                "held": True,
                "hold_reason": "northfield_college rejected 8.0% of rows",
            }
        )
    return render_site_report(
        "S1",
        WeekFacts.of(rows, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx),
        previous_status=previous if previous is not None else rows.iloc[:0],
        compliance_history=F.history("S1", weeks),
        renewal_forecast=forecast,
        points_ledger=ledger,
        findings=findings,
    )


@pytest.fixture(scope="module")
def report(config, ctx):
    previous = site_rows()
    previous.loc[previous["employee_id"] == "E2", ["status", "compliance"]] = [
        "CERTIFIED",
        "COMPLIANT",
    ]
    leaver = F.status_frame([F.person("E7", "Lars", "Left")])
    return render(
        config,
        ctx,
        site_rows(),
        previous=pd.concat([previous, leaver], ignore_index=True),
        held=True,
    )


def test_cover_answers_the_thirty_second_questions(report):
    text = pdf_text(report)
    first_page = text.split("Page 1 of")[0]
    assert "S1" in first_page and "Week 2026-W47" in first_page and "as of 2026-11-22" in first_page
    assert "RED" in first_page and "50.0 %" in first_page
    assert "compliant (2 of 4 in scope)" in first_page
    assert "E-MAIL HELD: data quality" in first_page
    assert "northfield_college rejected 8.0% of rows" in first_page
    # Most urgent first: Ben (overdue 316 d), Dev (renew by 2026-12-20), Cleo (2027-02-01).
    ben, dev, cleo = (first_page.index(n) for n in ("Ben Brown", "Dev Das", "Cleo Chen"))
    assert ben < dev < cleo
    assert "overdue 316 days" in first_page
    assert "Earn 40 more renewal points" in first_page
    assert "PassQUALITY,PROCESSES,MAINTENANCE" in squashed(first_page)
    assert "0 joined · 1 left" in first_page and "1 no longer compliant" in first_page


def test_findings_changes_outlook_and_matrix_are_printed(report):
    text = pdf_text(report)
    flat = squashed(text)
    assert "Major nonconformity" in text and "Minor nonconformity" in text  # 7.2 b), 7.2 a)
    assert "'Welder'(1person:WendyWeld(E5))" in flat
    assert "LarsLeft(E7)" in flat and "nolongerontheroster" in flat
    assert "BenBrown(E2)CPTCertified→ExpiredCompliant→Non-compliant" in flat
    # Dev's ledger: 20 continuing education, 40 employment, 0 retakes; projected 61.4, short.
    assert "2026-12-202820400604061.4willfallshort" in flat
    assert "Passed by (all 5)" in text
    assert "Page 1 of" in text and "S1 · competence report" in text


def test_evidence_appendix_lists_files_hashes_and_provenance(report, config):
    flat = squashed(pdf_text(report))
    assert "a" * 64 in flat and "b" * 64 in flat
    assert "providers/northfield_college/results.csv" in flat
    assert "40/39/1/0" in flat  # northfield: 40 rows in, 39 accepted, 1 rejected, 0 dupl.
    assert config.config_hash in flat and "run-2026-W47" in flat and "abc1234" in flat


def test_pdf_is_pdfa_3b_with_metadata(report):
    assert pdfa_identification(report) == ("3", "B")
    assert conformance_failures(report, "3b") == {}  # an independent validator agrees
    assert conformance_failures(report, "ua1") == {}  # identified as PDF/UA-1, headed tables
    info = docinfo(report)
    assert info["/Title"] == "Competence report S1 2026-W47"
    assert info["/Author"] == "Acme Precision Manufacturing"
    assert "S1" in info["/Keywords"] and "2026-W47" in info["/Keywords"]


def test_bundled_fonts_are_embedded(report):
    with pikepdf.open(io.BytesIO(report)) as document:
        fonts = {
            str(font.get("/BaseFont"))
            for page in document.pages
            for font in page.resources.get("/Font", {}).values()
        }
    assert any(name.endswith("+Report-Sans") for name in fonts), fonts


def test_attachment_is_the_status_csv_of_the_site(report):
    attached = attachments(report)
    assert set(attached) == {
        "employee_status.csv",
        "evidence.csv",
        "skills_matrix.csv",
        "actions.csv",
        "renewal_outlook.csv",
    }
    assert attached["employee_status.csv"] == employee_status_csv(site_rows())
    # every action, most urgent first: Ben (overdue), Dev (2026-12-20), Cleo (2027-02-01)
    actions = attached["actions.csv"].decode().splitlines()
    assert [line.split(",")[0] for line in actions[1:]] == ["E2", "E4", "E3"]
    # Dev is the one near renewal (expiring, 40 points short)
    outlook = attached["renewal_outlook.csv"].decode().splitlines()
    assert [line.split(",")[0] for line in outlook[1:]] == ["E4"]
    lines = attached["employee_status.csv"].decode().splitlines()
    assert len(lines) == 6 and lines[2].startswith("E2,Ben,Brown,S1,")
    matrix = attached["skills_matrix.csv"].decode().splitlines()
    assert matrix[0].endswith("SAFETY,QUALITY,PROCESSES,MAINTENANCE,GREEN")
    assert "2026-10-01" in matrix[3]  # Cleo's SAFETY pass


def test_same_inputs_give_identical_bytes(config, ctx, report):
    previous = site_rows()
    previous.loc[previous["employee_id"] == "E2", ["status", "compliance"]] = [
        "CERTIFIED",
        "COMPLIANT",
    ]
    leaver = F.status_frame([F.person("E7", "Lars", "Left")])
    again = render(
        config,
        ctx,
        site_rows(),
        previous=pd.concat([previous, leaver], ignore_index=True),
        held=True,
    )
    assert again == report


def test_short_history_says_so_and_full_history_does_not(config, ctx):
    short = pdf_text(render(config, ctx, site_rows(), weeks=3))
    assert "History is shorter than 12 weeks" in short
    assert "3 week(s)" in short and "since 2026-11-02" in short
    assert "No snapshot of the previous week is stored" in short
    full = pdf_text(render(config, ctx, site_rows(), weeks=12))
    assert "History is shorter" not in full


def test_a_long_action_list_prints_the_most_urgent_and_attaches_all(config, ctx):
    from assets.reporting.site_report import MAX_ACTION_ROWS

    n = MAX_ACTION_ROWS + 5
    rows = F.status_frame(
        [
            F.person(
                f"N{i:03d}",
                f"Nina{i}",
                "Late",
                status="NOT_STARTED",
                compliance="NON_COMPLIANT",
                certified_on=None,
                cycle_start=None,
                expires_on=None,
                modules_passed=None,
                module_pass_dates=None,
                due_date="2026-01-01",
                overdue_days=325 - i,
                days_to_expiry=None,
                last_attempt_date=None,
            )
            for i in range(n)
        ]
    )
    pdf = render(config, ctx, rows)
    flat = squashed(pdf_text(pdf))
    assert (
        squashed(
            f"The 5 least urgent actions are not printed; all {n} are in the attached actions.csv."
        )
        in flat
    )
    actions = attachments(pdf)["actions.csv"].decode().splitlines()
    assert len(actions) == n + 1
    assert actions[1].startswith("N000,")  # the longest overdue first
