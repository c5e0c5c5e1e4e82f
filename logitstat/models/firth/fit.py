"""Firth's bias-reduced fit of a binary GLM, from a built design to :class:`BinaryResults`.

Shares its prologue and epilogue with the IRLS fit
(:mod:`logitstat.models.binary.prepare`); the iterations are
:func:`logitstat.fitting.firth.firth_fit`.
"""
from __future__ import annotations

from ...fitting.firth import firth_fit
from ...formula.design import Design
from ..binary.prepare import finish, prepare
from ..binary.results import BinaryResults

__all__ = ["fit_firth"]


def fit_firth(des: Design, link, *, cov_type: str = "nonrobust", tol: float = 1e-8,
              max_iter: int = 100, start_params=None, drop_collinear: bool = False,
              cov_kwds: dict | None = None, information: str = "expected") -> BinaryResults:
    """Fit a built design by Firth's method (``method="firth"``; called by
    :func:`logitstat.api.glm`).

    Parameters are those of :func:`logitstat.models.binary.fit.fit_irls`; the iterations run to
    ``min(tol, 1e-10)``.

    Returns
    -------
    BinaryResults
        With ``method="firth"`` (scaled as for IRLS when columns were rescaled).
    """
    prep = prepare(des, want_xty=False, start_params=start_params, drop_collinear=drop_collinear)
    des = prep.design
    fit = firth_fit(des.X, des.y, des.trials, des.weights, des.offset, link, start=prep.start,
                    tol=min(tol, 1e-10), max_iter=max_iter)
    res = BinaryResults(des, link, fit, cov_type=cov_type, method="firth", tol=tol,
                        max_iter=max_iter, cov_kwds=cov_kwds, information=information)
    return finish(res, prep, cov_kwds, [])
