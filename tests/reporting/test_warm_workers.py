"""A backfill starts the render workers' forkserver before its first week (render_pool.py):
with one core there is nothing to start; otherwise the server is running at once, preloading the
warm renderer, and the week's pool forks its workers from it."""

from __future__ import annotations

import multiprocessing.forkserver as forkserver
import os
import time
from pathlib import Path

from assets.reporting.render_pool import WARM_MODULE, start_warm_workers


def _command_line(pid: int) -> str:
    """The process's command line once it has one: read while the server is still being
    exec'd (it was started a moment ago), ``/proc/<pid>/cmdline`` is empty (seen once in CI)."""
    deadline = time.monotonic() + 30
    while True:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if command or time.monotonic() > deadline:
            return command
        time.sleep(0.05)


def test_one_worker_starts_nothing():
    assert start_warm_workers(1) is False


def test_the_forkserver_runs_preloading_the_warm_renderer():
    assert start_warm_workers(2) is True
    pid = forkserver._forkserver._forkserver_pid
    assert pid is not None and pid != os.getpid()
    command = _command_line(pid)
    assert "multiprocessing.forkserver" in command and WARM_MODULE in command
    # a second call (the next backfill in this process) reuses the same server
    assert start_warm_workers(2) is True
    assert forkserver._forkserver._forkserver_pid == pid
