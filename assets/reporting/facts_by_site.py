"""Every site's audit facts from one grouping of the week (the machinery behind the findings step).

:func:`assets.reporting.audit_findings.site_facts` is the definition of a site's facts: its
status rows, the rejected rows and unmatched records attributed to it, selected by masks over
the whole week. Called once per site that is a scan of every company-wide frame per site: at
100 sites of 1,000 people, a hundred scans of 100,000 status rows and of the week's exceptions.
Here each frame is grouped once (``site_slices``) into the row positions of each site, in the
frame's own order, so each site's facts hold exactly the rows ``site_facts`` selects, in the same
order (the tests compare both). The counts of exceptions tied to no site are the week's, counted
once. A configured site with nobody this week gets empty frames, as a mask would.

No Dagster here.
"""

from __future__ import annotations

from collections.abc import Iterable

from assets.reporting.audit_facts import SiteFacts
from assets.reporting.audit_findings import WeekFacts, facts_of_site, unattributed_counts
from assets.reporting.site_slices import rows_by_attributed_site, rows_by_site, take


def facts_by_site(week: WeekFacts, sites: Iterable[str]) -> dict[str, SiteFacts]:
    """Each of ``sites``'s facts, as :func:`site_facts` collects them, from one grouping."""
    status_rows = rows_by_site(week.status)
    rejected_rows = rows_by_attributed_site(week.rejected_rows, week.attribution.rejected_sites)
    unmatched_rows = rows_by_attributed_site(
        week.unmatched_records, week.attribution.unmatched_sites
    )
    # the rules read only their site's rows of the effectiveness table (low_rate_statements)
    effectiveness_rows = rows_by_site(week.effectiveness)
    unattributed = unattributed_counts(week)
    return {
        site: facts_of_site(
            week,
            site,
            status=take(week.status, status_rows, site),
            rejected=take(week.rejected_rows, rejected_rows, site),
            unmatched=take(week.unmatched_records, unmatched_rows, site),
            unattributed=unattributed,
            effectiveness=take(week.effectiveness, effectiveness_rows, site),
        )
        for site in sites
    }
