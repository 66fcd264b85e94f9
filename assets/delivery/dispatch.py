"""One run's e-mail delivery: plan against the ledger, compose, send, record (SPEC 6).

``deliver_reports`` is the single entry point the delivery asset calls. It never raises for a mail
failure: every outcome is recorded in the ledger (a ``FAILED`` row is retried by the next run) and
returned in the :class:`DeliveryReport`, whose ``failed`` list the asset can turn into a failing
check or a failed materialization as it sees fit. The report files are never touched here.

Choices:

- Each outcome is recorded right after its send, so a crash mid-run loses no delivery record and a
  rerun does not re-send what already went out.
- When the SMTP server cannot be reached at all (after the mailer's retries), the remaining
  messages of the run are recorded ``FAILED`` with zero attempts instead of each waiting through
  its own retries; the next run retries them all.
- ``send=False`` (backfills) composes and sends nothing, records nothing, and reports what would
  have been sent.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from assets.delivery.ledger import (
    DeliveryDecision,
    DeliveryKey,
    plan_deliveries,
    record_outcome,
)
from assets.delivery.message import (
    COMPANY,
    DEFAULT_MAX_ATTACHMENT_BYTES,
    DEFAULT_SENDER,
    ReportSummary,
    compose_company_message,
    compose_site_message,
)
from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus


class MessageDeliverer(Protocol):
    """What dispatch needs from the mailer resource (the ``Mailer`` satisfies it)."""

    sender: str
    max_attachment_bytes: int

    def deliver(self, message: EmailMessage) -> DeliveryOutcome: ...


@dataclass(frozen=True)
class ReportToSend:
    """One rendered report (a site's, or the company roll-up with ``site="company"``)."""

    site: str
    week: date
    iso_week: str
    pdf_path: Path
    pdf_bytes: bytes
    pdf_sha256: str
    summary: ReportSummary
    recipients: tuple[str, ...]

    def __post_init__(self) -> None:
        actual = hashlib.sha256(self.pdf_bytes).hexdigest()
        if actual != self.pdf_sha256:
            raise ValueError(
                f"{self.pdf_path}: pdf_sha256 {self.pdf_sha256} does not match its bytes ({actual})"
            )
        object.__setattr__(self, "recipients", tuple(self.recipients))

    @classmethod
    def from_pdf(
        cls,
        *,
        site: str,
        week: date,
        iso_week: str,
        pdf_path: str | Path,
        summary: ReportSummary,
        recipients: tuple[str, ...] | list[str],
    ) -> ReportToSend:
        """Read the PDF from disk and hash it."""
        data = Path(pdf_path).read_bytes()
        return cls(
            site=site,
            week=week,
            iso_week=iso_week,
            pdf_path=Path(pdf_path),
            pdf_bytes=data,
            pdf_sha256=hashlib.sha256(data).hexdigest(),
            summary=summary,
            recipients=tuple(recipients),
        )


@dataclass(frozen=True)
class DeliveryResult:
    """A message this run tried to deliver, and what happened."""

    key: DeliveryKey
    reason: str
    outcome: DeliveryOutcome


@dataclass
class DeliveryReport:
    """What one call of :func:`deliver_reports` decided and did."""

    run_id: str
    send: bool
    decisions: list[DeliveryDecision] = field(default_factory=list)
    results: list[DeliveryResult] = field(default_factory=list)
    reports_without_recipients: list[str] = field(default_factory=list)

    @property
    def would_send(self) -> list[DeliveryKey]:
        return [d.key for d in self.decisions if d.send]

    @property
    def skipped(self) -> list[DeliveryDecision]:
        return [d for d in self.decisions if not d.send]

    @property
    def delivered(self) -> list[DeliveryResult]:
        return [r for r in self.results if r.outcome.delivered]

    @property
    def failed(self) -> list[DeliveryResult]:
        return [r for r in self.results if not r.outcome.delivered]

    def rows(self) -> list[dict[str, object]]:
        """One row per decision, with the outcome where there is one (for metadata or a table)."""
        outcomes = {r.key: r.outcome for r in self.results}
        rows = []
        for decision in self.decisions:
            outcome = outcomes.get(decision.key)
            if outcome is not None:
                status = outcome.status.value
            else:
                status = "WOULD_SEND" if decision.send else "SKIPPED"
            rows.append(
                {
                    "site": decision.key.site,
                    "week": decision.key.week.isoformat(),
                    "recipient": decision.key.recipient,
                    "report_sha256": decision.key.report_sha256,
                    "decision": decision.reason,
                    "status": status,
                    "attempts": outcome.attempts if outcome else 0,
                    "error": outcome.error if outcome else None,
                }
            )
        return rows

    def to_markdown(self) -> str:
        """A short table for the Dagster UI."""
        lines = [
            "| site | recipient | decision | status | attempts | error |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for row in self.rows():
            error = (row["error"] or "").replace("|", "/").replace("\n", " ")[:120]
            lines.append(
                f"| {row['site']} | {row['recipient']} | {row['decision']} | {row['status']} | "
                f"{row['attempts']} | {error} |"
            )
        if self.reports_without_recipients:
            lines.append("")
            lines.append("No recipients for: " + ", ".join(self.reports_without_recipients))
        return "\n".join(lines)


def deliver_reports(
    reports: list[ReportToSend],
    mailer: MessageDeliverer,
    ledger_path: str | Path,
    run_id: str,
    send: bool,
    resend_changed: bool = False,
) -> DeliveryReport:
    """Plan, send and record the e-mails of this run's reports."""
    report_out = DeliveryReport(run_id=run_id, send=send)
    by_key: dict[DeliveryKey, tuple[ReportToSend, str]] = {}
    for report in reports:
        if not report.recipients:
            report_out.reports_without_recipients.append(report.site)
        for recipient in report.recipients:
            key = DeliveryKey(report.site, report.week, recipient, report.pdf_sha256)
            by_key.setdefault(key, (report, recipient.strip()))

    report_out.decisions = plan_deliveries(ledger_path, by_key, resend_changed=resend_changed)
    if not send:
        return report_out

    unreachable: str | None = None
    for decision in report_out.decisions:
        if not decision.send:
            continue
        report, recipient = by_key[decision.key]
        message = _compose(report, recipient, mailer)
        if unreachable is None:
            outcome = mailer.deliver(message)
            if outcome.server_unreachable:
                unreachable = outcome.error or "the SMTP server could not be reached"
        else:
            now = datetime.now(UTC)
            outcome = DeliveryOutcome(
                status=DeliveryStatus.FAILED,
                attempts=0,
                first_attempt_at=now,
                last_attempt_at=now,
                message_id=message["Message-ID"],
                error=f"not attempted: earlier in this run, {unreachable}",
            )
        record_outcome(ledger_path, decision.key, outcome, run_id=run_id, iso_week=report.iso_week)
        report_out.results.append(DeliveryResult(decision.key, decision.reason, outcome))
    return report_out


def _compose(report: ReportToSend, recipient: str, mailer: MessageDeliverer) -> EmailMessage:
    compose = compose_company_message if report.site == COMPANY else compose_site_message
    return compose(
        report.summary,
        recipient,
        report.pdf_bytes,
        sender=getattr(mailer, "sender", DEFAULT_SENDER),
        report_sha256=report.pdf_sha256,
        max_attachment_bytes=getattr(mailer, "max_attachment_bytes", DEFAULT_MAX_ATTACHMENT_BYTES),
    )
