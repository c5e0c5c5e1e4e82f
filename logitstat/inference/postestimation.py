"""Post-estimation inference on a fitted model: term tests, analysis of deviance, profile
intervals, marginal effects, residuals and influence; the fit statistics every likelihood model
shares.

:class:`FitStatisticsMixin` gives the binary and the multinomial results their size, convergence
and likelihood-ratio statistics against the null model; :class:`InferenceMixin` gives
:class:`~logitstat.models.binary.results.BinaryResults` these methods; each is a thin, cached
wrapper around a pure function of the fit's arrays in :mod:`~logitstat.inference.hypothesis`,
:mod:`~logitstat.inference.profile`, :mod:`~logitstat.inference.margins` or
:mod:`~logitstat.inference.influence`.  No formatting happens here.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from ..diagnostics.divergence import divergence_reason
from ..errors import SeparationWarning, SpecificationError, user_stacklevel
from . import anova as _anova
from . import hypothesis as inference
from . import margins_at as _margins_at
from .influence import Influence, influence, residuals
from .margins import marginal_effects as _marginal_effects
from .profile import profile_conf_int

__all__ = ["FitStatisticsMixin", "InferenceMixin", "UnavailableTest"]


@dataclass(frozen=True, repr=False)
class UnavailableTest(inference.TestResult):
    """A Wald test that does not exist: ``statistic`` and ``pvalue`` NaN, ``note`` says why
    (a restriction on a coefficient that runs to infinity under separation)."""

    note: str = ""

    def __str__(self) -> str:
        what = f" of {self.hypothesis}" if self.hypothesis else ""
        return f"{self.kind} test{what}: not available ({self.note})"

    __test__ = False  # not a pytest class


class FitStatisticsMixin:
    """Size, convergence and comparison with the intercept-only model, from ``design``,
    ``fit_result``, ``llf``, ``llnull`` and ``df_model`` (shared by the binary and multinomial
    results)."""

    @property
    def nobs(self) -> float:
        """Number of observations (the sum of frequency weights when given)."""
        return self.design.nobs

    @property
    def converged(self) -> bool:
        """Whether the fit met its convergence criterion."""
        return self.fit_result.converged

    @property
    def n_iter(self) -> int:
        """Iterations the fit took."""
        return self.fit_result.n_iter

    @property
    def llr(self) -> float:
        r"""Likelihood-ratio statistic against the intercept-only model, :math:`2(\ell - \ell_0)`."""
        return 2.0 * (self.llf - self.llnull)

    @property
    def llr_pvalue(self) -> float:
        r"""P-value of :attr:`llr` on ``df_model`` degrees of freedom, :math:`P(\chi^2_{df} > LR)`
        (NaN when the model has nothing beyond the intercept-only model)."""
        return float(stats.chi2.sf(self.llr, self.df_model)) if self.df_model > 0 else float("nan")

    @property
    def prsquared(self) -> float:
        r"""McFadden's pseudo-R²: :math:`1 - \ell/\ell_0`."""
        return 1.0 - self.llf / self.llnull


class InferenceMixin:
    """Methods for :class:`~logitstat.models.binary.results.BinaryResults` (needs ``design``, ``link``,
    ``fit_result``, ``params``, ``names``, ``method``, ``nobs`` and ``_cov``)."""

    # ------------------------------------------------------------------ tests
    def wald_test_terms(self) -> pd.DataFrame:
        """Joint Wald χ² test of each formula term, a categorical's columns together.

        As ``car::Anova(fit, type=3, test.statistic="Wald")`` with the model's covariance (of its
        ``cov_type``, like car's ``vcov.=``).  Returns a DataFrame indexed by term, columns
        ``statistic``, ``df``, ``pvalue``.

        Under separation a term with a coefficient that runs to infinity (or is not identified)
        has no Wald test: its ``statistic`` and ``pvalue`` are NaN, ``attrs["note"]`` says why
        and a :class:`~logitstat.SeparationWarning` names the terms; the other terms are tested
        as usual (with the covariance at the iterate where the fit stopped, as R's).
        """
        terms = {t: sl for t, sl in self.design.terms.items() if sl.stop > sl.start}
        eye = np.eye(len(self.names))
        reasons = {t: self._unavailable_reason(eye[sl]) for t, sl in terms.items()}
        blocked = [t for t, r in reasons.items() if r]
        if not blocked:
            return inference.term_wald_tests(self.fit_result.params, self._cov, terms)
        ok = {t: sl for t, sl in terms.items() if t not in blocked}
        tested = inference.term_wald_tests(self.fit_result.params, self._cov, ok) if ok else None
        rows = {t: ((np.nan, sl.stop - sl.start, np.nan) if t in blocked
                    else tuple(tested.loc[t, ["statistic", "df", "pvalue"]]))
                for t, sl in terms.items()}
        out = pd.DataFrame.from_dict(rows, orient="index", columns=["statistic", "df", "pvalue"])
        out["df"] = out["df"].astype(int)
        out.index.name = "term"
        out.attrs["title"] = "Wald chi-square tests of each term (type III)"
        out.attrs["note"] = "No Wald test of " + "; ".join(f"term {t} ({reasons[t]})"
                                                           for t in blocked)
        warnings.warn(out.attrs["note"], SeparationWarning, stacklevel=user_stacklevel())
        return out

    def _unavailable_reason(self, R: np.ndarray) -> str:
        """Why the Wald test of the restrictions ``R`` does not exist ("" when it does): they
        put weight on a coefficient that runs to infinity under separation (or is not
        identified), or their covariance is not finite (information singular at the iterate)."""
        mask = self._diverging
        involved = mask & np.any(R != 0, axis=0)
        if involved.any():
            directions, undetermined = self._divergence
            return divergence_reason(
                [n for n, i in zip(self.names, involved) if i], directions[involved],
                undetermined[involved])
        with np.errstate(invalid="ignore", over="ignore"):
            finite = bool(np.all(np.isfinite(R @ self._cov @ R.T)))
        if not finite:
            return ("the covariance of the estimates is not finite (the information is singular "
                    "where the iterations stopped)")
        return ""

    def _blocked_restriction(self, R: np.ndarray, text: str):
        """An :class:`UnavailableTest` (and a :class:`~logitstat.SeparationWarning`) when the
        Wald test of the restrictions ``R`` does not exist, else None."""
        reason = self._unavailable_reason(R)
        if not reason:
            return None
        what = f"No Wald test of {text}" if text else "No Wald test of these restrictions"
        warnings.warn(f"{what}: {reason}", SeparationWarning, stacklevel=user_stacklevel())
        return UnavailableTest(np.nan, R.shape[0], np.nan, "Wald", text, reason)

    def anova(self, type: int = 1, test: str = "lr") -> pd.DataFrame:
        """Analysis of deviance: a test of each formula term (see :mod:`logitstat.inference.anova`).

        ``type=1`` (the default, as R's ``anova(fit, test="Chisq")``): terms added sequentially
        in the model's order; columns ``df``, ``deviance``, ``df_resid``, ``resid_deviance``,
        ``pvalue``, a ``NULL`` row for the intercept-only model.  ``type=2`` / ``3``:
        ``car::Anova(fit, type=2|3)`` by likelihood ratio (``test="lr"``, car's default for a
        GLM) or Wald (``test="wald"``, with the model's covariance, of its ``cov_type``);
        columns ``statistic`` (χ²), ``df``, ``pvalue``.  Type II tests each term after every
        term that does not contain it (marginality); type III after all the others, so with
        treatment coding a main effect in an interaction is its effect at the other factor's
        reference level, as in car.  ``attrs["title"]`` names the table, ``attrs["note"]``
        (when present) says which rows have no test and why; render it with
        :class:`logitstat.report.summary.TermTable`.
        """
        type = _anova.check_type(type)
        test = _anova.check_test(test)
        if test == "wald":
            if type == 1:
                raise SpecificationError("anova(type=1) is the sequential likelihood-ratio table "
                                         "(R's anova); use test='lr', or type=2 or 3 for Wald tests")
            if type == 3:
                return self.wald_test_terms()
            return self._term_wald_table(type)
        self._require_lr("anova()")
        m = self._term_model
        return _anova.sequential_table(m) if type == 1 else _anova.lr_table(m, type)

    def drop1(self, test: str = "lr") -> pd.DataFrame:
        """Single-term deletions, as R's ``drop1(fit, test="Chisq")``: a ``<none>`` row, then
        each term that no other term contains, with ``df``, ``deviance``, ``aic`` and (with
        ``test="lr"``; ``"none"`` leaves them out, R's default) the LR ``statistic`` and
        ``pvalue``.  See :mod:`logitstat.inference.anova`."""
        test = _anova.check_test(test, ("lr", "none"))
        self._require_lr("drop1()")
        return _anova.drop1_table(self._term_model, test)

    def _term_wald_table(self, type: int) -> pd.DataFrame:
        eye = np.eye(len(self.names))
        d = self.design
        out = _anova.wald_table(self.fit_result.params, self._cov, d.terms,
                                _anova.term_factors(d.design_info, d.terms), type,
                                lambda cols: self._unavailable_reason(eye[cols]))
        if "note" in out.attrs:
            warnings.warn(out.attrs["note"], SeparationWarning, stacklevel=user_stacklevel())
        return out

    @cached_property
    def _term_model(self) -> _anova.ModelArrays:
        """The arrays of the term tables, with their cache of refits (see :mod:`logitstat.inference.anova`)."""
        d = self.design
        status = "ok" if self.fit_result.converged else (
            "separated" if self.separation.separated else "failed")
        return _anova.ModelArrays(
            d.X, d.y, d.trials, d.weights, d.offset, self.link, self.fit_result.params, self.deviance,
            self.aic, d.terms, _anova.term_factors(d.design_info, d.terms),
            self.df_resid + len(self.names),  # observations with information (R's df.residual)
            status=status, tol=getattr(self, "_tol", 1e-8), max_iter=getattr(self, "_max_iter", 100))

    def _require_lr(self, what: str) -> None:
        """Likelihood-ratio tables need a maximum-likelihood fit of the model's likelihood."""
        self._require_ml(what)
        if getattr(self, "class_weight_info", None):
            raise SpecificationError(f"{what}: a class-weighted fit maximizes a pseudo-likelihood, "
                                     "so its likelihood-ratio statistics are not chi-squared; use "
                                     "the robust Wald tests, anova(type=2, test='wald')")

    def _require_ml(self, what: str) -> None:
        if getattr(self, "method", "irls") != "irls":
            raise SpecificationError(f"{what} is based on the likelihood of a maximum-likelihood fit; "
                                     f"this model was fitted by method={self.method!r}: refit it with "
                                     "method='irls'")

    # ------------------------------------------------------------------ profile likelihood
    def _which(self, which) -> list[int]:
        """Positions of the coefficients ``which`` (names or positions; None: all)."""
        names = list(self.names)
        if which is None:
            return list(range(len(names)))
        items = [which] if isinstance(which, (str, int, np.integer)) else list(which)
        out = []
        for w in items:
            if isinstance(w, (int, np.integer)) and not isinstance(w, bool):
                if not -len(names) <= int(w) < len(names):
                    raise SpecificationError(f"which: position {int(w)} is out of range for "
                                             f"{len(names)} coefficients")
                out.append(int(w) % len(names))
            elif isinstance(w, str) and w in names:
                out.append(names.index(w))
            else:
                raise SpecificationError(f"which: {w!r} is not a coefficient of this model; use "
                                         f"names from res.params.index or positions")
        return list(dict.fromkeys(out))

    def _profile_conf_int(self, alpha: float, which=None) -> pd.DataFrame:
        """Profile-likelihood interval ends of the coefficients ``which`` (cached per ``alpha``
        and coefficient); see :mod:`logitstat.inference.profile`.  Firth fits: profile penalized-likelihood
        intervals, see :mod:`logitstat.models.firth.profile`."""
        if getattr(self, "method", "irls") == "firth":
            return self._firth_profile_conf_int(alpha, which)
        self._require_ml("conf_int(method='profile')")
        idx = self._which(which)
        cache = self.__dict__.setdefault("_profile_cache", {}).setdefault(alpha, {})
        todo = [j for j in idx if j not in cache]
        if todo:
            d = self.design
            sep = self.separation
            lower, upper = profile_conf_int(d.X, d.y, d.trials, d.weights, d.offset, self.link,
                                            self.fit_result.params, self.fit_result.cov,
                                            self.deviance, alpha=alpha, which=todo,
                                            max_iter=max(getattr(self, "_max_iter", 100), 100),
                                            directions=sep.directions.to_numpy() if sep.separated
                                            else None)
            for j in todo:
                cache[j] = (float(lower[j]), float(upper[j]))
        names = [self.names[j] for j in idx]
        return pd.DataFrame([cache[j] for j in idx], columns=["lower", "upper"], index=names)

    # ------------------------------------------------------------------ marginal effects
    def marginal_effects(self, at: str = "overall", dummy: bool = False, variables=None,
                         alpha: float = 0.05, data=None) -> pd.DataFrame:
        r"""Marginal effects on the probability scale, with Stata's ``margins, dydx(*)`` definitions.

        With :math:`F` the inverse link and row weights :math:`a_i` (frequency weight times trials):

        * numeric variable :math:`v`: :math:`\sum_i a_i\,\partial F(x_i^\top\beta)/\partial v_i / \sum_i a_i`,
          the derivative through every column :math:`v` enters (``margins, dydx(v)``);
        * level :math:`l` of a categorical :math:`g`: the average discrete change
          :math:`\sum_i a_i [F(x_i^{(g=l)\top}\beta) - F(x_i^{(g=r)\top}\beta)] / \sum_i a_i` from the
          reference level :math:`r` (Stata's ``i.g``);
        * ``at="mean"`` (``atmeans``): the same for one individual with every numeric variable at
          its mean and the indicator columns at their sample proportions.

        Standard errors: the delta method :math:`\sqrt{G V G^\top}`, :math:`G` the gradient of the
        effects in :math:`\beta` and :math:`V` the model's covariance (``vce`` of the fit).

        Parameters
        ----------
        at : {"overall", "mean"}
            ``"overall"``: average marginal effects :math:`\frac1n\sum_i \partial\mu_i/\partial v`
            (Stata's default); ``"mean"``: effects for the average individual, every numeric
            variable at its mean and the design averaged over the rows (``margins, dydx(*) atmeans``).
        dummy : bool
            Numeric 0/1 variables as discrete changes from 0 to 1 (bool and categorical variables
            always are: each level against the reference level).
        variables : list of str, optional
            Only these variables (data columns).
        alpha : float
            The intervals have level :math:`1-\alpha`.
        data : DataFrame, optional
            The data the model was fitted on; by default the frame given to the fit.

        Returns
        -------
        DataFrame
            Indexed by variable (numeric; the derivative is with respect to the *variable*, through
            every column it enters, e.g. ``x`` and ``x:C(g)`` or ``np.log(x)``) or by level
            (categorical, e.g. ``race[T.black]``), in the order of the coefficients (by each
            variable's first column in ``params``); columns ``effect``, ``se`` (delta method with
            the model's covariance), ``z``, ``pvalue``, ``lower``, ``upper``.  See
            :mod:`logitstat.inference.margins` for the formulas.

        Notes
        -----
        Under separation (maximum likelihood; Firth's estimates are finite) the effect of a
        variable whose columns include a coefficient that runs to infinity (or is not
        identified) is NaN, with its ``se``, ``z``, ``pvalue`` and interval; another effect is
        kept but its delta-method columns are NaN when its gradient puts weight on such a
        coefficient, whose variance grows without bound (see
        :func:`logitstat.inference.margins.unavailable_effects`).  ``attrs["note"]`` says which and why,
        and a :class:`~logitstat.SeparationWarning` repeats it.
        """
        frame = data if data is not None else getattr(self, "_frame", None)
        directions, undetermined = self._divergence
        # a fit on column-scaled data (logitstat.models.binary.scaling) runs the delta method in its units
        scaled = getattr(self, "inner", None)
        out = _marginal_effects(self.design, frame, self.fit_result.params,
                                self._cov if scaled is None else scaled._cov, self.link, at=at,
                                dummy=dummy, variables=variables, alpha=alpha,
                                col_scale=getattr(self, "col_scale", None),
                                diverging=self._diverging,
                                reason=divergence_reason(self.names, directions, undetermined))
        if "note" in out.attrs:
            warnings.warn(out.attrs["note"], SeparationWarning, stacklevel=user_stacklevel())
        return out

    # ------------------------------------------------------------------ margins at values
    def margins(self, at=None, dydx=None, dummy: bool = False, alpha: float = 0.05, data=None):
        r"""Average predicted probabilities at representative values (Stata's ``margins, at()``).

        For each point of the grid ``at`` (the product of the values given), every row's
        variables are set to the point's values, the design rebuilt through the formula (all
        columns they enter move) and the predictions averaged with the fit's weights:
        :math:`m_c = \sum_i a_i F(x_i^{(c)	op}eta)/\sum_i a_i`.  With ``dydx=`` (a variable,
        a list, or ``"*"``), the average marginal effects of :meth:`marginal_effects` at each
        point instead (``margins, dydx(x) at(...)``).  Delta-method standard errors with the
        model's covariance.  See :mod:`logitstat.inference.margins_at`.

        Parameters
        ----------
        at : dict, optional
            ``{variable: value or list}``, e.g. ``{"age": [30, 40, 50], "smoke": 1}``; levels
            for a categorical variable.  None: the average predicted probability.
        dydx : str or list of str, optional
        dummy : bool
            With ``dydx``: numeric 0/1 variables as discrete changes.
        alpha : float
        data : DataFrame, optional
            The data the model was fitted on (by default the frame given to the fit).

        Returns
        -------
        Margins
            ``.table`` (``margin`` or ``effect``, ``se``, ``z``, ``pvalue``, ``lower``,
            ``upper``), ``.grid``, ``.jacobian``, ``.cov``; ``print()`` it or call
            ``.summary()``.
        """
        return self._margins_call(_margins_at.margins_at, data, at=at, dydx=dydx, dummy=dummy,
                                  alpha=alpha)

    def predictive_margins(self, term: str, at=None, alpha: float = 0.05, data=None):
        r"""Predictive margins of a categorical variable (Stata's ``margins race``).

        For each level :math:`l` of ``term`` (a data column, or a factor such as ``"C(race)"``),
        every row's value is set to :math:`l` and the predicted probabilities averaged with the
        fit's weights (the other variables as observed; ``at=`` fixes some of them too, and
        the grid is then the levels times the points of ``at``).  Delta-method standard errors.
        For a saturated model in one factor, the margin of a level is its observed proportion.
        Returns a :class:`~logitstat.inference.margins_at.Margins`.
        """
        var = _margins_at.factor_variable(self.design, self._margins_frame(data), term)
        at = dict(at or {})
        if var.name in at:
            raise SpecificationError(f"at= sets {var.name!r}, whose levels predictive_margins "
                                     "runs over: leave it out of at=")
        return self._margins_call(_margins_at.margins_at, data, at={var.name: list(var.levels),
                                                                    **at},
                                  alpha=alpha, term=var.name)

    def contrasts(self, term: str, method: str = "pairwise", adjust: str = "holm",
                  reference=None, at=None, alpha: float = 0.05, data=None):
        r"""Contrasts of the predictive margins of a categorical variable, with adjusted p-values.

        ``method``: ``"pairwise"`` (:math:`m_a - m_b` for every pair, ``emmeans``' ``pairs()``),
        ``"revpairwise"`` (:math:`m_b - m_a`, Stata's ``pwcompare``), ``"reference"`` (every
        level minus ``reference``, by default the model's reference level: Stata's
        ``margins r.race``), ``"consecutive"`` (each level minus the previous one).
        ``adjust``: ``"holm"``, ``"bonferroni"``, ``"sidak"`` or ``"none"`` (Stata's default);
        Bonferroni (and Holm) intervals have level :math:`1-lpha/m`.  ``at=`` holds the other
        variables at single values.  Delta-method standard errors of the differences (gradient
        differences).  Returns a :class:`~logitstat.inference.margins_at.Margins`.
        """
        if method not in _margins_at.METHODS:
            raise SpecificationError(f"method={method!r}: choose one of "
                                     f"{', '.join(map(repr, _margins_at.METHODS))}")
        at = dict(at or {})
        several = [k for k, v in at.items() if not isinstance(v, str) and np.ndim(v) > 0
                   and len(v) != 1]
        if several:
            raise SpecificationError(f"contrasts: at= must give single values ({several!r} have "
                                     "several); call contrasts once per value")
        pm = self.predictive_margins(term, at=at, alpha=alpha, data=data)
        var = _margins_at.factor_variable(self.design, self._margins_frame(data), term)
        return self._margins_call(_margins_at.contrasts, None, pm=pm, var=var, method=method,
                                  adjust=adjust, reference=reference, alpha=alpha)

    def _margins_frame(self, data):
        return data if data is not None else getattr(self, "_frame", None)

    def _margins_call(self, fn, data, **kwargs):
        """Run a :mod:`~logitstat.inference.margins_at` function with this fit's estimates, covariance (in
        the units of a column-scaled fit) and separation, and warn when it leaves NaN."""
        directions, undetermined = self._divergence
        scaled = getattr(self, "inner", None)
        if fn is _margins_at.margins_at:
            kwargs.update(data=self._margins_frame(data), params=self.fit_result.params, link=self.link)
        out = fn(design=self.design, cov=self._cov if scaled is None else scaled._cov,
                 col_scale=getattr(self, "col_scale", None), diverging=self._diverging,
                 reason=divergence_reason(self.names, directions, undetermined), **kwargs)
        out.info.update(link=self.link.name, cov_type=self.cov_type,
                        covariance=getattr(self, "cov_description", self.cov_type))
        for note in out.notes:
            warnings.warn(note, SeparationWarning, stacklevel=user_stacklevel())
        return out

    # ------------------------------------------------------------------ residuals
    def _resid(self, kind: str) -> pd.Series:
        d = self.design
        values = residuals(kind, d.y, d.trials, d.weights, self.fit_result.eta, self.link)
        return pd.Series(values, index=d.row_labels, name=f"resid_{kind}")

    @cached_property
    def resid_response(self) -> pd.Series:
        """Response residuals :math:`y_i - \\mu_i` (R's ``residuals(fit, "response")``)."""
        return self._resid("response")

    @cached_property
    def resid_pearson(self) -> pd.Series:
        """Pearson residuals :math:`(y_i-\\mu_i)\\sqrt{p_i/(\\mu_i(1-\\mu_i))}` (R's ``"pearson"``)."""
        return self._resid("pearson")

    @cached_property
    def resid_deviance(self) -> pd.Series:
        """Deviance residuals, signed roots of each row's deviance (R's default ``residuals``)."""
        return self._resid("deviance")

    @cached_property
    def resid_working(self) -> pd.Series:
        """Working residuals :math:`(y_i-\\mu_i)/\\mu'(\\eta_i)` (R's ``"working"``)."""
        return self._resid("working")

    def get_influence(self) -> Influence:
        """Hat values, standardized residuals, Cook's distance, dfbeta, dfbetas, DFFITS and the
        covariance ratio (see :mod:`logitstat.inference.influence`).

        Always from the Fisher information at the estimate, as R's ``hatvalues`` and
        ``cooks.distance``, whatever the ``cov_type``.
        """
        cached = self.__dict__.get("_influence")
        if cached is None:
            d = self.design
            cached = influence(d.X, d.y, d.trials, d.weights, self.fit_result.eta, self.link,
                               index=d.row_labels, names=list(self.names),
                               fisher_cov=self.fit_result.cov)
            self.__dict__["_influence"] = cached
        return cached

    # ------------------------------------------------------------------ helpers for results
    def _profile_or_wald(self, alpha: float, method: str, which=None) -> pd.DataFrame:
        if method == "profile":
            return self._profile_conf_int(alpha, which)
        raise SpecificationError(f"unknown confidence-interval method {method!r}: use 'wald' or "
                                 "'profile'")


def odds_ratio_frame(params: np.ndarray, ci: pd.DataFrame, pvalues) -> pd.DataFrame:
    """Odds ratios with the exponentiated interval (Wald or profile) and the p-value
    (``inf`` where a separated fit's estimate or interval end is too large for a float)."""
    with np.errstate(over="ignore"):
        return pd.DataFrame({"odds_ratio": np.exp(params), "lower": np.exp(ci["lower"].to_numpy()),
                             "upper": np.exp(ci["upper"].to_numpy()),
                             "pvalue": np.asarray(pvalues)}, index=ci.index)
