r"""Cluster labels and cluster-robust meats (one-way and two-way, HC0-HC3), as ``sandwich::meatCL``.

Notation as in :mod:`logitstat.inference.covariance`: row :math:`i` has design row :math:`x_i`, frequency
weight :math:`w_i`, unit score :math:`s_i` (score of one unit divided by :math:`x_i`) and unit
working weight :math:`u_i`; :math:`A = (X^\top W X)^{-1}` is the inverse Fisher information with
:math:`W = \mathrm{diag}(v)`, :math:`v_i = w_i u_i`.

One-way meat over clusters :math:`g = 1..G` (rows :math:`i \in g`):

.. math::

    M = a \sum_g U_g U_g^\top, \qquad U_g = \sum_{i\in g} w_i\, \tilde s_i\, x_i,

with :math:`\tilde s = s` (HC0, HC1) or, for HC2 / HC3, the cluster-block leverage adjustment

.. math::

    \tilde s_g = (I - H_{gg})^{-1/2} s_g \ \text{(HC2)}, \qquad
    \tilde s_g = (I - H_{gg})^{-1} s_g \ \text{(HC3)}, \qquad
    H_{gg} = X_g A X_g^\top W_g

(Bell & McCaffrey 2002; ``meatCL`` with ``type="HC2"``/``"HC3"`` on a glm, its principal matrix
power).  :math:`I - H_{gg} = W_g^{-1/2}(I - C C^\top)W_g^{1/2}` with :math:`C = W_g^{1/2}X_g L`,
:math:`LL^\top = A`; with :math:`C^\top C = V\,\mathrm{diag}(\mu)\,V^\top` (p x p),
:math:`f(I - CC^\top) = I + C V\,\mathrm{diag}\big((f(1-\mu)-1)/\mu\big)\,V^\top C^\top`,
so the power costs :math:`O(m_g p^2)` per cluster, clusters of equal size are done in batches,
and no :math:`m_g \times m_g` (let alone :math:`n \times n`) matrix is formed.  Rows of zero working weight
(zero trials) get :math:`\tilde s_z = s_z - X_z A X_p^\top W_p\, g(I-H_{pp})\, s_p` with
:math:`g(\lambda) = (f(\lambda)-1)/(\lambda-1)`, the lower block of the same matrix power.

The adjustment :math:`a` is ``meatCL``'s: :math:`G/(G-1)` with ``cadjust`` (else 1), and for
HC2/HC3 times :math:`(G-1)/G` (``meatCL`` scales the adjusted scores by
:math:`\sqrt{(G-1)/G}`), so that HC2/HC3 carry no net cluster factor by default.

Two-way clustering on :math:`a` and :math:`b` (Cameron, Gelbach & Miller 2011) is
:math:`M_a + M_b - M_{a\cap b}`, each with its own :math:`G`; ``multi0=True`` replaces the
intersection by the heteroskedasticity-only meat (each unit its own cluster, :math:`a = 1`).
Frequency weights count as duplicated rows throughout.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg, sparse

from ..errors import DataError
from ..fitting import kernels
from ..formula.groups import group_columns, missing_groups  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class Clustering:
    """One clustering dimension: integer codes, number of clusters, sign in the two-way sum."""

    codes: np.ndarray
    n_groups: int
    sign: float = 1.0
    rowwise: bool = False   # multi0: every unit its own cluster


def _factorize(labels) -> tuple[np.ndarray, int]:
    codes, uniq = pd.factorize(np.asarray(labels), sort=False)
    return codes.astype(np.intp), len(uniq)


def clusterings(groups: np.ndarray, multi0: bool = False) -> list[Clustering]:
    """The clustering dimensions of ``groups``: one, or :math:`a`, :math:`b` and their
    intersection (sign −1) for an (n, 2) array."""
    groups = np.asarray(groups)
    if groups.ndim == 1:
        codes, G = _factorize(groups)
        return [Clustering(codes, G)]
    ca, Ga = _factorize(groups[:, 0])
    cb, Gb = _factorize(groups[:, 1])
    if multi0:
        inter = Clustering(np.arange(len(ca)), len(ca), -1.0, rowwise=True)
    else:
        cab, Gab = _factorize(ca.astype(np.int64) * Gb + cb)
        inter = Clustering(cab, Gab, -1.0)
    return [Clustering(ca, Ga), Clustering(cb, Gb), inter]


def group_counts(groups) -> list[int]:
    """Number of clusters of each column of ``groups`` (one or two)."""
    g = np.asarray(groups)
    return [_factorize(g)[1]] if g.ndim == 1 else [_factorize(g[:, j])[1] for j in range(g.shape[1])]


def describe_groups(groups) -> str:
    """``"15 clusters"`` or ``"15 x 4 clusters (two-way)"``."""
    g = np.asarray(groups)
    if g.ndim == 1:
        return f"{_factorize(g)[1]} clusters"
    return f"{_factorize(g[:, 0])[1]} x {_factorize(g[:, 1])[1]} clusters (two-way)"


def cluster_sums(X: np.ndarray, c: np.ndarray, codes: np.ndarray, G: int) -> np.ndarray:
    r""":math:`U_g = \sum_{i \in g} c_i x_i` for every cluster, (G, p), without an n x p temporary."""
    n = X.shape[0]
    S = sparse.csr_matrix((c, (codes, np.arange(n))), shape=(G, n))
    return np.asarray(S @ X)


def _power(lam: np.ndarray, power: float) -> np.ndarray:
    return lam ** (-0.5 * power)   # power 1: (I-H)^(-1/2) (HC2); power 2: (I-H)^(-1) (HC3)


def leverage_adjusted_scores(X: np.ndarray, score: np.ndarray, v: np.ndarray, fisher_cov: np.ndarray,
                             codes: np.ndarray, G: int, power: int) -> np.ndarray:
    r"""Scores :math:`\tilde s` adjusted by :math:`(I - H_{gg})^{-power/2}` within each cluster.

    Parameters
    ----------
    X : ndarray (n, p)
    score : ndarray (n,)
        Unit scores :math:`s_i`.
    v : ndarray (n,)
        IRLS working weights :math:`w_i u_i`.
    fisher_cov : ndarray (p, p)
        :math:`A = (X^\top W X)^{-1}`.
    codes, G
        Cluster code of each row and number of clusters.
    power : {1, 2}
        1 for HC2, 2 for HC3.

    Raises
    ------
    DataError
        When a cluster's block :math:`I - H_{gg}` is singular (the cluster alone determines a
        coefficient).
    """
    size = np.bincount(codes, minlength=G)
    out = np.empty(len(score))
    single = size[codes] == 1
    if single.any():   # one-row clusters: the scalar 1 - h_i
        out[single] = score[single] * _power(_one_minus_hat(X, v, fisher_cov, single, power), power)
    L = linalg.cholesky(fisher_cov, lower=True, check_finite=False)
    order = np.argsort(codes, kind="stable")
    starts = np.concatenate([[0], np.cumsum(size)])
    for m in np.unique(size[size > 1]):   # clusters of equal size m in batches
        gs = np.flatnonzero(size == m)
        idx = order[starts[gs][:, None] + np.arange(m)]
        clean = (v[idx] > 0).all(axis=1)
        step = max(1, kernels.BLOCK_ROWS // int(m))
        rows = idx[clean]
        for lo in range(0, len(rows), step):
            block = rows[lo:lo + step]
            out[block] = _batch(X[block] @ L, score[block], v[block], power)
        for one in idx[~clean]:
            out[one] = _one_cluster(X[one] @ L, score[one], v[one], power)
    return out


def _phi(mu: np.ndarray, power: int) -> np.ndarray:
    r""":math:`(f(1-\mu)-1)/\mu` for :math:`f(\lambda) = \lambda^{-1/2}` (HC2) or
    :math:`\lambda^{-1}` (HC3), in forms without cancellation (:math:`r = \sqrt{1-\mu}`)."""
    if power == 2:
        return 1.0 / (1.0 - mu)
    r = np.sqrt(1.0 - mu)
    return 1.0 / ((1.0 + r) * r)


def _psi(mu: np.ndarray, power: int) -> np.ndarray:
    r""":math:`(g(1-\mu)-g(1))/\mu` with :math:`g(\lambda) = (f(\lambda)-1)/(\lambda-1)`."""
    if power == 2:
        return -1.0 / (1.0 - mu)
    r = np.sqrt(1.0 - mu)
    return -(r + 2.0) / (2.0 * r * (1.0 + r) ** 2)


def _spectrum(C: np.ndarray, power: int) -> tuple[np.ndarray, np.ndarray]:
    r"""Eigenvalues :math:`\mu` and vectors :math:`V` of :math:`C^\top C` (p x p, batched):
    :math:`I - CC^\top` has eigenvalues :math:`1-\mu` on :math:`\mathrm{span}(C)` and 1 elsewhere."""
    mu, V = np.linalg.eigh(np.matmul(np.swapaxes(C, -1, -2), C))
    mu = np.maximum(mu, 0.0)
    _check_block(1.0 - mu, power)
    return mu, V


def _apply(C, V, coef, z):
    r""":math:`C V \mathrm{diag}(coef) V^\top C^\top z` for a batch (k, m, p)."""
    y = np.einsum("kpq,kp->kq", V, np.einsum("kmp,km->kp", C, z)) * coef
    return np.einsum("kmp,kp->km", C, np.einsum("kpq,kq->kp", V, y))


def _batch(XL: np.ndarray, s: np.ndarray, v: np.ndarray, power: int) -> np.ndarray:
    r"""Adjusted scores of k clusters of m rows of positive weight at once (``XL`` is (k, m, p)):
    :math:`f(I - CC^\top) z = z + C V \mathrm{diag}(\phi(\mu)) V^\top C^\top z` with
    :math:`C^\top C = V \mathrm{diag}(\mu) V^\top`, :math:`z = W_g^{1/2} s_g` (cost
    :math:`O(m p^2)`, no m x m matrix)."""
    sq = np.sqrt(v)
    C = XL * sq[..., None]
    z = sq * s
    if C.shape[1] < C.shape[2]:   # fewer rows than columns: the m x m form is smaller
        mu, Q = np.linalg.eigh(np.matmul(C, np.swapaxes(C, -1, -2)))
        lam = 1.0 - np.maximum(mu, 0.0)
        _check_block(lam, power)
        return np.einsum("kmr,kr->km", Q, _power(lam, power) * np.einsum("kmr,km->kr", Q, z)) / sq
    mu, V = _spectrum(C, power)
    return (z + _apply(C, V, _phi(mu, power), z)) / sq


def _one_cluster(XL: np.ndarray, s: np.ndarray, v: np.ndarray, power: int) -> np.ndarray:
    """Adjusted scores of one cluster with rows of zero working weight (see the module docstring)."""
    pos = v > 0
    adj = s.astype(float)
    if not pos.any():
        return adj
    sq = np.sqrt(v[pos])
    C = (XL[pos] * sq[:, None])[None]
    mu, V = _spectrum(C, power)
    z = (sq * s[pos])[None]
    adj[pos] = ((z + _apply(C, V, _phi(mu, power), z)) / sq)[0]
    g1 = -0.5 * power   # g(1) = f'(1)
    t = (g1 * z + _apply(C, V, _psi(mu, power), z))[0] * sq
    adj[~pos] -= XL[~pos] @ (XL[pos].T @ t)
    return adj


def _one_minus_hat(X, v, fisher_cov, rows, power) -> np.ndarray:
    """:math:`1 - h_i` of the selected rows (in row blocks), checked to be positive."""
    lam = 1.0 - v[rows] * kernels.row_quadratic(X, fisher_cov)[rows]
    _check_block(lam, power)
    return lam


def _check_block(lam: np.ndarray, power: int) -> None:
    if lam.size and lam.min() <= 1e-10:
        raise DataError(f"cluster-robust HC{power + 1} is undefined: I - H_gg is singular for a "
                        "cluster (its rows alone determine a coefficient); use "
                        "cov_kwds={'type': 'HC0'} or 'HC1', or simplify the model")


def cluster_meat(X: np.ndarray, score: np.ndarray, weights: np.ndarray, unit_weight: np.ndarray,
                 fisher_cov: np.ndarray, groups: np.ndarray, *, kind: str = "HC0",
                 cadjust: bool = True, multi0: bool = False) -> np.ndarray:
    r"""The cluster meat :math:`\sum_d \pm a_d \sum_g U_g U_g^\top` over the clustering dimensions
    (see the module docstring), before the HC1 factor :math:`(n-1)/(n-k)`."""
    nobs = float(np.sum(weights))
    power = {"HC2": 1, "HC3": 2}.get(kind, 0)
    meat = np.zeros((X.shape[1], X.shape[1]))
    for dim in clusterings(groups, multi0):
        G = nobs if dim.rowwise else dim.n_groups
        if G < 2:
            raise DataError(f"cov_type='cluster' needs at least two clusters in groups=; found {G:g}")
        s = score
        if power and dim.rowwise:   # unit clusters: the HC2/HC3 scaling by hat values
            v = weights * unit_weight
            s = score * _power(_one_minus_hat(X, v, fisher_cov, slice(None), power), power)
        elif power:
            s = leverage_adjusted_scores(X, score, weights * unit_weight, fisher_cov,
                                         dim.codes, dim.n_groups, power)
        if dim.rowwise:   # multi0: meatCL's adjustment 1, or (n-k)/(n-1) to undo HC1's factor
            part = kernels.gram(X, weights * s * s)
            adj = (nobs - X.shape[1]) / (nobs - 1.0) if kind == "HC1" else 1.0
        else:
            U = cluster_sums(X, weights * s, dim.codes, dim.n_groups)
            part = U.T @ U
            adj = G / (G - 1.0) if cadjust else 1.0
        if power:
            adj *= (G - 1.0) / G
        meat += dim.sign * adj * part
    return meat
