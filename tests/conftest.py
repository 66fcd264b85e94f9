"""Shared fixtures: the default configuration and a run date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from schemas.config import CompetenceConfig, load_config

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RUN_DATE = date(2026, 11, 25)


@pytest.fixture(scope="session")
def config() -> CompetenceConfig:
    return load_config(PROJECT_ROOT / "config")
