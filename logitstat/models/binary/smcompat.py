r"""statsmodels' names on logitstat's results, with statsmodels' numbers (issue 13).

:class:`SMCompatMixin` gives :class:`~logitstat.models.binary.results.BinaryResults` what a statsmodels
``LogitResults`` / ``ProbitResults`` user reaches for: ``t_test``, ``f_test``, ``summary2``,
``get_margeff``, ``pred_table``, ``resid_generalized``, ``mle_retvals``, ``model`` (with
``exog_names``...), and a ``fit()`` that explains that ``ls.logit`` already returns results.

Tests follow statsmodels' discrete models (``use_t=False``):

* ``t_test``: for each restriction :math:`r_k^\top\beta = q_k`, ``effect``
  :math:`r_k^\top\hat\beta`,
  ``sd`` :math:`\sqrt{r_k^\top V r_k}`, z :math:`(r_k^\top\hat\beta - q_k)/\mathrm{sd}` with
  normal p-values and intervals ``effect`` :math:`\pm z_{1-\alpha/2}\,\mathrm{sd}`;
* ``f_test``: :math:`F = W/r` with :math:`W` the Wald statistic of :meth:`wald_test` and
  :math:`r` restrictions, p-value from :math:`F(r, \mathrm{df\_resid})`, as statsmodels'
  ``Logit.f_test`` (``df_denom`` is the residual degrees of freedom, not infinity).
"""
from __future__ import annotations

import warnings
from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from ...errors import AlreadyFittedError, SeparationWarning, SpecificationError, user_stacklevel
from ...formula.design import Design, new_design_matrix
from ...inference import hypothesis as inference
from ...inference.covariance import observed_information
from ...inference.margins import unavailable_effects
from . import smmargins

MODEL_NAMES = {"logit": "Logit", "probit": "Probit"}


class AlreadyFittedMixin:
    """``fit()`` on fitted results raises :class:`~logitstat.AlreadyFittedError` saying why."""

    def fit(self, *args, **kwargs):
        """Raises: the model is already fitted (statsmodels' ``smf.logit(...).fit()`` habit).

        ``ls.logit(formula, data, ...)`` (and ``probit``, ``glm``, ``mnlogit``) fits the model
        and returns its results; the options statsmodels gives to ``.fit()`` go to that call
        (``cov_type=``, ``groups=`` for clusters, ``max_iter=``).  ``ls.Logit(y, X).fit()``
        keeps statsmodels' two steps for arrays.
        """
        raise AlreadyFittedError(
            f"this {type(self).__name__} is already fitted: ls.logit / ls.probit / ls.glm fit the "
            "model and return its results, so drop the .fit() (res = ls.logit(formula, df)); "
            "pass fit options such as cov_type=, groups= or max_iter= to that call.  For "
            "statsmodels' two steps on arrays use ls.Logit(y, X).fit().")


class ContrastResults:
    """A t or F test of linear restrictions, with statsmodels' ``ContrastResults`` attributes.

    t test: ``effect``, ``sd``, ``tvalue`` (= ``statistic``), ``pvalue``, ``conf_int(alpha)``,
    ``summary()``, ``summary_frame()``, ``c_names``; F test: ``fvalue`` (= ``statistic``),
    ``df_num``, ``df_denom``, ``pvalue``.  ``distribution`` is ``"norm"`` or ``"F"``.  As in
    statsmodels, a single t restriction has ``sd`` and ``tvalue`` of shape (1, 1) and a scalar
    ``pvalue``.  ``note`` says why a number is NaN (separation).
    """

    def __init__(self, *, distribution: str, statistic, pvalue, effect=None, sd=None,
                 df_num=None, df_denom=None, c_names=None, note: str = "", hypothesis: str = ""):
        self.distribution = distribution
        self.statistic, self.pvalue, self.effect, self.sd = statistic, pvalue, effect, sd
        self.df_num, self.df_denom, self.note = df_num, df_denom, note
        self.hypothesis = hypothesis
        self.c_names = c_names
        if distribution == "F":
            self.fvalue = statistic
        else:
            self.tvalue = statistic

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Normal intervals of ``effect``, shape (r, 2)."""
        if self.distribution == "F":
            raise SpecificationError("an F test has no confidence interval; use t_test")
        z = inference.normal_quantile(alpha)
        e, s = np.ravel(self.effect), np.ravel(self.sd)
        return np.column_stack([e - z * s, e + z * s])

    def summary_frame(self, xname=None, alpha: float = 0.05) -> pd.DataFrame:
        """statsmodels' columns: ``coef``, ``std err``, ``z``, ``P>|z|``, ``Conf. Int. Low``,
        ``Conf. Int. Upp.``; rows ``c0``, ``c1``... (or ``xname``)."""
        ci = self.conf_int(alpha)
        return pd.DataFrame({"coef": np.ravel(self.effect), "std err": np.ravel(self.sd),
                             "z": np.ravel(self.tvalue), "P>|z|": np.ravel(self.pvalue),
                             "Conf. Int. Low": ci[:, 0], "Conf. Int. Upp.": ci[:, 1]},
                            index=list(xname) if xname is not None else self.c_names)

    def summary(self, xname=None, alpha: float = 0.05):
        """t test: a :class:`~logitstat.report.summary.Summary` table; F test: the one-line text."""
        if self.distribution == "F":
            return repr(self)
        from ...report.summary import Summary
        frame = self.summary_frame(xname, alpha)
        table = frame.iloc[:, :4].copy()
        table[f"[{alpha / 2:g}"] = frame["Conf. Int. Low"]
        table[f"{1 - alpha / 2:g}]"] = frame["Conf. Int. Upp."]
        header = [("Restrictions:", self.hypothesis or f"{len(table)} rows of R"),
                  ("Distribution:", "normal (z)")]
        return Summary("Test for Constraints", header, table, [self.note] if self.note else [])

    def __str__(self) -> str:
        return repr(self) if self.distribution == "F" else str(self.summary())

    def __repr__(self) -> str:
        if self.distribution == "F":
            return (f"<F test: F={float(self.fvalue)!r}, p={float(self.pvalue)!r}, "
                    f"df_denom={self.df_denom:.3g}, df_num={self.df_num:.3g}>")
        return str(self)

    __test__ = False  # not a pytest class


class MarginalEffects:
    """statsmodels' ``DiscreteMargins``: ``margeff``, ``margeff_se``, ``margeff_cov``,
    ``tvalues``, ``pvalues``, ``conf_int(alpha)``, ``summary_frame(alpha)``, ``summary(alpha)``,
    ``margeff_options``, ``dummy_idx``, ``count_idx`` (see :mod:`logitstat.models.binary.smmargins`)."""

    def __init__(self, results, out: dict, names: list[str], note: str = ""):
        self.results = results
        self.margeff = out["effects"]
        self.margeff_cov = out["cov"]
        with np.errstate(invalid="ignore"):
            self.margeff_se = np.sqrt(np.diag(self.margeff_cov))
        self.margeff_options = {"method": out["method"], "at": out["at"]}
        self.dummy_idx, self.count_idx = out["dummy_idx"], out["count_idx"]
        self.names = names
        self.note = note

    @property
    def tvalues(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.margeff / self.margeff_se

    @property
    def pvalues(self) -> np.ndarray:
        return 2.0 * stats.norm.sf(np.abs(self.tvalues))

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        z = inference.normal_quantile(alpha)
        return np.column_stack([self.margeff - z * self.margeff_se,
                                self.margeff + z * self.margeff_se])

    def summary_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        """statsmodels' columns, its spelling kept: the effect (``dy/dx``, ``d(lny)/d(lnx)``...),
        ``Std. Err.``, ``z``, ``Pr(>|z|)``, ``Conf. Int. Low``, ``Cont. Int. Hi.``."""
        ci = self.conf_int(alpha)
        return pd.DataFrame({smmargins.METHODS[self.margeff_options["method"]]: self.margeff,
                             "Std. Err.": self.margeff_se, "z": self.tvalues,
                             "Pr(>|z|)": self.pvalues, "Conf. Int. Low": ci[:, 0],
                             "Cont. Int. Hi.": ci[:, 1]}, index=self.names)

    def summary(self, alpha: float = 0.05):
        """A :class:`~logitstat.report.summary.Summary` in statsmodels' layout."""
        from ...report.summary import Summary
        ci = self.conf_int(alpha)
        table = pd.DataFrame({smmargins.METHODS[self.margeff_options["method"]]: self.margeff,
                              "std err": self.margeff_se, "z": self.tvalues, "P>|z|": self.pvalues,
                              f"[{alpha / 2:g}": ci[:, 0], f"{1 - alpha / 2:g}]": ci[:, 1]},
                             index=self.names)
        res = self.results
        header = [("Dep. Variable:", res.model.endog_names),
                  ("Method:", self.margeff_options["method"]),
                  ("At:", self.margeff_options["at"])]
        title = f"{MODEL_NAMES.get(res.link.name, 'GLM')} Marginal Effects"
        return Summary(title, header, table, [self.note] if self.note else [])

    def __repr__(self) -> str:
        return str(self.summary())


class ModelInfo:
    """statsmodels' ``res.model``: ``exog`` (the design matrix itself, not a copy), ``endog``,
    ``exog_names``, ``endog_names``, ``formula``, ``nobs``, ``k_constant``, ``offset`` and
    ``predict(params, exog=None, which="mean")``."""

    def __init__(self, results):
        self._res = results

    @property
    def exog(self) -> np.ndarray:
        return self._res.design.X

    @property
    def endog(self) -> np.ndarray:
        """The response (0/1; the proportion of events for grouped data)."""
        return self._res.design.y

    @property
    def exog_names(self) -> list[str]:
        return list(self._res.names)

    @property
    def endog_names(self) -> str:
        return self._res.design.response

    @property
    def formula(self) -> str | None:
        return self._res.design.formula

    @property
    def nobs(self) -> float:
        return self._res.nobs

    @property
    def k_constant(self) -> int:
        return int(self._res.design.intercept)

    @property
    def offset(self) -> np.ndarray | None:
        return self._res.design.offset if self._res.design.has_offset else None

    def predict(self, params, exog=None, which: str = "mean") -> np.ndarray:
        """Probabilities (``"mean"``) or linear predictor (``"linear"``) at ``params``."""
        d = self._res.design
        X = d.X if exog is None else exog_rows(d, exog)[0]
        eta = X @ np.asarray(params, dtype=float) + (d.offset if exog is None else 0.0)
        return eta if which == "linear" else self._res.link.linkinv(eta)

    def __repr__(self) -> str:
        return f"<model of {self.endog_names}: {len(self.exog_names)} columns, nobs={self.nobs}>"


def exog_rows(design: Design, exog, offset=None) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                           object]:
    """A design matrix given directly (statsmodels' ``predict(exog)``): ``(X, offset, ok,
    index)``, checked as the array interface's new X (columns in ``exog_names`` order)."""
    if isinstance(exog, pd.DataFrame) and list(map(str, exog.columns)) != list(design.names) \
            and set(map(str, exog.columns)) == set(design.names):
        exog = exog[design.names]  # the same columns in another order
    X, _, ok = new_design_matrix(replace(design, design_info=None), exog)
    off = np.zeros(X.shape[0]) if offset is None else np.broadcast_to(
        np.asarray(offset, dtype=float), (X.shape[0],))
    index = exog.index if isinstance(exog, (pd.DataFrame, pd.Series)) else None
    return X, off, ok & ~np.isnan(off), index


class SMCompatMixin(AlreadyFittedMixin):
    """statsmodels' result names for :class:`~logitstat.models.binary.results.BinaryResults` (see the module
    docstring); needs ``design``, ``link``, ``fit_result``, ``params``, ``names``, ``_cov``."""

    # ------------------------------------------------------------------ tests
    def t_test(self, r_matrix, cov_p=None, use_t=None) -> ContrastResults:
        """z tests of each restriction (statsmodels' ``t_test`` with ``use_t=False``).

        ``r_matrix``: a string (``"k5 = 0, age = k618"``), a list of strings, an ``(R, q)``
        tuple or an ``R`` matrix, as :meth:`wald_test`.  ``cov_p`` replaces the covariance.
        Under separation a restriction on a coefficient that runs to infinity gets NaN
        ``sd``, z and p-value, with a :class:`~logitstat.SeparationWarning`.
        """
        _no_t(use_t)
        R, q, text = inference.constraint_matrix(r_matrix, self.names)
        cov = self._cov if cov_p is None else np.asarray(cov_p, dtype=float)
        effect = R @ self.fit_result.params
        with np.errstate(invalid="ignore"):
            sd = np.sqrt(np.einsum("ij,jk,ik->i", R, cov, R))
        reasons = [self._unavailable_reason(R[[k]]) if cov_p is None else "" for k in range(len(q))]
        note = "; ".join(f"c{k}: {r}" for k, r in enumerate(reasons) if r)
        if note:
            sd[[bool(r) for r in reasons]] = np.nan
            warnings.warn(f"No z test of {note}", SeparationWarning, stacklevel=user_stacklevel())
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (effect - q) / sd
        p = 2.0 * stats.norm.sf(np.abs(z))
        if len(q) == 1:  # statsmodels' shapes for one restriction
            sd, z, p = sd[:, None], z[:, None], float(p[0])
        return ContrastResults(distribution="norm", statistic=z, pvalue=p, effect=effect, sd=sd,
                               c_names=[f"c{k}" for k in range(len(q))], note=note,
                               hypothesis=text)

    def f_test(self, r_matrix, cov_p=None, invcov=None) -> ContrastResults:
        r"""F test of the restrictions jointly: :math:`F = W/r` on :math:`(r, \mathrm{df\_resid})`
        degrees of freedom, as statsmodels' ``Logit.f_test`` (:math:`W` from :meth:`wald_test`)."""
        if cov_p is not None or invcov is not None:
            raise SpecificationError("f_test: cov_p= and invcov= are not supported; refit with the "
                                     "cov_type= you want (the test uses the model's covariance)")
        w = self.wald_test(r_matrix)
        F = w.statistic / w.df
        df_denom = float(self.df_resid)
        p = float(stats.f.sf(F, w.df, df_denom)) if np.isfinite(F) else float("nan")
        return ContrastResults(distribution="F", statistic=F, pvalue=p, df_num=float(w.df),
                               df_denom=df_denom, note=getattr(w, "note", ""),
                               hypothesis=w.hypothesis)

    # ------------------------------------------------------------------ summaries
    def summary2(self, alpha: float = 0.05, float_format: str = "%.4f", title=None, yname=None,
                 xname=None):
        """statsmodels' alternative layout (``summary2``): a model-information block and the
        coefficient table; ``tables`` holds both as DataFrames.  See :mod:`logitstat.report.summary2`."""
        from ...report.summary2 import Summary2
        return Summary2.from_results(self, alpha=alpha, float_format=float_format, title=title,
                                     yname=yname, xname=xname)

    # ------------------------------------------------------------------ marginal effects
    def get_margeff(self, at: str = "overall", method: str = "dydx", atexog=None,
                    dummy: bool = False, count: bool = False) -> MarginalEffects:
        """Marginal effects with statsmodels' definitions: one per non-constant design column
        (an interaction column is its own "variable"), see :mod:`logitstat.models.binary.smmargins`.

        ``at``: ``"overall"`` | ``"mean"`` | ``"median"`` | ``"zero"``; ``method``: ``"dydx"`` |
        ``"eyex"`` | ``"dyex"`` | ``"eydx"``; ``dummy``/``count``: 0/1 and count columns as
        discrete changes.  Frequency weights and binomial trials weight the rows.  For effects of
        the data's variables through every column they enter, use :meth:`marginal_effects`.
        """
        if atexog is not None:
            raise SpecificationError("get_margeff: atexog= is not supported; use "
                                     "res.margins(at={...}) for effects at chosen values")
        d = self.design
        b = self.fit_result.params
        out = smmargins.margeff(d.X, b, self._cov, self.link, d.offset, self._individuals,
                                at=at, method=method, dummy=dummy, count=count)
        names = [self.names[j] for j in out["columns"]]
        return MarginalEffects(self, out, names, self._margeff_separation(out))

    def _margeff_separation(self, out: dict) -> str:
        """NaN (in place) for the effects that do not exist under separation; the note."""
        diverging = self._diverging
        if not np.any(diverging):
            return ""
        cols = [np.array([j]) for j in out["columns"]]
        own, involved = unavailable_effects(out["jacobian"], cols, diverging, self.design.X)
        if out["at"] != "overall":
            own[:], involved[:] = True, False
        out["effects"][own] = np.nan
        bad = own | involved
        out["cov"][bad, :] = np.nan
        out["cov"][:, bad] = np.nan
        note = ("coefficients run to infinity under separation (see res.separation): NaN for the "
                "effects (or standard errors) that involve them")
        warnings.warn(note, SeparationWarning, stacklevel=user_stacklevel())
        return note

    # ------------------------------------------------------------------ classification, residuals
    def pred_table(self, threshold: float = 0.5) -> np.ndarray:
        """Confusion matrix as statsmodels': rows observed 0 / 1, columns predicted 0 / 1
        (:math:`\\hat\\mu > ` ``threshold``); counts of individuals (frequency weights times
        trials: a grouped row adds its successes and failures)."""
        d = self.design
        n = self._individuals
        pred = self.link.linkinv(self.fit_result.eta) > threshold
        ones, zeros = n * d.y, n * (1.0 - d.y)
        return np.array([[zeros[~pred].sum(), zeros[pred].sum()],
                         [ones[~pred].sum(), ones[pred].sum()]])

    @property
    def _individuals(self) -> np.ndarray:
        """Individuals each row stands for: frequency weights (not class weights) times trials."""
        d = self.design
        w = getattr(self, "freq_weights", None)
        return (d.weights if w is None else w) * d.trials

    @cached_property
    def resid_generalized(self) -> pd.Series:
        r"""Generalized residuals :math:`\partial\ell_i/\partial\eta_i = n_i (y_i-\mu_i)\mu'(\eta_i)
        / (\mu_i(1-\mu_i))` (statsmodels' ``resid_generalized``; :math:`y_i-\mu_i` for the
        logit)."""
        sp = self.score_parts
        return pd.Series(sp.score, index=self.design.row_labels, name="resid_generalized")

    @cached_property
    def mle_retvals(self) -> dict:
        """statsmodels' dict: ``converged``, ``iterations``, ``fopt`` (:math:`-\\ell/n`),
        ``score`` and ``Hessian`` (gradient and Hessian of :math:`-\\ell/n` at the estimate,
        the observed information), ``warnflag`` (0 when converged), and ``method``."""
        d = self.design
        n = float(self.nobs)
        sp = self.score_parts
        score = -(d.X.T @ (d.weights * sp.score)) / n
        hess = observed_information(d.X, d.y, d.trials, d.weights, self.fit_result.eta,
                                    self.link) / n
        conv = bool(self.converged)
        return {"fopt": -self.llf / n, "iterations": int(self.n_iter), "score": score,
                "Hessian": hess, "warnflag": 0 if conv else 1, "converged": conv,
                "method": self.method}

    @cached_property
    def model(self) -> ModelInfo:
        """statsmodels' ``res.model``: names, ``exog``/``endog`` (no copies)."""
        return ModelInfo(self)

    @property
    def use_t(self) -> bool:
        """False: tests and intervals are normal (z), as statsmodels' discrete models."""
        return False


def _no_t(use_t) -> None:
    if use_t:
        raise SpecificationError("use_t=True: logitstat's tests of a binary model are normal (z), "
                                 "as statsmodels' Logit and Probit (use_t=False)")
