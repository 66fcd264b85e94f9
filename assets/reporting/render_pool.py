"""Render site reports in two worker processes (WeasyPrint is single-threaded).

Workers come from a *forkserver* that imports this module (and so WeasyPrint, matplotlib and the
templates' code) once per pipeline process: each week's pool then forks ready workers instead of
spawning fresh interpreters, and nothing of the parent's threads (Dagster, DuckDB) is copied,
which a plain fork would do. This module imports no Dagster.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from assets.reporting.site_report import render_site_report

WORKERS = 2  # this machine has 2 cores; two processes give about 1.95x
_SHARED: dict = {}


def _init_worker(shared: dict) -> None:
    _SHARED.clear()
    _SHARED.update(shared)


def _render_site(site: str) -> tuple[str, bytes]:
    return site, render_site_report(site, **_SHARED)


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return context


def render_sites(sites: list[str], shared: dict) -> dict[str, bytes]:
    """Each site's PDF bytes; in this process when there is only one site."""
    if len(sites) < 2:
        _init_worker(shared)
        return dict(map(_render_site, sites))
    with ProcessPoolExecutor(
        max_workers=min(WORKERS, len(sites)),
        mp_context=_context(),
        initializer=_init_worker,
        initargs=(shared,),
    ) as pool:
        return dict(pool.map(_render_site, sites))
