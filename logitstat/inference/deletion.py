r"""Case-deletion measures of a binomial GLM as R computes them: ``dfbeta``, ``dfbetas``,
``dffits`` and ``covratio`` (see :mod:`logitstat.inference.influence` for the formulas).

R obtains them from ``lm.influence`` on the weighted working regression of the final IRLS
step, with the deviance residuals :math:`r^D_i` as its residuals: the change of the coefficients
when row :math:`i` is deleted is the one-step approximation

.. math::

    \hat\beta - \hat\beta_{(i)} \approx A\, x_i \sqrt{W_i}\; \frac{r^D_i}{1-h_i},
    \qquad A = (X^\top W X)^{-1},

and the scale estimates :math:`\sigma`, :math:`\sigma_{(i)}` are those of a linear model with
residuals :math:`r^D` (R's ``influence.measures`` uses them for a glm as well).  Everything is
computed in row blocks of :math:`X`: the only :math:`n \times k` arrays are the outputs.
"""
from __future__ import annotations

import numpy as np

from ..fitting import kernels


class Deletion:
    """Case-deletion quantities from the design, IRLS weights, inverse information, hat values
    and deviance residuals of a fit."""

    def __init__(self, X: np.ndarray, work_weight: np.ndarray, fisher_cov: np.ndarray,
                 hat: np.ndarray, resid_dev: np.ndarray):
        self.X, self.A = X, fisher_cov
        self.W = work_weight
        self.live = work_weight > 0          # R drops rows of zero prior weight
        self.h = np.where(hat > 1.0 - 10 * np.finfo(float).eps, 1.0, hat)
        self.e = np.where(self.live, resid_dev, 0.0)
        self.n = int(np.count_nonzero(self.live))

    def _scaled_residual(self) -> np.ndarray:
        """:math:`\\sqrt{W_i} r^D_i / (1-h_i)`, 0 where :math:`h_i = 1` (as R)."""
        out = np.zeros_like(self.e)
        ok = self.h < 1.0
        out[ok] = np.sqrt(self.W[ok]) * self.e[ok] / (1.0 - self.h[ok])
        return out

    def dfbeta(self, out: np.ndarray | None = None) -> np.ndarray:
        """Rows :math:`A x_i \\sqrt{W_i} r^D_i/(1-h_i)` (n x k), written block by block (into
        ``out`` when given: any n x k array, e.g. columns of a larger table)."""
        X, A = self.X, self.A
        c = self._scaled_residual()
        out = np.empty(X.shape, dtype=float) if out is None else out

        def rows(lo: int, hi: int) -> None:
            for s in range(lo, hi, kernels.BLOCK_ROWS):
                e = min(s + kernels.BLOCK_ROWS, hi)
                np.multiply(X[s:e] @ A, c[s:e, None], out=out[s:e])

        kernels.map_chunks(rows, X.shape[0])
        return out

    def sigma(self, k: int) -> np.ndarray:
        r"""Leave-one-out :math:`\sigma_{(i)} = \sqrt{(\sum_l e_l^2 - e_i^2/(1-h_i))/(n-k-1)}`
        (:math:`\sqrt{\sum_l e_l^2/(n-k-1)}` where :math:`h_i = 1`); NaN when :math:`n \le k+1`."""
        total = float(np.sum(self.e ** 2))
        if self.n - k - 1 <= 0:
            return np.full(len(self.e), np.nan)
        drop = np.zeros_like(self.e)
        ok = self.h < 1.0
        drop[ok] = self.e[ok] ** 2 / (1.0 - self.h[ok])
        return np.sqrt(np.maximum(total - drop, 0.0) / (self.n - k - 1))

    def dfbetas(self, dfbeta: np.ndarray, inplace: bool = False) -> np.ndarray:
        r""":math:`\mathrm{dfbeta}_{ij} / (\sigma_{(i)}\sqrt{A_{jj}})`: a new n x k array, or
        ``dfbeta`` itself divided in place."""
        sig = self.sigma(dfbeta.shape[1])
        with np.errstate(divide="ignore", invalid="ignore"):
            out = dfbeta if inplace else dfbeta.copy()
            out /= sig[:, None]
            out /= np.sqrt(np.diag(self.A))
        out[~np.isfinite(out)] = np.nan
        return out

    def dffits(self) -> np.ndarray:
        r""":math:`e_i\sqrt{h_i}/(\sigma_{(i)}(1-h_i))`; NaN where it is not finite or the row has
        zero weight."""
        sig = self.sigma(self.A.shape[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            out = self.e * np.sqrt(self.h) / (sig * (1.0 - self.h))
        return np.where(np.isfinite(out) & self.live, out, np.nan)

    def cov_ratio(self, k: int) -> np.ndarray:
        r""":math:`(\sigma_{(i)}/\sigma)^{2k}/(1-h_i)` with :math:`\sigma^2 = \sum e^2/(n-k)`."""
        s2 = float(np.sum(self.e ** 2)) / (self.n - k) if self.n > k else np.nan
        sig = self.sigma(k)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = (sig * sig / s2) ** k / (1.0 - self.h)
        return np.where(np.isfinite(out) & self.live, out, np.nan)
