"""Every row of the generated sample (with its trouble) is accounted for."""

from __future__ import annotations

import datetime as dt

import pytest

from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from pipelines.sample_data import generate_sample_data

TODAY = dt.date(2026, 11, 25)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    summary = generate_sample_data(landing, employees=400, seed=3, today=TODAY, progress=False)
    return landing, summary


def test_every_input_row_is_accepted_rejected_or_deduplicated(sample, config):
    landing, summary = sample
    week = ingest_week(
        take_inventory(landing, config.providers), config, as_of=dt.date(2026, 11, 22), today=TODAY
    )
    files = week.source_files.set_index("file")
    # rows in per data file equal the generator's own count of rows it wrote
    for path, rows in summary.rows.items():
        if path.startswith("roster/") and path != week.roster_file:
            continue  # only the week's extract is read
        if path == "providers/apex_academy/README.txt":
            assert files.loc[path, "problem"] is not None
            continue
        if path == "providers/westlake_tech/results.csv":  # an unknown folder: one folder row
            assert files.loc["providers/westlake_tech/", "problem"] is not None
            continue
        assert files.loc[path, "rows_in"] == rows, path
    balanced = files["accepted"] + files["rejected"] + files["deduplicated"] == files["rows_in"]
    assert balanced.all()
    decisions = len(week.exemptions) + len(week.revocations)
    assert decisions == 4  # the sample's three exemptions and one revocation, all valid
    stored = len(week.roster) + len(week.results) + len(week.activities) + decisions
    assert stored == files["accepted"].sum()


def test_the_counted_trouble_is_found(sample, config):
    landing, summary = sample
    week = ingest_week(
        take_inventory(landing, config.providers), config, as_of=dt.date(2026, 11, 22), today=TODAY
    )
    row_rejects = week.rejects[week.rejects["row_number"].notna()]  # not the whole files
    rejected_rows = row_rejects.drop_duplicates(["source_file", "row_number"])
    superseded = week.deduplicated[week.deduplicated["kind"] == "SUPERSEDED"]
    for source, expected in summary.expected_rejects.items():
        found = (rejected_rows["source"] == source).sum() + (superseded["source"] == source).sum()
        assert found == expected, source
    exact = (week.deduplicated["kind"] == "EXACT_REPEAT").sum()
    assert exact == summary.trouble["exact_resend"]
    assert (week.unmatched["reason"] == "AMBIGUOUS").sum() == summary.trouble["ambiguous_name"]
    assert (week.results["match_method"] == "name").sum() >= summary.trouble["name_only"]
    problems = week.source_files["problem"].dropna()
    assert problems.str.contains("unknown provider folder 'westlake_tech'").sum() == 1
    assert problems.str.contains("not a data file").sum() == 1
