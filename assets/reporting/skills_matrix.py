"""The skills matrix: people by module with pass dates, coloured by status (docs/reports.md).

One matrix per credential held or needed at the site. A large site (more rows than
``FULL_MATRIX_LIMIT``) gets only the rows whose module gaps a reader acts on in the PDF - people
non-compliant or in grace (an expiring person has every module; their renewal is in the action
list) - and a coverage line per module; the full matrix rides along as the
``skills_matrix.csv`` attachment, which is what the PDF says.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from assets.csv_bytes import is_missing
from assets.reporting.figures import person_name
from schemas.config import CompetenceConfig
from schemas.vocabulary import Compliance, Status

FULL_MATRIX_LIMIT = 120
# On a large site the printed matrix is a sample: the people with gaps, worst status first. The
# action list already names everyone who must act, and every row is in skills_matrix.csv.
PARTIAL_MATRIX_LIMIT = 40
STATUS_ORDER = {
    Status.EXPIRED: 0,
    Status.NOT_STARTED: 1,
    Status.IN_PROGRESS: 2,
    Status.EXPIRING: 3,
    Status.CERTIFIED: 4,
}


@dataclass(frozen=True)
class MatrixRow:
    employee_id: str
    name: str
    job_role: str
    status: str
    compliance: str
    expires_on: str
    passes: list[str]  # pass date per module, "" when not passed


@dataclass(frozen=True)
class SkillsMatrix:
    credential: str
    modules: list[str]
    required: set[str]
    rows: list[MatrixRow]
    coverage: list[int]  # people with a pass, per module, over all rows
    total_rows: int
    partial: bool
    with_gaps: int  # people non-compliant or in grace (all of them are printed unless partial)


def pass_dates(value: object) -> dict[str, str]:
    """``MAINTENANCE=2021-03-04;QUALITY=2021-01-10`` -> {module: date}."""
    if is_missing(value):
        return {}
    pairs = (item.split("=", 1) for item in str(value).split(";") if "=" in item)
    return {module.strip(): day.strip() for module, day in pairs}


def _modules(credential: str, rows: pd.DataFrame, config: CompetenceConfig) -> tuple[list, set]:
    defined = config.credentials.credentials.get(credential)
    if defined:
        return [*defined.required_modules, *defined.optional_modules], set(defined.required_modules)
    seen = sorted({m for v in rows["module_pass_dates"] for m in pass_dates(v)})
    return seen, set(seen)


def skills_matrices(rows: pd.DataFrame, config: CompetenceConfig) -> list[SkillsMatrix]:
    """The site's matrices, one per credential, worst status first."""
    matrices = []
    for credential in sorted(rows["credential"].astype(str).unique()):
        mine = rows[rows["credential"] == credential]
        modules, required = _modules(credential, mine, config)
        mine = mine.assign(_o=mine["status"].map(STATUS_ORDER).fillna(9)).sort_values(
            ["_o", "last_name", "first_name", "employee_id"]
        )
        dates = [pass_dates(v) for v in mine["module_pass_dates"]]
        coverage = [sum(1 for d in dates if d.get(m)) for m in modules]
        partial = len(mine) > FULL_MATRIX_LIMIT
        shown, with_gaps = mine, len(mine)
        if partial:
            act = mine["compliance"].isin((Compliance.NON_COMPLIANT, Compliance.GRACE))
            with_gaps = int(act.sum())
            shown = mine[act].head(PARTIAL_MATRIX_LIMIT)
        by_id = dict(zip(mine.index, dates, strict=True))
        matrix_rows = [
            MatrixRow(
                str(r["employee_id"]),
                person_name(r["first_name"], r["last_name"]),
                str(r["job_role"]),
                str(r["status"]),
                str(r["compliance"]),
                "" if is_missing(r["expires_on"]) else f"{pd.Timestamp(r['expires_on']):%Y-%m-%d}",
                [by_id[i].get(m, "") for m in modules],
            )
            for i, r in shown.iterrows()
        ]
        matrices.append(
            SkillsMatrix(
                credential, modules, required, matrix_rows, coverage, len(mine), partial, with_gaps
            )
        )
    return matrices


def skills_matrix_frame(rows: pd.DataFrame, config: CompetenceConfig) -> pd.DataFrame:
    """The full matrix as a table for the CSV attachment: one column per module."""
    all_modules: list[str] = []
    for credential in sorted(rows["credential"].astype(str).unique()):
        for module in _modules(credential, rows[rows["credential"] == credential], config)[0]:
            if module not in all_modules:
                all_modules.append(module)
    base = rows[
        [
            "employee_id",
            "first_name",
            "last_name",
            "job_role",
            "credential",
            "status",
            "compliance",
            "expires_on",
        ]
    ].reset_index(drop=True)
    dates = [pass_dates(v) for v in rows["module_pass_dates"]]
    for module in all_modules:
        base[module] = [d.get(module, "") for d in dates]
    return base.sort_values(["employee_id", "credential"], kind="stable").reset_index(drop=True)
