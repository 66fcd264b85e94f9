"""Shared fixtures: the default configuration and a report context for 2026-W47."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets.reporting.context import ReportContext
from schemas.config import CompetenceConfig, load_config
from tests.reporting import frames

CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"


@pytest.fixture(scope="session")
def config() -> CompetenceConfig:
    return load_config(CONFIG_DIR)


@pytest.fixture(scope="session")
def ctx(config: CompetenceConfig) -> ReportContext:
    return ReportContext.for_week(
        frames.WEEK,
        run_id="run-2026-W47",
        code_version="abc1234",
        config_hash=config.config_hash,
        newest_input_file="roster_2026-11-01.csv",
    )
