"""Effectiveness of training (ISO 9001 7.2 c): did the training the people took work?

Plain pandas functions on the week's tables (no Dagster). One long table, one row per measure,
site, provider, module or credential and window (the last 12 and the last 52 weeks ending on the
as-of date D), point-in-time: only records assessed on or before D count, and the people are those
of the week's roster. Every rate carries its counts (``count`` of ``sample``); a rate whose sample
is below ``policy.effectiveness_min_attempts`` is kept but not judged (``judged`` false, ``note``
"too few ... to judge"), so a pass rate of 1 of 2 never passes for a verdict on a provider.

Measures (readings where the issue leaves room):

- ``first_attempt_pass_rate`` per site, provider and module: a person's first attempt at a module
  is their earliest record of it (then the lowest record id); it counts in a window when it was
  taken in the window, under the provider that examined it. A renewal re-test is an attempt, not
  a first attempt.
- ``attempts_per_pass`` per site, provider and module: attempts in the window over passes in the
  window (no value without a pass).
- ``days_hire_to_certification`` per site and credential: the median of days from hire to the
  first certification, over people first certified in the window after they were hired (someone
  who arrived certified did not train here). A first certification is one whose date is the day
  the person had first passed every required module; a re-certification after a lapse is not one.
  Provider is empty: a certification combines modules that may come from several providers.
- ``renewals_secured_before_expiry`` per site and credential: of the cycles that ended in the
  window (not by a revocation), the share renewed (a renewal starts a new cycle on the old expiry
  date, so it was secured by then) rather than expired.
- ``actions_closed_on_time`` per site and credential: of the corrective actions completed in the
  window (certified, re-certified or renewed; not those that closed because the person left or the
  requirement went away), the share closed by their due date.

Records not linked to a person, and people not on the week's roster, have no site and are not
counted (they are in ``unmatched_records``).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from assets.week_keys import Week
from schemas.vocabulary import Status

WINDOWS = (12, 52)  # weeks ending on the as-of date; the report shows both side by side
FIRST_ATTEMPT_PASS_RATE = "first_attempt_pass_rate"
ATTEMPTS_PER_PASS = "attempts_per_pass"
DAYS_HIRE_TO_CERTIFICATION = "days_hire_to_certification"
RENEWALS_SECURED = "renewals_secured_before_expiry"
ACTIONS_ON_TIME = "actions_closed_on_time"
# what a measure's sample counts, for "too few ... to judge"
SAMPLE_UNIT = {
    FIRST_ATTEMPT_PASS_RATE: "attempts",
    ATTEMPTS_PER_PASS: "attempts",
    DAYS_HIRE_TO_CERTIFICATION: "certifications",
    RENEWALS_SECURED: "renewals",
    ACTIONS_ON_TIME: "actions",
}
# the ways an action closes that show the training worked (corrective_actions.closed_how)
COMPLETED = ("certified", "renewed", "re-certified, back on the task")
COLUMNS = {
    "site": "object",
    "provider": "object",
    "module": "object",
    "credential": "object",
    "window_weeks": "int64",
    "window_start": "datetime64[ns]",
    "window_end": "datetime64[ns]",
    "measure": "object",
    "value": "float64",
    "count": "int64",
    "sample": "int64",
    "judged": "bool",
    "note": "object",
}


def window_start(week: date, weeks: int) -> date:
    """The first day of the ``weeks`` weeks that end on the as-of date of ``week``."""
    return week - timedelta(days=7 * (weeks - 1))


def too_few_note(measure: str) -> str:
    return f"too few {SAMPLE_UNIT[measure]} to judge"


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in COLUMNS.items()})


def _day(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, errors="coerce").astype("datetime64[ns]")


def _people_sites(roster: pd.DataFrame) -> pd.Series:
    if roster.empty:
        return pd.Series(dtype=object)
    people = roster.drop_duplicates("employee_id", keep="last")
    return pd.Series(people["site"].astype(str).to_numpy(), index=people["employee_id"].astype(str))


def attempts_of(results: pd.DataFrame, roster: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Every linked module attempt dated on or before ``as_of``, with the person's site and
    whether it was the person's first attempt at the module."""
    wanted = ["person_id", "provider", "module", "record_id", "assessment_date", "passed"]
    if results.empty:
        return pd.DataFrame(columns=[*wanted, "site", "first"])
    frame = results.loc[results["person_id"].notna(), wanted].copy()
    frame["person_id"] = frame["person_id"].astype(str)
    frame["assessment_date"] = _day(frame["assessment_date"])
    frame = frame[frame["assessment_date"] <= pd.Timestamp(as_of)]
    frame["passed"] = frame["passed"].astype("boolean").fillna(False).astype(bool)
    frame["site"] = frame["person_id"].map(_people_sites(roster))
    frame = frame[frame["site"].notna()].sort_values(
        ["person_id", "module", "assessment_date", "record_id"], kind="stable"
    )
    frame["first"] = ~frame.duplicated(["person_id", "module"], keep="first")
    return frame.reset_index(drop=True)


def _agg(frame: pd.DataFrame, keys: list[str], column: str, how: dict[str, str]) -> pd.DataFrame:
    """``frame`` grouped by ``keys``, ``column`` aggregated as ``how`` ({function: new name});
    an empty frame gives an empty result with those columns."""
    if frame.empty:
        return pd.DataFrame(columns=[*keys, *how.values()])
    grouped = frame.groupby(keys)[column].agg(list(how)).reset_index()
    return grouped.rename(columns=how)


def _rows(
    grouped: pd.DataFrame, measure: str, weeks: int, week: date, as_of: date, min_sample: int
) -> pd.DataFrame:
    """Finish one measure's rows (``grouped``: the keys, ``value``, ``count``, ``sample``)."""
    if grouped.empty:
        return _empty()
    out = grouped.assign(
        measure=measure,
        window_weeks=weeks,
        window_start=pd.Timestamp(window_start(week, weeks)),
        window_end=pd.Timestamp(as_of),
    )
    out["judged"] = out["sample"] >= min_sample
    out["note"] = np.where(out["judged"], "", too_few_note(measure))
    for column in ("provider", "module", "credential"):
        if column not in out:
            out[column] = None
    return out[list(COLUMNS)]


def module_measures(
    attempts: pd.DataFrame, week: date, weeks: int, min_sample: int
) -> list[pd.DataFrame]:
    """First-attempt pass rate and attempts per pass of each site, provider and module."""
    as_of = Week.starting(week).as_of
    start = pd.Timestamp(window_start(week, weeks))
    inside = attempts[attempts["assessment_date"] >= start]
    keys = ["site", "provider", "module"]
    counted = {"sum": "count", "size": "sample"}
    firsts = _agg(inside[inside["first"].astype(bool)], keys, "passed", counted)
    firsts["value"] = firsts["count"] / firsts["sample"]
    # attempts per pass: the sample is the attempts, the count the passes they took
    every = _agg(inside, keys, "passed", counted)
    every["value"] = (every["sample"] / every["count"].replace(0, np.nan)).astype(float)
    return [
        _rows(firsts, FIRST_ATTEMPT_PASS_RATE, weeks, week, as_of, min_sample),
        _rows(every, ATTEMPTS_PER_PASS, weeks, week, as_of, min_sample),
    ]


def first_certifications(attempts: pd.DataFrame, required: dict[str, list[str]]) -> pd.Series:
    """The day each person first held every required module of each credential, indexed by
    (person_id, credential); people who never passed them all are absent."""
    passed = attempts[attempts["passed"].astype(bool)]
    if passed.empty:
        return pd.Series(dtype="datetime64[ns]")
    passes = passed.groupby(["person_id", "module"])["assessment_date"].min()
    parts = []
    for credential, modules in required.items():
        mine = passes[passes.index.get_level_values("module").isin(modules)].reset_index()
        per_person = mine.groupby("person_id")["assessment_date"].agg(["max", "size"])
        complete = per_person[per_person["size"] == len(set(modules))]["max"]
        parts.append(
            pd.Series(
                complete.to_numpy(),
                index=pd.MultiIndex.from_arrays(
                    [complete.index, [credential] * len(complete)],
                    names=["person_id", "credential"],
                ),
            )
        )
    return pd.concat(parts) if parts else pd.Series(dtype="datetime64[ns]")


def _first_certified_on(rows: pd.DataFrame, first_certified: pd.Series) -> pd.Series:
    """Each status row's first certification day (NaT: never certified), looked up by
    (employee_id, credential) in one aligned lookup rather than a dict of Timestamps."""
    if first_certified.empty:
        return pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    keys = pd.MultiIndex.from_arrays(
        [rows["employee_id"].astype(str), rows["credential"].astype(str)]
    )
    return pd.Series(first_certified.reindex(keys).to_numpy(), index=rows.index)


def certification_measures(
    status: pd.DataFrame,
    first_certified: pd.Series,
    week: date,
    weeks: int,
    min_sample: int,
) -> list[pd.DataFrame]:
    """Median days from hire to first certification, and renewals secured before expiry, per
    site and credential, from the week's status rows (``first_certified``: from
    :func:`first_certifications`)."""
    as_of = Week.starting(week).as_of
    start, end = pd.Timestamp(window_start(week, weeks)), pd.Timestamp(as_of)
    if status.empty:
        return []
    rows = status.assign(
        certified_on=_day(status["certified_on"]),
        cycle_start=_day(status["cycle_start"]),
        expires_on=_day(status["expires_on"]),
        hire_date=_day(status["hire_date"]),
    )
    revoked = (
        _day(rows["revoked_on"]).notna() if "revoked_on" in rows else pd.Series(False, rows.index)
    )
    keys = ["site", "credential"]
    is_first = rows["certified_on"].eq(_first_certified_on(rows, first_certified))
    certified = rows[
        rows["certified_on"].between(start, end)
        & (rows["certified_on"] >= rows["hire_date"])
        & is_first
    ]
    certified = certified.assign(days=(certified["certified_on"] - certified["hire_date"]).dt.days)
    hire = _agg(certified, keys, "days", {"median": "value", "size": "sample"})
    hire["count"] = hire["sample"]
    # a renewal starts the new cycle on the old expiry date; the first cycle starts on certified_on
    renewed = rows["cycle_start"].between(start, end) & (rows["cycle_start"] > rows["certified_on"])
    lapsed = (rows["status"] == Status.EXPIRED) & rows["expires_on"].between(start, end) & ~revoked
    ended = rows[renewed | lapsed].assign(renewed=renewed[renewed | lapsed])
    renewals = _agg(ended, keys, "renewed", {"sum": "count", "size": "sample"})
    renewals["value"] = renewals["count"] / renewals["sample"]
    return [
        _rows(hire, DAYS_HIRE_TO_CERTIFICATION, weeks, week, as_of, min_sample),
        _rows(renewals, RENEWALS_SECURED, weeks, week, as_of, min_sample),
    ]


def action_measures(
    actions: pd.DataFrame, week: date, weeks: int, min_sample: int
) -> list[pd.DataFrame]:
    """Corrective actions completed in the window and how many by their due date, per site and
    credential (``actions`` holds the stored corrective_actions of the weeks up to ``week``)."""
    as_of = Week.starting(week).as_of
    if actions.empty:
        return []
    closed_week = _day(actions["closed_week"])
    start, this_week = pd.Timestamp(window_start(week, weeks)), pd.Timestamp(week)
    done = actions[
        (actions["state"] == "closed")
        & closed_week.between(start, this_week)
        & actions["closed_how"].isin(COMPLETED)
    ]
    # one closure per action episode, even if a week was stored twice under different runs
    done = done.drop_duplicates(["employee_id", "credential", "kind", "first_raised"])
    on_time = done["closed_on_time"].astype("boolean").fillna(False).astype(bool)
    keys, counted = ["site", "credential"], {"sum": "count", "size": "sample"}
    counts = _agg(done.assign(on_time=on_time), keys, "on_time", counted)
    counts["value"] = counts["count"] / counts["sample"]
    return [_rows(counts, ACTIONS_ON_TIME, weeks, week, as_of, min_sample)]


def training_effectiveness(
    results: pd.DataFrame,
    roster: pd.DataFrame,
    status: pd.DataFrame,
    actions: pd.DataFrame,
    week: date,
    min_sample: int,
    required: dict[str, list[str]],
) -> pd.DataFrame:
    """The effectiveness table of ``week``: every measure over the last 12 and 52 weeks.

    ``results``, ``roster`` and ``status`` are the week's ``assessment_results``,
    ``roster_snapshot`` and ``certification_status``; ``actions`` the stored
    ``corrective_actions`` of the weeks up to ``week`` (later weeks are ignored); ``required``
    the required modules of each credential.
    """
    as_of = Week.starting(week).as_of
    attempts = attempts_of(results, roster, as_of)
    first_certified = first_certifications(attempts, required)
    if not actions.empty:
        actions = actions[_day(actions["week"]) <= pd.Timestamp(week)]
    parts = []
    for weeks in WINDOWS:
        parts += module_measures(attempts, week, weeks, min_sample)
        parts += certification_measures(status, first_certified, week, weeks, min_sample)
        parts += action_measures(actions, week, weeks, min_sample)
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _empty()
    table = pd.concat(parts, ignore_index=True).astype(COLUMNS)
    return table.sort_values(
        ["site", "measure", "provider", "module", "credential", "window_weeks"],
        na_position="first",
        ignore_index=True,
    )


def low_first_attempt_rates(
    table: pd.DataFrame, site: str, threshold: float, weeks: int = 52
) -> pd.DataFrame:
    """The site's judged first-attempt pass rates over ``weeks`` below ``threshold``, worst
    first (what the 7.2 c finding names)."""
    if table.empty:
        return table
    rows = table[
        (table["site"] == site)
        & (table["measure"] == FIRST_ATTEMPT_PASS_RATE)
        & (table["window_weeks"] == weeks)
        & table["judged"].astype(bool)
        & (table["value"] < threshold)
    ]
    return rows.sort_values(["value", "provider", "module"], ignore_index=True)


def low_rate_statements(
    table: pd.DataFrame, site: str, threshold: float, weeks: int = 52
) -> list[str]:
    """One phrase per module and provider whose first-attempt pass rate is below the minimum:
    ``SAFETY at acme: 4 of 12 first attempts passed (33%) in the 52 weeks 2025-11-24 to
    2026-11-22``."""
    return [
        f"{r['module']} at {r['provider']}: {r['count']} of {r['sample']} first attempts passed "
        f"({r['value']:.0%}) in the {weeks} weeks {pd.Timestamp(r['window_start']):%Y-%m-%d} to "
        f"{pd.Timestamp(r['window_end']):%Y-%m-%d}"
        for r in low_first_attempt_rates(table, site, threshold, weeks).to_dict("records")
    ]
