"""Old module paths of logitstat, kept importable after the package was regrouped into layers.

Before the layer layout every module lived flat in ``logitstat/``; they now live in layer folders
(``fitting/``, ``formula/``, ``inference/``...: see docs/architecture.md).  Code, documentation
and pickles written against the flat names keep working: :class:`AliasFinder`, installed on
:data:`sys.meta_path` by ``logitstat/__init__.py``, answers an import of an old path by importing
the new module and binding that same module object under the old name, so
``logitstat.results.BinaryResults is logitstat.models.binary.results.BinaryResults``.

Three old modules share their name with a new package (``logitstat.inference``,
``logitstat.diagnostics``, ``logitstat.dask``); those packages hand out the old module's names
themselves (see :data:`PACKAGE_MODULES`), so they are not in :data:`OLD_TO_NEW`.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from types import ModuleType

__all__ = ["OLD_TO_NEW", "PACKAGE_MODULES", "AliasFinder", "install", "old_name", "package_getattr"]

#: old dotted module path -> the module that is its home now
OLD_TO_NEW: dict[str, str] = {
    "logitstat.checks": "logitstat.common.checks",
    "logitstat.reprs": "logitstat.common.displays",
    "logitstat.persist": "logitstat.common.persist",
    "logitstat.links": "logitstat.fitting.links",
    "logitstat.family": "logitstat.fitting.family",
    "logitstat.kernels": "logitstat.fitting.kernels",
    "logitstat.rank": "logitstat.fitting.rank",
    "logitstat.irls": "logitstat.fitting.irls",
    "logitstat.irlsdrive": "logitstat.fitting.drive",
    "logitstat.penalized": "logitstat.fitting.coordinate_descent",
    "logitstat.firth": "logitstat.fitting.firth",
    "logitstat.design": "logitstat.formula.design",
    "logitstat.fastdesign": "logitstat.formula.fastdesign",
    "logitstat.frameprep": "logitstat.formula.frameprep",
    "logitstat.formula_guard": "logitstat.formula.guard",
    "logitstat.formula_parse": "logitstat.formula.parse",
    "logitstat.transforms": "logitstat.formula.transforms",
    "logitstat.datacheck": "logitstat.formula.datacheck",
    "logitstat.response": "logitstat.formula.response",
    "logitstat.separation": "logitstat.diagnostics.separation",
    "logitstat.separation_lp": "logitstat.diagnostics.separation_lp",
    "logitstat.collinearity": "logitstat.diagnostics.collinearity",
    "logitstat.goodness": "logitstat.diagnostics.goodness",
    "logitstat.thresholds": "logitstat.diagnostics.thresholds",
    "logitstat.covariance": "logitstat.inference.covariance",
    "logitstat.clustering": "logitstat.inference.clustering",
    "logitstat.profile": "logitstat.inference.profile",
    "logitstat.margins": "logitstat.inference.margins",
    "logitstat.margins_at": "logitstat.inference.margins_at",
    "logitstat.influence": "logitstat.inference.influence",
    "logitstat.deletion": "logitstat.inference.deletion",
    "logitstat.postestimation": "logitstat.inference.postestimation",
    "logitstat.anova": "logitstat.inference.anova",
    "logitstat.results": "logitstat.models.binary.results",
    "logitstat.scaling": "logitstat.models.binary.scaling",
    "logitstat.smcompat": "logitstat.models.binary.smcompat",
    "logitstat.smmargins": "logitstat.models.binary.smmargins",
    "logitstat.smmodels": "logitstat.models.binary.smmodels",
    "logitstat.firthresults": "logitstat.models.firth.results",
    "logitstat.firthprofile": "logitstat.models.firth.profile",
    "logitstat.mnfit": "logitstat.models.multinomial.fit",
    "logitstat.multinomial": "logitstat.models.multinomial.results",
    "logitstat.mnmargins": "logitstat.models.multinomial.margins",
    "logitstat.mncov": "logitstat.models.multinomial.covariance",
    "logitstat.mnprofile": "logitstat.models.multinomial.profile",
    "logitstat.penresults": "logitstat.models.penalized.results",
    "logitstat.classweights": "logitstat.models.classweighted.results",
    "logitstat.summary": "logitstat.report.summary",
    "logitstat.summary2": "logitstat.report.summary2",
    "logitstat.compare": "logitstat.report.compare",
    "logitstat.plots": "logitstat.report.plots",
    "logitstat.influenceplot": "logitstat.report.influenceplot",
    "logitstat.numformat": "logitstat.report.numformat",
    "logitstat.htmlstyle": "logitstat.report.htmlstyle",
    "logitstat.dask_tasks": "logitstat.dask.tasks",
    "logitstat.dask_separation": "logitstat.dask.separation",
}

#: old modules whose name is now a package -> the module that holds their names
PACKAGE_MODULES: dict[str, str] = {
    "logitstat.inference": "logitstat.inference.hypothesis",
    "logitstat.diagnostics": "logitstat.models.binary.diagnostics",
    "logitstat.dask": "logitstat.dask.model",
}


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve an old flat module path to the module now at its new home (one module object)."""

    def find_spec(self, fullname: str, path=None, target=None):
        """A spec loaded by this finder for an old path; ``None`` for every other name."""
        if fullname not in OLD_TO_NEW:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec) -> ModuleType:
        """The new module itself (imported if need be), so both names share one object."""
        module = importlib.import_module(OLD_TO_NEW[spec.name])
        spec.loader_state = module.__spec__   # its own spec, given back by exec_module
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run (the new module was executed when it was imported under its own name);
        only give back the module's own ``__spec__``, which the import system has just replaced
        by the alias's (a spec whose parent is not the module's ``__package__`` would make its
        later relative imports warn, and ``importlib.reload`` look for the old path)."""
        own = module.__spec__.loader_state
        if own is not None:
            module.__spec__ = own


def install() -> None:
    """Put one :class:`AliasFinder` first on :data:`sys.meta_path` (idempotent).

    First, so that an old path always means the module at its new home, even where another
    finder (an editable install of an older checkout, say) could answer for the name.
    """
    if not any(isinstance(f, AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, AliasFinder())


def old_name(name: str) -> ModuleType:
    """The module an old top-level name (``"results"``, ``"irls"``...) now stands for.

    Raises
    ------
    AttributeError
        When ``logitstat.<name>`` was never a module.
    """
    full = f"logitstat.{name}"
    if full not in OLD_TO_NEW:
        raise AttributeError(f"module 'logitstat' has no attribute {name!r}")
    return importlib.import_module(full)


def package_getattr(package: str, name: str):
    """Module ``__getattr__`` body for a package that replaced an old module of the same name.

    Looks ``name`` up in the module that now holds the old module's contents
    (:data:`PACKAGE_MODULES`); imported lazily, so the package stays free of import cycles.
    """
    if name.startswith("__"):
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    home = importlib.import_module(PACKAGE_MODULES[package])
    try:
        return getattr(home, name)
    except AttributeError:
        raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
