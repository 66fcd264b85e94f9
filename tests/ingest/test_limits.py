"""Resource limits (policy.yaml ``limits:``): a file or a cell over a limit is rejected with a
message naming the limit and its value, before the expensive work, and the rest still loads."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import pytest
import xlsxwriter

from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from schemas.config import ConfigError, Limits, load_config
from tests.conftest import PROJECT_ROOT, RUN_DATE
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write

AS_OF = dt.date(2026, 11, 22)
NF = "providers/northfield_college"
GOOD = "R1,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C1"


def _with_limits(config, **limits):
    policy = config.policy.model_copy(update={"limits": Limits(**limits)})
    return config.model_copy(update={"policy": policy})


def _week(root, config):
    write(
        root / "roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,"],
    )
    write(root / NF / "good.csv", [NORTHFIELD_HEADER, GOOD])
    return ingest_week(take_inventory(root, config.providers), config, AS_OF, RUN_DATE)


def _whole(week) -> dict[str, tuple[str, str]]:
    rows = week.rejects[week.rejects["row_number"].isna()]
    return {r.source_file: (r.check, r.message) for r in rows.itertuples()}


def test_the_defaults_are_in_policy_yaml_and_validated(config, tmp_path):
    assert config.policy.limits.model_dump() == {
        "max_file_mb": 1024,
        "max_columns": 500,
        "max_rows": 5_000_000,
        "max_cell_chars": 1000,
        "max_xlsx_uncompressed_mb": 2048,
    }
    assert Limits().model_dump() == config.policy.limits.model_dump()  # yaml = code defaults
    target = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", target)
    policy = target / "policy.yaml"
    policy.write_text(policy.read_text().replace("max_rows: 5000000", "max_rows: 0"))
    with pytest.raises(ConfigError) as error:
        load_config(target)
    assert "key 'limits.max_rows' = 0: Input should be greater than 0" in str(error.value)


def test_a_file_over_the_size_limit_is_not_read(tmp_path, config):
    write(
        tmp_path / NF / "big.csv",
        [NORTHFIELD_HEADER, *[GOOD.replace("R1", f"B{i}") for i in range(40)]],
    )
    size = (tmp_path / NF / "big.csv").stat().st_size
    week = _week(tmp_path, _with_limits(config, max_file_mb=0.001))  # 1,048 bytes
    assert _whole(week)[f"{NF}/big.csv"] == (
        "at most 0.001 MB (limits.max_file_mb)",
        f"{NF}/big.csv: {size:,} bytes (0.0 MB), over the limit policy.yaml "
        "limits.max_file_mb = 0.001; not read",
    )
    assert week.source_files.set_index("file").loc[f"{NF}/big.csv", "sha256"] is None
    assert week.results["record_id"].tolist() == ["R1"]


def test_a_header_with_too_many_columns_is_rejected_before_parsing(tmp_path, config):
    header = NORTHFIELD_HEADER + "".join(f",extra{i}" for i in range(600))
    write(tmp_path / NF / "wide.csv", [header, GOOD.replace("R1", "W1")])
    week = _week(tmp_path, config)  # the default limit: 500 columns
    assert _whole(week)[f"{NF}/wide.csv"] == (
        "at most 500 columns (limits.max_columns)",
        f"{NF}/wide.csv: 610 columns in the header, over the limit policy.yaml "
        "limits.max_columns = 500; not parsed",
    )
    assert week.results["record_id"].tolist() == ["R1"]


def test_too_many_lines_are_rejected_before_parsing(tmp_path, config):
    rows = [GOOD.replace("R1", f"L{i}") for i in range(5)]
    write(tmp_path / NF / "long.csv", [NORTHFIELD_HEADER, *rows])
    week = _week(tmp_path, _with_limits(config, max_rows=3))
    assert _whole(week)[f"{NF}/long.csv"] == (
        "at most 3 rows (limits.max_rows)",
        f"{NF}/long.csv: 5 data lines, over the limit policy.yaml limits.max_rows = 3; not parsed",
    )
    assert week.results["record_id"].tolist() == ["R1"]


def test_an_over_long_cell_rejects_its_row_and_is_shown_shortened(tmp_path, config):
    name = "A" * 100_000
    write(
        tmp_path / NF / "names.csv",
        [NORTHFIELD_HEADER, f"N1,E1,,{name},Lee,Safety,03/04/2025,88,PASS,"],
    )
    week = _week(tmp_path, config)
    reject = week.rejects.set_index("source_file").loc[f"{NF}/names.csv"]
    assert reject["check"] == "at most 1,000 characters (limits.max_cell_chars)"
    assert reject["value"] == "A" * 60 + "... (100,000 characters)"
    assert reject["message"] == (
        f"{NF}/names.csv row 2 (record_id N1), column 'first_name': expected at most 1,000 "
        f"characters (limits.max_cell_chars), found '{'A' * 60}... (100,000 characters)'"
    )
    assert week.results["record_id"].tolist() == ["R1"]


def _gradebook(path, rows: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Gradebook")
    sheet.write_row(0, 0, ["title"])
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
    for i in range(rows):
        sheet.write_row(2 + i, 0, [f"A{i}", "Lee, Ann", "", "CPT-SAF", "2025-01-02", 0.9, ""])
    book.close()


def test_a_workbook_is_checked_before_it_is_unpacked(tmp_path, config):
    apex = tmp_path / "providers/apex_academy"
    _gradebook(apex / "rows.xlsx", rows=5)
    week = _week(tmp_path, _with_limits(config, max_rows=4))
    assert _whole(week)["providers/apex_academy/rows.xlsx"] == (
        "at most 4 rows (limits.max_rows)",
        "providers/apex_academy/rows.xlsx: worksheet xl/worksheets/sheet1.xml declares 7 rows "
        "(A1:G7), over the limit policy.yaml limits.max_rows = 4; not unpacked",
    )
    week = _week(tmp_path, _with_limits(config, max_columns=6))
    assert _whole(week)["providers/apex_academy/rows.xlsx"][1] == (
        "providers/apex_academy/rows.xlsx: worksheet xl/worksheets/sheet1.xml declares 7 "
        "columns (A1:G7), over the limit policy.yaml limits.max_columns = 6; not unpacked"
    )
    week = _week(tmp_path, _with_limits(config, max_xlsx_uncompressed_mb=0.001))
    check, message = _whole(week)["providers/apex_academy/rows.xlsx"]
    assert check == "at most 0.001 MB unpacked (limits.max_xlsx_uncompressed_mb)"
    assert message.startswith("providers/apex_academy/rows.xlsx: the workbook unpacks to ")
    assert message.endswith(
        "over the limit policy.yaml limits.max_xlsx_uncompressed_mb = 0.001; not unpacked"
    )
    assert week.results["record_id"].tolist() == ["R1"]
    # within the limits the same workbook loads
    week = _week(tmp_path, config)
    assert sorted(week.results["record_id"])[:2] == ["A0", "A1"]


def test_a_workbook_that_understates_its_size_is_counted_while_unpacking(tmp_path, config):
    apex = tmp_path / "providers/apex_academy"
    _gradebook(tmp_path / "honest.xlsx", rows=5)
    apex.mkdir(parents=True)
    # the same workbook, claiming a one-cell sheet (as a crafted "zip bomb" does)
    with (
        zipfile.ZipFile(tmp_path / "honest.xlsx") as src,
        zipfile.ZipFile(apex / "liar.xlsx", "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:G7"/>' in data
                data = data.replace(b'<dimension ref="A1:G7"/>', b'<dimension ref="A1"/>')
            dst.writestr(item.filename, data)
    week = _week(tmp_path, _with_limits(config, max_rows=4))
    assert _whole(week)["providers/apex_academy/liar.xlsx"] == (
        "at most 4 rows (limits.max_rows)",
        "providers/apex_academy/liar.xlsx: worksheet xl/worksheets/sheet1.xml holds more than "
        "4 rows (counted while unpacking), over the limit policy.yaml limits.max_rows = 4; "
        "not loaded",
    )
    assert week.results["record_id"].tolist() == ["R1"]
