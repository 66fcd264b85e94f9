"""How many CPUs this process may use: the one answer every pool sizes itself from.

The render pool (processes), the certification engine and the landing reads (threads) all ask
here, so a container limited to 2 CPUs on a 64-core host, or a process pinned with ``taskset``,
gets 2 workers, not 64. Three limits count, the smallest wins: the CPUs of the machine, the
CPUs this process may be scheduled on (its affinity), and a cgroup v2 CPU quota
(``cpu.max``, what ``docker --cpus`` and Kubernetes CPU limits set), rounded up.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def _affinity() -> int:
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+: honours the affinity
    if counted is not None:
        return counted() or 1
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _cgroup_quota(path: Path = CGROUP_CPU_MAX) -> int | None:
    """CPUs allowed by a cgroup v2 quota (``"200000 100000"`` is 2), or None without one."""
    try:
        quota, period = path.read_text().split()[:2]
        if quota == "max":
            return None
        return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError):
        return None


def available_cores() -> int:
    """The CPUs this process may use (at least 1)."""
    allowed, quota = _affinity(), _cgroup_quota()
    return max(1, allowed if quota is None else min(allowed, quota))
