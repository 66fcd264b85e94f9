"""Large workbooks read in worker processes, so that the cores read in parallel.

calamine's parse of a workbook and the Python part of conforming it hold the GIL: read on the
intake's threads, a week's workbooks (at a million employees the Apex gradebooks, 400k of the
7.3M rows and a third of the reading's CPU) took turns with the CSVs. A worker process reads
each large workbook start to finish (snapshot, checks, parse, conform, cell checks: the same
``read_file`` as a thread) and hands back the file's outcome, while this process reads the
roster and the CSVs. The workers start before anything else is read, so the workbooks are
being read while the roster is.

Workers are *spawned*, not forked from the render pool's forkserver: a forkserver is one per
process and keeps the modules of the pool that started it first, so an ingest pool started
before the render pool would leave the render workers cold. A spawned worker imports what it
needs itself (about a second of CPU, measured). CSVs stay on this process's threads: Arrow's
CSV reader already runs on every core, and sending millions of rows back would copy them twice.

Where no worker can be started (one core, or the step itself runs in a daemonic process, which
may not have children) the workbooks are read on the threads as before; a worker that dies
(killed for memory) has its file read here instead, so the outcome never depends on the route.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from assets.cores import available_cores
from schemas.config import CompetenceConfig

from .conformed import without_shared_raw
from .file_intake import FileRead, read_file
from .landing import LandingFile

# a workbook this large is worth a process (spawning one costs about a second of CPU); the
# sample's small workbooks and the tests' stay on the threads unless a test lowers this
WORKER_MIN_BYTES = 1 << 20


def _read_in_worker(f: LandingFile, config: CompetenceConfig) -> FileRead:
    """In the worker: the file's outcome, without raw columns that repeat the canonical ones
    (in this process they share memory; pickled, they would be sent and held twice)."""
    outcome = read_file(f, config)
    if outcome.conformed is not None:
        outcome.conformed = without_shared_raw(outcome.conformed)
    return outcome


def _may_start_workers() -> bool:
    return available_cores() > 1 and not multiprocessing.current_process().daemon


class WorkbookReads:
    """The week's large workbooks, read in worker processes from the moment it is created.

    Use as a context manager: leaving it stops the workers (pending reads are cancelled)."""

    def __init__(self, files: list[LandingFile], config: CompetenceConfig) -> None:
        self._config = config
        self._futures: dict[str, Future[FileRead]] = {}
        self._pool: ProcessPoolExecutor | None = None
        chosen = [
            f for f in files if f.path.suffix.lower() == ".xlsx" and f.seen.size >= WORKER_MIN_BYTES
        ]
        if not chosen or not _may_start_workers():
            return
        self._pool = ProcessPoolExecutor(
            max_workers=min(len(chosen), available_cores() - 1),
            mp_context=multiprocessing.get_context("spawn"),
        )
        # the largest first, so that no large one is left for the end
        for f in sorted(chosen, key=lambda f: f.seen.size, reverse=True):
            self._futures[f.relative_path] = self._pool.submit(_read_in_worker, f, config)

    def handles(self, f: LandingFile) -> bool:
        return f.relative_path in self._futures

    def take(self, f: LandingFile) -> FileRead:
        """The file's outcome, waiting for its worker if need be."""
        future = self._futures.pop(f.relative_path)
        try:
            outcome = future.result()
        except BrokenProcessPool:  # the worker died (not the file's fault): read it here
            outcome = read_file(f, self._config)
        if not self._futures:  # the last one: the workers' memory is given back now
            self.__exit__()
        return outcome

    def __enter__(self) -> WorkbookReads:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
