"""File writers: CSV and XLSX with deterministic bytes and modification times."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from pipelines.sample_data.days import day_number
from pipelines.sample_data.vocabulary import APEX_HEADER, EXCEL_EPOCH_OFFSET, ROSTER_HEADER

# --- file writers -----------------------------------------------------------------------------


def write_csv(frame: pd.DataFrame, path: Path, mtime: float) -> int:
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


def write_gradebook(frame: pd.DataFrame, path: Path, generated: date, mtime: float) -> int:
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


def write_roster_xlsx(frame: pd.DataFrame, path: Path, extract: date, mtime: float) -> int:
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
                    r, c, day_number(date.fromisoformat(value)) + EXCEL_EPOCH_OFFSET, date_format
                )
            else:
                sheet.write_string(r, c, value)
    book.close()
    os.utime(path, (mtime, mtime))
    return len(frame)
