"""One bad file, one reject: files that vanish, change, cannot be opened or are not regular
files are rejected alone; links are never followed; NUL bytes and bidi controls reject their
cell instead of being cut short or shown."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import xlsxwriter

from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from tests.conftest import PROJECT_ROOT, RUN_DATE
from tests.ingest.landing_builder import (
    ACTIVITY_HEADER,
    CANONICAL_HEADER,
    NORTHFIELD_HEADER,
    ROSTER_HEADER,
    write,
)

AS_OF = dt.date(2026, 11, 22)
ANN = "E1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,"
NF = "providers/northfield_college"


def _roster(root: Path) -> None:
    write(root / "roster/roster_2026-01-05.csv", [ROSTER_HEADER, ANN])


def _results(root: Path, name: str, record: str) -> Path:
    return write(
        root / NF / name, [NORTHFIELD_HEADER, f"{record},E1,,Ann,Lee,Safety,03/04/2025,88,PASS,"]
    )


def _problems(week) -> dict[str, str]:
    files = week.source_files
    return dict(zip(files["file"], files["problem"], strict=True))


def test_links_are_reported_and_never_read(tmp_path, config):
    landing = tmp_path / "landing"
    _roster(landing)
    outside = write(tmp_path / "elsewhere/roster.csv", [ROSTER_HEADER, ANN.replace("E1", "E9")])
    os.symlink(outside, landing / "roster/roster_2026-06-01.csv")
    (landing / "providers/acme").mkdir(parents=True)
    write(
        landing / "providers/acme/good.csv",
        [CANONICAL_HEADER, "x,H1,E1,,,,SAFETY,2025-01-01,90,true,"],
    )
    os.symlink("/etc/passwd", landing / "providers/acme/passwd.csv")
    os.symlink(tmp_path / "elsewhere", landing / "activities")
    week = ingest_week(take_inventory(landing, config.providers), config, AS_OF, RUN_DATE)
    problems = _problems(week)
    link_text = (
        ": a symbolic link; links are not followed (they could point anywhere on the machine) "
        "— copy the file itself into the landing folder"
    )
    assert problems["providers/acme/passwd.csv"] == "providers/acme/passwd.csv" + link_text
    assert problems["roster/roster_2026-06-01.csv"] == "roster/roster_2026-06-01.csv" + link_text
    assert problems["activities/"] == "activities/" + link_text
    # not read: no fingerprint of them, and the linked roster is not the week's roster
    passwd_sha = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    assert passwd_sha not in set(week.source_files["sha256"].dropna())
    files = week.source_files.set_index("file")
    assert files.loc["providers/acme/passwd.csv", "sha256"] is None
    assert week.roster_file == "roster/roster_2026-01-05.csv"
    assert week.roster["employee_id"].tolist() == ["E1"]
    assert week.results["record_id"].tolist() == ["H1"]
    checks = week.rejects.set_index("source_file")["check"]
    assert checks["providers/acme/passwd.csv"] == "a regular file, not a symbolic link"


def test_a_file_that_vanishes_or_changes_after_the_inventory_is_rejected_alone(tmp_path, config):
    _roster(tmp_path)
    gone = _results(tmp_path, "gone.csv", "R1")
    changed = _results(tmp_path, "changed.csv", "R2")
    piped = _results(tmp_path, "piped.csv", "R3")
    kept = _results(tmp_path, "kept.csv", "R4")
    inventory = take_inventory(tmp_path, config.providers)
    gone.unlink()
    changed.write_text(changed.read_text() + "R5,E1,,Ann,Lee,Safety,03/04/2025,90,PASS,\n")
    piped.unlink()
    os.mkfifo(piped)  # a path replaced by a named pipe: opening must not hang
    week = ingest_week(inventory, config, AS_OF, RUN_DATE)
    problems = _problems(week)
    assert problems[f"{NF}/gone.csv"] == (
        f"{NF}/gone.csv: the file disappeared after the landing folder was listed (moved or "
        "deleted during the run); it will be read by the next run"
    )
    assert problems[f"{NF}/changed.csv"] == (
        f"{NF}/changed.csv: the file changed after the landing folder was listed; it is not "
        "loaded this run so that the rows and the recorded SHA-256 come from one version — the "
        "next run reads it again"
    )
    assert problems[f"{NF}/piped.csv"] == (
        f"{NF}/piped.csv: is no longer a regular file (replaced after the landing folder was "
        "listed); not read"
    )
    assert week.results["record_id"].tolist() == ["R4"]
    # the hash recorded is the hash of the bytes that were parsed
    files = week.source_files.set_index("file")
    assert files.loc[f"{NF}/kept.csv", "sha256"] == hashlib.sha256(kept.read_bytes()).hexdigest()
    assert files.loc[f"{NF}/gone.csv", "sha256"] is None
    whole = week.rejects[week.rejects["row_number"].isna()]
    assert sorted(whole["source_file"]) == [
        f"{NF}/changed.csv",
        f"{NF}/gone.csv",
        f"{NF}/piped.csv",
    ]


def test_special_entries_are_reported(tmp_path, config):
    _roster(tmp_path)
    (tmp_path / NF).mkdir(parents=True, exist_ok=True)
    os.mkfifo(tmp_path / NF / "pipe.csv")
    write(  # a folder named like a file, with a file inside
        tmp_path / NF / "march.csv/inside.csv",
        [NORTHFIELD_HEADER, "R1,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,"],
    )
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    problems = _problems(week)
    assert (
        problems[f"{NF}/pipe.csv"] == f"{NF}/pipe.csv: not a regular file (a named pipe); not read"
    )
    assert problems[f"{NF}/march.csv/"] == (
        f"{NF}/march.csv/: a folder named like a data file (.csv); expected a file — its "
        "contents are listed separately"
    )
    # what is inside the folder is still accounted for (here: read as the provider's file)
    assert week.results["record_id"].tolist() == ["R1"]


_AS_NOBODY = """
import datetime as dt, json, sys
from assets.ingest.intake import ingest_week
from assets.ingest.landing import take_inventory
from schemas.config import load_config
config = load_config("config")
week = ingest_week(take_inventory(sys.argv[1], config.providers), config,
                   dt.date(2026, 11, 22), dt.date(2026, 11, 25))
files = week.source_files
print(json.dumps({"problems": dict(zip(files["file"], files["problem"])),
                  "results": week.results["record_id"].tolist(),
                  "roster": week.roster["employee_id"].tolist()}))
"""


def test_a_folder_or_file_the_pipeline_may_not_read_is_reported_and_the_rest_loads():
    # root reads everything: as root, the intake runs as 'nobody', in a real subprocess
    as_nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    prefix = as_nobody if os.geteuid() == 0 else []
    landing = Path(tempfile.mkdtemp(prefix="competence-perm-"))
    try:
        _roster(landing)
        _results(landing, "ok.csv", "R1")
        write(landing / "providers/acme/x.csv", [CANONICAL_HEADER])
        locked_file = write(landing / "activities/ce.csv", [ACTIVITY_HEADER])
        for folder in [landing, *(p for p in landing.rglob("*") if p.is_dir())]:
            folder.chmod(0o755)
        for file in landing.rglob("*.csv"):
            file.chmod(0o644)
        (landing / "providers/acme").chmod(0o000)
        locked_file.chmod(0o000)
        done = subprocess.run(
            [*prefix, sys.executable, "-c", _AS_NOBODY, str(landing)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": os.environ["PATH"], "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        (landing / "providers/acme").chmod(0o755)
        shutil.rmtree(landing)
    assert out["problems"]["providers/acme/"] == (
        "providers/acme/: the folder cannot be listed (Permission denied); none of its files "
        "were read — give the pipeline's user read and execute permission on it"
    )
    assert out["problems"]["activities/ce.csv"] == (
        "activities/ce.csv: the file cannot be opened (permission denied); give the pipeline's "
        "user read permission on it"
    )
    assert out["results"] == ["R1"] and out["roster"] == ["E1"]


def test_nul_bytes_and_bidi_controls_reject_their_cell_never_cut_short(tmp_path, config):
    _roster(tmp_path)
    write(
        tmp_path / "activities/ce.csv",
        [
            ACTIVITY_HEADER,
            "E1,2025-06-01,course,8,,SAF\0ETY,CE-1",
            "E1,2025-06-02,course,8,,Lean \u202egnp.exe,CE-2",
            "E1,2025-06-03,course,8,,Lean basics,CE-3",
            "E1,2025-06-04,course,8,,marked\u200f,CE-4",
        ],
    )
    (tmp_path / "providers/apex_academy").mkdir(parents=True)
    book = xlsxwriter.Workbook(str(tmp_path / "providers/apex_academy/g.xlsx"))
    sheet = book.add_worksheet("Gradebook")
    sheet.write_row(0, 0, ["title"])
    header = ["Attempt ID", "Learner", "Learner Email", "Course Code", "Completed On"]
    sheet.write_row(1, 0, [*header, "Percentage", "Badge"])
    sheet.write_row(2, 0, ["A1", "Lee, Ann\u2066", "", "CPT-SAF", "2025-01-02", 0.9, "B1"])
    sheet.write_row(3, 0, ["A2", "Lee, Ann", "", "CPT-SAF", "2025-01-02", 0.9, "B2"])
    book.close()
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    rejects = week.rejects.set_index(["source_file", "row_number"])
    nul = rejects.loc[("activities/ce.csv", 2)]
    assert (nul["column"], nul["check"], nul["value"]) == (
        "description",
        "text without NUL characters",
        "SAF<U+0000>ETY",
    )
    assert nul["message"] == (
        "activities/ce.csv row 2 (employee_id E1), column 'description': expected text without "
        "NUL characters, found 'SAF<U+0000>ETY'"
    )
    bidi_expected = (
        "text without bidirectional control characters (U+202A-U+202E, U+2066-U+2069, U+200E, "
        "U+200F)"
    )
    assert rejects.loc[("activities/ce.csv", 3), ["check", "value"]].tolist() == [
        bidi_expected,
        "Lean <U+202E>gnp.exe",
    ]
    assert rejects.loc[("activities/ce.csv", 5), "value"] == "marked<U+200F>"
    xlsx = rejects.loc[("providers/apex_academy/g.xlsx", 3)]
    assert (xlsx["column"], xlsx["value"], xlsx["record_key"]) == (
        "first_name",
        "Lee, Ann<U+2066>",
        "A1",
    )
    assert week.activities["evidence_ref"].tolist() == ["CE-3"]
    assert week.results["record_id"].tolist() == ["A2"]
    # nothing the quarantine shows carries the characters themselves
    shown = "".join(week.rejects[["value", "message"]].fillna("").to_numpy().ravel())
    assert not set(shown) & set("\0\u202e\u2066\u200f")


def test_a_top_folder_that_is_a_file_is_reported(tmp_path, config):
    _roster(tmp_path)
    (tmp_path / "activities").write_text("not a folder")
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    assert _problems(week)["activities"] == "activities: expected a folder, found a file"
    assert week.roster["employee_id"].tolist() == ["E1"]


def test_a_file_name_with_bidi_or_control_characters_is_reported_escaped(tmp_path, config):
    _roster(tmp_path)
    _results(tmp_path, "evil\u202ecsv.exe.csv", "R1")
    _results(tmp_path, "two\nlines.csv", "R2")
    _results(tmp_path, "fine.csv", "R3")
    week = ingest_week(take_inventory(tmp_path, config.providers), config, AS_OF, RUN_DATE)
    problems = _problems(week)
    assert problems[f"{NF}/evil<U+202E>csv.exe.csv"] == (
        f"{NF}/evil<U+202E>csv.exe.csv: the name holds control or bidirectional characters "
        "(shown as <U+....>); rename it — such a name reads differently from what it is"
    )
    assert f"{NF}/two<U+000A>lines.csv" in problems
    assert week.results["record_id"].tolist() == ["R3"]
    shown = "".join(week.source_files["file"]) + "".join(week.rejects["message"])
    assert "\u202e" not in shown and "\n" not in shown
