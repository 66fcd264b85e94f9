"""How many CPUs a pool may use, and the variable that overrides it for the render pool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assets.cores import _cgroup_quota, available_cores
from assets.environment import SettingsError, read_environment

ROOT = Path(__file__).resolve().parents[1]


def test_a_process_pinned_to_one_cpu_gets_one_worker_everywhere():
    # every pool sizes itself from the same helper: render pool, engine threads, landing reads
    code = (
        "import os; os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]});"
        "from assets.cores import available_cores;"
        "from assets.reporting.render_pool import pool_size;"
        "from assets.certification.machinery.parallel import available_cores as engine;"
        "import assets.ingest.intake as intake;"
        "print(available_cores(), pool_size(50), engine(), intake.READ_THREADS)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1", "1", "1"]


def test_available_cores_is_at_most_the_machines():
    assert 1 <= available_cores() <= (os.cpu_count() or 1)


@pytest.mark.parametrize(
    ("cpu_max", "cpus"),
    [("200000 100000\n", 2), ("150000 100000\n", 2), ("50000 100000\n", 1), ("max 100000\n", None)],
)
def test_a_cgroup_cpu_quota_limits_the_cores(tmp_path, cpu_max, cpus):
    path = tmp_path / "cpu.max"
    path.write_text(cpu_max)
    assert _cgroup_quota(path) == cpus


def test_no_or_unreadable_cgroup_file_means_no_quota(tmp_path):
    assert _cgroup_quota(tmp_path / "missing") is None
    (tmp_path / "garbled").write_text("lots\n")
    assert _cgroup_quota(tmp_path / "garbled") is None


def test_render_workers_variable():
    assert read_environment({}).render_workers == 0  # every core
    assert read_environment({"COMPETENCE_RENDER_WORKERS": " 3 "}).render_workers == 3
    with pytest.raises(SettingsError) as raised:
        read_environment({"COMPETENCE_RENDER_WORKERS": "two"})
    assert str(raised.value) == (
        "COMPETENCE_RENDER_WORKERS = 'two': expected a whole number of processes "
        "(0 or unset = every core)"
    )
