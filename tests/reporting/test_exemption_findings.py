"""Exemptions under 7.2 b): excused people leave the share; open-ended or lapsed ones are named."""

from __future__ import annotations

import pandas as pd

from assets.reporting.audit_findings import audit_findings
from tests.reporting import frames as F


def _grade(config, ctx, rows, decisions):
    status = F.status_frame(rows)
    for column in ("exemption_reason", "exemption_approved_by", "exemption_until"):
        status[column] = [decisions.get(r["employee_id"], {}).get(column) for r in rows]
    status["exemption_until"] = pd.to_datetime(status["exemption_until"])
    findings = audit_findings(
        status, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx, "S1"
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
