"""Maximum-likelihood fit of a binary GLM by IRLS, from a built design to :class:`BinaryResults`.

The path of a plain fit: :func:`~logitstat.models.binary.prepare.prepare` (rank screen, scaling,
start), :func:`logitstat.fitting.irls.irls`, the results object, R's stopping point when the data
are separated (:func:`~logitstat.models.binary.diagnostics.separated_refit`), and
:func:`~logitstat.models.binary.prepare.finish`.
"""
from __future__ import annotations

import warnings

from ...fitting.irls import irls
from ...formula.design import Design
from .diagnostics import separated_refit
from .prepare import finish, prepare
from .results import BinaryResults

__all__ = ["fit_irls"]


def fit_irls(des: Design, link, *, cov_type: str = "nonrobust", tol: float = 1e-8,
             max_iter: int = 100, start_params=None, drop_collinear: bool = False,
             cov_kwds: dict | None = None, information: str = "expected") -> BinaryResults:
    """Fit a built design by IRLS (``method="irls"``; called by :func:`logitstat.api.glm`).

    Parameters
    ----------
    des : Design
        The design from :func:`logitstat.formula.design.from_formula` or ``from_arrays``.
    link : Link
        The link object (:func:`logitstat.fitting.links.get_link`).
    cov_type, cov_kwds, information
        Covariance of the estimates, as :func:`logitstat.api.glm`.
    tol, max_iter, start_params, drop_collinear
        As :func:`logitstat.api.glm`.

    Returns
    -------
    BinaryResults
        A :class:`~logitstat.models.binary.scaling.ScaledBinaryResults` when columns were
        rescaled.
    """
    prep = prepare(des, want_xty=start_params is None, start_params=start_params,
                   drop_collinear=drop_collinear)
    des = prep.design
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = irls(des.X, des.y, des.trials, des.weights, des.offset, link, start=prep.start,
                   tol=tol, max_iter=max_iter, gram=prep.gram, xty=prep.xty)
    res = BinaryResults(des, link, fit, cov_type=cov_type, method="irls", tol=tol,
                        max_iter=max_iter, cov_kwds=cov_kwds, information=information)
    if prep.start is None and res.separation.separated:
        sep = res.separation  # stop where R's glm stops: see diagnostics.separated_refit
        res = BinaryResults(des, link, separated_refit(des, link, max_iter), cov_type=cov_type,
                            method="irls", tol=tol, max_iter=max_iter, cov_kwds=cov_kwds,
                            information=information)
        res.__dict__["separation"] = sep  # the data, not the iterate, decide separation
    return finish(res, prep, cov_kwds, caught)
