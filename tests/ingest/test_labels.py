"""The file name and the provider travel through the intake as codes (assets/ingest/labels.py)
and leave it as the text every consumer received before: the engine's frames, Pandera, the
quarantine's messages and the warehouse's VARCHAR columns."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd
import pyarrow as pa

from assets.delivery.clearance import mail_clearance
from assets.ingest.assets import landing_intake
from assets.ingest.conformed import FILE_COLUMN, concat_conformed
from assets.ingest.intake import ingest_week
from assets.ingest.labels import file_label, labels_as_text
from assets.ingest.landing import take_inventory
from assets.ingest.provider_results import conform_canonical_results
from assets.text import TEXT, arrow_of
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import CANONICAL_HEADER, NORTHFIELD_HEADER, ROSTER_HEADER, write
from tests.ingest.test_scale_paths import AS_OF, _raw
from tests.week_resources import week_resources

WEEK = "2026-11-16"


def _landing(root):
    write(
        root / "roster/roster_2026-01-05.csv",
        [
            ROSTER_HEADER,
            "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,",
            "E2,Bob,Ray,,DAYTON,,Production Technician,,2021-01-01,",
        ],
    )
    write(
        root / "providers/northfield_college/q1.csv",
        [NORTHFIELD_HEADER, "R1,E1,,,,Safety,03/04/2025,88,PASS,C1"],
        mtime=1_700_000_000,
    )
    write(
        root / "providers/northfield_college/q2.csv",
        [
            NORTHFIELD_HEADER,
            "R2,E2,,,,Safety,03/05/2025,91,PASS,C2",
            "R3,E2,,,,Safety,02/30/2025,91,PASS,C3",  # a reject from the second file
            "R4,E404,,,,Safety,03/05/2025,91,PASS,C4",  # unmatched
        ],
        mtime=1_700_000_100,
    )
    write(
        root / "providers/inhouse_academy/results.csv",
        [
            CANONICAL_HEADER,
            "inhouse_academy,R1,E1,,Ann,Lee,SAFETY,2025-03-06,80,true,C9",
            "inhouse_academy,R7,E2,,Bob,Ray,NOT_A_MODULE,2025-03-06,80,true,C7",  # Pandera
        ],
    )


def test_labels_leave_the_intake_as_the_text_the_engine_received(tmp_path, config):
    _landing(tmp_path)
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)

    results = week.results.sort_values(["provider", "record_id"])
    for frame in (week.results, week.roster):
        assert frame["source_file"].dtype == TEXT
    assert results["provider"].dtype == TEXT
    assert arrow_of(week.results["source_file"]).num_chunks == 1  # one array, as before
    labelled = zip(results["provider"], results["record_id"], results["source_file"], strict=True)
    assert list(labelled) == [
        ("inhouse_academy", "R1", "providers/inhouse_academy/results.csv"),
        ("northfield_college", "R1", "providers/northfield_college/q1.csv"),
        ("northfield_college", "R2", "providers/northfield_college/q2.csv"),
        ("northfield_college", "R4", "providers/northfield_college/q2.csv"),
    ]
    assert set(week.roster["source_file"]) == {"roster/roster_2026-01-05.csv"}
    # the quarantine names the file and provider of each rejected row, from the codes
    rejects = week.rejects.sort_values("source_file")
    assert rejects["source"].tolist() == ["inhouse_academy", "northfield_college"]
    assert rejects["message"].str.split(",").str[0].tolist() == [
        "providers/inhouse_academy/results.csv row 3 (record_id R7)",
        "providers/northfield_college/q2.csv row 3 (record_id R3)",
    ]
    # the unmatched records name their file and provider as Python strings, as before
    assert week.unmatched["source_file"].map(type).eq(str).all()
    assert week.unmatched["provider"].map(type).eq(str).all()
    assert week.unmatched[["provider", "record_id", "source_file"]].to_numpy().tolist() == [
        ["northfield_college", "R4", "providers/northfield_college/q2.csv"]
    ]
    accounts = week.source_files.set_index("file")[["rows_in", "accepted", "rejected"]]
    assert accounts.loc["providers/northfield_college/q2.csv"].tolist() == [3, 2, 1]
    assert accounts.loc["providers/inhouse_academy/results.csv"].tolist() == [2, 1, 1]


def test_files_are_joined_as_codes_and_each_file_is_emptied_as_it_goes():
    parts = [
        conform_canonical_results(
            _raw(
                [["x", f"R{n}", "E1", "", "Ann", "Lee", "SAFETY", "2025-01-02", "80", "true", ""]]
            ),
            "inhouse_academy",
            f"providers/inhouse_academy/{n}.csv",
        )
        for n in (1, 2, 3)
    ]
    combined = concat_conformed(parts)

    files = combined.frame[FILE_COLUMN]
    assert isinstance(files.dtype, pd.CategoricalDtype)
    assert list(files.cat.categories) == [f"providers/inhouse_academy/{n}.csv" for n in (1, 2, 3)]
    assert files.tolist() == list(files.cat.categories)
    assert combined.frame["provider"].cat.categories.tolist() == ["inhouse_academy"]
    assert combined.frame["record_id"].tolist() == ["R1", "R2", "R3"]
    assert all(part.frame.columns.empty for part in parts)  # released column by column


def test_a_label_crossing_the_boundary_becomes_text_and_the_frame_is_left_as_it_was():
    index = pd.RangeIndex(3)
    frame = pd.DataFrame({"provider": file_label("apex_academy", index), "score": [1.0, 2, 3]})
    frame["provider"] = frame["provider"].cat.add_categories(["other"])
    frame.loc[1, "provider"] = "other"
    frame.loc[2, "provider"] = None

    text = labels_as_text(frame)

    assert text["provider"].dtype == TEXT
    assert arrow_of(text["provider"]).to_pylist() == ["apex_academy", "other", None]
    assert isinstance(frame["provider"].dtype, pd.CategoricalDtype)  # the caller's frame stays
    assert text["score"].tolist() == [1.0, 2.0, 3.0]
    assert labels_as_text(text) is text  # nothing to convert: the same frame
    assert pa.types.is_string(arrow_of(text["provider"]).type)


def test_the_warehouse_receives_varchar_file_and_provider_columns(tmp_path):
    _landing(tmp_path / "landing")
    resources = week_resources(tmp_path / "var", landing=tmp_path / "landing")
    with dg.instance_for_test() as instance:
        dg.materialize(
            [landing_intake, mail_clearance],
            partition_key=WEEK,
            resources=resources,
            instance=instance,
            raise_on_error=False,
        )
    with duckdb.connect(str(tmp_path / "var/warehouse.duckdb"), read_only=True) as con:
        types = con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'competence' AND column_name IN ('source_file', 'provider')"
        ).fetchall()
        stored = con.execute(
            "SELECT provider, source_file, count(*) FROM competence.assessment_results "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    by_table = {(t, c): d for t, c, d in types}
    assert by_table[("assessment_results", "source_file")] == "VARCHAR"
    assert by_table[("assessment_results", "provider")] == "VARCHAR"
    assert by_table[("roster_snapshot", "source_file")] == "VARCHAR"
    assert set(by_table.values()) == {"VARCHAR"}
    assert stored == [
        ("inhouse_academy", "providers/inhouse_academy/results.csv", 1),
        ("northfield_college", "providers/northfield_college/q1.csv", 1),
        ("northfield_college", "providers/northfield_college/q2.csv", 2),
    ]
