"""Every public module says what it exports (``__all__``), and only logitstat's own names."""
from __future__ import annotations

import importlib
import inspect
import types

import pytest

import logitstat as ls

PUBLIC = ["api", "classweights", "collinearity", "compare", "covariance", "dask", "datasets",
          "diagnostics", "errors", "family", "goodness", "inference", "influence", "links",
          "margins", "multinomial", "penresults", "persist", "plots", "profile", "reprs", "results",
          "separation", "summary", "thresholds", "transforms"]


@pytest.mark.parametrize("name", ["logitstat"] + [f"logitstat.{m}" for m in PUBLIC])
def test_public_module_defines_all(name):
    mod = importlib.import_module(name)
    exported = mod.__dict__.get("__all__")
    assert isinstance(exported, list) and exported, f"{name} has no __all__"
    assert all(isinstance(n, str) for n in exported)
    assert len(set(exported)) == len(exported), "duplicates in __all__"
    for n in exported:
        assert hasattr(mod, n), f"{name}.__all__ names {n!r}, which does not exist"
        obj = getattr(mod, n)
        # nothing borrowed from numpy, pandas or typing
        assert not (isinstance(obj, types.ModuleType) and not obj.__name__.startswith("logitstat"))
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__module__.startswith("logitstat"), f"{name}.{n} is {obj.__module__}'s"


def test_star_import_gives_exactly_all():
    space: dict = {}
    exec("from logitstat.plots import *", space)
    assert sorted(k for k in space if k != "__builtins__") == sorted(ls.plots.__all__)


@pytest.mark.parametrize("mod", [ls.plots, ls.datasets])
def test_dir_shows_the_public_names_only(mod):
    public = [n for n in dir(mod) if not n.startswith("_")]
    assert public == sorted(mod.__all__)
    assert not {"np", "pd", "Any", "annotations"} & set(public)
