"""Traceable status (ISO 9001 7.2 d): every status row to the records that prove it, in a real
Dagster materialization into a real DuckDB file and status/<week>/evidence.csv."""

from __future__ import annotations

import csv
import io

import dagster as dg
import duckdb
import pandas as pd

from assets.certification.assets import certification, status_evidence
from assets.certification.status_evidence import STATUS_EVIDENCE_COLUMNS
from assets.certification.status_evidence import status_evidence as proving_records
from assets.ingest.assets import landing_intake
from schemas.tables import EMPLOYEE_STATUS_COLUMNS, StatusEvidence
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write
from tests.week_resources import week_resources

WEEK = "2026-11-16"
MODULES = {
    "Safety": "03/04/2024",
    "Quality Practices & Measurement": "03/05/2024",
    "Manufacturing Processes & Production": "03/06/2024",
    "Maintenance Awareness": "03/07/2024",
}


def _landing(root):
    """E000002 passes the four CPT modules: two records by employee id, one found by e-mail
    only and one by name only (92.5 on Maintenance). E3 has one pass (in progress)."""
    write(
        root / "roster/roster_2026-11-02.csv",
        [
            ROSTER_HEADER,
            "E000002,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            "E3,Bob,Ray,,DAYTON,,Production Technician,,2026-10-01,",
        ],
    )
    rows = []
    for i, (module, day) in enumerate(MODULES.items(), start=1):
        identity = {
            1: "E000002,,,",
            2: "E000002,,,",
            3: ",ANN@acme.example,,",
            4: ",,Ann,Lee",
        }[i]
        score = "92.5" if i == 4 else "88"
        rows.append(f"N-{i},{identity},{module},{day},{score},PASS,CPT-7781")
    rows.append("N-9,E3,,,,Safety,10/05/2026,75,PASS,")
    rows.append("N-10,E000002,,,,Green Production,03/08/2024,40,FAIL,")  # proves nothing
    write(root / "providers/northfield_college/results.csv", [NORTHFIELD_HEADER, *rows])


def _materialize(tmp_path, instance):
    resources = week_resources(tmp_path / "var", landing=tmp_path / "landing")
    return dg.materialize(
        [landing_intake, certification, status_evidence],
        partition_key=WEEK,
        resources=resources,
        instance=instance,
    )


def test_each_status_traces_to_its_records_in_the_warehouse_and_evidence_csv(tmp_path):
    _landing(tmp_path / "landing")
    with dg.instance_for_test() as instance:
        result = _materialize(tmp_path, instance)
    assert result.success
    with duckdb.connect(str(tmp_path / "var/warehouse.duckdb"), read_only=True) as con:
        stored = con.execute(
            "select employee_id, credential, status, module, provider, record_id, "
            "strftime(assessment_date, '%Y-%m-%d'), score, credential_id, linked_by "
            "from competence.status_evidence order by employee_id, module"
        ).fetchall()
    assert stored == [
        ("E000002", "CPT", "CERTIFIED", "MAINTENANCE", "northfield_college", "N-4",
         "2024-03-07", 92.5, "CPT-7781", "name"),
        ("E000002", "CPT", "CERTIFIED", "PROCESSES", "northfield_college", "N-3",
         "2024-03-06", 88.0, "CPT-7781", "email"),
        ("E000002", "CPT", "CERTIFIED", "QUALITY", "northfield_college", "N-2",
         "2024-03-05", 88.0, "CPT-7781", "employee_id"),
        ("E000002", "CPT", "CERTIFIED", "SAFETY", "northfield_college", "N-1",
         "2024-03-04", 88.0, "CPT-7781", "employee_id"),
        ("E3", "CPT", "IN_PROGRESS", "SAFETY", "northfield_college", "N-9",
         "2026-10-05", 75.0, None, "employee_id"),
    ]  # fmt: skip
    status_dir = tmp_path / "var/status" / WEEK
    exported = list(csv.DictReader(io.StringIO((status_dir / "evidence.csv").read_text())))
    assert list(exported[0]) == list(STATUS_EVIDENCE_COLUMNS)
    ann = [r for r in exported if r["employee_id"] == "E000002"]
    assert [(r["module"], r["record_id"], r["score"], r["linked_by"]) for r in ann] == [
        ("MAINTENANCE", "N-4", "92.5", "name"),
        ("PROCESSES", "N-3", "88", "email"),
        ("QUALITY", "N-2", "88", "employee_id"),
        ("SAFETY", "N-1", "88", "employee_id"),
    ]
    assert {r["source_file"] for r in ann} == {"providers/northfield_college/results.csv"}
    assert [r["source_row"] for r in ann] == ["5", "4", "3", "2"]
    # the stable interface beside it keeps exactly its columns
    header = (status_dir / "employee_status.csv").read_text().splitlines()[0]
    assert header == ",".join(EMPLOYEE_STATUS_COLUMNS)
    materialization = result.asset_materializations_for_node("status_evidence")[0]
    assert materialization.metadata["dagster/row_count"].value == 5
    assert materialization.metadata["by_linked_by"].value == {
        "employee_id": 3,
        "email": 1,
        "name": 1,
    }


def test_record_ids_with_separators_are_matched_whole_and_typed_by_the_model():
    """An id containing ';' or ':' is one record: of E1's two SAFETY passes "A" and "A;1" the
    list spells "A;1" in full; a failed attempt and another person's record never leak in."""
    status = pd.DataFrame(
        {
            "employee_id": ["E1", "E2"],
            "first_name": ["Ann", "Bob"],
            "last_name": ["Lee", "Ray"],
            "site": ["S1", "S1"],
            "job_role": ["Production Technician"] * 2,
            "credential": ["CPT", "CPT"],
            "status": ["CERTIFIED", "NOT_STARTED"],
            "compliance": ["COMPLIANT", "NON_COMPLIANT"],
            "evidence_record_ids": ["lake:A;1;lake:B:2", ""],
        }
    )
    results = pd.DataFrame(
        {
            "provider": ["lake"] * 5,
            "record_id": ["A;1", "B:2", "A", "A;1", "B"],
            "person_id": ["E1", "E1", "E1", "E2", "E1"],
            "match_method": ["employee_id", "email", "employee_id", "employee_id", "name"],
            "module": ["SAFETY", "QUALITY", "SAFETY", "SAFETY", "QUALITY"],
            "assessment_date": pd.to_datetime(
                ["2024-01-01", "2024-01-02", "2023-01-01", "2024-01-01", "2022-01-01"]
            ),
            "score": [80.0, 90.0, 85.0, 80.0, 30.0],
            "passed": [True, True, True, True, False],
            "credential_id": ["C-1", None, None, "C-9", None],
            "source_file": ["p.csv"] * 5,
            "source_row": [2, 3, 4, 5, 6],
        }
    )  # fmt: skip
    frame = proving_records(status, results)
    assert frame[["employee_id", "record_id", "linked_by"]].values.tolist() == [
        ["E1", "B:2", "email"],
        ["E1", "A;1", "employee_id"],
    ]
    StatusEvidence.validate(frame)  # the warehouse table's declared model
