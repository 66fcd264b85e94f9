"""Paper size per report: Letter where people print on Letter (the US and Canada), A4 elsewhere.

The order of precedence, most specific first: a site's own ``paper:`` in ``policy.yaml``; the
company-wide ``report.paper`` when it names a size (``A4`` or ``Letter``) rather than ``auto``;
otherwise the country of the site's timezone (the company timezone for the roll-up and for a site
without one), read from the IANA ``zone.tab`` — a ``America/Chicago`` site prints on Letter, an
``America/Mexico_City`` site on A4. A timezone the table does not list (an alias such as
``US/Eastern``, or ``UTC``) gets A4.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from schemas.config import CompetenceConfig

LETTER_COUNTRIES = frozenset({"US", "CA"})
DEFAULT_PAPER = "A4"
_SYSTEM_ZONE_TAB = Path("/usr/share/zoneinfo/zone.tab")


@cache
def zone_countries() -> dict[str, str]:
    """IANA timezone name -> ISO 3166 country code, from the tzdata package's ``zone.tab``."""
    try:
        text = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        text = _SYSTEM_ZONE_TAB.read_text("utf-8") if _SYSTEM_ZONE_TAB.is_file() else ""
    countries = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) >= 3:
            countries[fields[2].strip()] = fields[0].strip()
    return countries


def paper_for_timezone(timezone: str) -> str:
    return "Letter" if zone_countries().get(timezone) in LETTER_COUNTRIES else DEFAULT_PAPER


def site_paper(config: CompetenceConfig, site: str) -> str:
    """``A4`` or ``Letter`` for one site's report."""
    own = config.policy.sites.get(site)
    if own is not None and own.paper:
        return own.paper
    if config.policy.report.paper != "auto":
        return config.policy.report.paper
    return paper_for_timezone(config.site_timezone(site))


def company_paper(config: CompetenceConfig) -> str:
    """``A4`` or ``Letter`` for the company roll-up (the company timezone decides)."""
    if config.policy.report.paper != "auto":
        return config.policy.report.paper
    return paper_for_timezone(config.policy.timezone)
