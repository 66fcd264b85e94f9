"""Every bad file is named as what it is, for the kind of folder it is in, and is a row of the
week's quarantine (no row number, no column) while the good files still load."""

from __future__ import annotations

import codecs
import datetime as dt

import pandas as pd
import xlsxwriter

from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import CANONICAL_HEADER, NORTHFIELD_HEADER, ROSTER_HEADER, write

AS_OF = dt.date(2026, 11, 22)
ACME = "providers/acme/"


def _canonical_fix(what: str) -> str:
    return (
        f"re-export the file as {what} or add 'acme' to providers.yaml (folder 'acme' has no "
        "providers.yaml entry: its files are read as canonical results, UTF-8 with ',' between "
        "columns)"
    )


def _week(root, config):
    write(
        root / "roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,"],
    )
    return ingest_week(take_inventory(root, config.providers), config, AS_OF, RUN_DATE)


def _whole(week) -> dict[str, pd.Series]:
    rows = week.rejects[week.rejects["row_number"].isna()]
    return {r["source_file"]: r for _, r in rows.iterrows()}


def test_each_bad_file_in_a_canonical_folder_gets_its_own_diagnosis(tmp_path, config):
    acme = tmp_path / "providers/acme"
    write(acme / "good.csv", [CANONICAL_HEADER, "x,H1,E1,,,,SAFETY,2025-01-01,90,true,"])
    (acme / "empty.csv").write_bytes(b"")
    (acme / "binary.csv").write_bytes(bytes(range(256)) * 16)
    (acme / "latin1.csv").write_bytes(
        (CANONICAL_HEADER + "\nx,H2,E1,,Zoë,Lee,SAFETY,2025-01-01,90,true,\n").encode("latin-1")
    )
    write(
        acme / "semicolon.csv",
        [CANONICAL_HEADER.replace(",", ";"), "x;H3;E1;;;;SAFETY;2025-01-01;90;true;"],
    )
    write(
        acme / "no_module.csv",
        [CANONICAL_HEADER.replace(",module", ""), "x,H4,E1,,,,2025-01-01,90,true,"],
    )
    (acme / "utf16.csv").write_bytes(
        codecs.BOM_UTF16_LE + (CANONICAL_HEADER + "\n").encode("utf-16-le")
    )
    (acme / "header_only.csv").write_text(CANONICAL_HEADER + "\n", encoding="utf-8")
    week = _week(tmp_path, config)
    whole = _whole(week)
    messages = {file.removeprefix(ACME): row["message"] for file, row in whole.items()}
    checks = {file.removeprefix(ACME): row["check"] for file, row in whole.items()}

    assert messages["empty.csv"] == f"{ACME}empty.csv: the file is empty (0 bytes)"
    assert messages["binary.csv"] == (
        f"{ACME}binary.csv: not a text file (464 control bytes in the first 4,096 bytes, the "
        "first 0x00 at byte 0); expected a CSV export"
    )
    assert messages["latin1.csv"] == (
        f"{ACME}latin1.csv: not valid utf-8 text (byte 0xeb on line 2); " + _canonical_fix("utf-8")
    )
    assert messages["semicolon.csv"] == (
        f"{ACME}semicolon.csv: the columns are separated by ';', not ',' (the header reads as "
        "one column); re-export it with ',' between columns or add 'acme' to providers.yaml "
        "(folder 'acme' has no providers.yaml entry: its files are read as canonical results, "
        "UTF-8 with ',' between columns)"
    )
    assert messages["no_module.csv"].startswith(
        f"{ACME}no_module.csv: missing required column(s) 'module' (canonical result columns; "
        "folder 'acme' has no providers.yaml entry"
    )
    assert messages["utf16.csv"].startswith(
        f"{ACME}utf16.csv: the file is UTF-16 LE text (it starts with a UTF-16 LE byte-order "
        "mark), not utf-8; re-export the file as utf-8 or add 'acme' to providers.yaml"
    )
    assert messages["header_only.csv"] == (
        f"{ACME}header_only.csv: the file has a header but no data rows"
    )
    assert checks == {
        "empty.csv": "a non-empty file",
        "binary.csv": "a text (CSV) file",
        "latin1.csv": "utf-8 text",
        "semicolon.csv": "',' between columns",
        "no_module.csv": "the required columns",
        "utf16.csv": "utf-8 text",
        "header_only.csv": "at least one data row",
    }
    # nothing calls the folder unknown; the good file loads
    assert not week.source_files["problem"].dropna().str.contains("unknown provider").any()
    assert week.results["record_id"].tolist() == ["H1"]
    # whole-file rows carry no row number, column, value or record key
    for row in whole.values():
        assert pd.isna(row["column"]) and pd.isna(row["value"]) and pd.isna(row["record_key"])
        assert row["source"] == "acme"


def test_a_configured_provider_is_told_which_setting_to_change(tmp_path, config):
    nf = tmp_path / "providers/northfield_college"
    write(nf / "tabs.csv", [NORTHFIELD_HEADER.replace(",", "\t"), "R1\tE1"])
    write(nf / "good.csv", [NORTHFIELD_HEADER, "R2,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C1"])
    week = _week(tmp_path, config)
    message = _whole(week)["providers/northfield_college/tabs.csv"]["message"]
    assert message == (
        "providers/northfield_college/tabs.csv: the columns are separated by '\\t', not ',' "
        "(the header reads as one column); re-export it with ',' between columns or set "
        "'delimiter' for northfield_college in providers.yaml"
    )
    assert week.results["record_id"].tolist() == ["R2"]


def test_an_unknown_folder_is_reported_once_as_a_folder(tmp_path, config):
    for name in ("a.csv", "b.csv", "c.xlsx"):
        write(tmp_path / "providers/westlake/" / name, ["id,who", "1,2"])
    week = _week(tmp_path, config)
    whole = _whole(week)
    westlake = [f for f in whole if f.startswith("providers/westlake")]
    assert westlake == ["providers/westlake/"]
    assert whole["providers/westlake/"]["message"] == (
        "providers/westlake/: unknown provider folder 'westlake': it has no entry in "
        "providers.yaml and none of its 3 data file(s) (a.csv, b.csv, c.xlsx) carries the "
        "canonical columns (record_id, employee_id, email, first_name, last_name, module, "
        "assessment_date, score, passed, credential_id); nothing in it was loaded"
    )
    files = week.source_files.set_index("file")
    assert files.loc["providers/westlake/", "rows_in"] == 0


def test_workbooks_that_are_not_workbooks(tmp_path, config):
    apex = tmp_path / "providers/apex_academy"
    apex.mkdir(parents=True)
    (apex / "text.xlsx").write_text("Attempt ID,Learner\nA1,x\n", encoding="utf-8")
    (apex / "legacy.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    (apex / "cut.xlsx").write_bytes(b"PK\x03\x04" + bytes(100))
    book = xlsxwriter.Workbook(str(apex / "nosheet.xlsx"))
    book.add_worksheet("Other").write_row(0, 0, ["x"])
    book.close()
    week = _week(tmp_path, config)
    messages = {
        f.removeprefix("providers/apex_academy/"): r["message"] for f, r in _whole(week).items()
    }
    base = "providers/apex_academy/"
    assert messages["text.xlsx"] == (
        f"{base}text.xlsx: not an XLSX workbook: it is a text file (a CSV export named .xlsx?)"
    )
    assert messages["legacy.xlsx"] == (
        f"{base}legacy.xlsx: not an XLSX workbook: it is a legacy .xls workbook; save it as .xlsx"
    )
    assert messages["cut.xlsx"].startswith(
        f"{base}cut.xlsx: not an XLSX workbook (damaged ZIP archive: "
    )
    assert messages["nosheet.xlsx"] == f"{base}nosheet.xlsx: has no worksheet 'Gradebook'"


def test_whole_file_rejects_keep_the_row_accounts_balanced(tmp_path, config):
    acme = tmp_path / "providers/acme"
    write(acme / "good.csv", [CANONICAL_HEADER, "x,H1,E1,,,,SAFETY,2025-01-01,90,true,"])
    (acme / "empty.csv").write_bytes(b"")
    write(tmp_path / "providers/apex_academy/notes.txt", ["hello"])
    week = _week(tmp_path, config)
    files = week.source_files.set_index("file")
    assert (files["rows_in"] == files["accepted"] + files["rejected"] + files["deduplicated"]).all()
    assert files.loc["providers/acme/empty.csv", ["rows_in", "rejected"]].tolist() == [0, 0]
    # every file with a problem is a quarantine row, and every quarantine row without a row
    # number is a file with a problem
    assert set(_whole(week)) == set(files.index[files["problem"].notna()])
    assert set(_whole(week)) == {"providers/acme/empty.csv", "providers/apex_academy/notes.txt"}
