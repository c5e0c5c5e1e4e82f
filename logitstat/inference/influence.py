r"""Residuals and influence measures of a binomial GLM, as R's ``residuals.glm``, ``hatvalues``,
``rstandard``, ``rstudent`` and ``cooks.distance``.

With :math:`\mu_i = F(\eta_i)`, :math:`V_i = \mu_i(1-\mu_i)`, prior weight :math:`p_i = w_i m_i`
(frequency weight times trials) and :math:`y_i` the observed proportion:

=====================  =====================================================================
response               :math:`y_i - \mu_i`
Pearson                :math:`r^P_i = (y_i - \mu_i)\sqrt{p_i / V_i}`
deviance               :math:`r^D_i = \operatorname{sign}(y_i-\mu_i)\sqrt{d_i}`, :math:`\sum_i d_i = D`
working                :math:`(y_i - \mu_i) / \mu'(\eta_i)`
hat value              :math:`h_i = W_i\,x_i^\top (X^\top W X)^{-1} x_i`, :math:`W_i = p_i \mu'(\eta_i)^2 / V_i`
standardized           :math:`r^D_i/\sqrt{1-h_i}` (deviance), :math:`r^P_i/\sqrt{1-h_i}` (Pearson)
likelihood (R's        :math:`\operatorname{sign}(r^D_i)\sqrt{(r^D_i)^2 + h_i (r^P_i)^2/(1-h_i)}`
``rstudent``)          (Williams 1987)
Cook's distance        :math:`\big(r^P_i/(1-h_i)\big)^2\, h_i / k`, :math:`k` coefficients
dfbeta                 :math:`A\, x_i \sqrt{W_i}\, r^D_i / (1-h_i)`, :math:`A = (X^\top W X)^{-1}`
                       (one-step change of :math:`\hat\beta` when row :math:`i` is deleted)
dfbetas                :math:`\mathrm{dfbeta}_{ij} / (\sigma_{(i)} \sqrt{A_{jj}})`
DFFITS                 :math:`r^D_i \sqrt{h_i} / (\sigma_{(i)} (1-h_i))`
covariance ratio       :math:`(\sigma_{(i)}/\sigma)^{2k} / (1-h_i)`
=====================  =====================================================================

The last four are R's ``dfbeta``, ``dfbetas``, ``dffits``, ``covratio`` (and the columns of
``influence.measures``) for a glm: ``lm.influence`` applied to the weighted working regression
with the *deviance* residuals as its residuals, so that
:math:`\sigma^2 = \sum_i (r^D_i)^2 / (n-k)` and the leave-one-out
:math:`\sigma^2_{(i)} = \big(\sum_l (r^D_l)^2 - (r^D_i)^2/(1-h_i)\big) / (n-k-1)` enter
although the binomial dispersion is 1; :math:`n` counts the rows of positive prior weight.

The dispersion of the binomial family is 1.  A row with :math:`h_i = 1` gets NaN where R gives
``NaN``/``Inf`` (its dfbeta is 0, as R's).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from scipy import linalg

from ..common.displays import Display, Displayable, number
from ..diagnostics import collinearity as _coll
from ..errors import SpecificationError
from ..fitting import family, kernels
from ..fitting.irls import scaled_cholesky
from ..fitting.links import Link
from . import deletion

__all__ = ["Influence", "influence", "hat_values", "residuals"]


def residuals(kind: str, y: np.ndarray, trials: np.ndarray, weights: np.ndarray, eta: np.ndarray,
              link: Link) -> np.ndarray:
    """Residuals of one ``kind`` (``response``, ``pearson``, ``deviance``, ``working``)."""
    mu = link.linkinv(eta)
    if kind == "response":
        return y - mu
    if kind == "pearson":
        return family.pearson_residuals(y, trials, weights, mu)
    if kind == "deviance":
        return family.deviance_residuals(y, trials, weights, eta, link)
    if kind == "working":
        return (y - mu) / link.mu_eta(eta)
    raise ValueError(f"unknown residual kind {kind!r}")


def hat_values(X: np.ndarray, trials: np.ndarray, weights: np.ndarray, eta: np.ndarray,
               link: Link) -> np.ndarray:
    r"""Diagonal of the IRLS hat matrix :math:`W^{1/2} X (X^\top W X)^{-1} X^\top W^{1/2}`,
    with :math:`W` at ``eta`` itself.

    :math:`h_i = W_i \lVert L^{-1} x_i \rVert^2` with :math:`L L^\top = X^\top W X` (scaled
    Cholesky), in row blocks of :math:`X`; when the information is ill-conditioned, the squared
    row norms of :math:`Q = W^{1/2}XR^{-1}` in :math:`W^{1/2}X = QR` (as R's ``lm.influence``),
    with :math:`R` from a row-blocked QR: two passes over :math:`X`, no copy of it.
    """
    mu = link.linkinv(eta)
    d = link.mu_eta(eta)
    W = weights * trials * d * d / (mu * (1.0 - mu))
    factor = scaled_cholesky(kernels.gram(X, W))
    if factor is None:   # ill-conditioned: R of W^(1/2) X = QR, h_i = W_i |R^-T x_i|^2
        X = _coll._balanced(X)
        return _row_norms(X, W, _coll.tsqr_r(X, W).T, np.ones(X.shape[1]))
    (L, _), scale = factor
    return _row_norms(X, W, L, scale)


def _row_norms(X: np.ndarray, W: np.ndarray, L: np.ndarray, scale: np.ndarray) -> np.ndarray:
    r""":math:`W_i \lVert L^{-1} (x_i / s) \rVert^2` for every row, in row blocks."""
    out = np.empty(X.shape[0])

    def rows(lo: int, hi: int) -> None:
        for s in range(lo, hi, kernels.BLOCK_ROWS):
            e = min(s + kernels.BLOCK_ROWS, hi)
            Z = linalg.solve_triangular(L, (X[s:e] / scale).T, lower=True, check_finite=False)
            out[s:e] = W[s:e] * np.einsum("ij,ij->j", Z, Z)

    kernels.map_chunks(rows, X.shape[0])
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(np.shape(num), np.nan)
    ok = den > 0
    np.divide(num, den, out=out, where=ok)
    return out


@dataclass(frozen=True, eq=False, repr=False)
class Influence(Displayable):
    """Influence measures of a fit (see the module docstring for the formulas).

    Attributes are Series indexed like the estimation rows.  Names follow statsmodels'
    ``GLMInfluence`` (``hat_matrix_diag``, ``resid_studentized``, ``cooks_distance``); the R
    equivalents are noted on each.
    """

    hat: np.ndarray
    resid_dev: np.ndarray
    resid_pear: np.ndarray
    k: int
    index: object = None
    X: np.ndarray | None = None            # for dfbeta and friends (see deletion.py)
    work_weight: np.ndarray | None = None  # IRLS weights W_i
    fisher_cov: np.ndarray | None = None   # (X'WX)^{-1}
    names: list | None = None

    def _series(self, values: np.ndarray, name: str) -> pd.Series:
        return pd.Series(values, index=self.index, name=name)

    @cached_property
    def _one_minus_h(self) -> np.ndarray:
        return np.where(self.hat < 1.0 - 1e-12, 1.0 - self.hat, 0.0)

    @property
    def hat_matrix_diag(self) -> pd.Series:
        """Hat values :math:`h_i` (R's ``hatvalues``)."""
        return self._series(self.hat, "hat")

    @property
    def resid_std_deviance(self) -> pd.Series:
        """Standardized deviance residuals (R's ``rstandard(fit)``, the default type)."""
        return self._series(_ratio(self.resid_dev, np.sqrt(self._one_minus_h)), "std_resid_deviance")

    @property
    def resid_std_pearson(self) -> pd.Series:
        """Standardized Pearson residuals (R's ``rstandard(fit, type="pearson")``)."""
        return self._series(_ratio(self.resid_pear, np.sqrt(self._one_minus_h)), "std_resid_pearson")

    @property
    def resid_studentized(self) -> pd.Series:
        """Internally studentized (standardized Pearson) residuals, as statsmodels' GLMInfluence."""
        return self.resid_std_pearson.rename("resid_studentized")

    @property
    def resid_likelihood(self) -> pd.Series:
        """Likelihood residuals, R's ``rstudent`` for a binomial glm (Williams 1987)."""
        extra = _ratio(self.hat * self.resid_pear ** 2, self._one_minus_h)
        return self._series(np.sign(self.resid_dev) * np.sqrt(self.resid_dev ** 2 + extra),
                            "resid_likelihood")

    @property
    def cooks_distance(self) -> pd.Series:
        """Cook's distance :math:`(r^P_i/(1-h_i))^2 h_i/k` (R's ``cooks.distance``)."""
        return self._series(_ratio(self.resid_pear, self._one_minus_h) ** 2 * self.hat / self.k,
                            "cooks_d")

    @cached_property
    def _deletion(self) -> "deletion.Deletion":
        if self.X is None:
            raise SpecificationError("dfbeta, dfbetas, dffits and cov_ratio need the design: get "
                                     "them from res.get_influence()")
        return deletion.Deletion(self.X, self.work_weight, self.fisher_cov, self.hat,
                                 self.resid_dev)

    @cached_property
    def dfbeta(self) -> pd.DataFrame:
        """One-step coefficient changes on deleting each row (R's ``dfbeta(fit)``), n x k."""
        return pd.DataFrame(self._deletion.dfbeta(), index=self.index, columns=self.names,
                            copy=False)   # pandas 3 would copy the n x k array

    @cached_property
    def dfbetas(self) -> pd.DataFrame:
        """Scaled coefficient changes (R's ``dfbetas(fit)``, the ``dfb.*`` columns of
        ``influence.measures``), n x k."""
        return pd.DataFrame(self._deletion.dfbetas(self.dfbeta.to_numpy()), index=self.index,
                            columns=self.names, copy=False)

    @property
    def dffits(self) -> pd.Series:
        """DFFITS (R's ``dffits(fit)``, ``influence.measures``' ``dffit``)."""
        return self._series(self._deletion.dffits(), "dffits")

    @property
    def cov_ratio(self) -> pd.Series:
        """Covariance ratio (R's ``covratio(fit)``, ``influence.measures``' ``cov.r``)."""
        return self._series(self._deletion.cov_ratio(self.k), "cov_ratio")

    def summary_frame(self) -> pd.DataFrame:
        """All measures, one row per observation (with ``dfb_<coefficient>`` columns, DFFITS and
        the covariance ratio when the design is known, as from ``res.get_influence()``)."""
        cols = {"hat": self.hat_matrix_diag, "resid_deviance": self.resid_dev,
                "resid_pearson": self.resid_pear, "std_resid_deviance": self.resid_std_deviance,
                "std_resid_pearson": self.resid_std_pearson, "resid_likelihood": self.resid_likelihood,
                "cooks_d": self.cooks_distance}
        if self.X is None:
            return pd.DataFrame({k: np.asarray(v) for k, v in cols.items()}, index=self.index)
        # one n x (k + 9) table written in place (the dfbetas fill their columns directly),
        # columns in the order of R's influence.measures: the measures, dfb_*, dffits, cov_ratio
        names = list(cols) + [f"dfb_{nm}" for nm in self.names] + ["dffits", "cov_ratio"]
        table = np.empty((len(self.hat), len(names)))
        for j, v in enumerate(cols.values()):
            table[:, j] = np.asarray(v)
        table[:, -2], table[:, -1] = np.asarray(self.dffits), np.asarray(self.cov_ratio)
        dfb = table[:, len(cols):len(cols) + self.k]
        if "dfbetas" in self.__dict__:
            dfb[:] = self.dfbetas.to_numpy()
        else:
            self._deletion.dfbetas(self._deletion.dfbeta(out=dfb), inplace=True)
        return pd.DataFrame(table, index=self.index, columns=names, copy=False)

    def _display(self, top: int = 5) -> Display:
        frame = pd.DataFrame({"hat": np.asarray(self.hat_matrix_diag),
                              "std_resid_deviance": np.asarray(self.resid_std_deviance),
                              "cooks_d": np.asarray(self.cooks_distance)}, index=self.index)
        n, k = len(frame), self.k
        rows: list[tuple[str, object]] = [("observations", n), ("coefficients", k)]
        for label, col in (("largest hat value", "hat"), ("largest Cook's distance", "cooks_d")):
            if frame[col].notna().any():
                rows.append((label, f"{number(frame[col].max())} (row {frame[col].idxmax()})"))
        if n:
            rows += [("hat > 2k/n", int((frame["hat"] > 2 * k / n).sum())),
                     ("|std. residual| > 2", int((frame["std_resid_deviance"].abs() > 2).sum()))]
        worst = frame.nlargest(min(top, n), "cooks_d")
        return Display("Influence measures", rows,
                       tables=[(f"{len(worst)} rows with the largest Cook's distance", worst)],
                       hint="(.summary_frame() has every measure of every row)")


def influence(X: np.ndarray, y: np.ndarray, trials: np.ndarray, weights: np.ndarray,
              eta: np.ndarray, link: Link, index=None, names=None,
              fisher_cov: np.ndarray | None = None) -> Influence:
    """Build the :class:`Influence` of a fit from its arrays (``fisher_cov``, the inverse Fisher
    information, enables dfbeta, dfbetas, DFFITS and the covariance ratio)."""
    mu = link.linkinv(eta)
    d = link.mu_eta(eta)
    return Influence(hat=hat_values(X, trials, weights, eta, link),
                     resid_dev=residuals("deviance", y, trials, weights, eta, link),
                     resid_pear=residuals("pearson", y, trials, weights, eta, link),
                     k=X.shape[1], index=index,
                     X=None if fisher_cov is None else X,
                     work_weight=weights * trials * d * d / (mu * (1.0 - mu)),
                     fisher_cov=fisher_cov, names=names)
