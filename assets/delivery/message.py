"""Composes the e-mails: one site report for one recipient, the company roll-up, a run failure.

A report message answers "do I need to open the PDF?" on its own (docs/reports.md): the subject
carries
site, ISO week, compliance rate and nonconformities; the body (HTML and plain text) repeats the
first page's essentials. Messages are deterministic: the same report for the same recipient gives
the same bytes, Message-ID included, so a re-sent message is recognisably the same one.

Readings of the product rules (docs/reports.md) made here:

- Every figure prints through the report's own formatters (``assets/reporting/figures.py``) and
  every code through its vocabulary (``labels.py``): the rate reads "86.8 %" here as on the PDF's
  cover and chart (half-up to one decimal, never truncated), and a verdict reads "Major
  nonconformity", never ``MAJOR_NC``.
- The summary's typed ``briefing`` (``assets/reporting/briefing.py``) carries the PDF's own
  counts: the subject counts the major and minor nonconformities the PDF counts (for the roll-up,
  every site's); observations appear in the body.
- A site's mail is a briefing: verdict, what changed since last week (counts), the five most
  urgent actions with employee id, manager and "overdue N days", the contact for questions, the
  PDF attached.
- ``Date`` is the time the message is composed, which is when it is sent (dispatch composes right
  before sending); tests pass ``sent_at`` to fix it. The Message-ID is deterministic per (site,
  week, recipient, report hash) and its domain is the sender's; a sender on a machine-local name
  (``competence@localhost``) takes the contact address's domain instead, since ``localhost`` in
  a Message-ID makes receiving servers score the message as spam.
- The attachment limit counts the PDF after base64 encoding, CRLF line breaks included.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime

from assets.delivery.email_templates import render_report_bodies
from assets.delivery.summary import (
    COMPLIANCE_ORDER,
    FINDING_SEVERITY,
    TOP_ACTIONS,
    TOP_FINDINGS,
    VERDICTS,
    Action,
    Finding,
    ReportSummary,
    SiteLine,
    body_context,
    counts_phrase,
    headline,
    nonconformity_phrase,
)
from assets.reporting.figures import format_rate
from schemas.identifiers import ROLLUP_NAME

COMPANY = ROLLUP_NAME  # a name no site code can take (schemas/identifiers.py)
# Callers build summaries and read the formatters from here, as before the body text moved out.
__all__ = [
    "COMPANY",
    "COMPLIANCE_ORDER",
    "FINDING_SEVERITY",
    "TOP_ACTIONS",
    "TOP_FINDINGS",
    "VERDICTS",
    "Action",
    "Finding",
    "ReportSummary",
    "SiteLine",
    "attachment_filename",
    "compose_company_message",
    "compose_failure_message",
    "compose_site_message",
    "counts_phrase",
    "encoded_attachment_size",
    "format_rate",
    "message_id_for",
    "nonconformity_phrase",
]
# Headers the mailer reads to name outbox files, and a reader's mail filter can sort on.
SITE_HEADER = "X-Competence-Site"
WEEK_HEADER = "X-Competence-Week"
REPORT_HASH_HEADER = "X-Competence-Report-SHA256"
DEFAULT_SENDER = "competence@localhost"
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ERROR_CHARS = 20_000

# --- public composition functions -------------------------------------------------------------


def compose_site_message(
    summary: ReportSummary,
    recipient: str,
    pdf_bytes: bytes,
    *,
    sender: str = DEFAULT_SENDER,
    report_sha256: str | None = None,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """The weekly e-mail of one site's report for one of its recipients."""
    subject = f"Site {summary.site} - {headline(summary)}"
    title = f"Competence report: {summary.site_name} ({summary.site})"
    return _compose_report(
        summary,
        recipient,
        pdf_bytes,
        subject,
        title,
        sender,
        report_sha256,
        max_attachment_bytes,
        sent_at,
    )


def compose_company_message(
    summary: ReportSummary,
    recipient: str,
    pdf_bytes: bytes,
    *,
    sender: str = DEFAULT_SENDER,
    report_sha256: str | None = None,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
    sent_at: datetime | None = None,
) -> EmailMessage:
    """The weekly e-mail of the company roll-up for one of its readers."""
    subject = f"Company roll-up - {headline(summary)}"
    title = f"Competence roll-up: {summary.site_name}"
    return _compose_report(
        summary,
        recipient,
        pdf_bytes,
        subject,
        title,
        sender,
        report_sha256,
        max_attachment_bytes,
        sent_at,
    )


def compose_failure_message(
    run_id: str,
    job_name: str,
    error_text: str,
    recipients: Sequence[str],
    *,
    sender: str = DEFAULT_SENDER,
    failed_at: datetime | None = None,
    run_url: str | None = None,
    week: str | None = None,
    step: str | None = None,
) -> EmailMessage:
    """A plain-text alert to the data team that a pipeline run failed.

    One message to all recipients (they are one team). The error text is cut at
    ``MAX_ERROR_CHARS`` so a huge stack trace cannot make the alert undeliverable. ``week``
    (the partition key) and ``step`` (the first failed step) lead the subject and the body, with
    the error's first line, so the alert says what broke without opening Dagster.
    """
    if not recipients:
        raise ValueError("a failure message needs at least one recipient")
    error = error_text if len(error_text) <= MAX_ERROR_CHARS else error_text[:MAX_ERROR_CHARS]
    cut = len(error_text) > MAX_ERROR_CHARS
    when = failed_at or datetime.now(UTC)
    first_line = next((line.strip() for line in error_text.splitlines() if line.strip()), "")
    lines = [
        f"The Dagster run {run_id} of job {job_name} failed at {when.isoformat()}.",
        "",
        f"Week: {week or 'none (the run had no week)'}",
        f"Failed step: {step or 'none recorded (the run failed outside a step)'}",
        f"First error line: {first_line}",
        "",
        f"Run: {run_url}" if run_url else "Open the run in the Dagster UI for the full event log.",
        "",
        "Error:",
        error,
    ]
    if cut:
        lines.append(f"[... {len(error_text) - MAX_ERROR_CHARS} more characters in the run log]")
    message = EmailMessage(policy=SMTP_POLICY)
    what = f"week {week} - {step or job_name}" if week else job_name
    message["Subject"] = _header_text(f"Competence run failed - {what} - {run_id[:8]}")
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(when if when.tzinfo else when.replace(tzinfo=UTC))
    digest = hashlib.sha256(f"failure\0{run_id}".encode()).hexdigest()
    message["Message-ID"] = f"<{digest[:32]}.run-failure@{_domain_of(sender)}>"
    message["Auto-Submitted"] = "auto-generated"
    message[SITE_HEADER] = "run-failure"
    message[WEEK_HEADER] = _header_text(run_id)
    message.set_content("\n".join(lines) + "\n")
    return message


# --- helpers that callers and tests can use ----------------------------------------------------


def encoded_attachment_size(raw_size: int) -> int:
    """Bytes a file of ``raw_size`` takes in a message: base64, 76-character lines, CRLF."""
    encoded = 4 * math.ceil(raw_size / 3)
    return encoded + 2 * math.ceil(encoded / 76)


def message_id_for(
    site: str, iso_week: str, recipient: str, report_sha256: str, sender: str
) -> str:
    """Deterministic Message-ID per (site, week, recipient, report hash)."""
    key = "\0".join((site, iso_week, recipient.strip().lower(), report_sha256))
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"<{digest[:32]}.{_token(site)}.{_token(iso_week)}@{_domain_of(sender)}>"


def attachment_filename(site: str, iso_week: str) -> str:
    """``DAYTON_2026-W47.pdf``: the site id and week, in characters safe in any file system."""
    return f"{_token(site)}_{_token(iso_week)}.pdf"


# --- internals --------------------------------------------------------------------------------


def _compose_report(
    summary: ReportSummary,
    recipient: str,
    pdf_bytes: bytes,
    subject: str,
    title: str,
    sender: str,
    report_sha256: str | None,
    max_attachment_bytes: int,
    sent_at: datetime | None = None,
) -> EmailMessage:
    sha = report_sha256 or hashlib.sha256(pdf_bytes).hexdigest()
    filename = attachment_filename(summary.site, summary.iso_week)
    attach = encoded_attachment_size(len(pdf_bytes)) <= max_attachment_bytes
    size = _human_size(len(pdf_bytes))
    if attach:
        pdf_note = f"The full report is attached ({filename}, {size})."
    else:
        pdf_note = (
            f"The full report ({size}) is larger than the e-mail attachment limit and is not "
            f"attached. It is stored at: {summary.pdf_path}"
        )
    text, html = render_report_bodies(body_context(summary, title, pdf_note))

    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = _header_text(subject)
    message["From"] = sender
    message["To"] = recipient
    when = sent_at or datetime.now(UTC)
    message["Date"] = format_datetime(when if when.tzinfo else when.replace(tzinfo=UTC))
    id_sender = sender
    contact = summary.briefing.contact if summary.briefing is not None else None
    if _is_local(sender) and contact:
        id_sender = contact
    message_id = message_id_for(summary.site, summary.iso_week, recipient, sha, id_sender)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message[SITE_HEADER] = _header_text(summary.site)
    message[WEEK_HEADER] = _header_text(summary.iso_week)
    message[REPORT_HASH_HEADER] = sha
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    if attach:
        message.add_attachment(pdf_bytes, maintype="application", subtype="pdf", filename=filename)
    _fix_boundaries(message, message_id)
    return message


def _fix_boundaries(message: EmailMessage, message_id: str) -> None:
    # The email package draws MIME boundaries at random; derive them from the Message-ID so the
    # same message serialises to the same bytes (and the outbox file does not change on rerun).
    seed = hashlib.sha256(message_id.encode()).hexdigest()[:24]
    for index, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"=_competence_{seed}_{index}")


def _is_local(sender: str) -> bool:
    """A sender on a name that means nothing outside this machine (``localhost``, no dot)."""
    domain = _domain_of(sender)
    return (
        "." not in domain
        or domain.endswith((".localdomain", ".local"))
        or domain
        in {
            "localhost",
            "competence.invalid",
        }
    )


def _header_text(text: str) -> str:
    # Data reaches headers (site ids, run ids): control characters would inject header lines.
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).strip()


def _token(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "_", text).strip("_") or "report"


def _domain_of(sender: str) -> str:
    domain = sender.rpartition("@")[2].strip(" >")
    return re.sub(r"[^A-Za-z0-9.-]", "", domain) or "competence.invalid"


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
