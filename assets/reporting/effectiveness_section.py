"""What the site report prints of the effectiveness of training (ISO 9001 7.2 c).

Turns the site's ``training_effectiveness`` rows into the cells of the section's two tables,
the 12 and the 52 weeks side by side: module measures by provider, and the certification,
renewal and corrective-action measures by credential. Every figure stands beside its counts; a
measure from fewer than ``policy.effectiveness_min_attempts`` attempts (people, renewals,
actions) shows the counts and "too few ... to judge" instead of the figure. Plain Python, no
markup: the markup is ``report_templates/_effectiveness.html.j2``.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from assets.csv_bytes import is_missing
from assets.reporting.training_effectiveness import (
    ACTIONS_ON_TIME,
    ATTEMPTS_PER_PASS,
    DAYS_HIRE_TO_CERTIFICATION,
    FIRST_ATTEMPT_PASS_RATE,
    RENEWALS_SECURED,
    WINDOWS,
    too_few_note,
    window_start,
)
from schemas.config import Policy

MAX_MODULE_ROWS = 60  # providers x modules; every row is in the attached effectiveness.csv
PERSON_MEASURES = {
    DAYS_HIRE_TO_CERTIFICATION: "Median days from hire to first certification",
    RENEWALS_SECURED: "Renewals secured before expiry",
    ACTIONS_ON_TIME: "Corrective actions closed on time",
}


def _figure(measure: str, value: float) -> str:
    if pd.isna(value):
        return "no pass"
    if measure == ATTEMPTS_PER_PASS:
        return f"{value:.2f} per pass"
    if measure == DAYS_HIRE_TO_CERTIFICATION:
        return f"median {value:.0f} days"
    return f"{value:.0%}"


def _n(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else (many or one + 's')}"


def _counts(measure: str, count: int, sample: int) -> str:
    if measure == FIRST_ATTEMPT_PASS_RATE:
        return f"{count} of {sample} first attempts passed"
    if measure == ATTEMPTS_PER_PASS:
        return f"{_n(sample, 'attempt')}, {_n(count, 'pass', 'passes')}"
    if measure == DAYS_HIRE_TO_CERTIFICATION:
        return f"{sample} {'person' if sample == 1 else 'people'} certified"
    if measure == RENEWALS_SECURED:
        return f"{count} of {sample} renewed"
    return f"{count} of {sample} on time"


def cell(row: dict | None, threshold: float | None = None) -> dict:
    """One table cell: its counts, the figure (or why there is none) and whether to flag it."""
    if row is None:
        return {"counts": "", "figure": "–", "judged": False, "low": False}
    measure, judged = row["measure"], bool(row["judged"])
    low = bool(
        judged
        and threshold is not None
        and measure == FIRST_ATTEMPT_PASS_RATE
        and row["window_weeks"] == max(WINDOWS)
        and row["value"] < threshold
    )
    return {
        "counts": _counts(measure, int(row["count"]), int(row["sample"])),
        "figure": _figure(measure, row["value"]) if judged else too_few_note(measure),
        "judged": judged,
        "low": low,
    }


def _by(rows: pd.DataFrame, keys: list[str]) -> dict[tuple, dict]:
    # a dimension a measure does not have is NULL in the warehouse (None or NaN when read back)
    return {
        tuple(None if is_missing(r[k]) else r[k] for k in keys): r for r in rows.to_dict("records")
    }


def effectiveness_section(
    table: pd.DataFrame | None, site: str, week: date, policy: Policy
) -> dict:
    """The template's context of the section for ``site``."""
    windows = [{"weeks": w, "start": f"{window_start(week, w):%Y-%m-%d}"} for w in WINDOWS]
    base = {
        "windows": windows,
        "min_attempts": policy.effectiveness_min_attempts,
        "threshold": policy.first_attempt_pass_rate_min,
        "modules": [],
        "modules_total": 0,
        "credentials": [],
        "low_total": 0,
    }
    if table is None or table.empty:
        return base
    mine = table[table["site"] == site]
    keyed = _by(mine, ["measure", "provider", "module", "credential", "window_weeks"])
    module_keys = (
        mine[mine["measure"].isin((FIRST_ATTEMPT_PASS_RATE, ATTEMPTS_PER_PASS))][
            ["provider", "module"]
        ]
        .drop_duplicates()
        .sort_values(["provider", "module"])
    )
    threshold = policy.first_attempt_pass_rate_min
    modules = []
    for provider, module in module_keys.itertuples(index=False):
        cells = {
            f"{m}_{w}": cell(keyed.get((m, provider, module, None, w)), threshold)
            for m in (FIRST_ATTEMPT_PASS_RATE, ATTEMPTS_PER_PASS)
            for w in WINDOWS
        }
        modules.append({"provider": provider, "module": module, "cells": cells})
    person = mine[mine["measure"].isin(PERSON_MEASURES)]
    credentials = []
    for credential in sorted(person["credential"].dropna().unique()):
        measures = [
            {
                "label": label,
                "cells": [cell(keyed.get((m, None, None, credential, w))) for w in WINDOWS],
            }
            for m, label in PERSON_MEASURES.items()
        ]
        credentials.append({"credential": credential, "measures": measures})
    low = sum(c["low"] for m in modules for c in m["cells"].values())
    return {
        **base,
        "modules": modules[:MAX_MODULE_ROWS],
        "modules_total": len(modules),
        "credentials": credentials,
        "low_total": low,
    }


def site_rows(table: pd.DataFrame | None, site: str) -> pd.DataFrame:
    """The site's rows of the table, as the attached effectiveness.csv holds them."""
    if table is None or table.empty:
        return pd.DataFrame()
    return table[table["site"] == site].drop(columns=["week"], errors="ignore")
