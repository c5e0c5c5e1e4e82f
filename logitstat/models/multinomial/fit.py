r"""Multinomial logit: response coding and the Newton fit (pure numerics, no formatting).

With :math:`K` outcomes, a reference (base) outcome :math:`b` and one coefficient vector
:math:`\beta_k \in \mathbb{R}^p` for every other outcome (:math:`\beta_b = 0`),

.. math::

    \eta_{ik} = x_i^\top \beta_k, \qquad
    p_{ik} = \frac{e^{\eta_{ik}}}{\sum_{l} e^{\eta_{il}}}, \qquad
    \ell(\beta) = \sum_i w_i \log p_{i, c_i},

where :math:`c_i` is the observed outcome of row :math:`i` and :math:`w_i` its frequency weight.
The parameters are stacked outcome-major, :math:`\theta = (\beta_{k_1}, \beta_{k_2}, \dots)`
over the non-base outcomes in level order.  The score and the information are

.. math::

    \frac{\partial \ell}{\partial \beta_k} = \sum_i w_i (y_{ik} - p_{ik})\, x_i, \qquad
    \mathcal{I}_{kl} = \sum_i w_i\, p_{ik} (\delta_{kl} - p_{il})\, x_i x_i^\top,

(:math:`y_{ik} = 1\{c_i = k\}`); the logit link is canonical, so the observed and expected
information coincide and Newton's method is Fisher scoring.  Each step solves
:math:`\mathcal{I}\,\Delta = \nabla\ell` on the full :math:`(K-1)p` system by Cholesky (after
scaling to unit diagonal) and is halved while the log-likelihood falls.  Convergence is declared
when the Newton decrement :math:`\sqrt{\Delta^\top \mathcal{I} \Delta}` is below ``tol``, as in
:func:`logitstat.fitting.irls.irls`.  Probabilities are computed through log-sum-exp, so no exponential
overflows.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import linalg
from scipy.special import logsumexp

from ...errors import ConvergenceError, ConvergenceWarning, ResponseError, SpecificationError
from ...fitting.irls import scaled_cholesky

__all__ = ["MultinomialResponse", "MNFit", "log_probs", "information", "fit_multinomial"]


class MultinomialResponse:
    """Response rule for :func:`logitstat.formula.design.from_formula`: a K-level outcome as codes 0..K-1.

    A categorical, string or bool response keeps its category order (R's ``factor`` order);
    a numeric one takes its sorted distinct values as levels.  Levels that never occur among the
    rows used are dropped (as ``nnet::multinom`` does).  After the call, ``levels`` holds the
    levels, ``base`` the index of the reference outcome and ``dropped`` the unused levels.

    Parameters
    ----------
    base : optional
        The reference outcome (a level, compared by value or by its string); the first level when
        omitted, as in R.
    """

    def __init__(self, base=None):
        self.base_request = base
        self.levels: list = []
        self.base = 0
        self.dropped: list = []

    def __call__(self, lhs: pd.DataFrame, success, keep: np.ndarray):
        info = lhs.design_info
        if len(info.terms) != 1 or len(info.terms[0].factors) != 1:
            raise ResponseError(f"the left-hand side {' + '.join(info.term_names)!r} is not one "
                                "categorical response: a multinomial model needs a single column "
                                "with K >= 2 levels")
        name = info.term_names[0]
        values = lhs.to_numpy(dtype=float)[keep]
        fi = info.factor_infos[info.terms[0].factors[0]]
        if fi.type == "categorical":
            levels = list(fi.categories)
            present = values.any(axis=0)
            codes = np.argmax(values, axis=1)
        elif values.shape[1] == 1:
            y = values[:, 0]
            if not np.all(np.isfinite(y)):
                raise ResponseError(f"response {name!r} has infinite values; remove or recode them")
            if not np.all(y == np.round(y)):
                raise ResponseError(f"response {name!r} has non-integer values (e.g. "
                                    f"{y[y != np.round(y)][0]:g}): a multinomial response is a "
                                    "set of categories; use integer codes, labels or C(...)")
            levels, codes = np.unique(y, return_inverse=True)
            levels = [int(v) if float(v).is_integer() else float(v) for v in levels]
            present = np.ones(len(levels), dtype=bool)
        else:
            raise ResponseError(f"response {name!r} has {values.shape[1]} columns; a multinomial "
                                "model needs one categorical column")
        self.dropped = [lvl for lvl, ok in zip(levels, present) if not ok]
        new_code = np.cumsum(present) - 1
        codes = new_code[codes]
        self.levels = [lvl for lvl, ok in zip(levels, present) if ok]
        if len(self.levels) < 2:
            raise ResponseError(f"response {name!r} has only one level among the rows used "
                                f"({self.levels[0]!r}): a multinomial model needs K >= 2 outcomes"
                                if self.levels else f"response {name!r} has no observations")
        self.base = self._base_index(name)
        return codes.astype(float), np.ones(len(codes)), name, name, False

    def _base_index(self, name: str) -> int:
        want = self.base_request
        if want is None:
            return 0
        for j, lvl in enumerate(self.levels):
            if lvl == want or str(lvl) == str(want):
                return j
        raise ResponseError(f"base={want!r} is not a level of response {name!r} among the rows "
                            f"used; its levels are {', '.join(map(repr, self.levels))}")


@dataclass(frozen=True)
class MNFit:
    """Plain results of :func:`fit_multinomial`.

    ``params`` is (p, K-1) with one column per non-base outcome; ``cov`` is the inverse
    information :math:`\\mathcal{I}^{-1}` of the stacked (outcome-major) parameters.
    """

    params: np.ndarray
    cov: np.ndarray
    log_probs: np.ndarray
    llf: float
    n_iter: int
    converged: bool
    decrement: float
    message: str = ""

    def __repr__(self) -> str:  # arrays by shape, not their values
        from ...common.displays import compact_repr
        return compact_repr(self)


def log_probs(X: np.ndarray, B: np.ndarray, base: int) -> np.ndarray:
    r"""Log class probabilities :math:`\log p_{ik}` (n, K) for coefficients ``B`` (p, K-1)."""
    n, K = X.shape[0], B.shape[1] + 1
    eta = np.zeros((n, K))
    eta[:, _others(K, base)] = X @ B
    return eta - logsumexp(eta, axis=1)[:, None]


def _others(K: int, base: int) -> list[int]:
    return [k for k in range(K) if k != base]


def information(X: np.ndarray, P: np.ndarray, weights: np.ndarray, base: int) -> np.ndarray:
    r"""Fisher information :math:`\mathcal{I}_{kl} = \sum_i w_i p_{ik}(\delta_{kl}-p_{il}) x_i x_i^\top`.

    ``P`` are the (n, K) class probabilities; blocks are ordered by the non-base outcomes.
    """
    n, p = X.shape
    others = _others(P.shape[1], base)
    J = len(others)
    A = np.empty((J * p, J * p))
    for a, k in enumerate(others):
        for c, l in enumerate(others[a:], start=a):
            v = weights * P[:, k] * ((k == l) - P[:, l])
            blk = (X * v[:, None]).T @ X
            A[a * p:(a + 1) * p, c * p:(c + 1) * p] = blk
            A[c * p:(c + 1) * p, a * p:(a + 1) * p] = blk.T
    return A


def _score(X: np.ndarray, Y: np.ndarray, P: np.ndarray, weights: np.ndarray, base: int) -> np.ndarray:
    others = _others(P.shape[1], base)
    R = (Y[:, others] - P[:, others]) * weights[:, None]
    return (X.T @ R).T.reshape(-1)


def _solve(A: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``A x = g`` and invert ``A`` (symmetric positive definite) by scaled Cholesky, or by
    the pseudo-inverse when ``A`` is ill-conditioned."""
    factor = scaled_cholesky(A, min_rcond=1e-13)
    if factor is None:
        inv = linalg.pinvh(A)
        return inv @ g, inv
    c, d = factor
    x = linalg.cho_solve(c, g / d, check_finite=False) / d
    inv = linalg.cho_solve(c, np.eye(len(d)), check_finite=False) / np.outer(d, d)
    return x, inv


def fit_multinomial(X: np.ndarray, codes: np.ndarray, K: int, base: int, weights: np.ndarray, *,
                    start: np.ndarray | None = None, tol: float = 1e-8, max_iter: int = 100,
                    max_halvings: int = 30) -> MNFit:
    """Maximum-likelihood multinomial logit by Newton's method (see the module docstring).

    Parameters
    ----------
    X : ndarray (n, p)
        Full-rank design matrix.
    codes : ndarray (n,)
        Observed outcome of each row, 0..K-1.
    K : int
        Number of outcomes.
    base : int
        Index of the reference outcome.
    weights : ndarray (n,)
        Frequency weights.
    start : ndarray (p, K-1), optional
        Starting coefficients; by default the intercept-only estimate
        :math:`\\log(n_k/n_b)` on an all-ones column, zero elsewhere.
    tol, max_iter
        Newton-decrement tolerance and iteration cap.

    Returns
    -------
    MNFit
    """
    n, p = X.shape
    codes = np.asarray(codes, dtype=int)
    Y = np.zeros((n, K))
    Y[np.arange(n), codes] = 1.0
    others = _others(K, base)
    if start is not None:
        try:
            B = np.asarray(start, dtype=float)
        except (TypeError, ValueError):
            raise SpecificationError(f"start_params={start!r} must hold numbers: a ({p}, {K - 1}) "
                                     "array (design columns x non-base outcomes)") from None
        if B.size != p * (K - 1) or not np.all(np.isfinite(B)):
            raise SpecificationError(f"start_params must have {p} x {K - 1} finite values (design "
                                     f"columns x non-base outcomes); got shape {np.shape(start)}")
        B = B.reshape(p, K - 1)
    else:
        B = np.zeros((p, K - 1))
        ones = np.flatnonzero(np.all(X == 1.0, axis=0))
        counts = weights @ Y
        if ones.size and np.all(counts > 0):
            B[ones[0]] = np.log(counts[others] / counts[base])
    lp = log_probs(X, B, base)
    llf = float(np.sum(weights * lp[np.arange(n), codes]))
    converged, message, decrement, it = False, "", np.inf, 0
    for it in range(1, max_iter + 1):
        P = np.exp(lp)
        A = information(X, P, weights, base)
        g = _score(X, Y, P, weights, base)
        step, _ = _solve(A, g)
        decrement = float(np.sqrt(max(step @ g, 0.0)))
        step = step.reshape(K - 1, p).T
        halvings = 0
        while True:
            new = B + step
            new_lp = log_probs(X, new, base)
            new_llf = float(np.sum(weights * new_lp[np.arange(n), codes]))
            if np.isfinite(new_llf) and new_llf >= llf - 1e-10 * (abs(llf) + 0.1):
                break
            if halvings == max_halvings:
                break
            halvings += 1
            step = step / 2.0
        if not np.isfinite(new_llf):
            raise ConvergenceError("the multinomial log-likelihood is not finite at any step: "
                                   "check the data for extreme values or give start_params")
        B, lp, llf = new, new_lp, new_llf
        if halvings == max_halvings:
            message = "step-halving failed to raise the log-likelihood"
            break
        if decrement < tol:
            converged = True
            break
    if not converged:
        message = message or f"no convergence after {it} iterations"
        warnings.warn(f"multinomial Newton iterations did not converge: {message} (Newton "
                      f"decrement {decrement:.3g}); estimates may be unreliable: check for "
                      "separation or rescale the covariates, or raise max_iter",
                      ConvergenceWarning, stacklevel=3)
    _, cov = _solve(information(X, np.exp(lp), weights, base), np.zeros((K - 1) * p))
    return MNFit(params=B, cov=cov, log_probs=lp, llf=llf, n_iter=it, converged=converged,
                 decrement=decrement, message=message)


def cone_rows(X: np.ndarray, codes: np.ndarray, K: int, base: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Rows :math:`z_{ij}` of the multinomial recession cone, one per row and rival outcome.

    Moving :math:`\theta` along :math:`d` never lowers row :math:`i`'s likelihood iff
    :math:`(d_{c_i} - d_j)^\top x_i \ge 0` for every :math:`j \ne c_i` (with :math:`d_b = 0`),
    i.e. :math:`z_{ij}^\top d \ge 0` where :math:`z_{ij}` holds :math:`x_i` in block
    :math:`c_i` and :math:`-x_i` in block :math:`j`.  Returns ``(Z, row, rival)``.
    """
    n, p = X.shape
    block = {k: a for a, k in enumerate(_others(K, base))}
    rows, rivals = [], []
    for j in range(K):
        idx = np.flatnonzero(codes != j)
        rows.append(idx)
        rivals.append(np.full(idx.size, j))
    row = np.concatenate(rows)
    rival = np.concatenate(rivals)
    Z = np.zeros((row.size, (K - 1) * p))
    for k, a in block.items():
        own = codes[row] == k
        Z[own, a * p:(a + 1) * p] += X[row[own]]
        riv = rival == k
        Z[riv, a * p:(a + 1) * p] -= X[row[riv]]
    return Z, row, rival


def overlap_certificate(Z: np.ndarray, lam: np.ndarray) -> bool:
    r"""True when positive multipliers prove that the cone :math:`\{d: Zd \ge 0\}` is trivial.

    By Stiemke's lemma no separating direction exists iff some :math:`\lambda > 0` has
    :math:`Z^\top\lambda = 0`.  At a converged fit :math:`\lambda_{ij} = w_i p_{ij}` makes
    :math:`Z^\top\lambda` the score (nearly zero); the remainder :math:`g` is removed by
    :math:`\lambda \leftarrow \lambda \circ (1 - Zv)` with
    :math:`(Z^\top \mathrm{diag}(\lambda) Z)\, v = g`.  The certificate holds when every factor
    stays above 1/2, the multipliers are not negligible (:math:`10^{-8}` of the largest) and the
    corrected combination vanishes to rounding.
    """
    if lam.size == 0 or not np.all(np.isfinite(lam)) or lam.min() <= 1e-8 * lam.max():
        return False
    g = Z.T @ lam
    M = (Z * lam[:, None]).T @ Z
    try:
        v = linalg.solve(M, g, assume_a="pos", check_finite=False)
    except (linalg.LinAlgError, ValueError):
        return False
    fac = 1.0 - Z @ v
    if not np.all(np.isfinite(fac)) or np.any(fac <= 0.5):
        return False
    lam2 = lam * fac
    resid = Z.T @ lam2
    size = np.abs(Z).T @ lam2
    return bool(np.all(np.abs(resid) <= 1e-10 * size + 1e-300))
