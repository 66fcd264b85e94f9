"""Reporting asset ``audit_findings``: what an auditor would find at each site this week.

The week's PDFs (``site_report_pdfs``) are a graph of steps of their own: ``report_steps.py``.
"""

import dagster as dg
import pandas as pd

from assets.catalog import counts, entry
from assets.partitions import weekly_partitions
from assets.reporting.audit_facts import VERDICT_SEVERITY
from assets.reporting.audit_findings import WeekFacts, company_input_findings
from assets.reporting.audit_findings import audit_findings as grade_site
from assets.reporting.context import report_context
from assets.reporting.facts_by_site import facts_by_site
from assets.reporting.week_reports import sites_of
from assets.resources import CompetenceSettings
from schemas.vocabulary import FindingVerdict


@dg.asset(
    partitions_def=weekly_partitions,
    group_name="reporting",
    kinds={"pandas", "duckdb"},
    **entry("reporting", "audit_findings"),
)
def audit_findings(
    context: dg.AssetExecutionContext,
    settings: CompetenceSettings,
    certification_status: pd.DataFrame,
    source_files: pd.DataFrame,
    rejected_rows: pd.DataFrame,
    unmatched_records: pd.DataFrame,
    roster_snapshot: pd.DataFrame,
    training_effectiveness: pd.DataFrame,
) -> dg.Output[pd.DataFrame]:
    """What an auditor would find at each site this week: every criterion of the site's audit
    criteria sets (ISO 9001 7.2 a-d and 7.5.3 by default) with its verdict — CONFORMS,
    OBSERVATION, MINOR_NC or MAJOR_NC — and, for anything but CONFORMS, an auditor's statement.
    Problems of the shared input files are rows of site "company" (the roll-up), once."""
    config = settings.config
    ctx = report_context(
        context.partition_key, context.run.run_id, config, source_files, roster_snapshot
    )
    # the week's rows and the exceptions tied to sites: built once, graded for every site
    week = WeekFacts.of(
        certification_status,
        source_files,
        rejected_rows,
        unmatched_records,
        config,
        ctx,
        training_effectiveness,
    )
    # each site's rows taken from one grouping of the week, not a scan of the week per site
    facts = facts_by_site(week, sites_of(certification_status, config))
    frames = [grade_site(week, site, site_facts) for site, site_facts in facts.items()]
    # shared input files are the company's: graded once, for the roll-up, never per site
    frames.append(company_input_findings(week))
    findings = pd.concat(frames, ignore_index=True).assign(week=pd.Timestamp(ctx.week))
    return dg.Output(
        findings,
        metadata={
            "dagster/row_count": len(findings),
            **counts("verdict", findings["verdict"], VERDICT_SEVERITY),
            "preview": dg.MetadataValue.md(
                findings[findings["verdict"] != FindingVerdict.CONFORMS][
                    ["site", "criteria_set", "clause", "verdict", "evidence"]
                ]
                .head(10)
                .to_markdown(index=False)
                or "_no findings_"
            ),
        },
    )
