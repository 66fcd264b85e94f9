"""The report as a controlled document (ISO 9001 7.5.3), through real materializations of the
whole weekly graph into DuckDB over a small generated landing folder, PDFs read back with pypdf.

Run 1 (run date 2026-11-23) issues week 2026-W47 as revision 1. Run 2 (2026-11-25) follows a
change of recipients.yaml (a deputy quality manager added at DAYTON): the configuration changed,
so every report is reissued as revision 2, naming why, with the new distribution list and the
new issue date. Run 3 (2026-11-25 again) changes nothing: the archived revision 2 is kept,
byte for byte.
"""

from __future__ import annotations

import json
import shutil
from datetime import date

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.sample_data import generate_sample_data
from tests.conftest import PROJECT_ROOT
from tests.reporting.pdf_reading import conformance_failures, docinfo, pdf_text, squashed
from tests.week_resources import outbox_mailer, week_resources

WEEK = "2026-11-16"  # 2026-W47, as of 2026-11-22
DEPUTY = "deputy.qm.dayton@example.com"


def _run(landing, config, output, run_date: str) -> None:
    resources = week_resources(
        output, landing=landing, config_dir=config, run_date=run_date, mailer=outbox_mailer(output)
    )
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            list(defs.assets),
            selection=dg.AssetSelection.all()
            - dg.AssetSelection.assets("mail_clearance", "email_delivery"),
            partition_key=WEEK,
            resources=resources,
            instance=instance,
        )
    [pdfs] = [
        m
        for m in result.asset_materializations_for_node("site_report_pdfs")
        if m.asset_key == dg.AssetKey("site_report_pdfs")  # not its briefing lines
    ]
    return pdfs.metadata["rendered"].value


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    root = tmp_path_factory.mktemp("doc")
    landing, config, output = root / "landing", root / "config", root / "var"
    generate_sample_data(landing, employees=60, seed=11, today=date(2026, 11, 23), progress=False)
    shutil.copytree(PROJECT_ROOT / "config", config)
    folder = output / "reports" / WEEK
    rendered = [_run(landing, config, output, "2026-11-23")]
    first = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    recipients = config / "recipients.yaml"
    recipients.write_text(
        recipients.read_text().replace(
            "DAYTON: [qm.dayton@example.com]", f"DAYTON: [qm.dayton@example.com, {DEPUTY}]"
        )
    )
    rendered.append(_run(landing, config, output, "2026-11-25"))
    second = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    rendered.append(_run(landing, config, output, "2026-11-25"))
    third = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    manifest = json.loads((folder / "manifest.json").read_text())
    return {
        "first": first,
        "second": second,
        "third": third,
        "manifest": manifest,
        "rendered": rendered,
    }


def test_first_issue_carries_id_issue_date_distribution_retention_and_marking(issued):
    pdf = issued["first"]["DAYTON.pdf"]
    text = squashed(pdf_text(pdf))
    for line in (
        "Personal data - confidential. Contains names and certification records of employees",
        "Document CMP-DAYTON-2026-W47 · revision 1 · issued 2026-11-23 · data as of 2026-11-22",
        "Distribution: qm.dayton@example.com · retention 7 years from issue (until 2033-11-23)",
    ):
        assert squashed(line) in text
    assert "reissued" not in text
    assert docinfo(pdf)["/CreationDate"].startswith("D:20261123")
    company = squashed(pdf_text(issued["first"]["company.pdf"]))
    assert squashed("Document CMP-COMPANY-2026-W47 · revision 1") in company
    assert squashed("Distribution: quality.director@example.com") in company
    assert conformance_failures(pdf, "3b") == {}


def test_a_reissued_week_names_its_revision_and_why(issued):
    pdf = issued["second"]["DAYTON.pdf"]
    text = squashed(pdf_text(pdf))
    history = issued["manifest"]["DAYTON"]["revisions"]
    reason = history[1]["reason"]
    # what changed: the configuration (recipients.yaml); the rejects' messages name the run
    # date, so the input files (and the findings counting them) may change with it too
    assert reason.startswith("changed since revision 1: ")
    assert reason.endswith("the configuration or code version")
    assert set(reason.split(": ", 1)[1].split(", ")) <= {
        "the input files",
        "the audit findings",
        "the configuration or code version",
    }
    assert (
        squashed(
            f"Document CMP-DAYTON-2026-W47 · revision 2 (reissued: {reason}) · "
            "issued 2026-11-25 · data as of 2026-11-22"
        )
        in text
    )
    assert squashed(f"Distribution: qm.dayton@example.com, {DEPUTY}") in text
    assert docinfo(pdf)["/CreationDate"].startswith("D:20261125")
    assert conformance_failures(pdf, "3b") == {}
    assert [(r["revision"], r["issued_on"]) for r in history] == [
        (1, "2026-11-23"),
        (2, "2026-11-25"),
    ]
    assert history[0]["reason"] == "first issue"


def test_an_unchanged_rerun_keeps_the_issued_revision(issued):
    assert issued["rendered"][2] == 0
    assert issued["third"] == issued["second"]
    assert len(issued["manifest"]["DAYTON"]["revisions"]) == 2
