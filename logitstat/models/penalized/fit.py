"""One penalized logistic regression on a built design (``glm(..., penalty=, alpha=)``).

Checks the penalty options, applies class weights if given, and runs coordinate descent
(:func:`logitstat.fitting.coordinate_descent.fit_path`) for the one ``alpha``; the results are a
:class:`~logitstat.models.penalized.results.PenalizedResults`.
"""
from __future__ import annotations

import numpy as np

from ...common.checks import real_number
from ...errors import SpecificationError
from ...fitting import coordinate_descent as penalized
from ...formula import design as _design
from .results import PenalizedResults, _arrays, _check_design, resolve_penalty

__all__ = ["fit_penalized"]


def fit_penalized(des: _design.Design, link="logit", *, penalty: str | None = "l2", alpha=None,
                  l1_ratio: float | None = None, class_weight=None, cov_type: str | None = None,
                  method: str = "irls", standardize: bool = True, tol: float = 1e-10,
                  max_iter: int = 100) -> "PenalizedResults":
    """Fit one penalized logistic regression on a built design (see :mod:`logitstat.fitting.coordinate_descent`).

    Called by :func:`logitstat.api.glm` when ``penalty=`` is given.
    """
    if penalty is None:
        raise SpecificationError("alpha= sets the strength of a penalty: give penalty='l1', 'l2' "
                                 "or 'elasticnet' too")
    ratio = resolve_penalty(penalty, l1_ratio)
    if cov_type not in (None, "nonrobust"):
        raise SpecificationError(f"cov_type={cov_type!r}: penalized fits have no standard errors "
                                 "of any type")
    if method != "irls":
        raise SpecificationError(f"method={method!r} cannot be combined with penalty=")
    if alpha is None:
        raise SpecificationError("a penalized fit needs alpha= (the penalty strength, glmnet's "
                                 "lambda); use ls.logit_cv(...) to choose it by cross-validation")
    alpha = real_number(alpha, "alpha", low=0.0, hint="the penalty strength, glmnet's lambda")
    icol = _check_design(des, link)
    info, nobs = None, des.nobs
    if class_weight is not None:
        from ..classweighted.results import apply_class_weight
        des, info = apply_class_weight(des, class_weight)
    y, prior, off = _arrays(des)
    fit = penalized.fit_path(des.X, y, prior, off, icol, ratio, np.array([alpha]),
                             standardize_cols=standardize, tol=tol, max_iter=max_iter)
    return PenalizedResults(des, fit, 0, penalty, ratio, standardize, info, nobs)
