"""Audit findings of one site: each criterion of the site's criteria sets, graded by its rule.

The site's sets come from ``policy.yaml`` (a site nowhere in the configuration gets ISO 9001);
each criterion names a rule of :mod:`assets.reporting.audit_rules`. A set named by the site but
absent from ``audit_criteria.yaml`` is skipped (the configuration loader already refuses that for
configured sites); an unknown rule name is a configuration error and raises.
"""

from __future__ import annotations

import pandas as pd

from assets.reporting.audit_rules import CONFORMS, RULES, VERDICT_SEVERITY, SiteFacts
from assets.reporting.context import ReportContext
from assets.reporting.exports import is_missing
from schemas.config import CompetenceConfig

FINDING_COLUMNS = (
    "site",
    "criteria_set",
    "clause",
    "title",
    "requirement",
    "verdict",
    "statement",
    "evidence",
    "affected_count",
)


def _tokens(value: object) -> set[str]:
    if is_missing(value):
        return set()
    return {t.strip() for t in str(value).replace(",", ";").split(";") if t.strip()}


def _attribute_unmatched(unmatched: pd.DataFrame, site_rows: pd.DataFrame) -> pd.Series:
    """Which unmatched/ambiguous records can be tied to a person of this site."""
    if unmatched.empty:
        return pd.Series(False, index=unmatched.index)
    ids = set(site_rows["employee_id"].astype(str))
    emails = {str(e).strip().lower() for e in site_rows["email"] if not is_missing(e)}

    def concerns_site(record: pd.Series) -> bool:
        if _tokens(record.get("candidates")) & ids:
            return True
        if not is_missing(record.get("employee_id")) and str(record["employee_id"]) in ids:
            return True
        email = record.get("email")
        return not is_missing(email) and str(email).strip().lower() in emails

    return unmatched.apply(concerns_site, axis=1).astype(bool)


def _attribute_rejected(rejected: pd.DataFrame, site: str, site_rows: pd.DataFrame) -> pd.Series:
    """Rejected rows carry a site only if the ingestion stage adds ``site``/``employee_id``."""
    mine = pd.Series(False, index=rejected.index)
    if "site" in rejected.columns:
        mine |= rejected["site"].astype(str) == site
    if "employee_id" in rejected.columns:
        mine |= rejected["employee_id"].astype(str).isin(set(site_rows["employee_id"].astype(str)))
    return mine


def site_facts(
    status: pd.DataFrame,
    source_files: pd.DataFrame,
    rejected_rows: pd.DataFrame,
    unmatched_records: pd.DataFrame,
    config: CompetenceConfig,
    ctx: ReportContext,
    site: str,
) -> SiteFacts:
    """Collect what the rules need for ``site``, attributing exceptions where the data allows."""
    site_rows = status[status["site"] == site].reset_index(drop=True)
    all_sites = status
    unmatched_mine = _attribute_unmatched(unmatched_records, site_rows)
    anyone = _attribute_unmatched(unmatched_records, all_sites)
    rejected_mine = _attribute_rejected(rejected_rows, site, site_rows)
    rejected_any = pd.Series(False, index=rejected_rows.index)
    for other in sorted(all_sites["site"].astype(str).unique()):
        rejected_any |= _attribute_rejected(
            rejected_rows, other, all_sites[all_sites["site"] == other]
        )
    return SiteFacts(
        site=site,
        as_of=ctx.as_of,
        status=site_rows,
        source_files=source_files,
        site_rejected=rejected_rows[rejected_mine].reset_index(drop=True),
        site_unmatched=unmatched_records[unmatched_mine].reset_index(drop=True),
        unattributed_rejected=int((~rejected_any).sum()),
        unattributed_unmatched=int((~anyone).sum()),
        policy=config.policy,
        config_hash=config.config_hash,
    )


def audit_findings(
    status: pd.DataFrame,
    source_files: pd.DataFrame,
    rejected_rows: pd.DataFrame,
    unmatched_records: pd.DataFrame,
    config: CompetenceConfig,
    ctx: ReportContext,
    site: str,
) -> pd.DataFrame:
    """One row per criterion of the site's criteria sets, with verdict and audit statement.

    ``statement`` is empty for ``CONFORMS``; otherwise it reads as an auditor's nonconformity or
    observation: the requirement (paraphrased from the criteria file), what failed, and the
    objective evidence with names, dates and record ids.
    """
    facts = site_facts(status, source_files, rejected_rows, unmatched_records, config, ctx, site)
    sets = config.audit_criteria.criteria_sets
    rows = []
    for set_name in config.site(site).audit_criteria:
        for criterion in sets.get(set_name, []):
            rule = RULES.get(criterion.rule)
            if rule is None:
                raise ValueError(
                    f"audit_criteria.yaml: criteria set {set_name!r} clause {criterion.clause!r} "
                    f"names unknown rule {criterion.rule!r}; known rules: {sorted(RULES)}"
                )
            outcome = rule(facts)
            statement = ""
            if outcome.verdict != CONFORMS:
                statement = (
                    f"Requirement ({set_name} {criterion.clause}): {criterion.requirement} "
                    f"Finding: {outcome.finding}"
                )
            rows.append(
                {
                    "site": site,
                    "criteria_set": set_name,
                    "clause": criterion.clause,
                    "title": criterion.title,
                    "requirement": criterion.requirement,
                    "verdict": outcome.verdict,
                    "statement": statement,
                    "evidence": outcome.evidence,
                    "affected_count": int(outcome.affected_count),
                }
            )
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    return frame.astype({"affected_count": "int64"})


def site_verdict(findings: pd.DataFrame) -> str:
    """Red/amber/green: red with any MAJOR_NC, amber with any MINOR_NC, green otherwise.

    Observations do not change the colour: they are advice, not nonconformities.
    """
    verdicts = set(findings["verdict"]) if not findings.empty else set()
    if "MAJOR_NC" in verdicts:
        return "RED"
    if "MINOR_NC" in verdicts:
        return "AMBER"
    return "GREEN"


def worst_findings(findings: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The most severe non-conforming findings first (ties keep criteria order)."""
    open_items = findings[findings["verdict"] != CONFORMS]
    ranked = open_items.assign(_sev=open_items["verdict"].map(VERDICT_SEVERITY))
    ranked = ranked.sort_values("_sev", ascending=False, kind="stable")
    return ranked.drop(columns="_sev").head(limit)
