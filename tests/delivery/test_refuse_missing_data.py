"""Never a green report from missing data: the whole weekly job, and the CLI in a subprocess.

A refused week keeps last run's warehouse rows, status CSVs and PDFs byte for byte, and mails
nothing (a real SMTP server on loopback counts the messages); an empty site is not green; every
table the job writes has the declared column types, none untyped.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.sample_data import generate_sample_data
from schemas.warehouse_tables import TABLE_COLUMNS
from tests.conftest import PROJECT_ROOT
from tests.delivery.support import smtp_mailer
from tests.week_resources import week_resources

TODAY = dt.date(2026, 11, 25)
LAST_WEEK, WEEK = "2026-11-09", "2026-11-16"
COMPETENCE = str(Path(sys.executable).parent / "competence")


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    generate_sample_data(root, employees=200, seed=3, today=TODAY, progress=False)
    return root


def _config(tmp_path: Path, *, bad_encoding: bool = False) -> Path:
    """The default configuration plus a configured site where nobody works (EMPTYVILLE)."""
    config = tmp_path / ("config-bad" if bad_encoding else "config")
    shutil.copytree(PROJECT_ROOT / "config", config)
    policy = config / "policy.yaml"
    policy.write_text(policy.read_text() + '  EMPTYVILLE: {name: "Emptyville"}\n')
    recipients = config / "recipients.yaml"
    recipients.write_text(
        recipients.read_text().replace(
            "company:", "  EMPTYVILLE: [qm.emptyville@example.com]\ncompany:"
        )
    )
    if bad_encoding:
        providers = config / "providers.yaml"
        providers.write_text(
            providers.read_text().replace("encoding: utf-8", "encoding: utf-16", 1)
        )
    return config


def _run(week, landing, config, output, server, instance):
    resources = week_resources(
        output,
        landing=landing,
        config_dir=config,
        run_date=TODAY.isoformat(),
        engine_threads=1,
        mailer=smtp_mailer(server.port),
    )
    return defs.resolve_job_def("weekly_competence").execute_in_process(
        partition_key=week,
        instance=instance,
        resources=resources,
        tags={"competence/send_mail": "true"},
        raise_on_error=False,
    )


def _snapshot(output: Path) -> dict:
    """Everything a refused week must leave alone: files by bytes, warehouse rows, ledger."""
    files = {
        str(p.relative_to(output)): p.read_bytes()
        for folder in ("reports", "status")
        for p in sorted((output / folder).rglob("*"))
        if p.is_file()
    }
    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        rows = {
            table: con.execute(
                f"select count(*), count(distinct week) from competence.{table}"
            ).fetchone()
            for table in TABLE_COLUMNS
        }
        ledger = con.execute("select * from main.delivery_ledger order by all").fetchall()
    return {"files": files, "rows": rows, "ledger": ledger}


def test_a_refused_week_keeps_its_reports_and_mails_nothing(landing, tmp_path, smtp_server):
    server = smtp_server("plain")
    output = tmp_path / "var"
    config = _config(tmp_path)
    with dg.instance_for_test() as instance:
        for week in (LAST_WEEK, WEEK):
            assert _run(week, landing, config, output, server, instance).success
        mailed = len(server.handler.received)
        before = _snapshot(output)

        # a wrong encoding in providers.yaml: northfield delivered last week, nothing now
        refused = _run(
            WEEK, landing, _config(tmp_path, bad_encoding=True), output, server, instance
        )
        # the landing folder is gone altogether
        gone = _run(WEEK, tmp_path / "nowhere", config, output, server, instance)

    for result in (refused, gone):
        assert not result.success
        [failure] = [e for e in result.all_events if e.is_step_failure]
        assert failure.step_key == "landing_intake"
        started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
        assert started == {"landing_intake"}  # nothing downstream ran: no render, no mail
    message = refused.all_events  # the one-line message names the source and the last week
    [failure] = [e for e in message if e.is_step_failure]
    text = failure.step_failure_data.user_failure_data.description
    assert text.startswith(f"week {WEEK} (as of 2026-11-22) not reported, data missing: source ")
    assert "northfield_college: nothing usable this week" in text
    assert f"last week ({LAST_WEEK}) it delivered" in text
    assert len(server.handler.received) == mailed  # nothing mailed
    assert _snapshot(output) == before  # nothing replaced: rows, CSVs, PDFs, ledger

    # an empty site is never green: it is NOT_RATED, and its mail says nobody is in scope
    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        verdicts = dict(
            con.execute(
                "select report, verdict from competence.site_report_pdfs where week = ?::timestamp",
                [WEEK],
            ).fetchall()
        )
        stored_types = {
            (t, c): d
            for t, c, d in con.execute(
                "select table_name, column_name, data_type from information_schema.columns "
                "where table_schema = 'competence' and table_name in (select table_name from "
                "information_schema.tables where table_type = 'BASE TABLE')"  # views hold nothing
            ).fetchall()
        }
    assert verdicts["EMPTYVILLE"] == "NOT_RATED"
    assert verdicts["DAYTON"] != "NOT_RATED"
    [empty_mail] = [
        r.message
        for r in server.handler.to("qm.emptyville@example.com")
        if "W47" in r.message["Subject"]
    ]
    assert (
        empty_mail["Subject"] == "Site EMPTYVILLE - 2026-W47 - nobody in scope - no nonconformities"
    )
    # every stored column has its declared type; nothing untyped
    declared = {(t, c): d for t, cols in TABLE_COLUMNS.items() for c, d in cols.items()}
    assert stored_types == {key: declared[key] for key in stored_types}


def _cli(args, env, cwd):
    return subprocess.run(
        [COMPETENCE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_the_cli_refuses_a_week_without_landing_data_and_holds_mail_for_rejected_files(
    landing, tmp_path
):
    output = tmp_path / "var"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("COMPETENCE_", "DAGSTER_"))},
        "COMPETENCE_LANDING_DIR": str(tmp_path / "missing"),
        "COMPETENCE_CONFIG_DIR": str(_config(tmp_path, bad_encoding=True)),
        "COMPETENCE_OUTPUT_DIR": str(output),
        "COMPETENCE_RUN_DATE": TODAY.isoformat(),
        "COMPETENCE_ENGINE_THREADS": "1",
    }
    missing = _cli(["run", "--week", WEEK, "--send-mail"], env, tmp_path)
    # the CLI checks its folders before any week starts: a usage error, nothing run
    assert missing.returncode == 2
    assert missing.stderr.strip() == (
        f"error: COMPETENCE_LANDING_DIR = '{tmp_path / 'missing'}': no such folder"
    )
    # an existing but empty landing folder gets as far as the week, which refuses to report
    (tmp_path / "missing").mkdir()
    empty = _cli(["run", "--week", WEEK, "--send-mail"], env, tmp_path)
    assert empty.returncode == 1
    assert f"week {WEEK}: FAILED in " in empty.stderr
    assert (
        f" at landing_intake (run {empty.stderr.split('(run ')[1][:8]}): week {WEEK} (as of "
        f"2026-11-22) not reported, data missing: the landing folder {tmp_path / 'missing'} is "
        "empty" in empty.stderr
    )
    assert (
        "The week's previous results, status files and reports are kept; nothing was mailed."
        in (empty.stderr)
    )
    for result in (missing, empty):
        assert "Traceback" not in result.stderr
    assert not (output / "status").exists() and not (output / "reports").exists()
    # only the data team's alert went out (and its ledger row): no site mail, no week's table
    assert not any((output / "outbox").glob("*DAYTON*"))
    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        schemas = {
            row[0] for row in con.execute("select schema_name from duckdb_tables()").fetchall()
        }
    assert schemas <= {"main"}  # the delivery ledger only, no table created from nothing

    # the first week of real data, with every northfield file unreadable: nothing to compare
    # with, so the week is computed, and the mail held with the source at 100 %, not 0 %
    env["COMPETENCE_LANDING_DIR"] = str(landing)
    held = _cli(["run", "--week", WEEK, "--send-mail"], env, tmp_path)
    assert held.returncode == 0, held.stderr
    assert "E-MAIL HELD: northfield_college: " in held.stdout
    assert "file(s) rejected whole (100.0% > 5%)" in held.stdout
    assert (output / "reports" / WEEK / "DAYTON.pdf").exists()
    # held: no report mail written or sent (the outbox holds only the earlier refusal's alert)
    outbox = output / "outbox"
    assert [p.name.startswith("run-failure_") for p in outbox.iterdir()] == [True]
