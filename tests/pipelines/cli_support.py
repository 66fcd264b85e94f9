"""Run the installed ``competence`` command in a real subprocess, with its environment in
tmp_path, and build a tiny landing folder it can run a week on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write

COMPETENCE = str(Path(sys.executable).parent / "competence")
RUN_DATE = "2026-11-25"


class CliEnv(dict):
    """Environment variables, and the folder the command runs in (tmp_path)."""

    cwd: Path


def cli_env(tmp_path: Path, **overrides: str) -> CliEnv:
    """The environment a user would have: every COMPETENCE_* variable of the README's table
    pointing into tmp_path, no SMTP (mail goes to the outbox), nothing inherited."""
    env = CliEnv(
        (k, v) for k, v in os.environ.items() if not k.startswith(("COMPETENCE_", "DAGSTER_"))
    )
    env.cwd = tmp_path
    env.update(
        COMPETENCE_LANDING_DIR=str(tmp_path / "landing"),
        COMPETENCE_CONFIG_DIR=str(PROJECT_ROOT / "config"),
        COMPETENCE_OUTPUT_DIR=str(tmp_path / "var"),
        COMPETENCE_RUN_DATE=RUN_DATE,
        COMPETENCE_ENGINE_THREADS="1",
    )
    (tmp_path / "landing").mkdir(exist_ok=True)
    env.update(overrides)
    return env


def competence(
    env: CliEnv, *args: str, timeout: float = 600, **popen: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COMPETENCE, *args],
        env=env,
        cwd=env.cwd,  # tmp_path: nothing lands in the repository
        capture_output=True,
        text=True,
        timeout=timeout,
        **popen,  # type: ignore[arg-type]
    )


def tiny_landing(root: Path) -> None:
    """Two people, 41 provider rows: one impossible date (rejected), one unknown person."""
    write(
        root / "roster/roster_2026-01-05.csv",
        [
            ROSTER_HEADER,
            "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            "E2,Bob,Ray,,DAYTON,,Production Technician,,2021-01-01,",
        ],
    )
    rows = [f"R{i},E{1 + i % 2},,,,Safety,03/04/2025,88,PASS,C{i}" for i in range(1, 40)]
    rows.append("R99,E1,,,,Safety,02/30/2025,88,PASS,C99")  # rejected: no 30 February
    rows.append("R98,E404,,,,Safety,03/04/2025,88,PASS,C98")  # accepted, unmatched
    write(root / "providers/northfield_college/q1.csv", [NORTHFIELD_HEADER, *rows])
