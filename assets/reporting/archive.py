"""The week's report archive (``reports/<week>/``): one writer at a time, whole files only.

Two runs of the same week may overlap (a CLI rerun beside a scheduled run, a backfill beside
a manual run). Without a lock both would find no manifest entry, both would render, and the
last writer would replace the PDF the first run had already mailed — the archive would then
hold a report nobody received. Holding an exclusive lock on the week's folder from reading the
manifest to writing it makes the second run wait and then find the first run's PDFs with the
same input fingerprints, so it keeps them (and the ledger finds them already sent).

Files are written to a temporary name and renamed into place, so a reader (the delivery step
of another run) sees the old bytes or the new, never half a file.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".archive.lock"


@contextmanager
def exclusive_archive(folder: Path) -> Iterator[None]:
    """Hold the week folder's archive lock (blocking) for the duration of the block."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK_NAME, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle closes, also on a crash
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file in the same folder, then rename)."""
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
