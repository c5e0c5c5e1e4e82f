"""Model-free diagnostics on a design: separation (exact linear programs, and the overlap
certificate of a converged fit), collinearity, goodness of fit and classification thresholds.

Imports from :mod:`logitstat.formula` and below.  Before the layered layout ``logitstat.diagnostics``
was the module of the fitted-model diagnostics mixin, now
:mod:`logitstat.models.binary.diagnostics`; its names are still available here (looked up lazily).
"""
from __future__ import annotations

from .._aliases import package_getattr

#: the old module's exports (the same list as its new home's ``__all__``; tests/test_aliases.py)
__all__ = ["ModelSeparation", "DiagnosticsMixin", "diagnostic_notes", "divergence_note",
           "divergence_reason", "separation_warning_text"]


def __getattr__(name: str):
    """Names of the old ``logitstat.diagnostics`` module (:class:`ModelSeparation`, ...)."""
    return package_getattr(__name__, name)
