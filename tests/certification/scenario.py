"""A hand-computed company of 17 people as of Sunday 2026-11-22, with the shipped config.

Every expected value below was worked out from docs/rules.md by hand (the reasoning is in the
comments), not copied from the engine's output. CPT: SAFETY, QUALITY, PROCESSES, MAINTENANCE
required, GREEN optional, 5 years, renewal by 100 points (1/h of CE, 20 per employment
anniversary, 25 per retake). FORKLIFT: 3 years, retest in the 90 days before expiry.
Warning window 90 days (D + 90 = 2027-02-20), grace 180 days.
"""

from __future__ import annotations

import datetime as dt

from tests.certification.builders import activities_frame, results_frame, roster_frame

AS_OF = dt.date(2026, 11, 22)
PT, QI, MT, FO = (
    "Production Technician",
    "Quality Inspector",
    "Maintenance Technician",
    "Forklift Operator",
)

PEOPLE = [
    ("P01", "DAYTON", PT, "2020-01-06", None),
    ("P02", "DAYTON", PT, "2026-09-01", None),
    ("P03", "DAYTON", QI, "2019-06-01", None),
    ("P04", "DAYTON", PT, "2024-06-01", None),
    ("P05", "GREENVILLE", MT, "2025-12-01", None),
    ("P06", "GREENVILLE", PT, "2021-01-01", None),
    ("P07", "GREENVILLE", PT, "2025-01-01", None),
    ("P08", "DAYTON", QI, "2010-01-01", None),
    ("P09", "DAYTON", "Engineer", "2009-01-01", None),
    ("P10", "GREENVILLE", FO, "2018-01-01", None),
    ("P11", "GREENVILLE", FO, "2023-01-01", None),
    ("P12", "DAYTON", PT, "2015-01-01", "2026-06-30"),  # left before D: excluded
    ("P13", "DAYTON", PT, "2015-01-01", "2026-11-22"),  # left on D: excluded
    ("P14", "DAYTON", PT, "2026-12-01", None),  # starts after D: excluded
    ("P15", "TOLEDO", PT, "2010-01-01", "2026-12-31"),  # leaves after D: included
    ("P16", "DAYTON", "HR Generalist", "2018-01-01", None),
    ("P17", "DAYTON", PT, "2024-01-01", None),
]


def _cpt(emp: str, dates: list[str], method: str = "employee_id", cred=None, prov="nf") -> list:
    modules = ["SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE"]
    return [
        (emp, prov, f"{emp}-{m[:2]}-{d}", m, d, True, cred, method)
        for m, d in zip(modules, dates, strict=True)
    ]


RESULTS = [
    # P01: one failure, and a pass dated after D (ignored)
    ("P01", "nf", "P01-f", "SAFETY", "2026-10-01", False, None, "employee_id"),
    ("P01", "nf", "P01-late", "SAFETY", "2026-11-23", True, None, "employee_id"),
    # P02: two passes, one failure
    ("P02", "nf", "P02-s", "SAFETY", "2026-10-01", True, None, "employee_id"),
    ("P02", "nf", "P02-q", "QUALITY", "2026-10-15", True, None, "employee_id"),
    ("P02", "nf", "P02-p", "PROCESSES", "2026-11-01", False, None, "employee_id"),
    # P03: certified on the leap day (QUALITY is the last first pass)
    *_cpt("P03", ["2019-09-10", "2020-02-29", "2019-12-01", "2020-01-15"], cred="CPT-3"),
    # P04: matched by e-mail; SAFETY retaken on 2025-03-03, reported by two providers
    *_cpt("P04", ["2021-11-01", "2021-12-01", "2021-12-15", "2022-01-10"], method="email"),
    ("P04", "nf", "N-4r", "SAFETY", "2025-03-03", True, None, "employee_id"),
    ("P04", "apex", "A-4r", "SAFETY", "2025-03-03", True, "CPT-4", "employee_id"),
    # P05: also passed the optional GREEN (a first pass, not a retake)
    *_cpt("P05", ["2021-10-01", "2021-11-01", "2021-12-01", "2021-12-20"]),
    ("P05", "nf", "P05-g", "GREEN", "2022-02-02", True, None, "employee_id"),
    # P06: lapsed in 2023, only SAFETY passed again since
    *_cpt("P06", ["2018-01-01", "2018-02-01", "2018-02-15", "2018-03-01"]),
    ("P06", "nf", "P06-s2", "SAFETY", "2024-05-05", True, None, "employee_id"),
    # P07: lapsed twice, re-certified twice
    *_cpt("P07", ["2015-01-01", "2015-02-01", "2015-03-01", "2015-06-01"]),
    *_cpt("P07", ["2021-01-10", "2021-02-10", "2021-03-10", "2021-04-10"]),
    *_cpt("P07", ["2026-06-01", "2026-06-02", "2026-06-03", "2026-07-04"], cred="CPT-7"),
    # P08: renewed twice by employment; QUALITY retaken in the current cycle
    *_cpt("P08", ["2012-01-01", "2012-02-02", "2012-03-03", "2012-05-05"]),
    ("P08", "nf", "P08-q2", "QUALITY", "2024-08-08", True, None, "employee_id"),
    # P09: renewed twice by CE, lapsed on 2026-03-03 (a retake on the expiry day itself)
    *_cpt("P09", ["2011-01-01", "2011-02-01", "2011-03-01", "2011-03-03"]),
    ("P09", "nf", "P09-q2", "QUALITY", "2026-03-03", True, None, "employee_id"),
    # P10: forklift renewed by retest in 2022, missed the 2025 window, re-certified 2026
    ("P10", "nf", "P10-1", "FORKLIFT", "2020-01-15", True, None, "employee_id"),
    ("P10", "nf", "P10-2", "FORKLIFT", "2022-12-01", True, None, "employee_id"),
    ("P10", "nf", "P10-3", "FORKLIFT", "2025-09-01", True, None, "employee_id"),
    ("P10", "nf", "P10-4", "FORKLIFT", "2026-03-10", True, "FL-10", "employee_id"),
    # P11: forklift expiring, retest already passed in the window; one CPT module too
    ("P11", "nf", "P11-1", "FORKLIFT", "2023-12-20", True, "FL-11", "email"),
    ("P11", "nf", "P11-2", "FORKLIFT", "2026-10-05", True, None, "email"),
    ("P11", "nf", "P11-s", "SAFETY", "2025-05-05", True, None, "email"),
    # P12: left before D (would be certified)
    *_cpt("P12", ["2016-01-01", "2016-01-02", "2016-01-03", "2016-01-04"]),
    # P17: the certifying MAINTENANCE pass was linked by name; GREEN after D is ignored
    ("P17", "nf", "P17-s", "SAFETY", "2024-01-10", True, None, "employee_id"),
    ("P17", "nf", "P17-q", "QUALITY", "2024-01-20", True, None, "employee_id"),
    ("P17", "nf", "P17-p", "PROCESSES", "2024-02-01", True, None, "employee_id"),
    ("P17", "apex", "P17-m", "MAINTENANCE", "2024-03-01", True, "CPT-17", "name"),
    ("P17", "nf", "P17-g", "GREEN", "2026-12-05", True, None, "employee_id"),
]

ACTIVITIES = [
    ("P04", "A04-1", "2023-05-05", 40.0, None),  # 40 h -> 40 points
    ("P04", "A04-2", "2026-12-01", None, 50.0),  # after D: ignored
    ("P05", "A05-1", "2024-01-01", 12.0, 30.0),  # explicit points win over hours
    ("P05", "A05-2", "2026-11-22", 5.0, None),  # on D: counts
    ("P05", "A05-3", "2026-11-23", None, 50.0),  # after D: ignored
    ("P06", "A06-1", "2020-06-06", 10.0, None),
    ("P09", "A09-1", "2016-03-03", None, 100.0),  # on cycle 1's expiry: counts for cycle 1
    ("P09", "A09-2", "2018-01-01", 60.0, None),
    ("P09", "A09-3", "2020-12-12", None, 50.0),
    ("P09", "A09-4", "2023-03-03", None, 30.0),
]


def frames():
    return roster_frame(PEOPLE), results_frame(RESULTS), activities_frame(ACTIVITIES)


def days(a: str, b: str) -> int:
    """Days from date a to date b (b - a)."""
    return (dt.date.fromisoformat(b) - dt.date.fromisoformat(a)).days


D = AS_OF.isoformat()
NA = None
# (employee, credential) -> expected values. Reasoning per person:
EXPECTED = {
    # no pass on or before D; grace ended 2020-01-06 + 180 = 2020-07-04
    ("P01", "CPT"): dict(
        status="NOT_STARTED",
        modules_passed="",
        certified_on=NA,
        cycle_start=NA,
        expires_on=NA,
        cycle_points=NA,
        points_needed=NA,
        renewal_secured=NA,
        compliance="NON_COMPLIANT",
        due_date="2020-07-04",
        overdue_days=days("2020-07-04", D),
        last_attempt_date="2026-10-01",
        days_to_expiry=NA,
        evidence_record_ids="",
    ),
    # hired 82 days before D: grace until 2026-09-01 + 180 = 2027-02-28
    ("P02", "CPT"): dict(
        status="IN_PROGRESS",
        modules_passed="QUALITY;SAFETY",
        certified_on=NA,
        compliance="GRACE",
        due_date="2027-02-28",
        overdue_days=NA,
        last_attempt_date="2026-11-01",
        evidence_record_ids="nf:P02-s;nf:P02-q",
    ),
    # certified 2020-02-29 -> expires 2025-02-28; 5 anniversaries of 2020-02-29 by then
    # (2021..2023-02-28, 2024-02-29, 2025-02-28) = 100 points -> renewed to 2030-02-28;
    # current cycle: anniversary 2026-02-28 = 20 points
    ("P03", "CPT"): dict(
        status="CERTIFIED",
        certified_on="2020-02-29",
        cycle_start="2025-02-28",
        expires_on="2030-02-28",
        cycle_points=20.0,
        points_needed=80.0,
        renewal_secured=NA,
        compliance="COMPLIANT",
        due_date="2030-02-28",
        days_to_expiry=days(D, "2030-02-28"),
        evidence_credential_ids="CPT-3",
    ),
    # certified 2022-01-10 -> 2027-01-10 (49 days: EXPIRING). Points in the cycle: CE 40,
    # one retake (two same-day records) 25, anniversaries of hire 2025/2026-06-01 40 = 105
    ("P04", "CPT"): dict(
        status="EXPIRING",
        certified_on="2022-01-10",
        cycle_start="2022-01-10",
        expires_on="2027-01-10",
        cycle_points=105.0,
        points_needed=0.0,
        renewal_secured=True,
        compliance="COMPLIANT",
        due_date="2027-01-10",
        days_to_expiry=49,
        module_pass_dates="MAINTENANCE=2022-01-10;PROCESSES=2021-12-15;QUALITY=2021-12-01;"
        "SAFETY=2025-03-03",
        matched_by_name=False,
    ),
    # certified 2021-12-20 -> 2026-12-20 (28 days). CE 30 + 5 (on D) = 35; hired 2025-12-01,
    # first anniversary 2026-12-01 is after D
    ("P05", "CPT"): dict(
        status="EXPIRING",
        modules_passed="GREEN;MAINTENANCE;PROCESSES;QUALITY;SAFETY",
        expires_on="2026-12-20",
        cycle_points=35.0,
        points_needed=65.0,
        renewal_secured=False,
        compliance="COMPLIANT",
        days_to_expiry=28,
    ),
    # certified 2018-03-01 -> 2023-03-01; CE 10 + anniversaries 2022/2023-01-01 40 = 50: lapsed;
    # only SAFETY passed since: EXPIRED. Overdue since max(2021-06-30, 2023-03-01)
    ("P06", "CPT"): dict(
        status="EXPIRED",
        certified_on="2018-03-01",
        cycle_start="2018-03-01",
        expires_on="2023-03-01",
        cycle_points=50.0,
        points_needed=NA,
        renewal_secured=NA,
        compliance="NON_COMPLIANT",
        due_date="2023-03-01",
        overdue_days=days("2023-03-01", D),
        days_to_expiry=days(D, "2023-03-01"),
        last_attempt_date="2024-05-05",
    ),
    # 2015-06-01 -> 2020-06-01 lapsed (hired 2025); re-certified 2021-04-10 -> 2026-04-10 with
    # 20 points (anniversary 2026-01-01): lapsed; re-certified 2026-07-04 -> 2031-07-04
    ("P07", "CPT"): dict(
        status="CERTIFIED",
        certified_on="2026-07-04",
        cycle_start="2026-07-04",
        expires_on="2031-07-04",
        cycle_points=0.0,
        points_needed=100.0,
        compliance="COMPLIANT",
        evidence_record_ids="nf:P07-SA-2026-06-01;nf:P07-QU-2026-06-02;nf:P07-PR-2026-06-03;"
        "nf:P07-MA-2026-07-04",
        evidence_credential_ids="CPT-7",
    ),
    # 2012-05-05, renewed 2017 and 2022 by 5 anniversaries each; current cycle to 2027-05-05:
    # 4 anniversaries (80) + QUALITY retake (25) = 105; 164 days left: CERTIFIED
    ("P08", "CPT"): dict(
        status="CERTIFIED",
        certified_on="2012-05-05",
        cycle_start="2022-05-05",
        expires_on="2027-05-05",
        cycle_points=105.0,
        points_needed=0.0,
        renewal_secured=NA,
        compliance="COMPLIANT",
        days_to_expiry=164,
    ),
    # Engineer: no requirement entry, not manufacturing. 2011-03-03 -> 2016-03-03 renewed by
    # 100 CE points on the expiry day; 60 + 50 renews 2021-03-03; 30 + retake on 2026-03-03
    # (25) = 55: lapsed on 2026-03-03
    ("P09", "CPT"): dict(
        status="EXPIRED",
        certified_on="2011-03-03",
        cycle_start="2021-03-03",
        expires_on="2026-03-03",
        cycle_points=55.0,
        compliance="NOT_REQUIRED",
        due_date=NA,
        required=False,
        requirement_determined=False,
    ),
    # forklift 2020-01-15 -> 2023-01-15 renewed by the 2022-12-01 pass (window from
    # 2022-10-17); 2026-01-15 missed (2025-09-01 is before the window); re-certified 2026-03-10
    ("P10", "FORKLIFT"): dict(
        status="CERTIFIED",
        modules_passed="FORKLIFT",
        certified_on="2026-03-10",
        cycle_start="2026-03-10",
        expires_on="2029-03-10",
        cycle_points=NA,
        points_needed=NA,
        compliance="COMPLIANT",
        evidence_record_ids="nf:P10-4",
        evidence_credential_ids="FL-10",
    ),
    # one CPT module: IN_PROGRESS, not required for a forklift operator
    ("P11", "CPT"): dict(
        status="IN_PROGRESS",
        modules_passed="SAFETY",
        compliance="NOT_REQUIRED",
        due_date=NA,
        required=False,
        requirement_determined=True,
    ),
    # 2023-12-20 -> 2026-12-20 (28 days); window from 2026-09-21 holds the 2026-10-05 pass
    ("P11", "FORKLIFT"): dict(
        status="EXPIRING",
        certified_on="2023-12-20",
        expires_on="2026-12-20",
        renewal_secured=True,
        compliance="COMPLIANT",
        due_date="2026-12-20",
        evidence_record_ids="nf:P11-1",
        evidence_credential_ids="FL-11",
        matched_by_name=False,
        last_attempt_date="2026-10-05",
    ),
    # hired 2010, no records: overdue since 2010-06-30
    ("P15", "CPT"): dict(
        status="NOT_STARTED",
        compliance="NON_COMPLIANT",
        due_date="2010-06-30",
        overdue_days=days("2010-06-30", D),
        site="TOLEDO",
    ),
    # credential: null — determined, not required
    ("P16", "CPT"): dict(
        status="NOT_STARTED",
        compliance="NOT_REQUIRED",
        required=False,
        requirement_determined=True,
        last_attempt_date=NA,
    ),
    # certified 2024-03-01 by a name-matched record; anniversaries 2025/2026-03-01 of the
    # cycle start = 40; GREEN after D ignored
    ("P17", "CPT"): dict(
        status="CERTIFIED",
        modules_passed="MAINTENANCE;PROCESSES;QUALITY;SAFETY",
        certified_on="2024-03-01",
        expires_on="2029-03-01",
        cycle_points=40.0,
        points_needed=60.0,
        compliance="COMPLIANT",
        matched_by_name=True,
        evidence_credential_ids="CPT-17",
        evidence_record_ids="nf:P17-s;nf:P17-q;nf:P17-p;apex:P17-m",
    ),
}
