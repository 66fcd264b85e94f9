"""The configuration in ``config/``: loaded, validated and cross-checked (:func:`load_config`).

Every file is validated on load. A bad file raises :class:`ConfigError` whose message names the
file, the key path, the offending value and what was expected, so a data engineer can fix it
without reading a stack trace. The models of the files are ``config_models.py`` (importable from
here too, as every caller does), their checked value types ``config_values.py``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from schemas.config_models import (
    CANONICAL_RESULT_COLUMNS,
    AuditCriteriaConfig,
    CompetenceConfig,
    Credential,
    CredentialsConfig,
    Criterion,
    Escalation,
    Limits,
    PassRule,
    PointsRenewal,
    Policy,
    Provider,
    ProvidersConfig,
    RecipientsConfig,
    ReportPolicy,
    Requirement,
    RequirementsConfig,
    RetestRenewal,
    Site,
)

# the models are part of this module's interface: callers import them from schemas.config
__all__ = [
    "CANONICAL_RESULT_COLUMNS",
    "CONFIG_FILES",
    "AuditCriteriaConfig",
    "CompetenceConfig",
    "ConfigError",
    "Credential",
    "CredentialsConfig",
    "Criterion",
    "Escalation",
    "Limits",
    "PassRule",
    "PointsRenewal",
    "Policy",
    "Provider",
    "ProvidersConfig",
    "RecipientsConfig",
    "ReportPolicy",
    "Requirement",
    "RequirementsConfig",
    "RetestRenewal",
    "Site",
    "load_config",
]


class ConfigError(ValueError):
    """A configuration file is missing or invalid; the message is meant for the user."""


CONFIG_FILES: dict[str, type[BaseModel]] = {
    "credentials.yaml": CredentialsConfig,
    "requirements.yaml": RequirementsConfig,
    "providers.yaml": ProvidersConfig,
    "recipients.yaml": RecipientsConfig,
    "policy.yaml": Policy,
    "audit_criteria.yaml": AuditCriteriaConfig,
}


def _format_location(loc: tuple[Any, ...]) -> str:
    # "[key]" marks a mapping key that failed (a site code): the key itself is the value shown
    skip = ("function-", "tagged-union", "[key]")
    return ".".join(str(p) for p in loc if not str(p).startswith(skip))


def _load_one(path: Path, model: type[BaseModel]) -> BaseModel:
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file is missing")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(raw).__name__}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = _format_location(err["loc"]) or "(top level)"
            value = err.get("input")
            shown = repr(value) if not isinstance(value, dict | list) else type(value).__name__
            problems.append(f"key '{key}' = {shown}: {err['msg']}")
        raise ConfigError(f"{path}: invalid configuration\n  " + "\n  ".join(problems)) from None


def load_config(config_dir: Path | str) -> CompetenceConfig:
    """Load and validate every configuration file, then check the references between them."""
    config_dir = Path(config_dir)
    loaded, problems = {}, []
    for name, model in CONFIG_FILES.items():
        try:
            loaded[name] = _load_one(config_dir / name, model)
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:  # every file's problems at once, so one check-config finds them all
        raise ConfigError("\n".join(problems))
    digest = hashlib.sha256()
    for name in sorted(CONFIG_FILES):
        digest.update(name.encode() + b"\0" + (config_dir / name).read_bytes())
    config = CompetenceConfig(
        credentials=loaded["credentials.yaml"],
        requirements=loaded["requirements.yaml"],
        providers=loaded["providers.yaml"],
        recipients=loaded["recipients.yaml"],
        policy=loaded["policy.yaml"],
        audit_criteria=loaded["audit_criteria.yaml"],
        config_hash=digest.hexdigest(),
    )
    _cross_check(config, config_dir)
    return config


def _cross_check(config: CompetenceConfig, config_dir: Path) -> None:
    known = config.credentials.credentials
    for i, req in enumerate(config.requirements.requirements):
        if req.credential is not None and req.credential not in known:
            raise ConfigError(
                f"{config_dir / 'requirements.yaml'}: key 'requirements.{i}.credential' = "
                f"{req.credential!r}: expected one of the credentials in credentials.yaml "
                f"{sorted(known)}"
            )
    if config.policy.default_credential not in known:
        raise ConfigError(
            f"{config_dir / 'policy.yaml'}: key 'default_credential' = "
            f"{config.policy.default_credential!r}: expected one of {sorted(known)}"
        )
    modules = config.credentials.all_modules
    for name, provider in config.providers.providers.items():
        for source, module in provider.module_values.items():
            if module not in modules:
                raise ConfigError(
                    f"{config_dir / 'providers.yaml'}: key 'providers.{name}.module_values."
                    f"{source}' = {module!r}: expected a module of credentials.yaml "
                    f"{sorted(modules)}"
                )
    sets = config.audit_criteria.criteria_sets
    for site_id, site in config.policy.sites.items():
        for set_name in site.audit_criteria:
            if set_name not in sets:
                raise ConfigError(
                    f"{config_dir / 'policy.yaml'}: key 'sites.{site_id}.audit_criteria' = "
                    f"{set_name!r}: expected one of the sets in audit_criteria.yaml {sorted(sets)}"
                )
