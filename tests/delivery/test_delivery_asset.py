"""The ``email_delivery`` asset in real Dagster materializations: a week with undelivered mail
fails its step naming the recipients, stores its typed table, and the next run retries them."""

# No ``from __future__ import annotations``: Dagster reads the assets' type hints at runtime.

import hashlib
import json

import dagster as dg
import duckdb
import pandas as pd

from assets.delivery.assets import email_delivery
from assets.partitions import weekly_partitions
from assets.warehouse import connect, replace_week
from tests.delivery.support import RecordingHandler, fake_pdf, smtp_mailer
from tests.week_resources import week_resources

WEEK = "2026-11-16"
SITE_MANAGER = "qm.dayton@example.com"  # config/recipients.yaml
DIRECTOR = "quality.director@example.com"


def _report_assets(output):
    """Stand-ins for the upstream assets: two archived PDFs and their first-page figures."""

    @dg.asset(partitions_def=weekly_partitions, key="mail_clearance")
    def mail_clearance() -> None:
        return None

    @dg.asset(
        partitions_def=weekly_partitions,
        key="site_report_pdfs",
        metadata={"partition_expr": "week"},
    )
    def site_report_pdfs() -> pd.DataFrame:
        folder = output / "reports" / WEEK
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for report in ("DAYTON", "company"):
            pdf = fake_pdf(report)
            (folder / f"{report}.pdf").write_bytes(pdf)
            rows.append(
                {
                    "report": report,
                    "site_name": "Dayton plant" if report == "DAYTON" else "Company",
                    "path": str(folder / f"{report}.pdf"),
                    "sha256": hashlib.sha256(pdf).hexdigest(),
                    "verdict": "AMBER",
                    "compliance_rate": 0.9,
                    "counts_json": json.dumps({"COMPLIANT": 9, "NON_COMPLIANT": 1}),
                    "findings_json": json.dumps([["7.2 b)", "MINOR_NC", "Persons competent"]]),
                    "actions_json": json.dumps([]),
                    "week": pd.Timestamp(WEEK),
                }
            )
        return pd.DataFrame(rows)

    # a week stored before the briefing lines existed: never materialized, read as no rows
    lines = dg.AssetSpec(
        "report_briefing_lines",
        partitions_def=weekly_partitions,
        metadata={"partition_expr": "week"},
    )
    return [mail_clearance, site_report_pdfs, lines, email_delivery]


def _materialize(output, port, instance):
    return dg.materialize(
        _report_assets(output),
        partition_key=WEEK,
        instance=instance,
        resources=week_resources(output, run_date=None, mailer=smtp_mailer(port, max_attempts=1)),
        run_config={"ops": {"email_delivery": {"config": {"send": True}}}},
        raise_on_error=False,
    )


def test_undelivered_mail_fails_the_step_and_the_next_run_retries(smtp_server, tmp_path):
    output = tmp_path / "var"
    warehouse = str(output / "warehouse.duckdb")
    # the table as an older version left it after a clean week: ``error`` typed NULL
    with connect(warehouse) as con:
        old = pd.DataFrame({"site": ["DAYTON"], "error": [None], "week": [pd.Timestamp(WEEK)]})
        replace_week(con, 'competence."email_delivery"', old, [pd.Timestamp("2026-11-09")])
    handler = RecordingHandler(reject={DIRECTOR})
    server = smtp_server(handler=handler)

    with dg.instance_for_test() as instance:
        failed = _materialize(output, server.port, instance)
        assert not failed.success
        [failure] = [e for e in failed.all_events if e.is_step_failure]
        assert failure.step_key == "email_delivery"
        description = failure.step_failure_data.user_failure_data.description
        assert description.startswith("2026-W47: 1 of 2 e-mail(s) due were not delivered.")
        assert f"{DIRECTOR} (company: " in description and "550" in description
        assert SITE_MANAGER not in description
        # the table was stored before the step failed, with the error text in a typed column
        with duckdb.connect(warehouse, read_only=True) as con:
            types = dict(
                con.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() "
                    "WHERE schema_name = 'competence' AND table_name = 'email_delivery'"
                ).fetchall()
            )
            stored = dict(
                con.execute(
                    "SELECT recipient, status FROM competence.email_delivery WHERE week = ?",
                    [pd.Timestamp(WEEK)],
                ).fetchall()
            )
        assert types["error"] == "VARCHAR"
        assert stored == {SITE_MANAGER: "SENT", DIRECTOR: "FAILED"}

        handler.reject.clear()
        retried = _materialize(output, server.port, instance)
        assert retried.success
    assert handler.per_recipient() == {SITE_MANAGER: 1, DIRECTOR: 1}
    [materialization] = retried.asset_materializations_for_node("email_delivery")
    assert materialization.metadata["delivered"].value == 1
    assert materialization.metadata["not_reached"].value == []
