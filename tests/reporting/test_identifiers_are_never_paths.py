"""Site codes from the data are identifiers, never paths: a real roster through a real week.

The roster carries every way a site value could steer a file: parent folders, an absolute path,
separators, Windows device names, dot-names and the roll-up's own name. They are rejected rows
with a message naming the value and the pattern; the week still runs for the good rows, every
file lands under the output folder, and last week's archived PDF is untouched.
"""

# No ``from __future__ import annotations``: Dagster reads type hints at runtime.

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.reporting.paths import UnsafeReportPath, report_path
from pipelines.definitions import defs
from schemas.identifiers import SITE_CODE_PATTERN
from tests.conftest import PROJECT_ROOT
from tests.ingest.landing_builder import NORTHFIELD_HEADER, ROSTER_HEADER, write
from tests.reporting.pdf_reading import pdf_text
from tests.week_resources import outbox_mailer, week_resources

WEEK = "2026-11-16"
LAST_WEEK = "2026-11-09"
ARCHIVED = b"%PDF-1.7 last week's archived report, as mailed\n"


def _hostile_sites(outside: Path) -> list[str]:
    return [
        f"../{LAST_WEEK}/DAYTON",  # would overwrite last week's archived PDF
        "../../../escape",
        str(outside / "EVIL"),  # an absolute path outside the output folder
        "A/B",  # crashed the report step for every site
        "A\\B",
        "CON",
        "nul",
        "COM1",
        "LPT9",
        ".hidden",
        "..",
        ".",
        "company",  # the roll-up's name
        "COMPANY",
        "DAYTON PLANT",
        "X" * 33,
        "DAYTON.pdf",
    ]


def _landing(root: Path, hostile: list[str]) -> None:
    good = [
        "E1,Ann,Lee,,DAYTON,,Production Technician,,2020-01-01,",
        "E2,Bob,Ray,,DAYTON,,Production Technician,,2020-01-01,",
        # trimmed and upper-cased: the same site as GREENVILLE
        "E3,Cy,Oh,,  greenville ,,Production Technician,,2020-01-01,",
    ]
    bad = [
        f'H{i},Hal,Ice,,"{site}",,Production Technician,,2020-01-01,'
        for i, site in enumerate(hostile)
    ]
    write(root / "roster/roster_2026-01-05.csv", [ROSTER_HEADER, *good, *bad])
    write(
        root / "providers/northfield_college/q1.csv",
        [NORTHFIELD_HEADER, "R1,E1,,Ann,Lee,Safety,03/04/2025,88,PASS,C1"],
    )


def _config(tmp_path: Path) -> Path:
    # The hostile rows are most of this tiny roster; let the week's mail go anyway so the
    # test sees the messages (the threshold's own behaviour is tested in tests/ingest).
    target = tmp_path / "config"
    shutil.copytree(PROJECT_ROOT / "config", target)
    policy = target / "policy.yaml"
    policy.write_text(
        policy.read_text().replace("reject_share_threshold: 0.05", "reject_share_threshold: 1.0")
    )
    return target


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def week_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("paths")
    outside = tmp_path / "outside"
    hostile = _hostile_sites(outside)
    _landing(tmp_path / "landing", hostile)
    config = _config(tmp_path)
    output = tmp_path / "var"
    archived = output / "reports" / LAST_WEEK / "DAYTON.pdf"
    archived.parent.mkdir(parents=True)
    archived.write_bytes(ARCHIVED)
    before = _files_under(tmp_path)
    resources = week_resources(
        output, landing=tmp_path / "landing", config_dir=config, mailer=outbox_mailer(output)
    )
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            list(defs.assets),
            partition_key=WEEK,
            resources=resources,
            instance=instance,
            run_config={"ops": {"email_delivery": {"config": {"send": True}}}},
        )
    return {
        "tmp": tmp_path,
        "output": output,
        "outside": outside,
        "hostile": hostile,
        "archived": archived,
        "before": before,
        "result": result,
    }


def _query(output: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(output / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_every_hostile_site_is_a_reject_naming_the_value_and_the_pattern(week_run):
    assert week_run["result"].success
    rejects = _query(
        week_run["output"],
        'select row_number, "column", value, message from competence.rejected_rows '
        "order by row_number",
    )
    hostile = week_run["hostile"]
    assert [(r[0], r[1], r[2]) for r in rejects] == [
        (5 + i, "site", site) for i, site in enumerate(hostile)
    ]
    for i, ((row, _, _, message), site) in enumerate(zip(rejects, hostile, strict=True)):
        assert message.startswith(
            f"roster/roster_2026-01-05.csv row {row} (employee_id H{i}), column 'site': "
            "expected a site code "
            f"matching {SITE_CODE_PATTERN} "
        )
        assert message.endswith(f"found {site!r}")
        assert "(COMPANY, CON, PRN, AUX, NUL, COM1-9, LPT1-9)" in message
    # every input row is accounted for: 3 accepted + the rejects
    assert _query(
        week_run["output"],
        "select rows_in, accepted, rejected from competence.source_files where source = 'roster'",
    ) == [(3 + len(hostile), 3, len(hostile))]
    sites = _query(
        week_run["output"], "select distinct site from competence.roster_snapshot order by site"
    )
    assert sites == [("DAYTON",), ("GREENVILLE",)]


def test_nothing_is_written_outside_the_output_folder(week_run):
    tmp, output = week_run["tmp"], week_run["output"]
    new = _files_under(tmp) - week_run["before"]
    assert new, "the week wrote its outputs"
    assert {p for p in new if not p.is_relative_to(output)} == set()
    assert not week_run["outside"].exists()
    assert week_run["archived"].read_bytes() == ARCHIVED
    assert sorted(p.name for p in (output / "reports" / LAST_WEEK).iterdir()) == ["DAYTON.pdf"]
    assert sorted(p.name for p in (output / "reports").iterdir()) == [LAST_WEEK, WEEK]
    reports = sorted(p.name for p in (output / "reports" / WEEK).iterdir())
    assert reports == [
        ".archive.lock",  # one writer of the week's archive at a time
        "DAYTON.pdf",
        "GREENVILLE.pdf",
        "QUERETARO.pdf",  # configured, nobody on the roster: its report says so
        "company.pdf",
        "manifest.json",
    ]


def test_the_roll_up_is_the_only_report_named_company(week_run):
    output = week_run["output"]
    index = _query(output, "select report, path from competence.site_report_pdfs order by report")
    assert [r[0] for r in index] == ["DAYTON", "GREENVILLE", "QUERETARO", "company"]
    for _, path in index:
        assert Path(path).parent == output / "reports" / WEEK
    company = pdf_text((output / "reports" / WEEK / "company.pdf").read_bytes())
    assert "All sites" in company
    outbox = sorted(p.name for p in (output / "outbox").iterdir())
    assert outbox == [
        "DAYTON_2026-W47_qm.dayton@example.com.eml",
        "GREENVILLE_2026-W47_deputy.qm.greenville@example.com.eml",
        "GREENVILLE_2026-W47_qm.greenville@example.com.eml",
        "QUERETARO_2026-W47_qm.queretaro@example.com.eml",
        "company_2026-W47_quality.director@example.com.eml",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "../2026-11-09/DAYTON",
        "/etc/passwd",
        "A/B",
        "A\\B",
        "CON",
        "NUL",
        ".hidden",
        "..",
        "COMPANY",
        "dayton",
        "",
    ],
)
def test_report_path_refuses_anything_but_a_site_code_or_the_roll_up(tmp_path, name):
    with pytest.raises(UnsafeReportPath, match="report name"):
        report_path(tmp_path, WEEK, name)


@pytest.mark.parametrize("week", ["../2026-11-09", "2026-11-16/..", "/tmp", "2026-W47", ""])
def test_report_path_refuses_a_week_that_is_not_a_date(tmp_path, week):
    with pytest.raises(UnsafeReportPath, match="expected a date YYYY-MM-DD"):
        report_path(tmp_path, week, "DAYTON")


def test_report_path_of_a_site_and_the_roll_up(tmp_path):
    assert report_path(tmp_path, WEEK, "DAYTON") == tmp_path / "reports" / WEEK / "DAYTON.pdf"
    assert report_path(tmp_path, WEEK, "company") == tmp_path / "reports" / WEEK / "company.pdf"
