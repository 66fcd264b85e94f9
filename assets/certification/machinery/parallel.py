"""Spreading per-person work over the machine's cores with threads.

numpy's and Arrow's kernels release the GIL, so threads working on separate, contiguous ranges of
people run truly in parallel for the heavy parts, and share the read-only indexes without copying
them. Results come back in person order, so callers concatenate them as if one thread had run.

One rule keeps the pool free of deadlocks: a task may wait only for tasks submitted before it
(the queue is first in, first out, so those are already running or done).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import TypeVar

import numpy as np

from assets.cores import available_cores

T = TypeVar("T")
U = TypeVar("U")

# Below this many people per chunk, the threads' bookkeeping costs more than it saves.
MIN_CHUNK = 50_000


class WorkerPool:
    """A few threads for big, independent pieces of work; with one worker, all runs inline."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._executor = ThreadPoolExecutor(self.workers) if self.workers > 1 else None

    def _bounds(self, n: int) -> list[tuple[int, int]]:
        chunks = min(self.workers, max(1, n // MIN_CHUNK))
        edges = np.linspace(0, n, chunks + 1).astype(int)
        return list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))

    def map_items(self, work: Callable[[U], T], items: list[U]) -> list[T]:
        """``work`` over each item (a few big, independent jobs), results in item order."""
        return [job.result() for job in [self.submit(partial(work, item)) for item in items]]

    def map_chunks(self, work: Callable[[np.ndarray], T], items: np.ndarray) -> list[T]:
        """``work`` over contiguous chunks of ``items``, results in chunk order."""
        jobs = self.submit_ranges(lambda start, stop: work(items[start:stop]), len(items))
        return [job.result() for job in jobs]

    def map_ranges(self, work: Callable[[int, int], T], n: int) -> list[T]:
        """``work(start, stop)`` over contiguous ranges covering ``range(n)``, results in order."""
        return [job.result() for job in self.submit_ranges(work, n)]

    def submit(self, work: Callable[[], T]) -> Future[T]:
        """Start ``work`` on a worker thread (run it at once when there is only one core)."""
        if self._executor is not None:
            return self._executor.submit(work)
        done: Future[T] = Future()
        try:
            done.set_result(work())
        except Exception as error:  # raised by result(), as from a thread
            done.set_exception(error)
        return done

    def submit_ranges(self, work: Callable[[int, int], T], n: int) -> list[Future[T]]:
        """Start ``work(start, stop)`` over contiguous ranges covering ``range(n)``."""
        return [self.submit(partial(work, start, stop)) for start, stop in self._bounds(n)]

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()


@contextmanager
def worker_pool(workers: int | None = None) -> Iterator[WorkerPool]:
    pool = WorkerPool(workers or available_cores())
    try:
        yield pool
    finally:
        pool.close()
