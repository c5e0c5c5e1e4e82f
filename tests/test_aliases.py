"""Old module paths keep working after the layered layout (logitstat/_aliases.py).

(a) every module of the flat layout imports under its old name as the very module at its new
home; the three old modules whose names are now packages hand out their names from the package;
(b) every ``logitstat.xxx`` (and ``ls.xxx``) dotted name and ``from logitstat... import ...``
line of the docs and the README resolves; (c) a pickle written by the flat layout (tests/data/, made at 2436fb1)
loads, as the new classes, with the numbers it was saved with.
"""
from __future__ import annotations

import importlib
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import logitstat as ls
from logitstat import _aliases

ROOT = Path(__file__).resolve().parents[1]

#: every module of logitstat/ before the layered layout (git ls-tree 2436fb1 logitstat/)
FLAT = ["anova", "api", "checks", "classweights", "cli", "clustering", "collinearity", "compare",
        "covariance", "csvread", "dask", "dask_separation", "dask_tasks", "datacheck", "deletion",
        "design", "diagnostics", "errors", "family", "fastdesign", "firth", "firthprofile",
        "firthresults", "formula_guard", "formula_parse", "frameprep", "goodness", "htmlstyle",
        "inference", "influence", "influenceplot", "irls", "irlsdrive", "kernels", "links",
        "margins", "margins_at", "mncov", "mnfit", "mnmargins", "mnprofile", "multinomial",
        "numformat", "penalized", "penresults", "persist", "plots", "postestimation", "profile",
        "rank", "reprs", "response", "results", "scaling", "separation", "separation_lp",
        "smcompat", "smmargins", "smmodels", "summary", "summary2", "thresholds", "transforms"]
STAYED = {"api", "cli", "csvread", "errors"}


def test_every_flat_module_has_a_home():
    old = {name.split(".", 1)[1] for name in [*_aliases.OLD_TO_NEW, *_aliases.PACKAGE_MODULES]}
    assert old | STAYED == set(FLAT)
    assert not old & STAYED


@pytest.mark.parametrize("old", sorted(_aliases.OLD_TO_NEW))
def test_old_path_is_the_new_module(old):
    new = importlib.import_module(_aliases.OLD_TO_NEW[old])
    assert importlib.import_module(old) is new
    assert sys.modules[old] is new
    for name in getattr(new, "__all__", []):
        assert getattr(importlib.import_module(old), name) is getattr(new, name)


@pytest.mark.parametrize("package", sorted(_aliases.PACKAGE_MODULES))
def test_package_hands_out_the_old_module_names(package):
    pkg = importlib.import_module(package)
    home = importlib.import_module(_aliases.PACKAGE_MODULES[package])
    assert pkg.__all__ == home.__all__
    for name in home.__all__:
        assert getattr(pkg, name) is getattr(home, name)
    with pytest.raises(AttributeError):
        getattr(pkg, "no_such_name_here")


def test_old_names_in_a_fresh_interpreter():
    """Attribute access without an import, ``from ... import``, and ``logitstat.compare`` staying
    the function (importing the old module ``logitstat.compare`` must not rebind it)."""
    code = ("import logitstat as ls, logitstat.fitting.irls as new\n"
            "assert ls.irls is new\n"
            "from logitstat.separation import detect_separation\n"
            "from logitstat.summary import TermTable, ComparisonTable\n"
            "from logitstat.formula_guard import restricted_environment\n"
            "from logitstat.penresults import fit_penalized\n"
            "import logitstat.compare\n"
            "assert callable(ls.compare) and ls.compare.__module__ == 'logitstat.report.compare'\n"
            "import logitstat.results\n"
            "assert logitstat.results.BinaryResults is ls.BinaryResults\n"
            "from logitstat.inference import TestResult\n"
            "from logitstat.diagnostics import ModelSeparation\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_an_old_path_leaves_the_module_its_own_spec():
    """Importing through an old path must not leave the alias's spec on the module: its parent
    would then differ from ``__package__`` and every later relative import inside the module
    (the lazy ones of plots and summaries) would raise ImportWarning, and ``importlib.reload``
    would look for the old path.  Checked in a fresh interpreter with ImportWarning an error."""
    code = ("import importlib, logitstat\n"
            "import logitstat.influenceplot as old\n"
            "assert old.__spec__.name == 'logitstat.report.influenceplot', old.__spec__.name\n"
            "assert old.__spec__.parent == old.__package__\n"
            "importlib.reload(old)\n"
            "import logitstat.dask_separation, logitstat.summary2\n"
            "assert logitstat.summary2.__spec__.name == 'logitstat.report.summary2'\n"
            "print('ok')\n")
    out = subprocess.run([sys.executable, "-W", "error::ImportWarning", "-c", code],
                         capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_unknown_old_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_module"):
        ls.no_such_module
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("logitstat.no_such_module")


# ------------------------------------------------------------------ (b) names in the docs
DOCS = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
DOTTED = re.compile(r"(?<![\w./-])logitstat(?:\.[A-Za-z_]\w*)+")
SHORT = re.compile(r"(?<![\w.])ls((?:\.[A-Za-z_]\w*)+)")     # ``import logitstat as ls``
FROM = re.compile(r"^\s*(?:>>> )?from (logitstat(?:\.\w+)*) import ([\w, ]+|\([\w,\s]+\))",
                  re.M)


def _resolve(dotted: str):
    """The object a dotted name stands for: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ModuleNotFoundError:
            continue
        for attr in parts[k:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def _doc_names() -> list[tuple[str, str]]:
    found = set()
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for m in DOTTED.finditer(text):
            found.add((path.name, m.group(0)))
        for m in SHORT.finditer(text):
            found.add((path.name, "logitstat" + m.group(1)))
        for m in FROM.finditer(text):
            for name in m.group(2).strip("()").split(","):
                if name.strip():
                    found.add((path.name, f"{m.group(1)}.{name.strip()}"))
    return sorted(found)


NOT_NAMES = {"logitstat.fit"}   # the CLI's JSON schema tag "logitstat.fit/1", not a module


@pytest.mark.parametrize("doc,dotted", [d for d in _doc_names() if d[1] not in NOT_NAMES])
def test_name_in_docs_resolves(doc, dotted):
    _resolve(dotted)


def test_the_docs_name_modules():
    """The extraction finds names (the test above cannot pass vacuously)."""
    names = {d for _doc, d in _doc_names()}
    assert "logitstat.api.fit_design" in names and len(names) > 20


# ------------------------------------------------------------------ (c) an old pickle
def test_pickle_from_the_flat_layout_loads():
    """Made at 2436fb1 by tests/data/make_pre_layout_pickle.py: classes pickled as
    ``logitstat.results.BinaryResults``, ``logitstat.diagnostics.ModelSeparation``..."""
    blob = (ROOT / "tests" / "data" / "pre_layout_results.pkl").read_bytes()
    assert b"logitstat.results" in blob and b"logitstat.diagnostics" in blob
    models = pickle.loads(blob)
    expected = np.loadtxt(ROOT / "tests" / "data" / "pre_layout_expected.txt")
    logit, firth = models["logit"], models["firth"]
    assert type(logit) is ls.models.binary.results.BinaryResults
    assert type(logit.separation).__module__ == "logitstat.models.binary.diagnostics"
    k1, k2 = len(logit.params), len(firth.params)
    np.testing.assert_array_equal(logit.params.to_numpy(), expected[:k1])
    np.testing.assert_array_equal(firth.params.to_numpy(), expected[k1:k1 + k2])
    new = ls.datasets.load("mroz").head(5)
    np.testing.assert_allclose(logit.predict(new).to_numpy(), expected[k1 + k2:], rtol=1e-14)
    assert firth.method == "firth"
