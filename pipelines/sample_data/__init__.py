"""Write a realistic, deterministic sample landing folder (roster, provider results, activities).

The demo, the tests and the benchmarks all need inputs that look like a real plant's exports:
HR roster snapshots with joiners and leavers, two training providers with deliberately different
formats plus one canonical in-house academy, continuing-education records, and a small counted
sprinkle of trouble (``trouble.py``) so the quarantine has something to show.

How it works: every person gets a *designed history* (a scenario such as "certified, expiring in
the next 90 days without enough points") from which their assessment and activity records follow,
so that every CPT and FORKLIFT status of docs/rules.md appears as of ``today``. Everything is held
as numeric numpy arrays (person index, module code, day number) and turned into text one output
file at a time, which keeps 1,000,000 employees within a few minutes and a few GB.

Decisions where the product rules are silent:

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

Layout of this package, one job per module:

- ``vocabulary``: sites, roles, modules, the providers' headers, scenarios and their mix, names;
- ``people``: the workforce and each person's designed history; ``records``: the assessment and
  CE records that follow from it; ``layouts``: each source's own layout of those records;
- ``plans``: which record lands in which file, with the counted trouble (``trouble``) mixed in;
  ``decisions``: the exemptions and revocations folders;
- ``writers``: CSV and XLSX with deterministic bytes; ``days``: day-number helpers;
- ``generate``: :func:`generate_sample_data`, the one entry point; ``summary``: what it wrote.
"""

from pipelines.sample_data.generate import generate_sample_data
from pipelines.sample_data.summary import SampleSummary
from pipelines.sample_data.vocabulary import (
    ACTIVITY_HEADER,
    APEX_COURSE_CODES,
    APEX_HEADER,
    MODULES,
    NORTHFIELD_MODULE_NAMES,
    ROLE_TABLE,
    ROSTER_HEADER,
)

__all__ = [
    "ACTIVITY_HEADER",
    "APEX_COURSE_CODES",
    "APEX_HEADER",
    "MODULES",
    "NORTHFIELD_MODULE_NAMES",
    "ROLE_TABLE",
    "ROSTER_HEADER",
    "SampleSummary",
    "generate_sample_data",
]
