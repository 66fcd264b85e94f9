"""Outbox mode (no SMTP configured), the environment-variable wiring and use inside Dagster."""

# No ``from __future__ import annotations``: Dagster reads the asset's type hints at runtime.

import os
import re
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime

import dagster as dg
import pytest

from assets.delivery.dispatch import deliver_reports
from assets.delivery.ledger import read_ledger
from assets.delivery.mailer import Mailer
from assets.delivery.mailer_env import mailer_from_env
from assets.delivery.message import compose_failure_message, compose_site_message
from tests.delivery.support import SMTP_PASSWORD, SMTP_USER, fake_pdf, make_report

ENV_VARS = (
    "COMPETENCE_SMTP_HOST",
    "COMPETENCE_SMTP_PORT",
    "COMPETENCE_SMTP_SECURITY",
    "COMPETENCE_SMTP_USER",
    "COMPETENCE_SMTP_PASSWORD",
    "COMPETENCE_MAIL_FROM",
    "COMPETENCE_SMTP_CA_FILE",
)


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_outbox_mode_writes_parseable_eml_with_the_pdf(clean_env, tmp_path):
    outbox = tmp_path / "var" / "outbox"
    mailer = mailer_from_env(outbox)
    assert mailer.outbox_mode
    pdf = fake_pdf("outbox") * 10
    reports = [
        make_report("DAYTON", ["QM.Dayton@example.com"], tmp_path, pdf=pdf),
        make_report("GREENVILLE", ["qm.greenville@example.com"], tmp_path),
    ]
    ledger = tmp_path / "var" / "warehouse.duckdb"
    result = deliver_reports(reports, mailer, ledger, "r1", send=True)

    assert sorted(p.name for p in outbox.iterdir()) == [
        "DAYTON_2026-W47_qm.dayton@example.com.eml",
        "GREENVILLE_2026-W47_qm.greenville@example.com.eml",
    ]
    eml = outbox / "DAYTON_2026-W47_qm.dayton@example.com.eml"
    parsed = message_from_bytes(eml.read_bytes(), policy=default_policy)
    assert parsed["Subject"].strip() == (
        "Site DAYTON - 2026-W47 - 94.6 % compliant - 2 minor nonconformities"
    )
    assert parsed["To"] == "QM.Dayton@example.com"
    [attachment] = parsed.iter_attachments()
    assert attachment.get_content() == pdf
    assert "Dayton plant" in parsed.get_body(preferencelist=("html",)).get_content()
    assert {r.outcome.status.value for r in result.results} == {"WRITTEN_TO_OUTBOX"}
    assert set(read_ledger(ledger)["status"]) == {"WRITTEN_TO_OUTBOX"}

    # deterministic but for the Date, which is the send time: composing and writing again gives
    # the same bytes otherwise (Message-ID and MIME boundaries included); a rerun writes nothing
    first_bytes = eml.read_bytes()
    sent = parsedate_to_datetime(parsed["Date"])
    assert abs((datetime.now(UTC) - sent).total_seconds()) < 300
    eml.unlink()
    mailer.deliver(_recompose(reports[0]))
    undated = re.compile(rb"^Date: .*?\r\n", re.MULTILINE)
    assert undated.sub(b"", eml.read_bytes()) == undated.sub(b"", first_bytes)
    eml.unlink()
    rerun = deliver_reports(reports, mailer, ledger, "r2", send=True)
    assert rerun.results == [] and not eml.exists()


def _recompose(report):
    return compose_site_message(
        report.summary, report.recipients[0], report.pdf_bytes, report_sha256=report.pdf_sha256
    )


def test_failure_message_goes_to_the_outbox(tmp_path):
    mailer = Mailer(outbox_dir=str(tmp_path / "outbox"))
    message = compose_failure_message("abc123-run", "weekly", "KeyError: site", ["data@x.com"])
    outcome = mailer.deliver(message)
    assert outcome.status.value == "WRITTEN_TO_OUTBOX"
    path = tmp_path / "outbox" / "run-failure_abc123-run_data@x.com.eml"
    assert outcome.outbox_path == str(path)
    written = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert "KeyError: site" in written.get_content()


def test_environment_selects_smtp_and_keeps_the_password_a_reference(clean_env, tmp_path):
    clean_env.setenv("COMPETENCE_SMTP_HOST", "smtp.example.com")
    clean_env.setenv("COMPETENCE_SMTP_SECURITY", "TLS")
    clean_env.setenv("COMPETENCE_SMTP_USER", SMTP_USER)
    clean_env.setenv("COMPETENCE_SMTP_PASSWORD", SMTP_PASSWORD)
    clean_env.setenv("COMPETENCE_MAIL_FROM", "quality-reports@example.com")
    mailer = mailer_from_env(tmp_path / "outbox", max_attachment_bytes=5_000_000)
    assert not mailer.outbox_mode
    assert (mailer.smtp_host, mailer.smtp_port, mailer.security) == ("smtp.example.com", 465, "tls")
    assert mailer.sender == "quality-reports@example.com"
    assert mailer.max_attachment_bytes == 5_000_000
    assert SMTP_PASSWORD not in repr(mailer)
    # resolved only when Dagster initialises the resource
    assert mailer.process_config_and_initialize().password == SMTP_PASSWORD


def test_environment_errors_name_the_variable(clean_env, tmp_path):
    clean_env.setenv("COMPETENCE_SMTP_SECURITY", "ssl")
    with pytest.raises(ValueError, match="COMPETENCE_SMTP_SECURITY"):
        mailer_from_env(tmp_path)
    clean_env.setenv("COMPETENCE_SMTP_SECURITY", "starttls")
    clean_env.setenv("COMPETENCE_SMTP_PORT", "smtp")
    with pytest.raises(ValueError, match="COMPETENCE_SMTP_PORT"):
        mailer_from_env(tmp_path)


def test_inside_dagster_the_env_password_authenticates(clean_env, smtp_server, ca_file, tmp_path):
    server = smtp_server("starttls")
    clean_env.setenv("COMPETENCE_SMTP_HOST", "127.0.0.1")
    clean_env.setenv("COMPETENCE_SMTP_PORT", str(server.port))
    clean_env.setenv("COMPETENCE_SMTP_USER", SMTP_USER)
    clean_env.setenv("COMPETENCE_SMTP_PASSWORD", SMTP_PASSWORD)
    clean_env.setenv("COMPETENCE_SMTP_CA_FILE", ca_file)
    ledger = tmp_path / "warehouse.duckdb"
    report = make_report("DAYTON", ["qm.dayton@example.com"], tmp_path)

    @dg.asset
    def report_emails(context: dg.AssetExecutionContext, mailer: Mailer) -> dg.MaterializeResult:
        delivery = deliver_reports([report], mailer, ledger, context.run_id, send=True)
        return dg.MaterializeResult(metadata={"sent": len(delivery.delivered)})

    # an explicit instance: the ephemeral default can be collected while the run still needs it
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [report_emails],
            resources={"mailer": mailer_from_env(tmp_path / "outbox")},
            instance=instance,
        )
    assert result.success
    [materialization] = result.asset_materializations_for_node("report_emails")
    assert materialization.metadata["sent"].value == 1
    assert server.handler.authenticated == [True]
    assert read_ledger(ledger)["run_id"].tolist() == [result.run_id]
    assert not (tmp_path / "outbox").exists()
    assert os.environ["COMPETENCE_SMTP_PASSWORD"] == SMTP_PASSWORD  # untouched
