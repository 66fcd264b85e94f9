"""The findings step's per-site shortcut neither drops nor mixes rows.

``audit_findings`` (the asset) takes every site's facts from one grouping of the week
(``facts_by_site``) instead of selecting each site's rows with masks over the whole week
(``site_facts``, the definition). The week here is computed by the real engine from the
hand-computed scenario's roster (DAYTON, GREENVILLE, TOLEDO), with rejected rows and unmatched
records tied to sites by site code, employee id, e-mail and candidates, some tied to no site,
one tied to two sites, an index whose labels are not row positions, and training-effectiveness
rows of several sites; QUERETARO is configured and has nobody this week. Each site's facts and
findings from the grouping must equal those from the whole week.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from assets.certification.engine import evaluate
from assets.reporting.audit_facts import sample, sample_rows
from assets.reporting.audit_findings import WeekFacts, audit_findings, site_facts
from assets.reporting.facts_by_site import facts_by_site
from assets.reporting.training_effectiveness import FIRST_ATTEMPT_PASS_RATE
from assets.reporting.week_reports import sites_of
from tests.certification import scenario
from tests.reporting import frames as F

FRAMES = ("status", "site_rejected", "site_unmatched")


def _rejected() -> pd.DataFrame:
    rows = [
        # source, source_file, row_number, column, check, value, site, employee_id
        ("roster", "roster/r.csv", 4, "site", "a site code", "A/B", "DAYTON", "P01"),
        ("acme", "providers/acme/a.csv", 7, "module", "a known module", "WELD", None, "P05"),
        ("acme", "providers/acme/a.csv", 8, "score", "a number", "x", None, "P15"),
        ("acme", "providers/acme/a.csv", 9, "score", "a number", "y", None, "NOBODY"),
        ("roster", "roster/r.csv", 12, "hire_date", "a date", "soon", "GREENVILLE", "P01"),
        ("acme", "providers/acme/empty.csv", None, None, "a non-empty file", None, None, None),
        ("acme", "providers/acme/a.csv", 11, "score", "a number", "z", None, "P03"),
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "source",
            "source_file",
            "row_number",
            "column",
            "check",
            "value",
            "site",
            "employee_id",
        ],
    )
    # labels that are not positions: a shortcut confusing the two takes another row
    frame.index = [70, 10, 40, 20, 60, 30, 50]
    return frame


def _unmatched(status: pd.DataFrame) -> pd.DataFrame:
    email = status.loc[status["employee_id"] == "P06", "email"].iloc[0]
    rows = [
        # provider, record_id, source_file, row_number, reason, employee_id, email, candidates
        ("nf", "U1", "providers/nf/u.csv", 2, "AMBIGUOUS", None, None, "P01; P05"),
        ("nf", "U2", "providers/nf/u.csv", 3, "UNMATCHED", "P15", None, None),
        ("nf", "U3", "providers/nf/u.csv", 4, "UNMATCHED", None, str(email).upper(), None),
        ("nf", "U4", "providers/nf/u.csv", 5, "UNMATCHED", "NOBODY", "x@example.com", None),
        ("nf", "U5", "providers/nf/u.csv", 6, "AMBIGUOUS", None, None, "P03,P08"),
    ]
    frame = F.unmatched([(*r[:5], r[5], r[6], "Pat", "Doe", r[7]) for r in rows])
    frame.index = [9, 7, 5, 3, 1]
    return frame


def _effectiveness() -> pd.DataFrame:
    def rate(site: str, module: str, value: float) -> dict:
        return {
            "site": site,
            "provider": "nf",
            "module": module,
            "credential": None,
            "window_weeks": 52,
            "window_start": pd.Timestamp("2025-11-24"),
            "window_end": pd.Timestamp("2026-11-22"),
            "measure": FIRST_ATTEMPT_PASS_RATE,
            "value": value,
            "count": int(value * 10),
            "sample": 10,
            "judged": True,
            "note": None,
        }

    return pd.DataFrame(
        [
            rate("GREENVILLE", "SAFETY", 0.3),
            rate("DAYTON", "QUALITY", 0.4),
            rate("GREENVILLE", "QUALITY", 0.9),
            rate("TOLEDO", "PROCESSES", 0.5),
            rate("DAYTON", "SAFETY", 0.2),
        ]
    )


@pytest.fixture(scope="module")
def week(config, ctx) -> WeekFacts:
    roster, results, activities = scenario.frames()
    status = evaluate(roster, results, activities, config, scenario.AS_OF).status
    source_files = F.source_files([("acme", "providers/acme/a.csv", "f" * 64, 40, 34, 6, 0, None)])
    return WeekFacts.of(
        status, source_files, _rejected(), _unmatched(status), config, ctx, _effectiveness()
    )


def test_the_week_has_sites_with_and_without_rows_and_exceptions(week, config):
    sites = sites_of(week.status, config)
    assert sites == ["DAYTON", "GREENVILLE", "QUERETARO", "TOLEDO"]
    assert "QUERETARO" not in set(week.status["site"])
    whole = {site: site_facts(week, site) for site in sites}
    assert whole["QUERETARO"].status.empty
    # rejects by site code (row 4: DAYTON, 12: GREENVILLE) and by the employee id of a person
    # there (4 and 12 name P01 of DAYTON, 7 P05, 8 P15, 11 P03); 9 names nobody
    assert list(whole["DAYTON"].site_rejected["row_number"]) == [4, 12, 11]
    assert list(whole["GREENVILLE"].site_rejected["row_number"]) == [7, 12]
    assert list(whole["TOLEDO"].site_rejected["row_number"]) == [8]
    assert list(whole["DAYTON"].site_unmatched["record_id"]) == ["U1", "U5"]
    assert list(whole["GREENVILLE"].site_unmatched["record_id"]) == ["U1", "U3"]
    assert list(whole["TOLEDO"].site_unmatched["record_id"]) == ["U2"]
    assert (whole["DAYTON"].unattributed_rejected, whole["DAYTON"].unattributed_unmatched) == (1, 1)


def test_each_sites_facts_from_the_grouping_equal_those_from_the_whole_week(week, config):
    sites = sites_of(week.status, config)
    grouped = facts_by_site(week, sites)
    assert list(grouped) == sites
    for site in sites:
        whole, mine = site_facts(week, site), grouped[site]
        for name in FRAMES:
            pd.testing.assert_frame_equal(getattr(mine, name), getattr(whole, name), obj=site)
        assert mine.unattributed_rejected == whole.unattributed_rejected, site
        assert mine.unattributed_unmatched == whole.unattributed_unmatched, site
        assert (mine.site, mine.as_of, mine.config_hash) == (site, whole.as_of, whole.config_hash)
        # the rules read the effectiveness of their own site only: the grouping hands over
        # exactly those rows
        expected = week.effectiveness[week.effectiveness["site"] == site]
        pd.testing.assert_frame_equal(mine.effectiveness, expected, obj=site)
    # every status row is some site's, once
    assert sum(len(grouped[site].status) for site in sites) == len(week.status)


def test_each_sites_findings_from_the_grouping_equal_those_from_the_whole_week(week, config):
    sites = sites_of(week.status, config)
    grouped = facts_by_site(week, sites)
    statements = {}
    for site in sites:
        expected = audit_findings(week, site)
        actual = audit_findings(week, site, grouped[site])
        pd.testing.assert_frame_equal(actual, expected, obj=site)
        statements[site] = " ".join(expected["statement"])
    # the findings name each site's own exceptions and effectiveness, nobody else's
    assert "providers/acme/a.csv row 7" in statements["GREENVILLE"]
    assert "providers/acme/a.csv row 7" not in statements["DAYTON"]
    assert "nf:U2" in statements["TOLEDO"] and "nf:U2" not in statements["DAYTON"]
    assert "SAFETY at nf: 2 of 10" in statements["DAYTON"]
    assert "SAFETY at nf: 3 of 10" in statements["GREENVILLE"]
    assert "SAFETY at nf" not in statements["TOLEDO"]


def test_the_asset_grades_every_site_from_the_grouping(week, config):
    """What the step writes: the grouped findings of all sites equal the per-site definition's."""
    sites = sites_of(week.status, config)
    grouped = facts_by_site(week, sites)
    actual = pd.concat([audit_findings(week, s, grouped[s]) for s in sites], ignore_index=True)
    expected = pd.concat([audit_findings(week, s) for s in sites], ignore_index=True)
    pd.testing.assert_frame_equal(actual, expected)
    assert set(actual["site"]) == set(sites)
    assert dt.date(2026, 11, 22) == week.ctx.as_of


@pytest.mark.parametrize("count", [0, 1, 6, 7, 40])
@pytest.mark.parametrize("listed_in", ["employee_status.csv", "effectiveness section"])
def test_a_statement_describes_only_the_rows_it_names_and_counts_the_rest(count, listed_in):
    """The rules describe the first rows only (``sample_rows``): the same text as describing
    every row and sampling the list."""
    rows = pd.DataFrame({"employee_id": [f"E{n:03d}" for n in range(count)], "n": range(count)})
    described = []

    def describe(row: pd.Series) -> str:
        described.append(row["employee_id"])
        return f"{row['employee_id']} #{row['n']}"

    text = sample_rows(rows, describe, listed_in)
    assert text == sample([f"E{n:03d} #{n}" for n in range(count)], listed_in)
    assert described == [f"E{n:03d}" for n in range(min(count, 6))]
    where = f"the attached {listed_in}" if listed_in.endswith(".csv") else f"the {listed_in}"
    assert text.endswith(f"; and 34 more (listed in {where})") == (count == 40)
