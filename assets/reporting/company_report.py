"""Render the company roll-up PDF: every site side by side, worst findings, trend, unmatched
records and data quality, unconfigured sites and sites without recipients.

The company rate per week is the sum of compliant rows over the sum of in-scope rows across
sites (not an average of site rates, so a big site weighs as much as its people). Unmatched
records and rejected rows print up to ``MAX_EXCEPTION_ROWS`` each; all of them ride along as
CSV attachments, with every site's status rows. An attachment larger than the policy's
``report.max_attachment_mb`` is left out and the PDF says where the file is instead.
"""

from __future__ import annotations

import pandas as pd

from assets.csv_bytes import employee_status_csv, frame_to_csv_bytes
from assets.ingest.reject_share import reject_shares
from assets.reporting.audit_findings import WeekFacts, site_verdict, worst_findings
from assets.reporting.charts import trend_chart
from assets.reporting.corrective_actions import action_report
from assets.reporting.document_control import DocumentControl
from assets.reporting.figures import format_rate
from assets.reporting.labels import VERDICT_MEANING, standard
from assets.reporting.paper import company_paper
from assets.reporting.pdf_writer import Chart, CsvAttachment, PdfMetadata, write_pdf
from assets.reporting.site_report import (
    FINDING_KINDS,
    empty_actions,
    finding_counts,
    first_issue,
    records,
    section_numbers,
    verdict_reason,
)
from assets.reporting.site_slices import rows_by_site, take
from assets.reporting.summary import IN_SCOPE, compliance_rate, rate_trend
from schemas.config import CompetenceConfig
from schemas.identifiers import ROLLUP_NAME
from schemas.vocabulary import Compliance, SiteVerdict

MAX_EXCEPTION_ROWS = 150
WORST_ACROSS_SITES = 10
COMPANY_SECTIONS = ("findings", "quality", "actions", "evidence")


def site_rows(
    status: pd.DataFrame,
    findings: pd.DataFrame,
    config: CompetenceConfig,
    sites_without_recipients: list[str],
) -> list[dict]:
    """One line per site: counts, rate, verdict, its finding counts, worst finding and flags;
    worst sites first. The company PDF's table and the company e-mail both print these lines."""
    # the roll-up's own rows (company-wide input problems) are not a site
    sites = sorted(
        (set(status["site"].astype(str)) | set(findings["site"].astype(str))) - {ROLLUP_NAME}
    )
    order = {
        SiteVerdict.RED: 0,
        SiteVerdict.AMBER: 1,
        SiteVerdict.NOT_RATED: 2,
        SiteVerdict.GREEN: 3,
    }
    # each site's rows found by one grouping of each frame, not a scan of the company per site
    status_at, findings_at = rows_by_site(status), rows_by_site(findings)
    lines = []
    for site in sites:
        rows = take(status, status_at, site)
        mine = take(findings, findings_at, site)
        in_scope = int(rows["compliance"].isin(IN_SCOPE).sum())
        compliant = int((rows["compliance"] == Compliance.COMPLIANT).sum())
        worst = worst_findings(mine, 1)
        lines.append(
            {
                "site": site,
                "name": config.site(site).name,
                "headcount": int(rows["employee_id"].nunique()),
                "in_scope": in_scope,
                "compliant": compliant,
                "grace": int((rows["compliance"] == Compliance.GRACE).sum()),
                "non_compliant": int((rows["compliance"] == Compliance.NON_COMPLIANT).sum()),
                "exempt": int((rows["compliance"] == Compliance.EXEMPT).sum()),
                "rate": compliance_rate(compliant, in_scope),
                "rag": site_verdict(mine, in_scope=in_scope),
                "reason": verdict_reason(mine),
                "counts": finding_counts(mine),
                "worst": ""
                if worst.empty
                else (
                    f"{standard(worst.iloc[0]['criteria_set'])} "
                    f"{worst.iloc[0]['clause']}: "
                    f"{worst.iloc[0]['evidence']}"
                ),
                "configured": site in config.policy.sites,
                "has_recipients": site not in sites_without_recipients,
            }
        )
    return sorted(
        lines,
        key=lambda s: (order[s["rag"]], s["rate"] if s["rate"] is not None else 2.0, s["site"]),
    )


def company_history(history: pd.DataFrame) -> pd.DataFrame:
    """Weekly company rate from the per-site snapshots (sum of compliant / sum in scope)."""
    if history.empty:
        return pd.DataFrame(columns=["week", "compliance_rate"])
    weekly = history.groupby("week", sort=True)[["compliant", "headcount_in_scope"]].sum()
    rate = weekly["compliant"] / weekly["headcount_in_scope"].where(
        weekly["headcount_in_scope"] > 0
    )
    return pd.DataFrame({"week": weekly.index, "compliance_rate": rate.to_numpy()})


def data_quality(source_files: pd.DataFrame, threshold: float) -> list[dict]:
    """Per source: files, rows in/accepted/rejected/de-duplicated, reject share, over threshold."""
    if source_files.empty:
        return []
    numbers = source_files.assign(
        **{
            c: pd.to_numeric(source_files[c], errors="coerce").fillna(0)
            for c in ("rows_in", "accepted", "rejected", "deduplicated")
        }
    )
    numbers["failed"] = source_files["problem"].notna()
    grouped = numbers.groupby("source", sort=True).agg(
        files=("file", "count"),
        rows_in=("rows_in", "sum"),
        accepted=("accepted", "sum"),
        rejected=("rejected", "sum"),
        deduplicated=("deduplicated", "sum"),
        failed=("failed", "sum"),
    )
    # the mail gate's share: files rejected whole count (assets.ingest.reject_share)
    shares = reject_shares(numbers, threshold).set_index("source")["reject_share"]
    out = []
    for source, r in grouped.iterrows():
        share = float(shares.get(source, 0.0))
        out.append(
            {
                "source": source,
                "files": int(r.files),
                "rows_in": int(r.rows_in),
                "accepted": int(r.accepted),
                "rejected": int(r.rejected),
                "deduplicated": int(r.deduplicated),
                "failed": int(r.failed),
                "share": share,
                "over": share > threshold,
            }
        )
    return out


def _attachment(
    name: str, data: bytes, description: str, limit_mb: float, skipped: list[str]
) -> list[CsvAttachment]:
    if len(data) > limit_mb * 1024 * 1024:
        skipped.append(name)
        return []
    return [CsvAttachment(name, data, description)]


def render_company_report(
    week: WeekFacts,
    *,
    compliance_history: pd.DataFrame,
    findings: pd.DataFrame,
    sites_without_recipients: list[str],
    corrective_actions: pd.DataFrame | None = None,
    document: DocumentControl | None = None,
) -> bytes:
    """The company roll-up PDF/A-3b for ``week.ctx.week`` as bytes (deterministic for equal
    inputs): every site of ``week.status`` side by side, and the company's input files."""
    status, config, ctx = week.status, week.config, week.ctx
    source_files = week.source_files
    rejected_rows, unmatched_records = week.rejected_rows, week.unmatched_records
    policy = config.policy
    document = document or first_issue(ROLLUP_NAME, ctx, config)
    sites = site_rows(status, findings, config, sites_without_recipients)
    in_scope = sum(s["in_scope"] for s in sites)
    rate = compliance_rate(sum(s["compliant"] for s in sites), in_scope)
    totals = {kind: sum(s["counts"][kind] for s in sites) for kind in FINDING_KINDS}
    trend = rate_trend(
        company_history(compliance_history),
        ctx.week,
        policy.report.history_weeks,
        this_week_rate=rate,
    )
    charts = []
    if trend.weeks:
        charts.append(
            Chart(
                "trend",
                trend_chart(
                    trend.weeks,
                    trend.rates,
                    f"Company compliance rate, last {len(trend.weeks)} of "
                    f"{trend.wanted_weeks} weeks",
                ),
                "Company compliance rate by week: "
                + ", ".join(
                    f"week of {w:%Y-%m-%d} {format_rate(r)}"
                    for w, r in zip(trend.weeks, trend.rates, strict=True)
                ),
            )
        )
    skipped: list[str] = []
    limit = policy.report.max_attachment_mb
    attachments = [
        *_attachment(
            "employee_status.csv",
            employee_status_csv(status),
            f"Status rows of every site, {ctx.iso_week}",
            limit,
            skipped,
        ),
        *_attachment(
            "unmatched_records.csv",
            frame_to_csv_bytes(unmatched_records),
            f"Provider records not linked to a person, {ctx.iso_week}",
            limit,
            skipped,
        ),
        *_attachment(
            "rejected_rows.csv",
            frame_to_csv_bytes(rejected_rows),
            f"Rejected input rows, {ctx.iso_week}",
            limit,
            skipped,
        ),
    ]
    reasons = (
        unmatched_records.groupby(["provider", "reason"]).size().reset_index(name="count")
        if not unmatched_records.empty
        else pd.DataFrame()
    )
    checks = (
        rejected_rows.groupby(["source", "check"])
        .size()
        .reset_index(name="count")
        .sort_values(["count", "source"], ascending=[False, True])
        if not rejected_rows.empty
        else pd.DataFrame()
    )
    context = {
        "ctx": ctx,
        "paper": company_paper(config),
        "section": section_numbers(COMPANY_SECTIONS),
        "verdict_meaning": VERDICT_MEANING,
        "totals": totals,
        "compliant": sum(s["compliant"] for s in sites),
        "exempt": sum(s["exempt"] for s in sites),
        "company": policy.company_name,
        "running_title": f"{policy.company_name} · company competence roll-up",
        "rate": rate,
        "in_scope": in_scope,
        "sites": sites,
        "rag_counts": {
            c: sum(s["rag"] == c for s in sites)
            for c in (SiteVerdict.RED, SiteVerdict.AMBER, SiteVerdict.GREEN, SiteVerdict.NOT_RATED)
        },
        "trend": trend,
        "worst": records(
            worst_findings(findings[findings["site"] != ROLLUP_NAME], WORST_ACROSS_SITES)
        ),
        "company_findings": records(findings[findings["site"] == ROLLUP_NAME]),
        "unmatched": records(
            unmatched_records.sort_values(["provider", "record_id"]).head(MAX_EXCEPTION_ROWS)
        ),
        "unmatched_total": len(unmatched_records),
        "unmatched_reasons": records(reasons),
        "rejected_checks": records(checks),
        "rejected_total": len(rejected_rows),
        "quality": data_quality(source_files, policy.reject_share_threshold),
        "threshold": policy.reject_share_threshold,
        "failed_files": records(source_files[source_files["problem"].notna()]),
        "unconfigured": [s for s in sites if not s["configured"]],
        "without_recipients": sorted(sites_without_recipients),
        "source_files": records(source_files.sort_values(["source", "file"])),
        "corrective": action_report(
            empty_actions() if corrective_actions is None else corrective_actions, None, config
        ),
        "document": document,
        "config_hash": config.config_hash,
        "attachment_names": [a.name for a in attachments],
        "skipped_attachments": skipped,
        "max_rows": MAX_EXCEPTION_ROWS,
    }
    metadata = PdfMetadata(
        title=f"Competence roll-up {policy.company_name} {ctx.iso_week}",
        subject=f"CPT certification and competence compliance of every site, week "
        f"{ctx.iso_week}, as of {ctx.as_of:%Y-%m-%d}",
        keywords=[
            "company",
            ctx.iso_week,
            "competence",
            "ISO 9001 7.2",
            *[s["site"] for s in sites],
        ],
        author=policy.company_name,
        as_of=ctx.as_of,
        issued_on=document.issued_on,
    )
    return write_pdf("company_report.html.j2", context, metadata, charts, attachments)
