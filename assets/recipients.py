"""Decides who receives which report, from ``recipients.yaml`` only (docs/reports.md).

A site's report goes to that site's list and nobody else; the company roll-up goes to ``company``.
Nothing is guessed: site ids must match the configuration exactly, and a site with no recipients
is returned in ``sites_without_recipients`` so the run and the roll-up can say so. Its PDF is kept.
An address listed twice for the same report (in any letter case) receives it once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schemas.config import RecipientsConfig
from schemas.identifiers import ROLLUP_NAME

COMPANY = ROLLUP_NAME  # a name no site code can take (schemas/identifiers.py)


@dataclass(frozen=True)
class RecipientPlan:
    """Recipients per report key (a site id, or ``"company"`` for the roll-up)."""

    by_report: dict[str, tuple[str, ...]]
    sites_without_recipients: tuple[str, ...]
    company_without_recipients: bool

    def for_report(self, report: str) -> tuple[str, ...]:
        return self.by_report.get(report, ())


def resolve_recipients(
    recipients: RecipientsConfig, sites: Iterable[str], *, include_company: bool = True
) -> RecipientPlan:
    """Map each reported site (and the roll-up) to its configured recipients.

    ``sites`` are the sites that have a report this week; configured sites without a report get
    no entry, since there is nothing to send them.
    """
    by_report: dict[str, tuple[str, ...]] = {}
    without: list[str] = []
    for site in sorted(set(sites)):
        addresses = _unique(recipients.sites.get(site, ()))
        if addresses:
            by_report[site] = addresses
        else:
            without.append(site)
    company = _unique(recipients.company) if include_company else ()
    if company:
        by_report[COMPANY] = company
    return RecipientPlan(
        by_report=by_report,
        sites_without_recipients=tuple(without),
        company_without_recipients=include_company and not company,
    )


def data_team_recipients(recipients: RecipientsConfig) -> tuple[str, ...]:
    """Who is told that a run failed."""
    return _unique(recipients.data_team)


def _unique(addresses: Sequence[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    unique = []
    for address in addresses:
        key = address.strip().lower()
        if key and key not in seen:
            seen.add(key)
            unique.append(address.strip())
    return tuple(unique)
