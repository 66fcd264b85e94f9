"""The whole weekly graph, two weeks, over generated sample data, mailing a real SMTP server.

Asserts what crosses stage boundaries: the status export's columns (docs/data-contract.md, typed
here by hand),
the PDFs' figures against the stored site compliance, recipient isolation, the attachment being
the stored PDF byte for byte, and a rerun sending nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import dagster as dg
import duckdb
import pikepdf
import pytest
from pypdf import PdfReader

from assets.reporting.figures import format_rate
from pipelines.definitions import defs
from pipelines.sample_data import generate_sample_data
from tests.delivery.support import smtp_mailer
from tests.reporting.pdf_reading import assert_every_pdf_is_archival
from tests.week_resources import week_resources

TODAY = dt.date(2026, 11, 25)
WEEKS = ["2026-11-09", "2026-11-16"]
SPEC_STATUS_COLUMNS = (
    "employee_id,first_name,last_name,site,job_role,credential,status,modules_passed,"
    "certified_on,cycle_start,expires_on,cycle_points,points_needed,renewal_secured,compliance,"
    "due_date"
)
SITE_RECIPIENTS = {
    "DAYTON": ["qm.dayton@example.com"],
    "GREENVILLE": ["qm.greenville@example.com", "deputy.qm.greenville@example.com"],
    "QUERETARO": ["qm.queretaro@example.com"],
}


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    generate_sample_data(root, employees=300, seed=5, today=TODAY, progress=False)
    return root


def _run(week, landing, output, server, instance):
    resources = week_resources(
        output, landing=landing, run_date=TODAY.isoformat(), mailer=smtp_mailer(server.port)
    )
    job = defs.resolve_job_def("weekly_competence")
    return job.execute_in_process(
        partition_key=week,
        instance=instance,
        resources=resources,
        tags={"competence/send_mail": "true"},
    )


def test_two_weeks_render_store_and_mail_each_site_to_its_own_managers(
    landing, tmp_path, smtp_server
):
    server = smtp_server("plain")
    output = tmp_path / "var"
    with dg.instance_for_test() as instance:
        for week in WEEKS:
            assert _run(week, landing, output, server, instance).success
        received_after_first_pass = len(server.handler.received)
        # a rerun of the last week with the same inputs keeps the same PDFs (byte for byte) and
        # sends nothing already sent
        rerun = _run(WEEKS[-1], landing, output, server, instance)
        assert rerun.success
    [reports] = [
        m
        for m in rerun.asset_materializations_for_node("site_report_pdfs")
        if m.asset_key == dg.AssetKey("site_report_pdfs")  # not its briefing lines
    ]
    assert (reports.metadata["rendered"].value, reports.metadata["kept_unchanged"].value) == (0, 5)
    assert len(server.handler.received) == received_after_first_pass
    [status_event] = [
        m
        for m in rerun.asset_materializations_for_node("certification")
        if m.asset_key.path[-1] == "certification_status"
    ]
    engine_seconds = status_event.metadata["engine_seconds"].value
    assert {"people", "cycles, status, ledger", "status table", "forecast"} <= set(engine_seconds)
    assert all(seconds >= 0 for seconds in engine_seconds.values())

    week = WEEKS[-1]
    status_csv = (output / "status" / week / "employee_status.csv").read_text()
    assert status_csv.splitlines()[0] == SPEC_STATUS_COLUMNS

    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        rates = dict(
            con.execute(
                "select site, compliance_rate from competence.site_compliance "
                "where week = ?::timestamp",
                [week],
            ).fetchall()
        )
        stored_weeks = con.execute(
            "select count(distinct week) from competence.certification_status"
        ).fetchone()[0]
        ledger = con.execute("select site, recipient, status from main.delivery_ledger").fetchall()
        escalated = con.execute(
            "select count(*) from competence.corrective_actions where week = ?::timestamp "
            "and site = 'DAYTON' and state = 'escalated'",
            [week],
        ).fetchone()[0]
    assert stored_weeks == 2
    # the site mail names the site lead the overdue corrective actions escalated to
    assert escalated > 0
    [dayton] = [
        m.message
        for m in server.handler.to("qm.dayton@example.com")
        if "W47" in m.message["Subject"]
    ]
    body = dayton.get_body(preferencelist=("plain",)).get_content()
    assert (
        f"Escalated: {escalated} corrective action(s) more than 30 days past due, escalated to "
        "the site lead: Dana Whitfield, plant manager" in body
    )

    for site, recipients in SITE_RECIPIENTS.items():
        pdf_path = output / "reports" / week / f"{site}.pdf"
        pdf = pdf_path.read_bytes()
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert format_rate(rates[site]) in text  # cover rate = stored rate
        assert "History is shorter than 12 weeks" in text
        for recipient in recipients:
            mails = [m.message for m in server.handler.to(recipient)]
            # each manager gets their own site's report for each week, and nothing else
            assert sorted(m["X-Competence-Site"] for m in mails) == [site, site]
            this_week = next(m for m in mails if "2026-W47" in m["Subject"])
            [attachment] = [p for p in this_week.iter_attachments()]
            assert attachment.get_content() == pdf
            # the subject's rate is the cover's, printed by the same function
            assert f" - {format_rate(rates[site])} compliant - " in this_week["Subject"]
        with pikepdf.open(io.BytesIO(pdf)) as document:
            width, height = (round(float(v)) for v in document.pages[0].mediabox[2:])
        # Dayton and Greenville are in the US (America/New_York): Letter; Queretaro: A4
        assert (width, height) == ((595, 842) if site == "QUERETARO" else (612, 792))
    # TOLEDO is in the data but has no recipients: its PDF is kept, nobody gets it
    assert (output / "reports" / week / "TOLEDO.pdf").exists()
    assert not [r for r in server.handler.received if "TOLEDO" in r.message["Subject"]]
    director = [m.message for m in server.handler.to("quality.director@example.com")]
    assert sorted(m["Subject"].split(" - ")[1] for m in director) == ["2026-W46", "2026-W47"]
    # the roll-up's subject counts are company.pdf's counts
    company = (output / "reports" / week / "company.pdf").read_bytes()
    cover = "".join(PdfReader(io.BytesIO(company)).pages[0].extract_text().split())
    roll_up = next(m for m in director if "2026-W47" in m["Subject"])
    subject = "".join(str(roll_up["Subject"]).split())
    for kind in ("major", "minor"):
        printed = re.search(rf"Findingsacrosssites:.*?(\d+){kind}nonconformit", cover)
        in_subject = re.search(rf"(\d+){kind}nonconformit", subject)
        assert printed is not None
        assert int(printed[1]) == (int(in_subject[1]) if in_subject else 0)
    assert {status for _, _, status in ledger} == {"SENT"}
    assert len(ledger) == received_after_first_pass
    # every archived PDF of both weeks passes an independent PDF/A-3b validator
    assert assert_every_pdf_is_archival(output / "reports") == 2 * 5
