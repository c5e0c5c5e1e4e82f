"""Fitted-model results: every number as a cached property, no formatting (see ``summary``)."""
from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from ...common import persist
from ...common.displays import Display, Displayable
from ...errors import DomainWarning, SpecificationError
from ...fitting import family, kernels
from ...fitting.irls import IRLSResult, irls
from ...fitting.links import Link
from ...formula.design import Design, new_design_matrix
from ...inference import hypothesis as inference
from ...inference.clustering import describe_groups
from ...inference.covariance import (ScoreParts, check_information, get_estimator, invert_information,
                                     observed_information)
from ...inference.postestimation import FitStatisticsMixin, InferenceMixin, odds_ratio_frame
from ..firth.results import FirthInferenceMixin
from .diagnostics import DiagnosticsMixin
from .smcompat import SMCompatMixin, exog_rows

__all__ = ["BinaryResults", "Prediction"]


PREDICT_BLOCK_VALUES = 1 << 22   # values of the new design built at a time by predict()


class BinaryResults(DiagnosticsMixin, InferenceMixin, FirthInferenceMixin, FitStatisticsMixin,
                    persist.Persistable, SMCompatMixin):
    """Results of a binary (or binomial) GLM fit.

    Names follow statsmodels where it has one (``params``, ``bse``, ``tvalues``...); numbers follow
    R's ``glm``.  Construct through :func:`logitstat.logit`, :func:`~logitstat.probit` or
    :func:`~logitstat.glm`.
    """

    def __init__(self, design: Design, link: Link, fit: IRLSResult, *, cov_type: str = "nonrobust",
                 method: str = "irls", tol: float = 1e-8, max_iter: int = 100,
                 cov_kwds: dict | None = None, information: str = "expected"):
        self.design = design
        self.link = link
        self.fit_result = fit
        self.method = method
        self.cov_estimator = get_estimator(cov_type, cov_kwds)
        self.cov_type = self.cov_estimator.name
        self.information = check_information(information)
        self._tol = tol
        self._max_iter = max_iter
        if self.cov_estimator.needs_groups and design.groups is None:
            raise SpecificationError(f"cov_type={cov_type!r} needs groups= (a column name or array)")

    # ------------------------------------------------------------------ estimates
    @property
    def names(self) -> list[str]:
        return self.design.names

    @cached_property
    def params(self) -> pd.Series:
        """Estimated coefficients.

        On separated data (see :attr:`separation`) some maximum-likelihood estimates do not
        exist; ``params`` then holds the iterate at which R's ``glm`` stops (relative deviance
        change below 1e-12), so that the numbers agree with R's, while the summary shows the
        diverging ones as ``+inf`` / ``-inf`` and :attr:`bse`, :attr:`tvalues`,
        :attr:`pvalues` and :meth:`conf_int` give NaN for them.
        """
        return pd.Series(self.fit_result.params, index=self.names, name="coef")

    @cached_property
    def _cov(self) -> np.ndarray:
        if self.cov_estimator.name == "nonrobust":  # no per-row scores needed
            return self._bread
        return self.cov_estimator.cov(self.score_parts)

    @cached_property
    def _bread(self) -> np.ndarray:
        """Inverse information: Fisher's from the fit, or the observed one on request."""
        d = self.design
        if self.information == "observed" and not self.link.canonical:
            return invert_information(observed_information(d.X, d.y, d.trials, d.weights,
                                                           self.fit_result.eta, self.link))
        return self.fit_result.cov

    @cached_property
    def score_parts(self) -> ScoreParts:
        """Score and weights of each row (for the sandwich estimators)."""
        d = self.design
        eta = self.fit_result.eta
        mu = self.link.linkinv(eta)
        me = self.link.mu_eta(eta)
        var = mu * (1.0 - mu)
        weights = d.weights if d.trials.all() else d.weights * (d.trials > 0)  # n of HC1
        return ScoreParts(X=d.X, bread=self._bread, score=d.trials * (d.y - mu) * me / var,
                          unit_weight=d.trials * me * me / var, weights=weights, groups=d.groups,
                          fisher_cov=self.fit_result.cov)

    @property
    def cov_description(self) -> str:
        """The covariance type in words (for the summary), with the information used."""
        observed = self.information == "observed"
        if self.cov_type == "nonrobust":
            return f"nonrobust (inverse {'observed' if observed else 'Fisher'} information)"
        text = self.cov_estimator.description
        if self.cov_type == "cluster" and self.design.groups is not None:
            text += f", {describe_groups(self.design.groups)}"
        return text + ("; observed-information bread" if observed else "")

    def cov_params(self) -> pd.DataFrame:
        """Covariance matrix of the coefficients (of the chosen ``cov_type``)."""
        return pd.DataFrame(self._cov, index=self.names, columns=self.names)

    @cached_property
    def bse(self) -> pd.Series:
        r"""Standard errors, :math:`\sqrt{V_{jj}}` of the covariance of the chosen ``cov_type``.

        NaN for a coefficient whose maximum-likelihood estimate does not exist under separation
        (it runs to :math:`\pm\infty`: the information along it vanishes, and the number at the
        iterate where the fit stopped only measures how far the iterations went) and for an
        ``undetermined`` one (not identified by the rows that are not predicted perfectly); see
        :attr:`separation`.  :meth:`cov_params` keeps the matrix at that iterate, as R's
        ``vcov``.  Firth fits have finite estimates: nothing is NaN there.
        """
        se = np.sqrt(np.diag(self._cov))
        se[self._diverging] = np.nan
        return pd.Series(se, index=self.names, name="std err")

    @cached_property
    def tvalues(self) -> pd.Series:
        """z statistics (named ``tvalues`` as in statsmodels); NaN where :attr:`bse` is."""
        return pd.Series(self.fit_result.params / self.bse.to_numpy(), index=self.names, name="z")

    @cached_property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values of the z statistics; NaN where :attr:`bse` is (a coefficient that
        runs to infinity has no Wald test: see :attr:`bse`)."""
        return pd.Series(2.0 * stats.norm.sf(np.abs(self.tvalues.to_numpy())), index=self.names,
                         name="P>|z|")

    def conf_int(self, alpha: float = 0.05, method: str = "wald", which=None) -> pd.DataFrame:
        r"""Confidence intervals, columns ``lower`` and ``upper``.

        ``method="wald"``: :math:`\hat\beta \pm z_{1-\alpha/2}\,\mathrm{se}`.
        ``method="profile"``: profile-likelihood (likelihood-ratio) intervals, the exact roots of
        the profile deviance as ``MASS::confint`` estimates them, :math:`\pm\infty` where the
        likelihood never drops enough (separation); they do not depend on ``cov_type``.  See
        :mod:`logitstat.inference.profile`.

        Under separation the Wald interval of a coefficient that runs to infinity (or is not
        identified) is NaN, as its :attr:`bse`; the profile interval is half-infinite in the
        direction of divergence, and finite on the other side.

        ``which``: only these coefficients (names or positions; all
        by default), in the order given: each profile interval costs a few constrained refits.
        """
        z = inference.normal_quantile(alpha)
        if method != "wald":
            return self._profile_or_wald(alpha, method, which)
        b, se = self.fit_result.params, self.bse.to_numpy()
        out = pd.DataFrame({"lower": b - z * se, "upper": b + z * se}, index=self.names)
        return out if which is None else out.iloc[self._which(which)]

    def odds_ratios(self, alpha: float = 0.05, method: str = "wald", which=None) -> pd.DataFrame:
        r"""Odds ratios :math:`e^{\beta}` with the exponentiated interval and the p-value (logit only).

        ``method`` and ``which`` are those of :meth:`conf_int` (``"wald"`` or ``"profile"``; a
        subset of coefficients).  Under separation the odds ratio of a coefficient that runs
        to :math:`+\infty` is ``inf`` (to :math:`-\infty`: 0), with the interval of
        :meth:`conf_int` exponentiated (NaN for Wald) and a NaN p-value; an undetermined
        coefficient keeps the exponentiated value at which the iterations stopped, as
        :attr:`params`, with a NaN interval and p-value.
        """
        if self.link.name != "logit":
            raise SpecificationError(f"odds ratios need the logit link; this model uses {self.link.name!r}")
        ci = self.conf_int(alpha, method=method, which=which)
        pos = self._which(which)
        # Firth: profile penalized-likelihood intervals go with penalized LR p-values (logistf)
        pv = self.pvalues_lr if method == "profile" and self.method == "firth" else self.pvalues
        return odds_ratio_frame(self._limit_params[pos], ci, pv.iloc[pos])

    @property
    def _limit_params(self) -> np.ndarray:
        r"""The estimates with :math:`\pm\infty` for those that run to infinity under separation
        (the iterate's values for every other one)."""
        directions, _ = self._divergence
        return np.where(directions > 0, np.inf,
                        np.where(directions < 0, -np.inf, self.fit_result.params))

    # ------------------------------------------------------------------ likelihoods
    @cached_property
    def llf(self) -> float:
        """Log-likelihood (includes the binomial coefficients for grouped data, as R)."""
        d = self.design
        return family.loglik(d.y, d.trials, d.weights, self.fit_result.eta, self.link, d.grouped)

    @cached_property
    def _null_eta(self) -> np.ndarray:
        """Linear predictor of the intercept-only model (with the same weights and offset)."""
        d = self.design
        if not d.has_offset:
            prior = d.weights * d.trials
            mu0 = np.sum(prior * d.y) / np.sum(prior)
            return np.full(len(d.y), float(self.link.linkfun(np.array(mu0))))
        ones = np.ones((len(d.y), 1))
        fit0 = irls(ones, d.y, d.trials, d.weights, d.offset, self.link, tol=self._tol,
                    max_iter=self._max_iter)
        return fit0.eta

    @cached_property
    def llnull(self) -> float:
        """Log-likelihood of the intercept-only model (with the same weights and offset).

        Always the model with one intercept, also when the formula has none (as statsmodels'
        ``llnull`` and the log-likelihood of R's ``glm(y ~ 1)``); :attr:`null_deviance` is R's
        instead, which without an intercept is the deviance of the offset alone.
        """
        d = self.design
        return family.loglik(d.y, d.trials, d.weights, self._null_eta, self.link, d.grouped)

    @property
    def deviance(self) -> float:
        return self.fit_result.deviance

    @cached_property
    def null_deviance(self) -> float:
        """R's null deviance: of the intercept-only model, or of the offset alone (every
        coefficient zero) when the formula has no intercept."""
        d = self.design
        eta = self._null_eta if d.intercept else d.offset
        return family.deviance(d.y, d.trials, d.weights, eta, self.link)

    @property
    def aic(self) -> float:
        return -2.0 * self.llf + 2.0 * len(self.names)

    @property
    def bic(self) -> float:
        """BIC with n = number of observations (sum of frequency weights when given)."""
        return -2.0 * self.llf + np.log(self.nobs) * len(self.names)

    # ------------------------------------------------------------------ sizes
    # (nobs, converged and n_iter, as llr, llr_pvalue and prsquared, come from FitStatisticsMixin)
    @property
    def df_model(self) -> int:
        """Coefficients beyond those of the intercept-only null model (the degrees of freedom of
        :attr:`llr`): :math:`k - 1`, with or without an intercept in the formula."""
        return len(self.names) - 1

    @property
    def df_resid(self) -> float:
        """Residual degrees of freedom, R's ``df.residual``: observations that carry
        information (rows with trials > 0; the sum of frequency weights when given) less the
        number of coefficients."""
        return self.design.n_informative - len(self.names)

    # ------------------------------------------------------------------ fitted values
    @cached_property
    def fittedvalues(self) -> pd.Series:
        """Fitted probabilities of the estimation rows."""
        return pd.Series(self.link.linkinv(self.fit_result.eta), index=self.design.row_labels)

    def predict(self, newdata=None, which: str = "mean", *, exog=None, transform: bool = True,
                offset=None) -> pd.Series:
        """Predicted probabilities (``which="mean"``) or linear predictor (``"linear"``).

        Rows of ``newdata`` with a missing value get NaN.  As statsmodels, ``exog=`` (or
        ``newdata`` with ``transform=False``) is a design matrix (columns in ``params``' order),
        with ``offset=`` its offset (default 0).
        """
        matrix = {} if exog is None and transform and offset is None else {
            "exog": exog, "transform": transform, "offset": offset}
        return self.get_prediction(newdata, which, **matrix).predicted

    def get_prediction(self, newdata=None, which: str = "mean", *, exog=None,
                       transform: bool = True, offset=None) -> "Prediction":
        """Predictions with delta-method standard errors (see :class:`Prediction`); ``exog``,
        ``transform`` and ``offset`` as in :meth:`predict`."""
        if which not in ("mean", "linear"):
            raise SpecificationError(f"which={which!r}: use 'mean' or 'linear'")
        if offset is not None and exog is None and transform:
            raise SpecificationError("offset= goes with a design matrix (exog=); with newdata the "
                                     "offset is the model's offset column of newdata")
        if exog is not None or (not transform and newdata is not None):
            X, offset, ok, index = exog_rows(self.design, newdata if exog is None else exog, offset)
            eta, se = X @ self.fit_result.params + offset, self._eta_se(X)
        elif newdata is None:
            X, offset, index = self.design.X, self.design.offset, self.design.row_labels
            ok = np.ones(X.shape[0], dtype=bool)
            eta, se = X @ self.fit_result.params + offset, self._eta_se(X)
        else:
            eta, se, ok = self._new_predictor(newdata)
            index = newdata.index if isinstance(newdata, pd.DataFrame) else None
        eta[~ok] = np.nan
        se[~ok] = np.nan
        return Prediction(eta, se, self.link, which, index)

    def _new_predictor(self, newdata) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Linear predictor, its standard error and the complete-row mask of ``newdata``, built
        in row blocks of a DataFrame (the transforms' state is the fit's, so each row's design
        does not depend on the others): at most one block of the new design is alive."""
        rows = len(newdata) if isinstance(newdata, pd.DataFrame) else 0
        step = max(1024, PREDICT_BLOCK_VALUES // max(len(self.names), 1))
        parts = []
        starts = range(0, rows, step) if rows > step else [None]
        for s in starts:
            chunk = newdata if s is None else newdata.iloc[s:s + step]
            X, offset, ok = new_design_matrix(self.design, chunk)
            parts.append((X @ self.fit_result.params + offset, self._eta_se(X), ok))
            del X
        if len(parts) == 1:
            return parts[0]
        return tuple(np.concatenate([part[k] for part in parts]) for k in range(3))

    def _eta_se(self, X: np.ndarray) -> np.ndarray:
        r"""Standard error of each row's linear predictor, :math:`\sqrt{x_i^\top V x_i}`."""
        return np.sqrt(kernels.row_quadratic(X, self._cov))

    # ------------------------------------------------------------------ tests
    def wald_test(self, h) -> inference.TestResult:
        """Wald χ² test of linear restrictions.

        ``h`` is a string (``"age = 0, k5 = k618"``), a list of such strings (tested jointly),
        an ``(R, q)`` tuple or an ``R`` matrix.

        Under separation a restriction that puts weight on a coefficient running to infinity
        (or not identified) has no Wald test: the result then has NaN ``statistic`` and
        ``pvalue`` and a ``note`` saying why, and a :class:`~logitstat.SeparationWarning` is
        issued (see :meth:`~logitstat.inference.postestimation.InferenceMixin.wald_test_terms`); so too
        when the covariance of the restrictions is not finite (information singular where a
        separated fit stopped, on some BLAS kernels).
        """
        R, q, text = inference.constraint_matrix(h, self.names)
        blocked = self._blocked_restriction(R, text)
        if blocked is not None:
            return blocked
        return inference.wald_test(self.fit_result.params, self._cov, R, q, text)

    def summary(self, odds_ratios: bool = False, alpha: float = 0.05, pvalue_format="auto"):
        """A :class:`~logitstat.report.summary.Summary` of the fit (text, HTML, LaTeX, Markdown).

        ``pvalue_format``: ``"auto"`` (3 decimals, ``<0.001`` below), ``"exact"`` (scientific,
        e.g. ``8.92e-24``) or a threshold such as ``1e-4``; :attr:`pvalues` holds the numbers.
        """
        from ...report.summary import Summary

        if odds_ratios and self.link.name != "logit":
            import warnings
            warnings.warn("odds ratios need the logit link; showing coefficients only",
                          DomainWarning, stacklevel=2)
            odds_ratios = False
        return Summary.from_results(self, odds_ratios=odds_ratios, alpha=alpha,
                                    pvalue_format=pvalue_format)

    def __repr__(self) -> str:
        return (f"<{type(self).__name__}: {self.link.name} model of {self.design.event}, "
                f"{len(self.names)} coefficients, nobs={self.nobs}>")

    def _repr_html_(self) -> str:
        """A notebook shows the summary table."""
        return self.summary()._repr_html_()

    # ------------------------------------------------------------------ keeping the model
    def remove_data(self) -> "BinaryResults":
        """Drop the row-level arrays (design matrix, response, weights, fitted values, the data
        frame) and keep everything else: estimates, covariance, tests, likelihoods, the summary,
        separation and collinearity diagnostics, and prediction on new data.

        What needs the rows afterwards (residuals, influence, marginal effects, goodness of fit,
        profile intervals, ``predict()`` without new data) raises :class:`DataRemovedError`.
        Returns ``self`` (modified in place), as statsmodels' ``remove_data``.
        """
        n = self.design.X.shape[0]
        if not isinstance(self.design.X, persist.RemovedData):
            self.summary().as_text()   # warms every cached number the summary shows
            counts = (self.design.nobs, self.design.n_informative)
            self.design = persist.strip_rows(
                replace(self.design, counts=counts),
                ("X", "y", "trials", "weights", "offset", "groups", "row_positions"), "design")
            self.fit_result = persist.strip_rows(self.fit_result, ("eta", "eta_info"),
                                                 "fit_result")
            for key, value in list(vars(self).items()):
                row_level = (isinstance(value, (np.ndarray, pd.Series, pd.DataFrame))
                             and value.ndim >= 1 and value.shape[0] == n != len(self.names))
                if row_level or key in ("_frame", "fittedvalues", "_null_eta", "score_parts"):
                    del self.__dict__[key]
        return self


class Prediction(Displayable):
    """Predictions with standard errors; ``summary_frame(alpha)`` gives a table.

    For ``which="mean"`` the standard error is the delta method :math:`\\mu'(\\eta)\\,\\mathrm{se}(\\eta)`
    and the interval is the linear-predictor interval mapped through the inverse link (it stays
    inside [0, 1]).
    """

    def __init__(self, eta, se_eta, link: Link, which: str, index):
        self.eta, self.se_eta, self.link, self.which, self.index = eta, se_eta, link, which, index

    @property
    def predicted(self) -> pd.Series:
        vals = self.eta if self.which == "linear" else self.link.linkinv(self.eta)
        vals = np.where(np.isnan(self.eta), np.nan, vals)
        return pd.Series(vals, index=self.index, name=self.which)

    @property
    def se(self) -> np.ndarray:
        if self.which == "linear":
            return self.se_eta
        return self.link.mu_eta(self.eta) * self.se_eta

    predicted_mean = property(lambda self: self.predicted.to_numpy(),
                              doc="statsmodels' name: the predictions as an array")
    se_mean = property(lambda self: self.se, doc="statsmodels' name of :attr:`se`")

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        """Intervals as an (n, 2) array (statsmodels), those of :meth:`summary_frame`."""
        return self.summary_frame(alpha).iloc[:, 2:].to_numpy()

    def summary_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        """DataFrame with ``mean``, ``mean_se``, ``mean_ci_lower``, ``mean_ci_upper``."""
        z = inference.normal_quantile(alpha)
        lo, hi = self.eta - z * self.se_eta, self.eta + z * self.se_eta
        if self.which == "mean":
            lo, hi = self.link.linkinv(lo), self.link.linkinv(hi)
            lo = np.where(np.isnan(self.eta), np.nan, lo)
            hi = np.where(np.isnan(self.eta), np.nan, hi)
        return pd.DataFrame({"mean": self.predicted.to_numpy(), "mean_se": self.se,
                             "mean_ci_lower": lo, "mean_ci_upper": hi}, index=self.index)

    def _display(self) -> Display:
        what = "linear predictor" if self.which == "linear" else "probability"
        return Display(f"Predicted {what} ({self.link.name} link)", [("rows", len(self.eta))],
                       tables=[("With 95% intervals", self.summary_frame())],
                       hint="(.summary_frame(alpha) for every row)")
