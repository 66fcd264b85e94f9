"""Imports follow the data: shared modules, then ingest -> certification -> reporting ->
delivery, never back; and no module imports itself round a cycle.

What a later stage needs from an earlier one travels as the earlier stage's asset output, and
what several stages need lives below them (``assets/*.py``). Read from the source with ``ast``
(every import, also one inside a function), so a backward import fails here, not in review.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

ASSETS = PROJECT_ROOT / "assets"
# below every stage: the modules directly under assets/ (resources, catalog, partitions, ...)
LAYERS = {"ingest": 1, "certification": 2, "reporting": 3, "delivery": 4}
LAYER_NAMES = {0: "shared (assets/*.py)", **{n: s for s, n in LAYERS.items()}}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(ASSETS.rglob("*.py"))}


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], 0) if len(parts) > 1 else 0


def _imports(module: str) -> set[str]:
    """The project modules ``module`` imports (``from package import submodule`` included)."""
    tree = ast.parse(MODULES[module].read_text(), filename=str(MODULES[module]))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES}


def test_the_scan_sees_the_stages_and_their_imports():
    # the test would pass vacuously if the scan found nothing
    assert {_layer(m) for m in MODULES} == {0, 1, 2, 3, 4}
    assert "assets.reporting.history" in GRAPH["assets.reporting.report_steps"]
    assert "assets.ingest.reject_share" in GRAPH["assets.reporting.context"]


def _backward() -> list[str]:
    return sorted(
        f"{module} ({LAYER_NAMES[_layer(module)]}) imports {target} ({LAYER_NAMES[_layer(target)]})"
        for module, targets in GRAPH.items()
        for target in targets
        if _layer(target) > _layer(module)
    )


def test_no_module_imports_a_later_stage():
    assert _backward() == []


def _cycle() -> list[str] | None:
    """One import cycle among the modules (as a path that ends where it starts), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_import_cycle():
    assert _cycle() is None


def test_a_backward_import_and_a_cycle_would_be_caught(monkeypatch):
    monkeypatch.setitem(
        GRAPH,
        "assets.certification.assets",
        GRAPH["assets.certification.assets"] | {"assets.reporting.site_report"},
    )
    monkeypatch.setitem(GRAPH, "assets.partitions", {"assets.catalog"})
    monkeypatch.setitem(GRAPH, "assets.catalog", GRAPH["assets.catalog"] | {"assets.partitions"})
    assert _backward() == [
        "assets.certification.assets (certification) imports assets.reporting.site_report "
        "(reporting)"
    ]
    assert _cycle() in (
        ["assets.catalog", "assets.partitions", "assets.catalog"],
        ["assets.partitions", "assets.catalog", "assets.partitions"],
    )
