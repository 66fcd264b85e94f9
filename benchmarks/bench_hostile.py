"""Benchmark: hostile landing files are rejected in seconds and small memory.

Usage: python benchmarks/bench_hostile.py
Builds, in a temporary folder, one landing folder per hostile file (plus an ordinary one for
reference): a CSV whose header has 1,000,000 columns, an XLSX "zip bomb" (a few MB that unpack
to 19.7 million rows, declaring a one-cell sheet), and a provider file with three
100,000-character names. Each is ingested in a fresh process (inventory, read, conform,
quarantine, de-duplication, identity) with the default limits of config/policy.yaml; prints the
wall time, the peak resident memory of that process and what the intake said about the file.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ROSTER = (
    "employee_id,first_name,last_name,email,site,department,job_role,manager_email,hire_date,"
    "termination_date\nE1,Ann,Lee,ann@acme.example,DAYTON,,Production Technician,,2020-01-01,\n"
)
NORTHFIELD = (
    "Result ID,Employee Number,Email,First Name,Last Name,Module,Exam Date,Score,Result,"
    "Certificate No\n"
)
GOOD_ROW = "R{i},E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C{i}\n"


def _landing(root: Path, name: str) -> Path:
    landing = root / name
    (landing / "roster").mkdir(parents=True)
    (landing / "roster/roster_2026-01-05.csv").write_text(ROSTER)
    folder = landing / "providers/northfield_college"
    folder.mkdir(parents=True)
    (folder / "good.csv").write_text(NORTHFIELD + "".join(GOOD_ROW.format(i=i) for i in range(50)))
    return landing


def build_wide_header(root: Path) -> Path:
    landing = _landing(root, "wide_header")
    header = ",".join(f"c{i}" for i in range(1_000_000))
    (landing / "providers/northfield_college/wide.csv").write_text(header + "\n1,2,3\n")
    return landing


def build_zip_bomb(root: Path, rows: int = 19_700_000) -> Path:
    """A real workbook (xlsxwriter) whose sheet is swapped for millions of tiny rows."""
    import xlsxwriter

    landing = _landing(root, "zip_bomb")
    folder = landing / "providers/apex_academy"
    folder.mkdir(parents=True)
    template = root / "template.xlsx"
    book = xlsxwriter.Workbook(str(template))
    book.add_worksheet("Gradebook").write_row(0, 0, ["title"])
    book.close()
    row = b"<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>"
    with (
        zipfile.ZipFile(template) as src,
        zipfile.ZipFile(folder / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item))
                continue
            head, _, _ = src.read(item).partition(b"<sheetData>")
            with dst.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(head + b"<sheetData>")
                block = row * 100_000
                for _ in range(rows // 100_000):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return landing


def build_long_names(root: Path) -> Path:
    landing = _landing(root, "long_names")
    name = "N" * 100_000
    rows = "".join(f"L{i},E1,,{name},Lee,Safety,03/04/2025,88,PASS,\n" for i in range(3))
    (landing / "providers/northfield_college/names.csv").write_text(NORTHFIELD + rows)
    return landing


def measure(landing: str) -> dict:
    """Runs in a child process so the peak memory belongs to this file alone."""
    from assets.ingest.intake import ingest_week
    from assets.ingest.landing import take_inventory
    from schemas.config import load_config

    config = load_config(ROOT / "config")
    started = time.perf_counter()
    week = ingest_week(
        take_inventory(Path(landing), config.providers),
        config,
        as_of=date(2026, 11, 22),
        today=date(2026, 11, 25),
    )
    seconds = time.perf_counter() - started
    hostile = week.rejects[~week.rejects["source_file"].str.endswith("good.csv")]
    said = hostile["message"].str.slice(0, 150).drop_duplicates().tolist()
    return {
        "seconds": seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "accepted": len(week.results),
        "said": said,
    }


def main() -> None:
    builders = {
        "ordinary (reference)": lambda root: _landing(root, "ordinary"),
        "CSV header of 1,000,000 columns": build_wide_header,
        "XLSX zip bomb (19.7M rows)": build_zip_bomb,
        "three 100,000-character names": build_long_names,
    }
    with tempfile.TemporaryDirectory(prefix="competence-hostile-") as tmp:
        for title, build in builders.items():
            landing = build(Path(tmp))
            sizes = {
                p.name: p.stat().st_size
                for p in landing.rglob("*")
                if p.is_file() and p.name not in {"good.csv", "roster_2026-01-05.csv"}
            }
            child = subprocess.run(
                [sys.executable, __file__, "--measure", str(landing)],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            files = ", ".join(f"{n} {s / 2**20:.1f} MB" for n, s in sizes.items()) or "-"
            print(
                f"{title}: {result['seconds']:.2f} s, peak RSS {result['peak_rss_mb']:.0f} MB, "
                f"{result['accepted']} good rows loaded ({files})"
            )
            for message in result["said"]:
                print(f"    {message}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2])))
    else:
        main()
