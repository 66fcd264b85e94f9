"""``competence person ID``: one person's history from the warehouse, readable or as CSV.

Reads ``competence.person_history`` (``assets/person_history.py``), creating the view on first
use. With the warehouse in PostgreSQL (COMPETENCE_WAREHOUSE_URL) the person's rows are copied
into an in-memory DuckDB and the same view runs there: one SQL for both warehouses, and only
one person's rows travel. Problems the user can fix are one line on stderr with exit code 2:
no warehouse, nothing stored yet, an employee id the warehouse does not know; a CSV path that
cannot be written is exit code 1.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from assets import warehouse_postgres as pg
from assets.csv_export import write_safe_csv
from assets.person_history import VIEW, ensure_person_history
from assets.print_text import IDENTIFIER, NAME, clip
from assets.warehouse import (
    PostgresWarehouse,
    WarehouseLocation,
    WarehouseUnavailable,
    connect,
    stored_tables,
    warehouse_location,
)
from schemas.warehouse_tables import declared_columns

EXIT_NOT_FOUND = 2
EXIT_WRITE_FAILED = 1


def _fail(message: str, code: int) -> int:
    print(f"person: {message}", file=sys.stderr)
    return code


# the tables the history reads, and the column naming the person in each
PERSON_COLUMN = {
    "certification_status": "employee_id",
    "corrective_actions": "employee_id",
    "assessment_results": "person_id",
    "ce_activities": "person_id",
    "exemptions": "employee_id",
    "revocations": "employee_id",
}


@contextmanager
def _opened(location: WarehouseLocation, employee_id: str) -> Iterator[tuple[object, str | None]]:
    """A DuckDB connection holding the person's rows, and the first corrective action's date."""
    if not isinstance(location, PostgresWarehouse):
        with connect(str(location)) as con:
            yield con, None
        return
    tables = stored_tables(location)
    since = None
    if "corrective_actions" in tables:
        first = pg.scalars(
            location, "select min(first_raised) from competence.corrective_actions", []
        )
        since = pd.Timestamp(first[0]).isoformat(sep=" ") if first[0] else "9999-12-31"
    with duckdb.connect() as con:
        con.execute("create schema competence")
        for table, column in PERSON_COLUMN.items():
            if table in tables:
                rows = pg.read_weeks(
                    location, table, None, None, declared_columns(table), (column, employee_id)
                )
                con.register("person_rows", rows)
                con.execute(f'create table competence."{table}" as select * from person_rows')
                con.unregister("person_rows")
        if "certification_status" in tables:
            # the whole warehouse's range, for the "no such employee" message
            weeks = pg.scalars(
                location, "select min(week), max(week) from competence.certification_status", []
            )
            con.execute(
                "create table competence.stored_weeks as select ?::timestamp as first_week, "
                "?::timestamp as last_week",
                list(weeks),
            )
        yield con, since


def load_history(database: WarehouseLocation, employee_id: str) -> tuple[pd.DataFrame, dict] | str:
    """(history rows, who the person is) or the one-line reason there is none."""
    location = warehouse_location(database)
    with _opened(location, employee_id) as (con, since):
        if not ensure_person_history(con, since):
            return f"the warehouse {database} holds no weekly status yet (run a week first)"
        history = con.execute(f"select * from {VIEW} where employee_id = ?", [employee_id]).df()
        weeks = con.execute(
            "select first_week, last_week from competence.stored_weeks"
            if isinstance(location, PostgresWarehouse)
            else "select min(week), max(week) from competence.certification_status"
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


def person_history_command(
    employee_id: str, database: WarehouseLocation, csv_path: str | None
) -> int:
    if not isinstance(database, PostgresWarehouse) and not Path(database).is_file():
        return _fail(
            f"no warehouse at {database} (run a week first, or set COMPETENCE_OUTPUT_DIR)",
            EXIT_NOT_FOUND,
        )
    try:
        found = load_history(database, employee_id)
    except WarehouseUnavailable as exc:  # names the server, never the password
        return _fail(str(exc), EXIT_NOT_FOUND)
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
