"""Reports that explain the week and trace every status, read back from the PDFs.

One hand-built company, two weeks (expectations worked out by hand):

Last week at S1 (in scope): Ana, Ben, Lars compliant, Mia non-compliant -> 3/4 = 75.0 %.
Wendy (Welder, no requirement entry) and Hank (HR Generalist, decided: none needed) are not in
scope. Dev worked at S2.

This week at S1: Ana compliant; Ben expired (non-compliant); Cleo hired 2026-11-10 (grace);
Dev moved in from S2 (compliant); Hank became a Production Technician (compliant, now needs
CPT); Lars left the company; Mia moved to S2; Sue (Production Supervisor, none needed) is new.
In scope: Ana, Ben, Cleo, Dev, Hank -> 3/5 = 60.0 %, a change of -15.0 points.

Split: the people in scope both weeks are Ana and Ben: 2/2 = 100 % last week, 1/2 = 50 % now.
  left  (Lars, Mia):          100.0 - 75.0 = +25.0
  status (Ana, Ben):           50.0 - 100.0 = -50.0
  joined (Cleo, Dev, Hank):    60.0 - 50.0 = +10.0      -> +25.0 - 50.0 + 10.0 = -15.0

Findings at S1: 1 of 5 non-compliant (20 % > 10 %) -> 7.2 b) major; Welder undetermined ->
7.2 a) minor; Ben without a module attempt in 90 days -> 7.2 c) observation; an ambiguous
record naming Ana among 20 candidates -> 7.2 d) observation; Ben's rejected row -> 7.5.3
observation. The stray README.txt and the unknown provider folder are the company's.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from assets.certification.status_evidence import STATUS_EVIDENCE_COLUMNS, status_evidence
from assets.reporting.audit_findings import (
    WeekFacts,
    attribute,
    audit_findings,
    company_input_findings,
)
from assets.reporting.company_report import render_company_report
from assets.reporting.rate_change import rate_change
from assets.reporting.site_report import render_site_report
from tests.reporting import frames as F
from tests.reporting.pdf_reading import (
    attachments,
    conformance_failures,
    pdf_text,
    squashed,
    words_outside_the_page,
)

CANDIDATES = ";".join(["E1", *[f"X{n:02d}" for n in range(19)]])  # 20 candidates


def current_status() -> pd.DataFrame:
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
                hire_date="2026-11-10",
                due_date="2027-05-09",
                days_to_expiry=None,
                last_attempt_date="2026-11-12",
                evidence_record_ids="",
                evidence_credential_ids="",
            ),
            F.person("E4", "Dev", "Das"),
            F.person(
                "E5",
                "Wendy",
                "Weld",
                job_role="Welder",
                compliance="NOT_REQUIRED",
                required=False,
                requirement_determined=False,
            ),
            F.person("E9", "Hank", "Hill"),
            F.person(
                "E10",
                "Sue",
                "Super",
                job_role="Production Supervisor",
                compliance="NOT_REQUIRED",
                required=False,
                requirement_determined=True,
                hire_date="2026-11-09",
            ),
            F.person("E8", "Mia", "Move", site="S2"),
        ]
    )


def previous_status() -> pd.DataFrame:
    return F.status_frame(
        [
            F.person("E1", "Ana", "Alvarez"),
            F.person("E2", "Ben", "Brown"),
            F.person("E7", "Lars", "Left"),
            F.person(
                "E8",
                "Mia",
                "Move",
                status="EXPIRED",
                compliance="NON_COMPLIANT",
                overdue_days=10,
            ),
            F.person(
                "E5",
                "Wendy",
                "Weld",
                job_role="Welder",
                compliance="NOT_REQUIRED",
                required=False,
                requirement_determined=False,
            ),
            F.person(
                "E9",
                "Hank",
                "Hill",
                job_role="HR Generalist",
                status="NOT_STARTED",
                compliance="NOT_REQUIRED",
                required=False,
            ),
            F.person("E4", "Dev", "Das", site="S2"),
        ]
    )


def results() -> pd.DataFrame:
    """Ana's proving record (linked by e-mail), a failed retake that proves nothing."""
    return pd.DataFrame(
        {
            "provider": ["northfield_college", "northfield_college", "northfield_college"],
            "record_id": ["R-E1", "R-E1-retake", "R-E4"],
            "person_id": ["E1", "E1", "E4"],
            "match_method": ["email", "employee_id", "employee_id"],
            "module": ["SAFETY", "SAFETY", "SAFETY"],
            "assessment_date": pd.to_datetime(["2023-01-15", "2024-02-01", "2023-03-01"]),
            "score": [88.5, 41.0, 90.0],
            "passed": [True, False, True],
            "credential_id": ["CPT-E1", None, "CPT-E4"],
            "source_file": ["providers/northfield_college/2023.csv"] * 3,
            "source_row": [12, 40, 13],
        }
    )


def files() -> pd.DataFrame:
    frame = F.source_files(
        [
            ("roster", "roster/roster_2026-10-01.csv", "a" * 64, 9, 9, 0, 0, None),
            ("northfield_college", "providers/northfield_college/2023.csv", "b" * 64, 40, 39, 1,
             0, None),
            ("stray", "README.txt", "c" * 64, 0, 0, 0, 0, "not a data file (stray file)"),
            ("unknown_provider", "providers/mystery_inc/x.csv", "d" * 64, 0, 0, 0, 0,
             "unknown provider folder 'mystery_inc'"),
        ]
    )  # fmt: skip
    # as the intake records them: files read have a modification time; the stray file and the
    # unknown folder were set aside by the inventory unread (findings, not reject share)
    read = pd.Timestamp("2026-11-20 08:00")
    frame["modified_at"] = [read, read, pd.NaT, pd.NaT]
    return frame


def rejected() -> pd.DataFrame:
    frame = F.rejected_rows(
        [
            (
                "northfield_college",
                "providers/northfield_college/2023.csv",
                41,
                "assessment_date",
                "valid date",
                "02/30/2023",
            )
        ]
    )
    return frame.assign(employee_id=["E2"])


def unmatched() -> pd.DataFrame:
    return F.unmatched(
        [
            ("northfield_college", "R-AMB", "providers/northfield_college/2023.csv", 7,
             "AMBIGUOUS", None, None, "Ana", "Alvarez", CANDIDATES),
            ("northfield_college", "R-LOST", "providers/northfield_college/2023.csv", 8,
             "UNMATCHED", "Z999", None, "Nobody", "Known", None),
        ]
    )  # fmt: skip


def week_context(ctx, **more):
    return ctx.__class__(
        **{
            **ctx.__dict__,
            "roster_extract": "roster/roster_2026-10-01.csv",
            "roster_extract_date": pd.Timestamp("2026-10-01").date(),
            "previous_roster_extract": "roster/roster_2026-05-04.csv",
            "previous_roster_extract_date": pd.Timestamp("2026-05-04").date(),
            "roster_max_age_days": 35,
            **more,
        }
    )


def all_findings(config, ctx, status) -> pd.DataFrame:
    attribution = attribute(status, rejected(), unmatched())
    frames = [
        audit_findings(
            WeekFacts.of(
                status, files(), rejected(), unmatched(), config, ctx, attribution=attribution
            ),
            site,
        )
        for site in ("S1", "S2")
    ]
    frames.append(
        company_input_findings(
            WeekFacts.of(
                status, files(), rejected(), unmatched(), config, ctx, attribution=attribution
            )
        )
    )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def week(config, ctx):
    return render_week(config, ctx)


def render_week(config, ctx) -> tuple[bytes, bytes, pd.DataFrame]:
    """The site's and the company's PDF of the hand-built week, and the findings."""
    ctx = week_context(ctx)
    status = current_status()
    findings = all_findings(config, ctx, status)
    site_pdf = render_site_report(
        "S1",
        WeekFacts.of(status, files(), rejected(), unmatched(), config, ctx),
        previous_status=previous_status(),
        compliance_history=F.history("S1", 4),
        renewal_forecast=F.empty_forecast(),
        points_ledger=F.empty_ledger(),
        findings=findings,
        evidence=status_evidence(status, results()),
    )
    company_pdf = render_company_report(
        WeekFacts.of(status, files(), rejected(), unmatched(), config, ctx),
        compliance_history=F.history("S1", 4),
        findings=findings,
        sites_without_recipients=["S1", "S2"],
    )
    return site_pdf, company_pdf, findings


def section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_cover_names_the_roster_extract_and_warns_it_is_stale(week):
    first_page = pdf_text(week[0]).split("Page 1 of")[0]
    flat = squashed(first_page)
    assert "HeadcountfromHRrosterextractroster/roster_2026-10-01.csv,dated2026-10-01" in flat
    assert "(52 days before the as-of date)" in first_page
    assert "older than the 35 days the policy allows: the headcount may be stale" in first_page


def test_roster_is_not_stale_within_the_policy_limit(config, ctx):
    fresh = week_context(ctx, roster_extract_date=pd.Timestamp("2026-11-02").date())
    assert (fresh.roster_age_days, fresh.roster_stale) == (20, False)
    older_limit = week_context(ctx, roster_max_age_days=60)
    assert (older_limit.roster_age_days, older_limit.roster_stale) == (52, False)


def test_since_last_week_lists_every_change_by_cause(week):
    text = pdf_text(week[0])
    first_page = text.split("Page 1 of")[0]
    assert squashed(
        "3 joined · 2 left · 1 newly need a credential · 0 no longer need one · "
        "0 became compliant · 1 no longer compliant · 0 other status changes"
    ) in squashed(first_page)
    flat = squashed(section(text, "What changed since last week", "Audit findings"))
    assert "Joinedthesite(3)" in flat
    assert "CleoChen(E3)ProductionTechnicianCPTnewontheroster,hired2026-11-10" in flat
    assert "DevDas(E4)ProductionTechnicianCPTmovedfromsiteS2" in flat
    assert "Leftthesite(2)" in flat
    assert "LarsLeft(E7)ProductionTechnicianCPTnolongerontheroster" in flat
    assert "MiaMove(E8)ProductionTechnicianCPTmovedtositeS2" in flat
    assert "Newlyneedacredential(1)PersonRoleCredentialDetailHankHill(E9)" in flat
    assert "HankHill(E9)ProductionTechnicianCPTnowneedsCPT:compliant" in flat
    assert "BenBrown(E2)CPTCertified→ExpiredCompliant→Non-compliant" in flat
    # Sue (hired 2026-11-09, role needs nothing) joined too: a joiner outside scope
    assert "SueSuper(E10)" in flat


def test_rate_change_is_split_into_causes_that_add_up(week):
    text = pdf_text(week[0])
    expected = (
        "Compliance rate 75.0 % → 60.0 % (−15.0 points): +25.0 from people who left the site "
        "or no longer need the credential (2), −50.0 from status changes of the people here "
        "both weeks (2), +10.0 from people who joined or newly need it (3)."
    )
    assert squashed(expected) in squashed(text)
    change = rate_change(current_status(), previous_status(), "S1")
    assert (change.left_points, change.status_points, change.joined_points) == (25.0, -50.0, 10.0)
    assert change.left_points + change.status_points + change.joined_points == -15.0


def test_rate_change_parts_are_rounded_to_add_up_to_the_printed_change():
    """1/3 -> 2/7: exact parts do not round to a sum equal to the printed change."""
    before = F.status_frame(
        [
            F.person("A", "A", "A"),
            *[F.person(f"N{i}", "N", "N", compliance="GRACE") for i in (1, 2)],
        ]
    )
    now = F.status_frame(
        [
            F.person("A", "A", "A"),
            F.person("N1", "N", "N", compliance="GRACE"),
            F.person("J1", "J", "J"),
            *[F.person(f"G{i}", "G", "G", compliance="GRACE") for i in range(4)],
        ]
    )
    change = rate_change(now, before, "S1")
    # printed: 33.3 % -> 28.6 % = -4.7 points
    assert change.total_points == -4.7
    parts = (change.left_points, change.status_points, change.joined_points)
    assert round(sum(parts), 1) == -4.7
    assert change.status_points == 0.0  # A and N1 did not change


def test_a_new_roster_extract_is_named_in_the_changes(week):
    flat = squashed(pdf_text(week[0]))
    assert (
        "Lastweek'sfigurescamefromrosterextractroster/roster_2026-05-04.csv(dated2026-05-04),"
        "thisweek'sfromroster/roster_2026-10-01.csv" in flat
    )


def test_evidence_of_a_named_person_is_attached_with_provider_record_score_and_link(week):
    attached = attachments(week[0])
    rows = list(csv.DictReader(io.StringIO(attached["evidence.csv"].decode())))
    assert list(rows[0]) == list(STATUS_EVIDENCE_COLUMNS)
    ana = [r for r in rows if r["employee_id"] == "E1"]
    assert len(ana) == 1  # the failed retake proves nothing
    assert {k: ana[0][k] for k in ("provider", "record_id", "module", "assessment_date")} == {
        "provider": "northfield_college",
        "record_id": "R-E1",
        "module": "SAFETY",
        "assessment_date": "2023-01-15",
    }
    assert (ana[0]["score"], ana[0]["credential_id"], ana[0]["linked_by"]) == (
        "88.5",
        "CPT-E1",
        "email",
    )
    assert {r["site"] for r in rows} == {"S1"}  # Mia's S2 records stay out of S1's file
    assert "evidence.csv:foreverystatusrowofsiteS1,theproviderrecordsthatproveit" in (
        squashed(pdf_text(week[0]))
    )


def test_competence_determination_lists_roles_and_splits_not_required(week):
    text = pdf_text(week[0])
    flat = squashed(section(text, "How competence is determined", "Action list"))
    assert "Notrequired:1decidedasneedingnone,1notdetermined." in flat
    # undetermined first, then by role name
    welder = flat.index("Welder1notdeterminednoentryinrequirements.yaml")
    technician = flat.index(
        "ProductionTechnician5CPTrequirements.yaml,anysite(*)3of5"
    )  # Ana, Dev, Hank compliant; Cleo in grace; Ben not
    supervisor = flat.index("ProductionSupervisor1decided:noneneededrequirements.yaml,anysite(*)")
    assert welder < technician < supervisor
    summary = squashed(section(text, "Summary figures", "What changed"))
    assert "Notrequired:noneneededNotrequired:notdetermined" in summary
    # certified 3, expiring 0, in progress 1, not started 0, expired 1; none needed 1 (Sue),
    # not determined 1 (Wendy)
    assert "People3010111" in summary


def test_findings_are_ordered_by_severity_then_clause_with_units(week):
    text = pdf_text(week[0])
    table = squashed(section(text, "Audit findings", "Statements"))
    order = [table.index(c) for c in ("7.2b)", "7.2a)", "7.2c)", "7.2d)", "7.5.3")]
    assert order == sorted(order)
    assert "Major nonconformity" in text
    assert "1record" in table and "1person" in table  # 7.2 d) / 7.5.3 count records


def test_no_company_wide_file_problem_on_a_site_report(week):
    text = pdf_text(week[0])
    findings = section(text, "Audit findings", "Action list")
    assert "README" not in findings and "mystery_inc" not in findings
    assert "R-LOST" not in findings  # concerns no site: the company's
    cover = text.split("Page 1 of")[0]
    assert "README" not in cover and "7.5.3" not in cover.split("most urgent")[0]


def test_company_carries_the_shared_input_problems_once_and_is_red(week):
    site_pdf, company_pdf, findings = week
    company = findings[findings["site"] == "company"].set_index("clause")
    assert company.loc["7.5.3", "verdict"] == "OBSERVATION"
    assert (company.loc["7.5.3", "affected_count"], company.loc["7.5.3", "affected_unit"]) == (
        2,
        "files",
    )
    text = pdf_text(company_pdf)
    assert text.count("Company-wide · ISO 9001:2015 7.5.3") == 1
    assert text.count("Company-wide · ISO 9001:2015 7.2 d)") == 1
    statements = squashed(section(text, "Findings on the shared input files", "Rejected rows"))
    assert "README.txt(notadatafile(strayfile))" in statements
    assert "northfield_college:R-LOST(UNMATCHED" in statements
    # S1 is red (a major nonconformity); the roll-up lists sites only, never "company"
    sites = squashed(section(text, "Sites side by side", "Worst findings across sites"))
    # (the site's flags print under its code, before the verdict)
    assert re.search(r"S1(unconfigured,norecipients)?RED", sites) and "companyRED" not in sites
    assert "1 red" in text
    assert conformance_failures(company_pdf, "3b") == {}
    assert conformance_failures(site_pdf, "3b") == {}


def test_ambiguous_record_with_twenty_candidates_is_readable_in_the_company_report(week):
    text = pdf_text(week[1])
    flat = squashed(text)
    assert "northfield_college·R-AMB" in flat
    assert "E1;X00;X01;X02;X03and15more" in flat
    assert words_outside_the_page(week[1]) == []


LONG = "W" * 80  # an 80-character name without a break
LONG_ROLE = "Senior Production Technician " + "R" * 52
LONG_MAIL = "m" * 100 + "@" + "d" * 40 + ".example.com"
LONG_FILE = "providers/northfield_college/" + "f" * 171 + ".csv"  # 200 characters


def hostile(config, ctx):
    """80-character names, 150-character e-mail addresses, 20 candidates, 200-char files."""
    people = [
        F.person(
            f"E{i:02d}" + "9" * 30,
            LONG,
            LONG,
            job_role=LONG_ROLE,
            email=LONG_MAIL,
            manager_email=LONG_MAIL,
            status="EXPIRED" if i % 2 else "CERTIFIED",
            compliance="NON_COMPLIANT" if i % 2 else "COMPLIANT",
            overdue_days=400 if i % 2 else 0,
            last_attempt_date="2020-01-01",
            evidence_record_ids="northfield_college:" + "R" * 60,
        )
        for i in range(6)
    ]
    status = F.status_frame(people)
    candidates = ";".join(f"{'C' * 30}{n:02d}" for n in range(20))
    unmatched_rows = F.unmatched(
        [
            ("northfield_college" + "x" * 40, "R" * 60, LONG_FILE, 7, "AMBIGUOUS", "Q" * 60,
             LONG_MAIL, LONG, LONG, candidates),
        ]
    )  # fmt: skip
    source = F.source_files(
        [
            ("roster", "roster/roster_2026-11-02.csv", "a" * 64, 6, 6, 0, 0, None),
            ("northfield_college", LONG_FILE, "b" * 64, 10, 9, 1, 0, None),
            ("stray", "x" * 200, "c" * 64, 0, 0, 0, 0, "not a data file " + "y" * 200),
        ]
    )
    rejects = F.rejected_rows(
        [("northfield_college", LONG_FILE, 9, "score", "in range 0..100", "9" * 120)]
    )
    attribution = attribute(status, rejects, unmatched_rows)
    findings = pd.concat(
        [
            audit_findings(
                WeekFacts.of(
                    status, source, rejects, unmatched_rows, config, ctx, attribution=attribution
                ),
                "S1",
            ),
            company_input_findings(
                WeekFacts.of(
                    status, source, rejects, unmatched_rows, config, ctx, attribution=attribution
                )
            ),
        ],
        ignore_index=True,
    )
    return status, findings, source, rejects, unmatched_rows


def test_hostile_sizes_stay_inside_the_page_for_site_and_company(config, ctx):
    ctx = week_context(ctx)
    status, findings, source, rejects, unmatched_rows = hostile(config, ctx)
    # someone on the roster is among the candidates, so the site's report lists the record
    unmatched_rows = unmatched_rows.assign(
        candidates=unmatched_rows["candidates"] + ";" + status["employee_id"].iloc[0]
    )
    previous = status.assign(compliance="COMPLIANT", status="CERTIFIED")
    site_pdf = render_site_report(
        "S1",
        WeekFacts.of(status, source, rejects, unmatched_rows, config, ctx),
        previous_status=previous,
        compliance_history=F.history("S1", 3),
        renewal_forecast=F.empty_forecast(),
        points_ledger=F.empty_ledger(),
        findings=findings,
    )
    company_pdf = render_company_report(
        WeekFacts.of(status, source, rejects, unmatched_rows, config, ctx),
        compliance_history=F.history("S1", 3),
        findings=findings,
        sites_without_recipients=[],
    )
    for pdf in (site_pdf, company_pdf):
        assert words_outside_the_page(pdf) == []
        assert conformance_failures(pdf, "3b") == {}
    # the long values are there, cut for print, and whole in the attachments
    site_text = squashed(pdf_text(site_pdf))
    assert "W" * 59 + "…" in site_text
    assert "Providerrecordsthatmayconcernthissite" in site_text  # the 20-candidate record
    full = attachments(company_pdf)["unmatched_records.csv"].decode()
    assert LONG_FILE in full and LONG_MAIL in full
