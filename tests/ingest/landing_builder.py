"""Builds small landing folders by hand for the ingestion tests (the values are the test)."""

from __future__ import annotations

import os
from pathlib import Path

import xlsxwriter

ROSTER_HEADER = (
    "employee_id,first_name,last_name,email,site,department,job_role,manager_email,"
    "hire_date,termination_date"
)
NORTHFIELD_HEADER = (
    "Result ID,Employee Number,Email,First Name,Last Name,Module,Exam Date,Score,Result,"
    "Certificate No"
)
ACTIVITY_HEADER = "employee_id,activity_date,activity_type,hours,points,description,evidence_ref"
CANONICAL_HEADER = (
    "provider,record_id,employee_id,email,first_name,last_name,module,assessment_date,score,"
    "passed,credential_id"
)


def write(path: Path, lines: list[str], mtime: int | None = None, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def write_apex_xlsx(path: Path, rows: list[list], mtime: int | None = None) -> Path:
    """An Apex gradebook: a title row, then the header, then rows (dates as real dates)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Gradebook")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    pct = book.add_format({"num_format": "0%"})
    sheet.write_row(0, 0, ["Apex Academy - CPT gradebook export"])
    sheet.write_row(
        1,
        0,
        [
            "Attempt ID",
            "Learner",
            "Learner Email",
            "Course Code",
            "Completed On",
            "Percentage",
            "Badge",
        ],
    )
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row):
            if value is None:
                continue
            if j == 4 and not isinstance(value, str):
                sheet.write_datetime(i, j, value, date_fmt)
            elif j == 5 and not isinstance(value, str):
                sheet.write_number(i, j, value, pct)
            else:
                sheet.write(i, j, value)
    book.close()
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path
