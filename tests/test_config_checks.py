"""Everything a run would trip on is caught by the configuration models, so check-config finds it.

Each case edits one value in a copy of the default configuration and asserts the one-line
message: file, key, value, and what was expected. The CLI cases run the real ``competence``
command in a subprocess.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from schemas.config import ConfigError, load_config
from tests.conftest import PROJECT_ROOT

COMPETENCE = Path(sys.executable).with_name("competence")


@pytest.fixture
def config_dir(tmp_path):
    target = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(config_dir: Path) -> list[str]:
    with pytest.raises(ConfigError) as error:
        load_config(config_dir)
    return [line.strip() for line in str(error.value).splitlines()]


NORTHFIELD = "providers.northfield_college"


@pytest.mark.parametrize(
    ("old", "new", "key", "value", "expected"),
    [
        ("encoding: utf-8", "encoding: utf-9", "encoding", "'utf-9'", "unknown encoding 'utf-9'"),
        ("encoding: utf-8", "encoding: base64", "encoding", "'base64'", "not a text encoding"),
        ('delimiter: ","', 'delimiter: ""', "delimiter", "''", "exactly one character"),
        ('delimiter: ","', 'delimiter: ",;"', "delimiter", "',;'", "exactly one character"),
        ('delimiter: ","', "delimiter: '\"'", "delimiter", "'\"'", "not a quote, line break"),
        ('delimiter: ","', 'delimiter: "\\n"', "delimiter", "'\\n'", "not a quote, line break"),
        (
            'date_format: "%m/%d/%Y"',
            'date_format: "%m/%Q/%Y"',
            "date_format",
            "'%m/%Q/%Y'",
            "cannot read back a date it wrote",
        ),
        (
            'date_format: "%m/%d/%Y"',
            'date_format: "%m/%Y"',
            "date_format",
            "'%m/%Y'",
            "2031-12-28 written as '12/2031' reads back as 2031-12-01",
        ),
    ],
)
def test_provider_reading_settings(config_dir, old, new, key, value, expected):
    _replace(config_dir / "providers.yaml", old, new)
    [header, problem] = _problems(config_dir)
    assert header == f"{config_dir / 'providers.yaml'}: invalid configuration"
    assert problem.startswith(f"key '{NORTHFIELD}.{key}' = {value}: Value error, ")
    assert expected in problem


def test_a_tab_and_a_semicolon_are_fine_delimiters(config_dir):
    _replace(config_dir / "providers.yaml", 'delimiter: ","', 'delimiter: "\\t"')
    assert load_config(config_dir).providers.providers["northfield_college"].delimiter == "\t"
    _replace(config_dir / "providers.yaml", 'delimiter: "\\t"', 'delimiter: ";"')
    assert load_config(config_dir).providers.providers["northfield_college"].delimiter == ";"


@pytest.mark.parametrize(
    ("old", "new", "key", "value"),
    [
        ("timezone: America/Chicago", "timezone: Europe", "timezone", "'Europe'"),
        ("timezone: America/Chicago", "timezone: America/chicago", "timezone", "'America/chicago'"),
        ("timezone: America/Chicago", 'timezone: "../../etc/passwd"', "timezone", None),
        (
            "timezone: America/Mexico_City",
            "timezone: Mexico/Nowhere",
            "sites.QUERETARO.timezone",
            "'Mexico/Nowhere'",
        ),
    ],
)
def test_company_and_site_timezones(config_dir, old, new, key, value):
    _replace(config_dir / "policy.yaml", old, new)
    [_, problem] = _problems(config_dir)
    shown = value or repr(new.split(": ", 1)[1].strip('"'))
    assert problem == (
        f"key '{key}' = {shown}: Value error, unknown IANA timezone {shown}; "
        "expected a name like America/Chicago or UTC"
    )


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('"a@b.com,root"', "put each address in its own list entry"),
        ('"a@b.com; c@d.com"', "put each address in its own list entry"),
        ("root", "(a name, '@' and a domain with a dot)"),
        ("qm@localhost", "(a name, '@' and a domain with a dot)"),
        ('"qm @example.com"', "without spaces or a display name"),
        ('"Jane <jane@example.com>"', "without spaces or a display name"),
        ('"qm@exa_mple.com"', "(a name, '@' and a domain with a dot)"),
    ],
)
def test_recipients_are_one_plain_address_each(config_dir, entry, expected):
    _replace(config_dir / "recipients.yaml", "[qm.dayton@example.com]", f"[{entry}]")
    [header, problem] = _problems(config_dir)
    assert header == f"{config_dir / 'recipients.yaml'}: invalid configuration"
    shown = repr(entry.strip('"'))
    assert problem.startswith(
        f"key 'sites.DAYTON.0' = {shown}: Value error, expected one e-mail address per entry, "
        "like qm.dayton@example.com"
    )
    assert expected in problem


@pytest.mark.parametrize("where", ["company", "data_team"])
def test_roll_up_and_data_team_addresses_are_checked_too(config_dir, where):
    old = {"company": "[quality.director@example.com]", "data_team": "[data-team@example.com]"}
    _replace(config_dir / "recipients.yaml", old[where], "[root]")
    [_, problem] = _problems(config_dir)
    assert problem.startswith(f"key '{where}.0' = 'root': Value error, expected one e-mail")


@pytest.mark.parametrize(
    ("file", "old", "new", "key", "value", "expected"),
    [
        (
            "policy.yaml",
            "  DAYTON: {name",
            "  ../DAYTON: {name",
            "sites.../DAYTON",
            "'../DAYTON'",
            "is not a site code; expected a site code matching ^[A-Z0-9][A-Z0-9_-]{0,31}$",
        ),
        (
            "policy.yaml",
            "  DAYTON: {name",
            "  company: {name",
            "sites.company",
            "'company'",
            "'company' is a reserved name",
        ),
        (
            "recipients.yaml",
            "  DAYTON: [",
            "  dayton: [",
            "sites.dayton",
            "'dayton'",
            "'dayton': site codes are upper case, write 'DAYTON'",
        ),
        (
            "recipients.yaml",
            "  DAYTON: [",
            "  NUL: [",
            "sites.NUL",
            "'NUL'",
            "'NUL' is a reserved name",
        ),
        (
            "requirements.yaml",
            '{site: "*", job_role: "Quality',
            '{site: "/tmp/x", job_role: "Quality',
            "requirements.1.site",
            "'/tmp/x'",
            "is not a site code",
        ),
    ],
)
def test_site_codes_in_the_configuration(config_dir, file, old, new, key, value, expected):
    _replace(config_dir / file, old, new)
    [header, problem] = _problems(config_dir)
    assert header == f"{config_dir / file}: invalid configuration"
    assert problem.startswith(f"key '{key}' = {value}: Value error, ")
    assert expected in problem


def test_every_file_with_a_problem_is_reported_at_once(config_dir):
    _replace(config_dir / "providers.yaml", "encoding: utf-8", "encoding: utf-9")
    _replace(config_dir / "recipients.yaml", "[qm.dayton@example.com]", '["a@b.com,root"]')
    _replace(config_dir / "policy.yaml", "timezone: America/Chicago", "timezone: Europe")
    problems = _problems(config_dir)
    headers = [p for p in problems if p.endswith("invalid configuration")]
    assert headers == [
        f"{config_dir / name}: invalid configuration"
        for name in ("providers.yaml", "recipients.yaml", "policy.yaml")
    ]


def _competence(*args: str, config_dir: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "COMPETENCE_CONFIG_DIR": str(config_dir),
        "COMPETENCE_OUTPUT_DIR": str(tmp_path / "var"),
        "COMPETENCE_LANDING_DIR": str(tmp_path / "landing"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    return subprocess.run(
        [str(COMPETENCE), *args], env=env, capture_output=True, text=True, timeout=300
    )


def test_check_config_and_run_stop_on_a_bad_company_timezone_without_a_traceback(
    config_dir, tmp_path
):
    _replace(config_dir / "policy.yaml", "timezone: America/Chicago", "timezone: Europe")
    expected = (
        f"configuration error: {config_dir / 'policy.yaml'}: invalid configuration\n"
        "  key 'timezone' = 'Europe': Value error, unknown IANA timezone 'Europe'; expected a "
        "name like America/Chicago or UTC\n"
    )
    checked = _competence("check-config", config_dir=config_dir, tmp_path=tmp_path)
    assert (checked.returncode, checked.stdout, checked.stderr) == (2, "", expected)
    (tmp_path / "landing").mkdir()  # the folders are checked first; the configuration next
    run = _competence("run", "--week", "2026-11-16", config_dir=config_dir, tmp_path=tmp_path)
    assert (run.returncode, run.stderr) == (2, expected)
    assert "Traceback" not in run.stdout + run.stderr
    assert not (tmp_path / "var" / "reports").exists()


def test_check_config_accepts_the_default_configuration(tmp_path):
    checked = _competence("check-config", config_dir=PROJECT_ROOT / "config", tmp_path=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("configuration ok (hash ")


def test_the_contact_address_and_paper_are_checked(config_dir):
    """The mail's contact for questions is one plain address; a site's paper is A4 or Letter."""
    _replace(
        config_dir / "recipients.yaml",
        "contact: quality.director@example.com",
        "contact: root\nsite_contacts: {DAYTON: qm.dayton@example.com}",
    )
    _replace(
        config_dir / "policy.yaml",
        "timezone: America/New_York, audit_criteria: [ISO9001]}",
        "timezone: America/New_York, audit_criteria: [ISO9001], paper: Legal}",
    )
    problems = _problems(config_dir)
    assert any(
        p.startswith("key 'contact' = 'root': Value error, expected one e-mail") for p in problems
    )
    assert any(
        p.startswith("key 'sites.DAYTON.paper' = 'Legal': Input should be 'A4' or 'Letter'")
        for p in problems
    )


def test_contact_falls_back_to_the_roll_up_reader_and_a_site_may_have_its_own(config_dir):
    _replace(
        config_dir / "recipients.yaml",
        "contact: quality.director@example.com",
        "site_contacts: {DAYTON: qm.dayton@example.com}",
    )
    recipients = load_config(config_dir).recipients
    assert recipients.contact_for("DAYTON") == "qm.dayton@example.com"
    assert recipients.contact_for("QUERETARO") == "quality.director@example.com"


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        (
            'lead: "Dana Whitfield, plant manager"',
            'lead: "Dana Whitfield\\nplant manager"',
            "sites.DAYTON.lead",
            "Value error, expected the site lead's name (and title) on one line of at most 120 "
            'characters, like "Dana Whitfield, plant manager"',
        ),
        (
            "effectiveness_min_attempts: 10",
            "effectiveness_min_attempts: 0",
            "effectiveness_min_attempts",
            "Input should be greater than or equal to 1",
        ),
        (
            "first_attempt_pass_rate_min: 0.6",
            "first_attempt_pass_rate_min: 60",
            "first_attempt_pass_rate_min",
            "Input should be less than or equal to 1",
        ),
    ],
)
def test_site_lead_and_effectiveness_policy(config_dir, old, new, key, problem):
    _replace(config_dir / "policy.yaml", old, new)
    [header, line] = _problems(config_dir)
    assert header == f"{config_dir / 'policy.yaml'}: invalid configuration"
    assert line.startswith(f"key '{key}' = ")
    assert line.endswith(problem)


def test_effectiveness_policy_defaults_and_values(config_dir):
    policy = load_config(config_dir).policy
    assert (policy.effectiveness_min_attempts, policy.first_attempt_pass_rate_min) == (10, 0.6)
    assert policy.sites["DAYTON"].lead == "Dana Whitfield, plant manager"
