"""The landing folder's inventory: which files are there, what they are, and how they looked.

Whole-file problems that can be told without parsing (an unknown provider folder, a stray
non-data file, a symbolic link, a folder named like a data file, a folder that cannot be listed)
are decided here, so every entry of the landing folder is accounted for.

The inventory never follows a symbolic link and never reads a file's content except the first
line of files in a provider folder without a ``providers.yaml`` entry (to tell a canonical folder
from an unknown one). Each file's size, inode and modification time are remembered: the reader
(``snapshot.py``) rejects a file that changed between the inventory and the read, and hashes the
bytes it actually parses.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from schemas.config import CANONICAL_RESULT_COLUMNS, ProvidersConfig

from .cell_checks import BIDI_CONTROLS
from .snapshot import UnreadableFile, fingerprint, read_head

DATA_SUFFIXES = {".csv", ".xlsx"}
ROSTER_NAME = re.compile(r"^roster_(\d{4}-\d{2}-\d{2})\.(csv|xlsx)$", re.IGNORECASE)
# A folder without a providers.yaml entry is canonical when one of its CSV headers names these.
CANONICAL_MARKERS = ("record_id", "assessment_date")
_HEADER_DELIMITERS = (",", ";", "\t", "|")
# characters a file name must not carry into messages, CSVs and PDFs: C0 controls (line breaks
# would split a one-line message) and the bidi controls that make a name display reversed
_NAME_HAZARDS = {chr(c) for c in range(32)} | {"\x7f"} | set(BIDI_CONTROLS)
_NAMED = {ord(c): f"<U+{ord(c):04X}>" for c in _NAME_HAZARDS}


@dataclass(frozen=True)
class FileStat:
    """What the inventory saw; the reader insists on the same file."""

    size: int
    modified_ns: int
    inode: int


@dataclass(frozen=True)
class LandingFile:
    """One file found in the landing folder."""

    kind: str  # roster | provider | activities | exemptions | revocations
    source: str  # "roster", the provider name, or the folder name
    path: Path
    relative_path: str
    seen: FileStat
    extract_date: date | None = None  # roster extracts only
    canonical: bool = False  # a provider folder read in the canonical shape (no yaml entry)

    @property
    def modified_ns(self) -> int:  # the drop order: later modification = later drop
        return self.seen.modified_ns


@dataclass(frozen=True)
class FileProblem:
    """A file (or folder) rejected whole, with a message that names it and what is wrong."""

    source: str
    relative_path: str
    sha256: str | None
    problem: str
    check: str  # what was expected, as in a reject row's ``check``
    modified_ns: int | None = None


@dataclass
class LandingInventory:
    rosters: list[LandingFile]
    provider_files: list[LandingFile]
    canonical_providers: set[str]
    activity_files: list[LandingFile]
    problems: list[FileProblem]
    exemption_files: list[LandingFile] = field(default_factory=list)
    revocation_files: list[LandingFile] = field(default_factory=list)

    @property
    def all_files(self) -> list[LandingFile]:
        return [
            *self.rosters,
            *self.provider_files,
            *self.activity_files,
            *self.exemption_files,
            *self.revocation_files,
        ]


@dataclass(frozen=True)
class _Entry:
    path: Path
    seen: FileStat


class _Walker:
    """Lists regular files under a folder without following links; records what it skips."""

    def __init__(self, root: Path, problems: list[FileProblem]):
        self.root = root
        self.problems = problems

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def problem(
        self, path: Path, source: str, text: str, check: str, is_dir=False, seen=None
    ) -> None:
        """Record a whole-file problem; a regular file's fingerprint is kept as evidence."""
        rel = (self.rel(path) + ("/" if is_dir else "")).translate(_NAMED)
        sha256 = fingerprint(path, seen) if seen is not None else None
        self.problems.append(FileProblem(source, rel, sha256, f"{rel}: {text}", check))

    def files(self, folder: Path, source: str) -> list[_Entry]:
        """Every visible regular file under ``folder``, sorted; the rest reported."""
        found: list[_Entry] = []
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            return found  # an absent folder holds no files (the roster choice reports no roster)
        except OSError as exc:
            self.problem(
                folder,
                source,
                f"the folder cannot be looked at ({exc.strerror or exc}); none of its files were "
                "read",
                "a folder the pipeline may list",
                is_dir=True,
            )
            return found
        if stat.S_ISLNK(info.st_mode):
            self.problem(folder, source, _LINK_TEXT, _LINK_CHECK, is_dir=True)
        elif not stat.S_ISDIR(info.st_mode):
            self.problem(folder, source, "expected a folder, found a file", "a folder")
        else:
            self._walk(folder, source, found)
        return sorted(found, key=lambda e: e.path)

    def _walk(self, folder: Path, source: str, found: list[_Entry]) -> None:
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            self.problem(
                folder,
                source,
                f"the folder cannot be listed ({exc.strerror or exc}); none of its files were "
                "read — give the pipeline's user read and execute permission on it",
                "a folder the pipeline may list",
                is_dir=True,
            )
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue  # hidden files and folders (editor backups, .complete markers)
            path = Path(entry.path)
            if set(entry.name) & _NAME_HAZARDS:
                self.problem(
                    path,
                    source,
                    "the name holds control or bidirectional characters (shown as <U+....>); "
                    "rename it — such a name reads differently from what it is",
                    "a name without control or bidirectional characters",
                )
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                self.problem(
                    path, source, "disappeared while the landing folder was listed", _GONE_CHECK
                )
                continue
            if stat.S_ISLNK(info.st_mode):
                self.problem(path, source, _LINK_TEXT, _LINK_CHECK)
            elif stat.S_ISDIR(info.st_mode):
                if path.suffix.lower() in DATA_SUFFIXES:
                    self.problem(
                        path,
                        source,
                        f"a folder named like a data file ({path.suffix.lower()}); expected a "
                        "file — its contents are listed separately",
                        "a file, not a folder",
                        is_dir=True,
                    )
                self._walk(path, source, found)
            elif stat.S_ISREG(info.st_mode):
                found.append(_Entry(path, FileStat(info.st_size, info.st_mtime_ns, info.st_ino)))
            else:
                self.problem(
                    path,
                    source,
                    f"not a regular file ({_kind_of(info.st_mode)}); not read",
                    "a regular file",
                )


_LINK_TEXT = (
    "a symbolic link; links are not followed (they could point anywhere on the machine) — "
    "copy the file itself into the landing folder"
)
_LINK_CHECK = "a regular file, not a symbolic link"
_GONE_CHECK = "a file present for the whole run"


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _header_names(path: Path, seen: FileStat) -> set[str]:
    """The first line's column names, split on whichever common delimiter it uses.

    Lenient on purpose (any encoding, any delimiter): it only decides whether the folder is
    meant to be canonical, so that a badly exported file in it gets its own diagnosis.
    """
    try:
        head = read_head(path, seen)
    except UnreadableFile:
        return set()
    line = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    delimiter = max(_HEADER_DELIMITERS, key=line.count)
    return {name.strip().strip('"').strip().lower() for name in line.split(delimiter)}


def _provider_folders(
    walker: _Walker, providers_root: Path, providers: ProvidersConfig, inv: LandingInventory
) -> None:
    by_folder: dict[str, list[_Entry]] = {}
    for entry in walker.files(providers_root, "providers"):
        parts = entry.path.relative_to(providers_root).parts
        if len(parts) < 2:
            walker.problem(
                entry.path,
                "providers",
                "provider files belong in a folder named after the provider "
                "(providers/<provider>/...)",
                "a file inside providers/<provider>/",
                seen=entry.seen,
            )
            continue
        by_folder.setdefault(parts[0], []).append(entry)

    for provider, entries in sorted(by_folder.items()):
        data = []
        for entry in entries:
            if entry.path.suffix.lower() in DATA_SUFFIXES:
                data.append(entry)
            else:
                walker.problem(
                    entry.path,
                    provider,
                    "not a data file (expected .csv or .xlsx); ignored",
                    "a .csv or .xlsx file",
                    seen=entry.seen,
                )
        configured = provider in providers.providers
        canonical = not configured and any(
            e.path.suffix.lower() == ".csv"
            and set(CANONICAL_MARKERS) <= _header_names(e.path, e.seen)
            for e in data
        )
        if data and not (configured or canonical):
            names = [walker.rel(e.path).rsplit("/", 1)[-1] for e in data]
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            walker.problem(
                providers_root / provider,
                provider,
                f"unknown provider folder '{provider}': it has no entry in providers.yaml and "
                f"none of its {len(names)} data file(s) ({shown}) carries the canonical columns "
                f"({', '.join(CANONICAL_RESULT_COLUMNS[1:])}); nothing in it was loaded",
                "a provider folder configured in providers.yaml or with canonical columns",
                is_dir=True,
            )
            continue
        if canonical:
            inv.canonical_providers.add(provider)
        for entry in data:
            inv.provider_files.append(
                _landing_file(walker, entry, "provider", provider, canonical=canonical)
            )


def _landing_file(walker: _Walker, entry: _Entry, kind: str, source: str, **extra) -> LandingFile:
    return LandingFile(kind, source, entry.path, walker.rel(entry.path), entry.seen, **extra)


def take_inventory(landing_dir: Path, providers: ProvidersConfig) -> LandingInventory:
    """Classify every entry under the landing folder; nothing is silently ignored."""
    landing_dir = Path(landing_dir)
    inv = LandingInventory([], [], set(), [], [])
    walker = _Walker(landing_dir, inv.problems)

    for entry in walker.files(landing_dir / "roster", "roster"):
        name = entry.path.name
        match = ROSTER_NAME.match(name)
        if match is None:
            walker.problem(
                entry.path,
                "roster",
                "not a roster extract; expected a name like roster_YYYY-MM-DD.csv or "
                "roster_YYYY-MM-DD.xlsx",
                "a roster extract named roster_YYYY-MM-DD.csv or .xlsx",
                seen=entry.seen,
            )
            continue
        try:
            extract = date.fromisoformat(match.group(1))
        except ValueError:
            walker.problem(
                entry.path,
                "roster",
                f"the extract date {match.group(1)} in the file name is not a real date",
                "a real date in the file name",
                seen=entry.seen,
            )
            continue
        inv.rosters.append(_landing_file(walker, entry, "roster", "roster", extract_date=extract))

    _provider_folders(walker, landing_dir / "providers", providers, inv)

    # plain CSV folders: continuing education and the company's recorded decisions
    csv_folders = {
        "activities": inv.activity_files,
        "exemptions": inv.exemption_files,
        "revocations": inv.revocation_files,
    }
    for folder, found in csv_folders.items():
        for entry in walker.files(landing_dir / folder, folder):
            if entry.path.suffix.lower() != ".csv":
                walker.problem(
                    entry.path,
                    folder,
                    "not a data file (expected .csv); ignored",
                    "a .csv file",
                    seen=entry.seen,
                )
                continue
            found.append(_landing_file(walker, entry, folder, folder))

    _strays(walker, landing_dir)

    inv.rosters.sort(key=lambda f: f.extract_date)
    inv.provider_files.sort(key=lambda f: (f.source, f.modified_ns, f.relative_path))
    for found in csv_folders.values():
        found.sort(key=lambda f: (f.modified_ns, f.relative_path))
    return inv


def _strays(walker: _Walker, landing_dir: Path) -> None:
    """Entries at the top of the landing folder other than the three folders."""
    try:
        with os.scandir(landing_dir) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return  # a missing landing folder: no files, which the roster choice reports
    for entry in entries:
        if entry.name.startswith(".") or entry.name in TOP_FOLDERS:
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            for stray in walker.files(path, "landing"):
                walker.problem(stray.path, "landing", _STRAY_TEXT, _STRAY_CHECK, seen=stray.seen)
        elif entry.is_symlink():
            walker.problem(path, "landing", _LINK_TEXT, _LINK_CHECK)
        else:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                info = None
            seen = info and FileStat(info.st_size, info.st_mtime_ns, info.st_ino)
            walker.problem(path, "landing", _STRAY_TEXT, _STRAY_CHECK, seen=seen)


TOP_FOLDERS = ("roster", "providers", "activities", "exemptions", "revocations")
_STRAY_TEXT = "outside roster/, providers/, activities/, exemptions/ and revocations/; ignored"
_STRAY_CHECK = "a file inside roster/, providers/, activities/, exemptions/ or revocations/"
