"""One run's e-mail delivery: plan against the ledger, compose, claim, send, record
(docs/reports.md).

``deliver_reports`` is the single entry point the delivery asset calls. It never raises for a mail
failure: every outcome is recorded in the ledger and returned in the :class:`DeliveryReport`, whose
:meth:`~DeliveryReport.not_reached` lists every recipient this run should have reached and did not
(the asset fails the step with it). The report files are never written here.

Exactly once (see ``ledger.py`` for the states):

- The intent (``SENDING``, with the deterministic Message-ID) is recorded before each message is
  handed to the server, and the outcome as soon as the server answered the message data — a
  failure at QUIT after a 250 is a success.
- An intent left by a run that died, or a connection that failed after the message data was sent,
  is ``UNKNOWN``: not re-sent automatically; the run fails naming it, and the operator re-runs with
  ``unknown_outcome: resend`` (same Message-ID, so receivers can de-duplicate) or ``confirm``.
- Two runs of the same week cannot both send a message: the claim is one ledger transaction.
- The bytes mailed are the bytes read from the archive, and their hash is what the ledger keys by.
  When the archive no longer holds what this run rendered (another run of the week rewrote it),
  that report is not sent from this run: its figures and the archived PDF could disagree.

Failures stay bounded: each SMTP command has a timeout, the run a deadline
(``Mailer.run_deadline_seconds``), and a circuit breaker stops trying the rest of the run after
``Mailer.breaker_failures`` consecutive connection-level failures (at once when the server cannot
be connected to at all). What was not tried is recorded ``FAILED`` with zero attempts; the next run
retries it. ``send=False`` (backfills) composes and sends nothing, records nothing, and reports
what would have been sent.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from assets.delivery.ledger import (
    UNKNOWN_CONFIRMED,
    UNKNOWN_RESEND,
    DeliveryDecision,
    DeliveryKey,
    claim,
    plan_deliveries,
    record_outcome,
    settle_abandoned,
)
from assets.delivery.ledger_store import LedgerLocation, PostgresLedger, ledger_location
from assets.delivery.message import (
    COMPANY,
    DEFAULT_MAX_ATTACHMENT_BYTES,
    DEFAULT_SENDER,
    ReportSummary,
    compose_company_message,
    compose_site_message,
)
from assets.delivery.outcome import DeliveryOutcome, DeliveryStatus
from assets.delivery.ownership import delivering
from assets.delivery.run_report import (
    ARCHIVE_CHANGED,
    TABLE_COLUMNS,
    DeliveryReport,
    DeliveryResult,
)

__all__ = ["TABLE_COLUMNS", "DeliveryReport", "DeliveryResult", "ReportToSend", "deliver_reports"]

# used when the deliverer is not the Mailer resource (which carries its own settings)
DEFAULT_DEADLINE_SECONDS = 900.0
DEFAULT_BREAKER_FAILURES = 3


class MessageDeliverer(Protocol):
    """What dispatch needs from the mailer resource (the ``Mailer`` satisfies it)."""

    sender: str
    max_attachment_bytes: int | None

    def deliver(self, message: EmailMessage, **kwargs: object) -> DeliveryOutcome: ...


@dataclass(frozen=True)
class ReportToSend:
    """One archived report (a site's, or the company roll-up with ``site="company"``).

    ``archive_problem`` says why the archive does not hold the report this run rendered (then
    the report is not sent); the bytes and hash are always those read from the archive.
    """

    site: str
    week: date
    iso_week: str
    pdf_path: Path
    pdf_bytes: bytes
    pdf_sha256: str
    summary: ReportSummary
    recipients: tuple[str, ...]
    archive_problem: str | None = None
    from_archive: bool = False  # read by from_pdf: checked again before each message

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
        expected_sha256: str | None = None,
    ) -> ReportToSend:
        """Read the PDF from the archive and hash it; ``expected_sha256`` is what was rendered."""
        path = Path(pdf_path)
        problem = None
        try:
            data = path.read_bytes()
        except OSError as exc:
            data, problem = b"", f"{path} cannot be read ({type(exc).__name__}: {exc})"
        sha = hashlib.sha256(data).hexdigest()
        if problem is None and expected_sha256 and sha != expected_sha256:
            problem = (
                f"{path} changed after this run rendered it (SHA-256 {sha[:12]}, rendered "
                f"{expected_sha256[:12]}); was the week run twice at once?"
            )
        return cls(
            site=site,
            week=week,
            iso_week=iso_week,
            pdf_path=path,
            pdf_bytes=data,
            pdf_sha256=sha,
            summary=summary,
            recipients=tuple(recipients),
            archive_problem=problem,
            from_archive=True,
        )


def deliver_reports(
    reports: list[ReportToSend],
    mailer: MessageDeliverer,
    ledger_path: LedgerLocation,
    run_id: str,
    send: bool,
    resend_changed: bool = False,
    unknown_outcome: str = "hold",
    max_attachment_bytes: int | None = None,
) -> DeliveryReport:
    """Plan, claim, send and record the e-mails of this run's reports.

    ``ledger_path`` is the warehouse file (the embedded ledger) or a PostgreSQL ledger
    (``CompetenceSettings.ledger``). ``max_attachment_bytes`` is the run's attachment limit
    (the delivery asset passes the run's ``policy.report.max_attachment_mb``); None: the
    mailer's own, else the default."""
    limit = max_attachment_bytes or _mailer_limit(mailer)
    report_out = DeliveryReport(run_id=run_id, send=send)
    by_key: dict[DeliveryKey, tuple[ReportToSend, str]] = {}
    stale: list[DeliveryDecision] = []
    for report in reports:
        if not report.recipients:
            report_out.reports_without_recipients.append(report.site)
        for recipient in report.recipients:
            key = DeliveryKey(report.site, report.week, recipient, report.pdf_sha256)
            if report.archive_problem:
                stale.append(
                    DeliveryDecision(key, False, f"{ARCHIVE_CHANGED}: {report.archive_problem}")
                )
                continue
            by_key.setdefault(key, (report, recipient.strip()))

    # writing the same file again is harmless, so the outbox retries an unknown outcome
    idempotent = bool(getattr(mailer, "outbox_mode", False))
    with delivering(run_id):
        if send:
            settle_abandoned(
                ledger_path, {(k.site, k.week) for k in by_key}, idempotent_channel=idempotent
            )
        report_out.decisions = plan_deliveries(
            ledger_path,
            by_key,
            resend_changed=resend_changed,
            unknown_outcome=unknown_outcome,
            idempotent_channel=idempotent,
        )
        if send:
            _send_all(report_out, by_key, mailer, ledger_location(ledger_path), run_id, limit)
    report_out.decisions += stale
    return report_out


def _send_all(
    report_out: DeliveryReport,
    by_key: dict[DeliveryKey, tuple[ReportToSend, str]],
    mailer: MessageDeliverer,
    ledger_path: Path | PostgresLedger,
    run_id: str,
    max_attachment_bytes: int,
) -> None:
    budget = float(getattr(mailer, "run_deadline_seconds", DEFAULT_DEADLINE_SECONDS))
    breaker = int(getattr(mailer, "breaker_failures", DEFAULT_BREAKER_FAILURES))
    deadline = time.monotonic() + budget
    lease = timedelta(seconds=budget + 600)  # another host treats the claim as alive this long
    consecutive, stopped = 0, None
    for index, decision in enumerate(report_out.decisions):
        report, recipient = by_key[decision.key]
        if decision.reason == UNKNOWN_CONFIRMED:
            outcome = _not_sent(
                DeliveryStatus.SENT, None, f"confirmed delivered by the operator in run {run_id}"
            )
            record_outcome(
                ledger_path, decision.key, outcome, run_id=run_id, iso_week=report.iso_week
            )
            report_out.results.append(DeliveryResult(decision.key, decision.reason, outcome))
            continue
        if not decision.send:
            continue
        changed = _archive_changed(report)
        if changed:
            # another run of the week rewrote the PDF: what this run would mail is stale
            report_out.decisions[index] = DeliveryDecision(
                decision.key, False, f"{ARCHIVE_CHANGED}: {changed}"
            )
            continue
        message = _compose(report, recipient, mailer, max_attachment_bytes)
        if stopped is None and time.monotonic() >= deadline:
            stopped = f"the run's delivery deadline ({budget:g} s) passed"
        if stopped is not None:
            outcome = _not_sent(
                DeliveryStatus.FAILED, message["Message-ID"], f"not attempted: {stopped}"
            )
            record_outcome(
                ledger_path, decision.key, outcome, run_id=run_id, iso_week=report.iso_week
            )
            report_out.results.append(DeliveryResult(decision.key, decision.reason, outcome))
            continue
        claimed, found = claim(
            ledger_path,
            decision.key,
            run_id=run_id,
            message_id=message["Message-ID"],
            iso_week=report.iso_week,
            lease=lease,
            take_unknown=decision.reason == UNKNOWN_RESEND
            or bool(getattr(mailer, "outbox_mode", False)),
        )
        if not claimed:
            # another run of the week got there first (it sends, or already sent, this one)
            report_out.decisions[index] = DeliveryDecision(
                decision.key, False, f"taken by another run meanwhile ({found})"
            )
            continue
        outcome = _send_and_record(
            mailer, message, deadline, ledger_path, decision.key, run_id, report
        )
        report_out.results.append(DeliveryResult(decision.key, decision.reason, outcome))
        consecutive = consecutive + 1 if outcome.connection_failure else 0
        if outcome.server_unreachable:
            stopped = (
                f"earlier in this run, {outcome.error or 'the SMTP server could not be reached'}"
            )
        elif consecutive >= breaker:
            stopped = (
                f"circuit breaker: {consecutive} consecutive connection failures in this run "
                f"(last: {outcome.error})"
            )


def _send_and_record(
    mailer: MessageDeliverer,
    message: EmailMessage,
    deadline: float,
    ledger_path: Path | PostgresLedger,
    key: DeliveryKey,
    run_id: str,
    report: ReportToSend,
) -> DeliveryOutcome:
    """Send one claimed message; its outcome is recorded the moment the server accepted it."""
    recorded: list[DeliveryOutcome] = []

    def record(outcome: DeliveryOutcome) -> None:
        record_outcome(ledger_path, key, outcome, run_id=run_id, iso_week=report.iso_week)
        recorded.append(outcome)

    outcome = mailer.deliver(message, deadline=deadline, on_accepted=record)
    if not recorded:
        record(outcome)
    return outcome


def _archive_changed(report: ReportToSend) -> str | None:
    """Why the archive no longer holds the bytes about to be mailed, if it does not."""
    if not report.from_archive:
        return None
    try:
        now = hashlib.sha256(report.pdf_path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"{report.pdf_path} cannot be read ({type(exc).__name__}: {exc})"
    if now == report.pdf_sha256:
        return None
    return (
        f"{report.pdf_path} changed while this run was mailing it (SHA-256 {now[:12]}, "
        f"mailed {report.pdf_sha256[:12]}); was the week run twice at once?"
    )


def _not_sent(status: DeliveryStatus, message_id: str | None, error: str) -> DeliveryOutcome:
    now = datetime.now(UTC)
    return DeliveryOutcome(
        status=status,
        attempts=0,
        first_attempt_at=now,
        last_attempt_at=now,
        message_id=message_id,
        error=error,
    )


def _mailer_limit(mailer: MessageDeliverer) -> int:
    """The mailer's own attachment limit, when it has one (a test's or a script's mailer)."""
    return getattr(mailer, "max_attachment_bytes", None) or DEFAULT_MAX_ATTACHMENT_BYTES


def _compose(
    report: ReportToSend, recipient: str, mailer: MessageDeliverer, max_attachment_bytes: int
) -> EmailMessage:
    compose = compose_company_message if report.site == COMPANY else compose_site_message
    return compose(
        report.summary,
        recipient,
        report.pdf_bytes,
        sender=getattr(mailer, "sender", DEFAULT_SENDER),
        report_sha256=report.pdf_sha256,
        max_attachment_bytes=max_attachment_bytes,
    )
