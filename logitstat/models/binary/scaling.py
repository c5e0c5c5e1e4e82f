r"""Fits whose results do not depend on the units of the columns.

A column measured in tiny or huge units (norm :math:`\lVert x_j\rVert` below :math:`10^{-100}`
or above :math:`10^{100}`) breaks double precision somewhere: :math:`X^\top W X` overflows
(entries :math:`\lVert x_j\rVert^2 > 1.8\times10^{308}` once the norm passes about
:math:`10^{154}`), or the variance of its coefficient,
:math:`\mathrm{se}_j^2 \approx 1/(\lVert x_j\rVert^2 \bar w)`, does (norms below about
:math:`10^{-154}`).  The safe range leaves a factor :math:`10^{100}` of headroom on both sides for
the working weights, the number of rows and products such as bread × meat × bread.

Outside it :func:`column_scales` picks, for the offending columns only, a power of two
:math:`s_j = 2^{e_j}` with :math:`\max_i |x_{ij}|/s_j \in [1/2, 1)`.  The model is fitted on
:math:`X' = X D^{-1}` (:math:`D = \mathrm{diag}(s)`), whose estimates are
:math:`\beta' = D\beta` — the likelihood depends on :math:`X\beta = X'\beta'` only — and mapped
back: :math:`\beta = D^{-1}\beta'`, :math:`V = D^{-1} V' D^{-1}`.  Dividing by a power of two
is exact, so nothing is lost to rounding.  Everything that is invariant to the units (z, p,
tests, deviance, separation, VIF, the BKW condition number, influence) is taken from the
scaled fit, and standard errors as :math:`\sqrt{V'_{jj}}/s_j`, which stay finite when
:math:`V_{jj}` itself is not representable.  No copy of ``X`` is made when no column needs it.
"""
from __future__ import annotations

from dataclasses import replace
from functools import reduce
from functools import cached_property

import numpy as np
import pandas as pd

from ...fitting import kernels
from ...formula.design import Design
from ...inference import hypothesis as inference
from .results import BinaryResults

__all__ = ["SAFE_NORM", "screened_gram", "column_scales", "scale_design", "unscale_cov",
           "scaled_restrictions", "ScaledBinaryResults"]

SAFE_NORM = (1e-100, 1e100)


def screened_gram(X: np.ndarray, w: np.ndarray | None = None, *,
                   rhs: np.ndarray | None = None):
    """:func:`logitstat.fitting.kernels.gram` with overflow silenced in every worker thread: an
    overflowed diagonal entry is what :func:`column_scales` looks for, not an error.  With
    ``rhs`` (unit weights) returns :math:`(X^\top X, X^\top r)` from the same pass."""
    sw = None if w is None else np.sqrt(np.asarray(w, dtype=float))
    r = None if rhs is None else np.asarray(rhs, dtype=float)

    def chunk(lo: int, hi: int):
        with np.errstate(over="ignore", invalid="ignore"):
            return kernels.gram_chunk(X, lo, hi, sw, r)

    with np.errstate(over="ignore", invalid="ignore"):
        parts = kernels.map_chunks(chunk, X.shape[0])
        G = reduce(np.add, [q[0] for q in parts])
        if r is None:
            return G
        return G, reduce(np.add, [q[1] for q in parts])


def column_scales(X: np.ndarray, sq_norms: np.ndarray) -> np.ndarray | None:
    """Power-of-two column scales, or None when every column norm is in :data:`SAFE_NORM`.

    ``sq_norms`` are the squared column norms (the diagonal of the Gram matrix the fit forms
    anyway); they are only screened, and the max-abs of the offending columns decides their
    scale (an overflowed or underflowed squared norm is still caught).  Zero columns keep
    scale 1 (the rank check reports them).
    """
    lo, hi = SAFE_NORM
    d = np.asarray(sq_norms, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~((d >= lo * lo) & (d <= hi * hi))
    if not bad.any():
        return None
    s = np.ones(X.shape[1])
    for j in np.flatnonzero(bad):
        col = X[:, j]
        m = max(float(col.max(initial=0.0)), -float(col.min(initial=0.0)))
        if 0.0 < m < np.inf:
            s[j] = np.ldexp(1.0, int(np.frexp(m)[1]))
    return s if np.any(s != 1.0) else None


def scale_design(design: Design, s: np.ndarray) -> Design:
    """The design with columns divided by ``s`` (exact for powers of two); a copy of ``X``."""
    return replace(design, X=design.X / s)


def unscale_cov(cov: np.ndarray, s: np.ndarray) -> np.ndarray:
    """:math:`D^{-1} V' D^{-1}`; entries beyond the double range become ±inf or 0 silently
    (standard errors are taken from the scaled covariance instead)."""
    with np.errstate(over="ignore", under="ignore"):
        return (np.asarray(cov) / s[None, :]) / s[:, None]


def scaled_restrictions(R: np.ndarray, q: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r""":math:`R\beta = q` as restrictions on :math:`\beta' = D\beta`: :math:`R D^{-1}`, each
    row (with its :math:`q`) multiplied by a power of two that brings its max-abs into
    [1/2, 1) -- the Wald statistic does not change, and :math:`R V' R^\top` stays representable."""
    Rs = R / s[None, :]
    m = np.abs(Rs).max(axis=1, initial=0.0)
    e = np.ldexp(1.0, -np.frexp(np.where(m > 0, m, 1.0))[1])
    return Rs * e[:, None], q * e


class ScaledBinaryResults(BinaryResults):
    """:class:`~logitstat.models.binary.results.BinaryResults` of a fit made on column-scaled data.

    ``inner`` is the fit on :math:`X D^{-1}`; this object shows the estimates in the units of
    the data (``params``, ``bse``, ``cov_params``, intervals, predictions) and takes every
    quantity that does not depend on the units from ``inner``.  Construct through
    :func:`logitstat.api.fit_design`.
    """

    def __init__(self, inner: BinaryResults, design: Design, col_scale: np.ndarray, *,
                 cov_kwds: dict | None = None):
        s = np.asarray(col_scale, dtype=float)
        with np.errstate(over="ignore", under="ignore"):
            fit = replace(inner.fit_result, params=inner.fit_result.params / s,
                          cov=unscale_cov(inner.fit_result.cov, s))
        super().__init__(design, inner.link, fit, cov_type=inner.cov_type, method=inner.method,
                         tol=inner._tol, max_iter=inner._max_iter, cov_kwds=cov_kwds,
                         information=inner.information)
        self.inner = inner
        self.col_scale = s

    # ------------------------------------------------------------------ in the data's units
    @cached_property
    def _bread(self) -> np.ndarray:
        return unscale_cov(self.inner._bread, self.col_scale)

    @cached_property
    def _cov(self) -> np.ndarray:
        return unscale_cov(self.inner._cov, self.col_scale)

    @cached_property
    def bse(self) -> pd.Series:
        """Standard errors :math:`\\sqrt{V'_{jj}}/s_j` (finite even when :math:`V_{jj}` is not)."""
        return pd.Series(self.inner.bse.to_numpy() / self.col_scale, index=self.names, name="std err")

    def _eta_se(self, X: np.ndarray) -> np.ndarray:
        return np.sqrt(kernels.row_quadratic(X / self.col_scale, self.inner._cov))

    def _profile_conf_int(self, alpha: float, which=None) -> pd.DataFrame:
        idx = self._which(which)
        ci = self.inner._profile_conf_int(alpha, idx)
        with np.errstate(over="ignore", under="ignore"):
            return ci.div(self.col_scale[idx], axis=0).set_axis([self.names[j] for j in idx],
                                                                axis=0)

    def wald_test(self, h) -> inference.TestResult:
        r""":math:`R\beta = q` is :math:`(R D^{-1})\beta' = q`, tested on the scaled fit."""
        R, q, text = inference.constraint_matrix(h, self.names)
        Rs, qs = scaled_restrictions(R, q, self.col_scale)
        blocked = self.inner._blocked_restriction(Rs, text)
        if blocked is not None:
            return blocked
        return inference.wald_test(self.inner.fit_result.params, self.inner._cov, Rs, qs, text)

    # ------------------------------------------------------------------ invariant to units
    def wald_test_terms(self) -> pd.DataFrame:
        return self.inner.wald_test_terms()

    def anova(self, type: int = 1, test: str = "lr") -> pd.DataFrame:
        return self.inner.anova(type, test)

    def drop1(self, test: str = "lr") -> pd.DataFrame:
        return self.inner.drop1(test)

    @cached_property
    def separation(self):
        return self.inner.separation

    def vif(self, kind: str = "model") -> pd.DataFrame:
        return self.inner.vif(kind)

    @cached_property
    def condition_number(self) -> float:
        return self.inner.condition_number

    def collinearity(self) -> pd.DataFrame:
        return self.inner.collinearity()

    def get_influence(self):
        return self.inner.get_influence()

    def __repr__(self) -> str:
        return BinaryResults.__repr__(self).replace(type(self).__name__, "BinaryResults", 1)
