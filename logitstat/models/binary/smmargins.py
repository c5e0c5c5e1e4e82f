r"""Marginal effects with statsmodels' definitions (``get_margeff``): one effect per design column.

statsmodels' ``DiscreteResults.get_margeff`` differentiates with respect to each *column* of the
design matrix (an interaction or a transformed column is treated as a variable of its own),
whereas :func:`logitstat.inference.margins.marginal_effects` differentiates with respect to each data
*variable* through every column it enters (Stata's ``margins``).  This module gives
statsmodels' numbers.  With :math:`F` the inverse link, :math:`f = F'`, :math:`\eta_i =
x_i^\top\beta + o_i` and row weights :math:`a_i` (frequency weight times trials; all 1 in
statsmodels, which has neither), for column :math:`j`:

=========  =============================================  ================================
method     effect of row :math:`i`                         with :math:`h = `
=========  =============================================  ================================
dydx       :math:`h(\eta_i)\,\beta_j`                      :math:`f`
eydx       :math:`h(\eta_i)\,\beta_j`                      :math:`f/F` (d ln y / dx)
dyex       :math:`h(\eta_i)\,\beta_j\,x_{ij}`              :math:`f`
eyex       :math:`h(\eta_i)\,\beta_j\,x_{ij}`              :math:`f/F`
=========  =============================================  ================================

* ``dummy=True``: a 0/1 column changes from 0 to 1, :math:`G(\eta_i^{(1)}) - G(\eta_i^{(0)})`
  with :math:`G = F` (``dy``) or :math:`\log F` (``ey``);
* ``count=True``: a non-negative integer column changes by one, statsmodels' centred
  difference :math:`[G(\eta_i + \beta_j) - G(\eta_i - \beta_j)]/2`;
* ``at="overall"`` averages the row effects (weights :math:`a_i`); ``"mean"``, ``"median"``
  and ``"zero"`` evaluate them at one row: the (weighted) column means, medians, or zeros with
  the constant columns at their value.

Standard errors: the delta method :math:`\sqrt{\mathrm{diag}(G V G^\top)}` with the analytic
gradient :math:`G = \partial\,\mathrm{effect}/\partial\beta` (statsmodels differentiates
numerically, by complex step for the logit, so the two agree to rounding), e.g. for ``dydx``
at ``overall`` :math:`G_j = \beta_j \bar a[h'(\eta_i) x_i] + e_j \bar a[h(\eta_i)]`.
"""
from __future__ import annotations

import numpy as np

from ...errors import SpecificationError
from ...fitting.kernels import weighted_gram
from ...fitting.links import Link

AT = ("overall", "mean", "median", "zero")
METHODS = {"dydx": "dy/dx", "eyex": "d(lny)/d(lnx)", "dyex": "dy/d(lnx)", "eydx": "d(lny)/dx"}


def check_options(at: str, method: str, dummy: bool, count: bool) -> tuple[str, str]:
    """Validate ``at`` and ``method`` as statsmodels does (case-insensitive); elasticities and
    ``median``/``zero`` are refused with discrete (``dummy``/``count``) columns."""
    at_l = at.lower() if isinstance(at, str) else at
    method_l = method.lower() if isinstance(method, str) else method
    if at_l == "all":
        raise SpecificationError("get_margeff(at='all') is not supported: use at='overall' "
                                 "(the average of the row effects) or res.marginal_effects()")
    if at_l not in AT:
        raise SpecificationError(f"at={at!r}: choose one of {', '.join(map(repr, AT))}")
    if method_l not in METHODS:
        raise SpecificationError(f"method={method!r}: choose one of "
                                 f"{', '.join(map(repr, METHODS))}")
    if dummy or count:
        if method_l in ("dyex", "eyex"):
            raise SpecificationError(f"method={method_l!r} is not allowed with dummy=True or "
                                     "count=True (an elasticity of a discrete column has no "
                                     "meaning); use 'dydx' or 'eydx'")
        if at_l in ("median", "zero"):
            raise SpecificationError(f"at={at_l!r} is not allowed with dummy=True or count=True; "
                                     "use 'overall' or 'mean'")
    return at_l, method_l


def column_kinds(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column: constant, dummy (only 0 and 1, both present) and count (non-negative
    integers, not constant, not a dummy) — statsmodels' ``_isdummy`` / ``_iscount``."""
    lo, hi = X.min(axis=0), X.max(axis=0)
    const = lo == hi
    whole = np.array([bool(np.all(np.mod(X[:, j], 1.0) == 0)) for j in range(X.shape[1])])
    dummy = (lo == 0) & (hi == 1) & whole
    count = whole & ~const & (lo >= 0) & ~dummy
    return const, dummy, count


def _weighted_median(x: np.ndarray, a: np.ndarray) -> float:
    if np.all(a == a[0]):
        return float(np.median(x))
    order = np.argsort(x, kind="stable")
    cum = np.cumsum(a[order])
    return float(x[order][np.searchsorted(cum, 0.5 * cum[-1])])


def evaluation_rows(X: np.ndarray, offset: np.ndarray, a: np.ndarray, at: str,
                    const: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rows the effects are evaluated at, their offsets and weights (``X`` itself, not a
    copy, for ``at="overall"``)."""
    if at == "overall":
        return X, offset, a
    if at == "mean":
        x0 = (X.T @ a) / a.sum()
        o0 = float(offset @ a) / a.sum()
    elif at == "median":
        x0 = np.array([_weighted_median(X[:, j], a) for j in range(X.shape[1])])
        o0 = _weighted_median(offset, a)
    else:  # zero: every non-constant column at 0, the constant(s) kept
        x0 = np.where(const, X[0], 0.0)
        o0 = 0.0
    return x0[None, :], np.array([o0]), np.ones(1)


def _h(link: Link, eta: np.ndarray, ey: bool) -> tuple[np.ndarray, np.ndarray]:
    """:math:`h` and :math:`h'` of the table in the module docstring."""
    f, f2 = link.mu_eta(eta), link.mu_eta2(eta)
    if not ey:
        return f, f2
    F = link.linkinv(eta)
    return f / F, (f2 * F - f * f) / (F * F)


def _G(link: Link, eta: np.ndarray, ey: bool) -> np.ndarray:
    """:math:`G = F` or :math:`\\log F` (stably, from :meth:`Link.log_probs`)."""
    return link.log_probs(eta)[0] if ey else link.linkinv(eta)


def margeff(X: np.ndarray, params: np.ndarray, cov: np.ndarray, link: Link, offset: np.ndarray,
            a: np.ndarray, at: str = "overall", method: str = "dydx", dummy: bool = False,
            count: bool = False) -> dict:
    """statsmodels' ``get_margeff`` numbers (see the module docstring).

    Returns a dict: ``effects`` and ``jacobian`` (rows: the non-constant columns, in the
    design's order), ``cov`` (:math:`G V G^\\top`), ``columns`` (their positions in ``X``),
    ``dummy_idx`` and ``count_idx`` (positions in ``X`` treated as discrete, or None).
    """
    at, method = check_options(at, method, dummy, count)
    b = np.asarray(params, dtype=float)
    p = b.size
    const, is_dummy, is_count = column_kinds(X)
    Xe, off, w = evaluation_rows(X, offset, a, at, const)
    W = float(w.sum())
    eta = Xe @ b + off
    ey, ex = method.startswith("ey"), method.endswith("ex")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        h, dh = _h(link, eta, ey)
        if ex:  # effect_j = b_j mean(h x_j)
            mhx = (Xe.T @ (w * h)) / W
            eff = b * mhx
            jac = b[:, None] * weighted_gram(Xe, w * dh)[0] / W + np.diag(mhx)
        else:
            mh = float(w @ h) / W
            eff = b * mh
            jac = np.outer(b, (Xe.T @ (w * dh)) / W) + mh * np.eye(p)
        discrete = []
        if dummy:
            discrete += [(j, "dummy") for j in np.flatnonzero(is_dummy)]
        if count:
            discrete += [(j, "count") for j in np.flatnonzero(is_count)]
        for j, kind in discrete:
            xj = Xe[:, j]
            if kind == "dummy":
                e1, e0 = eta + (1.0 - xj) * b[j], eta - xj * b[j]
                half, s1, s0 = 1.0, 1.0 - xj, xj        # x1 = x + s1 e_j, x0 = x - s0 e_j
            else:
                e1, e0 = eta + b[j], eta - b[j]
                half, s1, s0 = 0.5, np.ones_like(xj), np.ones_like(xj)
            g1, g0 = _h(link, e1, ey)[0], _h(link, e0, ey)[0]
            eff[j] = half * float(w @ (_G(link, e1, ey) - _G(link, e0, ey))) / W
            row = Xe.T @ (w * (g1 - g0))
            row[j] += float(w @ (g1 * s1 + g0 * s0))
            jac[j] = half * row / W
    cols = np.flatnonzero(~const)
    jac = jac[cols]
    return {"effects": eff[cols], "jacobian": jac, "cov": jac @ cov @ jac.T, "columns": cols,
            "at": at, "method": method,
            "dummy_idx": np.flatnonzero(is_dummy) if dummy and is_dummy.any() else None,
            "count_idx": np.flatnonzero(is_count) if count and is_count.any() else None}
