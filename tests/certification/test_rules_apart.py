"""The certification rules stay apart from the machinery that runs them fast.

``assets/certification/rules/`` holds the docs/rules.md rules as plain functions on arrays; how the
work
is split over threads, indexed or turned into text lives in ``machinery/`` and the orchestrator.
Read from the source with ``ast`` (every import, also one inside a function), so a rule that
starts importing the thread pool, an index, the phase clock or Dagster fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT_ROOT

RULES = PROJECT_ROOT / "assets" / "certification" / "rules"
RULE_FILES = sorted(RULES.glob("*.py"))
# what a rule may use: the language, arrays and frames, the configuration, other rules
ALLOWED_ROOTS = {"__future__", "dataclasses", "typing", "numpy", "pandas"}
ALLOWED_PREFIXES = ("schemas.", "assets.certification.rules.")


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add(node.module if node.level == 0 else f"<relative {node.module}>")
    return found


def _allowed(module: str) -> bool:
    return module in ALLOWED_ROOTS or module.startswith(ALLOWED_PREFIXES)


def test_the_scan_reads_the_rules():
    # would pass vacuously if the folder moved or the scan found no imports
    names = {p.stem for p in RULE_FILES}
    assert {"cycles", "points", "renewal", "compliance", "evidence", "status"} <= names
    assert "assets.certification.rules.days" in _imports(RULES / "cycles.py")


def test_rules_import_neither_the_machinery_nor_dagster():
    offending = sorted(
        f"{path.relative_to(PROJECT_ROOT)} imports {module}"
        for path in RULE_FILES
        for module in _imports(path)
        if not _allowed(module)
    )
    assert offending == []


def test_the_check_would_catch_the_machinery_and_dagster():
    # the allow-list itself must reject what the rules may not touch
    for forbidden in (
        "dagster",
        "assets.certification.machinery.parallel",
        "assets.certification.dates",
        "assets.phase_clock",
        "concurrent.futures",
        "pyarrow",
    ):
        assert not _allowed(forbidden), forbidden


def test_no_rule_returns_work_in_progress():
    # a rule's answer is a value, never a future or a pending result
    pending = sorted(
        f"{path.name}: {node.name} -> {ast.unparse(node.returns)}"
        for path in RULE_FILES
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef)
        and node.returns is not None
        and any(word in ast.unparse(node.returns) for word in ("Future", "Pending"))
    )
    assert pending == []
