"""The landing folder's inventory: which files are there, what they are, and their fingerprints.

Whole-file problems that can be told from the path alone (an unknown provider folder, a stray
non-data file) are decided here, so every file in the landing folder is accounted for.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schemas.config import CANONICAL_RESULT_COLUMNS, ProvidersConfig

DATA_SUFFIXES = {".csv", ".xlsx"}
ROSTER_NAME = re.compile(r"^roster_(\d{4}-\d{2}-\d{2})\.(csv|xlsx)$", re.IGNORECASE)


@dataclass(frozen=True)
class LandingFile:
    """One file found in the landing folder."""

    kind: str  # roster | provider | activities
    source: str  # "roster", the provider name, or "activities"
    path: Path
    relative_path: str
    sha256: str
    modified_ns: int  # the drop order: later modification = later drop
    extract_date: date | None = None  # roster extracts only


@dataclass(frozen=True)
class FileProblem:
    """A file rejected whole, with a message that names it and says what is wrong."""

    source: str
    relative_path: str
    sha256: str | None
    problem: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _landing_file(root: Path, path: Path, kind: str, source: str, **extra) -> LandingFile:
    return LandingFile(
        kind=kind,
        source=source,
        path=path,
        relative_path=path.relative_to(root).as_posix(),
        sha256=sha256_of(path),
        modified_ns=path.stat().st_mtime_ns,
        **extra,
    )


def _problem(root: Path, path: Path, source: str, problem: str) -> FileProblem:
    return FileProblem(source, path.relative_to(root).as_posix(), sha256_of(path), problem)


def _looks_canonical(path: Path) -> bool:
    """A folder without a providers.yaml entry is accepted if its CSV header is canonical."""
    if path.suffix.lower() != ".csv":
        return False
    try:
        with path.open(encoding="utf-8") as handle:
            header = handle.readline()
    except (OSError, UnicodeDecodeError):
        return False
    columns = {c.strip().lower() for c in header.strip().split(",")}
    return set(CANONICAL_RESULT_COLUMNS) - {"provider"} <= columns


@dataclass
class LandingInventory:
    rosters: list[LandingFile]
    provider_files: list[LandingFile]
    canonical_providers: set[str]
    activity_files: list[LandingFile]
    problems: list[FileProblem]

    @property
    def all_files(self) -> list[LandingFile]:
        return [*self.rosters, *self.provider_files, *self.activity_files]


def _visible_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def take_inventory(landing_dir: Path, providers: ProvidersConfig) -> LandingInventory:
    """Classify every file under the landing folder; nothing is silently ignored."""
    landing_dir = Path(landing_dir)
    inv = LandingInventory([], [], set(), [], [])

    for path in _visible_files(landing_dir / "roster"):
        match = ROSTER_NAME.match(path.name)
        if match is None:
            inv.problems.append(
                _problem(
                    landing_dir,
                    path,
                    "roster",
                    f"{path.name}: not a roster extract; expected a name like "
                    "roster_YYYY-MM-DD.csv or roster_YYYY-MM-DD.xlsx",
                )
            )
            continue
        try:
            extract = date.fromisoformat(match.group(1))
        except ValueError:
            inv.problems.append(
                _problem(
                    landing_dir,
                    path,
                    "roster",
                    f"{path.name}: the extract date {match.group(1)} in the file name is not a "
                    "real date",
                )
            )
            continue
        inv.rosters.append(
            _landing_file(landing_dir, path, "roster", "roster", extract_date=extract)
        )

    providers_root = landing_dir / "providers"
    for path in _visible_files(providers_root):
        parts = path.relative_to(providers_root).parts
        rel = path.relative_to(landing_dir).as_posix()
        if len(parts) < 2:
            inv.problems.append(
                _problem(
                    landing_dir,
                    path,
                    "providers",
                    f"{rel}: provider files belong in a folder named after the provider "
                    "(providers/<provider>/...)",
                )
            )
            continue
        provider = parts[0]
        if path.suffix.lower() not in DATA_SUFFIXES:
            inv.problems.append(
                _problem(
                    landing_dir,
                    path,
                    provider,
                    f"{rel}: not a data file (expected .csv or .xlsx); ignored",
                )
            )
            continue
        if provider in providers.providers:
            inv.provider_files.append(_landing_file(landing_dir, path, "provider", provider))
        elif _looks_canonical(path):
            inv.canonical_providers.add(provider)
            inv.provider_files.append(_landing_file(landing_dir, path, "provider", provider))
        else:
            inv.problems.append(
                _problem(
                    landing_dir,
                    path,
                    provider,
                    f"{rel}: unknown provider folder '{provider}': it has no entry in "
                    "providers.yaml and the file does not carry the canonical columns "
                    f"({', '.join(CANONICAL_RESULT_COLUMNS[1:])})",
                )
            )

    for path in _visible_files(landing_dir / "activities"):
        if path.suffix.lower() != ".csv":
            rel = path.relative_to(landing_dir).as_posix()
            inv.problems.append(
                _problem(
                    landing_dir,
                    path,
                    "activities",
                    f"{rel}: not a data file (expected .csv); ignored",
                )
            )
            continue
        inv.activity_files.append(_landing_file(landing_dir, path, "activities", "activities"))

    for stray in _visible_files(landing_dir):
        top = stray.relative_to(landing_dir).parts[0]
        if top not in {"roster", "providers", "activities"}:
            inv.problems.append(
                _problem(
                    landing_dir,
                    stray,
                    "landing",
                    f"{stray.relative_to(landing_dir).as_posix()}: outside roster/, providers/ "
                    "and activities/; ignored",
                )
            )

    inv.rosters.sort(key=lambda f: f.extract_date)
    inv.provider_files.sort(key=lambda f: (f.source, f.modified_ns, f.relative_path))
    inv.activity_files.sort(key=lambda f: (f.modified_ns, f.relative_path))
    return inv
