"""The package's folders are its layers: every module imports only from its own folder or lower.

Order, lowest first (docs/architecture.md): ``errors`` and ``common/``; ``fitting/``; ``formula/``;
``diagnostics/``; ``inference/``; ``models/``; ``report/``; ``dask/``; the top-level modules
(``api``, ``cli``, ``csvread``, ``datasets``, ``__init__``).  The check reads each module's
top-level ``from .``/``from ..`` imports (including those under ``if``/``try`` at module level);
imports inside functions are allowed to reach up only where listed in :data:`LAZY_UPWARD`.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "logitstat"

LAYERS = ["errors", "common", "fitting", "formula", "diagnostics", "inference", "models", "report",
          "dask", "top"]
RANK = {name: i for i, name in enumerate(LAYERS)}
RANK["_aliases"] = RANK["common"]   # the old-path finder: imports nothing of logitstat at top level

#: (importing module, imported module) pairs that reach UP a layer from inside a function: results
#: that build their summary or plots on request, and the Firth numerics that hand profiling to
#: the Firth model's profile module.
LAZY_UPWARD = {
    ("logitstat.fitting.firth", "logitstat.models.firth.profile"),
    ("logitstat.inference.margins_at", "logitstat.report.summary"),
    ("logitstat.models.binary.results", "logitstat.report.summary"),
    ("logitstat.models.binary.smcompat", "logitstat.report.summary"),
    ("logitstat.models.binary.smcompat", "logitstat.report.summary2"),
    ("logitstat.models.binary.smmodels", "logitstat.api"),
    ("logitstat.models.multinomial.results", "logitstat.report.summary"),
    ("logitstat.models.penalized.results", "logitstat.report.summary"),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "top"
    head = parts[1]
    if head in RANK:
        return head
    return "top"        # api, cli, csvread, datasets


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> list[str]:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    if node.level > 1:
        base = base[:len(base) - (node.level - 1)]
    if node.module:
        return [".".join(base + node.module.split("."))]
    return [".".join(base + [alias.name]) for alias in node.names]


def _imports(path: Path):
    """(imported module, line, lazy?) for every relative import in the file."""
    tree = ast.parse(path.read_text())
    top = set()
    for stmt in tree.body:
        for node in ast.walk(stmt) if isinstance(stmt, (ast.If, ast.Try)) else [stmt]:
            if isinstance(node, ast.ImportFrom):
                top.add(id(node))
    module = _module_name(path)
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            for target in _resolve(module, is_package, node):
                yield target, node.lineno, id(node) not in top


def _all_modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_is_in_a_layer():
    stray = [p for p in _all_modules() if len(p.relative_to(PACKAGE).parts) > 1
             and p.relative_to(PACKAGE).parts[0] not in RANK and p.relative_to(PACKAGE).parts[0] != "datasets"]
    assert stray == []


@pytest.mark.parametrize("path", _all_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_to_same_or_lower_layer(path):
    module = _module_name(path)
    own = RANK[_layer(module)]
    upward = []
    for target, line, lazy in _imports(path):
        if RANK[_layer(target)] <= own:
            continue
        if lazy and (module, target) in LAZY_UPWARD:
            continue
        upward.append(f"{module}:{line} -> {target}{' (in a function)' if lazy else ''}")
    assert upward == []


def test_lazy_exceptions_are_still_used():
    """Every listed exception is a real import in a function (so the list cannot go stale)."""
    found = set()
    for path in _all_modules():
        module = _module_name(path)
        for target, _line, lazy in _imports(path):
            if lazy and RANK[_layer(target)] > RANK[_layer(module)]:
                found.add((module, target))
    assert found == LAZY_UPWARD


def test_check_sees_an_upward_import(tmp_path):
    """The resolver maps a ``from ..report.summary import`` in fitting/ to the report layer."""
    node = ast.parse("from ..report.summary import x").body[0]
    (target,) = _resolve("logitstat.fitting.irls", False, node)
    assert target == "logitstat.report.summary"
    assert RANK[_layer(target)] > RANK[_layer("logitstat.fitting.irls")]
