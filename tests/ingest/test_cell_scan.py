"""The byte scan that spares the per-column cell checks: it must find every NUL and every bidi
control a UTF-8 file can hold, and leave files in other encodings to the full checks."""

from __future__ import annotations

import datetime as dt

from assets.ingest.cell_checks import BIDI_CONTROLS, TextBytesHint, bytes_hint
from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from schemas.config import Limits
from tests.conftest import RUN_DATE
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write

AS_OF = dt.date(2026, 11, 22)
NF = "providers/northfield_college"
BIDI_EXPECTED = (
    "text without bidirectional control characters (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F)"
)


def test_the_scan_finds_exactly_the_bidi_controls_among_their_neighbours():
    # every character sharing the controls' first UTF-8 bytes (E2 80 / E2 81): dashes, quotes,
    # the ellipsis, U+2029 next to U+202A, U+2065 and U+206A around U+2066-U+2069
    for code in range(0x2000, 0x2070):
        char = chr(code)
        hint = bytes_hint(f"E1,Ann{char},Lee\n".encode(), "utf-8")
        assert hint.may_hold_bidi is (char in BIDI_CONTROLS), f"U+{code:04X}"
        assert hint.may_hold_nul is False
    assert bytes_hint("E1,Zoë €,Lee\n".encode(), "utf-8-sig").may_hold_bidi is False
    assert bytes_hint(b"E1,SAF\x00ETY\n", "UTF8").may_hold_nul is True


def test_files_in_other_encodings_get_every_column_checked():
    # in cp1255 (Hebrew) the byte 0xFE is U+200F, a right-to-left mark: no UTF-8 byte pattern
    # would find it
    assert bytes_hint(b"E1,Ann\xfe\n", "cp1255") == TextBytesHint(True, True)
    assert bytes_hint(b"E1,Ann\n", "latin-1") == TextBytesHint(True, True)
    assert bytes_hint(b"E1,Ann\n", "no-such-codec") == TextBytesHint(True, True)


def _roster(root) -> None:
    write(
        root / "roster/roster_2026-01-05.csv",
        [ROSTER_HEADER, "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,"],
    )


def test_a_bidi_mark_in_a_cp1255_provider_file_is_still_rejected(tmp_path, config):
    _roster(tmp_path)
    northfield = config.providers.providers["northfield_college"]
    providers = config.providers.model_copy(
        update={
            "providers": config.providers.providers
            | {"northfield_college": northfield.model_copy(update={"encoding": "cp1255"})}
        }
    )
    config = config.model_copy(update={"providers": providers})
    write(
        tmp_path / NF / "q1.csv",
        [
            NORTHFIELD_HEADER,
            "R1,E1,,Ann\u200f,Lee,Safety,03/04/2025,88,PASS,C1",
            "R2,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C2",
        ],
        encoding="cp1255",
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    reject = week.rejects.set_index(["source_file", "row_number"]).loc[(f"{NF}/q1.csv", 2)]
    assert (reject["column"], reject["check"], reject["value"]) == (
        "first_name",
        BIDI_EXPECTED,
        "Ann<U+200F>",
    )
    assert week.results["record_id"].tolist() == ["R2"]


def test_the_length_limit_counts_characters_not_bytes(tmp_path, config):
    _roster(tmp_path)
    limits = Limits(max_cell_chars=21)  # the roster's longest cell is 21 characters
    config = config.model_copy(
        update={"policy": config.policy.model_copy(update={"limits": limits})}
    )
    write(
        tmp_path / NF / "q1.csv",
        [
            NORTHFIELD_HEADER,
            f"R1,E1,,{'Å' * 21},Lee,Safety,03/04/2025,88,PASS,C1",  # 21 characters in 42 bytes
            f"R2,E1,,{'Å' * 22},Lee,Safety,03/04/2025,88,PASS,C2",
        ],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    rejects = week.rejects[week.rejects["row_number"].notna()]
    assert rejects[["row_number", "column", "check"]].values.tolist() == [
        [3, "first_name", "at most 21 characters (limits.max_cell_chars)"]
    ]
    assert week.results["record_id"].tolist() == ["R1"]
