"""What IRLS and Firth fits do before and after their iterations, written once for both.

Before (:func:`prepare`): refuse more coefficients than rows, form :math:`X^\\top X` once for the
rank screen (with :math:`X^\\top y` from the same pass when IRLS can start from it), rescale
columns whose units are far from 1 (:mod:`logitstat.models.binary.scaling`), drop or refuse
exactly collinear columns, and put the start vector in the order (and units) of the fitted
columns.  After (:func:`finish`): keep :math:`X^\\top X` for the collinearity diagnostics, show
a scaled fit in the data's units, and issue the fit's warnings (:func:`fit_warnings`).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ...common.checks import start_vector
from ...errors import ConvergenceWarning, DataError, SeparationWarning, user_stacklevel
from ...fitting import kernels
from ...formula import design as _design
from .diagnostics import separation_warning_text
from .results import BinaryResults
from .scaling import ScaledBinaryResults, column_scales, scale_design, screened_gram

__all__ = ["Prepared", "prepare", "finish", "fit_warnings"]


@dataclass
class Prepared:
    """A design ready for the iterations, and what the fit needs to know about it.

    Attributes
    ----------
    design : Design
        The columns to fit: aliased columns dropped, scaled by ``scale`` when it is not ``None``.
    data_design : Design
        The same columns in the data's units (``design`` itself when nothing was scaled).
    gram : ndarray
        :math:`X^\\top X` of ``design`` over the informative rows.
    xty : ndarray or None
        :math:`X^\\top y` from the same pass (IRLS's start), when it was asked for and valid.
    rows : ndarray or None
        The informative rows (``None``: every row).
    scale : ndarray or None
        Column scales :math:`s_j` (the fit is made on :math:`X D^{-1}`), or ``None``.
    start : ndarray or None
        Start vector in the order and units of ``design``.
    """

    design: _design.Design
    data_design: _design.Design
    gram: np.ndarray
    xty: np.ndarray | None
    rows: np.ndarray | None
    scale: np.ndarray | None
    start: np.ndarray | None


def prepare(des: _design.Design, *, want_xty: bool, start_params=None,
            drop_collinear: bool = False) -> Prepared:
    """Screen and condition a built design for IRLS or Firth's method.

    Parameters
    ----------
    des : Design
        The design as built from the formula or arrays.
    want_xty : bool
        Form :math:`X^\\top y` with :math:`X^\\top X` (IRLS without a start vector: its start).
    start_params : array-like or mapping, optional
        The user's start vector (see :func:`logitstat.common.checks.start_vector`).
    drop_collinear : bool
        Drop exactly collinear columns instead of raising ``CollinearityError``.

    Returns
    -------
    Prepared

    Raises
    ------
    DataError
        More coefficients than rows.
    CollinearityError
        Exactly collinear columns and ``drop_collinear=False``.
    """
    n, p = des.X.shape
    if p > n:
        raise DataError(f"the model has {p} coefficients but only {n} rows of data: "
                        "simplify the formula or collect more data")
    rows = _design.informative_rows(des)
    # X'X once: the rank screen, and (when every row counts) IRLS's first iteration or, with
    # X'y from the same pass, its start
    xty = None
    if rows is None and want_xty:
        gram, xty = screened_gram(des.X, rhs=des.y)
    else:
        gram = screened_gram(des.X, None if rows is None else rows.astype(float))
    scale = column_scales(des.X, np.diag(gram))
    data_des = des
    if scale is not None:  # units far from 1: fit on X D^-1, see logitstat.models.binary.scaling
        des = scale_design(des, scale)
        gram = kernels.gram(des.X, None if rows is None else rows.astype(float))
        xty = None
    aliased = _design.check_rank(des.X, des.names, drop=drop_collinear, gram=gram, rows=rows,
                                 scale=scale)
    if aliased:
        keep = [j for j, nm in enumerate(des.names) if nm not in aliased]
        gram = gram[np.ix_(keep, keep)]
        xty = None if xty is None else xty[keep]
        des = _design.drop_columns(des, aliased)
        data_des = _design.drop_columns(data_des, aliased) if scale is not None else des
        scale = None if scale is None else scale[keep]
    start = start_vector(start_params, des.names)
    if scale is not None and start is not None:
        start = start * scale
    return Prepared(des, data_des, gram, xty, rows, scale, start)


def finish(res: BinaryResults, prep: Prepared, cov_kwds: dict | None,
           caught: list) -> BinaryResults:
    """The results as returned to the user: :math:`X^\\top X` kept when every row counts, a
    scaled fit shown in the data's units, and the fit's warnings issued (see
    :func:`fit_warnings`)."""
    if prep.rows is None:  # X'X of every row: the collinearity diagnostics reuse it
        res.__dict__["_design_gram"] = prep.gram
    if prep.scale is not None:
        res = ScaledBinaryResults(res, prep.data_design, prep.scale, cov_kwds=cov_kwds)
    fit_warnings(res, caught)
    return res


def fit_warnings(res: BinaryResults, caught: list) -> None:
    """Warn about separation (checked exactly on every fit) and pass on the fit's own warnings;
    under separation the separation warning replaces IRLS's non-convergence warning."""
    level = user_stacklevel()
    separated = res.method != "firth" and res.separation.separated
    if separated:
        warnings.warn(separation_warning_text(res.separation), SeparationWarning, stacklevel=level)
    for w in caught:
        if not (separated and issubclass(w.category, ConvergenceWarning)):
            warnings.warn(w.message, w.category, stacklevel=level)
    if res.method == "firth" and not res.converged:
        warnings.warn(f"{res.fit_result.message}; the estimates may be unreliable (raise max_iter)",
                      ConvergenceWarning, stacklevel=level)
