"""The e-mail asset: mail each week's reports to their recipients, exactly once.

It depends on ``mail_clearance``, whose blocking data-quality check skips this step (and only
this step) when a source rejected too much. Sending happens only when the run asks for it — the
weekly schedule tags its runs ``competence/send_mail=true``; a backfill or CLI run can pass
``send: true`` as run config — so backfills render and store but send nothing by default.

What each mail says comes from the report index (``site_report_pdfs``: people by compliance and
the briefing's figures, as typed columns) and ``report_briefing_lines`` (the briefing's lists),
rebuilt into the typed briefing the reporting stage built (``briefing_table.py``). A week stored
before those existed carries JSON columns instead: ``legacy_index.py`` reads them.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Literal

import dagster as dg
import pandas as pd

from assets.catalog import entry
from assets.delivery.dispatch import ReportToSend, deliver_reports
from assets.delivery.ledger_schema import repair_null_typed_columns
from assets.delivery.legacy_index import SummaryFields, summary_fields_from_json
from assets.delivery.mailer import Mailer
from assets.delivery.message import Action, Finding, ReportSummary, SiteLine
from assets.partitions import weekly_partitions
from assets.recipients import COMPANY, resolve_recipients
from assets.reporting.briefing_table import (
    PEOPLE_COLUMNS,
    briefings_from_tables,
    has_typed_briefing,
)
from assets.reporting.briefing_types import Briefing
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


def _summary(
    row: pd.Series,
    iso_week: str,
    as_of: date,
    lines=(),
    without=(),
    briefing: Briefing | None = None,
) -> ReportSummary:
    """The mail's summary of one index row; ``briefing`` is the row's typed briefing
    (``briefings_from_tables``), None for a row stored with JSON columns instead."""
    rate = row["compliance_rate"]
    fields = (
        _typed_fields(row, briefing)
        if has_typed_briefing(row) and briefing is not None
        else summary_fields_from_json(row)
    )
    return ReportSummary(
        site=row["report"],
        site_name=row["site_name"],
        iso_week=iso_week,
        as_of=as_of,
        compliance_rate=None if pd.isna(rate) else float(rate),
        verdict=str(row["verdict"]).lower(),  # the reports say RED, the mail says red
        counts=fields.counts,
        findings=fields.findings,
        actions=fields.actions,
        pdf_path=row["path"],
        sites=tuple(lines),
        sites_without_recipients=tuple(without),
        # the PDF's own figures for the mail body (assets/reporting/briefing.py)
        briefing=fields.briefing,
        escalation=_text(row.get("escalation")),
    )


def _typed_fields(row: pd.Series, briefing: Briefing) -> SummaryFields:
    """The mail's fields of an index row written with the typed briefing."""
    return SummaryFields(
        counts={code: int(row[column]) for code, column in PEOPLE_COLUMNS.items()},
        findings=[Finding(f.clause, f.verdict, f.title) for f in briefing.findings],
        actions=[Action(a.name, a.what, a.due) for a in briefing.actions],
        briefing=briefing,
    )


def report_summaries(
    index: pd.DataFrame,
    lines: pd.DataFrame,
    iso_week: str,
    as_of: date,
    without: tuple[str, ...] = (),
) -> dict[str, ReportSummary]:
    """Each report's mail summary, from the week's index and briefing lines as stored;
    ``without`` lists the sites whose report goes to nobody (the roll-up's mail names them)."""
    site_rows = index[index["report"] != COMPANY]
    site_lines = [
        SiteLine(
            r.report,
            r.site_name,
            None if pd.isna(r.compliance_rate) else r.compliance_rate,
            r.verdict,
        )
        for r in site_rows.itertuples()
    ]
    briefings = briefings_from_tables(index, lines)
    return {
        row["report"]: _summary(
            row,
            iso_week,
            as_of,
            site_lines if row["report"] == COMPANY else (),
            without if row["report"] == COMPANY else (),
            briefings.get(row["report"]),
        )
        for _, row in index.iterrows()
    }


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


def attachment_limit(config: CompetenceConfig) -> int:
    """The run's attachment limit in bytes after encoding: ``policy.report.max_attachment_mb``
    of the run's own configuration (loaded once per run, never when the code location loads)."""
    return int(config.policy.report.max_attachment_mb * 1024 * 1024)


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
    report_briefing_lines: pd.DataFrame,
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
    summaries = report_summaries(site_report_pdfs, report_briefing_lines, iso_week, as_of, without)
    reports = []
    for _, row in site_report_pdfs.iterrows():
        summary = summaries[row["report"]]
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
        max_attachment_bytes=mailer.max_attachment_bytes or attachment_limit(competence),
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
