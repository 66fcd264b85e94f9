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


@pytest.fixture(autouse=True)
def _no_dagster_instance_left_over_from_another_test():
    """Dagster keeps the current instance's definitions-state storage in a context variable and
    only clears it when that instance is closed; one left behind by an earlier test in the same
    worker makes the next ``materialize`` fail with "undefined DagsterInstance weakref"."""
    from dagster._core.storage.defs_state.base import _current_storage

    _current_storage.set(None)
    yield
    _current_storage.set(None)
