"""The e-mail asset: mail each week's reports to their recipients, exactly once.

It depends on ``mail_clearance``, whose blocking data-quality check skips this step (and only
this step) when a source rejected too much. Sending happens only when the run asks for it — the
weekly schedule tags its runs ``competence/send_mail=true``; a backfill or CLI run can pass
``send: true`` as run config — so backfills render and store but send nothing by default.
"""

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Literal

import dagster as dg
import pandas as pd

from assets.catalog import entry
from assets.delivery.dispatch import ReportToSend, deliver_reports
from assets.delivery.ledger_schema import repair_null_typed_columns
from assets.delivery.mailer import Mailer
from assets.delivery.message import Action, Finding, ReportSummary, SiteLine
from assets.partitions import weekly_partitions
from assets.recipients import COMPANY, resolve_recipients
from assets.resources import CompetenceSettings
from assets.warehouse import SCHEMA, connect
from assets.week_keys import Week
from schemas.config import CompetenceConfig
from schemas.warehouse_tables import declared_columns

# The run tag that switches sending on; defined here, where it is read, and imported by whatever
# tags runs (the weekly schedule, the CLI's week runs).
SEND_MAIL_TAG = "competence/send_mail"


class DeliveryConfig(dg.Config):
    send: bool = False  # also switched on by the run tag competence/send_mail=true
    resend_changed: bool = False  # re-send a report that changed after it was delivered
    # A message whose outcome is unknown (the run died after handing it to the server, or the
    # connection failed after the message data) is held until the operator decides: after
    # checking the mail server's log, "resend" (same Message-ID) or "confirm" (it arrived).
    unknown_outcome: Literal["hold", "resend", "confirm"] = "hold"


def _summary(row: pd.Series, iso_week: str, as_of: date, lines=(), without=()) -> ReportSummary:
    rate = row["compliance_rate"]
    return ReportSummary(
        site=row["report"],
        site_name=row["site_name"],
        iso_week=iso_week,
        as_of=as_of,
        compliance_rate=None if pd.isna(rate) else float(rate),
        verdict=str(row["verdict"]).lower(),  # the reports say RED, the mail says red
        counts=json.loads(row["counts_json"]),
        findings=[Finding(*f) for f in json.loads(row["findings_json"])],
        actions=[
            Action(name, what, date.fromisoformat(due) if due else None)
            for name, what, due in json.loads(row["actions_json"])
        ],
        pdf_path=row["path"],
        sites=tuple(lines),
        sites_without_recipients=tuple(without),
        # the PDF's own figures for the mail body (assets/reporting/briefing.py)
        briefing=json.loads(row.get("briefing_json") or "{}"),
        escalation=_text(row.get("escalation")),
    )


def report_recipients(index: pd.DataFrame, config: CompetenceConfig) -> dict[str, tuple[str, ...]]:
    """Who receives each report, as the reporting stage decided it when it rendered the week
    (the index's ``recipients``). A week stored by an older version, without that column, gets
    the recipients of the current recipients.yaml, as it did then."""
    if "recipients" in index and index["recipients"].notna().all():
        return {
            row.report: tuple(a for a in str(row.recipients).split(", ") if a)
            for row in index.itertuples()
        }
    sites = [r for r in index["report"] if r != COMPANY]
    plan = resolve_recipients(config.recipients, sites)
    return {report: plan.for_report(report) for report in index["report"]}


def _text(value: object) -> str:
    """A text cell of the stored table; empty when missing (a table from an older version)."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


@dg.asset(
    partitions_def=weekly_partitions,
    group_name="delivery",
    kinds={"email", "duckdb"},
    **entry("delivery", "email_delivery"),
    deps=["mail_clearance"],
)
def email_delivery(
    context: dg.AssetExecutionContext,
    config: DeliveryConfig,
    settings: CompetenceSettings,
    mailer: Mailer,
    site_report_pdfs: pd.DataFrame,
) -> Iterator[dg.Output[pd.DataFrame]]:
    """Each site's report to that site's quality managers only, the roll-up to its readers; a
    delivery ledger (site, week, recipient, report hash) makes reruns send nothing twice.

    The step fails, after storing its table, when any recipient due this run was not reached;
    the failure names them (the next run retries them, except unknown outcomes, which wait for
    ``unknown_outcome``)."""
    competence = settings.config
    partition = context.partition_key
    named = Week.of(partition)
    iso_week, as_of, week = named.iso_label, named.as_of, named.monday
    send = config.send or context.run.tags.get(SEND_MAIL_TAG) == "true"

    recipients = report_recipients(site_report_pdfs, competence)
    without = tuple(r for r in site_report_pdfs["report"] if r != COMPANY and not recipients.get(r))
    site_rows = site_report_pdfs[site_report_pdfs["report"] != COMPANY]
    lines = [
        SiteLine(
            r.report,
            r.site_name,
            None if pd.isna(r.compliance_rate) else r.compliance_rate,
            r.verdict,
        )
        for r in site_rows.itertuples()
    ]
    reports = []
    for _, row in site_report_pdfs.iterrows():
        is_company = row["report"] == COMPANY
        summary = _summary(
            row,
            iso_week,
            as_of,
            lines if is_company else (),
            without if is_company else (),
        )
        reports.append(
            ReportToSend.from_pdf(
                site=row["report"],
                week=week,
                iso_week=iso_week,
                pdf_path=row["path"],
                summary=summary,
                recipients=recipients.get(row["report"], ()),
                # the archive must still hold what this run rendered: mail those bytes only
                expected_sha256=row.get("sha256"),
            )
        )
    outcome = deliver_reports(
        reports,
        mailer,
        settings.ledger,
        context.run.run_id,
        send=send,
        resend_changed=config.resend_changed,
        unknown_outcome=config.unknown_outcome,
    )
    if not send:
        context.log.info(
            f"Sending is off for this run ({len(outcome.would_send)} message(s) would go out); "
            "the schedule sends, or pass run config send: true."
        )
    _repair_table(settings.warehouse_path)
    yield dg.Output(
        outcome.table().assign(week=pd.Timestamp(week)),
        metadata={
            "send": send,
            "would_send": len(outcome.would_send),
            "delivered": len(outcome.delivered),
            "failed": len(outcome.failed),
            "not_reached": dg.MetadataValue.json(
                [
                    {"site": k.site, "recipient": k.recipient, "status": st}
                    for k, st, _ in outcome.not_reached()
                ]
            ),
            "skipped": len(outcome.skipped),
            "sites_without_recipients": dg.MetadataValue.json(list(without)),
            "summary": dg.MetadataValue.md(outcome.to_markdown()),
        },
    )
    failure = outcome.failure_summary()
    if failure:
        # After the output: the table and the ledger keep what happened; the run still fails,
        # so a week with undelivered mail is never reported as done (and the data team is told).
        raise dg.Failure(description=f"{iso_week}: {failure}")


def _repair_table(warehouse: Path | object) -> None:
    """Older versions let the table's all-empty first week type ``error`` as NULL, which then
    refused the first error text; give such columns their declared type. (A PostgreSQL
    warehouse, COMPETENCE_WAREHOUSE_URL, creates every column typed: nothing to repair.)"""
    if not isinstance(warehouse, Path):
        return
    types = declared_columns("email_delivery")  # the warehouse's one declaration of its types
    with connect(str(warehouse)) as connection:
        repair_null_typed_columns(connection, SCHEMA, "email_delivery", types)
