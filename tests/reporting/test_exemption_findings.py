"""Exemptions under 7.2 b): excused people leave the share; open-ended or lapsed ones are named."""

from __future__ import annotations

import pandas as pd

from assets.reporting.audit_findings import WeekFacts, audit_findings
from tests.reporting import frames as F


def _grade(config, ctx, rows, decisions):
    status = F.status_frame(rows)
    for column in ("exemption_reason", "exemption_approved_by", "exemption_until"):
        status[column] = [decisions.get(r["employee_id"], {}).get(column) for r in rows]
    status["exemption_until"] = pd.to_datetime(status["exemption_until"])
    findings = audit_findings(
        WeekFacts.of(status, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx), "S1"
    )
    return findings.set_index("clause").loc["7.2 b)"]


EXEMPT = {"status": "NOT_STARTED", "compliance": "EXEMPT", "due_date": "2027-06-30"}
EXCUSE = {"exemption_reason": "sick leave", "exemption_approved_by": "Q. Manager"}


def test_a_current_exemption_with_an_end_conforms(config, ctx):
    rows = [F.person("C1", "Cara", "Cert"), F.person("X1", "Xavi", "Excused", **EXEMPT)]
    finding = _grade(config, ctx, rows, {"X1": {**EXCUSE, "exemption_until": "2027-06-30"}})
    assert finding["verdict"] == "CONFORMS"
    assert finding["statement"] == ""


def test_open_ended_and_lapsed_exemptions_are_an_observation_naming_them(config, ctx):
    lapsed = {"status": "NOT_STARTED", "compliance": "GRACE", "due_date": "2026-12-01"}
    rows = [
        F.person("C1", "Cara", "Cert"),
        F.person("X1", "Xavi", "Excused", **{**EXEMPT, "due_date": None}),
        F.person("L1", "Lena", "Lapsed", **lapsed),
    ]
    decisions = {
        "X1": {**EXCUSE, "exemption_until": None},
        "L1": {**EXCUSE, "exemption_until": "2026-06-30"},
    }
    finding = _grade(config, ctx, rows, decisions)
    assert finding["verdict"] == "OBSERVATION"
    assert finding["affected_count"] == 2
    assert finding["statement"].endswith(
        "Finding: 2 exemption(s) at site S1 need a decision on 2026-11-22: Lena Lapsed (L1), CPT: "
        "exemption ended 2026-06-30, still GRACE (approved by Q. Manager); Xavi Excused (X1), "
        "CPT: exempt with no end date (approved by Q. Manager)."
    )


def test_the_site_report_lists_exemptions_with_reason_approver_and_end(config, ctx):
    from tests.reporting.pdf_reading import pdf_text, squashed
    from tests.reporting.test_site_report import render, site_rows

    rows = site_rows()
    rows = pd.concat(
        [
            rows,
            F.status_frame(
                [
                    F.person("X1", "Xavi", "Excused", **EXEMPT),
                    F.person("X2", "Yara", "Open", **{**EXEMPT, "due_date": None}),
                ]
            ),
        ],
        ignore_index=True,
    )
    rows["exemption_reason"] = None
    rows["exemption_approved_by"] = None
    rows["exemption_until"] = pd.NaT
    rows.loc[rows["employee_id"] == "X1", ["exemption_reason", "exemption_approved_by"]] = [
        "long-term sick leave",
        "Quinn Manager",
    ]
    rows.loc[rows["employee_id"] == "X1", "exemption_until"] = pd.Timestamp("2027-06-30")
    rows.loc[rows["employee_id"] == "X2", ["exemption_reason", "exemption_approved_by"]] = [
        "supervises only",
        "Quinn Manager",
    ]
    text = squashed(pdf_text(render(config, ctx, rows)))
    assert squashed("Exemptions (2 exempt on 2026-11-22)") in text
    assert squashed("Xavi Excused (X1)") in text
    assert squashed("long-term sick leave Quinn Manager 2027-06-30") in text
    assert squashed("supervises only Quinn Manager no end date") in text
    # the two exempt people stay out of the rate: still 2 of 4 in scope compliant
    # and the cover says so: counted apart, not hidden
    assert squashed("compliant (2 of 4 in scope; 2 exempt, counted apart)") in text
