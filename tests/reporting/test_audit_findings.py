"""Grading of each audit rule on tiny hand-built sites (verdicts worked out from
docs/reports.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from assets.reporting.audit_findings import (
    WeekFacts,
    attribute,
    audit_findings,
    company_input_findings,
    site_verdict,
)
from assets.reporting.audit_rules import RULES
from schemas.config import AuditCriteriaConfig
from tests.reporting import frames as F

FULL_CRITERIA = Path(__file__).resolve().parents[2] / "config" / "audit_criteria.yaml"


def grade(config, ctx, rows, files=None, rejected=None, unmatched=None, site="S1"):
    findings = audit_findings(
        WeekFacts.of(
            F.status_frame(rows),
            F.source_files(files),
            F.rejected_rows(rejected),
            F.unmatched(unmatched),
            config,
            ctx,
        ),
        site,
    )
    return findings.set_index("clause")


def certified(n, **kw):
    return [F.person(f"C{i:02d}", f"Cert{i}", "Person", **kw) for i in range(n)]


def non_compliant(employee_id, overdue, **kw):
    fields = {
        "status": "EXPIRED",
        "compliance": "NON_COMPLIANT",
        "due_date": "2026-01-10",
        "overdue_days": overdue,
        "days_to_expiry": None,
        "last_attempt_date": "2026-11-01",
    }
    return F.person(employee_id, "Nina", "Late", **{**fields, **kw})


def test_unconfigured_site_gets_the_five_iso_9001_criteria(config, ctx):
    findings = grade(config, ctx, certified(3))
    assert list(findings.index) == ["7.2 a)", "7.2 b)", "7.2 c)", "7.2 d)", "7.5.3"]
    assert set(findings["verdict"]) == {"CONFORMS"}
    assert set(findings["statement"]) == {""}


def test_role_without_requirement_entry_is_a_minor_nc_naming_the_people(config, ctx):
    rows = [
        *certified(2),
        F.person(
            "W1",
            "Wendy",
            "Weld",
            job_role="Welder",
            compliance="NOT_REQUIRED",
            requirement_determined=False,
        ),
    ]
    finding = grade(config, ctx, rows).loc["7.2 a)"]
    assert finding["verdict"] == "MINOR_NC"
    assert finding["affected_count"] == 1
    assert "'Welder'" in finding["statement"] and "Wendy Weld (W1)" in finding["statement"]
    assert "1 of 2 job roles" in finding["statement"]


@pytest.mark.parametrize(
    ("n_certified", "overdue", "verdict"),
    [
        (9, 30, "MINOR_NC"),  # 1 of 10 = 10 %: not more than 10 %, overdue 30 <= 90
        (9, 90, "MINOR_NC"),  # exactly 90 days overdue is not "more than 90"
        (19, 91, "MAJOR_NC"),  # 1 of 20 = 5 %, but overdue more than 90 days
        (8, 10, "MAJOR_NC"),  # 1 of 9 = 11.1 % > 10 %
    ],
)
def test_persons_competent_thresholds(config, ctx, n_certified, overdue, verdict):
    finding = grade(config, ctx, [*certified(n_certified), non_compliant("N1", overdue)])
    row = finding.loc["7.2 b)"]
    assert row["verdict"] == verdict
    assert row["affected_count"] == 1
    assert "Nina Late (N1)" in row["statement"] and f"overdue {overdue} days" in row["statement"]
    assert "due 2026-01-10" in row["statement"]


def test_grace_people_do_not_count_as_non_compliant(config, ctx):
    rows = [
        *certified(1),
        F.person(
            "G1",
            "Gus",
            "New",
            status="NOT_STARTED",
            compliance="GRACE",
            last_attempt_date="2026-10-01",
        ),
    ]
    assert grade(config, ctx, rows).loc["7.2 b)", "verdict"] == "CONFORMS"


def test_actions_taken_looks_back_90_days_inclusive(config, ctx):
    # D = 2026-11-22; 90 days earlier is 2026-08-24.
    on_the_edge = F.person(
        "G1",
        "Gus",
        "Edge",
        status="IN_PROGRESS",
        compliance="GRACE",
        last_attempt_date="2026-08-24",
    )
    assert grade(config, ctx, [on_the_edge]).loc["7.2 c)", "verdict"] == "CONFORMS"
    too_old = F.person(
        "G2", "Gil", "Old", status="IN_PROGRESS", compliance="GRACE", last_attempt_date="2026-08-23"
    )
    never = non_compliant("N1", 5, last_attempt_date=None)
    row = grade(config, ctx, [on_the_edge, too_old, never]).loc["7.2 c)"]
    assert row["verdict"] == "OBSERVATION"
    assert row["affected_count"] == 2
    assert "Gil Old (G2), in new-hire grace, last module attempt 2026-08-23" in row["statement"]
    assert "Nina Late (N1), non-compliant, no module attempt on record" in row["statement"]


def test_evidence_without_any_record_is_a_minor_nc(config, ctx):
    rows = [
        *certified(1),
        F.person("E9", "Eve", "Bare", evidence_record_ids="", evidence_credential_ids=""),
    ]
    row = grade(config, ctx, rows).loc["7.2 d)"]
    assert row["verdict"] == "MINOR_NC"
    assert "Eve Bare (E9), CPT certified 2023-05-10" in row["statement"]


def test_evidence_without_credential_id_or_by_name_is_an_observation(config, ctx):
    rows = [
        F.person("E1", "Ida", "Noid", evidence_credential_ids=""),
        F.person("E2", "Ned", "Name", matched_by_name=True),
    ]
    row = grade(config, ctx, rows).loc["7.2 d)"]
    assert row["verdict"] == "OBSERVATION"
    assert row["affected_count"] == 2
    assert "records northfield_college:R-E1" in row["statement"]
    assert "by name only" in row["statement"] and "Ned Name (E2)" in row["statement"]


def test_unmatched_records_count_for_the_site_only_when_attributable(config, ctx):
    ambiguous = (
        "apex_academy",
        "A-17",
        "providers/apex/book.xlsx",
        12,
        "AMBIGUOUS",
        None,
        None,
        "Cert0",
        "Person",
        "C00;X99",
    )
    elsewhere = (
        "apex_academy",
        "A-18",
        "providers/apex/book.xlsx",
        13,
        "UNMATCHED",
        None,
        "ghost@example.com",
        "Gho",
        "St",
        None,
    )
    row = grade(config, ctx, certified(1), unmatched=[ambiguous, elsewhere]).loc["7.2 d)"]
    assert row["verdict"] == "OBSERVATION"
    assert "apex_academy:A-17 (AMBIGUOUS, providers/apex/book.xlsx row 12)" in row["statement"]
    assert "A-18" not in row["statement"]
    only_elsewhere = grade(config, ctx, certified(1), unmatched=[elsewhere]).loc["7.2 d)"]
    assert only_elsewhere["verdict"] == "CONFORMS"
    # a record that concerns no site is the company's, graded once in the roll-up
    assert "unmatched" not in only_elsewhere["evidence"]
    status = F.status_frame(certified(1))
    unmatched = F.unmatched([ambiguous, elsewhere])
    company = company_input_findings(
        WeekFacts.of(status, F.source_files(), F.rejected_rows(), unmatched, config, ctx)
    ).set_index("clause")
    assert company.loc["7.2 d)", "site"] == "company"
    assert company.loc["7.2 d)", "verdict"] == "OBSERVATION"
    assert "apex_academy:A-18 (UNMATCHED" in company.loc["7.2 d)", "statement"]
    assert "A-17" not in company.loc["7.2 d)", "statement"]
    assert (company.loc["7.2 d)", "affected_count"], company.loc["7.2 d)", "affected_unit"]) == (
        1,
        "records",
    )


@pytest.mark.parametrize(
    ("rows_in", "rejected", "problem", "verdict"),
    [
        (100, 5, None, "CONFORMS"),  # 5 % is not more than the 5 % threshold
        (100, 6, None, "MINOR_NC"),  # 6 % exceeds it
        # the source's only file rejected whole: 100 % of its files, over the threshold (not
        # 0 % of no rows), and the file itself is named as well
        (0, 0, "missing required column 'Exam Date'", "MINOR_NC"),
    ],
)
def test_shared_input_files_are_graded_once_for_the_company_never_per_site(
    config, ctx, rows_in, rejected, problem, verdict
):
    files = [
        ("roster", "roster/roster_2026-11-01.csv", "a" * 64, 50, 50, 0, 0, None),
        (
            "northfield_college",
            "providers/northfield_college/r.csv",
            "b" * 64,
            rows_in,
            rows_in - rejected,
            rejected,
            0,
            problem,
        ),
    ]
    site_row = grade(config, ctx, certified(1), files=files).loc["7.5.3"]
    assert site_row["verdict"] == "CONFORMS"
    assert "graded in the company roll-up" in site_row["evidence"]
    row = (
        company_input_findings(
            WeekFacts.of(
                F.status_frame(certified(1)),
                F.source_files(files),
                F.rejected_rows(),
                F.unmatched(),
                config,
                ctx,
            )
        )
        .set_index("clause")
        .loc["7.5.3"]
    )
    assert row["verdict"] == verdict
    assert row["affected_unit"] == "files"
    assert row["affected_count"] == (0 if verdict == "CONFORMS" else 1)
    if verdict == "MINOR_NC" and rejected:
        assert "northfield_college rejected 6 of 100 rows (6.0%)" in row["statement"]
    if problem:
        assert (
            "northfield_college rejected 0 of 0 rows and 1 of 1 file(s) whole (100.0%)"
            in row["statement"]
        )
        assert "providers/northfield_college/r.csv (missing required column" in row["statement"]


def test_configured_sets_are_graded_in_order(config, ctx):
    rows = [F.person("E1", "Ann", "Lee", site="GREENVILLE")]
    findings = grade(config, ctx, rows, site="GREENVILLE")
    # config/audit_criteria.yaml: ISO9001 has 5 criteria, IATF16949 has 6; by severity, then
    # clause: the two not-evaluable IATF criteria (observations) first, then the conforming ones
    assert findings["criteria_set"].tolist().count("IATF16949") == 6
    assert list(findings.index) == [
        "7.2.3",
        "7.5.3.2.1",
        "7.2 a)",
        "7.2 b)",
        "7.2 c)",
        "7.2 d)",
        "7.2.1",
        "7.2.1",
        "7.2.2",
        "7.2.2",
        "7.5.3",
    ]
    assert findings.loc["7.5.3.2.1", "evidence"] == "not evaluable from this data: verify manually"


def test_site_verdict_colours():
    def frame(*verdicts):
        return pd.DataFrame({"verdict": list(verdicts)})

    assert site_verdict(frame("CONFORMS", "OBSERVATION"), in_scope=3) == "GREEN"
    assert site_verdict(frame("OBSERVATION", "MINOR_NC"), in_scope=3) == "AMBER"
    assert site_verdict(frame("MINOR_NC", "MAJOR_NC"), in_scope=3) == "RED"
    # nobody in scope: never green; a nonconformity still colours the site
    assert site_verdict(frame("CONFORMS", "OBSERVATION"), in_scope=0) == "NOT_RATED"
    assert site_verdict(frame(), in_scope=0) == "NOT_RATED"
    assert site_verdict(frame("MINOR_NC"), in_scope=0) == "AMBER"


def test_full_criteria_file_is_valid_and_every_rule_exists():
    sets = AuditCriteriaConfig.model_validate(
        yaml.safe_load(FULL_CRITERIA.read_text())
    ).criteria_sets
    assert set(sets) == {"ISO9001", "IATF16949", "AS9100D", "ISO45001", "ISO14001"}
    assert {c.rule for criteria in sets.values() for c in criteria} <= set(RULES)
    assert [c.clause for c in sets["ISO9001"]] == ["7.2 a)", "7.2 b)", "7.2 c)", "7.2 d)", "7.5.3"]
    assert {"7.2.1", "7.2.2", "7.2.3"} <= {c.clause for c in sets["IATF16949"]}


def test_unknown_rule_name_is_a_configuration_error(config, ctx):
    criteria = config.audit_criteria.model_copy(
        update={
            "criteria_sets": {
                "ISO9001": [
                    config.audit_criteria.criteria_sets["ISO9001"][0].model_copy(
                        update={"rule": "typo"}
                    )
                ]
            }
        }
    )
    broken = config.model_copy(update={"audit_criteria": criteria})
    with pytest.raises(ValueError, match="unknown rule 'typo'"):
        audit_findings(
            WeekFacts.of(
                F.status_frame(certified(1)),
                F.source_files(),
                F.rejected_rows(),
                F.unmatched(),
                broken,
                ctx,
            ),
            "S1",
        )


def test_unmatched_records_are_attributed_to_sites_by_candidates_id_or_email():
    status = pd.DataFrame(
        {
            "employee_id": ["E1", "E2", "E3"],
            "site": ["S1", "S2", "S2"],
            "email": [None, "bo@acme.example", None],
        }
    )
    unmatched = pd.DataFrame(
        {
            "record_id": ["A", "B", "C", "D", "E"],
            "candidates": ["E1;E3", None, None, None, "E77"],
            "employee_id": [None, "E2", None, None, None],
            "email": [None, None, " BO@acme.example", None, None],
        }
    )
    attribution = attribute(status, pd.DataFrame(), unmatched)
    by_site = attribution.unmatched_sites.groupby("site")["row"].apply(sorted).to_dict()
    # A names people at both sites; B by id and C by e-mail (case, spaces) belong to S2;
    # D carries nothing and E names nobody on the roster: they stay unattributed
    assert by_site == {"S1": [0], "S2": [0, 1, 2]}
    assert sorted(set(attribution.unmatched_sites["row"])) == [0, 1, 2]
