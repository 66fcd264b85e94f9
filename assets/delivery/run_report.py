"""What one delivery run decided and did: the decisions, the outcomes, who was not reached.

Also the shape of the ``email_delivery`` table the asset stores from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from assets.delivery.ledger import UNKNOWN_HELD, DeliveryDecision, DeliveryKey
from assets.delivery.outcome import DeliveryOutcome

ARCHIVE_CHANGED = "not sent, the archive changed"

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


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
