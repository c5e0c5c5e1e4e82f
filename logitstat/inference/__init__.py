"""Inference on a fitted binary model: covariance estimators and clustering, Wald/LR/score
tests (:mod:`.hypothesis`), profile intervals, marginal effects, influence and deletion,
analysis of deviance and the post-estimation mixin of the results classes.

Imports from :mod:`logitstat.diagnostics` and below.  Before the layered layout
``logitstat.inference`` was the module now called :mod:`logitstat.inference.hypothesis`; its
names are still available here (looked up lazily).
"""
from __future__ import annotations

from .._aliases import package_getattr

#: the old module's exports (the same list as its new home's ``__all__``; tests/test_aliases.py)
__all__ = ["TestResult", "normal_quantile", "constraint_matrix", "wald_test", "lr_statistic",
           "term_wald_tests", "nested_lr_test"]


def __getattr__(name: str):
    """Names of the old ``logitstat.inference`` module (:class:`TestResult`, ``spans``, ...)."""
    return package_getattr(__name__, name)
