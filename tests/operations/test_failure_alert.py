"""The data team gets one alert per failed run, not one per retry of it."""

from __future__ import annotations

import email
from email import policy

from assets.resources import CompetenceSettings
from pipelines.sensors import alert_data_team
from tests.conftest import PROJECT_ROOT


def test_one_alert_per_root_run_written_to_the_outbox(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPETENCE_SMTP_HOST", raising=False)
    settings = CompetenceSettings(
        config_dir=str(PROJECT_ROOT / "config"), output_dir=str(tmp_path / "var")
    )
    sent = alert_data_team(settings, "run-1", "run-1", "weekly_competence", "boom: <disk full>")
    assert sent == ["data-team@example.com"]
    # a retry of the same run (same root) sends nothing more
    assert alert_data_team(settings, "run-2", "run-1", "weekly_competence", "boom again") == []
    # another failed run does
    assert alert_data_team(settings, "run-3", "run-3", "weekly_competence", "other") == [
        "data-team@example.com"
    ]
    outbox = sorted((tmp_path / "var/outbox").glob("*.eml"))
    assert len(outbox) == 2
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox]
    subjects = sorted(m["Subject"] for m in messages)
    assert subjects == [
        "Competence run failed - weekly_competence - run-1",
        "Competence run failed - weekly_competence - run-3",
    ]
    body = next(m for m in messages if "run-1" in m["Subject"]).get_content()
    assert "boom: <disk full>" in body and "boom again" not in body
