"""Public fitting functions: ``logit``, ``probit``, ``glm`` (formula or arrays) and ``lr_test``."""
from __future__ import annotations

import numpy as np
import pandas as pd
import patsy

from . import design as _design
from .covariance import get_estimator
from .errors import DataError, SpecificationError
from .inference import TestResult, lr_statistic
from .irls import irls
from .links import get_link
from .results import BinaryResults

METHODS = ("irls",)


def glm(formula, data=None, *, link="logit", weights=None, offset=None, missing: str = "drop",
        success=None, cov_type: str = "nonrobust", groups=None, method: str = "irls",
        tol: float = 1e-8, max_iter: int = 100, start_params=None, drop_collinear: bool = False,
        names=None, eval_env: int | patsy.EvalEnvironment = 0) -> BinaryResults:
    """Fit a binomial GLM and return its :class:`~logitstat.results.BinaryResults`.

    Parameters
    ----------
    formula : str or array-like
        A patsy formula (``"y ~ x + C(g)"``, ``"succ + fail ~ dose"``) evaluated in the caller's
        namespace; or, for the array interface, the response ``y`` (0/1, bool, two levels, or an
        n×2 array of successes and failures) with ``data`` the design matrix ``X`` (used as given:
        add a column of ones for an intercept).
    data : DataFrame or array-like
        The data for the formula, or ``X``.
    link : {"logit", "probit", "cloglog", "cauchit"}
    weights, offset, groups : str or array-like, optional
        Frequency weights, offset and cluster labels: a column name or one value per row.
    missing : {"drop", "raise"}
        Listwise deletion (the count is reported) or an error naming the columns.
    success : optional
        The response level (or value) that counts as the event.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}
    method : {"irls"}
    tol, max_iter, start_params
        Convergence tolerance (Newton decrement, in standard-error units), iteration cap, start.
    drop_collinear : bool
        Drop exactly collinear columns (as R does) instead of raising ``CollinearityError``.
    names : list of str, optional
        Column names for the array interface.
    eval_env : int or patsy.EvalEnvironment
        Extra stack depth (or an explicit environment) for evaluating the formula.
    """
    link_obj = get_link(link)
    get_estimator(cov_type)
    if method not in METHODS:
        raise SpecificationError(f"unknown method {method!r}: choose one of {', '.join(map(repr, METHODS))}")
    if isinstance(formula, str):
        env = eval_env if isinstance(eval_env, patsy.EvalEnvironment) else \
            patsy.EvalEnvironment.capture(eval_env + 1)
        des = _design.from_formula(formula, data, env, weights=weights, offset=offset, groups=groups,
                                   missing=missing, success=success)
    else:
        if data is None:
            raise DataError("the array interface needs both y and X: glm(y, X, ...)")
        des = _design.from_arrays(formula, data, names=names, weights=weights, offset=offset,
                                  groups=groups, success=success)
    return fit_design(des, link_obj, cov_type=cov_type, method=method, tol=tol, max_iter=max_iter,
                      start_params=start_params, drop_collinear=drop_collinear)


def fit_design(des: _design.Design, link, *, cov_type="nonrobust", method="irls", tol=1e-8,
               max_iter=100, start_params=None, drop_collinear=False) -> BinaryResults:
    """Fit an already built :class:`~logitstat.design.Design`."""
    n, p = des.X.shape
    if p > n:
        raise DataError(f"the model has {p} coefficients but only {n} rows of data: "
                        "simplify the formula or collect more data")
    aliased = _design.check_rank(des.X, des.names, drop=drop_collinear)
    if aliased:
        des = _design.drop_columns(des, aliased)
    fit = irls(des.X, des.y, des.trials, des.weights, des.offset, link, start=start_params,
               tol=tol, max_iter=max_iter)
    return BinaryResults(des, link, fit, cov_type=cov_type, method=method, tol=tol, max_iter=max_iter)


def logit(formula, data=None, **kwargs) -> BinaryResults:
    """Logistic regression: :func:`glm` with ``link="logit"``."""
    kwargs.setdefault("eval_env", 0)
    if isinstance(kwargs["eval_env"], int):
        kwargs["eval_env"] += 1
    return glm(formula, data, link="logit", **kwargs)


def probit(formula, data=None, **kwargs) -> BinaryResults:
    """Probit regression: :func:`glm` with ``link="probit"``."""
    kwargs.setdefault("eval_env", 0)
    if isinstance(kwargs["eval_env"], int):
        kwargs["eval_env"] += 1
    return glm(formula, data, link="probit", **kwargs)


def lr_test(restricted: BinaryResults, full: BinaryResults) -> TestResult:
    """Likelihood-ratio test of two nested models fitted on the same rows.

    Checks that both use the same link, observations and weights, and that the restricted model
    has fewer coefficients; the test is :math:`2(\\ell_{full}-\\ell_{restricted}) \\sim \\chi^2_{\\Delta k}`.
    """
    r, f = restricted, full
    if len(r.names) > len(f.names):
        r, f = f, r
    df = len(f.names) - len(r.names)
    if df <= 0:
        raise SpecificationError("lr_test needs nested models with different numbers of coefficients")
    if r.link.name != f.link.name:
        raise SpecificationError(f"lr_test: the models use different links ({r.link.name} vs {f.link.name})")
    dr, dfull = r.design, f.design
    same_rows = (len(dr.y) == len(dfull.y) and np.array_equal(dr.y, dfull.y)
                 and np.array_equal(dr.weights, dfull.weights) and np.array_equal(dr.trials, dfull.trials))
    if same_rows and dr.row_labels is not None and dfull.row_labels is not None:
        same_rows = pd.Index(dr.row_labels).equals(pd.Index(dfull.row_labels))
    if not same_rows:
        raise SpecificationError(
            "lr_test: the models were fitted on different rows (missing values in a variable of one "
            "model only?); refit both on the same complete rows")
    missing_names = [n for n in r.names if n not in f.names]
    if missing_names and not _spans(dfull.X, dr.X):
        raise SpecificationError(f"lr_test: the models are not nested ({', '.join(missing_names)} "
                                 "of the restricted model is not in the full model)")
    return lr_statistic(r.llf, f.llf, df, f"{len(r.names)} vs {len(f.names)} coefficients")


def _spans(X_big: np.ndarray, X_small: np.ndarray) -> bool:
    """Whether every column of X_small lies in the column space of X_big (nested designs)."""
    coef, *_ = np.linalg.lstsq(X_big, X_small, rcond=None)
    resid = X_small - X_big @ coef
    return bool(np.all(np.linalg.norm(resid, axis=0) <= 1e-8 * (1 + np.linalg.norm(X_small, axis=0))))
