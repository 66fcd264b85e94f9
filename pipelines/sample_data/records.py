"""Assessment histories and continuing-education records that follow from each designed history."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.sample_data.days import add_years, whole_between
from pipelines.sample_data.people import Anchors, People
from pipelines.sample_data.vocabulary import (
    ACTIVITY_KINDS,
    CODE_OF,
    FORKLIFT,
    GREEN,
    HARD_MODULE_FAIL_SHARE,
    MAINTENANCE,
)

# --- assessment histories ---------------------------------------------------------------------


class _Records:
    """Assessment records collected as arrays: person, module, day, passed."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, person, module, day, passed: bool) -> None:
        person = np.asarray(person, dtype=np.int64)
        module = np.broadcast_to(np.asarray(module, dtype=np.int8), person.shape)
        day = np.broadcast_to(np.asarray(day, dtype=np.int64), person.shape)
        self.parts.append((person, module.copy(), day.copy(), np.full(person.shape, passed)))

    def frame(self) -> pd.DataFrame:
        cols = [np.concatenate([p[i] for p in self.parts]) for i in range(4)]
        return pd.DataFrame(dict(zip(("person", "module", "day", "passed"), cols, strict=True)))


def _full_set(
    records: _Records,
    rng: np.random.Generator,
    persons: np.ndarray,
    last_day: np.ndarray,
    earliest: np.ndarray,
) -> None:
    """Pass all four required modules, the last one exactly on ``last_day``."""
    k = len(persons)
    modules = np.argsort(rng.random((k, 4)), axis=1)
    span = np.maximum(last_day - earliest, 1)[:, None]
    offsets = 1 + np.floor(rng.random((k, 4)) * span).astype(np.int64)
    offsets[:, 3] = 0
    records.add(np.repeat(persons, 4), modules.ravel(), (last_day[:, None] - offsets).ravel(), True)


def _some_modules(
    records: _Records,
    rng: np.random.Generator,
    persons: np.ndarray,
    counts: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> None:
    """Pass ``counts[i]`` different required modules between ``low`` and ``high``."""
    modules = np.argsort(rng.random((len(persons), 4)), axis=1)
    take = np.arange(4)[None, :] < counts[:, None]
    rows, cols = np.nonzero(take)
    days = whole_between(rng, low[rows], high[rows], len(rows))
    records.add(persons[rows], modules[rows, cols], days, True)


def build_assessments(p: People, rng: np.random.Generator, at: Anchors) -> pd.DataFrame:
    t = at.today
    records = _Records()
    sc = p.scenario

    def members(*names: str) -> np.ndarray:
        return np.flatnonzero(np.isin(sc, [CODE_OF[x] for x in names]))

    cpt = members(
        "CERTIFIED", "EXPIRING_SECURED", "EXPIRING_SHORT", "EXPIRED", "RENEWED", "LAPSED_RECERT"
    )
    _full_set(records, rng, cpt, p.cert[cpt], p.cert[cpt] - 360)

    lapsed = members("LAPSED_RECERT")
    expiry = add_years(p.cert[lapsed], 5)
    low, high = expiry + 20, np.minimum(expiry + 400, t - 15)
    recert = whole_between(rng, low, high, len(lapsed))
    _full_set(records, rng, lapsed, recert, low)

    progress = members("IN_PROGRESS")
    low = np.maximum(np.maximum(p.hire[progress], t - 900), at.earliest)
    counts = rng.integers(1, 4, len(progress))
    _some_modules(records, rng, progress, counts, low, np.full(len(progress), t - 10))

    new = members("NEW_HIRE")
    counts = rng.choice(4, len(new), p=[0.4, 0.3, 0.2, 0.1])
    _some_modules(records, rng, new, counts, p.hire[new] + 1, np.full(len(new), t - 1))

    expired = members("EXPIRED")
    expired = expired[rng.random(len(expired)) < 0.4]
    low = add_years(p.cert[expired], 5) + 20
    _some_modules(
        records, rng, expired, rng.integers(1, 3, len(expired)), low, np.full(len(expired), t - 10)
    )

    # Forklift licences: one module, 3 years; renewal by re-test in the 90 days before expiry.
    licensed = members("FL_CERTIFIED", "FL_RENEWED", "FL_EXPIRING", "FL_EXPIRED")
    records.add(licensed, FORKLIFT, p.cert[licensed], True)
    renewed = members("FL_RENEWED")
    retest = add_years(p.cert[renewed], 3) - whole_between(rng, 5, 85, len(renewed))
    records.add(renewed, FORKLIFT, retest, True)
    fl_new = members("FL_NEW")
    fl_new = fl_new[rng.random(len(fl_new)) < 0.5]
    records.add(fl_new, FORKLIFT, whole_between(rng, p.hire[fl_new] + 1, t - 1, len(fl_new)), True)

    # Failed attempts before a first pass, then the retake that passed. MAINTENANCE is the hard
    # module: most fail it first, so the report's effectiveness section has a weak spot to show.
    passes = records.frame()
    fail_share = np.where(passes["module"].to_numpy() == MAINTENANCE, HARD_MODULE_FAIL_SHARE, 0.25)
    failed = passes[rng.random(len(passes)) < fail_share]
    records.add(
        failed["person"].to_numpy(),
        failed["module"].to_numpy(),
        failed["day"].to_numpy() - whole_between(rng, 14, 120, len(failed)),
        False,
    )
    never = members("NOT_STARTED", "FL_NONE")
    never = never[rng.random(len(never)) < 0.3]
    module = np.where(sc[never] == CODE_OF["FL_NONE"], FORKLIFT, rng.integers(0, 4, len(never)))
    low = np.maximum(p.hire[never], t - 700)
    records.add(never, module, whole_between(rng, low, t - 10, len(never)), False)

    # Passing a module again inside the current cycle (25 points) and the optional GREEN module.
    steady = members("CERTIFIED", "RENEWED")
    start = np.where(sc[steady] == CODE_OF["RENEWED"], add_years(p.cert[steady], 5), p.cert[steady])
    again = steady[(rng.random(len(steady)) < 0.10) & (start + 40 < t - 10)]
    start = np.where(sc[again] == CODE_OF["RENEWED"], add_years(p.cert[again], 5), p.cert[again])
    records.add(
        again,
        rng.integers(0, 4, len(again)),
        whole_between(rng, start + 30, t - 10, len(again)),
        True,
    )
    green = steady[rng.random(len(steady)) < 0.35]
    records.add(green, GREEN, p.cert[green] - whole_between(rng, 0, 400, len(green)), True)

    frame = records.frame()
    term = p.term[frame["person"].to_numpy()]
    day = frame["day"].to_numpy()
    keep = (day >= at.earliest) & (day <= t - 1) & ((term < 0) | (day <= term))
    return frame[keep].reset_index(drop=True)


# --- continuing education ---------------------------------------------------------------------


def build_activities(p: People, rng: np.random.Generator, at: Anchors) -> pd.DataFrame:
    """Activity records: person, day, kind (index into ACTIVITY_KINDS), amount."""
    t, sc = at.today, p.scenario
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(persons, days, kinds, amounts) -> None:
        parts.append(tuple(np.asarray(a, dtype=np.int64) for a in (persons, days, kinds, amounts)))

    designed = [
        CODE_OF[x] for x in ("EXPIRING_SECURED", "EXPIRING_SHORT", "EXPIRED", "LAPSED_RECERT")
    ]
    # Everybody else: a Poisson number of activities over their time here.
    free = np.flatnonzero(~np.isin(sc, designed))
    counts = rng.poisson(1.3, len(free))
    persons = np.repeat(free, counts)
    low = np.maximum(p.hire[persons], at.earliest)
    high = np.where(p.term[persons] >= 0, np.minimum(p.term[persons], t - 1), t - 1)
    shares = np.array([k[1] for k in ACTIVITY_KINDS])
    kinds = rng.choice(len(ACTIVITY_KINDS), len(persons), p=shares)
    lows = np.array([k[3] for k in ACTIVITY_KINDS])[kinds]
    highs = np.array([k[4] for k in ACTIVITY_KINDS])[kinds]
    add(
        persons,
        whole_between(rng, low, high, len(persons)),
        kinds,
        whole_between(rng, lows, highs, len(persons)),
    )

    def designed_add(persons, low, high, kind, amount_low, amount_high) -> None:
        add(
            persons,
            whole_between(rng, low, high, len(persons)),
            np.full(len(persons), kind),
            whole_between(rng, amount_low, amount_high, len(persons)),
        )

    # Secured: 2-4 conferences of 10-20 points inside the cycle, so >= 20 points on top of the
    # 80 points of four completed years of employment.
    secured = np.flatnonzero(sc == CODE_OF["EXPIRING_SECURED"])
    persons = np.repeat(secured, rng.integers(2, 5, len(secured)))
    designed_add(persons, p.cert[persons] + 30, t - 10, 2, 10, 20)
    # Short: at most one webinar-sized course of <= 8 hours: 80 + 8 < 100 points.
    short = np.flatnonzero(sc == CODE_OF["EXPIRING_SHORT"])
    persons = short[rng.random(len(short)) < 0.6]
    designed_add(persons, p.cert[persons] + 30, t - 10, 0, 2, 8)
    # Lapsing: at most two short courses in the first cycle (<= 32 + 20 employment points).
    lapsing = np.flatnonzero(np.isin(sc, [CODE_OF["EXPIRED"], CODE_OF["LAPSED_RECERT"]]))
    persons = np.repeat(lapsing, rng.integers(0, 3, len(lapsing)))
    designed_add(persons, p.cert[persons] + 30, add_years(p.cert[persons], 5) - 10, 0, 2, 16)

    cols = [np.concatenate([part[i] for part in parts]) for i in range(4)]
    frame = pd.DataFrame(dict(zip(("person", "day", "kind", "amount"), cols, strict=True)))
    term = p.term[frame["person"].to_numpy()]
    day = frame["day"].to_numpy()
    keep = (day >= at.earliest) & (day <= t - 1) & ((term < 0) | (day <= term))
    frame = frame[keep].sort_values(["day", "person"], kind="stable").reset_index(drop=True)
    frame["evidence_no"] = np.arange(1, len(frame) + 1)
    return frame
