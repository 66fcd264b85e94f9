"""Read a landing file once, safely, into memory: the bytes that are hashed are the bytes parsed.

A file is opened without following a symbolic link and without blocking on a named pipe, must
be a regular file, must still be the file the inventory saw (same inode, size and modification
time), is checked against the size limit before a byte is read, and must not change while it is
read. Anything else rejects that one file with a message saying why; the other files still load.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

HEAD_BYTES = 64 << 10  # enough for any sane header line
FINGERPRINT_MAX_BYTES = 256 << 20  # stray files larger than this are listed without a hash
_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)


class UnreadableFile(Exception):
    """The whole file is rejected; ``str(exc)`` is the user-facing message.

    ``check`` is what was expected (it becomes the reject row's ``check``).
    """

    def __init__(self, message: str, check: str = "a readable file"):
        super().__init__(message)
        self.check = check


class Seen(Protocol):
    size: int
    modified_ns: int
    inode: int


@dataclass(frozen=True)
class Snapshot:
    data: bytes
    sha256: str


def _open(path: Path, label: str) -> int:
    try:
        return os.open(path, _FLAGS)
    except FileNotFoundError:
        raise UnreadableFile(
            f"{label}: the file disappeared after the landing folder was listed (moved or "
            "deleted during the run); it will be read by the next run",
            "a file present for the whole run",
        ) from None
    except PermissionError:
        raise UnreadableFile(
            f"{label}: the file cannot be opened (permission denied); give the pipeline's user "
            "read permission on it",
            "a file the pipeline may read",
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableFile(
                f"{label}: became a symbolic link after the landing folder was listed; links "
                "are not followed",
                "a regular file, not a symbolic link",
            ) from None
        raise UnreadableFile(
            f"{label}: the file cannot be opened ({exc.strerror or exc})", "a readable file"
        ) from None


def _changed(label: str, what: str) -> UnreadableFile:
    return UnreadableFile(
        f"{label}: the file {what}; it is not loaded this run so that the rows and the recorded "
        "SHA-256 come from one version — the next run reads it again",
        "a file that does not change while the run reads it",
    )


def _same_file(info: os.stat_result, seen: Seen) -> bool:
    return (info.st_ino, info.st_size, info.st_mtime_ns) == (
        seen.inode,
        seen.size,
        seen.modified_ns,
    )


def read_snapshot(path: Path, *, label: str, seen: Seen, max_mb: float) -> Snapshot:
    """The file's bytes and their SHA-256, or :class:`UnreadableFile` saying what is wrong.

    ``max_mb`` is policy.yaml's ``limits.max_file_mb``, checked on the open file before reading.
    """
    max_bytes = int(max_mb * 2**20)
    fd = _open(path, label)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(
                f"{label}: is no longer a regular file (replaced after the landing folder was "
                "listed); not read",
                "a regular file",
            )
        if not _same_file(info, seen):
            raise _changed(label, "changed after the landing folder was listed")
        if info.st_size > max_bytes:
            raise UnreadableFile(
                f"{label}: {info.st_size:,} bytes ({info.st_size / 2**20:,.1f} MB), over the "
                f"limit policy.yaml limits.max_file_mb = {max_mb:g}; not read",
                f"at most {max_mb:g} MB (limits.max_file_mb)",
            )
        data = _read_all(fd, info.st_size + 1)
        after = os.fstat(fd)
    except OSError as exc:  # EIO and friends: this file only
        raise UnreadableFile(
            f"{label}: the file could not be read ({exc.strerror or exc})", "a readable file"
        ) from None
    finally:
        os.close(fd)
    if len(data) != info.st_size or not _same_file(after, seen):
        raise _changed(label, "changed while it was being read")
    return Snapshot(data, hashlib.sha256(data).hexdigest())


def _read_all(fd: int, limit: int) -> bytes:
    chunks, total = [], 0
    while total < limit:
        chunk = os.read(fd, min(16 << 20, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def read_head(path: Path, seen: Seen, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of a regular file (links not followed), for sniffing only."""
    fd = _open(path, str(path))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile(f"{path}: not a regular file", "a regular file")
        return os.read(fd, size)
    except OSError as exc:
        raise UnreadableFile(f"{path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def fingerprint(path: Path, seen: Seen) -> str | None:
    """SHA-256 of a file rejected without parsing (evidence), or None if it cannot be had."""
    if seen.size > FINGERPRINT_MAX_BYTES:
        return None
    try:
        return read_snapshot(path, label=str(path), seen=seen, max_mb=seen.size / 2**20).sha256
    except UnreadableFile:
        return None
