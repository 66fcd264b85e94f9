"""What a report e-mail says: the report's summary as the mail receives it, and the body's text.

:class:`ReportSummary` is the first page of a report as the delivery stage hands it over; its
``briefing`` carries the PDF's own figures (``assets/reporting/briefing.py``). The functions here
turn it into the subject's headline and the context of the body templates, formatting every
figure with the report's formatters and every code with its vocabulary, so the mail reads as the
PDF does. A summary without a briefing (older callers) falls back to its plain fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

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
    # the site's corrective actions escalated to its lead, as one sentence naming the lead
    escalation: str = ""
    # The PDF's own figures for the mail (assets/reporting/briefing.py): finding_counts,
    # findings, actions, actions_total, changes, contact and, for the roll-up, sites.
    briefing: Mapping[str, Any] = field(default_factory=dict)

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
    counts = summary.briefing.get("finding_counts")
    if counts is not None:
        return counts
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
    lines = summary.briefing.get("findings")
    if lines is None:
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
    lines = summary.briefing.get("actions")
    if lines is None:  # no briefing: the earliest due dates first
        urgent = sorted(summary.actions, key=lambda a: (a.due_date is None, a.due_date or date.max))
        lines = [
            {"name": a.name, "what": a.action, "due": a.due_date and a.due_date.isoformat()}
            for a in urgent
        ]
    out = []
    for a in lines[:TOP_ACTIONS]:
        overdue = int(a.get("overdue_days") or 0)
        out.append(
            {
                "name": a["name"],
                "employee_id": a.get("employee_id") or "",
                "action": a["what"],
                "manager": a.get("manager") or "",
                "when": overdue_text(overdue)
                if overdue > 0
                else (f"due {a['due']}" if a.get("due") else "now"),
            }
        )
    return out


def _site_lines(summary: ReportSummary) -> list[dict[str, str]]:
    sites = summary.briefing.get("sites")
    if sites is None:
        sites = [
            {
                "site": s.site,
                "name": s.site_name,
                "rate": s.compliance_rate,
                "verdict": s.verdict.upper(),
                "finding_counts": None if not s.findings else _counts_of(s.findings),
            }
            for s in summary.sites
        ]
    return [
        {
            "site": s["site"],
            "site_name": s["name"],
            "rate": format_rate(s["rate"]),
            "rate_phrase": rate_phrase(s["rate"]),
            "verdict_label": VERDICTS.get(str(s["verdict"]).lower(), {"label": s["verdict"]})[
                "label"
            ],
            # no counts known: say nothing rather than "no nonconformities" next to a red site
            "nonconformities": ""
            if s["finding_counts"] is None
            else ", ".join(
                counted(s["finding_counts"].get(k, 0), k)
                for k in (
                    FindingVerdict.MAJOR_NC,
                    FindingVerdict.MINOR_NC,
                    FindingVerdict.OBSERVATION,
                )
            ),
        }
        for s in sites
    ]


def _counts_of(findings: Sequence[Finding | tuple]) -> dict[str, int]:
    verdicts = [Finding(*f).verdict for f in findings]
    return {
        k: verdicts.count(k)
        for k in (FindingVerdict.MAJOR_NC, FindingVerdict.MINOR_NC, FindingVerdict.OBSERVATION)
    }


def body_context(summary: ReportSummary, title: str, pdf_note: str) -> dict[str, object]:
    known = [c for c in COMPLIANCE_ORDER if c in summary.counts]
    others = sorted(c for c in summary.counts if c not in COMPLIANCE_ORDER)
    counts = finding_counts(summary)
    actions_total = summary.briefing.get("actions_total", len(summary.actions))
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
        # None: no snapshot of last week; absent from the briefing: not known, not printed
        "changes_known": "changes" in summary.briefing,
        "changes": summary.briefing.get("changes"),
        "rate_change": summary.briefing.get("rate_change", ""),
        "is_company": summary.site == COMPANY,
        "findings": _findings(summary),
        "actions": _actions(summary),
        "more_actions": max(0, actions_total - TOP_ACTIONS),
        "sites": _site_lines(summary),
        "sites_without_recipients": list(summary.sites_without_recipients),
        "contact": summary.briefing.get("contact"),
        "pdf_note": pdf_note,
        "escalation": summary.escalation,
    }
