"""Class-weighted binary fit on a built design (``glm(..., class_weight=)``).

Its own prologue (unlike IRLS and Firth fits it refuses to rescale columns), then IRLS on the
class-weighted design; the results are a
:class:`~logitstat.models.classweighted.results.ClassWeightedResults` with a sandwich covariance.
"""
from __future__ import annotations

import numpy as np

from ...common.checks import start_vector
from ...errors import DataError, SpecificationError
from ...fitting.irls import irls
from ...formula.design import Design, check_rank, drop_columns, informative_rows
from ..binary.scaling import column_scales, screened_gram
from .results import ClassWeightedResults, apply_class_weight, class_weights, event_label

__all__ = ["fit_class_weighted"]


def fit_class_weighted(des: Design, link, class_weight, *, cov_type: str | None = None,
                       method: str = "irls", tol: float = 1e-8, max_iter: int = 100,
                       start_params=None, drop_collinear: bool = False,
                       cov_kwds: dict | None = None) -> ClassWeightedResults:
    """Fit a class-weighted binary GLM by IRLS (called by :func:`logitstat.api.glm`).

    ``cov_type`` defaults to ``"HC0"``; an explicit ``"nonrobust"`` is honoured with a warning.
    """
    if method != "irls":
        raise SpecificationError(f"class_weight works with method='irls' only; got {method!r}")
    rows = informative_rows(des)
    gram = screened_gram(des.X, None if rows is None else rows.astype(float))
    scale = column_scales(des.X, np.diag(gram))
    if scale is not None:
        bad = [nm for nm, s in zip(des.names, scale) if s != 1.0]
        raise DataError(f"column(s) {', '.join(map(repr, bad))} have a norm outside "
                        "1e-100..1e100, which class-weighted fits do not rescale: change their "
                        "units (e.g. x / 1e150) or fit without class_weight")
    aliased = check_rank(des.X, des.names, drop=drop_collinear, gram=gram, rows=rows)
    if aliased:
        des = drop_columns(des, aliased)
    start_params = start_vector(start_params, des.names)
    n, p = des.X.shape
    if p > n:
        raise DataError(f"the model has {p} coefficients but only {n} rows of data: "
                        "simplify the formula or collect more data")
    freq = des.weights.copy()
    cw_des, info = apply_class_weight(des, class_weight)
    cw = class_weights(des.y, class_weight, freq if des.has_weights else None, event_label(des))
    fit = irls(cw_des.X, cw_des.y, cw_des.trials, cw_des.weights, cw_des.offset, link,
               start=start_params, tol=tol, max_iter=max_iter)
    return ClassWeightedResults(cw_des, link, fit, freq_weights=freq, class_weight=cw,
                                class_weight_info=info, cov_type=cov_type or "HC0", method=method,
                                tol=tol, max_iter=max_iter, cov_kwds=cov_kwds)
