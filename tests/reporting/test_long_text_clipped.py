"""Long text values are cut for print (PDF and e-mail) and kept whole in the CSV attachments."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from assets.delivery.message import ReportSummary, compose_site_message
from assets.print_text import ELLIPSIS, clip
from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.site_report import render_site_report
from tests.reporting import frames as F
from tests.reporting.pdf_reading import attachments, pdf_text, squashed

HUGE = 100_000


def _people(long_names: bool) -> list[dict]:
    first = ("A" * HUGE, "Bea", "C" * HUGE) if long_names else ("Ann", "Bea", "Cy")
    last = ("Lee", "B" * HUGE, "Ray")
    return [
        F.person(
            f"E{i}",
            first[i],
            last[i] if long_names else "Lee",
            status="NOT_STARTED",
            compliance="NON_COMPLIANT",
            overdue_days=3,
            manager_email=("m" * HUGE + "@example.com") if long_names and i == 2 else "b@x.com",
        )
        for i in range(3)
    ]


def _render(config, ctx, long_names: bool) -> bytes:
    rows = F.status_frame(_people(long_names))
    findings = audit_findings(
        WeekFacts.of(rows, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx), "S1"
    )
    return render_site_report(
        "S1",
        WeekFacts.of(rows, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx),
        previous_status=rows.iloc[:0],
        compliance_history=F.history("S1", 2),
        renewal_forecast=F.empty_forecast(),
        points_ledger=F.empty_ledger(),
        findings=findings,
    )


@pytest.fixture(scope="module")
def pdfs(config, ctx):
    return _render(config, ctx, long_names=False), _render(config, ctx, long_names=True)


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def test_three_huge_names_do_not_fill_pages(pdfs):
    short, huge = pdfs
    # was 168 pages; a clipped name may wrap inside its fixed-width column (never leave the
    # paper), and as sections flow on, those extra lines may carry one page over
    assert _pages(huge) <= _pages(short) + 1
    assert len(huge) < len(short) + 20_000  # a few hundred characters more, not megabytes


def test_printed_names_are_cut_with_an_ellipsis(pdfs):
    _, huge = pdfs
    text = squashed(pdf_text(huge))
    # first and last name together are cut to 60 characters
    assert "A" * 55 in text and "A" * 60 not in text
    assert "Bea" + "B" * 50 in text and "B" * 60 not in text
    assert "m" * 79 + ELLIPSIS in text and "m" * 80 not in text  # the manager, cut to 80
    assert not re.search(r"[ABCm]{81}", text)
    assert text.count(ELLIPSIS) >= 6  # each long value, wherever it prints


def test_the_attached_csv_keeps_the_full_values(pdfs):
    _, huge = pdfs
    csv = attachments(huge)["employee_status.csv"].decode("utf-8")
    assert "A" * HUGE in csv and "B" * HUGE in csv and "C" * HUGE in csv


def test_the_e_mail_body_cuts_long_names_too(tmp_path):
    summary = ReportSummary(
        site="S1",
        site_name="Site one",
        iso_week="2026-W47",
        as_of=date(2026, 11, 22),
        compliance_rate=0.5,
        verdict="red",
        counts={"COMPLIANT": 1, "NON_COMPLIANT": 3},
        findings=[("7.2 b)", "MAJOR_NC", "Persons are competent")],
        actions=[
            ("A" * HUGE + " Lee", "Pass " + "SAFETY " * 20_000, date(2026, 12, 1)),
            ("Bea " + "B" * HUGE, "Renew CPT", None),
        ],
        pdf_path=tmp_path / "S1.pdf",
    )
    message = compose_site_message(summary, "qm@example.com", b"%PDF-1.7 tiny")
    assert len(message.as_bytes()) < 20_000  # was 929 KB
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "  - " + "A" * 59 + ELLIPSIS + ": Pass SAFETY" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Bea " + "B" * 55 in html and "B" * 60 not in html


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        ("Ann Lee", 60, "Ann Lee"),
        ("x" * 61, 60, "x" * 59 + ELLIPSIS),
        ("abc   defgh", 7, "abc" + ELLIPSIS),  # no trailing space before the ellipsis
        (42, 1, 42),
        (None, 1, None),
    ],
)
def test_clip(value, limit, expected):
    assert clip(value, limit) == expected
