r"""Multinomial logit from a formula: :func:`mnlogit` and :class:`MNLogitResults`.

``ls.mnlogit("partic ~ hincome + children + region", df, base="not.work")`` fits one coefficient
vector per non-base outcome (softmax, see :mod:`logitstat.models.multinomial.fit`), with the right-hand side
handled by :mod:`logitstat.formula.design` exactly as for the binary models.  Numbers match R's
``nnet::multinom`` (coefficients, log-likelihood, fitted probabilities) and its ``vcov`` (the
inverse Fisher information).

Coefficient names in flat form (``cov_params``, ``wald_test``) are ``"outcome:coefficient"``,
e.g. ``"parttime:hincome"``; tables by outcome use a (outcome, coefficient) MultiIndex.
"""
from __future__ import annotations

import warnings
from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd
import patsy
from scipy import stats

from ...common.checks import real_number, whole_number
from ...common.persist import Persistable
from ...diagnostics.separation import SeparationReport, detect_separation
from ...errors import DataError, SeparationWarning, SpecificationError
from ...formula import design as _design
from ...inference import hypothesis as inference
from ...inference.postestimation import FitStatisticsMixin
from ..binary import scaling as _scaling
from ..binary.diagnostics import ModelSeparation
from ..binary.smcompat import AlreadyFittedMixin
from . import covariance as mncov, fit as mnfit

__all__ = ["mnlogit", "MNLogitResults", "mn_lr_test"]


def mnlogit(formula, data=None, *, base=None, weights=None, missing: str = "drop",
            cov_type: str = "nonrobust", groups=None, cov_kwds: dict | None = None,
            tol: float = 1e-8, max_iter: int = 100,
            start_params=None, drop_collinear: bool = False, check_separation: bool = True,
            eval_env: int | patsy.EvalEnvironment = 0) -> "MNLogitResults":
    """Fit a multinomial (softmax) logit and return its :class:`MNLogitResults`.

    Parameters
    ----------
    formula : str
        A patsy formula ``"choice ~ x + C(g)"`` whose response is a categorical, string, bool
        or numeric column with K >= 2 levels (category order; sorted values when numeric).
    data : DataFrame
    base : optional
        Reference outcome (default: the first level, as R's ``multinom``).
    weights : str or array-like, optional
        Frequency weights (``multinom``'s ``weights``).
    missing : {"drop", "raise"}
    cov_type : {"nonrobust", "HC0", "HC1", "cluster"}
        Inverse Fisher information (default), the sandwich HC0 / HC1, or cluster-robust with
        ``groups=`` (see :mod:`logitstat.models.multinomial.covariance`).
    groups : str, list of two str or array-like, optional
        Cluster labels for ``cov_type="cluster"`` (two columns: two-way clustering).
    cov_kwds : dict, optional
        For ``"cluster"``: ``type`` (``"HC0"`` default or ``"HC1"``), ``cadjust``, ``multi0``,
        ``fix`` as ``sandwich::vcovCL``.
    tol, max_iter, start_params
        Newton-decrement tolerance, iteration cap, start ((p, K-1) array or flat outcome-major).
    drop_collinear : bool
        Drop exactly collinear columns instead of raising ``CollinearityError``.
    check_separation : bool
        Decide (exactly) whether the maximum-likelihood estimate exists; see
        :attr:`MNLogitResults.separation`.
    eval_env : int or patsy.EvalEnvironment
        Extra stack depth (or an explicit environment) for evaluating the formula.
    """
    tol = real_number(tol, "tol", low=0.0, high=1.0, low_open=True, high_open=True,
                      hint="the convergence tolerance; default 1e-8")
    max_iter = whole_number(max_iter, "max_iter", hint="the cap on Newton iterations; default 100")
    if isinstance(start_params, str):
        raise SpecificationError(f"start_params={start_params!r} is a string: give a (columns x "
                                 "non-base outcomes) array of numbers")
    cov_type, cov_kwds = mncov.check_cov_type(cov_type, cov_kwds, groups)
    if not isinstance(formula, str):
        raise SpecificationError("mnlogit takes a formula string such as 'choice ~ x + C(g)'")
    env = _design.eval_environment(eval_env, 1)
    resp = mnfit.MultinomialResponse(base)
    des = _design.from_formula(formula, data, env, weights=weights, missing=missing,
                               response=resp, groups=groups)
    rows = _design.informative_rows(des)
    gram = _scaling.screened_gram(des.X, None if rows is None else rows.astype(float))
    scale = _scaling.column_scales(des.X, np.diag(gram))
    data_des = des
    if scale is not None:  # units far from 1: fit on X D^-1, see logitstat.models.binary.scaling
        des, gram = _scaling.scale_design(des, scale), None
    aliased = _design.check_rank(des.X, des.names, drop=drop_collinear, gram=gram, rows=rows,
                                 scale=scale)
    if aliased:
        keep = [j for j, nm in enumerate(des.names) if nm not in aliased]
        des = _design.drop_columns(des, aliased)
        data_des = des if scale is None else _design.drop_columns(data_des, aliased)
        scale = None if scale is None else scale[keep]
    n, p = des.X.shape
    K = len(resp.levels)
    if (K - 1) * p > n:
        raise DataError(f"the model has {(K - 1) * p} coefficients ({K - 1} outcomes x {p}) but "
                        f"only {n} rows of data: simplify the formula or collect more data")
    codes = des.y.astype(int)
    if scale is not None and start_params is not None and np.size(start_params) == p * (K - 1):
        start_params = np.asarray(start_params, dtype=float).reshape(p, K - 1) * scale[:, None]
    fit = mnfit.fit_multinomial(des.X, codes, K, resp.base, des.weights, start=start_params,
                                tol=tol, max_iter=max_iter)
    scaled_cov = None
    if scale is not None:
        scaled_cov = fit.cov
        fit = replace(fit, params=fit.params / scale[:, None],
                      cov=_scaling.unscale_cov(fit.cov, np.tile(scale, K - 1)))
    res = MNLogitResults(data_des, resp.levels, resp.base, fit, dropped_levels=resp.dropped,
                         col_scale=scale, scaled_cov=scaled_cov, cov_type=cov_type,
                         cov_kwds=cov_kwds)
    res._fit_options = (tol, max_iter)
    res._data = data  # for marginal effects (only read, never modified)
    if check_separation:
        rep = res.separation
        if rep.separated:
            warnings.warn(rep.describe(res.flat_names), SeparationWarning, stacklevel=2)
    return res


class MNLogitResults(FitStatisticsMixin, Persistable, AlreadyFittedMixin):
    """Results of a multinomial logit fit (construct through :func:`mnlogit`).

    ``params``, ``bse``, ``tvalues`` and ``pvalues`` are DataFrames with one row per design
    column and one column per non-base outcome (statsmodels' ``MNLogit`` layout).
    """

    def __init__(self, design: _design.Design, levels: list, base: int, fit: mnfit.MNFit,
                 dropped_levels: list | None = None, col_scale: np.ndarray | None = None,
                 scaled_cov: np.ndarray | None = None, cov_type: str = "nonrobust",
                 cov_kwds: dict | None = None):
        self.design = design
        self.levels = list(levels)
        self.base_index = base
        self.fit_result = fit
        self.dropped_levels = list(dropped_levels or [])
        self.cov_type = cov_type
        self.cov_kwds = dict(cov_kwds or {})
        # a fit on column-scaled data (see logitstat.models.binary.scaling): column scales s and the
        # covariance of the scaled coefficients D·beta, from which standard errors are taken
        self.col_scale = col_scale
        self._scaled_cov = scaled_cov

    @property
    def _flat_scale(self) -> np.ndarray:
        """Scale of each stacked parameter (ones unless the fit was made on scaled columns)."""
        if self.col_scale is None:
            return np.ones(self.k_params)
        return np.tile(self.col_scale, len(self.outcomes))

    @property
    def _scaled(self) -> tuple[np.ndarray, np.ndarray]:
        """Stacked parameters and their covariance (of ``cov_type``) in the coordinates of the fit."""
        if self.cov_type != "nonrobust":
            return self._theta * self._flat_scale, self._robust_cov
        if self.col_scale is None:
            return self._theta, self.fit_result.cov
        return self._theta * self._flat_scale, self._scaled_cov

    @cached_property
    def _robust_cov(self) -> np.ndarray:
        d = self.design
        scaled = self.col_scale is not None
        return mncov.robust_cov(d.X, d.y.astype(int), self.fit_result.log_probs, self.base_index,
                                d.weights, self._scaled_cov if scaled else self.fit_result.cov,
                                self.cov_type, self.cov_kwds, d.groups,
                                self._flat_scale if scaled else None)

    @property
    def cov_description(self) -> str:
        """The covariance type in words (for the summary)."""
        return mncov.describe(self.cov_type, self.cov_kwds, self.design.groups)

    @cached_property
    def _se(self) -> np.ndarray:
        """Standard errors of the stacked parameters (finite even when a variance is not)."""
        return np.sqrt(np.diag(self._scaled[1])) / self._flat_scale

    # ------------------------------------------------------------------ names
    @property
    def names(self) -> list[str]:
        """Design column names (the rows of ``params``)."""
        return self.design.names

    @property
    def base(self):
        """The reference outcome."""
        return self.levels[self.base_index]

    @property
    def outcomes(self) -> list:
        """Non-base outcomes, in level order (the columns of ``params``)."""
        return [lvl for j, lvl in enumerate(self.levels) if j != self.base_index]

    @property
    def flat_names(self) -> list[str]:
        """``"outcome:coefficient"`` names of the stacked parameters (outcome-major)."""
        return [f"{k}:{nm}" for k in self.outcomes for nm in self.names]

    def _frame(self, values: np.ndarray, name: str | None = None) -> pd.DataFrame:
        df = pd.DataFrame(values, index=self.names, columns=pd.Index(self.outcomes, name="outcome"))
        df.columns.name = name or "outcome"
        return df

    def _long_index(self) -> pd.MultiIndex:
        return pd.MultiIndex.from_tuples([(k, nm) for k in self.outcomes for nm in self.names],
                                         names=["outcome", "coefficient"])

    # ------------------------------------------------------------------ estimates
    @cached_property
    def params(self) -> pd.DataFrame:
        """Coefficients: rows are design columns, columns are non-base outcomes."""
        return self._frame(self.fit_result.params)

    @property
    def _theta(self) -> np.ndarray:
        return self.fit_result.params.T.reshape(-1)

    def cov_params(self) -> pd.DataFrame:
        """Covariance of ``cov_type`` (default: the inverse Fisher information) over the
        ``flat_names`` (outcome-major)."""
        V = self.fit_result.cov
        if self.cov_type != "nonrobust":
            V = self._robust_cov / np.outer(self._flat_scale, self._flat_scale)
        return pd.DataFrame(V, index=self.flat_names, columns=self.flat_names)

    @cached_property
    def bse(self) -> pd.DataFrame:
        """Standard errors (square roots of the diagonal of the inverse information)."""
        return self._frame(self._se.reshape(len(self.outcomes), -1).T)

    @cached_property
    def tvalues(self) -> pd.DataFrame:
        """z statistics :math:`\\hat\\beta/\\mathrm{se}`."""
        return self.params / self.bse

    @cached_property
    def pvalues(self) -> pd.DataFrame:
        """Two-sided p-values of the z statistics."""
        return self._frame(2.0 * stats.norm.sf(np.abs(self.tvalues.to_numpy())))

    def conf_int(self, alpha: float = 0.05, method: str = "wald") -> pd.DataFrame:
        r"""Wald intervals :math:`\hat\beta \pm z_{1-\alpha/2}\,\mathrm{se}` (of ``cov_type``), or
        with ``method="profile"`` likelihood-ratio (profile-likelihood) intervals, ±inf where
        the likelihood never drops enough (see :mod:`logitstat.models.multinomial.profile`); indexed (outcome,
        coefficient)."""
        if method == "profile":
            from .profile import mn_profile_conf_int

            return mn_profile_conf_int(self, alpha)
        if method != "wald":
            raise SpecificationError(f"unknown confidence-interval method {method!r}: use 'wald' "
                                     "or 'profile'")
        z = inference.normal_quantile(alpha)
        b, se = self._theta, self._se
        return pd.DataFrame({"lower": b - z * se, "upper": b + z * se}, index=self._long_index())

    def relative_risk_ratios(self, alpha: float = 0.05) -> pd.DataFrame:
        r"""Relative-risk ratios :math:`e^{\beta_{kj}}` with exponentiated intervals and p-values.

        :math:`e^{\beta_{kj}}` multiplies :math:`P(k)/P(\text{base})` per unit of column
        :math:`j`.  Columns ``rrr``, ``lower``, ``upper``, ``pvalue``.
        """
        ci = self.conf_int(alpha)
        return pd.DataFrame({"rrr": np.exp(self._theta), "lower": np.exp(ci["lower"].to_numpy()),
                             "upper": np.exp(ci["upper"].to_numpy()),
                             "pvalue": self.pvalues.T.to_numpy().reshape(-1)},
                            index=self._long_index())

    # ------------------------------------------------------------------ likelihoods
    @property
    def llf(self) -> float:
        """Log-likelihood :math:`\\sum_i w_i \\log p_{i,c_i}` (R's ``logLik(multinom)``)."""
        return self.fit_result.llf

    @cached_property
    def llnull(self) -> float:
        r"""Intercept-only log-likelihood :math:`\sum_k n_k \log(n_k/n)` (or :math:`n\log(1/K)`
        without an intercept)."""
        d = self.design
        counts = np.bincount(d.y.astype(int), weights=d.weights, minlength=len(self.levels))
        if not d.intercept:
            return float(np.sum(d.weights) * -np.log(len(self.levels)))
        pos = counts > 0
        return float(np.sum(counts[pos] * np.log(counts[pos] / counts.sum())))

    @property
    def deviance(self) -> float:
        """:math:`-2\\ell` (R's ``deviance(multinom)``)."""
        return -2.0 * self.llf

    @property
    def k_params(self) -> int:
        return len(self.flat_names)

    @property
    def aic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.k_params

    @property
    def bic(self) -> float:
        """BIC with n = number of observations (sum of frequency weights when given)."""
        return -2.0 * self.llf + np.log(self.nobs) * self.k_params

    @property
    def df_model(self) -> int:
        return (len(self.names) - int(self.design.intercept)) * len(self.outcomes)

    @property
    def df_resid(self) -> float:
        return self.nobs - self.k_params

    # ------------------------------------------------------------------ prediction
    @cached_property
    def fittedvalues(self) -> pd.DataFrame:
        """Fitted class probabilities of the estimation rows (one column per outcome)."""
        return pd.DataFrame(np.exp(self.fit_result.log_probs), index=self.design.row_labels,
                            columns=pd.Index(self.levels, name="outcome"))

    def predict(self, newdata=None, which: str = "probs") -> pd.DataFrame | pd.Series:
        """Predicted class probabilities: a DataFrame with one column per outcome (level order).

        ``which="class"`` gives the most probable outcome instead (a Series).  Rows of
        ``newdata`` with a missing value get NaN.
        """
        if which not in ("probs", "class"):
            raise SpecificationError(f"which={which!r}: use 'probs' or 'class'")
        if newdata is None:
            P = self.fittedvalues
        else:
            X, _, ok = _design.new_design_matrix(self.design, newdata)
            P = np.full((X.shape[0], len(self.levels)), np.nan)
            if ok.any():
                P[ok] = np.exp(mnfit.log_probs(X[ok], self.fit_result.params, self.base_index))
            index = newdata.index if isinstance(newdata, pd.DataFrame) else None
            P = pd.DataFrame(P, index=index, columns=pd.Index(self.levels, name="outcome"))
        if which == "class":
            vals = P.to_numpy()
            ok = ~np.isnan(vals).any(axis=1)
            out = pd.Series([None] * len(P), index=P.index, name="class", dtype=object)
            out[ok] = [self.levels[j] for j in np.argmax(vals[ok], axis=1)]
            return out
        return P

    # ------------------------------------------------------------------ tests
    def wald_test(self, h) -> inference.TestResult:
        """Wald χ² test of linear restrictions on the stacked parameters.

        ``h`` is a string over the ``flat_names`` (``"parttime:hincome = 0, fulltime:hincome =
        parttime:hincome"``), a list of such strings, an ``(R, q)`` tuple or an ``R`` matrix
        (columns in ``flat_names`` order).
        """
        R, q, text = inference.constraint_matrix(h, self.flat_names)
        theta, V = self._scaled
        if self.col_scale is not None:
            R, q = _scaling.scaled_restrictions(R, q, self._flat_scale)
        return inference.wald_test(theta, V, R, q, text)

    def wald_test_terms(self) -> pd.DataFrame:
        """Joint Wald test of each formula term: all its columns in every outcome equation."""
        rows = {}
        p = len(self.names)
        for term, sl in self.design.terms.items():
            cols = [a * p + j for a in range(len(self.outcomes)) for j in range(sl.start, sl.stop)]
            if not cols:
                continue
            R = np.zeros((len(cols), self.k_params))
            R[np.arange(len(cols)), cols] = 1.0
            t = inference.wald_test(*self._scaled, R, np.zeros(len(cols)), term)
            rows[term] = {"statistic": t.statistic, "df": t.df, "pvalue": t.pvalue}
        return pd.DataFrame(rows).T.astype({"df": int}) if rows else pd.DataFrame(
            columns=["statistic", "df", "pvalue"])

    def lr_test(self, restricted: "MNLogitResults") -> inference.TestResult:
        """Likelihood-ratio test of ``restricted`` (nested, same rows) against this model."""
        return mn_lr_test(restricted, self)

    # ------------------------------------------------------------------ marginal effects
    def marginal_effects(self, alpha: float = 0.05, variables=None, data=None) -> pd.DataFrame:
        r"""Average marginal effects of each variable on every outcome's probability, with
        delta-method standard errors.

        For a numeric variable :math:`v` the effect on outcome :math:`k` is the average of
        :math:`\partial p_{ik}/\partial v_i = p_{ik}(d_{ik} - \sum_l p_{il} d_{il})`,
        :math:`d_{ik} = (\partial x_i/\partial v)^\top \beta_k` (:math:`\beta_{base} = 0`):
        the derivative runs through every design column :math:`v` enters (``age`` and
        ``I(age**2)``, ``np.log(x)``, interactions), as the binary
        :meth:`~logitstat.inference.postestimation.InferenceMixin.marginal_effects` does.  Each level of a
        categorical variable (bool included) gets the average discrete change
        :math:`\overline{p_k(\text{level}) - p_k(\text{reference})}`, every row set to each
        level.  Standard errors are :math:`\sqrt{G V G^\top}` with :math:`G` the exact Jacobian
        of the averages in the coefficients.  See :mod:`logitstat.models.multinomial.margins`.

        Parameters
        ----------
        alpha : float
            The intervals have level :math:`1-\alpha`.
        variables : list of str, optional
            Only these variables (data columns).
        data : DataFrame, optional
            The data the model was fitted on; by default the frame given to :func:`mnlogit`.

        Returns
        -------
        DataFrame
            Rows (outcome, variable) for every outcome, base included (the effects on the K
            probabilities sum to zero); a categorical's rows are named by its level's
            coefficient (``sex[T.M]``).  Columns ``effect``, ``se``, ``z``, ``pvalue``,
            ``lower``, ``upper``.
        """
        from .margins import average_marginal_effects

        return average_marginal_effects(self, alpha, variables=variables, data=data)

    # ------------------------------------------------------------------ separation
    @cached_property
    def separation(self) -> ModelSeparation:
        """Exact check that the maximum-likelihood estimate exists (Konis's linear programs).

        The multinomial recession cone has one row per observation and rival outcome (see
        :func:`logitstat.models.multinomial.fit.cone_rows`); ``directions`` run over the ``flat_names``, so a
        coefficient of outcome *k* that runs to infinity names *k* (``"k:column"``).  A converged fit is first
        offered a Stiemke certificate (:func:`logitstat.models.multinomial.fit.overlap_certificate`) that proves
        overlap without a linear program.  ``separated_rows`` marks the observations whose
        observed outcome's probability runs to 1 (it beats every rival outcome in the limit).
        """
        d = self.design
        live = d.weights > 0
        X, codes, w = d.X[live], d.y.astype(int)[live], d.weights[live]
        if self.col_scale is not None:  # the cone is the same on scaled columns
            X = X / self.col_scale
        K = len(self.levels)
        labels = pd.RangeIndex(len(d.y)) if d.row_labels is None else pd.Index(d.row_labels)
        Z, row, rival = mnfit.cone_rows(X, codes, K, self.base_index)
        if self.converged:
            lam = w[row] * np.exp(self.fit_result.log_probs[live][row, rival])
            if mnfit.overlap_certificate(Z, lam):
                rep = SeparationReport("none", np.zeros(Z.shape[1], dtype=int),
                                       np.zeros(len(d.y), dtype=bool),
                                       np.zeros(Z.shape[1], dtype=bool), "certificate")
                return ModelSeparation.label(rep, self.flat_names, labels)
        rep = detect_separation(Z, np.ones(Z.shape[0]))
        # an observation is predicted perfectly when it beats every rival outcome in the limit
        beaten = np.bincount(row, weights=rep.separated_rows, minlength=len(codes))
        rows = np.zeros(len(d.y), dtype=bool)
        rows[np.flatnonzero(live)] = beaten == K - 1
        rep = SeparationReport(rep.kind, rep.directions, rows, rep.undetermined, rep.method)
        return ModelSeparation.label(rep, self.flat_names, labels)

    def separation_by_outcome(self) -> dict:
        """For each non-base outcome, its coefficients that run to ±infinity (``{name: ±1}``)."""
        dirs = self.separation.directions.to_numpy().reshape(len(self.outcomes), -1)
        return {k: {nm: int(s) for nm, s in zip(self.names, dirs[a]) if s != 0}
                for a, k in enumerate(self.outcomes)}

    # ------------------------------------------------------------------ summary
    def summary(self, rrr: bool = False, alpha: float = 0.05, pvalue_format="auto"):
        """A :class:`~logitstat.report.summary.BlockSummary`: header, one coefficient block per
        outcome (``pvalue_format`` as :meth:`BinaryResults.summary
        <logitstat.models.binary.results.BinaryResults.summary>`)."""
        from ...report.summary import BlockSummary

        return BlockSummary.from_mnlogit(self, rrr=rrr, alpha=alpha, pvalue_format=pvalue_format)

    def __repr__(self) -> str:
        return (f"<MNLogitResults: {self.design.response} with {len(self.levels)} outcomes "
                f"(base {self.base!r}), {self.k_params} coefficients, nobs={self.nobs}>")

    def _repr_html_(self) -> str:
        """A notebook shows the summary table."""
        return self.summary()._repr_html_()


def mn_lr_test(restricted: MNLogitResults, full: MNLogitResults) -> inference.TestResult:
    r"""Likelihood-ratio test :math:`2(\ell_{full}-\ell_{restricted}) \sim \chi^2_{\Delta k}` of two
    nested multinomial fits on the same rows, outcomes and weights (order of arguments free)."""
    r, f = (restricted, full) if restricted.k_params <= full.k_params else (full, restricted)
    df = f.k_params - r.k_params
    if df <= 0:
        raise SpecificationError("lr_test needs nested models with different numbers of coefficients")
    dr, dfull = r.design, f.design
    same = (len(dr.y) == len(dfull.y) and r.levels == f.levels and r.base == f.base
            and np.array_equal(dr.y, dfull.y) and np.array_equal(dr.weights, dfull.weights))
    if not same:
        raise SpecificationError("lr_test: the models were fitted on different rows, outcomes or "
                                 "weights; refit both on the same complete rows")
    extra = [n for n in r.names if n not in f.names]
    if extra:
        coef, *_ = np.linalg.lstsq(dfull.X, dr.X, rcond=None)
        resid = np.linalg.norm(dr.X - dfull.X @ coef, axis=0)
        if np.any(resid > 1e-8 * (1 + np.linalg.norm(dr.X, axis=0))):
            raise SpecificationError(f"lr_test: the models are not nested ({', '.join(extra)} of "
                                     "the restricted model is not in the full model)")
    return inference.lr_statistic(r.llf, f.llf, df, f"{r.k_params} vs {f.k_params} coefficients")
