r"""Collinearity diagnostics as pure functions of arrays: (generalized) VIFs and the
Belsley–Kuh–Welsch condition number and variance-decomposition table.

Generalized variance inflation factor (Fox & Monette 1992), as ``car::vif``: with :math:`R` the
correlation matrix of the coefficient estimates (the intercept removed), and :math:`R_{11}`,
:math:`R_{22}` its blocks for the columns of one term and for all the others,

.. math:: \mathrm{GVIF} = \frac{\det R_{11}\,\det R_{22}}{\det R},
          \qquad \mathrm{GVIF}^{1/(2\,df)} ,

:math:`df` being the number of columns of the term.  For a one-column term GVIF is the classic
VIF, :math:`1/(1-R_j^2)`.  ``kind="model"`` takes :math:`R` from the fitted model's covariance;
``kind="design"`` from :math:`(X^\top W X)^{-1}` (the covariance of a weighted least-squares
fit on the same design, what ``car::vif`` reports for ``lm``).

Belsley–Kuh–Welsch (1980): scale every column of :math:`X` (the intercept included) to unit
length, :math:`X_s = U D V^\top`; the condition indices are :math:`\eta_k = d_{max}/d_k`, the
condition number is :math:`d_{max}/d_{min}`, and the share of :math:`\mathrm{var}(b_j)`
associated with dimension :math:`k` is
:math:`\pi_{kj} = (v_{jk}^2/d_k^2) / \sum_l (v_{jl}^2/d_l^2)`.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["vif_model", "vif_design", "condition_number", "collinearity_table"]

_INTERCEPT_NAMES = ("Intercept", "(Intercept)", "const")
_GRAM_LIMIT = 300.0  # above this condition number the Gram route hands over to QR + SVD


def _columns(sl) -> np.ndarray:
    """Column indices of a term given as a slice or a sequence of indices."""
    if isinstance(sl, slice):
        return np.arange(sl.start or 0, sl.stop, sl.step or 1)
    return np.asarray(list(sl), dtype=int)


def _intercept_column(terms: Mapping[str, object], intercept: bool | int) -> int | None:
    if intercept is False or intercept is None:
        return None
    if not isinstance(intercept, bool):
        return int(intercept)
    for name in _INTERCEPT_NAMES:
        if name in terms:
            cols = _columns(terms[name])
            if cols.size == 1:
                return int(cols[0])
    return 0


def _logdet(a: np.ndarray) -> float:
    if a.size == 0:
        return 0.0
    sign, val = np.linalg.slogdet(a)
    return float(val) if sign > 0 else -np.inf


def vif_model(cov: np.ndarray, terms: Mapping[str, object],
              intercept: bool | int = True) -> pd.DataFrame:
    """Generalized VIF per term from a coefficient covariance matrix (``car::vif``).

    Parameters
    ----------
    cov : ndarray, shape (p, p)
        Covariance of the estimates.
    terms : mapping
        Term name -> slice (or indices) of its columns, in display order; the intercept term,
        if listed, is skipped.
    intercept : bool or int
        Whether the model has an intercept (its column is found among ``terms`` by name, else
        column 0), or the intercept's column index.  Without one the whole matrix is used, as
        ``car::vif`` does (it warns that VIFs may not be sensible then).

    Returns
    -------
    DataFrame
        Indexed by term, columns ``gvif``, ``df``, ``gvif_adj`` (:math:`GVIF^{1/(2df)}`).
        A model with a single term has GVIF 1.
    """
    cov = np.asarray(cov, dtype=float)
    p = cov.shape[0]
    icol = _intercept_column(terms, intercept)
    keep = np.array([j for j in range(p) if j != icol], dtype=int)
    position = {int(j): i for i, j in enumerate(keep)}
    sd = np.sqrt(np.diag(cov)[keep])
    R = cov[np.ix_(keep, keep)] / np.outer(sd, sd)
    logdet_all = _logdet(R)
    rows = []
    for name, sl in terms.items():
        cols = _columns(sl)
        if icol is not None and cols.size == 1 and int(cols[0]) == icol:
            continue
        sub = np.array([position[int(j)] for j in cols], dtype=int)
        rest = np.setdiff1d(np.arange(keep.size), sub)
        log_g = _logdet(R[np.ix_(sub, sub)]) + _logdet(R[np.ix_(rest, rest)]) - logdet_all
        g = float(np.exp(log_g))
        rows.append((str(name), g, int(sub.size), g ** (1.0 / (2.0 * sub.size))))
    return pd.DataFrame(rows, columns=["term", "gvif", "df", "gvif_adj"]).set_index("term")


def vif_design(X: np.ndarray, terms: Mapping[str, object], intercept: bool | int = True,
               weights: np.ndarray | None = None) -> pd.DataFrame:
    r"""Generalized VIF per term of the design itself (``car::vif`` on ``lm`` with this design).

    Uses :math:`(X^\top W X)^{-1}` (from a QR decomposition of :math:`W^{1/2}X`) as the
    covariance in :func:`vif_model`; ``weights`` are frequency weights (ones by default).
    """
    X = _balanced(np.asarray(X, dtype=float))
    if weights is not None:
        sw = np.sqrt(np.asarray(weights, dtype=float).reshape(-1))
        X = X * sw[:, None]
    r = np.linalg.qr(X, mode="r")
    rinv = np.linalg.solve(r, np.eye(r.shape[0]))
    return vif_model(rinv @ rinv.T, terms, intercept)


def _balanced(X: np.ndarray) -> np.ndarray:
    """``X`` with every column whose max-abs lies outside [1e-100, 1e100] divided by a power
    of two (exact) that brings it into [1/2, 1); ``X`` itself (no copy) when none does.  The
    BKW quantities and VIFs are invariant to column scales, but squared norms of such columns
    would under- or overflow."""
    m = np.maximum(X.max(axis=0, initial=0.0), -X.min(axis=0, initial=0.0))
    bad = (m > 0) & ((m < 1e-100) | (m > 1e100))
    if not bad.any():
        return X
    s = np.where(bad, np.ldexp(1.0, np.frexp(np.where(bad, m, 1.0))[1]), 1.0)
    return X / s


def _scaled_r(X: np.ndarray) -> np.ndarray:
    """Triangular factor of X with unit-length columns (its singular values are X_s's)."""
    norms = np.sqrt(np.einsum("ij,ij->j", X, X))
    return np.linalg.qr(X / norms, mode="r")


def condition_number(X: np.ndarray) -> float:
    r"""Belsley–Kuh–Welsch scaled condition number :math:`d_{max}/d_{min}` of ``X``.

    Columns are scaled to unit length (the intercept included, not centred).  The eigenvalues
    of the scaled Gram matrix give it cheaply (one pass over ``X``); when it exceeds 300, where
    squaring would cost accuracy, it is recomputed from the singular values of the triangular
    factor of a QR decomposition, which are accurate to rounding.  A zero column gives ``inf``.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] == 0:
        raise ValueError("X must be a 2-d array with at least one column")
    X = _balanced(X)
    G = X.T @ X
    d2 = np.diag(G).copy()
    if np.any(d2 <= 0) or not np.all(np.isfinite(G)):
        return float("inf")
    s = 1.0 / np.sqrt(d2)
    lam = np.linalg.eigvalsh(G * np.outer(s, s))
    if lam[0] > 0 and np.sqrt(lam[-1] / lam[0]) < _GRAM_LIMIT:
        return float(np.sqrt(lam[-1] / lam[0]))
    sv = np.linalg.svd(_scaled_r(X), compute_uv=False)
    return float(sv[0] / sv[-1]) if sv[-1] > 0 else float("inf")


def collinearity_table(X: np.ndarray, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Belsley–Kuh–Welsch table: condition indices and variance-decomposition proportions.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Design matrix (intercept included).
    names : sequence of str, optional
        Column names (``x0``, ``x1``, ... when omitted).

    Returns
    -------
    DataFrame
        One row per dimension (``1`` .. ``p``, largest singular value first): the singular
        value of the scaled design (``singular_value``), its ``condition_index`` and, per
        column, the proportion of that coefficient's variance associated with the dimension
        (each column sums to 1).  A dimension with a large index (> 30) that carries a large
        share (> 0.5) of two or more variances marks a near dependency among them.
    """
    X = _balanced(np.asarray(X, dtype=float))
    p = X.shape[1]
    names = [f"x{j}" for j in range(p)] if names is None else [str(n) for n in names]
    _, d, vt = np.linalg.svd(_scaled_r(X))
    with np.errstate(divide="ignore"):
        phi = (vt.T ** 2) / d ** 2          # phi[j, k] = v_jk^2 / d_k^2
        props = (phi / phi.sum(axis=1, keepdims=True)).T
        index = d[0] / d
    out = pd.DataFrame(props, columns=names, index=pd.RangeIndex(1, p + 1, name="dimension"))
    out.insert(0, "condition_index", index)
    out.insert(0, "singular_value", d)
    return out
