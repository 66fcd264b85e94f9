"""Put it together: plan every source's files, write them, count what was written."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm import tqdm

import pipelines.sample_data.trouble as trouble
from pipelines.sample_data.days import date_of, day_number, mtime_of, years_before
from pipelines.sample_data.decisions import write_decisions
from pipelines.sample_data.layouts import (
    activity_rows,
    apex_rows,
    inhouse_rows,
    northfield_rows,
    roster_extract,
    route_to_providers,
)
from pipelines.sample_data.people import Anchors, People, build_people
from pipelines.sample_data.plans import (
    OutputFile,
    plan_activities,
    plan_apex,
    plan_inhouse,
    plan_northfield,
)
from pipelines.sample_data.records import build_activities, build_assessments
from pipelines.sample_data.summary import SampleSummary
from pipelines.sample_data.vocabulary import (
    APEX,
    CODE_OF,
    EARLIEST_RECORD,
    EXTRACT_OFFSETS,
    FOLDERS_WRITTEN,
    INHOUSE,
    LATEST_EXTRACT_LAG_DAYS,
    NORTHFIELD,
    ROSTER_XLSX_MAX_ROWS,
    XLSX_EXTRACT_INDEX,
)
from pipelines.sample_data.writers import write_csv, write_gradebook, write_roster_xlsx


def _write_rosters(
    p: People,
    at: Anchors,
    rng: np.random.Generator,
    landing: Path,
    summary: SampleSummary,
    bar: tqdm,
) -> None:
    # Roster trouble goes into the latest extract: one leaver hired "after" leaving, one
    # employee listed twice. Both are chosen outside the people other trouble relies on.
    special = np.concatenate([p.shared, p.name_only])
    left = np.flatnonzero((p.term >= 0) & (p.term <= at.latest_extract))
    left = np.setdiff1d(left, special)
    active = np.setdiff1d(np.flatnonzero(p.term < 0), special)
    swapped = p.employee_id[rng.choice(left)] if len(left) else None
    doubled = p.employee_id[rng.choice(active)]
    for i, offset in enumerate(EXTRACT_OFFSETS):
        on = at.latest_extract - offset
        extract = roster_extract(p, on)
        day = date_of(on)
        mtime = mtime_of(day, 18 * 3600)
        if i == len(EXTRACT_OFFSETS) - 1:
            if swapped is not None:
                extract = trouble.roster_hire_after_termination(extract, swapped)
            extract = trouble.roster_duplicate_id(extract, doubled)
        as_xlsx = i == XLSX_EXTRACT_INDEX and len(extract) <= ROSTER_XLSX_MAX_ROWS
        relative = f"roster/roster_{day.isoformat()}.{'xlsx' if as_xlsx else 'csv'}"
        if as_xlsx:
            rows = write_roster_xlsx(extract, landing / relative, day, mtime)
        else:
            rows = write_csv(extract, landing / relative, mtime)
        summary.rows[relative] = rows
        summary.roster_extracts.append(day)
        bar.update(1)
    summary.files["roster"] = len(EXTRACT_OFFSETS)
    summary.trouble["roster_hire_after_termination"] = int(swapped is not None)
    summary.trouble["roster_duplicate_id"] = 1


def _write_planned(
    files: list[OutputFile],
    source: pd.DataFrame,
    to_rows,
    people: People,
    landing: Path,
    summary: SampleSummary,
    bar: tqdm,
    first_second: int,
) -> None:
    """Write planned files in date order; a later drop gets a later modification time."""
    for i, planned in enumerate(files):
        frame = pd.concat(
            [to_rows(source.iloc[planned.records], people), *planned.extras], ignore_index=True
        )
        mtime = mtime_of(planned.landed, 6 * 3600 + first_second + i)
        path = landing / planned.relative
        if planned.relative.endswith(".xlsx"):
            rows = write_gradebook(frame, path, planned.landed, mtime)
        else:
            rows = write_csv(frame, path, mtime)
        summary.rows[planned.relative] = rows
        summary.files[planned.kind] = summary.files.get(planned.kind, 0) + 1
        bar.update(1)


def _scenario_examples(p: People) -> dict[str, list[str]]:
    untouched = np.ones(len(p.hire), dtype=bool)
    untouched[np.concatenate([p.shared, p.name_only]).astype(np.int64)] = False
    examples = {}
    for name, code in CODE_OF.items():
        hits = np.flatnonzero((p.scenario == code) & (p.term < 0) & untouched)[:3]
        examples[name] = [str(x) for x in p.employee_id[hits]]
    return examples


def _reset(landing: Path) -> None:
    """Replace only the folders this generator owns, so a rerun gives the same tree."""
    for folder in FOLDERS_WRITTEN:
        target = landing / folder
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.exists():
            shutil.rmtree(target)


def generate_sample_data(
    landing_dir: Path,
    employees: int = 600,
    seed: int = 7,
    today: date | None = None,
    progress: bool = True,
) -> SampleSummary:
    """Write roster/, providers/ and activities/ under ``landing_dir`` and say what was written.

    Deterministic for a given ``(employees, seed, today)``: same bytes, same modification times.
    ``today`` (default: the current date) is the day the data is "exported": no record is dated
    on or after it except the counted future-dated trouble rows.
    """
    if employees < 50:
        raise ValueError(f"employees must be at least 50 to hold every scenario, got {employees}")
    today = today or date.today()
    landing = Path(landing_dir)
    rng = np.random.default_rng(seed)
    latest = day_number(today) - LATEST_EXTRACT_LAG_DAYS
    at = Anchors(
        today=day_number(today),
        latest_extract=latest,
        five_years_ago=day_number(years_before(today, 5)),
        three_years_ago=day_number(years_before(today, 3)),
        earliest=day_number(EARLIEST_RECORD),
    )
    # Generation takes about half the time at a million people: it counts as four steps.
    bar = tqdm(total=4, desc="sample data", unit="step", disable=not progress)
    people = build_people(employees, rng, at)
    bar.update(1)
    assessments = route_to_providers(build_assessments(people, rng, at), people, rng)
    bar.update(1)
    activities = build_activities(people, rng, at)
    bar.update(1)

    summary = SampleSummary(landing, employees, seed, today, list(people.site_names), [])
    summary.scenarios = {
        name: int((people.scenario == code).sum()) for name, code in CODE_OF.items()
    }
    summary.scenario_examples = _scenario_examples(people)
    by_provider = {
        code: assessments[assessments["provider"].to_numpy() == code].reset_index(drop=True)
        for code in (NORTHFIELD, APEX, INHOUSE)
    }
    plans = [
        (
            plan_northfield(by_provider[NORTHFIELD], people, rng, today, summary),
            by_provider[NORTHFIELD],
            northfield_rows,
        ),
        (plan_apex(by_provider[APEX], people, rng, today, summary), by_provider[APEX], apex_rows),
        (
            plan_inhouse(by_provider[INHOUSE], people, rng, today, summary),
            by_provider[INHOUSE],
            inhouse_rows,
        ),
        (plan_activities(activities, people, rng, today, summary), activities, activity_rows),
    ]
    non_ascii = pd.Series(people.first + " " + people.last).map(lambda s: not s.isascii())
    summary.trouble["accented_name"] = int(non_ascii.sum())

    bar.update(1)
    bar.total = 4 + len(EXTRACT_OFFSETS) + sum(len(files) for files, _, _ in plans) + 2
    bar.refresh()

    _reset(landing)
    with bar:
        _write_rosters(people, at, rng, landing, summary, bar)
        for offset, (files, source, to_rows) in enumerate(plans):
            _write_planned(files, source, to_rows, people, landing, summary, bar, offset * 1000)
        decisions = write_decisions(landing, people, CODE_OF, today, write_csv)
        for relative, rows in decisions.items():
            summary.rows[relative] = rows
            kind = relative.split("/")[0]
            summary.files[kind] = summary.files.get(kind, 0) + 1
        stray = trouble.write_stray_files(landing, mtime_of(today - timedelta(days=2)))
        for kind, path in stray.items():
            summary.trouble[kind] = 1
            summary.files[kind] = 1
            summary.rows[path.relative_to(landing).as_posix()] = 0
        bar.update(2)
    return summary
