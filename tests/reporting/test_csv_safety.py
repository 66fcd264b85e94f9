"""Formula neutralization and the employee_status.csv attachment format."""

from __future__ import annotations

import numpy as np
import pandas as pd

from assets.csv_bytes import EMPLOYEE_STATUS_COLUMNS, employee_status_csv
from assets.csv_safety import neutralize_formula_cells
from tests.reporting import frames


def test_every_formula_trigger_is_prefixed_and_plain_text_is_not():
    df = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "Ann", "a=b", None]}
    )
    out = neutralize_formula_cells(df)["name"].tolist()
    assert out[:6] == ['\'=HYPERLINK("x")', "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx"]
    assert out[6:8] == ["Ann", "a=b"]
    assert out[8] is None
    assert df["name"].iloc[0] == '=HYPERLINK("x")'  # input untouched


def test_numbers_are_not_text_and_stay_as_they_are():
    df = pd.DataFrame({"points": [-5.0, np.nan], "n": pd.array([-1, None], dtype="Int64")})
    out = neutralize_formula_cells(df)
    assert out["points"].iloc[0] == -5.0
    assert out["n"].iloc[0] == -1


def test_employee_status_csv_has_the_spec_columns_and_formats():
    rows = frames.status_frame(
        [
            frames.person(
                "E2",
                "=cmd|' /C calc'!A0",
                "Zed",
                renewal_secured=None,
                certified_on=None,
                cycle_points=12.5,
            ),
            frames.person("E1", "Ann", "Lee", renewal_secured=True, points_needed=None),
        ]
    )
    text = employee_status_csv(rows).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == ",".join(EMPLOYEE_STATUS_COLUMNS)
    assert len(EMPLOYEE_STATUS_COLUMNS) == 16
    # Sorted by employee id; dates ISO; booleans lower case; whole points without ".0".
    assert lines[1] == (
        "E1,Ann,Lee,S1,Production Technician,CPT,CERTIFIED,"
        "MAINTENANCE;PROCESSES;QUALITY;SAFETY,2023-05-10,2023-05-10,2028-05-10,"
        "20,,true,COMPLIANT,2023-05-10"
    )
    assert lines[2].startswith("E2,'=cmd|' /C calc'!A0,Zed,")
    assert ",,2023-05-10,2028-05-10,12.5,80,,COMPLIANT," in lines[2]
