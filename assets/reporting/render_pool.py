"""Render the week's PDFs - every stale site report and the company roll-up - on every core.

WeasyPrint is single-threaded, so reports render in worker processes, one per CPU this process
may use (``assets.cores``; ``COMPETENCE_RENDER_WORKERS`` overrides it), never more than there
are reports. The company roll-up is one more job in the same pool, queued first (it is the
biggest), so it overlaps the site reports instead of waiting for them; sites follow, most
people first, so no long report starts last.

Each job carries what its report is rendered from: a site's job only that site's rows
(``WeekReports.by_site``, split once for the week), the roll-up's the whole week. So a worker
never receives or scans the other sites' rows, and the week crosses to the workers about once,
however many workers there are.

Workers come from a *forkserver* started once per pipeline process and kept for its life (a
backfill's weeks share it). It imports this module and ``warm_renderer``, which parses the
stylesheet, loads the bundled fonts, compiles the templates and renders one tiny page: every
week's workers are forked from that warm process and start rendering at once. Nothing of the
parent's threads (Dagster, DuckDB) is copied, which a plain fork would do.

A week with at most one site to render does not pay for a pool: its reports render here, one
after the other. This module imports no Dagster.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import pandas as pd

from assets.cores import available_cores
from assets.reporting.week_reports import RenderInputs
from schemas.identifiers import ROLLUP_NAME

WARM_MODULE = "assets.reporting.warm_renderer"


def pool_size(jobs: int, requested: int = 0) -> int:
    """Worker processes for ``jobs`` reports: ``requested`` (0 = every core this process may
    use), never more than the jobs, at least one."""
    return max(1, min(requested or available_cores(), jobs))


class ReportRenderError(RuntimeError):
    """One report could not be rendered; the message names it (the week then fails)."""


def _render(job: tuple[str, RenderInputs]) -> tuple[str, bytes]:
    name, inputs = job
    try:
        return name, inputs.render(name)
    except Exception as exc:
        # a pool re-raises a worker's exception without saying which report it was rendering
        raise ReportRenderError(
            f"the report {name!r} could not be rendered: {type(exc).__name__}: {exc}"
        ) from exc


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    # only read when the forkserver starts: the first pool of this process
    context.set_forkserver_preload([__name__, WARM_MODULE])
    return context


def start_warm_workers(workers: int = 0) -> bool:
    """Start the forkserver now, in the background, when reports will render in a pool here.

    Its warm-up (imports, stylesheet, fonts, templates: seconds, paid once per process) then runs
    on another core while the first week ingests and computes, instead of inside the first
    week's render step. Returns whether it was started; nothing to start with one core."""
    if pool_size(2, workers) < 2:
        return False
    from multiprocessing import forkserver

    _context()  # the preload list, read when the server starts
    forkserver.ensure_running()  # returns at once; the server imports and warms up on its own
    return True


def heaviest_first(names: list[str], status: pd.DataFrame) -> list[str]:
    """The roll-up first (the biggest report), then sites by headcount, then by name."""
    people = status["site"].value_counts() if "site" in status else {}
    return sorted(names, key=lambda n: (n != ROLLUP_NAME, -int(people.get(n, 0)), n))


def report_chunks(names: list[str], status: pd.DataFrame, sites_per_chunk: int) -> list[list[str]]:
    """The week's stale reports split into render steps of ``sites_per_chunk`` sites each
    (0: one step for all, as one pool renders them). Sites are dealt heaviest first, back and
    forth across the chunks, so the steps carry similar headcounts; the roll-up rides in the
    first chunk, where it overlaps that chunk's sites in the pool. Never fewer than one chunk
    (possibly empty: nothing to render), so the step that files the week always runs."""
    ordered = heaviest_first(names, status)
    company = [n for n in ordered if n == ROLLUP_NAME]
    sites = [n for n in ordered if n != ROLLUP_NAME]
    if sites_per_chunk <= 0 or len(sites) <= sites_per_chunk:
        return [ordered]
    count = -(-len(sites) // sites_per_chunk)
    chunks: list[list[str]] = [[] for _ in range(count)]
    for i, site in enumerate(sites):
        lap, seat = divmod(i, count)
        chunks[seat if lap % 2 == 0 else count - 1 - seat].append(site)
    chunks[0] = company + chunks[0]
    return chunks


def render_jobs(names: list[str], inputs: RenderInputs) -> list[tuple[str, RenderInputs]]:
    """Each report with what it is rendered from: a site its own rows, the roll-up the week."""
    slices = inputs.reports.by_site() if any(n != ROLLUP_NAME for n in names) else {}
    return [
        (name, replace(inputs, reports=slices[name]) if name in slices else inputs)
        for name in names
    ]


def render_reports(names: list[str], inputs: RenderInputs, workers: int = 0) -> dict[str, bytes]:
    """Each named report's PDF bytes (site codes, and ``ROLLUP_NAME`` for the roll-up), rendered
    from ``inputs``; a worker receives a site's rows with that site's job. ``workers``: 0 = every
    core."""
    sites = [n for n in names if n != ROLLUP_NAME]
    size = pool_size(len(names), workers)
    if len(sites) < 2 or size < 2:
        return dict(map(_render, render_jobs(names, inputs)))
    jobs = render_jobs(heaviest_first(names, inputs.reports.status), inputs)
    with ProcessPoolExecutor(max_workers=size, mp_context=_context()) as pool:
        return dict(pool.map(_render, jobs))
