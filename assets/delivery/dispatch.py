"""One run's e-mail delivery: plan against the ledger, compose, claim, send, record (SPEC 6).

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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import pandas as pd

from assets.delivery.ledger import (
    UNKNOWN_CONFIRMED,
    UNKNOWN_HELD,
    UNKNOWN_RESEND,
    DeliveryDecision,
    DeliveryKey,
    claim,
    plan_deliveries,
    record_outcome,
    settle_abandoned,
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
from assets.delivery.ownership import delivering

ARCHIVE_CHANGED = "not sent, the archive changed"
DEFAULT_DEADLINE_SECONDS = 900.0
DEFAULT_BREAKER_FAILURES = 3

# The delivery asset's table in the warehouse, typed here: a column left to type inference from
# an all-empty first week became NULL-typed and refused the first error text after it.
TABLE_COLUMNS = {
    "site": "string",
    "recipient": "string",
    "report_sha256": "string",
    "decision": "string",
    "status": "string",
    "attempts": "int64",
    "error": "string",
}


class MessageDeliverer(Protocol):
    """What dispatch needs from the mailer resource (the ``Mailer`` satisfies it)."""

    sender: str
    max_attachment_bytes: int

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
        )


@dataclass(frozen=True)
class DeliveryResult:
    """A message this run tried to deliver (or settled), and what happened."""

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

    def not_reached(self) -> list[tuple[DeliveryKey, str, str]]:
        """(key, status, why) of every recipient this run was due to reach and did not:
        failed and unknown sends, unknown outcomes held for a decision, stale archives."""
        if not self.send:
            return []
        missing = [
            (r.key, r.outcome.status.value, r.outcome.error or "failed") for r in self.failed
        ]
        for decision in self.decisions:
            if decision.reason == UNKNOWN_HELD:
                missing.append((decision.key, "UNKNOWN", decision.reason))
            elif decision.reason.startswith(ARCHIVE_CHANGED):
                missing.append((decision.key, "NOT_SENT", decision.reason))
        return missing

    def failure_summary(self) -> str | None:
        """One line naming the recipients not reached and what to do, or None when all were."""
        missing = self.not_reached()
        if not missing:
            return None
        due = len({d.key for d in self.decisions if d.send or d.key in {m[0] for m in missing}})
        unknown = [m for m in missing if m[1] == "UNKNOWN"]
        retried = [m for m in missing if m[1] != "UNKNOWN"]
        parts = [f"{len(missing)} of {due} e-mail(s) due were not delivered."]
        if retried:
            parts.append(
                "Not reached (the next run retries them): "
                + "; ".join(f"{k.recipient} ({k.site}: {_short(why)})" for k, _, why in retried)
                + "."
            )
        if unknown:
            parts.append(
                "Outcome unknown, not re-sent automatically: "
                + ", ".join(f"{k.recipient} ({k.site})" for k, _, _ in unknown)
                + ". Look the Message-ID up in the mail server's log (delivery_ledger), then "
                "rerun with email_delivery config unknown_outcome: resend (same Message-ID) "
                "or confirm."
            )
        return " ".join(parts)

    def rows(self) -> list[dict[str, object]]:
        """One row per decision, with the outcome where there is one (for metadata or a table)."""
        outcomes = {r.key: r.outcome for r in self.results}
        rows = []
        for decision in self.decisions:
            outcome = outcomes.get(decision.key)
            if outcome is not None:
                status = outcome.status.value
            elif decision.reason == UNKNOWN_HELD:
                status = "UNKNOWN"
            elif decision.reason.startswith(ARCHIVE_CHANGED):
                status = "NOT_SENT"
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

    def table(self) -> pd.DataFrame:
        """:meth:`rows` as a frame typed by :data:`TABLE_COLUMNS`, also when it is empty."""
        frame = pd.DataFrame(self.rows(), columns=list(TABLE_COLUMNS))
        return frame.astype(TABLE_COLUMNS)

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
    unknown_outcome: str = "hold",
) -> DeliveryReport:
    """Plan, claim, send and record the e-mails of this run's reports."""
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
            _send_all(report_out, by_key, mailer, Path(ledger_path), run_id)
    report_out.decisions += stale
    return report_out


def _send_all(
    report_out: DeliveryReport,
    by_key: dict[DeliveryKey, tuple[ReportToSend, str]],
    mailer: MessageDeliverer,
    ledger_path: Path,
    run_id: str,
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
        message = _compose(report, recipient, mailer)
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
    ledger_path: Path,
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


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
