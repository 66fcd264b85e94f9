"""The counted sprinkle of trouble in the sample landing folder.

Real exports are never clean, and a newcomer should see the quarantine at work in the demo. Each
function here takes well-formed rows, already formatted the way the source writes them, and returns
copies carrying exactly one kind of defect, so the generator (``pipelines.sample_data``) can count
what it injected and the tests can find every injected row again. Nothing here imports Dagster.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

# What each kind is and what the pipeline is expected to do with it (docs/data-contract.md).
TROUBLE_KINDS: dict[str, str] = {
    "impossible_date": "a date that does not exist (02/30) -> rejected",
    "future_date": "an assessment dated after the day the data was generated -> rejected",
    "unknown_module": "a module value with no entry in providers.yaml -> rejected",
    "score_out_of_range": "a score outside 0-100 (130, -5; 1.3 as a fraction) -> rejected",
    "bad_result_word": "a Result that is neither PASS nor FAIL -> rejected",
    "exact_resend": "a later file repeats earlier rows byte for byte -> de-duplicated",
    "conflicting_duplicate": "the same Result ID again with another score/result -> rejected",
    "email_only": "no employee number; findable by e-mail in another letter case -> matched",
    "name_only": "no id and no e-mail; a unique normalized name -> matched by name",
    "ambiguous_name": "no id, no e-mail, a name two employees share -> exception",
    "unmatched": "unknown employee number / e-mail / name -> exception",
    "accented_name": "people whose names carry accents (counted, not a defect)",
    "roster_hire_after_termination": "a roster row hired after its termination -> rejected",
    "roster_duplicate_id": "an employee_id twice in one roster extract -> rejected",
    "activity_negative_hours": "a continuing-education record with negative hours -> rejected",
    "stray_file": "a non-data file in a provider folder -> file rejected",
    "unknown_provider": "a provider folder with no config entry and foreign columns -> rejected",
}

# Names that appear in no name pool of the generator, so a record carrying them matches nobody.
STRANGER_FIRST_NAMES = ("Quillon", "Ysolde", "Tobiah", "Marisol", "Evander", "Philippa")
STRANGER_LAST_NAMES = ("Farthingale", "Varnavides", "Kettleborough", "Quaresma", "Throckmorton")

NORTHFIELD_UNKNOWN_MODULES = ("Welding Fundamentals", "CNC Programming", "Safety Awareness 101")
NORTHFIELD_BAD_RESULTS = ("ABSENT", "INCOMPLETE", "P")
APEX_UNKNOWN_CODES = ("CPT-WLD", "CPT-XYZ")


def rows_per_kind(employees: int) -> int:
    """How many rows of each defect to inject: a small share that grows with the workforce.

    At the default 600 employees this is 2 per kind and per source, which keeps every configured
    provider's reject share near 1 %, well under the 5 % policy threshold that holds the mail.
    """
    return max(2, employees // 400)


def _strangers(count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    first = np.array(STRANGER_FIRST_NAMES, dtype=object)[
        rng.integers(0, len(STRANGER_FIRST_NAMES), count)
    ]
    last = np.array(STRANGER_LAST_NAMES, dtype=object)[
        rng.integers(0, len(STRANGER_LAST_NAMES), count)
    ]
    return first, last


def unknown_employee_ids(count: int, id_width: int) -> list[str]:
    """Employee numbers one digit longer than the roster's, so they can never exist there."""
    return [f"E{10**id_width + i}" for i in range(count)]


def _us(day: date) -> str:
    return day.strftime("%m/%d/%Y")


# --- northfield_college (CSV, US dates, PASS/FAIL) --------------------------------------------


def northfield_impossible_dates(rows: pd.DataFrame) -> pd.DataFrame:
    """February 30th of the row's own year: parses as nothing."""
    out = rows.copy()
    out["Exam Date"] = "02/30/" + out["Exam Date"].str[-4:]
    return out


def northfield_future_dates(
    rows: pd.DataFrame, today: date, rng: np.random.Generator
) -> pd.DataFrame:
    """Dated 3-60 days after ``today``: an exam that cannot have happened yet."""
    out = rows.copy()
    out["Exam Date"] = [_us(today + timedelta(days=int(d))) for d in rng.integers(3, 61, len(out))]
    return out


def northfield_unknown_modules(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    out = rows.copy()
    picks = rng.integers(0, len(NORTHFIELD_UNKNOWN_MODULES), len(out))
    out["Module"] = [NORTHFIELD_UNKNOWN_MODULES[i] for i in picks]
    return out


def northfield_scores_out_of_range(rows: pd.DataFrame) -> pd.DataFrame:
    """Alternately 130 (claimed a pass) and -5 (claimed a fail): a typo or a broken export."""
    out = rows.copy()
    high = np.arange(len(out)) % 2 == 0
    out["Score"] = np.where(high, "130", "-5")
    out["Result"] = np.where(high, "PASS", "FAIL")
    return out


def northfield_bad_result_words(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    out = rows.copy()
    picks = rng.integers(0, len(NORTHFIELD_BAD_RESULTS), len(out))
    out["Result"] = [NORTHFIELD_BAD_RESULTS[i] for i in picks]
    return out


def northfield_conflicts(rows: pd.DataFrame) -> pd.DataFrame:
    """The same Result ID re-sent with another score: odd rows also flip PASS/FAIL."""
    out = rows.copy()
    score = out["Score"].astype(int).to_numpy()
    was_passed = score >= 70
    flip = np.arange(len(out)) % 2 == 1
    # Staying in the same band (pass 70-100, fail 35-69) but never the same number.
    same_band = np.where(was_passed, 70 + (score - 70 + 5) % 31, 35 + (score - 35 + 5) % 35)
    new_score = np.where(flip, np.where(was_passed, 55, 75), same_band)
    passed = new_score >= 70
    out["Score"] = new_score.astype(str)
    out["Result"] = np.where(passed, "PASS", "FAIL")
    fresh = [f"MSSC-CPT-{900000 + i}" for i in range(len(out))]
    out["Certificate No"] = np.where(passed, np.where(was_passed, out["Certificate No"], fresh), "")
    return out


def northfield_strangers(
    rows: pd.DataFrame, id_width: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Records of people the roster does not know: unknown number, foreign e-mail, odd name."""
    out = rows.copy()
    first, last = _strangers(len(out), rng)
    out["Employee Number"] = unknown_employee_ids(len(out), id_width)
    out["First Name"] = first
    out["Last Name"] = last
    out["Email"] = [
        f"{f.lower()}.{s.lower()}{i}@learners.example" if i % 2 == 0 else ""
        for i, (f, s) in enumerate(zip(first, last, strict=True))
    ]
    return out


# --- apex_academy (XLSX gradebook, "Last, First", course codes, fractions) --------------------


def apex_impossible_dates(rows: pd.DataFrame) -> pd.DataFrame:
    """A text cell instead of an Excel date, and not a real day either."""
    out = rows.copy()
    years = (
        pd.to_datetime(out["Completed On"].astype(float), unit="D", origin="1899-12-30")
    ).dt.year
    out["Completed On"] = [f"{y}-02-30" for y in years]
    return out


def apex_future_dates(rows: pd.DataFrame, today: date, rng: np.random.Generator) -> pd.DataFrame:
    out = rows.copy()
    excel_today = (today - date(1899, 12, 30)).days
    out["Completed On"] = (excel_today + rng.integers(3, 61, len(out))).astype(float)
    return out


def apex_unknown_modules(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    out = rows.copy()
    picks = rng.integers(0, len(APEX_UNKNOWN_CODES), len(out))
    out["Course Code"] = [APEX_UNKNOWN_CODES[i] for i in picks]
    return out


def apex_scores_out_of_range(rows: pd.DataFrame) -> pd.DataFrame:
    """130 % and -5 %: a gradebook formula gone wrong."""
    out = rows.copy()
    out["Percentage"] = np.where(np.arange(len(out)) % 2 == 0, 1.3, -0.05)
    return out


def apex_strangers(rows: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    out = rows.copy()
    first, last = _strangers(len(out), rng)
    out["Learner"] = [f"{s}, {f}" for f, s in zip(first, last, strict=True)]
    out["Learner Email"] = [
        f"{f.lower()}.{s.lower()}{i}@learners.example"
        for i, (f, s) in enumerate(zip(first, last, strict=True))
    ]
    return out


def apex_ambiguous(rows: pd.DataFrame, shared_names: list[tuple[str, str]]) -> pd.DataFrame:
    """No e-mail and a name that two employees share once accents and case are folded."""
    out = rows.copy()
    out["Learner"] = [f"{last}, {first}" for first, last in shared_names[: len(out)]]
    out["Learner Email"] = ""
    return out


# --- inhouse_academy (canonical CSV) ----------------------------------------------------------


def inhouse_strangers(rows: pd.DataFrame, id_width: int, rng: np.random.Generator) -> pd.DataFrame:
    out = rows.copy()
    first, last = _strangers(len(out), rng)
    out["employee_id"] = unknown_employee_ids(len(out), id_width)
    out["first_name"] = first
    out["last_name"] = last
    out["email"] = ""
    return out


# --- activities and roster --------------------------------------------------------------------


def activities_negative_hours(rows: pd.DataFrame) -> pd.DataFrame:
    """Hours entered with a minus sign (a credit note typed into the wrong field)."""
    out = rows.copy()
    out["hours"] = "-" + out["hours"].where(out["hours"] != "", "4")
    out["points"] = ""
    return out


def roster_hire_after_termination(extract: pd.DataFrame, employee_id: str) -> pd.DataFrame:
    """Move one leaver's hire date to a month after their termination date."""
    out = extract.copy()
    at = out.index[out["employee_id"] == employee_id][0]
    termination = date.fromisoformat(out.at[at, "termination_date"])
    out.at[at, "hire_date"] = (termination + timedelta(days=30)).isoformat()
    return out


def roster_duplicate_id(extract: pd.DataFrame, employee_id: str) -> pd.DataFrame:
    """The same employee twice in one extract, the copy in another department (a botched move)."""
    at = int(np.flatnonzero(extract["employee_id"].to_numpy() == employee_id)[0])
    copy = extract.iloc[[at]].copy()
    copy["department"] = np.where(copy["department"] == "Quality", "Production", "Quality")
    return pd.concat([extract.iloc[: at + 1], copy, extract.iloc[at + 1 :]], ignore_index=True)


# --- whole files ------------------------------------------------------------------------------

STRAY_README = """Apex Academy gradebook exports
==============================

Files in this folder are dropped here by the Apex Academy LMS every quarter.
Contact: lms-support@apex-academy.example
"""

UNKNOWN_PROVIDER_CSV = (
    "Student,Course,Date Taken,Grade\n"
    "Maria Garcia,Welding I,2025-03-14,B+\n"
    "Tom Baker,Blueprint Reading,2025-04-02,A\n"
    "Sam Lee,Welding I,2025-04-02,C\n"
)


def write_stray_files(landing_dir: Path, mtime: float) -> dict[str, Path]:
    """A README among Apex's gradebooks and a provider folder nobody configured."""
    readme = landing_dir / "providers" / "apex_academy" / "README.txt"
    readme.parent.mkdir(parents=True, exist_ok=True)
    readme.write_text(STRAY_README, encoding="utf-8", newline="\n")
    westlake = landing_dir / "providers" / "westlake_tech" / "results.csv"
    westlake.parent.mkdir(parents=True, exist_ok=True)
    westlake.write_text(UNKNOWN_PROVIDER_CSV, encoding="utf-8", newline="\n")
    for path in (readme, westlake):
        os.utime(path, (mtime, mtime))
    return {"stray_file": readme, "unknown_provider": westlake}
