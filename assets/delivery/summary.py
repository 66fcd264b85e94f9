"""What a report e-mail says: the report's summary as the mail receives it, and the body's text.

:class:`ReportSummary` is the first page of a report as the delivery stage hands it over; its
``briefing`` is the typed :class:`Briefing` the reporting stage built from the PDF's own figures
(``assets/reporting/briefing.py``). The functions here turn it into the subject's headline and
the context of the body templates, reading its fields (never keys of a dict), formatting every
figure with the report's formatters and every code with its vocabulary, so the mail reads as the
PDF does. A summary without a briefing (older callers) falls back to its plain fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

from assets.reporting.briefing_types import Briefing, FindingCounts
from assets.reporting.figures import format_rate, overdue_text, rate_phrase
from assets.reporting.labels import VERDICT, VERDICT_MEANING, counted, label, standard
from schemas.identifiers import ROLLUP_NAME
from schemas.vocabulary import Compliance, FindingVerdict

COMPANY = ROLLUP_NAME
TOP_FINDINGS = 5
TOP_ACTIONS = 5

# Display order of compliance counts; unknown labels follow, sorted.
COMPLIANCE_ORDER = (
    Compliance.COMPLIANT,
    Compliance.GRACE,
    Compliance.NON_COMPLIANT,
    Compliance.EXEMPT,
    Compliance.NOT_REQUIRED,
)
# Worst first. CONFORMS is not a finding worth a line in the e-mail.
FINDING_SEVERITY = {
    FindingVerdict.MAJOR_NC: 0,
    FindingVerdict.MINOR_NC: 1,
    FindingVerdict.OBSERVATION: 2,
}

# The mail's badge colours by verdict; the words come from the report's vocabulary.
VERDICTS = {
    "red": {"background": "#c62828", "foreground": "#ffffff"},
    "amber": {"background": "#f9a825", "foreground": "#222222"},
    "green": {"background": "#2e7d32", "foreground": "#ffffff"},
    # nobody at the site needs a credential: nothing to call audit-ready
    "not_rated": {"background": "#616161", "foreground": "#ffffff"},
}
for _code, _style in VERDICTS.items():
    _style["label"] = f"{VERDICT[_code.upper()]} · {VERDICT_MEANING[_code.upper()]}"


class Finding(NamedTuple):
    """One audit criterion's result: clause (``7.2 b)``), verdict (``MINOR_NC``) and title."""

    clause: str
    verdict: str
    title: str


class Action(NamedTuple):
    """One person's most urgent action and its due date."""

    name: str
    action: str
    due_date: date | None


class SiteLine(NamedTuple):
    """One site's line in the company roll-up."""

    site: str
    site_name: str
    compliance_rate: float | None
    verdict: str
    findings: Sequence[Finding] = ()


@dataclass(frozen=True)
class ReportSummary:
    """The first page of a report, as the e-mail repeats it.

    ``counts`` maps a compliance value (``COMPLIANT``, ``GRACE``, ...) to its number of people.
    ``pdf_path`` is where the PDF is stored, named in the body when it is too big to attach.
    For the company roll-up, ``site`` is ``"company"``, ``sites`` lists every site and
    ``sites_without_recipients`` the sites whose report was not mailed to anyone.
    """

    site: str
    site_name: str
    iso_week: str
    as_of: date
    compliance_rate: float | None
    verdict: str
    counts: Mapping[str, int]
    findings: Sequence[Finding | tuple[str, str, str]]
    actions: Sequence[Action | tuple[str, str, date | None]]
    pdf_path: str | Path
    sites: Sequence[SiteLine] = field(default_factory=tuple)
    sites_without_recipients: Sequence[str] = field(default_factory=tuple)
    # the site's corrective actions escalated to its lead, as one sentence naming the lead (the
    # index's escalation column: also the briefing's, kept here for summaries without one)
    escalation: str = ""
    # The PDF's own figures for the mail (assets/reporting/briefing.py); None: not known (a
    # caller with plain fields only), the body then says what the plain fields hold
    briefing: Briefing | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r}: expected one of {sorted(VERDICTS)}")
        if self.compliance_rate is not None and not 0 <= self.compliance_rate <= 1:
            raise ValueError(f"compliance_rate {self.compliance_rate!r}: expected 0..1 or None")
        # Accept plain tuples from the callers' DataFrames; keep named fields for the templates.
        object.__setattr__(self, "findings", tuple(Finding(*f) for f in self.findings))
        object.__setattr__(self, "actions", tuple(Action(*a) for a in self.actions))
        object.__setattr__(self, "sites", tuple(SiteLine(*s) for s in self.sites))


def counts_phrase(counts: Mapping[str, int]) -> str:
    """``1 major nonconformity, 2 minor nonconformities`` or ``no nonconformities``."""
    parts = [
        counted(counts[k], k)
        for k in (FindingVerdict.MAJOR_NC, FindingVerdict.MINOR_NC)
        if counts.get(k, 0)
    ]
    return ", ".join(parts) or "no nonconformities"


def nonconformity_phrase(findings: Sequence[Finding]) -> str:
    """The phrase for a list of findings (when no counts came with the report)."""
    return counts_phrase(
        {
            kind: sum(1 for f in findings if f.verdict == kind)
            for kind in (FindingVerdict.MAJOR_NC, FindingVerdict.MINOR_NC)
        }
    )


def finding_counts(summary: ReportSummary) -> Mapping[str, int]:
    if summary.briefing is not None:
        return summary.briefing.finding_counts.by_verdict()
    return {
        kind: sum(1 for f in summary.findings if f.verdict == kind)
        for kind in (FindingVerdict.MAJOR_NC, FindingVerdict.MINOR_NC, FindingVerdict.OBSERVATION)
    }


def headline(summary: ReportSummary) -> str:
    return (
        f"{summary.iso_week} - {rate_phrase(summary.compliance_rate)} - "
        f"{counts_phrase(finding_counts(summary))}"
    )


def _findings(summary: ReportSummary) -> list[dict[str, str]]:
    """The worst open findings, each with its site and standard when the report names them."""
    if summary.briefing is not None:
        lines = [
            {
                "site": f.site,
                "criteria_set": f.criteria_set,
                "clause": f.clause,
                "verdict": f.verdict,
                "title": f.title,
            }
            for f in summary.briefing.findings
        ]
    else:
        lines = [
            {"clause": f.clause, "verdict": f.verdict, "title": f.title}
            for f in sorted(
                (f for f in summary.findings if f.verdict in FINDING_SEVERITY),
                key=lambda f: FINDING_SEVERITY[f.verdict],
            )
        ]
    return [
        {
            "verdict": label(f["verdict"]),
            "where": " · ".join(
                part
                for part in (
                    f"Site {f['site']}" if summary.site == COMPANY and f.get("site") else "",
                    standard(f["criteria_set"]) if f.get("criteria_set") else "",
                )
                if part
            ),
            "clause": f["clause"],
            "title": f["title"],
        }
        for f in lines[:TOP_FINDINGS]
    ]


def _actions(summary: ReportSummary) -> list[dict[str, str]]:
    if summary.briefing is not None:
        lines = [
            (a.name, a.employee_id, a.what, a.manager, a.due, a.overdue_days)
            for a in summary.briefing.actions
        ]
    else:  # no briefing: the earliest due dates first
        urgent = sorted(summary.actions, key=lambda a: (a.due_date is None, a.due_date or date.max))
        lines = [(a.name, None, a.action, None, a.due_date, 0) for a in urgent]
    out = []
    for name, employee_id, what, manager, due, overdue in lines[:TOP_ACTIONS]:
        out.append(
            {
                "name": name,
                "employee_id": employee_id or "",
                "action": what,
                "manager": manager or "",
                "when": overdue_text(overdue)
                if overdue > 0
                else (f"due {due.isoformat()}" if due else "now"),
            }
        )
    return out


def _site_lines(summary: ReportSummary) -> list[dict[str, str]]:
    if summary.briefing is not None:
        sites = [
            (s.site, s.name, s.rate, s.verdict, s.finding_counts) for s in summary.briefing.sites
        ]
    else:
        sites = [
            (
                s.site,
                s.site_name,
                s.compliance_rate,
                s.verdict.upper(),
                None if not s.findings else _counts_of(s.findings),
            )
            for s in summary.sites
        ]
    return [
        {
            "site": site,
            "site_name": name,
            "rate": format_rate(rate),
            "rate_phrase": rate_phrase(rate),
            "verdict_label": VERDICTS.get(str(verdict).lower(), {"label": verdict})["label"],
            # no counts known: say nothing rather than "no nonconformities" next to a red site
            "nonconformities": ""
            if counts is None
            else ", ".join(counted(n, k) for k, n in counts.by_verdict().items()),
        }
        for site, name, rate, verdict, counts in sites
    ]


def _counts_of(findings: Sequence[Finding | tuple]) -> FindingCounts:
    verdicts = [Finding(*f).verdict for f in findings]
    return FindingCounts.of({k: verdicts.count(k) for k in set(verdicts)})


def body_context(summary: ReportSummary, title: str, pdf_note: str) -> dict[str, object]:
    known = [c for c in COMPLIANCE_ORDER if c in summary.counts]
    others = sorted(c for c in summary.counts if c not in COMPLIANCE_ORDER)
    counts = finding_counts(summary)
    briefing = summary.briefing
    actions_total = len(summary.actions) if briefing is None else briefing.actions_total
    return {
        "title": title,
        "iso_week": summary.iso_week,
        "as_of": summary.as_of.isoformat(),
        "verdict": VERDICTS[summary.verdict],
        "rate": format_rate(summary.compliance_rate),
        "rate_phrase": rate_phrase(summary.compliance_rate),
        "nonconformities": counts_phrase(counts),
        "observations": counted(
            counts.get(FindingVerdict.OBSERVATION, 0), FindingVerdict.OBSERVATION
        ),
        "counts": [(label(c), int(summary.counts[c])) for c in (*known, *others)],
        # None: no snapshot of last week; no briefing: not known, not printed
        "changes_known": briefing is not None,
        "changes": None
        if briefing is None or briefing.changes is None
        else [(c.title, c.count) for c in briefing.changes],
        "rate_change": "" if briefing is None else briefing.rate_change,
        "is_company": summary.site == COMPANY,
        "findings": _findings(summary),
        "actions": _actions(summary),
        "more_actions": max(0, actions_total - TOP_ACTIONS),
        "sites": _site_lines(summary),
        "sites_without_recipients": list(summary.sites_without_recipients),
        "contact": None if briefing is None else briefing.contact,
        "pdf_note": pdf_note,
        "escalation": summary.escalation,
    }
