"""Composes the e-mails: one site report for one recipient, the company roll-up, a run failure.

A report message answers "do I need to open the PDF?" on its own (SPEC 6): the subject carries
site, ISO week, compliance rate and nonconformities; the body (HTML and plain text) repeats the
first page's essentials. Messages are deterministic: the same report for the same recipient gives
the same bytes, Message-ID included, so a re-sent message is recognisably the same one.

Readings of the SPEC made here:

- ``compliance_rate`` is a fraction (0..1), or ``None`` when no one at the site needs a credential.
  It is rounded *down* to a whole percent, so "100%" only ever means everyone is compliant.
- The subject counts major and minor nonconformities only; observations appear in the body.
- The body shows the five worst findings that are not ``CONFORMS`` and the five actions with the
  earliest due date (an action without a due date comes last).
- ``Date`` is the Monday after the as-of Sunday at 06:00 UTC (the nominal weekly send), which keeps
  outbox files byte-identical across reruns; the SMTP mailer re-dates a message when it sends it.
- The attachment limit counts the PDF after base64 encoding, CRLF line breaks included.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime
from pathlib import Path
from typing import NamedTuple

from assets.delivery.email_templates import render_report_bodies
from schemas.identifiers import ROLLUP_NAME

COMPANY = ROLLUP_NAME  # a name no site code can take (schemas/identifiers.py)
# Headers the mailer reads to name outbox files, and a reader's mail filter can sort on.
SITE_HEADER = "X-Competence-Site"
WEEK_HEADER = "X-Competence-Week"
REPORT_HASH_HEADER = "X-Competence-Report-SHA256"
DEFAULT_SENDER = "competence@localhost"
DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
TOP_FINDINGS = 5
TOP_ACTIONS = 5
MAX_ERROR_CHARS = 20_000

# Display order of compliance counts; unknown labels follow, sorted.
COMPLIANCE_ORDER = ("COMPLIANT", "GRACE", "NON_COMPLIANT", "NOT_REQUIRED")
# Worst first. CONFORMS is not a finding worth a line in the e-mail.
FINDING_SEVERITY = {"MAJOR_NC": 0, "MINOR_NC": 1, "OBSERVATION": 2}

VERDICTS = {
    "red": {"label": "Not audit-ready", "background": "#c62828", "foreground": "#ffffff"},
    "amber": {"label": "Attention needed", "background": "#f9a825", "foreground": "#222222"},
    "green": {"label": "Audit-ready", "background": "#2e7d32", "foreground": "#ffffff"},
    # nobody at the site needs a credential: nothing to call audit-ready
    "not_rated": {
        "label": "Not rated: nobody in scope",
        "background": "#616161",
        "foreground": "#ffffff",
    },
}


class Finding(NamedTuple):
    """One audit criterion's result: clause (``7.2 b)``), verdict (``MINOR_NC``) and title."""

    clause: str
    verdict: str
    title: str


class Action(NamedTuple):
    """One person's most urgent action and its due date."""

    name: str
    action: str
    due_date: date | None


class SiteLine(NamedTuple):
    """One site's line in the company roll-up."""

    site: str
    site_name: str
    compliance_rate: float | None
    verdict: str
    findings: Sequence[Finding] = ()


@dataclass(frozen=True)
class ReportSummary:
    """The first page of a report, as the e-mail repeats it.

    ``counts`` maps a compliance value (``COMPLIANT``, ``GRACE``, ...) to its number of people.
    ``pdf_path`` is where the PDF is stored, named in the body when it is too big to attach.
    For the company roll-up, ``site`` is ``"company"``, ``sites`` lists every site and
    ``sites_without_recipients`` the sites whose report was not mailed to anyone.
    """

    site: str
    site_name: str
    iso_week: str
    as_of: date
    compliance_rate: float | None
    verdict: str
    counts: Mapping[str, int]
    findings: Sequence[Finding | tuple[str, str, str]]
    actions: Sequence[Action | tuple[str, str, date | None]]
    pdf_path: str | Path
    sites: Sequence[SiteLine] = field(default_factory=tuple)
    sites_without_recipients: Sequence[str] = field(default_factory=tuple)
    # the site's corrective actions escalated to its lead, as one sentence naming the lead
    escalation: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r}: expected one of {sorted(VERDICTS)}")
        if self.compliance_rate is not None and not 0 <= self.compliance_rate <= 1:
            raise ValueError(f"compliance_rate {self.compliance_rate!r}: expected 0..1 or None")
        # Accept plain tuples from the callers' DataFrames; keep named fields for the templates.
        object.__setattr__(self, "findings", tuple(Finding(*f) for f in self.findings))
        object.__setattr__(self, "actions", tuple(Action(*a) for a in self.actions))
        object.__setattr__(self, "sites", tuple(SiteLine(*s) for s in self.sites))


# --- public composition functions -------------------------------------------------------------


def compose_site_message(
    summary: ReportSummary,
    recipient: str,
    pdf_bytes: bytes,
    *,
    sender: str = DEFAULT_SENDER,
    report_sha256: str | None = None,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
) -> EmailMessage:
    """The weekly e-mail of one site's report for one of its recipients."""
    subject = f"Site {summary.site} - {_headline(summary)}"
    title = f"Competence report: {summary.site_name} ({summary.site})"
    return _compose_report(
        summary, recipient, pdf_bytes, subject, title, sender, report_sha256, max_attachment_bytes
    )


def compose_company_message(
    summary: ReportSummary,
    recipient: str,
    pdf_bytes: bytes,
    *,
    sender: str = DEFAULT_SENDER,
    report_sha256: str | None = None,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
) -> EmailMessage:
    """The weekly e-mail of the company roll-up for one of its readers."""
    subject = f"Company roll-up - {_headline(summary)}"
    title = f"Competence roll-up: {summary.site_name}"
    return _compose_report(
        summary, recipient, pdf_bytes, subject, title, sender, report_sha256, max_attachment_bytes
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


def format_rate(rate: float | None) -> str:
    """``0.946`` -> ``94%`` (rounded down); ``None`` -> ``n/a``."""
    if rate is None:
        return "n/a"
    # The epsilon keeps 0.29 (28.999...) at 29% while 0.999 stays below 100%.
    return f"{math.floor(rate * 100 + 1e-9)}%"


def nonconformity_phrase(findings: Sequence[Finding]) -> str:
    """``1 major nonconformity, 2 minor nonconformities`` or ``no nonconformities``."""
    major = sum(1 for f in findings if f.verdict == "MAJOR_NC")
    minor = sum(1 for f in findings if f.verdict == "MINOR_NC")
    parts = [
        f"{count} {kind} nonconformit{'y' if count == 1 else 'ies'}"
        for count, kind in ((major, "major"), (minor, "minor"))
        if count
    ]
    return ", ".join(parts) or "no nonconformities"


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
    text, html = render_report_bodies(_body_context(summary, title, pdf_note))

    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = _header_text(subject)
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(_nominal_send_time(summary.as_of))
    message_id = message_id_for(summary.site, summary.iso_week, recipient, sha, sender)
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


def rate_phrase(rate: float | None) -> str:
    """``94% compliant``, or ``nobody in scope`` (never "n/a compliant": nobody to comply)."""
    return "nobody in scope" if rate is None else f"{format_rate(rate)} compliant"


def _headline(summary: ReportSummary) -> str:
    return (
        f"{summary.iso_week} - {rate_phrase(summary.compliance_rate)} - "
        f"{nonconformity_phrase(summary.findings)}"
    )


def _body_context(summary: ReportSummary, title: str, pdf_note: str) -> dict[str, object]:
    worst = sorted(
        (f for f in summary.findings if f.verdict in FINDING_SEVERITY),
        key=lambda f: FINDING_SEVERITY[f.verdict],
    )
    urgent = sorted(summary.actions, key=lambda a: (a.due_date is None, a.due_date or date.max))
    known = [label for label in COMPLIANCE_ORDER if label in summary.counts]
    others = sorted(label for label in summary.counts if label not in COMPLIANCE_ORDER)
    return {
        "title": title,
        "iso_week": summary.iso_week,
        "as_of": summary.as_of.isoformat(),
        "verdict": VERDICTS[summary.verdict],
        "rate": format_rate(summary.compliance_rate),
        "rate_phrase": rate_phrase(summary.compliance_rate),
        "nonconformities": nonconformity_phrase(summary.findings),
        "counts": [(label, int(summary.counts[label])) for label in (*known, *others)],
        "findings": worst[:TOP_FINDINGS],
        "actions": [
            {
                "name": a.name,
                "action": a.action,
                "due": a.due_date.isoformat() if a.due_date else "no date",
            }
            for a in urgent[:TOP_ACTIONS]
        ],
        "more_actions": max(0, len(urgent) - TOP_ACTIONS),
        "sites": [
            {
                "site": line.site,
                "site_name": line.site_name,
                "rate": format_rate(line.compliance_rate),
                "rate_phrase": rate_phrase(line.compliance_rate),
                "verdict_label": VERDICTS.get(line.verdict.lower(), {"label": line.verdict})[
                    "label"
                ],
                "nonconformities": nonconformity_phrase([Finding(*f) for f in line.findings]),
            }
            for line in summary.sites
        ],
        "sites_without_recipients": list(summary.sites_without_recipients),
        "pdf_note": pdf_note,
        "escalation": summary.escalation,
    }


def _fix_boundaries(message: EmailMessage, message_id: str) -> None:
    # The email package draws MIME boundaries at random; derive them from the Message-ID so the
    # same message serialises to the same bytes (and the outbox file does not change on rerun).
    seed = hashlib.sha256(message_id.encode()).hexdigest()[:24]
    for index, part in enumerate(p for p in message.walk() if p.is_multipart()):
        part.set_boundary(f"=_competence_{seed}_{index}")


def _nominal_send_time(as_of: date) -> datetime:
    return datetime.combine(as_of + timedelta(days=1), time(6, 0), tzinfo=UTC)


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
