r"""Iteratively reweighted least squares for binomial GLMs: one pure function.

Each iteration at the current :math:`\eta` forms

.. math::

    W_i = \frac{p_i\,\mu'(\eta_i)^2}{\mu_i(1-\mu_i)}, \qquad
    z_i = \eta_i - o_i + \frac{y_i - \mu_i}{\mu'(\eta_i)},

with prior weights :math:`p_i = w_i m_i` (frequency weight times trials), and solves
:math:`(X^\top W X)\,\beta = X^\top W z` by Cholesky.  This is Fisher scoring, and Newton's
method for the canonical logit link.  The step is halved while the deviance is not finite or
increases (as R's ``glm.fit`` does for the former, and ``glm2`` for the latter).  Convergence is
declared when the Newton decrement :math:`\lambda^2 = \Delta\beta^\top X^\top W X\,\Delta\beta`
falls below ``tol**2``: every coefficient then moved by less than ``tol`` of its standard error
(Cauchy–Schwarz), so the estimates are within about ``tol`` standard errors of the optimum.
When Cholesky fails or the system is ill-conditioned, the weighted least-squares step is solved
by a pivoted QR of :math:`W^{1/2}X` instead.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import linalg

from . import family
from .errors import ConvergenceError, ConvergenceWarning, SpecificationError
from .links import Link

BLOCK_ROWS = 4096


@dataclass(frozen=True)
class IRLSResult:
    """Plain results of :func:`irls`.

    ``cov`` is the inverse Fisher information :math:`(X^\\top W X)^{-1}` at the estimate.
    """

    params: np.ndarray
    cov: np.ndarray
    eta: np.ndarray
    deviance: float
    n_iter: int
    converged: bool
    decrement: float
    message: str = ""


def weighted_gram(X: np.ndarray, W: np.ndarray, Wz: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    r"""Return :math:`X^\top W X` (and :math:`X^\top (Wz)` when ``Wz`` is given), in row blocks.

    Only one block-sized temporary is alive at a time; no copy of X is made.
    """
    n, p = X.shape
    A = np.zeros((p, p))
    b = np.zeros(p) if Wz is not None else None
    for start in range(0, n, BLOCK_ROWS):
        Xb = X[start:start + BLOCK_ROWS]
        XW = Xb * W[start:start + BLOCK_ROWS, None]
        A += XW.T @ Xb
        if b is not None:
            b += Xb.T @ Wz[start:start + BLOCK_ROWS]
    return A, b


def _solve(A: np.ndarray, b: np.ndarray, X: np.ndarray, W: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Solve the normal equations by Cholesky; fall back to pivoted QR when ill-conditioned.

    Returns the solution and the Cholesky factor (None after the QR fallback).
    """
    d = np.sqrt(np.diag(A))
    if np.all(d > 0):
        S = A / np.outer(d, d)
        try:
            c = linalg.cho_factor(S, lower=True, check_finite=False)
            rcond = linalg.lapack.dpocon(c[0], np.abs(S).sum(axis=0).max(), uplo="L")[0]
            if rcond > 1e-12:
                return linalg.cho_solve(c, b / d, check_finite=False) / d, (c, d)
        except linalg.LinAlgError:
            pass
    sw = np.sqrt(W)
    q, r, piv = linalg.qr(X * sw[:, None], mode="economic", pivoting=True, check_finite=False)
    rhs = q.T @ (sw * z)
    beta = np.empty(X.shape[1])
    beta[piv] = linalg.solve_triangular(r, rhs, check_finite=False)
    return beta, None


def _inverse(A: np.ndarray, factor) -> np.ndarray:
    p = A.shape[0]
    if factor is not None:
        c, d = factor
        return linalg.cho_solve(c, np.eye(p), check_finite=False) / np.outer(d, d)
    return linalg.solve(A, np.eye(p), assume_a="sym", check_finite=False)


def irls(X: np.ndarray, y: np.ndarray, trials: np.ndarray, weights: np.ndarray, offset: np.ndarray,
         link: Link, *, start: np.ndarray | None = None, tol: float = 1e-8, max_iter: int = 100,
         max_halvings: int = 30) -> IRLSResult:
    """Fit a binomial GLM by IRLS (Fisher scoring).

    Parameters
    ----------
    X : ndarray (n, p)
        Full-rank design matrix.
    y, trials, weights, offset : ndarray (n,)
        Proportions of events, trials per row, frequency weights, offset.
    link : Link
        Link function object.
    start : ndarray (p,), optional
        Starting coefficients; by default R's ``mustart = (p y + 1/2)/(p + 1)``.
    tol : float
        Convergence tolerance on the Newton decrement (see the module docstring).
    max_iter : int
        Maximum number of iterations; a :class:`ConvergenceWarning` is issued when reached.

    Returns
    -------
    IRLSResult
    """
    n, p = X.shape
    prior = weights * trials
    if start is None:
        eta = link.linkfun((prior * y + 0.5) / (prior + 1.0))
        beta = None
    else:
        beta = np.asarray(start, dtype=float)
        if beta.shape != (p,):
            raise SpecificationError(f"start_params must have {p} values (one per coefficient); got {beta.shape}")
        eta = X @ beta + offset
    dev = family.deviance(y, trials, weights, eta, link)
    decrement = np.inf
    converged = False
    message = ""
    A = factor = None
    it = 0
    for it in range(1, max_iter + 1):
        mu = link.linkinv(eta)
        d = link.mu_eta(eta)
        W = prior * d * d / (mu * (1.0 - mu))
        z = eta - offset + (y - mu) / d
        A, b = weighted_gram(X, W, W * z)
        new, factor = _solve(A, b, X, W, z)
        step = new - beta if beta is not None else None
        new_eta = X @ new + offset
        new_dev = family.deviance(y, trials, weights, new_eta, link)
        halvings = 0
        while beta is not None and (not np.isfinite(new_dev) or
                                    (new_dev - dev) > 1e-10 * (abs(dev) + 0.1)):
            if halvings == max_halvings:
                break
            halvings += 1
            step = step / 2.0
            new = beta + step
            new_eta = X @ new + offset
            new_dev = family.deviance(y, trials, weights, new_eta, link)
        if not np.isfinite(new_dev):
            raise ConvergenceError("the deviance is not finite at any step: check the data for "
                                   "extreme values or try another link or start_params")
        if step is not None:
            decrement = float(np.sqrt(max(step @ A @ step, 0.0)))
        beta, eta, dev = new, new_eta, new_dev
        if halvings == max_halvings:
            message = "step-halving failed to reduce the deviance"
            break
        if decrement < tol:
            converged = True
            break
    if not converged:
        message = message or f"no convergence after {it} iterations"
        warnings.warn(f"IRLS did not converge: {message} (Newton decrement {decrement:.3g}); "
                      "estimates may be unreliable: check for separation or rescale the "
                      "covariates, or raise max_iter", ConvergenceWarning, stacklevel=3)
    cov = _inverse(A, factor)
    return IRLSResult(params=beta, cov=cov, eta=eta, deviance=dev, n_iter=it, converged=converged,
                      decrement=decrement, message=message)
