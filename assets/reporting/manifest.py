"""The week's report archive manifest: which PDFs to keep, which to render, and filing them.

A week's PDF prints the run that rendered it, so rendering it again would change its bytes and
make a plain rerun look like a changed report (and the archived copy differ from the mailed
one). ``manifest.json`` beside the PDFs records each report's input fingerprint and hash, and
its revision history (``document_control``). Archiving a week has two halves, which may run in
different steps (and processes, and machines):

1. :func:`plan_archive`, under the week's archive lock: every report whose fingerprint and file
   match the manifest is kept; the others are *stale*, each given the revision it will carry and
   why. The manifest entry each stale report had is remembered.
2. :func:`file_archive`, under the lock again, once the stale reports are rendered: each is
   written (whole, atomically) and the manifest updated. Should another run of the week have
   filed in between, a report it filed with the same inputs is kept (that is the copy it may
   have mailed) and ours is dropped; a report it filed from other inputs makes this run fail
   rather than overwrite it with a revision computed before it was there.

:func:`reuse_or_render` does both in one process, holding the lock throughout. Every file name
comes from :func:`report_path`, which refuses anything but a site code or the roll-up's name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from assets.reporting.archive import exclusive_archive, write_whole
from assets.reporting.document_control import revision_for
from assets.reporting.paths import report_dir, report_path

MANIFEST = "manifest.json"


class ArchiveChanged(RuntimeError):
    """Another run of the week filed a report from other inputs while this one rendered."""


@dataclass(frozen=True)
class ArchivePlan:
    """What :func:`plan_archive` found: the reports to render, their revisions, what was there."""

    week: str
    wanted: dict[str, str]  # report name -> input fingerprint
    parts: dict[str, dict[str, str]]
    stale: list[str]
    revisions: dict[str, tuple[int, str]]
    # each stale report's manifest entry when planned (None: none), to notice a concurrent run
    seen: dict[str, dict | None] = field(default_factory=dict)


def _read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    return json.loads(path.read_text()) if path.exists() else {}


def _kept_bytes(entry: dict | None, inputs: str, path: Path) -> bytes | None:
    """The archived PDF when its manifest entry matches ``inputs`` and its bytes its hash."""
    if not entry or entry.get("inputs") != inputs or not path.exists():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == entry.get("sha256") else None


def _plan_locked(
    folder: Path, output: Path, week: str, wanted: dict[str, str], parts: dict
) -> ArchivePlan:
    manifest = _read_manifest(folder)
    stale = [
        name
        for name, inputs in wanted.items()
        if _kept_bytes(manifest.get(name), inputs, report_path(output, week, name)) is None
    ]
    return ArchivePlan(
        week=week,
        wanted=dict(wanted),
        parts=parts,
        stale=stale,
        revisions={name: revision_for(manifest.get(name), parts.get(name, {})) for name in stale},
        seen={name: manifest.get(name) for name in stale},
    )


def plan_archive(
    output: Path, week: str, wanted: dict[str, str], parts: dict[str, dict[str, str]] | None = None
) -> ArchivePlan:
    """Which of the week's reports are stale (to render) and the revision each will carry."""
    folder = report_dir(output, week)
    with exclusive_archive(folder):
        return _plan_locked(folder, output, week, wanted, parts or {})


def _file_locked(
    folder: Path, output: Path, plan: ArchivePlan, rendered: dict[str, bytes], issued_on
) -> tuple[dict[str, bytes], int]:
    manifest = _read_manifest(folder)
    pdfs: dict[str, bytes] = {}
    written = 0
    for name, inputs in plan.wanted.items():
        path, entry = report_path(output, plan.week, name), manifest.get(name)
        if name in plan.stale and entry != plan.seen.get(name):
            # another run of the week filed this report after we planned it
            theirs = _kept_bytes(entry, inputs, path)
            if theirs is None:
                raise ArchiveChanged(
                    f"week {plan.week}: another run filed the report {name!r} from other inputs "
                    "while this run rendered it; run the week again to reissue it"
                )
            pdfs[name] = theirs
            continue
        if name not in plan.stale:
            kept = _kept_bytes(entry, inputs, path)
            if kept is None:
                raise ArchiveChanged(
                    f"week {plan.week}: the archived report {name!r} changed while this run "
                    "rendered the others; run the week again"
                )
            pdfs[name] = kept
            continue
        data = rendered[name]
        write_whole(path, data)
        written += 1
        digest = hashlib.sha256(data).hexdigest()
        revision, reason = plan.revisions[name]
        issue = {
            "revision": revision,
            "reason": reason,
            "issued_on": issued_on.isoformat() if issued_on else None,
            "inputs": inputs,
            "sha256": digest,
        }
        history = (entry or {}).get("revisions", [])
        manifest[name] = {
            "inputs": inputs,
            "sha256": digest,
            "revision": revision,
            "parts": plan.parts.get(name, {}),
            "revisions": [*history, issue],
        }
        pdfs[name] = data
    write_whole(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return pdfs, written


def file_archive(
    output: Path, plan: ArchivePlan, rendered: dict[str, bytes], issued_on: date | None = None
) -> tuple[dict[str, bytes], int]:
    """Write the rendered stale reports and the manifest; every wanted report's bytes, and how
    many this run wrote. Raises :class:`ArchiveChanged` (see the module)."""
    folder = report_dir(output, plan.week)
    with exclusive_archive(folder):
        return _file_locked(folder, output, plan, rendered, issued_on)


def reuse_or_render(
    wanted: dict[str, str],
    render: Callable[[list[str]], dict[str, bytes]],
    output: Path,
    week: str,
    parts: dict[str, dict[str, str]] | None = None,
    revise: Callable[[dict[str, tuple[int, str]]], None] | None = None,
    issued_on: date | None = None,
) -> tuple[dict[str, bytes], int]:
    """Keep a week's PDF whose inputs did not change since it was rendered; render the rest, in
    one process, holding the archive lock throughout (a concurrent run of the week waits, then
    keeps ours). ``revise`` is told each stale report's revision before it renders."""
    folder = report_dir(output, week)
    with exclusive_archive(folder):
        plan = _plan_locked(folder, output, week, wanted, parts or {})
        if plan.stale and revise is not None:
            revise(plan.revisions)
        rendered = render(plan.stale) if plan.stale else {}
        return _file_locked(folder, output, plan, rendered, issued_on)
