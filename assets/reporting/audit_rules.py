"""The grading rules behind the audit findings: one function per ``rule`` name of the criteria.

Each rule looks at one site's facts and returns a verdict with the statement an auditor would
write: the requirement, what failed, and the objective evidence (names, dates, record ids).
Verdicts, mildest first: ``CONFORMS``, ``OBSERVATION``, ``MINOR_NC``, ``MAJOR_NC``.

Readings where the rules (docs/reports.md) are silent (also in the README's "Decisions where the
spec is silent"):

- ``competence_determined`` (7.2 a): a job role present at the site with no entry in
  requirements.yaml is a ``MINOR_NC`` - the requirement is not met for those people, but the
  system for determining competence exists (other roles have entries), so it is not a breakdown.
- ``persons_competent`` (7.2 b): the share is non-compliant rows over in-scope rows (COMPLIANT,
  GRACE and NON_COMPLIANT; one row per person and credential); "more than" is strict.
- ``actions_taken`` (7.2 c): a module attempt dated within ``progress_lookback_days`` before D
  (inclusive) counts as progress. Whether the training worked: a module whose first-attempt pass
  rate at a provider over the last 52 weeks is below ``first_attempt_pass_rate_min``, from at
  least ``effectiveness_min_attempts`` first attempts, makes it at least an ``OBSERVATION``
  naming module, provider and figure (``training_effectiveness``).
- ``evidence_retained`` (7.2 d): a compliant status with no provider record at all is a
  ``MINOR_NC`` (no evidence retained); one whose records carry no credential id, or that was
  linked to the person by name only, is an ``OBSERVATION``, as are unmatched records
  attributable to the site. Unmatched records rarely name a site: an AMBIGUOUS record counts for
  the site when one of its candidates works there, an UNMATCHED one when its employee id or e-mail
  is a site employee's. The rest is company-wide and graded once, in the company roll-up.
- ``documented_information_controlled`` (7.5.3), for a site: input rows of the site's people
  rejected at intake (the rejects table carries the site or one of its people) are an
  ``OBSERVATION`` - records that were not fit for use. Landing files are shared by every site
  (one roster extract, one file per provider drop), so file problems and reject shares are not a
  site's: :func:`company_input_findings` grades them once for the company. For the company
  itself: a source whose reject share exceeds ``reject_share_threshold`` is a ``MINOR_NC``; a
  file rejected whole (a stray file, an unknown provider folder, an unreadable drop) is an
  ``OBSERVATION``; rejects within the threshold show the controls working and conform.
- ``manual_check``: a criterion the roster and training records cannot evaluate (IATF 16949
  7.2.3 internal auditor competency, 7.5.3.2.1 record retention - a retention policy is not
  visible in the records, and a reject share says nothing about it) is an ``OBSERVATION`` marked
  "not evaluable from this data", asking for manual verification, never a silent ``CONFORMS``.

Every outcome names the unit of its affected count: people, records, files or roles. What a
rule looks at and returns (``SiteFacts``, ``RuleOutcome``, the verdicts) is ``audit_facts.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pandas as pd

from assets.csv_bytes import is_missing
from assets.ingest.reject_share import reject_shares
from assets.reporting.audit_facts import (
    CONFORMS,
    IN_SCOPE,
    MAJOR_NC,
    MINOR_NC,
    OBSERVATION,
    RuleOutcome,
    SiteFacts,
    fmt_date,
    person,
    sample,
    sample_rows,
    worst,
)
from assets.reporting.exemption_review import exemption_concerns
from assets.reporting.figures import format_days, format_rate
from assets.reporting.labels import label
from assets.reporting.training_effectiveness import low_rate_statements
from schemas.vocabulary import Compliance


def _flag(series: pd.Series) -> pd.Series:
    """A nullable boolean column as plain bools, unknown counting as False."""
    return series.map(lambda v: False if is_missing(v) else bool(v)).astype(bool)


def _text(series: pd.Series) -> pd.Series:
    return series.map(lambda v: "" if is_missing(v) else str(v).strip())


def competence_determined(facts: SiteFacts) -> RuleOutcome:
    rows = facts.status
    if rows.empty:
        return RuleOutcome(CONFORMS, "", "no employees at the site on the as-of date", 0)
    undetermined = rows[~_flag(rows["requirement_determined"])]
    roles = sorted(rows["job_role"].astype(str).unique())
    if undetermined.empty:
        return RuleOutcome(
            CONFORMS, "", f"all {len(roles)} active job roles have a requirement entry", 0
        )
    by_role = []
    for role, people in sorted(undetermined.groupby("job_role", sort=True), key=lambda g: g[0]):
        names = sample([person(r) for _, r in people.drop_duplicates("employee_id").iterrows()])
        count = people["employee_id"].nunique()
        by_role.append(f"'{role}' ({count} {'person' if count == 1 else 'people'}: {names})")
    affected = undetermined["employee_id"].nunique()
    finding = (
        f"The competence needed has not been determined for {len(by_role)} of {len(roles)} job "
        f"roles active at site {facts.site} on {facts.as_of:%Y-%m-%d}: requirements.yaml "
        f"(configuration {facts.config_hash[:12]}) has no entry for " + ", ".join(by_role) + "."
    )
    evidence = f"{len(by_role)} role(s) without a requirement entry, {affected} affected"
    return RuleOutcome(MINOR_NC, finding, evidence, affected)


def persons_competent(facts: SiteFacts) -> RuleOutcome:
    policy = facts.policy
    rows = facts.status[facts.status["compliance"].isin(IN_SCOPE)]
    if rows.empty:
        return RuleOutcome(CONFORMS, "", "no persons at the site need a credential", 0)
    nc = rows[rows["compliance"] == Compliance.NON_COMPLIANT]
    share = len(nc) / len(rows)
    if nc.empty:
        return RuleOutcome(CONFORMS, "", f"all {len(rows)} persons in scope compliant", 0)
    overdue = pd.to_numeric(nc["overdue_days"], errors="coerce").fillna(0)
    long_overdue = nc[overdue > policy.major_nc_overdue_days]
    major_share = share > policy.major_nc_share
    verdict = MAJOR_NC if major_share or not long_overdue.empty else MINOR_NC
    ordered = nc.assign(_o=overdue).sort_values(["_o", "employee_id"], ascending=[False, True])

    def detail(r: pd.Series) -> str:
        return (
            f"{person(r)}, {r['job_role']}, {r['credential']} {label(r['status']).lower()}, due "
            f"{fmt_date(r['due_date'])}, overdue {int(r['_o'])} days"
        )

    why = []
    if major_share:
        why.append(f"above the {policy.major_nc_share:.0%} limit for a major nonconformity")
    if not long_overdue.empty:
        why.append(f"{len(long_overdue)} overdue by more than {policy.major_nc_overdue_days} days")
    finding = (
        f"{len(nc)} of {len(rows)} persons in scope at site {facts.site} ({format_rate(share)}) "
        f"do not hold the required credential on {facts.as_of:%Y-%m-%d}"
        + (f" ({'; '.join(why)})" if why else "")
        + ". Objective evidence: "
        + sample_rows(ordered, detail)
        + "."
    )
    evidence = (
        f"{len(nc)}/{len(rows)} non-compliant ({format_rate(share)}); "
        f"longest overdue {format_days(int(overdue.max()))}"
    )
    return RuleOutcome(verdict, finding, evidence, len(nc))


def persons_competent_or_exempt(facts: SiteFacts) -> RuleOutcome:
    """7.2 b) with the site's exemptions reviewed: one without an end date, or one that lapsed
    while the person still lacks the credential, makes the finding at least an OBSERVATION."""
    outcome = persons_competent(facts)
    parts, count = exemption_concerns(facts.status, facts.as_of)
    if not count:
        return outcome
    sentence = (
        f"{count} exemption(s) at site {facts.site} need a decision on {facts.as_of:%Y-%m-%d}: "
        + sample(parts)
        + "."
    )
    finding = f"{outcome.finding} {sentence}".strip()
    evidence = f"{outcome.evidence}; {count} exemption(s) without end or lapsed"
    verdict = worst([outcome.verdict, OBSERVATION])
    return RuleOutcome(verdict, finding, evidence, outcome.affected_count + count)


def actions_taken(facts: SiteFacts) -> RuleOutcome:
    lookback = facts.policy.progress_lookback_days
    rows = facts.status[
        facts.status["compliance"].isin((Compliance.GRACE, Compliance.NON_COMPLIANT))
    ]
    if rows.empty:
        return RuleOutcome(CONFORMS, "", "nobody in grace or non-compliant", 0)
    cutoff = pd.Timestamp(facts.as_of - timedelta(days=lookback))
    last = pd.to_datetime(rows["last_attempt_date"], errors="coerce")
    # Assign before filtering: assigning a Series to an empty frame would adopt its index.
    stale = rows.assign(_last=last)[last.isna() | (last < cutoff)]
    if stale.empty:
        return RuleOutcome(
            CONFORMS, "", f"all {len(rows)} attempted a module in the last {lookback} days", 0
        )
    stale = stale.sort_values(["_last", "employee_id"], na_position="first")

    def detail(r: pd.Series) -> str:
        return f"{person(r)}, {label(r['compliance']).lower()}, " + (
            f"last module attempt {fmt_date(r['_last'])}"
            if not is_missing(r["_last"])
            else "no module attempt on record"
        )

    finding = (
        f"{len(stale)} of {len(rows)} persons in grace or non-compliant at site {facts.site} show "
        f"no module attempt between {cutoff:%Y-%m-%d} and {facts.as_of:%Y-%m-%d} "
        f"({lookback} days), so no action to acquire the competence is evident: "
        + sample_rows(stale, detail)
        + "."
    )
    evidence = f"{len(stale)}/{len(rows)} without a module attempt in {lookback} days"
    return RuleOutcome(OBSERVATION, finding, evidence, len(stale))


def actions_taken_and_effective(facts: SiteFacts) -> RuleOutcome:
    """7.2 c) with the effectiveness of training: a module whose first-attempt pass rate over
    52 weeks falls below the policy minimum makes the finding at least an OBSERVATION."""
    outcome = actions_taken(facts)
    threshold = facts.policy.first_attempt_pass_rate_min
    low = low_rate_statements(facts.effectiveness, facts.site, threshold)
    if not low:
        return outcome
    sentence = (
        f"The training did not work well enough for {len(low)} module(s) at site {facts.site}: "
        f"the first-attempt pass rate is below the {threshold:.0%} policy minimum for "
        + sample(low, "effectiveness section of this report")
        + "."
    )
    finding = f"{outcome.finding} {sentence}".strip()
    evidence = f"{outcome.evidence}; {len(low)} module(s) below {threshold:.0%} first-attempt pass"
    return RuleOutcome(
        worst([outcome.verdict, OBSERVATION]), finding, evidence, outcome.affected_count
    )


def evidence_retained(facts: SiteFacts) -> RuleOutcome:
    compliant = facts.status[facts.status["compliance"] == Compliance.COMPLIANT]
    record_ids = _text(compliant["evidence_record_ids"])
    credential_ids = _text(compliant["evidence_credential_ids"])
    no_records = compliant[record_ids == ""]
    no_credential = compliant[(record_ids != "") & (credential_ids == "")]
    by_name = compliant[_flag(compliant["matched_by_name"])]
    parts, verdicts, affected = [], [], set()
    if not no_records.empty:
        verdicts.append(MINOR_NC)
        affected |= set(no_records["employee_id"])
        parts.append(
            f"{len(no_records)} compliant status(es) trace to no provider record: "
            + sample_rows(
                no_records,
                lambda r: f"{person(r)}, {r['credential']} certified {fmt_date(r['certified_on'])}",
            )
        )
    if not no_credential.empty:
        verdicts.append(OBSERVATION)
        affected |= set(no_credential["employee_id"])
        parts.append(
            f"{len(no_credential)} compliant status(es) rest on provider records without a "
            "credential id: "
            + sample_rows(
                no_credential, lambda r: f"{person(r)}, records {r['evidence_record_ids']}"
            )
        )
    if not by_name.empty:
        verdicts.append(OBSERVATION)
        affected |= set(by_name["employee_id"])
        parts.append(
            f"{len(by_name)} compliant status(es) rest on records linked to the person by name "
            "only (no employee id or e-mail match): "
            + sample_rows(by_name, lambda r: f"{person(r)}, records {r['evidence_record_ids']}")
        )
    if not facts.site_unmatched.empty:
        verdicts.append(OBSERVATION)
        parts.append(
            f"{len(facts.site_unmatched)} provider record(s) that may concern this site could not "
            "be linked to one person: "
            + sample_rows(
                facts.site_unmatched,
                lambda r: (
                    f"{r['provider']}:{r['record_id']} ({r['reason']}, {r['source_file']} "
                    f"row {r['row_number']})"
                ),
            )
        )
    if not verdicts:
        return RuleOutcome(
            CONFORMS,
            "",
            f"all {len(compliant)} compliant statuses trace to provider records with a "
            "credential id",
            0,
        )
    finding = (
        f"Documented evidence of competence at site {facts.site} on {facts.as_of:%Y-%m-%d} is "
        "incomplete. " + ". ".join(parts) + "."
    )
    evidence = "; ".join(p.split(":")[0] for p in parts)
    if affected:
        return RuleOutcome(worst(verdicts), finding, evidence, len(affected), "people")
    return RuleOutcome(worst(verdicts), finding, evidence, len(facts.site_unmatched), "records")


def documented_information_controlled(facts: SiteFacts) -> RuleOutcome:
    """7.5.3 for a site: the input rows of the site's own people that were rejected."""
    rejected = facts.site_rejected
    if rejected.empty:
        return RuleOutcome(
            CONFORMS,
            "",
            "no input row of this site's people was rejected (shared input files are graded "
            "in the company roll-up)",
            0,
            "records",
        )
    rows = rejected.drop_duplicates(["source_file", "row_number"])
    finding = (
        f"{len(rows)} input record(s) of people at site {facts.site} were not fit for use and "
        "were quarantined at intake: "
        + sample_rows(
            rows,
            lambda r: f"{r['source_file']} row {r['row_number']} ({r['column']}: {r['check']})",
            "rejected_rows.csv",
        )
        + "."
    )
    evidence = f"{len(rows)} record(s) of this site's people rejected at intake"
    return RuleOutcome(OBSERVATION, finding, evidence, len(rows), "records")


def company_inputs_controlled(
    files: pd.DataFrame, threshold: float, unattributed_rejected: int = 0
) -> RuleOutcome:
    """7.5.3 for the company: reject shares per source and files rejected whole."""
    if files.empty:
        return RuleOutcome(
            OBSERVATION,
            "No input files are recorded for this run, so the "
            "control of the documented information cannot be shown.",
            "no input files recorded",
            0,
            "files",
        )
    numbers = files.assign(
        rows_in=pd.to_numeric(files["rows_in"], errors="coerce").fillna(0),
        rejected=pd.to_numeric(files["rejected"], errors="coerce").fillna(0),
        problem=files["problem"].where(~files["problem"].map(is_missing)),
    )
    # the mail gate's share: a source whose files were rejected whole is over, not at 0 %
    per_source = reject_shares(numbers, threshold).set_index("source").sort_index()
    per_source["share"] = per_source["reject_share"]
    over = per_source[~per_source["within_policy"]]
    failed = files[~files["problem"].map(is_missing)].sort_values("file")
    parts, verdicts = [], []
    if not over.empty:
        verdicts.append(MINOR_NC)
        parts.append(
            f"{len(over)} source(s) exceed the {threshold:.0%} reject threshold: "
            + "; ".join(
                f"{src} rejected {int(r.rejected)} of {int(r.rows_in)} rows"
                + (
                    f" and {int(r.files_rejected_whole)} of {int(r.files)} file(s) whole"
                    if r.files_rejected_whole
                    else ""
                )
                + f" ({r.share:.1%})"
                for src, r in over.iterrows()
            )
        )
    if not failed.empty:
        verdicts.append(OBSERVATION)
        parts.append(
            f"{len(failed)} file(s) were rejected whole: "
            + sample(
                [f"{r['file']} ({r['problem']})" for _, r in failed.iterrows()],
                "data-quality section of this report",
            )
        )
    total_in, total_rej = int(per_source["rows_in"].sum()), int(per_source["rejected"].sum())
    overall = f"{total_rej} of {total_in} input rows rejected in {len(files)} files"
    if unattributed_rejected:
        overall += f"; {unattributed_rejected} rejected row(s) name no site or person"
    if not verdicts:
        return RuleOutcome(
            CONFORMS, "", f"{overall}; every source within {threshold:.0%}", 0, "files"
        )
    finding = "Input records were not all suitable for use. " + ". ".join(parts) + "."
    affected = files["source"].isin(over.index) | ~files["problem"].map(is_missing)
    return RuleOutcome(worst(verdicts), finding, overall, int(affected.sum()), "files")


NOT_EVALUABLE = "not evaluable from this data"


def manual_check(facts: SiteFacts) -> RuleOutcome:
    return RuleOutcome(
        OBSERVATION,
        "This criterion is not evaluable from this data (the HR roster and the training "
        "providers' records); verify it with the site's own records before the audit.",
        f"{NOT_EVALUABLE}: verify manually",
        0,
        "",
    )


RULES: dict[str, Callable[[SiteFacts], RuleOutcome]] = {
    "competence_determined": competence_determined,
    "persons_competent": persons_competent_or_exempt,
    "actions_taken": actions_taken_and_effective,
    "evidence_retained": evidence_retained,
    "documented_information_controlled": documented_information_controlled,
    "manual_check": manual_check,
}
