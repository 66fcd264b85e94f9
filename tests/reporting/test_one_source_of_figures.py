"""Issue 11 items 1, 2, 8 and 9 on hand-built sites: the PDFs and the mails are read back.

A RED company of two sites, worked out by hand:

- DAYTON (America/New_York, so Letter paper): 38 people need CPT; 33 are compliant and 5 are
  non-compliant, one of them (Olga Overdue, E900) overdue 905 days -> 33/38 = 86.842 % prints
  "86.8 %" everywhere; 5/38 > 10 % and 905 > 90 days -> 7.2 b) major nonconformity -> RED.
- QUERETARO (America/Mexico_City, so A4): 4 compliant people -> 100.0 %.

The reports go through the real index row (``_summary_row``), the briefing lines and the
delivery stage's summaries (``report_summaries``), so the e-mail sees exactly what the pipeline
hands it.
"""

from __future__ import annotations

import html as html_module
import io
import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime

import pandas as pd
import pikepdf
import pytest
from pypdf import PdfReader

from assets.delivery.assets import report_summaries
from assets.delivery.message import compose_company_message, compose_site_message
from assets.reporting.actions import action_list
from assets.reporting.audit_findings import WeekFacts, attribute, audit_findings
from assets.reporting.briefing import company_briefing, site_briefing
from assets.reporting.briefing_table import briefing_lines, lines_frame
from assets.reporting.changes import weekly_changes
from assets.reporting.company_report import render_company_report, site_rows
from assets.reporting.figures import format_rate, person_name, week_label
from assets.reporting.labels import label, standard
from assets.reporting.paper import paper_for_timezone, site_paper
from assets.reporting.report_index import _summary_row
from assets.reporting.site_files import files_by_site
from assets.reporting.site_report import render_site_report
from tests.reporting import frames as F
from tests.reporting.pdf_reading import attachments, conformance_failures, pdf_text, squashed

RAW_CODES = re.compile(
    r"NON_COMPLIANT|MAJOR_NC|MINOR_NC|IN_PROGRESS|NOT_STARTED|NOT_REQUIRED|in_progress|"
    r"\bISO9001\b"
)
SENT = datetime(2026, 11, 23, 6, 0, 9, tzinfo=UTC)
LETTER = (612, 792)
A4 = (595, 842)


def dayton_rows() -> pd.DataFrame:
    people = [
        F.person(f"E{n:03d}", f"Pat{n}", f"Worker{n}", site="DAYTON", manager_email=f"m{n}@x.com")
        for n in range(1, 33)
    ]
    # compliant, but must renew: a sixth action, so the cover refers to the action list
    people.append(
        F.person("E000", "Pat0", "Worker0", site="DAYTON", status="EXPIRING",
                 expires_on="2026-12-20", days_to_expiry=28)
    )  # fmt: skip
    late = [
        F.person(
            f"E9{n:02d}",
            "Olga" if n == 0 else f"Late{n}",
            "Overdue" if n == 0 else f"Person{n}",
            site="DAYTON",
            status="EXPIRED",
            compliance="NON_COMPLIANT",
            expires_on="2024-05-01",
            due_date="2024-05-01",
            overdue_days=905 - 10 * n,
            days_to_expiry=None,
            manager_email="supervisor.first-shift@dayton.example.com",
        )
        for n in range(5)
    ]
    return F.status_frame(people + late)


def queretaro_rows() -> pd.DataFrame:
    return F.status_frame(
        [F.person(f"Q{n}", f"Ana{n}", f"Ruiz{n}", site="QUERETARO") for n in range(4)]
    )


@pytest.fixture(scope="module")
def week(config, ctx):
    status = pd.concat([dayton_rows(), queretaro_rows()], ignore_index=True)
    previous = status[status["employee_id"] != "E901"]  # E901 is new since last week
    files = F.source_files(
        [
            ("roster", "roster/roster_2026-11-01.csv", "a" * 64, 42, 42, 0, 0, None),
            ("northfield_college", "providers/nc/dayton.csv", "b" * 64, 33, 33, 0, 0, None),
            ("northfield_college", "providers/nc/queretaro.csv", "c" * 64, 4, 4, 0, 0, None),
            ("apex_academy", "providers/apex_academy/README.txt", "d" * 64, 0, 0, 0, 0, "stray"),
        ]
    )
    results = pd.DataFrame(
        {
            "employee_id": ["E001", "Q1"],
            "source_file": ["providers/nc/dayton.csv", "providers/nc/queretaro.csv"],
        }
    )
    roster = status[["employee_id"]].assign(source_file="roster/roster_2026-11-01.csv")
    rejected, unmatched = F.rejected_rows(), F.unmatched()
    findings = pd.concat(
        [
            audit_findings(WeekFacts.of(status, files, rejected, unmatched, config, ctx), site)
            for site in ("DAYTON", "QUERETARO")
        ],
        ignore_index=True,
    )
    attribution = attribute(status, rejected, unmatched)
    file_sites = files_by_site(
        status,
        roster=roster,
        results=results,
        activities=None,
        rejected_rows=rejected,
        unmatched_records=unmatched,
        attribution=attribution,
    )
    week = WeekFacts.of(status, files, rejected, unmatched, config, ctx, attribution=attribution)
    pdfs = {
        site: render_site_report(
            site,
            week,
            previous_status=previous,
            compliance_history=F.history("DAYTON", 3),
            renewal_forecast=pd.DataFrame(),
            points_ledger=pd.DataFrame(),
            findings=findings,
            file_sites=file_sites,
        )
        for site in ("DAYTON", "QUERETARO")
    }
    pdfs["company"] = render_company_report(
        week,
        compliance_history=F.history("DAYTON", 3),
        findings=findings,
        sites_without_recipients=[],
    )
    index, lines = {}, []
    for site in ("DAYTON", "QUERETARO"):
        mine = status[status["site"] == site]
        briefing = site_briefing(
            findings=findings[findings["site"] == site],
            actions=action_list(mine, config),
            changes=weekly_changes(status, previous, site, status),
            contact=config.recipients.contact_for(site),
        )
        lines += briefing_lines(site, briefing)
        index[site] = _summary_row(
            site, config.site(site).name, f"/r/{site}.pdf", pdfs[site], mine,
            findings[findings["site"] == site], ctx, 12, briefing,
        )  # fmt: skip
    site_lines = site_rows(status, findings, config, [])
    briefing = company_briefing(
        findings=findings, site_lines=site_lines, contact=config.recipients.contact_for("company")
    )
    lines += briefing_lines("company", briefing)
    index["company"] = _summary_row(
        "company", "Acme", "/r/company.pdf", pdfs["company"], status, findings, ctx, 12, briefing
    )
    # the index and its briefing lines as the delivery stage reads them back
    summaries = report_summaries(
        pd.DataFrame(list(index.values())),
        lines_frame(lines, pd.Timestamp(ctx.week)),
        ctx.iso_week,
        ctx.as_of,
    )
    mails = {
        "DAYTON": compose_site_message(
            summaries["DAYTON"],
            "qm.dayton@example.com",
            pdfs["DAYTON"],
            sender="competence@acme.example",
            sent_at=SENT,
        ),
        "company": compose_company_message(
            summaries["company"], "quality.director@example.com", pdfs["company"]
        ),
    }
    return {"pdfs": pdfs, "mails": mails, "findings": findings}


def _bodies(message):
    parsed = message_from_bytes(message.as_bytes(), policy=default_policy)
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    return parsed, text, html, list(parsed.iter_attachments())


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _page_size(pdf: bytes) -> tuple[int, int]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        box = [float(v) for v in document.pages[0].mediabox]
    return round(box[2] - box[0]), round(box[3] - box[1])


# --- item 1: one source for every figure ------------------------------------------------------


def test_rates_round_half_up_to_one_decimal_everywhere():
    assert format_rate(33 / 38) == "86.8 %"
    assert format_rate(0.8675) == "86.8 %" and format_rate(0.86749) == "86.7 %"
    assert format_rate(0.99951) == "99.9 %" and format_rate(1.0) == "100.0 %"
    assert format_rate(None) == "n/a"


def test_the_same_rate_string_on_cover_summary_subject_and_both_bodies(week):
    pages = _pages(week["pdfs"]["DAYTON"])
    cover, summary_page = pages[0], "".join(pages[:2])  # sections flow on after the cover
    assert "86.8 %" in cover and "compliant (33 of 38 in scope)" in cover
    assert "Compliance rate 86.8 %" in summary_page
    parsed, text, html, _ = _bodies(week["mails"]["DAYTON"])
    assert parsed["Subject"] == "Site DAYTON - 2026-W47 - 86.8 % compliant - 1 major nonconformity"
    assert "86.8 %" in text and "86.8 %" in html
    # never the truncated or differently rounded forms the issue found
    for body in (text, html, "".join(pages)):
        assert "86 %" not in body and "87 %" not in body and "86%" not in body


def test_cross_references_follow_the_section_list_and_attachments_are_the_real_ones(week):
    text = pdf_text(week["pdfs"]["DAYTON"])
    [referenced] = re.findall(r"actions in all: see section (\d+)", text)
    assert re.search(rf"\n{referenced} · Action list", text)
    attached = set(attachments(week["pdfs"]["DAYTON"]))
    assert attached == {"employee_status.csv", "evidence.csv", "skills_matrix.csv", "actions.csv"}
    listed = squashed(text.split("Attached to this PDF (")[1])
    assert listed.startswith(f"{len(attached)})")
    for name in attached:
        assert f"{name}:" in listed


def test_week_labels_name_the_as_of_sunday():
    assert week_label(F.WEEK) == "22 Nov"  # the trend's last point reads as D, not Monday


# --- item 2: a company roll-up that adds up ----------------------------------------------------


def test_company_subject_counts_are_the_company_pdfs_counts(week):
    findings = week["findings"]
    major = int((findings["verdict"] == "MAJOR_NC").sum())
    minor = int((findings["verdict"] == "MINOR_NC").sum())
    observations = int((findings["verdict"] == "OBSERVATION").sum())
    assert major == 1 and observations >= 1
    cover = _pages(week["pdfs"]["company"])[0]
    flat = squashed(cover)
    assert f"Findingsacrosssites:{major}majornonconformity" in flat
    assert f"{minor}minornonconformit" in flat
    # per site: rate, verdict and its counts; then the total line that adds them up
    assert "Dayton,Ohio(DAYTON)REDNotaudit-ready86.8%33381" in flat
    assert (
        f"Allsites{format_rate(37 / 42).replace(' ', '')}3742{major}{minor}{observations}" in flat
    )
    subject = week["mails"]["company"]["Subject"]
    assert subject == (
        f"Company roll-up - 2026-W47 - {format_rate(37 / 42)} compliant - 1 major nonconformity"
        + (f", {minor} minor nonconformities" if minor > 1 else "")
        + (", 1 minor nonconformity" if minor == 1 else "")
    )


def test_company_mail_names_site_and_standard_and_never_clears_a_red_site(week):
    _, text, html, _ = _bodies(week["mails"]["company"])
    for body in (text, html):
        assert "no nonconformities" not in body
        assert "Site DAYTON · ISO 9001:2015 7.2 b) Persons competent" in body
        assert "1 major nonconformity" in body
        assert "Red · Not audit-ready" in body
    line = next(x for x in text.splitlines() if "(DAYTON)" in x)
    assert "86.8 %" in line and "Red" in line and "1 major nonconformity" in line


def test_company_pdf_findings_name_site_and_edition(week):
    text = pdf_text(week["pdfs"]["company"])
    assert "Site DAYTON · ISO 9001:2015 7.2 b)" in text


# --- item 8: plain language and print craft ---------------------------------------------------


def test_no_raw_code_in_any_pdf_or_mail(week):
    for name, pdf in week["pdfs"].items():
        found = RAW_CODES.findall(pdf_text(pdf))
        assert not found, f"{name}.pdf prints codes {sorted(set(found))}"
    for name, message in week["mails"].items():
        parsed, text, html, _ = _bodies(message)
        for part in (parsed["Subject"], text, html):
            assert not RAW_CODES.findall(part), f"{name} mail prints a code"
    assert label("MAJOR_NC") == "Major nonconformity" and label("in_progress") == "In progress"
    assert standard("ISO9001") == "ISO 9001:2015"


def test_units_spelled_and_one_name_order(week):
    text = pdf_text(week["pdfs"]["DAYTON"])
    assert "overdue 905 days" in text
    assert not re.search(r"\d d(?![)\w])", text)  # "905 d", but not clause "7.2 d)"
    assert "Olga Overdue" in text and "Overdue, Olga" not in text
    assert person_name("Olga", "Overdue") == "Olga Overdue"


def test_addresses_wrap_without_hyphens(week):
    text = pdf_text(week["pdfs"]["DAYTON"])
    assert "supervisor.first-shift@dayton.example.com" in squashed(text)
    # a break inside an address may only follow its own punctuation, never an added hyphen
    for line in text.splitlines():
        assert not re.search(r"supervisor\.first-shift@[\w.]*-$", line.strip())


def test_paper_per_site_letter_for_the_us_a4_for_mexico(week, config):
    assert _page_size(week["pdfs"]["DAYTON"]) == LETTER
    assert _page_size(week["pdfs"]["QUERETARO"]) == A4
    assert _page_size(week["pdfs"]["company"]) == LETTER  # America/Chicago
    assert paper_for_timezone("America/Toronto") == "Letter"
    assert paper_for_timezone("Europe/Berlin") == "A4" and paper_for_timezone("UTC") == "A4"
    sites = {**config.policy.sites}
    sites["DAYTON"] = sites["DAYTON"].model_copy(update={"paper": "A4"})
    policy = config.policy.model_copy(update={"sites": sites})
    assert site_paper(config.model_copy(update={"policy": policy}), "DAYTON") == "A4"
    assert site_paper(config, "DAYTON") == "Letter"


def test_evidence_appendix_lists_the_sites_own_files(week):
    text = pdf_text(week["pdfs"]["DAYTON"])
    appendix = text.split("Evidence appendix")[-1]
    assert "providers/nc/dayton.csv" in appendix and "roster/roster_2026-11-01.csv" in appendix
    assert "queretaro.csv" not in appendix and "README.txt" not in appendix
    assert "Plus 2 company-wide files with no row about this site's people, listed in" in appendix
    assert "README.txt" in pdf_text(week["pdfs"]["company"])


def test_pdfs_stay_archival(week):
    for pdf in week["pdfs"].values():
        assert conformance_failures(pdf, "3b") == {}


# --- item 9: the site e-mail as a briefing -----------------------------------------------------


def test_site_mail_is_a_briefing(week):
    parsed, text, html, attached = _bodies(week["mails"]["DAYTON"])
    pdf_line = " ".join(pdf_text(week["pdfs"]["DAYTON"]).split())
    since_last_week_counts = re.search(r"\d+ joined · .+? other status changes\.", pdf_line)[0]
    rate_split = re.search(r"Compliance rate [^:]+: .+? newly need it \(\d+\)\.", pdf_line)[0]
    for body in (text, html):
        assert "Red · Not audit-ready" in body or "RED · NOT AUDIT-READY" in body
        # what changed since last week: the PDF's own counts and rate split, word for word
        one_line = " ".join(html_module.unescape(body).split())
        assert since_last_week_counts in one_line and rate_split in one_line
        # the five most urgent actions: id, manager, the overdue days spelled out
        assert "Olga Overdue (E900)" in body and "overdue 905 days" in body
        assert "supervisor.first-shift@dayton.example.com" in body
        assert body.count("overdue ") == 5
        assert "Questions about this report:" in body
        assert "quality.director@example.com" in body
    assert "More" not in text and "... and 0 more" not in text
    # in the text body the counts are one indented line under "Since last week:", like the rate
    assert re.search(
        r"^Since last week:\r?\n  \d+ joined · .+\.\r?\n  Compliance rate ", text, re.M
    )
    [pdf] = attached
    assert pdf.get_content() == week["pdfs"]["DAYTON"]
    assert parsedate_to_datetime(parsed["Date"]) == SENT
    assert parsed["Message-ID"].endswith("@acme.example>")


def test_message_id_domain_is_never_localhost(week):
    parsed, *_ = _bodies(week["mails"]["company"])  # composed with the default local sender
    assert parsed["Message-ID"].endswith("@example.com>")  # the contact address's domain
    assert abs((parsedate_to_datetime(parsed["Date"]) - datetime.now(UTC)).total_seconds()) < 600
