"""Two processes archiving the same week: one renders, the other waits and keeps its PDFs.

Before the lock both rendered (each PDF prints its run id, so the bytes differ) and the later
writer replaced the PDF the earlier run had already mailed.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import time
from pathlib import Path

from assets.reporting.archive import write_whole
from assets.reporting.manifest import reuse_or_render

WEEK = "2026-11-16"
WANTED = {"DAYTON": "inputs-of-dayton", "company": "inputs-of-company"}


def _archive(output: str, run: str, about_to_archive, other_is_ready, results) -> None:
    def render(names: list[str]) -> dict[str, bytes]:
        if other_is_ready is not None:
            # render only once the other run is about to archive the same week (its imports take
            # seconds), and take a moment more, so that the two really overlap
            assert other_is_ready.wait(120), "the other run never came"
            time.sleep(1.0)
        return {name: f"%PDF {name} rendered by {run}".encode() for name in names}

    about_to_archive.set()
    pdfs, rendered = reuse_or_render(WANTED, render, Path(output), WEEK)
    results[run] = (rendered, {name: data.decode() for name, data in pdfs.items()})


def test_a_concurrent_run_of_the_week_reuses_the_archive_instead_of_replacing_it(tmp_path):
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        results = manager.dict()
        first_ready, second_ready = context.Event(), context.Event()
        first = context.Process(
            target=_archive, args=(str(tmp_path), "run-A", first_ready, second_ready, results)
        )
        first.start()
        assert first_ready.wait(120), "the first run never started"
        time.sleep(0.5)  # the first run holds the week's archive by now
        second = context.Process(
            target=_archive, args=(str(tmp_path), "run-B", second_ready, None, results)
        )
        second.start()
        first.join(120)
        second.join(120)
        assert (first.exitcode, second.exitcode) == (0, 0)
        outcome = dict(results)

    assert outcome["run-A"][0] == 2  # rendered both reports
    assert outcome["run-B"][0] == 0  # waited, then kept them
    assert outcome["run-B"][1] == outcome["run-A"][1]
    folder = tmp_path / "reports" / WEEK
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, text in outcome["run-A"][1].items():
        archived = (folder / f"{name}.pdf").read_bytes()
        assert archived.decode() == text == f"%PDF {name} rendered by run-A"
        assert manifest[name]["sha256"] == hashlib.sha256(archived).hexdigest()


def test_whole_files_only(tmp_path):
    target = tmp_path / "DAYTON.pdf"
    write_whole(target, b"first")
    write_whole(target, b"second")
    assert target.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["DAYTON.pdf"]  # no temporary left
