"""Message composition: subject, bodies, attachment, size limit, escaping, determinism."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime

from assets.delivery.message import (
    SiteLine,
    compose_company_message,
    compose_failure_message,
    compose_site_message,
    encoded_attachment_size,
    format_rate,
    message_id_for,
    nonconformity_phrase,
)
from tests.delivery.support import fake_pdf, make_summary


def _parts(message):
    parsed = message_from_bytes(message.as_bytes(), policy=default_policy)
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    attachments = list(parsed.iter_attachments())
    return parsed, text, html, attachments


def test_subject_carries_site_week_rate_and_nonconformities(tmp_path):
    message = compose_site_message(make_summary("DAYTON", tmp_path), "qm@example.com", b"%PDF")
    assert message["Subject"] == (
        "Site DAYTON - 2026-W47 - 94.6 % compliant - 2 minor nonconformities"
    )


def test_subject_counts_major_and_singular(tmp_path):
    findings = [("7.2 b)", "MAJOR_NC", "Persons competent"), ("7.2 d)", "MINOR_NC", "Docs")]
    summary = make_summary("S1", tmp_path, findings=findings, compliance_rate=1.0, verdict="red")
    message = compose_site_message(summary, "qm@example.com", b"%PDF")
    assert message["Subject"] == (
        "Site S1 - 2026-W47 - 100.0 % compliant - 1 major nonconformity, 1 minor nonconformity"
    )


def test_rate_rounds_half_up_to_one_decimal_and_none_is_not_available():
    assert format_rate(0.8675) == "86.8 %"  # half-up, not half-even and not truncated
    assert format_rate(0.86749) == "86.7 %"
    assert format_rate(0.29) == "29.0 %"
    assert format_rate(0.9996) == "99.9 %"  # 100.0 % only when everyone is compliant
    assert format_rate(1.0) == "100.0 %"
    assert format_rate(0.0004) == "0.1 %"  # 0.0 % only when nobody is
    assert format_rate(None) == "n/a"
    assert nonconformity_phrase([]) == "no nonconformities"


def test_bodies_repeat_the_first_page(tmp_path):
    actions = [(f"Person {i}", f"Action {i}", date(2026, 12, 10 - i)) for i in range(7)]
    summary = make_summary("DAYTON", tmp_path, actions=actions, verdict="green")
    _, text, html, _ = _parts(compose_site_message(summary, "qm@example.com", fake_pdf("D")))
    for body in (text, html):
        assert "94.6 %" in body
        assert "Audit-ready" in body or "AUDIT-READY" in body
        assert "Non-compliant" in body and "35" in body
        assert "7.2 b)" in body and "Minor nonconformity" in body and "Observation" in body
        assert "NON_COMPLIANT" not in body and "MINOR_NC" not in body
        # CONFORMS is not a finding worth a line in the e-mail
        assert "Competence determined" not in body
        # the five earliest-due actions, not the two latest
        assert "Person 6" in body and "Person 2" in body
        assert "Person 1" not in body and "Person 0" not in body
        assert "2 more" in body
    assert "#2e7d32" in html  # green verdict badge


def test_pdf_attached_byte_identical_with_site_week_filename(tmp_path):
    pdf = fake_pdf("DAYTON")
    _, text, _, attachments = _parts(
        compose_site_message(make_summary("DAYTON", tmp_path), "qm@example.com", pdf)
    )
    assert len(attachments) == 1
    assert attachments[0].get_content_type() == "application/pdf"
    assert attachments[0].get_filename() == "DAYTON_2026-W47.pdf"
    assert attachments[0].get_content() == pdf
    assert "attached (DAYTON_2026-W47.pdf" in text


def test_too_large_pdf_is_replaced_by_its_stored_path(tmp_path):
    pdf = fake_pdf("BIG") * 20
    summary = make_summary("DAYTON", tmp_path)
    limit = encoded_attachment_size(len(pdf)) - 1
    _, text, html, attachments = _parts(
        compose_site_message(summary, "qm@example.com", pdf, max_attachment_bytes=limit)
    )
    assert attachments == []
    assert str(summary.pdf_path) in text
    assert str(summary.pdf_path) in html
    assert "not attached" in text
    # exactly at the limit it is still attached
    _, _, _, at_limit = _parts(
        compose_site_message(summary, "qm@example.com", pdf, max_attachment_bytes=limit + 1)
    )
    assert len(at_limit) == 1


def test_encoded_size_matches_what_the_email_package_writes():
    pdf = fake_pdf("size") * 37
    from email.message import EmailMessage

    holder = EmailMessage()
    holder.add_attachment(pdf, maintype="application", subtype="pdf")
    part = next(holder.iter_attachments())
    payload = part.get_payload().replace("\n", "\r\n")
    assert len(payload) == encoded_attachment_size(len(pdf))


def test_html_escapes_hostile_names(tmp_path):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    summary = make_summary(
        "DAYTON",
        tmp_path,
        site_name=hostile,
        actions=[(hostile, "Pass <b>QUALITY</b>", date(2026, 12, 1))],
        findings=[("7.2 b)", "MINOR_NC", hostile)],
    )
    _, text, html, _ = _parts(compose_site_message(summary, "qm@example.com", b"%PDF"))
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "<b>QUALITY</b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;QUALITY&lt;/b&gt;" in html
    # plain text shows the data as it is
    assert hostile in text


def test_headers_deterministic_and_message_id_per_recipient_and_hash(tmp_path):
    summary = make_summary("DAYTON", tmp_path)
    sent = datetime(2026, 11, 23, 6, 0, 7, tzinfo=UTC)
    first = compose_site_message(summary, "qm@example.com", fake_pdf("a"), sent_at=sent)
    again = compose_site_message(summary, "qm@example.com", fake_pdf("a"), sent_at=sent)
    assert first.as_bytes() == again.as_bytes()
    other_recipient = compose_site_message(summary, "deputy@example.com", fake_pdf("a"))
    changed_report = compose_site_message(summary, "qm@example.com", fake_pdf("b"))
    ids = {m["Message-ID"] for m in (first, other_recipient, changed_report)}
    assert len(ids) == 3
    assert first["Message-ID"].endswith("@localhost>")
    assert parsedate_to_datetime(first["Date"]) == sent
    assert first["Auto-Submitted"] == "auto-generated"
    assert message_id_for("DAYTON", "2026-W47", "QM@example.com", "h", "a@b.com") == (
        message_id_for("DAYTON", "2026-W47", "qm@example.com", "h", "a@b.com")
    )


def test_control_characters_in_site_cannot_inject_headers(tmp_path):
    summary = make_summary("EVIL\r\nBcc: victim@example.com", tmp_path)
    message = compose_site_message(summary, "qm@example.com", b"%PDF")
    parsed = message_from_bytes(message.as_bytes(), policy=default_policy)
    assert parsed["Bcc"] is None
    [attachment] = parsed.iter_attachments()
    assert attachment.get_filename() == "EVIL_Bcc_victim_example_com_2026-W47.pdf"


def test_company_message_lists_sites_and_sites_without_recipients(tmp_path):
    summary = make_summary(
        "company",
        tmp_path,
        site_name="Acme Precision Manufacturing",
        compliance_rate=0.91,
        sites=[
            SiteLine("DAYTON", "Dayton, Ohio", 0.946, "amber", [("7.2 b)", "MINOR_NC", "x")]),
            SiteLine("QUERETARO", "Querétaro, Mexico", 0.8, "red", [("7.2 b)", "MAJOR_NC", "x")]),
        ],
        sites_without_recipients=["NEWSITE"],
    )
    message = compose_company_message(summary, "director@example.com", fake_pdf("c"))
    _, text, html, attachments = _parts(message)
    assert message["Subject"].startswith("Company roll-up - 2026-W47 - 91.0 % compliant - ")
    for body in (text, html):
        assert "Querétaro, Mexico" in body
        assert "1 major nonconformity" in body
        assert "NEWSITE" in body
    assert attachments[0].get_filename() == "company_2026-W47.pdf"


def test_failure_message_for_the_data_team():
    message = compose_failure_message(
        "0f3c5e7a-1111-2222-3333-444455556666",
        "weekly_competence",
        "ValueError: boom\n" + "x" * 30_000,
        ["data-team@example.com", "oncall@example.com"],
        failed_at=datetime(2026, 11, 23, 6, 5, tzinfo=UTC),
    )
    assert message["Subject"] == "Competence run failed - weekly_competence - 0f3c5e7a"
    assert message["To"] == "data-team@example.com, oncall@example.com"
    body = message.get_content()
    assert "ValueError: boom" in body
    assert "more characters in the run log" in body
    assert len(body) < 21_000
    again = compose_failure_message(
        "0f3c5e7a-1111-2222-3333-444455556666", "weekly_competence", "other", ["a@example.com"]
    )
    assert again["Message-ID"] == message["Message-ID"]


def test_exempt_people_are_counted_apart_in_the_mail(tmp_path):
    counts = {"COMPLIANT": 35, "GRACE": 1, "NON_COMPLIANT": 2, "NOT_REQUIRED": 4, "EXEMPT": 3}
    summary = make_summary("DAYTON", tmp_path, counts=counts)
    _, text, _, _ = _parts(compose_site_message(summary, "qm@example.com", fake_pdf("D")))
    # listed with its label, after the people the rate counts and before "Not required"
    assert text.index("Non-compliant: 2") < text.index("Exempt: 3") < text.index("Not required: 4")
    assert "EXEMPT" not in text
