"""Public fitting functions: ``logit``, ``probit``, ``glm`` (formula or arrays) and ``lr_test``."""
from __future__ import annotations

import inspect
import warnings
from typing import Callable

import numpy as np
import pandas as pd
import patsy

from .common.checks import real_number, whole_number
from .dask.model import glm_dask
from .errors import DataError, DomainWarning, SpecificationError, user_stacklevel
from .fitting.links import get_link
from .formula import design as _design
from .inference.covariance import check_information, get_estimator
from .inference.hypothesis import FitArrays, TestResult, nested_lr_test
from .models.binary.fit import fit_irls
from .models.binary.results import BinaryResults
from .models.classweighted.fit import fit_class_weighted
from .models.firth.fit import fit_firth
from .models.penalized.fit import fit_penalized

__all__ = ["glm", "logit", "probit", "lr_test"]

METHODS = ("irls", "firth")

#: One fitting function per kind of fit, each beside its results in ``logitstat/models/`` (Dask:
#: ``logitstat/dask/``), with the options of :func:`glm` it takes.  :func:`_fit_kind` picks the
#: kind from (Dask frame?, penalty?, class_weight?, method).
FITTERS: dict[str, tuple[Callable, tuple[str, ...]]] = {
    "irls": (fit_irls, ("cov_type", "tol", "max_iter", "start_params", "drop_collinear",
                        "cov_kwds", "information")),
    "firth": (fit_firth, ("cov_type", "tol", "max_iter", "start_params", "drop_collinear",
                          "cov_kwds", "information")),
    "penalized": (fit_penalized, ("penalty", "alpha", "l1_ratio", "class_weight", "cov_type",
                                  "method", "standardize")),
    "classweighted": (fit_class_weighted, ("class_weight", "cov_type", "method", "tol",
                                           "max_iter", "start_params", "drop_collinear",
                                           "cov_kwds")),
    "dask": (glm_dask, ("eval_env", "weights", "offset", "missing", "success", "cov_type", "tol",
                        "max_iter", "start_params", "drop_collinear")),
}


def glm(formula, data=None, *, link="logit", weights=None, offset=None, missing: str = "drop",
        success=None, cov_type: str | None = None, groups=None, cov_kwds: dict | None = None,
        information: str = "expected", method: str = "irls",
        tol: float = 1e-8, max_iter: int = 100, start_params=None, drop_collinear: bool = False,
        names=None, eval_env: int | patsy.EvalEnvironment = 0, penalty: str | None = None,
        alpha: float | None = None, l1_ratio: float | None = None, class_weight=None,
        standardize: bool = True) -> BinaryResults:
    """Fit a binomial GLM and return its :class:`~logitstat.models.binary.results.BinaryResults`.

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
        Frequency weights, offset and cluster labels: a column name or one value per row
        (``groups`` also two columns, a list of names or an (n, 2) array, for two-way clustering).
    missing : {"drop", "raise"}
        Listwise deletion (the count is reported) or an error naming the columns.
    success : optional
        The response level (or value) that counts as the event.
    cov_type : {"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}
        Default ``"nonrobust"``; ``"HC0"`` with ``class_weight``.  The robust types match
        ``sandwich::vcovHC`` and ``cluster`` (with ``groups=``) ``sandwich::vcovCL``; frequency
        weights count as duplicated rows.  See :mod:`logitstat.inference.covariance`.
    cov_kwds : dict, optional
        Options of the covariance type: for ``cluster``, ``cadjust`` (default ``True``: the
        factor :math:`G/(G-1)`, as ``vcovCL`` and Stata), ``type`` (default ``"HC0"``;
        ``"HC1"`` adds :math:`(n-1)/(n-k)`; ``"HC2"``/``"HC3"`` scale each cluster's scores by
        :math:`(I-H_{gg})^{-1/2}` / :math:`(I-H_{gg})^{-1}`), ``multi0`` and ``fix`` (two-way
        clustering: ``groups=`` with two columns), all as ``sandwich::vcovCL``; see
        :mod:`logitstat.inference.clustering`.
    information : {"expected", "observed"}
        The bread of every covariance: inverse Fisher information (as R's ``glm``) or inverse
        observed information (the Hessian, as Newton fits in statsmodels and Stata); the two
        coincide for the logit link.
    method : {"irls", "firth"}
        Maximum likelihood by IRLS, or Firth's bias-reduced estimates (penalized likelihood with
        Jeffreys' prior for the logit link; ``brglm2``'s ``AS_mean`` for the others), finite
        even under separation.
    tol, max_iter, start_params
        Convergence tolerance (Newton decrement, in standard-error units), iteration cap, start.
    drop_collinear : bool
        Drop exactly collinear columns (as R does) instead of raising ``CollinearityError``.
    names : list of str, optional
        Column names for the array interface.
    eval_env : int or patsy.EvalEnvironment
        Extra stack depth (or an explicit environment) for evaluating the formula.
    penalty, alpha, l1_ratio : optional
        ``penalty="l1"|"l2"|"elasticnet"`` fits a penalized logistic regression of strength
        ``alpha`` (glmnet's lambda; ``l1_ratio`` is glmnet's alpha) by coordinate descent and
        returns a :class:`~logitstat.models.penalized.results.PenalizedResults` (no standard errors).
    standardize : bool
        With ``penalty=``: penalize the coefficients of the standardized columns (default, as
        glmnet's ``standardize=TRUE``) or, with ``False``, of the columns as they are (as
        :func:`~logitstat.logit_path`'s ``standardize``).
    class_weight : "balanced" or mapping, optional
        Class weights ``{0: w0, 1: w1}`` (scikit-learn's definition), kept apart from frequency
        weights; returns a :class:`~logitstat.models.classweighted.results.ClassWeightedResults`.
    """
    link_obj, tol, max_iter = _check_options(link, cov_type, cov_kwds, information, method, tol,
                                             max_iter)
    kind = _fit_kind(isinstance(formula, str) and _is_dask_frame(data),
                     penalty is not None or alpha is not None, class_weight is not None, method)
    env = _design.eval_environment(eval_env, 1) if isinstance(formula, str) else None
    options = dict(cov_type=cov_type, cov_kwds=cov_kwds, information=information, method=method,
                   tol=tol, max_iter=max_iter, start_params=start_params,
                   drop_collinear=drop_collinear, penalty=penalty, alpha=alpha, l1_ratio=l1_ratio,
                   class_weight=class_weight, standardize=standardize, eval_env=env,
                   weights=weights, offset=offset, missing=missing, success=success)
    if kind in ("irls", "firth", "dask"):
        options["cov_type"] = cov_type or "nonrobust"
    fit, keywords = FITTERS[kind]
    if kind == "dask":  # out of core: the frame is read by logitstat.dask, no design here
        if (method != "irls" or groups is not None or penalty is not None or alpha is not None
                or class_weight is not None or information != "expected"):
            raise SpecificationError("a Dask DataFrame is fitted by IRLS with weights=, offset=, "
                                     "cov_type='nonrobust'|'HC0'-'HC3' only; compute() it to use "
                                     "the other options")
        return fit(formula, data, link_obj, **{k: options[k] for k in keywords})
    if isinstance(formula, str):
        des = _design.from_formula(formula, data, env, weights=weights, offset=offset, groups=groups,
                                   missing=missing, success=success)
    else:
        if data is None:
            raise DataError("the array interface needs both y and X: glm(y, X, ...)")
        des = _design.from_arrays(formula, data, names=names, weights=weights, offset=offset,
                                  groups=groups, success=success)
    _warn_fractional_counts(des)
    _check_standardize(standardize, penalized=kind == "penalized")
    res = fit(des, link_obj, **{k: options[k] for k in keywords})
    if kind in ("irls", "firth") and isinstance(formula, str):
        # for marginal effects (the frame is only read, never modified)
        res._frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    return res


def _check_options(link, cov_type, cov_kwds, information, method, tol, max_iter):
    """The options :func:`glm` can check before reading any data: the link object and the
    checked ``tol`` and ``max_iter``; raises ``SpecificationError`` on the first bad one."""
    link_obj = get_link(link)
    get_estimator(cov_type or "nonrobust", cov_kwds)
    check_information(information)
    if method not in METHODS:
        raise SpecificationError(f"unknown method {method!r}: choose one of {', '.join(map(repr, METHODS))}")
    max_iter = whole_number(max_iter, "max_iter", hint="the cap on IRLS iterations; default 100")
    tol = real_number(tol, "tol", low=0.0, high=1.0, low_open=True, high_open=True,
                      hint="the convergence tolerance in standard-error units; default 1e-8")
    return link_obj, tol, max_iter


def _fit_kind(dask: bool, penalized: bool, class_weighted: bool, method: str) -> str:
    """The key of :data:`FITTERS`: a Dask frame first, then a penalty (which takes class weights
    and refuses Firth itself), then class weights (which refuse Firth), then ``method``."""
    if dask:
        return "dask"
    if penalized:
        return "penalized"
    if class_weighted:
        return "classweighted"
    return method


def _check_standardize(standardize, *, penalized: bool) -> None:
    """``standardize=`` is a bool, and ``False`` only with a penalty."""
    if not isinstance(standardize, (bool, np.bool_)):
        raise SpecificationError(f"standardize={standardize!r} must be True or False")
    if not penalized and not standardize:
        raise SpecificationError(f"standardize={standardize!r} applies to penalized fits only: "
                                 "give penalty= and alpha= too (an unpenalized fit does not "
                                 "depend on the scale of the columns)")


def _warn_fractional_counts(des: _design.Design) -> None:
    """Warn, as R's ``glm`` does ("non-integer #successes"), when frequency weights times trials
    give counts of successes or failures that are not whole numbers (by more than 1e-3, R's
    tolerance).  The fit is still the weighted one; only the likelihood's meaning differs."""
    if not (des.has_weights or des.grouped):
        return
    n = des.weights * des.trials
    s = n * des.y
    if max(np.max(np.abs(s - np.round(s)), initial=0.0),
           np.max(np.abs(n - s - np.round(n - s)), initial=0.0)) > 1e-3:
        warnings.warn("the frequency weights (or grouped counts) are not whole numbers: estimates "
                      "and standard errors are those of the weighted likelihood, and so are llf, "
                      "AIC, BIC and LR tests (sum of w_i times each row's log-likelihood); R's glm "
                      'warns "non-integer #successes" and its logLik/AIC round the counts, so '
                      "those differ from R's", DomainWarning, stacklevel=user_stacklevel())


def _is_dask_frame(data) -> bool:
    """A Dask DataFrame (recognised without importing Dask)."""
    mod = type(data).__module__ or ""
    return mod.split(".")[0] in ("dask", "dask_expr") and hasattr(data, "npartitions")


def fit_design(des: _design.Design, link, *, cov_type="nonrobust", method="irls", tol=1e-8,
               max_iter=100, start_params=None, drop_collinear=False, cov_kwds=None,
               information="expected") -> BinaryResults:
    """Fit an already built :class:`~logitstat.formula.design.Design` by IRLS or Firth's method.

    A thin dispatcher kept for code that builds its design itself (the benchmarks do): the work
    is :func:`logitstat.models.binary.fit.fit_irls` or
    :func:`logitstat.models.firth.fit.fit_firth`.
    """
    fit = fit_firth if method == "firth" else fit_irls
    return fit(des, link, cov_type=cov_type, tol=tol, max_iter=max_iter,
               start_params=start_params, drop_collinear=drop_collinear, cov_kwds=cov_kwds,
               information=information)


def logit(formula, data=None, *, weights=None, offset=None, missing: str = "drop", success=None,
          cov_type: str | None = None, groups=None, cov_kwds: dict | None = None,
          information: str = "expected", method: str = "irls", tol: float = 1e-8,
          max_iter: int = 100, start_params=None, drop_collinear: bool = False, names=None,
          eval_env: int | patsy.EvalEnvironment = 0, penalty: str | None = None,
          alpha: float | None = None, l1_ratio: float | None = None,
          class_weight=None, standardize: bool = True) -> BinaryResults:
    options = dict(locals())
    del options["formula"], options["data"]
    options["eval_env"] = _design.eval_environment(eval_env, 1)
    return glm(formula, data, link="logit", **options)


def probit(formula, data=None, **options) -> BinaryResults:
    if "link" in options:
        raise SpecificationError("probit() sets link='probit'; use ls.glm(..., link=...) for "
                                 "another link")
    options["eval_env"] = _design.eval_environment(options.get("eval_env", 0), 1)
    return glm(formula, data, link="probit", **options)


probit.__signature__ = inspect.signature(logit)  # logit's keywords (glm's without link)


_LINK_DOC = """{title}: :func:`glm` with ``link="{link}"``, :math:`P(y=1\\mid x) = {formula}`.

    Fits the model and returns its results (there is no ``.fit()`` step: calling ``.fit()`` on
    the results raises :class:`~logitstat.AlreadyFittedError`; ``ls.{cls}(y, X).fit()`` keeps
    statsmodels' two steps for arrays).

    Parameters
    ----------
    formula : str or array-like
        A patsy formula (``"y ~ x + C(g)"``, ``"succ + fail ~ dose"``) evaluated in the caller's
        namespace, or the response ``y`` of the array interface (then ``data`` is ``X``).
    data : DataFrame or array-like, optional
        The data for the formula, or the design matrix ``X`` (used as given: add a column of ones
        for an intercept).
    weights, offset, groups : str or array-like, optional
        Frequency weights, offset and cluster labels: a column name or one value per row.
    missing : {{"drop", "raise"}}
        Listwise deletion (the count is reported) or an error naming the columns.
    success : optional
        The response level (or value) that counts as the event.
    cov_type : {{"nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster"}}, optional
        Covariance of the estimates (``"cluster"`` needs ``groups=``); see :func:`glm`.
    cov_kwds : dict, optional
        Options of the covariance type (``cadjust``, ``type`` for clusters).
    information : {{"expected", "observed"}}
        The bread of the covariance: Fisher (R's ``glm``) or observed information (statsmodels'
        ``{cls}``{same}).
    method : {{"irls", "firth"}}
        Maximum likelihood, or Firth's bias-reduced estimates (finite under separation).
    tol, max_iter, start_params
        Convergence tolerance (Newton decrement in standard-error units), iteration cap, start.
    drop_collinear : bool
        Drop exactly collinear columns, as R does, instead of raising.
    names : list of str, optional
        Column names for the array interface.
    eval_env : int or patsy.EvalEnvironment
        Extra stack depth (or an explicit environment) for evaluating the formula.
    penalty, alpha, l1_ratio : optional
        Penalized fit (``"l1"``, ``"l2"``, ``"elasticnet"``{penalty_note}); see :func:`glm`.
    class_weight : "balanced" or mapping, optional
        Class weights (scikit-learn's definition); see :func:`glm`.

    Returns
    -------
    BinaryResults
        The fitted model (``PenalizedResults`` with ``penalty=``, ``ClassWeightedResults`` with
        ``class_weight=``).

    Raises
    ------
    FormulaError, DataError, ResponseError, MissingDataError
        The formula or the data cannot be used as given (the message names the column).
    CollinearityError
        Exactly collinear columns (unless ``drop_collinear=True``).
    SpecificationError
        An option has an unknown or inconsistent value.

    Examples
    --------
    >>> import logitstat as ls
    >>> mroz = ls.datasets.load("mroz")
    >>> res = ls.{link}("lfp ~ k5 + age + C(wc)", mroz)
    >>> res.params.index.tolist()
    ['Intercept', 'C(wc)[T.yes]', 'k5', 'age']
    >>> robust = ls.{link}("lfp ~ k5 + age + C(wc)", mroz, cov_type="HC1")
    """

logit.__doc__ = _LINK_DOC.format(title="Logistic regression", link="logit", cls="Logit",
                                 formula="1/(1+e^{-x^\\top\\beta})",
                                 same=": the same for this link", penalty_note="")
probit.__doc__ = _LINK_DOC.format(title="Probit regression", link="probit", cls="Probit",
                                  formula="\\Phi(x^\\top\\beta)", same="",
                                  penalty_note="; logit link only")


def lr_test(restricted: BinaryResults, full: BinaryResults) -> TestResult:
    """Likelihood-ratio test of two nested models fitted on the same rows.

    :math:`2(\\ell_{full}-\\ell_{restricted}) \\sim \\chi^2_{\\Delta k}`, as R's
    ``anova(restricted, full, test="Chisq")``.  Both must be maximum-likelihood fits with the same
    link on the same rows (response, weights, offset), the restricted design's columns in the span
    of the full one's; otherwise a :class:`~logitstat.SpecificationError` says what differs.
    Two Firth fits (``method="firth"``, logit link) get the penalized likelihood-ratio test of
    ``logistf``'s ``anova(method="nested")``, the smaller model refitted under the larger one's
    penalty (see :func:`logitstat.models.firth.results.firth_lr_test`).
    Returns a :class:`~logitstat.inference.hypothesis.TestResult` (``statistic``, ``df``, ``pvalue``).
    """
    from .models.multinomial.results import MNLogitResults, mn_lr_test
    if isinstance(restricted, MNLogitResults) and isinstance(full, MNLogitResults):
        return mn_lr_test(restricted, full)
    if any(getattr(m, "class_weight_info", None) for m in (restricted, full)):
        raise SpecificationError("lr_test: class-weighted fits maximize a pseudo-likelihood, so "
                                 "the LR statistic is not chi-squared; use a robust Wald test")
    for what, m in (("restricted", restricted), ("full", full)):
        if not isinstance(m, BinaryResults):
            raise SpecificationError(f"lr_test: {what} must be a fitted model (the result of "
                                     f"ls.logit/probit/glm); got {type(m).__name__}")
    if restricted.method == "firth" and full.method == "firth":
        from .models.firth.results import firth_lr_test
        small, big = (getattr(m, "inner", m) for m in (restricted, full))  # unit-free: fits
        return firth_lr_test(_fit_arrays(small), _fit_arrays(big),     # in their safe units
                             (small.fit_result.params, big.fit_result.params))
    return nested_lr_test(_fit_arrays(restricted), _fit_arrays(full))


def _fit_arrays(res: BinaryResults) -> FitArrays:
    d = res.design
    return FitArrays(llf=res.llf, X=d.X, y=d.y, trials=d.trials, weights=d.weights, offset=d.offset,
                     link=res.link.name, names=list(res.names), rows=d.row_labels,
                     method=res.method, converged=res.converged)
