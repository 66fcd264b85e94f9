"""Audit findings of one site: each criterion of the site's criteria sets, graded by its rule.

The site's sets come from ``policy.yaml`` (a site nowhere in the configuration gets ISO 9001);
each criterion names a rule of :mod:`assets.reporting.audit_rules`. A set named by the site but
absent from ``audit_criteria.yaml`` is skipped (the configuration loader already refuses that for
configured sites); an unknown rule name is a configuration error and raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from assets.reporting.audit_facts import (
    CONFORMS,
    OBSERVATION,
    VERDICT_SEVERITY,
    RuleOutcome,
    SiteFacts,
    sample_rows,
)
from assets.reporting.audit_rules import RULES, company_inputs_controlled
from assets.reporting.context import ReportContext
from assets.reporting.labels import standard
from schemas.config import CompetenceConfig
from schemas.identifiers import ROLLUP_NAME
from schemas.vocabulary import FindingVerdict, SiteVerdict

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
    "affected_unit",
)
COMPANY_SET = "ISO9001"  # company-wide input findings are graded against ISO 9001 7.2 d / 7.5.3


@dataclass(frozen=True)
class Attribution:
    """Which unmatched records and rejected rows can be tied to which site, for the company.

    Computed once per week (it does not depend on the site being graded): an unmatched record
    concerns a site when one of its candidates, its employee id or its e-mail belongs to a person
    there; a rejected row when it carries that site or one of its people.
    """

    unmatched_sites: pd.DataFrame  # columns: row (index into unmatched_records), site
    rejected_sites: pd.DataFrame  # columns: row (index into rejected_rows), site

    def unmatched_of(self, site: str) -> pd.Index:
        return pd.Index(self.unmatched_sites.loc[self.unmatched_sites["site"] == site, "row"])

    def rejected_of(self, site: str) -> pd.Index:
        return pd.Index(self.rejected_sites.loc[self.rejected_sites["site"] == site, "row"])


def _pairs(rows: pd.Index, keys: pd.Series, lookup: pd.Series) -> pd.DataFrame:
    sites = keys.map(lookup)
    found = sites.notna().to_numpy()
    return pd.DataFrame({"row": rows[found], "site": sites[found].astype(str).to_numpy()})


def attribute(
    status: pd.DataFrame, rejected_rows: pd.DataFrame, unmatched_records: pd.DataFrame
) -> Attribution:
    """Tie exceptions to sites, vectorised over the whole company."""
    people = status.drop_duplicates("employee_id")
    person_site = pd.Series(
        people["site"].astype(str).to_numpy(), index=people["employee_id"].astype(str).to_numpy()
    )
    with_email = people[people["email"].notna()]
    email_site = pd.Series(
        with_email["site"].astype(str).to_numpy(),
        index=with_email["email"].astype(str).str.strip().str.lower().to_numpy(),
    )
    email_site = email_site[~email_site.index.duplicated()]
    pairs = []
    u = unmatched_records
    if not u.empty:
        if "candidates" in u:
            tokens = (
                u["candidates"].dropna().astype(str).str.replace(",", ";").str.split(";").explode()
            )
            tokens = tokens.str.strip()
            pairs.append(_pairs(tokens.index, tokens, person_site))
        if "employee_id" in u:
            ids = u["employee_id"].dropna().astype(str)
            pairs.append(_pairs(ids.index, ids, person_site))
        if "email" in u:
            emails = u["email"].dropna().astype(str).str.strip().str.lower()
            pairs.append(_pairs(emails.index, emails, email_site))
    r = rejected_rows
    rejected = []
    if not r.empty and "site" in r:
        sites = r["site"].dropna().astype(str)
        rejected.append(pd.DataFrame({"row": sites.index, "site": sites.to_numpy()}))
    if not r.empty and "employee_id" in r:
        ids = r["employee_id"].dropna().astype(str)
        rejected.append(_pairs(ids.index, ids, person_site))
    empty = pd.DataFrame({"row": pd.Series(dtype="int64"), "site": pd.Series(dtype=object)})
    return Attribution(
        pd.concat([empty, *pairs], ignore_index=True).drop_duplicates(),
        pd.concat([empty, *rejected], ignore_index=True).drop_duplicates(),
    )


def _row_level(rejected_rows: pd.DataFrame):
    if "row_number" not in rejected_rows:
        return True
    return rejected_rows["row_number"].notna().to_numpy(dtype=bool)


@dataclass(frozen=True)
class WeekFacts:
    """The week's rows every site is graded and reported from, with the run's facts: one value
    instead of the same eight parameters passed through grading and rendering.

    ``status`` holds every site's rows; ``attribution`` ties the exceptions to sites, computed
    once for the week (:meth:`of`). ``effectiveness`` is the week's ``training_effectiveness``
    (7.2 c; empty when not computed).
    """

    status: pd.DataFrame
    source_files: pd.DataFrame
    rejected_rows: pd.DataFrame
    unmatched_records: pd.DataFrame
    config: CompetenceConfig
    ctx: ReportContext
    attribution: Attribution
    effectiveness: pd.DataFrame

    @classmethod
    def of(
        cls,
        status: pd.DataFrame,
        source_files: pd.DataFrame,
        rejected_rows: pd.DataFrame,
        unmatched_records: pd.DataFrame,
        config: CompetenceConfig,
        ctx: ReportContext,
        effectiveness: pd.DataFrame | None = None,
        attribution: Attribution | None = None,
    ) -> WeekFacts:
        """The week's facts, attributing its exceptions to sites unless ``attribution`` is given."""
        return cls(
            status=status,
            source_files=source_files,
            rejected_rows=rejected_rows,
            unmatched_records=unmatched_records,
            config=config,
            ctx=ctx,
            attribution=attribution or attribute(status, rejected_rows, unmatched_records),
            effectiveness=pd.DataFrame() if effectiveness is None else effectiveness,
        )


def site_facts(week: WeekFacts, site: str) -> SiteFacts:
    """Collect what the rules need for ``site``, attributing exceptions where the data allows.

    This selects the site's rows from the whole week; for every site at once,
    :func:`assets.reporting.facts_by_site.facts_by_site` gives the same facts from one grouping.
    """
    attribution = week.attribution
    rejected_rows, unmatched_records = week.rejected_rows, week.unmatched_records
    unmatched_mine = unmatched_records.index.isin(attribution.unmatched_of(site))
    rejected_mine = rejected_rows.index.isin(attribution.rejected_of(site))
    return facts_of_site(
        week,
        site,
        status=week.status[week.status["site"] == site],
        rejected=rejected_rows[rejected_mine],
        unmatched=unmatched_records[unmatched_mine],
        unattributed=unattributed_counts(week),
    )


def unattributed_counts(week: WeekFacts) -> tuple[int, int]:
    """How many rejected rows and unmatched records the week could tie to no site."""
    attribution, rejected_rows = week.attribution, week.rejected_rows
    attributed_rejected = rejected_rows.index.isin(attribution.rejected_sites["row"])
    attributed_unmatched = week.unmatched_records.index.isin(attribution.unmatched_sites["row"])
    # a file rejected whole (no row number) is graded under 7.5.3, not counted as a row here
    return (
        int((~attributed_rejected & _row_level(rejected_rows)).sum()),
        int((~attributed_unmatched).sum()),
    )


def facts_of_site(
    week: WeekFacts,
    site: str,
    *,
    status: pd.DataFrame,
    rejected: pd.DataFrame,
    unmatched: pd.DataFrame,
    unattributed: tuple[int, int],
    effectiveness: pd.DataFrame | None = None,
) -> SiteFacts:
    """The site's facts from its own rows of the week (``effectiveness``: at least the site's
    rows of the week's table; by default all of it)."""
    unattributed_rejected, unattributed_unmatched = unattributed
    return SiteFacts(
        site=site,
        as_of=week.ctx.as_of,
        status=status.reset_index(drop=True),
        source_files=week.source_files,
        site_rejected=rejected.reset_index(drop=True),
        site_unmatched=unmatched.reset_index(drop=True),
        unattributed_rejected=unattributed_rejected,
        unattributed_unmatched=unattributed_unmatched,
        policy=week.config.policy,
        config_hash=week.config.config_hash,
        effectiveness=week.effectiveness if effectiveness is None else effectiveness,
    )


def audit_findings(week: WeekFacts, site: str, facts: SiteFacts | None = None) -> pd.DataFrame:
    """One row per criterion of the site's criteria sets, with verdict and audit statement
    (``facts``: the site's, when already collected; by default :func:`site_facts`).

    ``statement`` is empty for ``CONFORMS``; otherwise it reads as an auditor's nonconformity or
    observation: the requirement (paraphrased from the criteria file), what failed, and the
    objective evidence with names, dates and record ids.
    """
    facts = site_facts(week, site) if facts is None else facts
    config = week.config
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
                    f"Requirement ({standard(set_name)} {criterion.clause}): "
                    f"{criterion.requirement} "
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
                    "affected_unit": outcome.affected_unit,
                }
            )
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    return order_findings(frame.astype({"affected_count": "int64"}))


def _clause_key(clause: str) -> tuple:
    """Natural order of clause numbers: 7.2 a) < 7.2 b) < 7.2.1 < 7.5.3 < 7.5.3.2.1 < 10.2
    (a clause's lettered items before its numbered subclauses)."""
    return tuple(
        (1, int(part), "") if part.isdigit() else (0, 0, part)
        for part in re.findall(r"\d+|[a-z]+", str(clause).lower())
    )


def order_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """Most severe first, then by clause (natural order); ties keep the site's order of
    criteria sets (policy.yaml), so ISO 9001 comes before a set the site added."""
    if findings.empty:
        return findings
    keyed = findings.assign(
        _sev=-findings["verdict"].map(VERDICT_SEVERITY),
        _clause=findings["clause"].map(_clause_key),
    )
    keyed = keyed.sort_values(["_sev", "_clause"], kind="stable")
    return keyed.drop(columns=["_sev", "_clause"]).reset_index(drop=True)


def company_input_findings(week: WeekFacts) -> pd.DataFrame:
    """The company-wide input problems, graded once for the roll-up (``site`` = "company").

    Landing files are shared by every site, so reject shares, files rejected whole (a stray
    file, an unknown provider folder, an unreadable drop) and records that concern no
    identifiable site are findings of the company, not of each site.
    """
    config, attribution = week.config, week.attribution
    source_files, rejected_rows = week.source_files, week.rejected_rows
    unmatched_records = week.unmatched_records
    criteria = {c.rule: c for c in config.audit_criteria.criteria_sets.get(COMPANY_SET, [])}
    unattributed_rejected = int(
        (~rejected_rows.index.isin(attribution.rejected_sites["row"])).sum()
    )
    outcomes = []
    inputs = company_inputs_controlled(
        source_files, config.policy.reject_share_threshold, unattributed_rejected
    )
    outcomes.append(("documented_information_controlled", "7.5.3", inputs))
    stray = unmatched_records[~unmatched_records.index.isin(attribution.unmatched_sites["row"])]
    if stray.empty:
        unlinked = RuleOutcome(
            CONFORMS,
            "",
            "every unlinked provider record concerns an identifiable site",
            0,
            "records",
        )
    else:
        unlinked = RuleOutcome(
            OBSERVATION,
            f"{len(stray)} provider record(s) could not be linked to a person and concern no "
            "identifiable site (no candidate, employee id or e-mail of anyone on the roster): "
            + sample_rows(
                stray,
                lambda r: (
                    f"{r['provider']}:{r['record_id']} ({r['reason']}, {r['source_file']} "
                    f"row {r['row_number']})"
                ),
                "unmatched_records.csv",
            )
            + ".",
            f"{len(stray)} unlinked record(s) attributable to no site",
            len(stray),
            "records",
        )
    outcomes.append(("evidence_retained", "7.2 d)", unlinked))
    rows = []
    for rule, clause, outcome in outcomes:
        criterion = criteria.get(rule)
        title = criterion.title if criterion else rule
        requirement = criterion.requirement if criterion else ""
        clause = criterion.clause if criterion else clause
        statement = (
            f"Requirement ({COMPANY_SET} {clause}): {requirement} Finding: {outcome.finding}"
            if outcome.verdict != CONFORMS
            else ""
        )
        rows.append(
            {
                "site": ROLLUP_NAME,
                "criteria_set": COMPANY_SET,
                "clause": clause,
                "title": title,
                "requirement": requirement,
                "verdict": outcome.verdict,
                "statement": statement,
                "evidence": outcome.evidence,
                "affected_count": int(outcome.affected_count),
                "affected_unit": outcome.affected_unit,
            }
        )
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    return order_findings(frame.astype({"affected_count": "int64"}))


NOT_RATED = SiteVerdict.NOT_RATED  # nobody in scope: there is no compliance to call green


def site_verdict(findings: pd.DataFrame, *, in_scope: int) -> str:
    """Red/amber/green: red with any MAJOR_NC, amber with any MINOR_NC, green otherwise.

    Observations do not change the colour: they are advice, not nonconformities. A site where
    nobody needs a credential (``in_scope == 0``) is never green: without a nonconformity it is
    NOT_RATED, so an empty site cannot pass for an audit-ready one.
    """
    verdicts = set(findings["verdict"]) if not findings.empty else set()
    if FindingVerdict.MAJOR_NC in verdicts:
        return SiteVerdict.RED
    if FindingVerdict.MINOR_NC in verdicts:
        return SiteVerdict.AMBER
    return SiteVerdict.GREEN if in_scope > 0 else NOT_RATED


def worst_findings(findings: pd.DataFrame, limit: int) -> pd.DataFrame:
    """The most severe non-conforming findings first, then by clause."""
    return order_findings(findings[findings["verdict"] != CONFORMS]).head(limit)
