"""The mail's briefing as typed rows (issue 13 item 3): real Dagster runs, a real SMTP server.

- A :class:`Briefing` stored as report index columns and ``report_briefing_lines`` rows in a real
  DuckDB warehouse comes back field for field, and the stored week keeps its contracts.
- A week stored by the older version (JSON columns, no briefing lines ever materialized) mails
  the same bodies as the same briefing stored typed.
- The attachment limit is the run's ``policy.report.max_attachment_mb``: two runs of the same
  definitions with two configurations attach, then do not attach, the same PDF.
"""

# No ``from __future__ import annotations``: Dagster reads the assets' type hints at runtime.

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from email import message_from_bytes
from email.policy import default as default_policy

import dagster as dg
import duckdb
import pandas as pd
import pytest

from assets.contracts import contract_failures
from assets.delivery.assets import email_delivery
from assets.partitions import weekly_partitions
from assets.reporting.briefing_table import (
    briefing_lines,
    briefings_from_tables,
    has_typed_briefing,
    index_columns,
    lines_frame,
)
from assets.reporting.briefing_types import (
    ActionLine,
    Briefing,
    BriefingLine,
    ChangeCount,
    FindingCounts,
    SiteRow,
)
from assets.warehouse import read_weeks, write_week
from schemas.output_tables import ReportBriefingLine, SiteReport
from tests.conftest import PROJECT_ROOT
from tests.delivery.support import fake_pdf, smtp_mailer
from tests.week_resources import week_resources

WEEK = "2026-11-16"
MONDAY = pd.Timestamp(WEEK)
SITE_MANAGER = "qm.dayton@example.com"  # config/recipients.yaml
DIRECTOR = "quality.director@example.com"
ESCALATION = (
    "2 corrective action(s) more than 30 days past due, escalated to the site lead: "
    "Dana Whitfield, plant manager."
)
CHANGES = (
    ("joined", 2),
    ("left", 1),
    ("newly need a credential", 0),
    ("no longer need one", 0),
    ("became compliant", 3),
    ("no longer compliant", 1),
    ("other status changes", 4),
)
RATE_CHANGE = "Compliance rate 84.2 % -> 86.8 % (+2.6 points): people who left +0.4."

DAYTON = Briefing(
    finding_counts=FindingCounts(major_nc=1, minor_nc=0, observation=2),
    findings=(
        BriefingLine("DAYTON", "ISO9001", "7.2 b)", "MAJOR_NC", "Persons competent"),
        BriefingLine("DAYTON", "IATF16949", "7.2.2", "OBSERVATION", "On-the-job training"),
    ),
    actions=(
        ActionLine(
            "E900",
            "Olga Overdue",
            "Renew CPT",
            "CPT",
            date(2024, 5, 1),
            905,
            "supervisor@dayton.example.com",
        ),
        ActionLine("E017", "Pat Worker", "Pass SAFETY module", "CPT", date(2026, 12, 20), 0, None),
        ActionLine(None, "Nobody Known", "Start CPT", None, None, 0, ""),
    ),
    actions_total=9,
    changes=tuple(ChangeCount(t, n) for t, n in CHANGES),
    rate_change=RATE_CHANGE,
    contact="quality@acme.example.com",
    escalation=ESCALATION,
)
COMPANY = Briefing(
    finding_counts=FindingCounts(1, 0, 2),
    findings=DAYTON.findings,
    contact="quality@acme.example.com",
    sites=(
        SiteRow("DAYTON", "Dayton, Ohio", 33 / 38, "RED", FindingCounts(1, 0, 2)),
        SiteRow("EMPTY", "Empty plant", None, "NOT_RATED", None),
    ),
)
# What the older version stored for the same two reports: its JSON columns, written by hand.
OLD_JSON = {
    "DAYTON": {
        "counts_json": json.dumps(
            {"COMPLIANT": 33, "GRACE": 0, "NON_COMPLIANT": 5, "NOT_REQUIRED": 2, "EXEMPT": 1}
        ),
        "findings_json": json.dumps(
            [
                ["7.2 b)", "MAJOR_NC", "Persons competent"],
                ["7.2.2", "OBSERVATION", "On-the-job training"],
            ]
        ),
        "actions_json": json.dumps(
            [
                ["Olga Overdue", "Renew CPT", "2024-05-01"],
                ["Pat Worker", "Pass SAFETY module", "2026-12-20"],
                ["Nobody Known", "Start CPT", None],
            ]
        ),
        "briefing_json": json.dumps(
            {
                "finding_counts": {"MAJOR_NC": 1, "MINOR_NC": 0, "OBSERVATION": 2},
                "findings": [
                    {
                        "site": "DAYTON",
                        "criteria_set": "ISO9001",
                        "clause": "7.2 b)",
                        "verdict": "MAJOR_NC",
                        "title": "Persons competent",
                    },
                    {
                        "site": "DAYTON",
                        "criteria_set": "IATF16949",
                        "clause": "7.2.2",
                        "verdict": "OBSERVATION",
                        "title": "On-the-job training",
                    },
                ],
                "actions": [
                    {
                        "employee_id": "E900",
                        "name": "Olga Overdue",
                        "what": "Renew CPT",
                        "credential": "CPT",
                        "due": "2024-05-01",
                        "overdue_days": 905,
                        "manager": "supervisor@dayton.example.com",
                    },
                    {
                        "employee_id": "E017",
                        "name": "Pat Worker",
                        "what": "Pass SAFETY module",
                        "credential": "CPT",
                        "due": "2026-12-20",
                        "overdue_days": 0,
                        "manager": None,
                    },
                    {
                        "employee_id": None,
                        "name": "Nobody Known",
                        "what": "Start CPT",
                        "credential": None,
                        "due": None,
                        "overdue_days": 0,
                        "manager": "",
                    },
                ],
                "actions_total": 9,
                "changes": [list(c) for c in CHANGES],
                "rate_change": RATE_CHANGE,
                "contact": "quality@acme.example.com",
            },
            sort_keys=True,
        ),
        "escalation": ESCALATION,
    },
    "company": {
        "counts_json": json.dumps(
            {"COMPLIANT": 33, "GRACE": 0, "NON_COMPLIANT": 5, "NOT_REQUIRED": 2, "EXEMPT": 1}
        ),
        "findings_json": json.dumps([["7.2 b)", "MAJOR_NC", "Persons competent"]]),
        "actions_json": json.dumps([]),
        "briefing_json": json.dumps(
            {
                "finding_counts": {"MAJOR_NC": 1, "MINOR_NC": 0, "OBSERVATION": 2},
                "findings": json.loads(
                    json.dumps(
                        [
                            {
                                "site": "DAYTON",
                                "criteria_set": "ISO9001",
                                "clause": "7.2 b)",
                                "verdict": "MAJOR_NC",
                                "title": "Persons competent",
                            },
                            {
                                "site": "DAYTON",
                                "criteria_set": "IATF16949",
                                "clause": "7.2.2",
                                "verdict": "OBSERVATION",
                                "title": "On-the-job training",
                            },
                        ]
                    )
                ),
                "actions": [],
                "actions_total": 0,
                "changes": None,
                "contact": "quality@acme.example.com",
                "sites": [
                    {
                        "site": "DAYTON",
                        "name": "Dayton, Ohio",
                        "rate": 33 / 38,
                        "verdict": "RED",
                        "finding_counts": {"MAJOR_NC": 1, "MINOR_NC": 0, "OBSERVATION": 2},
                    },
                    {
                        "site": "EMPTY",
                        "name": "Empty plant",
                        "rate": None,
                        "verdict": "NOT_RATED",
                        "finding_counts": None,
                    },
                ],
            },
            sort_keys=True,
        ),
        "escalation": "",
    },
}
PEOPLE = {"compliant": 33, "grace": 0, "non_compliant": 5, "not_required": 2, "exempt": 1}


def _file_columns(report: str, output) -> dict:
    folder = output / "reports" / WEEK
    folder.mkdir(parents=True, exist_ok=True)
    pdf = fake_pdf(report)
    (folder / f"{report}.pdf").write_bytes(pdf)
    return {
        "report": report,
        "site_name": "Dayton, Ohio" if report == "DAYTON" else "Acme",
        "path": str(folder / f"{report}.pdf"),
        "sha256": hashlib.sha256(pdf).hexdigest(),
        "size_bytes": len(pdf),
        "verdict": "RED",
        "compliance_rate": 33 / 38,
        "held": False,
        "hold_reason": None,
        "recipients": SITE_MANAGER if report == "DAYTON" else DIRECTOR,
    }


def _typed_week(output) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The week as this version stores it: typed index columns and briefing lines."""
    briefings = {"DAYTON": DAYTON, "company": COMPANY}
    index = pd.DataFrame(
        [_file_columns(r, output) | PEOPLE | index_columns(b) for r, b in briefings.items()]
    ).assign(week=MONDAY)
    rows = [line for r, b in briefings.items() for line in briefing_lines(r, b)]
    return index, lines_frame(rows, MONDAY)


def _json_week(output) -> pd.DataFrame:
    """The same week as the older version stored it: JSON columns, no briefing lines."""
    return pd.DataFrame(
        [_file_columns(r, output) | OLD_JSON[r] for r in ("DAYTON", "company")]
    ).assign(week=MONDAY)


def _stand_ins(index: pd.DataFrame, lines: pd.DataFrame | None) -> list:
    @dg.asset(partitions_def=weekly_partitions, key="mail_clearance")
    def mail_clearance() -> None:
        return None

    @dg.asset(
        partitions_def=weekly_partitions,
        key="site_report_pdfs",
        metadata={"partition_expr": "week"},
    )
    def site_report_pdfs() -> pd.DataFrame:
        return index

    if lines is None:  # never materialized for this week: the IO manager reads no rows
        briefing = dg.AssetSpec(
            "report_briefing_lines",
            partitions_def=weekly_partitions,
            metadata={"partition_expr": "week"},
        )
    else:

        @dg.asset(
            partitions_def=weekly_partitions,
            key="report_briefing_lines",
            metadata={"partition_expr": "week"},
        )
        def briefing() -> pd.DataFrame:
            return lines

    return [mail_clearance, site_report_pdfs, briefing, email_delivery]


def _mail_week(assets, output, port, config_dir=PROJECT_ROOT / "config"):
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            assets,
            partition_key=WEEK,
            instance=instance,
            resources=week_resources(
                output,
                config_dir=config_dir,
                run_date=None,
                mailer=smtp_mailer(port, max_attempts=1),
            ),
            run_config={"ops": {"email_delivery": {"config": {"send": True}}}},
        )
    return result


def _bodies(received) -> dict[str, tuple[str, str, str]]:
    """Per recipient: subject, plain-text body and HTML body of the message received."""
    out = {}
    for r in received:
        message = message_from_bytes(r.content, policy=default_policy)
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        out[r.rcpt_tos[0]] = (message["Subject"], text, html)
    return out


def test_the_briefing_comes_back_from_the_warehouse_field_for_field(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    index, lines = _typed_week(tmp_path)
    write_week(warehouse, "site_report_pdfs", index, [MONDAY])
    write_week(warehouse, "report_briefing_lines", lines, [MONDAY])
    stored_index = read_weeks(warehouse, "site_report_pdfs", [WEEK])
    stored_lines = read_weeks(warehouse, "report_briefing_lines", [WEEK])

    assert briefings_from_tables(stored_index, stored_lines) == {
        "DAYTON": DAYTON,
        "company": COMPANY,
    }
    # one row per line: 2 findings + 3 actions + 7 changes for DAYTON, 2 findings + 2 sites
    assert stored_lines.groupby(["report", "section"]).size().to_dict() == {
        ("DAYTON", "action"): 3,
        ("DAYTON", "change"): 7,
        ("DAYTON", "finding"): 2,
        ("company", "finding"): 2,
        ("company", "site"): 2,
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = 'competence' and table_name = ?",
                ["report_briefing_lines"],
            ).fetchall()
        )
        index_columns_stored = {
            c
            for (c,) in con.execute(
                "select column_name from duckdb_columns() "
                "where schema_name = 'competence' and table_name = 'site_report_pdfs'"
            ).fetchall()
        }
    assert types["due_date"] == "TIMESTAMP_NS" and types["position"] == "BIGINT"
    assert types["compliance_rate"] == "DOUBLE" and types["count"] == "BIGINT"
    assert not {c for c in index_columns_stored if c.endswith("_json")}
    # the week keeps both contracts (the blocking checks the definitions generate)
    assert contract_failures(ReportBriefingLine, stored_lines).empty
    assert contract_failures(SiteReport, stored_index).empty


def test_a_line_out_of_its_list_breaks_the_contract(tmp_path):
    _, lines = _typed_week(tmp_path)
    broken = lines.copy()
    broken.loc[broken.index[1], "position"] = 1  # two first findings of DAYTON
    broken.loc[broken.index[-1], "section"] = "footnote"
    failures = contract_failures(ReportBriefingLine, broken)
    assert set(failures["column"]) == {"section", "(table)"}
    assert "footnote" in failures.set_index("column").loc["section", "values"]


def test_a_week_stored_with_json_mails_the_same_as_the_typed_briefing(smtp_server, tmp_path):
    server = smtp_server()
    typed_index, typed_lines = _typed_week(tmp_path / "typed")
    assert _mail_week(_stand_ins(typed_index, typed_lines), tmp_path / "typed", server.port).success
    typed = _bodies(server.handler.received)
    server.handler.received.clear()

    old = _json_week(tmp_path / "old")
    assert not any(has_typed_briefing(row) for row in old.to_dict("records"))
    assert _mail_week(_stand_ins(old, None), tmp_path / "old", server.port).success
    from_json = _bodies(server.handler.received)

    assert set(typed) == {SITE_MANAGER, DIRECTOR}
    assert from_json == typed  # subject, text and HTML, character for character
    subject, text, html = typed[SITE_MANAGER]
    assert subject == "Site DAYTON - 2026-W47 - 86.8 % compliant - 1 major nonconformity"
    assert "Olga Overdue (E900): Renew CPT - overdue 905 days" in text
    assert "Pat Worker (E017): Pass SAFETY module - due 2026-12-20\r\n" in text
    assert "Nobody Known: Start CPT - now\r\n" in text
    assert "  2 joined · 1 left · 0 newly need a credential" in text and RATE_CHANGE in text
    assert "... and 4 more in the report." in text
    assert f"Escalated: {ESCALATION}" in text
    assert "ISO 9001:2015 7.2 b) Persons competent" in html
    _, company_text, _ = typed[DIRECTOR]
    assert "Site DAYTON · ISO 9001:2015 7.2 b) Persons competent" in company_text
    assert "Empty plant (EMPTY): nobody in scope, Not rated · Nobody in scope\r\n" in company_text
    assert "86.8 % compliant, Red · Not audit-ready, 1 major nonconformity" in company_text


@pytest.fixture
def tiny_limit_config(tmp_path):
    """The shipped configuration with a 1 KB attachment limit (the fake PDFs are smaller raw,
    larger after encoding is not the point: 0.0001 MB is 104 bytes)."""
    target = tmp_path / "config-tiny"
    shutil.copytree(PROJECT_ROOT / "config", target)
    policy = target / "policy.yaml"
    text = policy.read_text()
    assert "max_attachment_mb: 10" in text
    policy.write_text(text.replace("max_attachment_mb: 10", "max_attachment_mb: 0.0001"))
    return target


def test_the_attachment_limit_is_the_runs_configuration(smtp_server, tmp_path, tiny_limit_config):
    server = smtp_server()
    index, lines = _typed_week(tmp_path / "var")
    assets = _stand_ins(index, lines)
    # the same definitions, two runs: the shipped policy (10 MB), then a 104-byte limit
    assert _mail_week(assets, tmp_path / "var", server.port).success
    attached = {
        r.rcpt_tos[0]: [p.get_filename() for p in r.message.iter_attachments()]
        for r in server.handler.received
    }
    assert attached == {SITE_MANAGER: ["DAYTON_2026-W47.pdf"], DIRECTOR: ["company_2026-W47.pdf"]}
    server.handler.received.clear()

    # a report that changed is mailed again only when asked; here the PDF is the same, so a
    # fresh output folder (ledger) stands for the next week's run under the edited policy
    index2, lines2 = _typed_week(tmp_path / "var2")
    result = _mail_week(
        _stand_ins(index2, lines2), tmp_path / "var2", server.port, config_dir=tiny_limit_config
    )
    assert result.success
    [site_mail] = server.handler.to(SITE_MANAGER)
    assert list(site_mail.message.iter_attachments()) == []
    text = site_mail.message.get_body(preferencelist=("plain",)).get_content()
    assert "is larger than the e-mail attachment limit and is not attached" in text
    assert str(tmp_path / "var2" / "reports" / WEEK / "DAYTON.pdf") in text


def test_the_code_location_reads_no_attachment_limit(tmp_path):
    # before, the code location read policy.yaml when it loaded and gave the mailer 10 MB
    env = {
        **os.environ,
        "COMPETENCE_CONFIG_DIR": str(PROJECT_ROOT / "config"),
        "COMPETENCE_OUTPUT_DIR": str(tmp_path / "var"),
        "COMPETENCE_LANDING_DIR": str(tmp_path / "landing"),
    }
    code = (
        "from pipelines.definitions import defs; "
        "print(defs.resources['mailer'].max_attachment_bytes)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300,
        cwd=PROJECT_ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "None"  # the run's policy decides
