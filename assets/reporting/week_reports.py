"""The week's report inputs as one typed value, built once and handed to every render step.

``WeekReports`` holds what the site PDFs and the company roll-up are rendered from: the week's
status rows and last week's, the trend history, the findings, the files, the actions, and the
decisions taken about the week (hold reason in ``ctx``, recipients). The plan step builds it; each
render step receives it (pickled once under the run's storage), so a step on another machine
renders from exactly what the plan saw. ``RenderInputs`` (the bundle and the document controls)
is what each render worker is handed once, in its initializer, and renders any report from.
The fingerprints of each report's inputs, by part, are computed here too: the same
fingerprints mean the same report (``document_control.PART_NAMES``).
No Dagster here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from assets.recipients import RecipientPlan
from assets.reporting.audit_findings import WeekFacts
from assets.reporting.company_report import render_company_report
from assets.reporting.context import ReportContext
from assets.reporting.document_control import DocumentControl
from assets.reporting.fingerprints import WeekHashes, fingerprint, history_fingerprint
from assets.reporting.site_report import render_site_report
from assets.reporting.site_slices import SiteSplit, take
from schemas.config import CompetenceConfig
from schemas.identifiers import ROLLUP_NAME


def inputs_of(parts: dict[str, str]) -> str:
    """One fingerprint of a report's parts: what the archive manifest compares."""
    return fingerprint(*parts.values())


@dataclass(frozen=True)
class WeekReports:
    """Everything one week's reports are rendered from (frames without their ``week`` column):
    the week's facts (status rows, input files, exceptions, configuration, run facts: the same
    value the findings were graded from) and what only the reports need."""

    facts: WeekFacts
    previous_status: pd.DataFrame
    compliance_history: pd.DataFrame
    renewal_forecast: pd.DataFrame
    points_ledger: pd.DataFrame
    findings: pd.DataFrame
    # who receives which report, decided once here from recipients.yaml; the mail uses it as is
    recipients: RecipientPlan
    # None only where a caller has none (a test, a benchmark): the reports then leave them out
    evidence: pd.DataFrame | None = None
    corrective_actions: pd.DataFrame | None = None
    # which input files each site's appendix lists by name (the rest: one line, see company.pdf);
    # None lists every file in every site's appendix
    file_sites: pd.DataFrame | None = None
    # whether last week's status is stored; None: whether previous_status has rows (a site's
    # slice says it, as its own rows of last week may be none)
    previous_week_stored: bool | None = None

    @property
    def ctx(self) -> ReportContext:
        return self.facts.ctx

    @property
    def config(self) -> CompetenceConfig:
        return self.facts.config

    @property
    def status(self) -> pd.DataFrame:
        return self.facts.status

    @property
    def source_files(self) -> pd.DataFrame:
        return self.facts.source_files

    @property
    def rejected_rows(self) -> pd.DataFrame:
        return self.facts.rejected_rows

    @property
    def unmatched_records(self) -> pd.DataFrame:
        return self.facts.unmatched_records

    @property
    def effectiveness(self) -> pd.DataFrame:
        return self.facts.effectiveness

    @property
    def last_week_stored(self) -> bool:
        if self.previous_week_stored is not None:
            return self.previous_week_stored
        return self.previous_status is not None and not self.previous_status.empty

    @property
    def sites(self) -> list[str]:
        """Every site with people this week, and every configured site (an empty one says so)."""
        return sites_of(self.status, self.config)

    @property
    def sites_without_recipients(self) -> list[str]:
        return list(self.recipients.sites_without_recipients)

    def parts(self) -> dict[str, dict[str, str]]:
        """Each report's input fingerprints by part (site reports and the roll-up). Each site's
        are those of ``_site_parts`` (its rows, selected by masks), taken from row hashes of
        each frame computed once (``fingerprints.WeekHashes``)."""
        shared = {
            "inputs": fingerprint(self.source_files, self.rejected_rows, self.unmatched_records),
            "run": fingerprint(*_run_facts(self.ctx)),
        }
        hashes = WeekHashes(
            {
                "status": self.status,
                "previous_status": self.previous_status,
                "compliance_history": self.compliance_history,
                "findings": self.findings,
                "corrective_actions": self.corrective_actions,
                "effectiveness": self.effectiveness,
                "file_sites": self.file_sites,
                "renewal_forecast": self.renewal_forecast,
                "points_ledger": self.points_ledger,
                "evidence": self.evidence,
            }
        )
        parts = {
            site: hashes.site_parts(site, shared, self.last_week_stored) for site in self.sites
        }
        parts[ROLLUP_NAME] = {
            "people": fingerprint(ROLLUP_NAME, hashes.whole("status")),
            "history": fingerprint(
                hashes.whole("previous_status"), hashes.whole("compliance_history")
            ),
            "findings": fingerprint(hashes.whole("findings")),
            "actions": fingerprint(hashes.whole("corrective_actions")),
            "inputs": fingerprint(
                self.source_files,
                self.rejected_rows,
                self.unmatched_records,
                self.sites_without_recipients,
            ),
            "run": shared["run"],
        }
        return parts

    def by_site(self) -> dict[str, WeekReports]:
        """For every site, the week with only the rows its report reads (``site_slices``): the
        same report from far fewer rows, and what a render worker is sent for that site. The
        company-wide parts (input files, exceptions and their attribution, configuration, run
        facts, recipients) are shared, not copied."""
        split = SiteSplit(
            self.status,
            self.previous_status,
            by_site={
                "compliance_history": self.compliance_history,
                "findings": self.findings,
                "corrective_actions": self.corrective_actions,
                "file_sites": self.file_sites,
                "effectiveness": self.effectiveness,
            },
            by_person={
                "renewal_forecast": self.renewal_forecast,
                "points_ledger": self.points_ledger,
                "evidence": self.evidence,
            },
        )
        return {site: self._slice(site, split) for site in self.sites}

    def _slice(self, site: str, split: SiteSplit) -> WeekReports:
        def by_site(name: str) -> pd.DataFrame | None:
            return take(getattr(self, name), split.by_site[name], site)

        def by_person(name: str) -> pd.DataFrame | None:
            return take(getattr(self, name), split.by_person[name], site)

        facts = replace(
            self.facts,
            status=take(self.status, split.status, site),
            effectiveness=by_site("effectiveness"),
        )
        return replace(
            self,
            facts=facts,
            previous_status=take(self.previous_status, split.previous_status, site),
            compliance_history=by_site("compliance_history"),
            findings=by_site("findings"),
            corrective_actions=by_site("corrective_actions"),
            file_sites=by_site("file_sites"),
            renewal_forecast=by_person("renewal_forecast"),
            points_ledger=by_person("points_ledger"),
            evidence=by_person("evidence"),
            previous_week_stored=self.last_week_stored,
        )

    def _site_parts(self, site: str, shared: dict[str, str]) -> dict[str, str]:
        """A site report's input fingerprints by part, from its rows (what each part means;
        ``parts`` computes the same for every site at once)."""

        def mine(frame: pd.DataFrame | None) -> pd.DataFrame | None:
            return frame[frame["site"] == site] if frame is not None and "site" in frame else frame

        rows = mine(self.status)
        people = set(rows["employee_id"])
        per_person = [
            frame[frame["employee_id"].isin(people)]
            for frame in (self.renewal_forecast, self.points_ledger, self.evidence)
        ]
        return {
            "people": fingerprint(site, rows, *per_person),
            "history": history_fingerprint(
                mine(self.previous_status), mine(self.compliance_history), self.last_week_stored
            ),
            "findings": fingerprint(mine(self.findings)),
            "actions": fingerprint(mine(self.corrective_actions)),
            "effectiveness": fingerprint(mine(self.effectiveness)),
            **shared,
            # the shared files, and which of them the site's appendix lists by name
            "inputs": fingerprint(mine(self.file_sites), shared["inputs"]),
        }


@dataclass(frozen=True)
class RenderInputs:
    """What a render worker receives, once, in its initializer: the week's reports and the
    document control of each report to render (its revision and issue date)."""

    reports: WeekReports
    controls: dict[str, DocumentControl] = field(default_factory=dict)

    def render(self, name: str) -> bytes:
        """The PDF of one report: a site code, or ``ROLLUP_NAME`` for the company roll-up."""
        r = self.reports
        if name == ROLLUP_NAME:
            return render_company_report(
                r.facts,
                compliance_history=r.compliance_history,
                findings=r.findings,
                sites_without_recipients=r.sites_without_recipients,
                corrective_actions=r.corrective_actions,
                document=self.controls.get(ROLLUP_NAME),
            )
        return render_site_report(
            name,
            r.facts,
            previous_status=r.previous_status,
            compliance_history=r.compliance_history,
            renewal_forecast=r.renewal_forecast,
            points_ledger=r.points_ledger,
            findings=r.findings,
            evidence=r.evidence,
            corrective_actions=r.corrective_actions,
            document_control=self.controls,
            file_sites=r.file_sites,
            previous_week_stored=r.last_week_stored,
        )


def sites_of(status: pd.DataFrame, config: CompetenceConfig) -> list[str]:
    """Every site with people this week, and every configured site (an empty one says so)."""
    return sorted(set(status["site"].dropna().astype(str)) | set(config.policy.sites))


def _run_facts(ctx: ReportContext) -> tuple:
    """What a report prints about the run itself: any change must re-render the PDF."""
    return (
        ctx.config_hash,
        ctx.code_version,
        ctx.held,
        ctx.hold_reason,
        ctx.newest_input_file,
        ctx.before_first_extract,
        ctx.roster_extract,
        ctx.previous_roster_extract,
        ctx.roster_max_age_days,
    )
