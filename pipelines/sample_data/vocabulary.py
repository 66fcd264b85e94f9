"""The sample company's vocabulary: sites, roles, modules, file layouts, scenarios, names."""

from __future__ import annotations

from datetime import date

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
# a scenario's name -> the small integer the arrays hold
CODE_OF = {name: code for code, name in enumerate(SCENARIOS)}
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

EPOCH = date(1970, 1, 1)
EXCEL_EPOCH_OFFSET = 25569  # Excel serial number of 1970-01-01
FOLD = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE"})
