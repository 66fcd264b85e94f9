"""Configuration files are validated on load with messages naming file, key, value, expectation."""

from __future__ import annotations

import shutil

import pytest

from schemas.config import ConfigError, load_config
from tests.conftest import PROJECT_ROOT


@pytest.fixture
def config_dir(tmp_path):
    target = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", target)
    return target


def _replace(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_default_config_loads(config):
    assert config.credentials.credentials["CPT"].required_modules == [
        "SAFETY",
        "QUALITY",
        "PROCESSES",
        "MAINTENANCE",
    ]
    assert config.site("NOWHERE").audit_criteria == ["ISO9001"]  # unconfigured site defaults


def test_bad_value_names_file_key_value_and_expectation(config_dir):
    _replace(config_dir / "credentials.yaml", "validity_years: 5", "validity_years: five")
    with pytest.raises(ConfigError) as error:
        load_config(config_dir)
    assert str(error.value) == (
        f"{config_dir / 'credentials.yaml'}: invalid configuration\n"
        "  key 'credentials.CPT.validity_years' = 'five': Input should be a valid integer, "
        "unable to parse string as an integer"
    )


def test_unknown_credential_in_requirements(config_dir):
    _replace(config_dir / "requirements.yaml", "credential: FORKLIFT", "credential: FORKLIFTS")
    with pytest.raises(
        ConfigError,
        match=r"key 'requirements.3.credential' = 'FORKLIFTS': "
        r"expected one of the credentials in credentials.yaml \['CPT', 'FORKLIFT'\]",
    ):
        load_config(config_dir)


def test_bad_timezone_and_unknown_key(config_dir):
    _replace(config_dir / "policy.yaml", "timezone: America/Chicago", "timezone: Mars/Olympus")
    _replace(config_dir / "policy.yaml", "expiry_warning_days: 90", "expiry_warning_dayz: 90")
    with pytest.raises(ConfigError) as error:
        load_config(config_dir)
    message = str(error.value)
    assert "key 'timezone' = 'Mars/Olympus': Value error, unknown IANA timezone 'Mars/Olympus'" in (
        message
    )
    assert "key 'expiry_warning_dayz' = 90: Extra inputs are not permitted" in message


def test_missing_file_and_invalid_yaml(config_dir):
    (config_dir / "recipients.yaml").unlink()
    with pytest.raises(ConfigError, match=r"recipients\.yaml: configuration file is missing"):
        load_config(config_dir)
    (config_dir / "recipients.yaml").write_text("sites: [unclosed")
    with pytest.raises(ConfigError, match=r"recipients\.yaml: not valid YAML"):
        load_config(config_dir)


def test_provider_module_map_must_name_known_modules(config_dir):
    _replace(config_dir / "providers.yaml", "CPT-GRN: GREEN", "CPT-GRN: GREENISH")
    with pytest.raises(
        ConfigError,
        match=r"key 'providers.apex_academy.module_values.CPT-GRN' = "
        r"'GREENISH': expected a module of credentials.yaml",
    ):
        load_config(config_dir)
