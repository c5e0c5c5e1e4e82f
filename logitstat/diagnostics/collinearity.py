r"""Collinearity diagnostics as pure functions of arrays: (generalized) VIFs and the
Belsley–Kuh–Welsch condition number and variance-decomposition table, all from
:math:`p\times p` matrices (one pass over the rows at most, never a copy of :math:`X`).

Generalized variance inflation factor (Fox & Monette 1992), as ``car::vif``: with :math:`R` the
correlation matrix of the coefficient estimates (the intercept removed), and :math:`R_{tt}`,
:math:`R_{oo}` its blocks for the columns of term :math:`t` and for all the others,

.. math:: \mathrm{GVIF}_t = \frac{\det R_{tt}\,\det R_{oo}}{\det R}
                          = \det R_{tt}\,\det\big((R^{-1})_{tt}\big),
          \qquad \mathrm{GVIF}_t^{1/(2\,df_t)} ,

the second form because :math:`\det R = \det R_{oo}\,\det(R_{tt} - R_{to}R_{oo}^{-1}R_{ot})`
and :math:`(R^{-1})_{tt} = (R_{tt} - R_{to}R_{oo}^{-1}R_{ot})^{-1}` (Schur complement).  So
one Cholesky factorization of :math:`R` serves every term: :math:`O(p^3)` for all of them,
not a determinant of order :math:`p` per term.  For a one-column term GVIF is the classic VIF,
:math:`(R^{-1})_{jj} = 1/(1-R_j^2)`.  ``kind="model"`` takes :math:`R` from the fitted model's
covariance; ``kind="design"`` from :math:`(X^\top W X)^{-1}` (the covariance of a weighted
least-squares fit on the same design, what ``car::vif`` reports for ``lm``).

Belsley–Kuh–Welsch (1980): scale every column of :math:`X` (the intercept included) to unit
length, :math:`X_s = U D V^\top`; the condition indices are :math:`\eta_k = d_{max}/d_k`, the
condition number is :math:`d_{max}/d_{min}`, and the share of :math:`\mathrm{var}(b_j)`
associated with dimension :math:`k` is
:math:`\pi_{kj} = (v_{jk}^2/d_k^2) / \sum_l (v_{jl}^2/d_l^2)`.  The scaled Gram matrix
:math:`X_s^\top X_s = V D^2 V^\top` gives :math:`D` and :math:`V` by a symmetric
eigendecomposition; its eigenvalues carry absolute errors of order
:math:`\epsilon\, d_{max}^2`, so :math:`d_k` has relative error about
:math:`\epsilon\,\eta_k^2/2` — below 1e-8 while the condition number stays under
:data:`QR_LIMIT`.  Above it the triangular factor of a QR decomposition of :math:`X` (whose
singular values are accurate to rounding) is used instead, computed in row blocks
(:func:`tsqr_r`: the factor of each block stacked on the factor so far) without a copy of
:math:`X`.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import linalg

from ..fitting import kernels

__all__ = ["vif_model", "vif_design", "condition_number", "collinearity_table", "design_gram",
           "tsqr_r", "QR_LIMIT"]

_INTERCEPT_NAMES = ("Intercept", "(Intercept)", "const")
QR_LIMIT = 1e4
"""Above this scaled condition number the Gram route hands over to a row-blocked QR."""


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


def _inverse_pd(a: np.ndarray) -> np.ndarray | None:
    """Inverse of a symmetric positive-definite matrix by Cholesky (None when it is not)."""
    try:
        c = linalg.cho_factor(a, lower=True, check_finite=False)
    except (linalg.LinAlgError, ValueError):
        return None
    if not np.all(np.diag(c[0]) > 0):
        return None
    return linalg.cho_solve(c, np.eye(a.shape[0]), check_finite=False)


def vif_model(cov: np.ndarray, terms: Mapping[str, object],
              intercept: bool | int = True) -> pd.DataFrame:
    r"""Generalized VIF per term from a coefficient covariance matrix (``car::vif``).

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
        A model with a single term has GVIF 1.  Computed as
        :math:`\det R_{tt}\det((R^{-1})_{tt})` from one inverse of :math:`R`; when :math:`R` is
        singular to working precision, by the three determinants (``inf`` where
        :math:`\det R = 0`).
    """
    cov = np.asarray(cov, dtype=float)
    p = cov.shape[0]
    icol = _intercept_column(terms, intercept)
    keep = np.array([j for j in range(p) if j != icol], dtype=int)
    position = {int(j): i for i, j in enumerate(keep)}
    sd = np.sqrt(np.diag(cov)[keep])
    R = cov[np.ix_(keep, keep)] / np.outer(sd, sd)
    Rinv = _inverse_pd(R) if np.all(np.isfinite(R)) else None
    logdet_all = _logdet(R) if Rinv is None else 0.0
    rows = []
    for name, sl in terms.items():
        cols = _columns(sl)
        if icol is not None and cols.size == 1 and int(cols[0]) == icol:
            continue
        sub = np.array([position[int(j)] for j in cols], dtype=int)
        block = np.ix_(sub, sub)
        if Rinv is not None:
            log_g = _logdet(R[block]) + _logdet(Rinv[block])
        else:
            rest = np.setdiff1d(np.arange(keep.size), sub)
            log_g = _logdet(R[block]) + _logdet(R[np.ix_(rest, rest)]) - logdet_all
        g = float(np.exp(log_g)) if np.isfinite(log_g) or log_g > 0 else np.inf
        rows.append((str(name), g, int(sub.size), g ** (1.0 / (2.0 * sub.size))))
    return pd.DataFrame(rows, columns=["term", "gvif", "df", "gvif_adj"]).set_index("term")


def design_gram(X: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    r""":math:`X^\top W X` in row blocks on all cores (:func:`logitstat.fitting.kernels.gram`), of
    ``X`` balanced by :func:`_balanced` (every quantity here is invariant to column scales)."""
    return kernels.gram(_balanced(X),
                        None if weights is None else np.asarray(weights, float).reshape(-1))


def _balanced(X: np.ndarray) -> np.ndarray:
    """``X`` with every column whose max-abs lies outside [1e-100, 1e100] divided by a power
    of two (exact) that brings it into [1/2, 1); ``X`` itself (no copy) when none does.  The
    BKW quantities and VIFs are invariant to column scales, but squared norms of such columns
    would under- or overflow."""
    X = np.asarray(X, dtype=float)
    m = np.maximum(X.max(axis=0, initial=0.0), -X.min(axis=0, initial=0.0))
    bad = (m > 0) & ((m < 1e-100) | (m > 1e100))
    if not bad.any():
        return X
    s = np.where(bad, np.ldexp(1.0, np.frexp(np.where(bad, m, 1.0))[1]), 1.0)
    return X / s


def tsqr_r(X: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    r"""Upper-triangular factor :math:`R` of :math:`W^{1/2}X = QR`, in row blocks.

    Each chunk of rows is walked block by block: the factor so far is stacked on the next block
    and the stack factored again (LAPACK ``dgeqrf``), so only one
    ``(BLOCK_ROWS + p) x p`` buffer per thread is allocated; the chunks' factors are then
    stacked and factored once more.  :math:`R^\top R = X^\top W X` and :math:`R` has the
    singular values of :math:`W^{1/2}X` to rounding (signs of its rows are arbitrary).
    """
    X = _balanced(X)
    n, p = X.shape
    sw = None if weights is None else np.sqrt(np.asarray(weights, float).reshape(-1))
    geqrf = linalg.get_lapack_funcs("geqrf", dtype=np.float64)

    def factor(buf: np.ndarray) -> np.ndarray:
        qr, _, _, info = geqrf(buf, overwrite_a=True)
        out = np.zeros((p, p))
        k = min(qr.shape[0], p)
        out[:k] = np.triu(qr[:k])
        return out

    def chunk(lo: int, hi: int) -> np.ndarray:
        buf = np.empty((kernels.BLOCK_ROWS + p, p), order="F")
        R = np.zeros((p, p))
        for s in range(lo, hi, kernels.BLOCK_ROWS):
            e = min(s + kernels.BLOCK_ROWS, hi)
            stack = buf[:p + e - s]
            stack[:p] = R
            if sw is None:
                stack[p:] = X[s:e]
            else:
                np.multiply(X[s:e], sw[s:e, None], out=stack[p:])
            R = factor(stack)
        return R

    parts = kernels.map_chunks(chunk, n)
    if len(parts) == 1:
        return parts[0]
    return factor(np.asfortranarray(np.vstack(parts)))


def vif_design(X: np.ndarray, terms: Mapping[str, object], intercept: bool | int = True,
               weights: np.ndarray | None = None, gram: np.ndarray | None = None) -> pd.DataFrame:
    r"""Generalized VIF per term of the design itself (``car::vif`` on ``lm`` with this design).

    Uses :math:`(X^\top W X)^{-1}` as the covariance in :func:`vif_model`; ``weights`` are
    frequency weights (ones by default).  The Gram matrix (``gram`` when the caller has it, else
    one row-blocked pass) is inverted by a scaled Cholesky factorization; when its scaled
    condition number exceeds :data:`QR_LIMIT` ** 2 the inverse comes from the row-blocked QR
    factor instead (:func:`tsqr_r`), as accurate as ``lm``'s own.
    """
    G = design_gram(X, weights) if gram is None else np.asarray(gram, float)
    cov = None
    d = np.sqrt(np.diag(G))
    if np.all(d > 0) and np.all(np.isfinite(G)):
        S = G / np.outer(d, d)
        lam = np.linalg.eigvalsh(S)
        if lam[0] > 0 and lam[-1] / lam[0] < QR_LIMIT ** 2:
            inv = _inverse_pd(S)
            cov = None if inv is None else inv / np.outer(d, d)
    if cov is None:
        r = tsqr_r(X, weights)
        rinv = linalg.solve_triangular(r, np.eye(r.shape[0]), check_finite=False)
        cov = rinv @ rinv.T
    return vif_model(cov, terms, intercept)


def _scaled_eigen(G: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Singular values (descending) and right singular vectors of the column-scaled design from
    its Gram matrix, with the column norms; None when a column is zero or G not finite."""
    d2 = np.diag(G).copy()
    if np.any(d2 <= 0) or not np.all(np.isfinite(G)):
        return None
    norms = np.sqrt(d2)
    lam, V = np.linalg.eigh(G / np.outer(norms, norms))
    lam, V = lam[::-1], V[:, ::-1]
    return np.sqrt(np.clip(lam, 0.0, None)), V, norms


def _scaled_svd(X: np.ndarray, gram: np.ndarray | None, vectors: bool):
    """(d, V) of the column-scaled design: Gram eigendecomposition, or the row-blocked QR when
    the condition number exceeds :data:`QR_LIMIT` (and the rows are at hand: ``X`` None means
    only the Gram matrix is, as for a Dask fit).  None for a zero (or non-finite) column."""
    G = design_gram(X) if gram is None else np.asarray(gram, float)
    got = _scaled_eigen(G)
    if got is None:
        return None
    d, V, norms = got
    if X is None or (d[-1] > 0 and d[0] / d[-1] < QR_LIMIT):
        return d, V
    R = tsqr_r(X) / norms
    if vectors:
        _, d, vt = np.linalg.svd(R)
        return d, vt.T
    return np.linalg.svd(R, compute_uv=False), None


def condition_number(X: np.ndarray | None, gram: np.ndarray | None = None) -> float:
    r"""Belsley–Kuh–Welsch scaled condition number :math:`d_{max}/d_{min}` of ``X``.

    Columns are scaled to unit length (the intercept included, not centred).  From the
    eigenvalues of the scaled Gram matrix (``gram`` = :math:`X^\top X` when the caller has it:
    then no pass over ``X``), or, above :data:`QR_LIMIT`, from the singular values of the
    row-blocked QR factor (``X=None``: from the Gram matrix alone).  A zero column gives ``inf``.
    """
    if X is not None:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] == 0:
            raise ValueError("X must be a 2-d array with at least one column")
    got = _scaled_svd(X, gram, vectors=False)
    if got is None:
        return float("inf")
    d = got[0]
    return float(d[0] / d[-1]) if d[-1] > 0 else float("inf")


def collinearity_table(X: np.ndarray | None, names: Sequence[str] | None = None,
                       gram: np.ndarray | None = None) -> pd.DataFrame:
    """Belsley–Kuh–Welsch table: condition indices and variance-decomposition proportions.

    Parameters
    ----------
    X : ndarray, shape (n, p), or None
        Design matrix (intercept included); None when only ``gram`` is available (then the
        Gram route is taken whatever the condition number).
    names : sequence of str, optional
        Column names (``x0``, ``x1``, ... when omitted).
    gram : ndarray, shape (p, p), optional
        :math:`X^\\top X` when the caller has it (no pass over ``X`` then, unless the condition
        number exceeds :data:`QR_LIMIT`).

    Returns
    -------
    DataFrame
        One row per dimension (``1`` .. ``p``, largest singular value first): the singular
        value of the scaled design (``singular_value``), its ``condition_index`` and, per
        column, the proportion of that coefficient's variance associated with the dimension
        (each column sums to 1).  A dimension with a large index (> 30) that carries a large
        share (> 0.5) of two or more variances marks a near dependency among them.
    """
    X = None if X is None else np.asarray(X, dtype=float)
    p = X.shape[1] if X is not None else np.shape(gram)[0]
    names = [f"x{j}" for j in range(p)] if names is None else [str(n) for n in names]
    got = _scaled_svd(X, gram, vectors=True)
    if got is None and X is None:
        raise ValueError("collinearity_table: a column of the design is zero")
    if got is None:  # a zero column: the SVD of the scaled design with that column left at 0
        norms = np.sqrt(np.einsum("ij,ij->j", X, X)) if X.shape[0] else np.zeros(p)
        R = tsqr_r(X) / np.where(norms > 0, norms, 1.0)
        _, d, vt = np.linalg.svd(R)
        V = vt.T
    else:
        d, V = got
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = (V ** 2) / d ** 2          # phi[j, k] = v_jk^2 / d_k^2
        props = (phi / phi.sum(axis=1, keepdims=True)).T
        index = d[0] / d
    out = pd.DataFrame(props, columns=names, index=pd.RangeIndex(1, p + 1, name="dimension"))
    out.insert(0, "condition_index", index)
    out.insert(0, "singular_value", d)
    return out
