"""``competence person ID``: one person's history from the warehouse, readable or as CSV.

Reads ``competence.person_history`` (``assets/person_history.py``), creating the view on first
use. Problems the user can fix are one line on stderr with exit code 2: no warehouse, nothing
stored yet, an employee id the warehouse does not know; a CSV path that cannot be written is
exit code 1.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from assets.csv_export import write_safe_csv
from assets.person_history import VIEW, ensure_person_history
from assets.print_text import IDENTIFIER, NAME, clip
from assets.warehouse import connect

EXIT_NOT_FOUND = 2
EXIT_WRITE_FAILED = 1


def _fail(message: str, code: int) -> int:
    print(f"person: {message}", file=sys.stderr)
    return code


def load_history(database: Path, employee_id: str) -> tuple[pd.DataFrame, dict] | str:
    """(history rows, who the person is) or the one-line reason there is none."""
    with connect(str(database)) as con:
        if not ensure_person_history(con):
            return f"the warehouse {database} holds no weekly status yet (run a week first)"
        history = con.execute(f"select * from {VIEW} where employee_id = ?", [employee_id]).df()
        weeks = con.execute(
            "select min(week), max(week) from competence.certification_status"
        ).fetchone()
        person = con.execute(
            "select first_name, last_name, site, job_role from competence.certification_status "
            "where employee_id = ? order by week desc limit 1",
            [employee_id],
        ).fetchone()
    if history.empty or person is None:
        first, last = (f"{w:%Y-%m-%d}" if w is not None else "?" for w in weeks)
        return (
            f"no employee {clip(employee_id, IDENTIFIER)!r} in the warehouse {database} "
            f"(weeks {first} to {last})"
        )
    who = dict(zip(("first_name", "last_name", "site", "job_role"), person, strict=True))
    return history, who


def format_history(history: pd.DataFrame, who: dict, employee_id: str) -> list[str]:
    """One header line, then one line per event, newest last."""
    name = clip(f"{who['first_name']} {who['last_name']}", NAME)
    lines = [
        f"{employee_id} {name} · {who['site']} · {clip(str(who['job_role']), NAME)} · "
        f"{len(history)} events, weeks {history['week'].min():%Y-%m-%d} to "
        f"{history['week'].max():%Y-%m-%d}"
    ]
    for row in history.itertuples(index=False):
        day = "" if pd.isna(row.event_date) else f"{pd.Timestamp(row.event_date):%Y-%m-%d}"
        credential = "" if pd.isna(row.credential) else row.credential
        lines.append(
            f"week {pd.Timestamp(row.week):%Y-%m-%d}  {day:<10}  {row.kind:<8}  "
            f"{credential:<8}  {clip(str(row.what), 160)}  — {clip(str(row.cause), 200)}"
            f"  [{clip(str(row.source), 160)}]"
        )
    return lines


def person_history_command(employee_id: str, database: Path, csv_path: str | None) -> int:
    if not Path(database).is_file():
        return _fail(
            f"no warehouse at {database} (run a week first, or set COMPETENCE_OUTPUT_DIR)",
            EXIT_NOT_FOUND,
        )
    found = load_history(Path(database), employee_id)
    if isinstance(found, str):
        return _fail(found, EXIT_NOT_FOUND)
    history, who = found
    print("\n".join(format_history(history, who, employee_id)))
    if csv_path:
        try:
            write_safe_csv(history, Path(csv_path))
        except OSError as exc:
            return _fail(f"cannot write {csv_path}: {exc.strerror or exc}", EXIT_WRITE_FAILED)
        print(f"Written: {csv_path} ({len(history)} rows)")
    return 0
