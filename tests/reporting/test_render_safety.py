"""Hostile data prints as text and reaches neither the network nor the file system."""

from __future__ import annotations

import pytest
from weasyprint import HTML
from weasyprint.urls import URLFetchingError

from assets.reporting import pdf_writer
from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.fetcher import ReportResourceFetcher
from assets.reporting.pdf_writer import TEMPLATES_DIR
from assets.reporting.site_report import render_site_report
from tests.reporting import frames as F
from tests.reporting.pdf_reading import attachments, pdf_text, squashed

HOSTILE_NAMES = [
    '<img src="file:///etc/passwd">',
    '<link rel="stylesheet" href="http://127.0.0.1:9/x">',
    '<a rel="attachment" href="file:///etc/hostname">doc</a>',
    "שלום כהן",
    "مرحبا علي",
    "Zoë 😀🚀",
]
LONG_NAME = "L" * 5000


@pytest.fixture(scope="module")
def rendered(config, ctx, monkeypatch_module):
    """Render a site whose names are hostile, recording every URL the renderer asked for."""
    fetchers = []
    original = pdf_writer.ReportResourceFetcher

    def recording(*args, **kwargs):
        fetchers.append(original(*args, **kwargs))
        return fetchers[-1]

    monkeypatch_module.setattr(pdf_writer, "ReportResourceFetcher", recording)
    names = [LONG_NAME, *HOSTILE_NAMES]
    rows = F.status_frame(
        [
            F.person(
                f"H{i}",
                name,
                "X",
                status="NOT_STARTED",
                compliance="NON_COMPLIANT",
                job_role=name if i == 1 else "Production Technician",
                overdue_days=3,
            )
            for i, name in enumerate(names)
        ]
    )
    findings = audit_findings(
        WeekFacts.of(rows, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx), "S1"
    )
    pdf = render_site_report(
        "S1",
        WeekFacts.of(rows, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx),
        previous_status=rows.iloc[:0],
        compliance_history=F.history("S1", 2),
        renewal_forecast=F.empty_forecast(),
        points_ledger=F.empty_ledger(),
        findings=findings,
    )
    return pdf, fetchers[0]


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_hostile_names_print_as_literal_text(rendered):
    pdf, _ = rendered
    text = pdf_text(pdf)
    for name in HOSTILE_NAMES:
        assert name in text or squashed(name) in squashed(text), name
    # The long name is cut for print (60 characters with "X", ending in "…"); the attached CSV
    # keeps it whole.
    assert "L" * 57 + "X" not in squashed(text)
    assert "L" * 59 + "…" in squashed(text)
    assert LONG_NAME in attachments(pdf)["employee_status.csv"].decode("utf-8")


def test_nothing_outside_the_templates_is_fetched(rendered):
    pdf, fetcher = rendered
    assert fetcher.refused == []
    template_uri = TEMPLATES_DIR.as_uri() + "/"
    for url in fetcher.requested:
        assert url.startswith(template_uri) or url.startswith("report-memory:"), url
    assert any(url.startswith("report-memory:") for url in fetcher.requested)  # the charts
    assert {"employee_status.csv", "skills_matrix.csv"} <= set(attachments(pdf))


def test_fetcher_refuses_everything_but_template_files_and_its_charts():
    fetcher = ReportResourceFetcher(TEMPLATES_DIR)
    chart = fetcher.memory_url("c.svg", b"<svg/>", "image/svg+xml")
    assert fetcher.fetch(chart).read() == b"<svg/>"
    css = fetcher.fetch((TEMPLATES_DIR / "report.css").as_uri())
    assert css.content_type == "text/css"
    hostile = [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.com/font.ttf",
        "data:text/plain;base64,SGVsbG8=",
        TEMPLATES_DIR.as_uri() + "/../config/policy.yaml",
        TEMPLATES_DIR.as_uri() + "/report.css?x=1",
        "report-memory:not-registered.svg",
        "file://remote-host/share/x",
    ]
    for url in hostile:
        with pytest.raises(URLFetchingError):
            fetcher.fetch(url)
    assert fetcher.refused == hostile


def test_raw_markup_through_the_fetcher_embeds_nothing():
    """Defence in depth: even unescaped hostile HTML cannot pull in a file or call out."""
    fetcher = ReportResourceFetcher(TEMPLATES_DIR)
    html = (
        '<p>x</p><img src="file:///etc/passwd"><link rel="stylesheet" '
        'href="http://127.0.0.1:9/x"><a rel="attachment" href="file:///etc/hostname">a</a>'
    )
    pdf = HTML(string=html, base_url=TEMPLATES_DIR.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert "file:///etc/passwd" in fetcher.refused
    assert "http://127.0.0.1:9/x" in fetcher.refused
    assert attachments(pdf) == {}
