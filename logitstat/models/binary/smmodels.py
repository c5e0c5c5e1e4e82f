"""statsmodels' array-style model classes: ``ls.Logit(endog, exog).fit()``, ``ls.Probit``.

For code written against ``statsmodels.api.Logit`` / ``Probit``: the model is built from a
response and a design matrix (used as given, so add the constant yourself, e.g. with
``sm.add_constant`` or a column of ones) and ``.fit()`` returns logitstat's
:class:`~logitstat.models.binary.results.BinaryResults`.  Column names come from a DataFrame's columns, else
statsmodels' ``const`` (a constant column) and ``x1``, ``x2``...; the response name from a
Series, else ``y``.

``fit()`` accepts statsmodels' common keywords: ``maxiter`` (becomes ``max_iter``),
``start_params``, ``cov_type``, ``cov_kwds`` (its ``groups`` becomes ``groups=``); ``method``
(``"newton"``, ``"bfgs"``...), ``disp``, ``full_output``, ``callback`` and ``retall`` are
accepted and ignored (logitstat always fits by IRLS, which converges where Newton's method
does, to a tighter tolerance).  ``Probit`` uses the observed information for its standard
errors, as statsmodels' ``Probit`` (``ls.probit`` uses the expected one, as R's ``glm``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ...errors import DataError, SpecificationError
from .results import BinaryResults

IGNORED = ("method", "disp", "full_output", "callback", "retall")


def exog_names(exog) -> list[str]:
    """statsmodels' names: a DataFrame's (or Series') columns, else ``x1``..``xk`` with ``const``
    at the first constant column (statsmodels' ``_make_exog_names``)."""
    if isinstance(exog, pd.DataFrame):
        return [str(c) for c in exog.columns]
    if isinstance(exog, pd.Series):
        return [str(exog.name) if exog.name is not None else "x1"]
    X = np.asarray(exog, dtype=float)
    k = 1 if X.ndim == 1 else X.shape[1]
    if X.ndim == 2 and X.shape[0] > 1:
        const = np.flatnonzero(X.max(axis=0) == X.min(axis=0))
        if const.size:
            names = [f"x{j}" for j in range(1, k)]
            names.insert(int(const[0]), "const")
            return names
    return [f"x{j}" for j in range(1, k + 1)]


class _BinaryModel:
    """A binary model on arrays, fitted by :meth:`fit` (statsmodels' two-step API)."""

    link = "logit"
    information = "expected"

    def __init__(self, endog, exog, offset=None, check_rank: bool = True, missing: str = "none",
                 **kwargs):
        if kwargs:
            raise SpecificationError(f"{type(self).__name__}(): unknown keyword(s) "
                                     f"{', '.join(map(repr, kwargs))}; use weights=/groups= of "
                                     "ls.logit or ls.glm for frequency weights and clusters")
        if missing not in ("none", "drop", "raise"):
            raise SpecificationError(f"missing={missing!r}: use 'none', 'drop' or 'raise'")
        if exog is None:
            raise DataError(f"{type(self).__name__}(endog, exog): exog (the design matrix) is "
                            "required; add a constant column for an intercept")
        if isinstance(endog, pd.DataFrame) and endog.shape[1] == 1:
            endog = endog.iloc[:, 0]
        self.exog_names = exog_names(exog)
        self.endog_names = (str(endog.name) if isinstance(endog, pd.Series) and endog.name
                            is not None else "y")
        if missing == "drop":
            endog, exog, offset = _drop_missing(endog, exog, offset)
        self.endog, self.exog, self.offset = endog, exog, offset
        self.k_constant = int("const" in self.exog_names)

    @classmethod
    def from_formula(cls, formula: str, data, **kwargs) -> "_FormulaModel":
        """statsmodels' ``Logit.from_formula(formula, data)``: ``.fit()`` then calls
        ``ls.logit(formula, data)`` (or ``ls.probit``)."""
        return _FormulaModel(cls, formula, data, kwargs)

    def fit(self, start_params=None, maxiter=None, cov_type: str = "nonrobust", cov_kwds=None,
            use_t=None, **kwargs) -> BinaryResults:
        """Fit and return :class:`~logitstat.models.binary.results.BinaryResults` (see the module docstring
        for the statsmodels keywords accepted)."""
        from ...api import glm
        options = _fit_options(start_params, maxiter, cov_type, cov_kwds, use_t, kwargs)
        return glm(self.endog, self.exog, link=self.link, names=self.exog_names, offset=self.offset,
                   information=self.information, **options)

    def __repr__(self) -> str:
        return f"<ls.{type(self).__name__}: {self.endog_names} ~ {len(self.exog_names)} columns>"


class Logit(_BinaryModel):
    """statsmodels' ``Logit(endog, exog)``: ``ls.Logit(y, X).fit()`` (see the module docstring)."""

    link = "logit"


class Probit(_BinaryModel):
    """statsmodels' ``Probit(endog, exog)``: observed-information standard errors, as there."""

    link = "probit"
    information = "observed"


class _FormulaModel:
    """What ``Logit.from_formula`` returns: ``.fit()`` fits the formula."""

    def __init__(self, cls, formula, data, kwargs):
        self._cls, self.formula, self.data, self._kwargs = cls, formula, data, kwargs

    def fit(self, start_params=None, maxiter=None, cov_type: str = "nonrobust", cov_kwds=None,
            use_t=None, **kwargs) -> BinaryResults:
        from ...api import glm
        options = _fit_options(start_params, maxiter, cov_type, cov_kwds, use_t, kwargs)
        return glm(self.formula, self.data, link=self._cls.link,
                   information=self._cls.information, **self._kwargs, **options)


def _fit_options(start_params, maxiter, cov_type, cov_kwds, use_t, kwargs) -> dict:
    """logitstat's keywords from statsmodels' ``fit()`` keywords."""
    if use_t:
        raise SpecificationError("use_t=True: tests of a binary model are normal (z) here, as "
                                 "statsmodels' Logit/Probit default")
    unknown = [k for k in kwargs if k not in IGNORED]
    if unknown:
        raise SpecificationError(f"fit(): unknown keyword(s) {', '.join(map(repr, unknown))}; "
                                 f"accepted: start_params, maxiter, cov_type, cov_kwds, use_t "
                                 f"and (ignored) {', '.join(IGNORED)}")
    options: dict = {"cov_type": cov_type, "start_params": start_params}
    if maxiter is not None:
        options["max_iter"] = maxiter
    kw = dict(cov_kwds or {})
    if "groups" in kw:
        options["groups"] = kw.pop("groups")
    if kw:
        options["cov_kwds"] = kw
    return options


def _drop_missing(endog, exog, offset):
    """Rows with a missing value in ``endog``, ``exog`` or ``offset`` removed
    (``missing="drop"``)."""
    y = np.asarray(endog, dtype=float)
    X = np.asarray(exog, dtype=float)
    bad = np.isnan(y.reshape(len(y), -1)).any(axis=1) | np.isnan(X.reshape(len(X), -1)).any(axis=1)
    if offset is not None:
        bad |= np.isnan(np.asarray(offset, dtype=float))
    if not bad.any():
        return endog, exog, offset
    keep = ~bad

    def pick(v):
        if isinstance(v, (pd.Series, pd.DataFrame)):
            return v.loc[v.index[keep]]
        return np.asarray(v)[keep]
    return pick(endog), pick(exog), None if offset is None else pick(offset)
