"""Identity resolution (docs/data-contract.md): id, else unique e-mail, else unique normalized
name."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from assets.ingest.identity import link_activities, link_results

ROSTER = pd.DataFrame(
    {
        "employee_id": ["E1", "E2", "E3", "E4", "E5"],
        "first_name": ["José", "Zoë", "Ann", "Ann", "Mary-Jo"],
        "last_name": ["Núñez", "Ångström", "Lee", "Lee", "O'Brien"],
        "email": [
            "jose.nunez@acme.example",
            None,
            "ann.lee@acme.example",
            "ann.lee2@acme.example",
            "shared@acme.example",
        ],
    }
)


def _results(rows):
    columns = ["provider", "record_id", "employee_id", "email", "first_name", "last_name"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["source_file"] = "providers/p/f.csv"
    frame["source_row"] = range(2, 2 + len(frame))
    return frame


def test_cascade_id_then_case_folded_email_then_accent_folded_name():
    results = _results(
        [
            ["p", "1", "E2", "someone.else@acme.example", "X", "Y"],  # id wins over e-mail
            ["p", "2", None, "JOSE.Nunez@ACME.example", None, None],  # e-mail, case-folded
            ["p", "3", None, None, "zoe", "  ANGSTROM "],  # name, accents/case/spaces folded
            ["p", "4", "E999", "jose.nunez@acme.example", None, None],  # unknown id -> e-mail
            ["p", "5", None, None, "Mary Jo", "OBrien"],  # hyphen and apostrophe folded
        ]
    )
    linked, exceptions = link_results(results, ROSTER)
    got = linked.set_index("record_id")[["person_id", "match_method"]].values.tolist()
    assert got == [
        ["E2", "employee_id"],
        ["E1", "email"],
        ["E2", "name"],
        ["E1", "email"],
        ["E5", "name"],
    ]
    assert exceptions.empty


def test_ambiguous_and_unmatched_records_go_to_exceptions_with_candidates():
    results = _results(
        [
            ["p", "1", None, None, "Ann", "Lee"],  # two people named Ann Lee
            ["p", "2", "E404", "nobody@acme.example", "No", "Body"],
            ["p", "3", None, None, None, None],
        ]
    )
    linked, exceptions = link_results(results, ROSTER)
    assert linked["person_id"].isna().all()
    by_record = exceptions.set_index("record_id")
    assert by_record.loc["1", ["reason", "candidates"]].tolist() == ["AMBIGUOUS", "E3;E4"]
    assert by_record.loc["1", "detail"] == "no e-mail; name fits several people"
    assert by_record.loc["2", "reason"] == "UNMATCHED"
    assert by_record.loc["2", "detail"] == (
        "employee id E404 not on the roster; e-mail not on the roster; name not on the roster"
    )
    assert by_record.loc["3", "detail"] == "no e-mail; no name"
    assert by_record.loc["2", "row_number"] == 3


def test_shared_email_is_ambiguous_not_guessed():
    roster = pd.concat(
        [
            ROSTER,
            pd.DataFrame(
                {
                    "employee_id": ["E6"],
                    "first_name": ["Kim"],
                    "last_name": ["Park"],
                    "email": ["SHARED@acme.example"],
                }
            ),
        ]
    )
    linked, exceptions = link_results(
        _results([["p", "1", None, "shared@acme.example", None, None]]), roster
    )
    assert linked["person_id"].isna().all()
    assert exceptions.loc[0, ["reason", "candidates"]].tolist() == ["AMBIGUOUS", "E5;E6"]


def test_activities_link_by_employee_id_only():
    activities = pd.DataFrame(
        {
            "employee_id": ["E1", "E77"],
            "evidence_ref": ["CE-1", "CE-2"],
            "source_file": "activities/a.csv",
            "source_row": [2, 3],
        }
    )
    linked, exceptions = link_activities(activities, ROSTER)
    assert linked["person_id"].tolist()[0] == "E1"
    assert pd.isna(linked["person_id"].tolist()[1])
    assert exceptions[["record_id", "reason", "detail"]].values.tolist() == [
        ["CE-2", "UNMATCHED", "employee id E77 not on the roster"]
    ]


def test_people_found_by_each_step_land_on_their_own_rows_among_arrow_text():
    # Arrow text in several chunks, a non-default index, linked rows between unlinked ones:
    # each step's people must land on the rows they were found for, in any order of steps
    rows = [
        ["p", "1", "E404", None, "Ann", "Lee"],  # ambiguous by name
        ["p", "2", "E3", None, None, None],  # by id
        ["p", "3", None, "ANN.LEE2@acme.example", None, None],  # by e-mail
        ["p", "4", None, None, "Zoe", "Angstrom"],  # by name
        ["p", "5", "E1", None, None, None],  # by id
        ["p", "6", None, "shared@acme.example", "José", "Nuñez"],  # e-mail unique, so E5
        ["p", "7", None, None, None, None],  # nothing to go by
    ]
    results = _results(rows)
    for column in ["employee_id", "email", "first_name", "last_name"]:
        values = results[column].tolist()
        chunks = [pa.array(values[:3], pa.string()), pa.array(values[3:], pa.string())]
        results[column] = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(chunks)))
    results.index = pd.RangeIndex(100, 100 + len(results))
    linked, exceptions = link_results(results, ROSTER)
    assert linked.index.tolist() == list(range(100, 107))
    assert isinstance(linked["person_id"].dtype, pd.ArrowDtype)
    people = linked["person_id"].to_numpy(dtype=object, na_value=None).tolist()
    assert people == [None, "E3", "E4", "E2", "E1", "E5", None]
    assert linked["match_method"].to_numpy(dtype=object, na_value=None).tolist() == [
        None,
        "employee_id",
        "email",
        "name",
        "employee_id",
        "email",
        None,
    ]
    assert exceptions[["record_id", "reason"]].values.tolist() == [
        ["1", "AMBIGUOUS"],
        ["7", "UNMATCHED"],
    ]
    assert exceptions.loc[0, "candidates"] == "E3;E4" and pd.isna(exceptions.loc[1, "candidates"])


def test_no_results_and_an_empty_roster_link_nothing():
    empty_roster = pd.DataFrame(columns=["employee_id", "first_name", "last_name", "email"])
    linked, exceptions = link_results(_results([]), ROSTER)
    assert len(linked) == 0 and list(exceptions.columns)[:2] == ["provider", "record_id"]
    linked, exceptions = link_results(
        _results([["p", "1", "E1", "jose.nunez@acme.example", "José", "Núñez"]]), empty_roster
    )
    assert linked["person_id"].isna().all()
    assert exceptions["detail"].tolist() == [
        "employee id E1 not on the roster; e-mail not on the roster; name not on the roster"
    ]
