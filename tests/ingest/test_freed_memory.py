"""Memory the C library keeps after a source's intake is handed back to the system."""

from __future__ import annotations

import numpy as np
import psutil

from assets.ingest.freed_memory import give_back_freed_memory


def test_freed_heap_memory_is_returned_to_the_system():
    process = psutil.Process()
    # 300 MB in blocks below glibc's mmap threshold: they come from the heap, and the block
    # kept last pins its top, so freeing the others leaves 300 MB free but resident
    blocks = [np.ones(100_000 // 8) for _ in range(3_000)]
    pinned = np.ones(100_000 // 8)
    del blocks
    before = process.memory_info().rss
    assert give_back_freed_memory() is True  # glibc (the platform the pipeline runs on)
    after = process.memory_info().rss
    assert before - after > 200 * 2**20, f"only {(before - after) / 2**20:.0f} MB returned"
    assert pinned.sum() == 100_000 // 8  # what was still in use is untouched
