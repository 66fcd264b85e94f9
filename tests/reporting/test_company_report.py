"""The company roll-up read back: sites side by side, flags, exceptions and attachments."""

from __future__ import annotations

import pandas as pd
import pytest

from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.company_report import render_company_report
from tests.reporting import frames as F
from tests.reporting.pdf_reading import (
    attachments,
    conformance_failures,
    pdf_text,
    pdfa_identification,
    squashed,
)


@pytest.fixture(scope="module")
def company(config, ctx):
    """DAYTON: 2 of 2 compliant (GREEN). S9 (unconfigured): 1 of 2, overdue 120 days (RED)."""
    status = F.status_frame(
        [
            F.person("D1", "Dora", "Day", site="DAYTON"),
            F.person("D2", "Dan", "Day", site="DAYTON"),
            F.person("S1", "Sam", "Nine", site="S9"),
            F.person(
                "S2",
                "Sue",
                "Nine",
                site="S9",
                status="EXPIRED",
                compliance="NON_COMPLIANT",
                overdue_days=120,
                due_date="2026-07-25",
            ),
        ]
    )
    unmatched = F.unmatched(
        [
            (
                "apex_academy",
                "A-99",
                "providers/apex/book.xlsx",
                7,
                "UNMATCHED",
                None,
                "=evil@example.com",
                "Una",
                "Known",
                None,
            )
        ]
    )
    rejected = F.rejected_rows(
        [
            (
                "northfield_college",
                "providers/northfield_college/r.csv",
                9,
                "assessment_date",
                "not after the run date",
                "2099-01-01",
            )
        ]
    )
    findings = pd.concat(
        [
            audit_findings(
                WeekFacts.of(status, F.source_files(), rejected, unmatched, config, ctx), site
            )
            for site in ("DAYTON", "S9")
        ]
    )
    history = pd.concat([F.history("DAYTON", 4), F.history("S9", 4)])
    pdf = render_company_report(
        WeekFacts.of(status, F.source_files(), rejected, unmatched, config, ctx),
        compliance_history=history,
        findings=findings,
        sites_without_recipients=["S9"],
    )
    return pdf, status, unmatched


def test_sites_side_by_side_with_rates_and_verdicts(company):
    text = pdf_text(company[0])
    flat = squashed(text)
    assert "75.0 % of the 4 people" in text  # 3 of 4 compliant company-wide
    assert "1 red, 0 amber, 1 green" in text
    # Worst site first: S9 RED 50 %, then Dayton GREEN 100 %.
    assert flat.index("S9unconfigured,norecipientsREDNotaudit-ready50.0%1") < flat.index(
        "Dayton,Ohio(DAYTON)GREENAudit-ready100.0%2"
    )
    assert "unconfigured" in text and "no recipients" in text


def test_flags_exceptions_and_data_quality(company):
    text = pdf_text(company[0])
    flat = squashed(text)
    assert "Not in the configuration" in text and "No recipients in recipients.yaml" in text
    assert "A-99" in text and "=evil@example.com" in text
    assert "northfield_college" in text and "not after the run date" in text
    assert "northfield_college14039102.5%0" in flat  # files 1, in 40, ok 39, rej 1, dup 0, 2.5 %
    assert "Sue Nine (S2)" in text  # worst finding statement names the person


def test_company_attachments_and_archival_format(company):
    pdf = company[0]
    assert pdfa_identification(pdf) == ("3", "B")
    assert conformance_failures(pdf, "3b") == {}
    assert conformance_failures(pdf, "ua1") == {}
    attached = attachments(pdf)
    assert set(attached) == {"employee_status.csv", "unmatched_records.csv", "rejected_rows.csv"}
    assert attached["employee_status.csv"].decode().count("\n") == 5
    assert "'=evil@example.com" in attached["unmatched_records.csv"].decode()
