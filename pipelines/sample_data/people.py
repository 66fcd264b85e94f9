"""The workforce: sites, designed histories, hires and leavers, names, e-mails, managers."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

import pipelines.sample_data.trouble as trouble
from pipelines.sample_data.days import numbered_ids, whole_between
from pipelines.sample_data.vocabulary import (
    CODE_OF,
    CONFIGURED_SITES,
    DOMAIN,
    EMPLOYEES_PER_SITE,
    FIRST_NAMES,
    FOLD,
    LAST_NAMES,
    MANY_SITES_FROM,
    ROLE_TABLE,
    SCENARIO_MIX,
    SHARED_NAMES,
    UNCONFIGURED_SITE,
)


def fold_name(text: str) -> str:
    """Accents, case and spacing folded: how names are compared when matching by name."""
    plain = unicodedata.normalize("NFKD", text.translate(FOLD))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def _email_part(text: str) -> str:
    return "".join(c for c in fold_name(text) if c.isalnum() or c == "-")


def recase(email: str, pattern: int) -> str:
    """Another letter case of the same address, as people type it into a provider's form."""
    local, domain = email.split("@")
    if pattern == 0:
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain
    if pattern == 1:
        return local + "@" + domain.split("-")[0].upper() + "-" + domain.split("-", 1)[1]
    if pattern == 2:
        return email.upper()
    return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.upper()


# --- the workforce ----------------------------------------------------------------------------


@dataclass
class Anchors:
    """Day numbers of the dates every history is designed around."""

    today: int
    latest_extract: int
    five_years_ago: int
    three_years_ago: int
    earliest: int


def _site_names(employees: int) -> tuple[list[str], np.ndarray]:
    """Site names and their share of the workforce; TOLEDO stays small and unconfigured."""
    names = [*CONFIGURED_SITES, UNCONFIGURED_SITE]
    if employees < MANY_SITES_FROM:
        return names, np.array([0.40, 0.30, 0.26, 0.04])
    extra = max(1, round(employees / EMPLOYEES_PER_SITE) - len(names))
    width = max(3, len(str(extra)))
    names += [f"SITE{i:0{width}d}" for i in range(1, extra + 1)]
    weights = np.ones(len(names))
    weights[3] = 0.2
    return names, weights / weights.sum()


def _design_histories(
    roles: np.ndarray, rng: np.random.Generator, at: Anchors
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scenario, first certification (-1 if none) and hire day of every person."""
    n = len(roles)
    scenario = np.zeros(n, dtype=np.int8)
    for code, (role, _, _) in enumerate(ROLE_TABLE):
        members = np.flatnonzero(roles == code)
        mix = SCENARIO_MIX[role]
        codes = np.array([CODE_OF[name] for name in mix], dtype=np.int8)
        scenario[members] = codes[rng.choice(len(codes), len(members), p=list(mix.values()))]

    cert = np.full(n, -1, dtype=np.int64)
    hire = np.zeros(n, dtype=np.int64)
    t, t5, t3 = at.today, at.five_years_ago, at.three_years_ago

    def members(*names: str) -> np.ndarray:
        return np.flatnonzero(np.isin(scenario, [CODE_OF[x] for x in names]))

    def set_cert(m: np.ndarray, low, high) -> None:
        cert[m] = whole_between(rng, low, high, len(m))

    def hire_before(m: np.ndarray, low: int, high: int) -> None:
        hire[m] = cert[m] - whole_between(rng, low, high, len(m))

    m = members("CERTIFIED")
    set_cert(m, t5 + 100, t - 30)
    hire_before(m, 30, 3000)
    m = members("EXPIRING_SECURED", "EXPIRING_SHORT")
    set_cert(m, t5 + 5, t5 + 85)
    hire_before(m, 30, 3000)
    m = members("RENEWED")
    set_cert(m, t5 - 900, t5 - 20)
    hire_before(m, 30, 2500)
    # Certified at a college before joining: employment inside the cycle earns <= 20 points.
    m = members("EXPIRED")
    set_cert(m, t5 - 600, t5 - 40)
    hire[m] = cert[m] + whole_between(rng, 1105, 1400, len(m))
    m = members("LAPSED_RECERT")
    set_cert(m, t5 - 800, t5 - 250)
    hire[m] = cert[m] + whole_between(rng, 1105, 1400, len(m))
    # Not yet certified past the grace period: mostly hired in the last two or three years (a
    # plant does not keep someone uncertified for a decade), a few longer for roles that need
    # no credential.
    m = members("IN_PROGRESS", "FL_NONE")
    hire[m] = t - whole_between(rng, 200, 1100, len(m))
    m = members("NOT_STARTED")
    hire[m] = t - whole_between(rng, 200, 1100, len(m))
    # inside the 180-day grace period on the last complete week's Sunday, which can be up to
    # a week before the latest extract: stay clear of the boundary
    m = members("NEW_HIRE", "FL_NEW")
    hire[m] = at.latest_extract - whole_between(rng, 1, 160, len(m))
    m = members("FL_CERTIFIED")
    set_cert(m, t3 + 100, t - 20)
    hire_before(m, 10, 2000)
    m = members("FL_RENEWED")
    set_cert(m, t3 - 800, t3 - 30)
    hire_before(m, 10, 2000)
    m = members("FL_EXPIRING")
    set_cert(m, t3 + 5, t3 + 85)
    hire_before(m, 10, 2000)
    m = members("FL_EXPIRED")
    set_cert(m, t3 - 600, t3 - 30)
    hire_before(m, 10, 2000)
    # Nobody joins after the latest extract: their records could not be linked to anyone.
    np.minimum(hire, at.latest_extract - 1, out=hire)
    return scenario, cert, hire


def _leavers(
    scenario: np.ndarray, hire: np.ndarray, rng: np.random.Generator, at: Anchors
) -> np.ndarray:
    """Termination day (-1 when active): 8 % left in the last two years, 3 % long ago."""
    n = len(scenario)
    term = np.full(n, -1, dtype=np.int64)
    settled = ~np.isin(scenario, [CODE_OF["NEW_HIRE"], CODE_OF["FL_NEW"]])
    draw = rng.random(n)
    recent = np.flatnonzero(settled & (draw < 0.08))
    low = np.maximum(hire[recent] + 60, at.today - 700)
    ok = low <= at.latest_extract - 1
    recent, low = recent[ok], low[ok]
    term[recent] = whole_between(rng, low, at.latest_extract - 1, len(recent))
    old = np.flatnonzero(settled & (draw >= 0.08) & (draw < 0.11) & (hire + 60 <= at.today - 731))
    term[old] = whole_between(rng, hire[old] + 60, at.today - 731, len(old))
    return term


def _weights(names: tuple[str, ...]) -> np.ndarray:
    """Accented names at a fifth of the weight: about one person in seven carries an accent."""
    weights = np.array([1.0 if name.isascii() else 0.2 for name in names])
    return weights / weights.sum()


def _name_people(
    n: int,
    rng: np.random.Generator,
    shared: np.ndarray,
    name_only: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First names, last names and normalized names; shared and unique names where designed."""
    first = np.array(FIRST_NAMES, dtype=object)[
        rng.choice(len(FIRST_NAMES), n, p=_weights(FIRST_NAMES))
    ]
    last = np.array(LAST_NAMES, dtype=object)[
        rng.choice(len(LAST_NAMES), n, p=_weights(LAST_NAMES))
    ]
    for pair_no, (a, b) in enumerate(shared.reshape(-1, 2)):
        (fa, la), (fb, lb) = SHARED_NAMES[pair_no % len(SHARED_NAMES)]
        first[a], last[a], first[b], last[b] = fa, la, fb, lb
    # Double-barrelled surnames make the name-only people unique once accents are folded.
    one = rng.integers(0, len(LAST_NAMES), len(name_only))
    two = (one + rng.integers(1, len(LAST_NAMES), len(name_only))) % len(LAST_NAMES)
    last[name_only] = [f"{LAST_NAMES[i]}-{LAST_NAMES[j]}" for i, j in zip(one, two, strict=True)]
    folded = {s: fold_name(s) for s in set(first) | set(last)}
    key = pd.Series(first).map(folded) + " " + pd.Series(last).map(folded)
    return first, last, key.to_numpy(dtype=object)


def _emails(first: np.ndarray, last: np.ndarray, has_email: np.ndarray) -> np.ndarray:
    """first.last@domain, lowercase and ascii-folded, numbered when the name repeats."""
    parts = {s: _email_part(s) for s in set(first) | set(last)}
    base = pd.Series(first).map(parts) + "." + pd.Series(last).map(parts)
    base = base.where(has_email, "")
    repeat = base.groupby(base).cumcount()
    suffix = np.where(repeat > 0, (repeat + 1).astype(str), "")
    email = base + pd.Series(suffix) + "@" + DOMAIN
    return email.where(has_email, "").to_numpy(dtype=object)


def _managers(
    site: np.ndarray,
    roles: np.ndarray,
    email: np.ndarray,
    site_names: list[str],
    rng: np.random.Generator,
) -> np.ndarray:
    """A supervisor of the same site for most; supervisors report to the plant manager."""
    supervisor_role = [r for r, *_ in ROLE_TABLE].index("Production Supervisor")
    plant = np.array([f"plant.manager.{s.lower()}@{DOMAIN}" for s in site_names], dtype=object)
    supervisors = np.flatnonzero((roles == supervisor_role) & (email != ""))
    supervisors = supervisors[np.argsort(site[supervisors], kind="stable")]
    per_site = np.bincount(site[supervisors], minlength=len(site_names))
    starts = np.concatenate([[0], np.cumsum(per_site)[:-1]])
    count = per_site[site]
    pick = starts[site] + np.floor(rng.random(len(site)) * np.maximum(count, 1)).astype(np.int64)
    chosen = supervisors[np.minimum(pick, max(len(supervisors) - 1, 0))] if len(supervisors) else 0
    manager = np.where(count > 0, email[chosen] if len(supervisors) else "", plant[site])
    manager = np.where(roles == supervisor_role, plant[site], manager)
    return np.where(rng.random(len(site)) < 0.05, "", manager).astype(object)


@dataclass
class People:
    """The workforce as parallel arrays, indexed by person number (= hire order)."""

    employee_id: np.ndarray
    first: np.ndarray
    last: np.ndarray
    name_key: np.ndarray
    email: np.ndarray
    site: np.ndarray  # index into site_names
    site_names: list[str]
    role: np.ndarray  # index into ROLE_TABLE
    manager: np.ndarray
    hire: np.ndarray
    term: np.ndarray  # -1 when active
    scenario: np.ndarray
    cert: np.ndarray  # first certification day, -1 when never
    shared: np.ndarray  # person numbers of the shared-name pairs (pairs in order)
    name_only: np.ndarray  # person numbers findable only by name
    id_width: int


def build_people(n: int, rng: np.random.Generator, at: Anchors) -> People:
    shares = np.array([s for *_, s in ROLE_TABLE])
    roles = rng.choice(len(ROLE_TABLE), n, p=shares / shares.sum()).astype(np.int8)
    scenario, cert, hire = _design_histories(roles, rng, at)
    term = _leavers(scenario, hire, rng, at)
    site_names, site_share = _site_names(n)
    site = rng.choice(len(site_names), n, p=site_share).astype(np.int64)

    # Employee numbers follow hire order, as HR systems hand them out.
    order = np.argsort(hire, kind="stable")
    roles, scenario, cert, hire, term, site = (
        a[order] for a in (roles, scenario, cert, hire, term, site)
    )
    id_width = max(6, len(str(n)))
    employee_id = numbered_ids("E", np.arange(1, n + 1), id_width)

    # People the trouble relies on stay active, so their records keep meaning what we counted.
    k = trouble.rows_per_kind(n)
    active_cpt = np.flatnonzero(
        (term < 0)
        & np.isin(
            scenario,
            [CODE_OF["CERTIFIED"], CODE_OF["RENEWED"], CODE_OF["IN_PROGRESS"]],
        )
    )
    pairs = max(1, n // 2000)
    picked = rng.choice(active_cpt, min(len(active_cpt), k + 2 * pairs), replace=False)
    name_only = np.sort(picked[:k])
    shared = picked[k:]
    shared = shared[: len(shared) // 2 * 2]

    first, last, key = _name_people(n, rng, shared, name_only)
    # A name-only person must be the only one with their normalized name.
    counts = pd.Series(key).value_counts()
    name_only = name_only[counts.reindex(key[name_only]).to_numpy() == 1]

    has_email = rng.random(n) >= 0.03
    has_email[name_only] = False
    has_email[shared] = True
    email = _emails(first, last, has_email)
    manager = _managers(site, roles, email, site_names, rng)
    return People(
        employee_id,
        first,
        last,
        key,
        email,
        site,
        site_names,
        roles,
        manager,
        hire,
        term,
        scenario,
        cert,
        shared,
        name_only,
        id_width,
    )
