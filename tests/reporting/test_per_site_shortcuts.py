"""Per-site shortcuts neither drop nor mix rows: each site's figures equal the whole-week ones.

``report_index`` feeds every site the rows of its slice (``WeekReports.by_site``) instead of the
whole week's status, and ``WeekReports.parts`` takes every site's archive fingerprints from row
hashes computed once per frame (``fingerprints.WeekHashes``) instead of hashing each site's
rows. The week here is computed by the real engine for two consecutive Sundays from the
hand-computed scenario's roster, with people who moved between sites, one who left the company,
one who was hired, and a configured site (QUERETARO) where somebody worked last week and nobody
works this week: each site's changes from its slice must equal the whole-week computation for
that site, the index must print exactly those figures, and each site's fingerprints must equal
those of its rows selected with masks (``WeekReports._site_parts``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from assets.certification.engine import evaluate
from assets.certification.status_evidence import status_evidence
from assets.recipients import RecipientPlan
from assets.reporting.audit_findings import WeekFacts, audit_findings
from assets.reporting.briefing_table import CHANGE
from assets.reporting.changes import weekly_changes
from assets.reporting.fingerprints import RowHashes, fingerprint
from assets.reporting.rate_change import rate_change_text
from assets.reporting.report_index import report_index
from assets.reporting.week_reports import WeekReports, _run_facts
from schemas.identifiers import ROLLUP_NAME
from tests.certification import scenario
from tests.reporting import frames as F

THIS_SUNDAY = scenario.AS_OF
LAST_SUNDAY = THIS_SUNDAY - dt.timedelta(days=7)
PT = scenario.PT


def _last_weeks_roster() -> list[tuple]:
    people = []
    for emp, site, role, hired, left in scenario.PEOPLE:
        if emp == "P06":  # at DAYTON last week, at GREENVILLE this week
            site = "DAYTON"
        if emp == "P16":  # at TOLEDO last week, at DAYTON this week
            site = "TOLEDO"
        people.append((emp, site, role, hired, left))
    # at QUERETARO last week and off the roster this week: the site is empty now
    people.append(("P18", "QUERETARO", PT, "2019-01-01", None))
    return people


def _this_weeks_roster() -> list[tuple]:
    # hired this week at GREENVILLE
    return [*scenario.PEOPLE, ("P19", "GREENVILLE", PT, "2026-11-16", None)]


def _escalated(status: pd.DataFrame) -> pd.DataFrame:
    late = status[status["compliance"] == "NON_COMPLIANT"]
    return pd.DataFrame(
        {
            "site": late["site"],
            "employee_id": late["employee_id"],
            "credential": late["credential"],
            "state": "escalated",
            "escalated_to": "site",
        }
    )


def _linked(results: pd.DataFrame) -> pd.DataFrame:
    """The results as the ingest hands them on: linked to a person, with their source row."""
    return results.assign(
        person_id=results["employee_id"],
        score=90.0,
        source_file="providers/nf/results.csv",
        source_row=range(2, 2 + len(results)),
    )


@pytest.fixture(scope="module")
def week(config, ctx) -> WeekReports:
    _, results, activities = scenario.frames()
    roster_now = scenario.roster_frame(_this_weeks_roster())
    roster_before = scenario.roster_frame(_last_weeks_roster())
    status = evaluate(roster_now, results, activities, config, THIS_SUNDAY).status
    previous = evaluate(roster_before, results, activities, config, LAST_SUNDAY).status
    facts = WeekFacts.of(status, F.source_files(), F.rejected_rows(), F.unmatched(), config, ctx)
    sites = sorted(set(status["site"]) | set(config.policy.sites))
    return WeekReports(
        facts=facts,
        previous_status=previous,
        compliance_history=pd.concat([F.history(site, 3) for site in sites], ignore_index=True),
        renewal_forecast=F.empty_forecast(),
        points_ledger=F.empty_ledger(),
        findings=pd.concat([audit_findings(facts, site) for site in sites], ignore_index=True),
        recipients=RecipientPlan({}, tuple(sites), company_without_recipients=False),
        corrective_actions=_escalated(status),
        evidence=status_evidence(status, _linked(results)),
    )


def _whole_week(week: WeekReports, site: str):
    """The site's changes computed over every site's rows, as before the per-site split."""
    return weekly_changes(week.status, week.previous_status, site, week.status)


def test_the_week_has_movers_leavers_and_an_empty_site(week):
    assert "QUERETARO" not in set(week.status["site"])
    assert "QUERETARO" in set(week.previous_status["site"]) and "QUERETARO" in week.sites
    dayton, greenville = _whole_week(week, "DAYTON"), _whole_week(week, "GREENVILLE")
    assert [c.detail for c in dayton.left if c.employee_id == "P06"] == ["moved to site GREENVILLE"]
    assert [c.detail for c in greenville.joined if c.employee_id == "P06"] == [
        "moved from site DAYTON"
    ]
    assert [c.detail for c in dayton.joined if c.employee_id == "P16"] == ["moved from site TOLEDO"]
    assert [c.employee_id for c in _whole_week(week, "QUERETARO").left] == ["P18"]
    assert any(c.employee_id == "P19" for c in greenville.joined)


def test_each_sites_changes_from_its_slice_equal_the_whole_week_computation(week):
    by_site = week.by_site()
    for site in week.sites:
        here = by_site[site]
        from_slice = weekly_changes(
            here.status,
            here.previous_status,
            site,
            here.status,
            previous_stored=week.last_week_stored,
        )
        assert from_slice == _whole_week(week, site), site
        # nobody from another site in its lists
        listed = {c.employee_id for c in [*from_slice.joined, *from_slice.left]}
        site_people = set(week.status.loc[week.status["site"] == site, "employee_id"]) | set(
            week.previous_status.loc[week.previous_status["site"] == site, "employee_id"]
        )
        assert listed <= site_people, site


def test_the_index_prints_each_sites_own_changes_and_escalations(week, tmp_path):
    pdfs = {name: name.encode() for name in [*week.sites, ROLLUP_NAME]}
    index, lines = report_index(week, pdfs, tmp_path, F.WEEK.isoformat())
    assert list(index["report"]) == [*week.sites, ROLLUP_NAME]
    changes = lines[lines["section"] == CHANGE]
    for site in week.sites:
        whole = _whole_week(week, site)
        printed = changes[changes["report"] == site]
        assert list(zip(printed["title"], printed["count"], strict=True)) == list(
            whole.summary_counts()
        ), site
        row = index[index["report"] == site].iloc[0]
        assert row["rate_change"] == rate_change_text(whole.rate), site
        late = int(
            ((week.status["site"] == site) & (week.status["compliance"] == "NON_COMPLIANT")).sum()
        )
        assert (
            row["escalation"].startswith(f"{late} corrective action(s)")
            if late
            else (row["escalation"] == "")
        ), site
    queretaro = changes[changes["report"] == "QUERETARO"].set_index("title")["count"]
    assert queretaro["left"] == 1 and queretaro["joined"] == 0
    greenville = changes[changes["report"] == "GREENVILLE"].set_index("title")["count"]
    assert greenville["joined"] == len(_whole_week(week, "GREENVILLE").joined) >= 2


def _reference_parts(week: WeekReports) -> dict[str, dict[str, str]]:
    shared = {
        "inputs": fingerprint(week.source_files, week.rejected_rows, week.unmatched_records),
        "run": fingerprint(*_run_facts(week.ctx)),
    }
    return {site: week._site_parts(site, shared) for site in week.sites}


def test_each_sites_fingerprints_from_row_hashes_equal_those_of_its_rows(week):
    parts = week.parts()
    reference = _reference_parts(week)
    for site in week.sites:
        assert parts[site] == reference[site], site
    # every site's people differ, and the roll-up hashes the whole week
    assert len({parts[site]["people"] for site in week.sites}) == len(week.sites)
    assert parts[ROLLUP_NAME]["people"] == fingerprint(ROLLUP_NAME, week.status)
    assert RowHashes(week.status).hashes is not None  # dates only: hashed once


def test_a_time_of_day_in_a_column_falls_back_to_hashing_each_sites_rows(week):
    """pandas prints a date-time column as dates only when every value is at midnight: with one
    time of day, every row of the whole column reads with a time, but a site without it reads
    as dates, so its rows must be hashed as they are."""
    actions = week.corrective_actions.assign(
        first_raised=pd.Timestamp("2026-10-05"), due_date=pd.Timestamp("2026-11-01")
    )
    actions.loc[actions.index[0], "first_raised"] = pd.Timestamp("2026-10-05 10:30")
    timed = WeekReports(**{**week.__dict__, "corrective_actions": actions})
    assert RowHashes(actions).hashes is None
    parts, reference = timed.parts(), _reference_parts(timed)
    for site in timed.sites:
        assert parts[site] == reference[site], site
    # the shortcut it refuses would have hashed another text for the sites without the time
    other = actions[actions["site"] != actions["site"].iloc[0]]
    assert not other.empty
    whole_text = actions.astype(str).loc[other.index, "first_raised"]
    assert list(whole_text) != list(other.astype(str)["first_raised"])
