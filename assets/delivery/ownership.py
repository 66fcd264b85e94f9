"""Who holds a delivery claim, and whether that run is still alive.

A claim (an intent to send, ``SENDING`` in the ledger) names its owner: host, process id,
process start time and run id. On the same host the owner is alive while that process runs —
the start time tells a pid reused after a crash apart — and, for our own process, while that
run is still delivering. Another host cannot be asked, so its claim is trusted until its lease
ends.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

_ACTIVE_RUNS: set[str] = set()  # runs of this process that are delivering right now


@contextmanager
def delivering(run_id: str) -> Iterator[None]:
    """Mark ``run_id`` as delivering in this process, so its claims count as alive."""
    _ACTIVE_RUNS.add(run_id)
    try:
        yield
    finally:
        _ACTIVE_RUNS.discard(run_id)


def process_started(pid: int) -> str | None:
    # Field 22 of /proc/<pid>/stat is the start time in clock ticks since boot: with the pid it
    # names one process for good, so a pid reused after a crash is not mistaken for the owner.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]


OWN_START = process_started(os.getpid())


def owner_alive(row: dict, now: datetime) -> bool:
    """Whether the owner named in a ledger row (see ledger_schema.COLUMNS) may still send."""
    if row["owner_host"] != socket.gethostname():
        # another machine: trust its lease (it cannot be asked whether the process still runs)
        return row["lease_until"] is not None and row["lease_until"] > now
    pid = row["owner_pid"]
    if pid is None or process_started(pid) != row["owner_started"]:
        return False
    # our own process: alive only while that run is still delivering (not after an exception)
    return pid != os.getpid() or row["run_id"] in _ACTIVE_RUNS
