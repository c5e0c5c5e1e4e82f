"""Penalized-likelihood inference on Firth fits (``method="firth"``), as ``logistf`` reports it.

:class:`FirthInferenceMixin` gives :class:`~logitstat.models.binary.results.BinaryResults` the profile
penalized-likelihood intervals (through ``conf_int(method="profile")``), the penalized
likelihood-ratio p-values of each coefficient (:attr:`~FirthInferenceMixin.pvalues_lr`) and of
each term (:meth:`~FirthInferenceMixin.penalized_lr_test`); :func:`firth_lr_test` is the test of
two nested Firth fits behind :func:`logitstat.lr_test`.  Each is a cached wrapper around the
pure functions of :mod:`logitstat.models.firth.profile`; no formatting happens here.
"""
from __future__ import annotations

from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import stats

from ...errors import SpecificationError
from ...fitting.firth import _Model
from ...inference.hypothesis import FitArrays, TestResult, nested_lr_test
from . import profile as firthprofile

__all__ = ["FirthInferenceMixin", "firth_lr_test"]


class FirthInferenceMixin:
    """Penalized likelihood-ratio inference for Firth fits (logit link)."""

    def _require_firth(self, what: str) -> None:
        if getattr(self, "method", "irls") != "firth":
            raise SpecificationError(
                f"{what} is the penalized likelihood-ratio inference of Firth fits; this model "
                f"was fitted by method={self.method!r}: use anova()/drop1() or ls.lr_test for "
                "likelihood-ratio tests of a maximum-likelihood fit")

    def _firth_args(self) -> tuple:
        d = self.design
        return d.X, d.y, d.trials, d.weights, d.offset, self.link

    def _firth_settings(self) -> dict:
        return {"tol": min(getattr(self, "_tol", 1e-10), 1e-10),
                "max_iter": max(getattr(self, "_max_iter", 200), 200)}

    @cached_property
    def penalized_llf(self) -> float:
        r"""Penalized log-likelihood :math:`l^*(\hat\beta) = l(\hat\beta) +
        \tfrac12\log|X^\top W X|` at Firth's estimate (logit link; ``logistf``'s
        ``loglik["full"]`` plus the binomial coefficients of grouped data)."""
        self._require_firth("penalized_llf")
        inner = getattr(self, "inner", None)
        if inner is not None:   # fitted on X D^-1: log|X'WX| = log|D^-1 X'WX D^-1| + 2 log|D|
            return inner.penalized_llf + float(np.sum(np.log(self.col_scale)))
        return float(_Model(*self._firth_args()).state(self.fit_result.params)["pll"])

    @cached_property
    def pvalues_lr(self) -> pd.Series:
        r"""Penalized likelihood-ratio p-values of each coefficient (Firth fits; ``logistf``'s
        default p-values): :math:`\chi^2_j = 2\,[\,l^*(\hat\beta) - \max_{\beta_j=0} l^*(\beta)\,]`
        on 1 degree of freedom, the restricted maximum under the full model's penalty (see
        :mod:`logitstat.models.firth.profile`).  The statistics are in ``attrs["statistic"]``.
        """
        self._require_firth("pvalues_lr")
        inner = getattr(self, "inner", None)      # a column-scaled fit: tests are unit-free
        if inner is not None:
            out = inner.pvalues_lr.copy()
            out.index = self.names
            return out
        stat, pv = firthprofile.penalized_lr_pvalues(
            *self._firth_args(), self.fit_result.params, self.fit_result.cov, self.penalized_llf,
            **self._firth_settings())
        out = pd.Series(pv, index=self.names, name="P>chi2 (PLR)")
        out.attrs["statistic"] = pd.Series(stat, index=self.names, name="chi2")
        return out

    def penalized_lr_test(self, terms=None) -> pd.DataFrame:
        r"""Penalized likelihood-ratio test of each formula term (Firth fits), as
        ``drop1.logistf``: all columns of the term fixed at 0, the others refitted under the
        full model's penalty, :math:`\chi^2 = 2\,[\,l^*(\hat\beta) - \max_{\beta_J=0} l^*]` on
        :math:`|J|` degrees of freedom.

        Parameters
        ----------
        terms : str or list of str, optional
            Term names (as in :meth:`wald_test_terms`); all terms by default.

        Returns
        -------
        DataFrame
            Indexed by term, columns ``statistic``, ``df``, ``pvalue``.
        """
        self._require_firth("penalized_lr_test()")
        inner = getattr(self, "inner", None)
        if inner is not None:
            return inner.penalized_lr_test(terms)
        available = {t: sl for t, sl in self.design.terms.items() if sl.stop > sl.start}
        if terms is None:
            chosen = available
        else:
            names = [terms] if isinstance(terms, str) else list(terms)
            bad = [t for t in names if t not in available]
            if bad:
                raise SpecificationError(f"terms: {', '.join(map(repr, bad))} not in this model; "
                                         f"its terms are {', '.join(available)}")
            chosen = {t: available[t] for t in names}
        rows = firthprofile.penalized_lr_terms(*self._firth_args(), self.fit_result.params,
                                               self.fit_result.cov, self.penalized_llf, chosen,
                                               **self._firth_settings())
        out = pd.DataFrame([r[1:] for r in rows], index=[r[0] for r in rows],
                           columns=["statistic", "df", "pvalue"])
        out.index.name = "term"
        out.attrs["title"] = "Penalized likelihood-ratio tests of each term (Firth)"
        return out

    def _firth_profile_conf_int(self, alpha: float, which=None) -> pd.DataFrame:
        """Profile penalized-likelihood interval ends (cached per ``alpha`` and coefficient)."""
        idx = self._which(which)
        cache = self.__dict__.setdefault("_pl_cache", {}).setdefault(alpha, {})
        todo = [j for j in idx if j not in cache]
        if todo:
            lower, upper = firthprofile.penalized_profile_conf_int(
                *self._firth_args(), self.fit_result.params, self.fit_result.cov, self.penalized_llf,
                alpha=alpha, which=todo, **self._firth_settings())
            for j in todo:
                cache[j] = (float(lower[j]), float(upper[j]))
        return pd.DataFrame([cache[j] for j in idx], columns=["lower", "upper"],
                            index=[self.names[j] for j in idx])


def firth_lr_test(restricted: FitArrays, full: FitArrays, params: tuple[np.ndarray, np.ndarray],
                  tol: float = 1e-10, max_iter: int = 200) -> TestResult:
    r"""Penalized likelihood-ratio test of two nested Firth fits (logit link), as
    ``anova.logistf(method="nested")``, logistf's default.

    :math:`\chi^2 = 2\,[\,l^*_{full}(\hat\beta) - \max_{X\beta \in \mathrm{span}(X_r)}
    l^*_{full}(\beta)\,]` on :math:`k_{full} - k_r` degrees of freedom: the restricted model is
    refitted under the *full* model's penalty :math:`\tfrac12\log|X_{full}^\top W X_{full}|`,
    not taken from the smaller Firth fit (whose penalty is that of its own, smaller design: the
    difference of the two fits' penalized log-likelihoods is not a likelihood-ratio statistic and
    can be negative).  The models may come in either order; ``params`` holds their estimates in
    the same order.  The nesting checks (same link and rows, response, weights and offset; the
    smaller design in the span of the larger) are those of
    :func:`~logitstat.inference.hypothesis.nested_lr_test`.
    """
    if restricted.X.shape[1] > full.X.shape[1]:
        restricted, full, params = full, restricted, params[::-1]
    # run the checks of the maximum-likelihood test (they raise SpecificationError); its
    # statistic is discarded
    nested_lr_test(replace(restricted, method="irls"), replace(full, method="irls"))
    f = full
    stat = firthprofile.nested_penalized_lr(restricted.X, f.X, f.y, f.trials, f.weights, f.offset,
                                            f.link, params[1], tol=tol, max_iter=max_iter)
    df = f.X.shape[1] - restricted.X.shape[1]
    text = (f"{restricted.X.shape[1]}-coefficient model nested in {f.X.shape[1]}-coefficient "
            "model (Firth, full model's penalty)")
    return TestResult(stat, df, float(stats.chi2.sf(stat, df)), "Penalized likelihood-ratio", text)
