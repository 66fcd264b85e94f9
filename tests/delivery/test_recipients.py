"""Recipient resolution from recipients.yaml: isolation per site, nothing guessed."""

from __future__ import annotations

from pathlib import Path

from assets.recipients import data_team_recipients, resolve_recipients
from schemas.config import RecipientsConfig, load_config

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


def test_each_site_gets_only_its_own_list_and_company_the_rollup():
    config = RecipientsConfig(
        sites={"S1": ["a@example.com", "A@Example.com"], "S2": ["b@example.com"], "S3": []},
        company=["director@example.com"],
        data_team=["data@example.com"],
    )
    plan = resolve_recipients(config, ["S2", "S1", "S3", "UNKNOWN", "s1"])
    assert plan.for_report("S1") == ("a@example.com",)  # listed twice, sent once
    assert plan.for_report("S2") == ("b@example.com",)
    assert plan.for_report("company") == ("director@example.com",)
    # not guessed: no case folding of site ids, no fallback to another list
    assert plan.sites_without_recipients == ("S3", "UNKNOWN", "s1")
    assert "UNKNOWN" not in plan.by_report
    assert plan.company_without_recipients is False
    assert data_team_recipients(config) == ("data@example.com",)


def test_configured_site_without_report_gets_nothing_and_missing_company_is_flagged():
    config = RecipientsConfig(sites={"S1": ["a@example.com"]})
    plan = resolve_recipients(config, [])
    assert plan.by_report == {}
    assert plan.company_without_recipients is True


def test_default_configuration():
    config = load_config(CONFIG_DIR)
    plan = resolve_recipients(config.recipients, ["DAYTON", "GREENVILLE", "QUERETARO", "AUSTIN"])
    assert plan.for_report("GREENVILLE") == (
        "qm.greenville@example.com",
        "deputy.qm.greenville@example.com",
    )
    assert plan.for_report("DAYTON") == ("qm.dayton@example.com",)
    assert plan.sites_without_recipients == ("AUSTIN",)
