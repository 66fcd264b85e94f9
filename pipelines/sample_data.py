"""Write a realistic, deterministic sample landing folder (roster, provider results, activities).

The demo, the tests and the benchmarks all need inputs that look like a real plant's exports:
HR roster snapshots with joiners and leavers, two training providers with deliberately different
formats plus one canonical in-house academy, continuing-education records, and a small counted
sprinkle of trouble (``pipelines.sample_trouble``) so the quarantine has something to show.

How it works: every person gets a *designed history* (a scenario such as "certified, expiring in
the next 90 days without enough points") from which their assessment and activity records follow,
so that every CPT and FORKLIFT status of SPEC section 2 appears as of ``today``. Everything is held
as numeric numpy arrays (person index, module code, day number) and turned into text one output
file at a time, which keeps 1,000,000 employees within a few minutes and a few GB.

Decisions where the SPEC is silent:

- Same ``(employees, seed, today)`` -> the same bytes in every file, and file modification times
  derived from each file's period (a later drop has a later mtime), never from the wall clock.
- Assessments and activities are dated from 2015-01-01 to the day before ``today``; a designed
  record that would fall earlier (only possible with a ``today`` before about 2023) is dropped.
- Everybody is hired on or before the latest roster extract (10 days before ``today``), so every
  provider record outside the counted "unmatched" trouble can be linked to a person.
- Employment points make long-serving people renew by points automatically (20 points a year,
  100 in a 5-year cycle). People designed to lapse were therefore certified *before* they were
  hired (at a college), so their employment inside the cycle earns at most 20 points.
- Sites: DAYTON, GREENVILLE, QUERETARO (configured) and a small TOLEDO (not configured). From
  5,000 employees on, further sites SITE001, SITE002, ... bring the total to about one site per
  1,000 employees (100 sites for 100,000 employees).
- The XLSX provider (Apex) gets at most about 400,000 records in files of at most 200,000 rows,
  because reading XLSX is slow; the older XLSX roster extract becomes CSV above 200,000 people.
"""

from __future__ import annotations

import os
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from tqdm import tqdm

from pipelines import sample_trouble as trouble
from pipelines.sample_decisions import write_decisions
from schemas.config import CANONICAL_RESULT_COLUMNS
from schemas.tables import ACTIVITY_COLUMNS, ROSTER_COLUMNS

DOMAIN = "acme-precision.example"
EARLIEST_RECORD = date(2015, 1, 1)
CONFIGURED_SITES = ("DAYTON", "GREENVILLE", "QUERETARO")
UNCONFIGURED_SITE = "TOLEDO"
MANY_SITES_FROM = 5_000
EMPLOYEES_PER_SITE = 1_000
APEX_MAX_RECORDS = 400_000
XLSX_MAX_ROWS = 200_000
ROSTER_XLSX_MAX_ROWS = 200_000
LATEST_EXTRACT_LAG_DAYS = 10
# Days before the latest extract of each roster extract; the one at XLSX_EXTRACT_INDEX is XLSX.
EXTRACT_OFFSETS = (700, 364, 182, 0)
XLSX_EXTRACT_INDEX = 1
FOLDERS_WRITTEN = ("roster", "providers", "activities", "exemptions", "revocations")

# (job role, department, share of the workforce)
ROLE_TABLE = (
    ("Production Technician", "Production", 0.68),
    ("Quality Inspector", "Quality", 0.08),
    ("Maintenance Technician", "Maintenance", 0.07),
    ("Forklift Operator", "Logistics", 0.08),
    ("Production Supervisor", "Production", 0.05),
    ("HR Generalist", "Human Resources", 0.02),
    ("Material Handler", "Logistics", 0.02),  # a role with no entry in requirements.yaml
)

# Module codes as in credentials.yaml; the first four are CPT's required modules.
MODULES = ("SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE", "GREEN", "FORKLIFT")
GREEN, FORKLIFT = 4, 5
MAINTENANCE = 3
HARD_MODULE_FAIL_SHARE = 0.6  # first attempts at MAINTENANCE that fail (0.25 for the others)
NORTHFIELD_MODULE_NAMES = (
    "Safety",
    "Quality Practices & Measurement",
    "Manufacturing Processes & Production",
    "Maintenance Awareness",
    "Green Production",
    "Forklift Operation",
)
APEX_COURSE_CODES = ("CPT-SAF", "CPT-QPM", "CPT-MPP", "CPT-MA", "CPT-GRN", None)
NORTHFIELD, APEX, INHOUSE = 0, 1, 2
NORTHFIELD_HEADER = [
    "Result ID",
    "Employee Number",
    "Email",
    "First Name",
    "Last Name",
    "Module",
    "Exam Date",
    "Score",
    "Result",
    "Certificate No",
]
APEX_HEADER = [
    "Attempt ID",
    "Learner",
    "Learner Email",
    "Course Code",
    "Completed On",
    "Percentage",
    "Badge",
]
INHOUSE_HEADER = list(CANONICAL_RESULT_COLUMNS)  # the data contract, not a copy of it
ROSTER_HEADER = list(ROSTER_COLUMNS)  # the data contract, not a copy of it
ACTIVITY_HEADER = list(ACTIVITY_COLUMNS)  # the data contract, not a copy of it

# Designed histories. Each names what the person's records make true as of ``today``.
SCENARIOS = (
    "NOT_STARTED",  # no required module passed (some failed attempts)
    "IN_PROGRESS",  # 1-3 required modules passed
    "CERTIFIED",  # certified in the last 5 years, expiry more than 90 days away
    "EXPIRING_SECURED",  # expiry within 90 days, points already reach 100
    "EXPIRING_SHORT",  # expiry within 90 days, points short of 100
    "EXPIRED",  # cycle ended without renewal; some re-passed a module or two since
    "RENEWED",  # first cycle renewed by points, now in a chained second cycle
    "LAPSED_RECERT",  # expired, then passed all four again: a new cycle
    "NEW_HIRE",  # hired inside the 180-day grace period, 0-3 modules passed
    "FL_CERTIFIED",  # forklift licence passed in the last 3 years
    "FL_RENEWED",  # forklift re-test passed inside the 90 days before expiry
    "FL_EXPIRING",  # forklift licence expiring within 90 days
    "FL_EXPIRED",  # forklift licence expired, no re-test
    "FL_NONE",  # forklift operator who never passed (non-compliant)
    "FL_NEW",  # forklift operator inside the grace period
)
_S = {name: code for code, name in enumerate(SCENARIOS)}
# A plant that mostly keeps up: about 7 % of the people in scope are out of compliance, so
# sites land between amber and red rather than all red.
_CPT_REQUIRED_MIX = {
    "NOT_STARTED": 0.02,
    "IN_PROGRESS": 0.03,
    "CERTIFIED": 0.50,
    "EXPIRING_SECURED": 0.05,
    "EXPIRING_SHORT": 0.04,
    "EXPIRED": 0.03,
    "RENEWED": 0.20,
    "LAPSED_RECERT": 0.07,
    "NEW_HIRE": 0.06,
}
SCENARIO_MIX: dict[str, dict[str, float]] = {
    "Production Technician": _CPT_REQUIRED_MIX,
    "Quality Inspector": _CPT_REQUIRED_MIX,
    "Maintenance Technician": _CPT_REQUIRED_MIX,
    "Forklift Operator": {
        "FL_CERTIFIED": 0.51,
        "FL_RENEWED": 0.25,
        "FL_EXPIRING": 0.08,
        "FL_EXPIRED": 0.05,
        "FL_NONE": 0.05,
        "FL_NEW": 0.06,
    },
    "Production Supervisor": {
        "CERTIFIED": 0.55,
        "RENEWED": 0.30,
        "NOT_STARTED": 0.10,
        "NEW_HIRE": 0.05,
    },
    "HR Generalist": {"NOT_STARTED": 0.90, "NEW_HIRE": 0.10},
    "Material Handler": {
        "NOT_STARTED": 0.50,
        "IN_PROGRESS": 0.30,
        "CERTIFIED": 0.15,
        "NEW_HIRE": 0.05,
    },
}

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Daniel", "Karen", "Carlos", "María", "José", "Ana", "Luis", "Sofía", "Jorge", "Lucía",
    "Miguel", "Ximena", "Zoë", "François", "Renée", "Björn", "Chloé", "André", "Inés", "Raúl",
    "Ángel", "Noémie", "Jürgen", "Łukasz", "Søren", "Mei", "Wei", "Priya", "Arjun", "Fatima",
    "Omar", "Aisha", "Kwame", "Tyrone", "Keisha", "Dmitri", "Olga", "Hiroshi", "Yuki", "Mary Ann",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernández", "López", "González", "Pérez", "Sánchez", "Ramírez", "Núñez", "Muñoz",
    "Ångström", "Lefèvre", "Müller", "Schröder", "Dvořák", "O'Brien", "McAllister", "Nguyen",
    "Tran", "Kim", "Patel", "Singh", "Okafor", "Mensah", "Kowalski", "Novák", "Andersson",
    "Østergaard", "Żukowski", "Taylor", "Anderson", "Thomas", "Moore", "Jackson", "Martin", "Lee",
    "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Hall", "Young", "Allen", "King",
    "Wright", "Scott", "Green", "Baker", "Adams", "Van der Berg",
)  # fmt: skip
# Pairs of spellings that fold to the same normalized name: two employees, one ambiguous record.
SHARED_NAMES = (
    (("José", "Núñez"), ("Jose", "Nunez")),
    (("Zoë", "Ångström"), ("Zoe", "Angstrom")),
    (("François", "Lefèvre"), ("Francois", "Lefevre")),
)
ACTIVITY_KINDS = (
    # type, share, "hours" or "points", low, high, descriptions
    ("course", 0.40, "hours", 2, 16, ("Lean manufacturing fundamentals", "Statistical process control", "Root cause analysis (8D)", "Lockout/tagout refresher")),  # noqa: E501
    ("webinar", 0.30, "hours", 1, 2, ("ISO 9001 awareness webinar", "Industry 4.0 webinar")),
    ("conference", 0.15, "points", 10, 20, ("Regional manufacturing summit", "ASQ section conference")),  # noqa: E501
    ("mentoring", 0.15, "hours", 2, 10, ("Mentoring a new technician",)),
)  # fmt: skip

_EPOCH = date(1970, 1, 1)
_EXCEL_EPOCH_OFFSET = 25569  # Excel serial number of 1970-01-01
_FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE"})


@dataclass
class SampleSummary:
    """What ``generate_sample_data`` wrote: files per kind, rows per file, trouble per kind."""

    landing_dir: Path
    employees: int
    seed: int
    today: date
    sites: list[str]
    roster_extracts: list[date]
    files: dict[str, int] = field(default_factory=dict)  # kind -> number of files
    rows: dict[str, int] = field(default_factory=dict)  # path under landing_dir -> data rows
    trouble: dict[str, int] = field(default_factory=dict)  # kind -> rows (or files, people)
    expected_rejects: dict[str, int] = field(default_factory=dict)  # source -> defective rows
    scenarios: dict[str, int] = field(default_factory=dict)  # designed history -> people
    # A few employee ids per scenario (active, no record of theirs contradicted), for spot checks.
    scenario_examples: dict[str, list[str]] = field(default_factory=dict)

    def rows_of(self, prefix: str) -> int:
        """Data rows in every file whose path starts with ``prefix`` (e.g. 'providers/apex')."""
        return sum(n for path, n in self.rows.items() if path.startswith(prefix))

    def describe(self) -> str:
        """A short human-readable account for the command line."""
        lines = [
            f"Sample data for {self.employees:,} employees (seed {self.seed}, today "
            f"{self.today}) in {self.landing_dir}",
            f"  sites: {len(self.sites)} ({', '.join(self.sites[:6])}"
            f"{', ...' if len(self.sites) > 6 else ''})",
            "  roster extracts: " + ", ".join(d.isoformat() for d in self.roster_extracts),
        ]
        for kind, count in self.files.items():
            lines.append(f"  {kind}: {count} file(s)")
        lines.append(
            "  trouble injected: " + ", ".join(f"{k}={v}" for k, v in self.trouble.items())
        )
        return "\n".join(lines)


# --- small vectorised helpers -----------------------------------------------------------------


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _date(day: int) -> date:
    return _EPOCH + timedelta(days=int(day))


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Calendar years later, 29 Feb -> 28 Feb, as the credential rules count them."""
    if len(days) == 0:
        return days.copy()
    shifted = pd.DatetimeIndex(days.astype("datetime64[D]")) + pd.DateOffset(years=years)
    return shifted.to_numpy().astype("datetime64[D]").astype(np.int64)


def _between(rng: np.random.Generator, low, high, size: int) -> np.ndarray:
    """Uniform whole numbers in [low, high] (arrays or scalars; high < low yields low)."""
    low = np.broadcast_to(np.asarray(low, dtype=np.int64), (size,))
    high = np.broadcast_to(np.asarray(high, dtype=np.int64), (size,))
    span = np.maximum(high - low + 1, 1)
    return low + np.floor(rng.random(size) * span).astype(np.int64)


def _iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"))


def _us(days: np.ndarray) -> np.ndarray:
    """MM/DD/YYYY by rearranging the characters of ISO strings (fast at millions of rows)."""
    iso = np.ascontiguousarray(_iso(days).astype("<U10"))
    chars = iso.view("<U1").reshape(-1, 10)
    out = np.empty_like(chars)
    out[:, 0:2] = chars[:, 5:7]
    out[:, 2] = "/"
    out[:, 3:5] = chars[:, 8:10]
    out[:, 5] = "/"
    out[:, 6:10] = chars[:, 0:4]
    return out.view("<U10").ravel().astype(object)


def _numbered(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    text = pd.Series(np.asarray(numbers, dtype=np.int64)).astype(str).str.zfill(width)
    return (prefix + text).to_numpy(dtype=object)


def fold_name(text: str) -> str:
    """Accents, case and spacing folded: how names are compared when matching by name."""
    plain = unicodedata.normalize("NFKD", text.translate(_FOLD))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def _email_part(text: str) -> str:
    return "".join(c for c in fold_name(text) if c.isalnum() or c == "-")


def _recase(email: str, pattern: int) -> str:
    """Another letter case of the same address, as people type it into a provider's form."""
    local, domain = email.split("@")
    if pattern == 0:
        return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain
    if pattern == 1:
        return local + "@" + domain.split("-")[0].upper() + "-" + domain.split("-", 1)[1]
    if pattern == 2:
        return email.upper()
    return ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.upper()


def _timestamp(day: date, seconds: int = 0) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() + seconds


# --- the workforce ----------------------------------------------------------------------------


@dataclass
class _Anchors:
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
    roles: np.ndarray, rng: np.random.Generator, at: _Anchors
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scenario, first certification (-1 if none) and hire day of every person."""
    n = len(roles)
    scenario = np.zeros(n, dtype=np.int8)
    for code, (role, _, _) in enumerate(ROLE_TABLE):
        members = np.flatnonzero(roles == code)
        mix = SCENARIO_MIX[role]
        codes = np.array([_S[name] for name in mix], dtype=np.int8)
        scenario[members] = codes[rng.choice(len(codes), len(members), p=list(mix.values()))]

    cert = np.full(n, -1, dtype=np.int64)
    hire = np.zeros(n, dtype=np.int64)
    t, t5, t3 = at.today, at.five_years_ago, at.three_years_ago

    def members(*names: str) -> np.ndarray:
        return np.flatnonzero(np.isin(scenario, [_S[x] for x in names]))

    def set_cert(m: np.ndarray, low, high) -> None:
        cert[m] = _between(rng, low, high, len(m))

    def hire_before(m: np.ndarray, low: int, high: int) -> None:
        hire[m] = cert[m] - _between(rng, low, high, len(m))

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
    hire[m] = cert[m] + _between(rng, 1105, 1400, len(m))
    m = members("LAPSED_RECERT")
    set_cert(m, t5 - 800, t5 - 250)
    hire[m] = cert[m] + _between(rng, 1105, 1400, len(m))
    # Not yet certified past the grace period: mostly hired in the last two or three years (a
    # plant does not keep someone uncertified for a decade), a few longer for roles that need
    # no credential.
    m = members("IN_PROGRESS", "FL_NONE")
    hire[m] = t - _between(rng, 200, 1100, len(m))
    m = members("NOT_STARTED")
    hire[m] = t - _between(rng, 200, 1100, len(m))
    # inside the 180-day grace period on the last complete week's Sunday, which can be up to
    # a week before the latest extract: stay clear of the boundary
    m = members("NEW_HIRE", "FL_NEW")
    hire[m] = at.latest_extract - _between(rng, 1, 160, len(m))
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
    scenario: np.ndarray, hire: np.ndarray, rng: np.random.Generator, at: _Anchors
) -> np.ndarray:
    """Termination day (-1 when active): 8 % left in the last two years, 3 % long ago."""
    n = len(scenario)
    term = np.full(n, -1, dtype=np.int64)
    settled = ~np.isin(scenario, [_S["NEW_HIRE"], _S["FL_NEW"]])
    draw = rng.random(n)
    recent = np.flatnonzero(settled & (draw < 0.08))
    low = np.maximum(hire[recent] + 60, at.today - 700)
    ok = low <= at.latest_extract - 1
    recent, low = recent[ok], low[ok]
    term[recent] = _between(rng, low, at.latest_extract - 1, len(recent))
    old = np.flatnonzero(settled & (draw >= 0.08) & (draw < 0.11) & (hire + 60 <= at.today - 731))
    term[old] = _between(rng, hire[old] + 60, at.today - 731, len(old))
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
class _People:
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


def _build_people(n: int, rng: np.random.Generator, at: _Anchors) -> _People:
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
    employee_id = _numbered("E", np.arange(1, n + 1), id_width)

    # People the trouble relies on stay active, so their records keep meaning what we counted.
    k = trouble.rows_per_kind(n)
    active_cpt = np.flatnonzero(
        (term < 0) & np.isin(scenario, [_S["CERTIFIED"], _S["RENEWED"], _S["IN_PROGRESS"]])
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
    return _People(
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
    days = _between(rng, low[rows], high[rows], len(rows))
    records.add(persons[rows], modules[rows, cols], days, True)


def _build_assessments(p: _People, rng: np.random.Generator, at: _Anchors) -> pd.DataFrame:
    t = at.today
    records = _Records()
    sc = p.scenario

    def members(*names: str) -> np.ndarray:
        return np.flatnonzero(np.isin(sc, [_S[x] for x in names]))

    cpt = members(
        "CERTIFIED", "EXPIRING_SECURED", "EXPIRING_SHORT", "EXPIRED", "RENEWED", "LAPSED_RECERT"
    )
    _full_set(records, rng, cpt, p.cert[cpt], p.cert[cpt] - 360)

    lapsed = members("LAPSED_RECERT")
    expiry = _add_years(p.cert[lapsed], 5)
    low, high = expiry + 20, np.minimum(expiry + 400, t - 15)
    recert = _between(rng, low, high, len(lapsed))
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
    low = _add_years(p.cert[expired], 5) + 20
    _some_modules(
        records, rng, expired, rng.integers(1, 3, len(expired)), low, np.full(len(expired), t - 10)
    )

    # Forklift licences: one module, 3 years; renewal by re-test in the 90 days before expiry.
    licensed = members("FL_CERTIFIED", "FL_RENEWED", "FL_EXPIRING", "FL_EXPIRED")
    records.add(licensed, FORKLIFT, p.cert[licensed], True)
    renewed = members("FL_RENEWED")
    retest = _add_years(p.cert[renewed], 3) - _between(rng, 5, 85, len(renewed))
    records.add(renewed, FORKLIFT, retest, True)
    fl_new = members("FL_NEW")
    fl_new = fl_new[rng.random(len(fl_new)) < 0.5]
    records.add(fl_new, FORKLIFT, _between(rng, p.hire[fl_new] + 1, t - 1, len(fl_new)), True)

    # Failed attempts before a first pass, then the retake that passed. MAINTENANCE is the hard
    # module: most fail it first, so the report's effectiveness section has a weak spot to show.
    passes = records.frame()
    fail_share = np.where(passes["module"].to_numpy() == MAINTENANCE, HARD_MODULE_FAIL_SHARE, 0.25)
    failed = passes[rng.random(len(passes)) < fail_share]
    records.add(
        failed["person"].to_numpy(),
        failed["module"].to_numpy(),
        failed["day"].to_numpy() - _between(rng, 14, 120, len(failed)),
        False,
    )
    never = members("NOT_STARTED", "FL_NONE")
    never = never[rng.random(len(never)) < 0.3]
    module = np.where(sc[never] == _S["FL_NONE"], FORKLIFT, rng.integers(0, 4, len(never)))
    low = np.maximum(p.hire[never], t - 700)
    records.add(never, module, _between(rng, low, t - 10, len(never)), False)

    # Passing a module again inside the current cycle (25 points) and the optional GREEN module.
    steady = members("CERTIFIED", "RENEWED")
    start = np.where(sc[steady] == _S["RENEWED"], _add_years(p.cert[steady], 5), p.cert[steady])
    again = steady[(rng.random(len(steady)) < 0.10) & (start + 40 < t - 10)]
    start = np.where(sc[again] == _S["RENEWED"], _add_years(p.cert[again], 5), p.cert[again])
    records.add(
        again, rng.integers(0, 4, len(again)), _between(rng, start + 30, t - 10, len(again)), True
    )
    green = steady[rng.random(len(steady)) < 0.35]
    records.add(green, GREEN, p.cert[green] - _between(rng, 0, 400, len(green)), True)

    frame = records.frame()
    term = p.term[frame["person"].to_numpy()]
    day = frame["day"].to_numpy()
    keep = (day >= at.earliest) & (day <= t - 1) & ((term < 0) | (day <= term))
    return frame[keep].reset_index(drop=True)


# --- continuing education ---------------------------------------------------------------------


def _build_activities(p: _People, rng: np.random.Generator, at: _Anchors) -> pd.DataFrame:
    """Activity records: person, day, kind (index into ACTIVITY_KINDS), amount."""
    t, sc = at.today, p.scenario
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(persons, days, kinds, amounts) -> None:
        parts.append(tuple(np.asarray(a, dtype=np.int64) for a in (persons, days, kinds, amounts)))

    designed = [_S[x] for x in ("EXPIRING_SECURED", "EXPIRING_SHORT", "EXPIRED", "LAPSED_RECERT")]
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
        _between(rng, low, high, len(persons)),
        kinds,
        _between(rng, lows, highs, len(persons)),
    )

    def designed_add(persons, low, high, kind, amount_low, amount_high) -> None:
        add(
            persons,
            _between(rng, low, high, len(persons)),
            np.full(len(persons), kind),
            _between(rng, amount_low, amount_high, len(persons)),
        )

    # Secured: 2-4 conferences of 10-20 points inside the cycle, so >= 20 points on top of the
    # 80 points of four completed years of employment.
    secured = np.flatnonzero(sc == _S["EXPIRING_SECURED"])
    persons = np.repeat(secured, rng.integers(2, 5, len(secured)))
    designed_add(persons, p.cert[persons] + 30, t - 10, 2, 10, 20)
    # Short: at most one webinar-sized course of <= 8 hours: 80 + 8 < 100 points.
    short = np.flatnonzero(sc == _S["EXPIRING_SHORT"])
    persons = short[rng.random(len(short)) < 0.6]
    designed_add(persons, p.cert[persons] + 30, t - 10, 0, 2, 8)
    # Lapsing: at most two short courses in the first cycle (<= 32 + 20 employment points).
    lapsing = np.flatnonzero(np.isin(sc, [_S["EXPIRED"], _S["LAPSED_RECERT"]]))
    persons = np.repeat(lapsing, rng.integers(0, 3, len(lapsing)))
    designed_add(persons, p.cert[persons] + 30, _add_years(p.cert[persons], 5) - 10, 0, 2, 16)

    cols = [np.concatenate([part[i] for part in parts]) for i in range(4)]
    frame = pd.DataFrame(dict(zip(("person", "day", "kind", "amount"), cols, strict=True)))
    term = p.term[frame["person"].to_numpy()]
    day = frame["day"].to_numpy()
    keep = (day >= at.earliest) & (day <= t - 1) & ((term < 0) | (day <= term))
    frame = frame[keep].sort_values(["day", "person"], kind="stable").reset_index(drop=True)
    frame["evidence_no"] = np.arange(1, len(frame) + 1)
    return frame


# --- provider records -------------------------------------------------------------------------


def _route_to_providers(
    assessments: pd.DataFrame, p: _People, rng: np.random.Generator
) -> pd.DataFrame:
    """Choose each record's provider; number records per provider in date order."""
    frame = assessments.sort_values(["day", "person", "module"], kind="stable").reset_index(
        drop=True
    )
    n = len(frame)
    apex_share = min(0.25, APEX_MAX_RECORDS / max(n, 1))
    draw = rng.random(n)
    provider = np.where(
        draw < apex_share,
        APEX,
        np.where(draw < apex_share + (1 - apex_share) * 0.7, NORTHFIELD, INHOUSE),
    ).astype(np.int8)
    person = frame["person"].to_numpy()
    module = frame["module"].to_numpy()
    # Apex finds people only by e-mail or name: without an e-mail, only the name-only people.
    name_only = np.zeros(len(p.hire), dtype=bool)
    name_only[p.name_only] = True
    no_apex = (module == FORKLIFT) | (p.email[person] == "")
    provider[no_apex & (provider == APEX)] = NORTHFIELD
    provider[name_only[person] & (module != FORKLIFT)] = APEX
    frame["provider"] = provider
    frame["seq"] = frame.groupby("provider").cumcount().to_numpy() + 1
    passed = frame["passed"].to_numpy()
    frame["score"] = np.where(passed, rng.integers(70, 101, n), rng.integers(35, 70, n))
    # Northfield rows without an employee number, found by e-mail typed in another case.
    frame["email_only"] = (
        (provider == NORTHFIELD) & (p.email[person] != "") & (rng.random(n) < 0.04)
    )
    frame["case_pattern"] = rng.integers(0, 4, n)
    return frame


def _northfield_rows(rec: pd.DataFrame, p: _People) -> pd.DataFrame:
    person = rec["person"].to_numpy()
    module = rec["module"].to_numpy()
    passed = rec["passed"].to_numpy()
    email_only = rec["email_only"].to_numpy()
    email = p.email[person].copy()
    for i in np.flatnonzero(email_only):
        email[i] = _recase(email[i], int(rec["case_pattern"].iat[i]))
    cert_prefix = np.where(module == FORKLIFT, "NFC-FL-", "MSSC-CPT-")
    cert_no = cert_prefix + pd.Series(rec["seq"].to_numpy() + 100000).astype(str).to_numpy()
    return pd.DataFrame(
        {
            "Result ID": _numbered("NF", rec["seq"].to_numpy(), 8),
            "Employee Number": np.where(email_only, "", p.employee_id[person]),
            "Email": email,
            "First Name": p.first[person],
            "Last Name": p.last[person],
            "Module": np.array(NORTHFIELD_MODULE_NAMES, dtype=object)[module],
            "Exam Date": _us(rec["day"].to_numpy()),
            "Score": rec["score"].astype(str).to_numpy(),
            "Result": np.where(passed, "PASS", "FAIL"),
            "Certificate No": np.where(passed, cert_no, ""),
        }
    )


def _apex_rows(rec: pd.DataFrame, p: _People) -> pd.DataFrame:
    person = rec["person"].to_numpy()
    passed = rec["passed"].to_numpy()
    badge = _numbered("APX-BDG-", rec["seq"].to_numpy(), 7)
    return pd.DataFrame(
        {
            "Attempt ID": _numbered("AT-", rec["seq"].to_numpy(), 7),
            "Learner": p.last[person] + ", " + p.first[person],
            "Learner Email": p.email[person],
            "Course Code": np.array(APEX_COURSE_CODES, dtype=object)[rec["module"].to_numpy()],
            "Completed On": (rec["day"].to_numpy() + _EXCEL_EPOCH_OFFSET)
            .astype(float)
            .astype(object),
            "Percentage": rec["score"].to_numpy() / 100.0,
            "Badge": np.where(passed, badge, ""),
        }
    )


def _inhouse_rows(rec: pd.DataFrame, p: _People) -> pd.DataFrame:
    person = rec["person"].to_numpy()
    passed = rec["passed"].to_numpy()
    return pd.DataFrame(
        {
            "provider": "inhouse_academy",
            "record_id": _numbered("IHA-", rec["seq"].to_numpy(), 7),
            "employee_id": p.employee_id[person],
            "email": p.email[person],
            "first_name": p.first[person],
            "last_name": p.last[person],
            "module": np.array(MODULES, dtype=object)[rec["module"].to_numpy()],
            "assessment_date": _iso(rec["day"].to_numpy()).astype(object),
            "score": rec["score"].astype(str).to_numpy(),
            "passed": np.where(passed, "true", "false"),
            "credential_id": np.where(passed, _numbered("IHA-CERT-", rec["seq"].to_numpy(), 7), ""),
        }
    )


def _activity_rows(rec: pd.DataFrame, p: _People) -> pd.DataFrame:
    kinds = rec["kind"].to_numpy()
    unit = np.array([k[2] for k in ACTIVITY_KINDS], dtype=object)[kinds]
    amount = rec["amount"].astype(str).to_numpy()
    descriptions = np.empty(len(rec), dtype=object)
    for code, kind in enumerate(ACTIVITY_KINDS):
        at = np.flatnonzero(kinds == code)
        texts = np.array(kind[5], dtype=object)
        descriptions[at] = texts[rec["evidence_no"].to_numpy()[at] % len(texts)]
    return pd.DataFrame(
        {
            "employee_id": p.employee_id[rec["person"].to_numpy()],
            "activity_date": _iso(rec["day"].to_numpy()).astype(object),
            "activity_type": np.array([k[0] for k in ACTIVITY_KINDS], dtype=object)[kinds],
            "hours": np.where(unit == "hours", amount, ""),
            "points": np.where(unit == "points", amount, ""),
            "description": descriptions,
            "evidence_ref": _numbered("CE-", rec["evidence_no"].to_numpy(), 6),
        }
    )


def _roster_extract(p: _People, on: int) -> pd.DataFrame:
    """The HR snapshot on day ``on``: hired by then; leavers keep their termination date."""
    seen = np.flatnonzero(p.hire <= on)
    term = p.term[seen]
    left = (term >= 0) & (term <= on)
    role_names = np.array([r for r, *_ in ROLE_TABLE], dtype=object)
    departments = np.array([d for _, d, _ in ROLE_TABLE], dtype=object)
    return pd.DataFrame(
        {
            "employee_id": p.employee_id[seen],
            "first_name": p.first[seen],
            "last_name": p.last[seen],
            "email": p.email[seen],
            "site": np.array(p.site_names, dtype=object)[p.site[seen]],
            "department": departments[p.role[seen]],
            "job_role": role_names[p.role[seen]],
            "manager_email": p.manager[seen],
            "hire_date": _iso(p.hire[seen]).astype(object),
            "termination_date": np.where(left, _iso(np.maximum(term, 0)), "").astype(object),
        }
    )


# --- file writers -----------------------------------------------------------------------------


def _write_csv(frame: pd.DataFrame, path: Path, mtime: float) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return len(frame)


def _workbook(path: Path, title: str, created: date) -> xlsxwriter.Workbook:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    # A fixed creation date: xlsxwriter otherwise stamps the current time into docProps.
    book.set_properties(
        {"title": title, "created": datetime(created.year, created.month, created.day)}
    )
    return book


def _write_gradebook(frame: pd.DataFrame, path: Path, generated: date, mtime: float) -> int:
    title = f"Apex Academy - CPT gradebook export generated {generated.isoformat()}"
    book = _workbook(path, title, generated)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    percent = book.add_format({"num_format": "0%"})
    sheet = book.add_worksheet("Gradebook")
    sheet.write_string(0, 0, title)
    sheet.write_row(1, 0, APEX_HEADER)
    columns = [frame[c].tolist() for c in APEX_HEADER]
    for r, (attempt, learner, email, code, when, share, badge) in enumerate(
        zip(*columns, strict=True), start=2
    ):
        sheet.write_string(r, 0, attempt)
        sheet.write_string(r, 1, learner)
        if email:
            sheet.write_string(r, 2, email)
        sheet.write_string(r, 3, code)
        if isinstance(when, str):  # a date typed as text (trouble)
            sheet.write_string(r, 4, when)
        else:
            sheet.write_number(r, 4, when, date_format)
        sheet.write_number(r, 5, share, percent)
        if badge:
            sheet.write_string(r, 6, badge)
    book.close()
    os.utime(path, (mtime, mtime))
    return len(frame)


def _write_roster_xlsx(frame: pd.DataFrame, path: Path, extract: date, mtime: float) -> int:
    book = _workbook(path, f"HR roster extract {extract.isoformat()}", extract)
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet("Roster")
    sheet.write_row(0, 0, ROSTER_HEADER)
    date_columns = {ROSTER_HEADER.index("hire_date"), ROSTER_HEADER.index("termination_date")}
    columns = [frame[c].tolist() for c in ROSTER_HEADER]
    for r, values in enumerate(zip(*columns, strict=True), start=1):
        for c, value in enumerate(values):
            if not value:
                continue
            if c in date_columns:
                sheet.write_number(
                    r, c, _day(date.fromisoformat(value)) + _EXCEL_EPOCH_OFFSET, date_format
                )
            else:
                sheet.write_string(r, c, value)
    book.close()
    os.utime(path, (mtime, mtime))
    return len(frame)


# --- putting it together ----------------------------------------------------------------------


@dataclass
class _OutputFile:
    """One file to write: where, which records, which extra (trouble) rows, and when it landed."""

    kind: str
    relative: str
    records: np.ndarray  # row positions in the source frame
    landed: date
    extras: list[pd.DataFrame] = field(default_factory=list)


def _quarter_end(year: int, quarter: int) -> date:
    return date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - timedelta(1)


def _landed(period_end: date, today: date) -> date:
    return min(period_end + timedelta(days=3), today - timedelta(days=1))


def _files_by_period(
    kind: str,
    days: np.ndarray,
    folder: str,
    name,
    today: date,
    by_quarter: bool,
    max_rows: int | None = None,
) -> list[_OutputFile]:
    """Split records into one file per quarter (or year), in date order."""
    dt = days.astype("datetime64[D]")
    year = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    quarter = (dt.astype("datetime64[M]").astype(np.int64) % 12) // 3 + 1 if by_quarter else 0
    key = year * 10 + quarter
    files = []
    for value in np.unique(key):
        rows = np.flatnonzero(key == value)
        y, q = int(value // 10), int(value % 10)
        end = _quarter_end(y, q) if by_quarter else date(y, 12, 31)
        chunks = [rows] if not max_rows else np.array_split(rows, -(-len(rows) // max_rows))
        for part, chunk in enumerate(chunks, start=1):
            suffix = f"_part{part}" if len(chunks) > 1 else ""
            files.append(
                _OutputFile(kind, f"{folder}/{name(y, q)}{suffix}", chunk, _landed(end, today))
            )
    return files


def _file_of(files: list[_OutputFile], size: int) -> np.ndarray:
    owner = np.zeros(size, dtype=np.int64)
    for i, f in enumerate(files):
        owner[f.records] = i
    return owner


def _sample(rng: np.random.Generator, pool: np.ndarray, count: int) -> np.ndarray:
    return np.sort(rng.choice(pool, min(count, len(pool)), replace=False))


def _plan_northfield(
    rec: pd.DataFrame, p: _People, rng: np.random.Generator, today: date, summary: SampleSummary
) -> list[_OutputFile]:
    files = _files_by_period(
        "northfield_college",
        rec["day"].to_numpy(),
        "providers/northfield_college",
        lambda y, q: f"results_{y}Q{q}.csv",
        today,
        by_quarter=True,
    )
    owner = _file_of(files, len(rec))
    last = len(files) - 1
    k = trouble.rows_per_kind(len(p.hire))
    next_seq = int(rec["seq"].max()) + 1 if len(rec) else 1
    # Corrupted copies of ordinary rows (not of the e-mail-only ones, which are counted apart).
    ordinary = np.flatnonzero(~rec["email_only"].to_numpy())

    def fresh(kind_rows: np.ndarray) -> pd.DataFrame:
        nonlocal next_seq
        frame = _northfield_rows(rec.iloc[kind_rows], p)
        frame["Result ID"] = _numbered("NF", np.arange(next_seq, next_seq + len(frame)), 8)
        next_seq += len(frame)
        return frame

    def place(frame: pd.DataFrame, kind_rows: np.ndarray | None) -> None:
        targets = owner[kind_rows] if kind_rows is not None else np.full(len(frame), last)
        for target in np.unique(targets):
            files[target].extras.append(frame[targets == target])

    corruptions = {
        "impossible_date": (lambda f: trouble.northfield_impossible_dates(f), True),
        "future_date": (lambda f: trouble.northfield_future_dates(f, today, rng), False),
        "unknown_module": (lambda f: trouble.northfield_unknown_modules(f, rng), True),
        "score_out_of_range": (lambda f: trouble.northfield_scores_out_of_range(f), True),
        "bad_result_word": (lambda f: trouble.northfield_bad_result_words(f, rng), True),
        "unmatched": (lambda f: trouble.northfield_strangers(f, p.id_width, rng), True),
    }
    rejects = 0
    for kind, (corrupt, in_own_file) in corruptions.items():
        chosen = _sample(rng, ordinary, k)
        place(corrupt(fresh(chosen)), chosen if in_own_file else None)
        summary.trouble[kind] = summary.trouble.get(kind, 0) + len(chosen)
        rejects += len(chosen) if kind != "unmatched" else 0
    # A later file re-sends rows of the previous quarter byte for byte, and corrects a few others.
    earlier = np.flatnonzero(owner < last)
    previous = np.flatnonzero(owner == last - 1)
    resent = _sample(rng, np.intersect1d(previous, ordinary), max(3, len(p.hire) // 200))
    place(_northfield_rows(rec.iloc[resent], p), None)
    # Conflicts change what a record says, so they spare the people shown as scenario examples.
    examples = [int(e[1:]) - 1 for ids in summary.scenario_examples.values() for e in ids]
    spared = np.flatnonzero(~np.isin(rec["person"].to_numpy(), examples))
    candidates = np.setdiff1d(np.intersect1d(np.intersect1d(earlier, ordinary), spared), resent)
    conflicted = _sample(rng, candidates, k)
    place(trouble.northfield_conflicts(_northfield_rows(rec.iloc[conflicted], p)), None)
    summary.trouble["exact_resend"] = len(resent)
    summary.trouble["conflicting_duplicate"] = len(conflicted)
    summary.trouble["email_only"] = int(rec["email_only"].sum())
    summary.expected_rejects["northfield_college"] = rejects + len(conflicted)
    return files


def _plan_apex(
    rec: pd.DataFrame, p: _People, rng: np.random.Generator, today: date, summary: SampleSummary
) -> list[_OutputFile]:
    # Room under the row cap for the trouble rows added later.
    files = _files_by_period(
        "apex_academy",
        rec["day"].to_numpy(),
        "providers/apex_academy",
        lambda y, q: f"gradebook_{y}",
        today,
        by_quarter=False,
        max_rows=XLSX_MAX_ROWS - 5_000,
    )
    for f in files:
        f.relative += ".xlsx"
    owner = _file_of(files, len(rec))
    k = trouble.rows_per_kind(len(p.hire))
    name_only = np.isin(rec["person"].to_numpy(), p.name_only)
    ordinary = np.flatnonzero(~name_only)
    next_seq = int(rec["seq"].max()) + 1 if len(rec) else 1
    shared_names = [
        (str(p.first[i]), str(p.last[i])) for i in p.shared[::2]
    ]  # one record per shared-name pair

    def fresh(chosen: np.ndarray) -> pd.DataFrame:
        nonlocal next_seq
        frame = _apex_rows(rec.iloc[chosen], p)
        frame["Attempt ID"] = _numbered("AT-", np.arange(next_seq, next_seq + len(frame)), 7)
        next_seq += len(frame)
        return frame

    corruptions = {
        "impossible_date": (trouble.apex_impossible_dates, k, True),
        "future_date": (lambda f: trouble.apex_future_dates(f, today, rng), k, False),
        "unknown_module": (lambda f: trouble.apex_unknown_modules(f, rng), k, True),
        "score_out_of_range": (trouble.apex_scores_out_of_range, k, True),
        "unmatched": (lambda f: trouble.apex_strangers(f, rng), k, True),
        "ambiguous_name": (
            lambda f: trouble.apex_ambiguous(f, shared_names),
            len(shared_names),
            True,
        ),
    }
    rejects = 0
    for kind, (corrupt, count, in_own_file) in corruptions.items():
        chosen = _sample(rng, ordinary, count)
        frame = corrupt(fresh(chosen))
        targets = owner[chosen] if in_own_file else np.full(len(chosen), len(files) - 1)
        for target in np.unique(targets):
            files[target].extras.append(frame[targets == target])
        summary.trouble[kind] = summary.trouble.get(kind, 0) + len(chosen)
        rejects += len(chosen) if kind not in ("unmatched", "ambiguous_name") else 0
    summary.trouble["name_only"] = int(name_only.sum())
    summary.expected_rejects["apex_academy"] = rejects
    return files


def _plan_inhouse(
    rec: pd.DataFrame, p: _People, rng: np.random.Generator, today: date, summary: SampleSummary
) -> list[_OutputFile]:
    files = _files_by_period(
        "inhouse_academy",
        rec["day"].to_numpy(),
        "providers/inhouse_academy",
        lambda y, q: f"inhouse_results_{y}.csv",
        today,
        by_quarter=False,
    )
    owner = _file_of(files, len(rec))
    chosen = _sample(rng, np.arange(len(rec)), trouble.rows_per_kind(len(p.hire)))
    frame = trouble.inhouse_strangers(_inhouse_rows(rec.iloc[chosen], p), p.id_width, rng)
    frame["record_id"] = _numbered("IHA-", np.arange(len(rec) + 1, len(rec) + 1 + len(frame)), 7)
    for target in np.unique(owner[chosen]):
        files[target].extras.append(frame[owner[chosen] == target])
    summary.trouble["unmatched"] = summary.trouble.get("unmatched", 0) + len(chosen)
    summary.expected_rejects["inhouse_academy"] = 0
    return files


def _plan_activities(
    act: pd.DataFrame, p: _People, rng: np.random.Generator, today: date, summary: SampleSummary
) -> list[_OutputFile]:
    files = _files_by_period(
        "activities",
        act["day"].to_numpy(),
        "activities",
        lambda y, q: f"ce_activities_{y}.csv",
        today,
        by_quarter=False,
    )
    owner = _file_of(files, len(act))
    chosen = _sample(rng, np.arange(len(act)), trouble.rows_per_kind(len(p.hire)))
    frame = trouble.activities_negative_hours(_activity_rows(act.iloc[chosen], p))
    frame["evidence_ref"] = _numbered("CE-", np.arange(len(act) + 1, len(act) + 1 + len(frame)), 6)
    for target in np.unique(owner[chosen]):
        files[target].extras.append(frame[owner[chosen] == target])
    summary.trouble["activity_negative_hours"] = len(chosen)
    summary.expected_rejects["activities"] = len(chosen)
    return files


def _write_rosters(
    p: _People,
    at: _Anchors,
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
        extract = _roster_extract(p, on)
        day = _date(on)
        mtime = _timestamp(day, 18 * 3600)
        if i == len(EXTRACT_OFFSETS) - 1:
            if swapped is not None:
                extract = trouble.roster_hire_after_termination(extract, swapped)
            extract = trouble.roster_duplicate_id(extract, doubled)
        as_xlsx = i == XLSX_EXTRACT_INDEX and len(extract) <= ROSTER_XLSX_MAX_ROWS
        relative = f"roster/roster_{day.isoformat()}.{'xlsx' if as_xlsx else 'csv'}"
        if as_xlsx:
            rows = _write_roster_xlsx(extract, landing / relative, day, mtime)
        else:
            rows = _write_csv(extract, landing / relative, mtime)
        summary.rows[relative] = rows
        summary.roster_extracts.append(day)
        bar.update(1)
    summary.files["roster"] = len(EXTRACT_OFFSETS)
    summary.trouble["roster_hire_after_termination"] = int(swapped is not None)
    summary.trouble["roster_duplicate_id"] = 1


def _write_planned(
    files: list[_OutputFile],
    source: pd.DataFrame,
    to_rows,
    people: _People,
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
        mtime = _timestamp(planned.landed, 6 * 3600 + first_second + i)
        path = landing / planned.relative
        if planned.relative.endswith(".xlsx"):
            rows = _write_gradebook(frame, path, planned.landed, mtime)
        else:
            rows = _write_csv(frame, path, mtime)
        summary.rows[planned.relative] = rows
        summary.files[planned.kind] = summary.files.get(planned.kind, 0) + 1
        bar.update(1)


def _scenario_examples(p: _People) -> dict[str, list[str]]:
    untouched = np.ones(len(p.hire), dtype=bool)
    untouched[np.concatenate([p.shared, p.name_only]).astype(np.int64)] = False
    examples = {}
    for name, code in _S.items():
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
    latest = _day(today) - LATEST_EXTRACT_LAG_DAYS
    at = _Anchors(
        today=_day(today),
        latest_extract=latest,
        five_years_ago=_day(_years_before(today, 5)),
        three_years_ago=_day(_years_before(today, 3)),
        earliest=_day(EARLIEST_RECORD),
    )
    # Generation takes about half the time at a million people: it counts as four steps.
    bar = tqdm(total=4, desc="sample data", unit="step", disable=not progress)
    people = _build_people(employees, rng, at)
    bar.update(1)
    assessments = _route_to_providers(_build_assessments(people, rng, at), people, rng)
    bar.update(1)
    activities = _build_activities(people, rng, at)
    bar.update(1)

    summary = SampleSummary(landing, employees, seed, today, list(people.site_names), [])
    summary.scenarios = {name: int((people.scenario == code).sum()) for name, code in _S.items()}
    summary.scenario_examples = _scenario_examples(people)
    by_provider = {
        code: assessments[assessments["provider"].to_numpy() == code].reset_index(drop=True)
        for code in (NORTHFIELD, APEX, INHOUSE)
    }
    plans = [
        (
            _plan_northfield(by_provider[NORTHFIELD], people, rng, today, summary),
            by_provider[NORTHFIELD],
            _northfield_rows,
        ),
        (_plan_apex(by_provider[APEX], people, rng, today, summary), by_provider[APEX], _apex_rows),
        (
            _plan_inhouse(by_provider[INHOUSE], people, rng, today, summary),
            by_provider[INHOUSE],
            _inhouse_rows,
        ),
        (_plan_activities(activities, people, rng, today, summary), activities, _activity_rows),
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
        decisions = write_decisions(landing, people, _S, today, _write_csv)
        for relative, rows in decisions.items():
            summary.rows[relative] = rows
            kind = relative.split("/")[0]
            summary.files[kind] = summary.files.get(kind, 0) + 1
        stray = trouble.write_stray_files(landing, _timestamp(today - timedelta(days=2)))
        for kind, path in stray.items():
            summary.trouble[kind] = 1
            summary.files[kind] = 1
            summary.rows[path.relative_to(landing).as_posix()] = 0
        bar.update(2)
    return summary
