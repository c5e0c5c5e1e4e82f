r"""The IRLS iterations for any model offering passes over its data (see :func:`drive`).

:mod:`logitstat.fitting.irls` holds the in-memory model and the mathematics (its module docstring
describes the steps, Newton's and Fisher's, and the convergence criterion);
:mod:`logitstat.dask` has a model whose passes are Dask reductions.  This module is the
driver: the solves, the choice of step and of what the next pass forms, step halving and the
stopping rule.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import linalg

from ..errors import ConvergenceError, ConvergenceWarning, SpecificationError
from . import kernels

NEWTON_SWITCH = 1.0
"""Fisher decrement below which a link that is not log-concave (cauchit) takes Newton steps."""


def scaled_cholesky(A: np.ndarray, min_rcond: float = 1e-12) -> tuple[tuple, np.ndarray] | None:
    r"""Cholesky factor of :math:`A` scaled to unit diagonal, or None when it is ill-conditioned.

    With :math:`D = \operatorname{diag}(A)^{1/2}` and :math:`S = D^{-1} A D^{-1}`, returns
    ``(cho_factor(S), d)``, so that :math:`A^{-1} b = D^{-1} S^{-1} D^{-1} b`.  None when a
    diagonal entry is not positive, an entry is not finite, :math:`S` is not positive definite,
    or the reciprocal condition number of :math:`S` (LAPACK ``dpocon``) is at most ``min_rcond``.
    """
    diag = np.diag(A)
    if np.all(diag > 0) and np.all(np.isfinite(A)):   # (observed information may have diag <= 0)
        d = np.sqrt(diag)
        S = A / np.outer(d, d)
        with kernels.dense_threads(S.shape[0]):
            try:
                c = linalg.cho_factor(S, lower=True, check_finite=False)
            except linalg.LinAlgError:
                return None
            rcond = linalg.lapack.dpocon(c[0], np.abs(S).sum(axis=0).max(), uplo="L")[0]
        if rcond > min_rcond:
            return c, d
    return None


def _solve(A: np.ndarray, b: np.ndarray, model, beta: np.ndarray | None
           ) -> tuple[np.ndarray, tuple | None]:
    """Solve the normal equations by Cholesky; fall back to ``model.lsq`` (pivoted QR) when
    ill-conditioned.

    Returns the solution and the Cholesky factor with the scaling (None after the fallback).
    """
    factor = scaled_cholesky(A)
    if factor is None:
        return model.lsq(beta, A, b), None
    c, d = factor
    return linalg.cho_solve(c, b / d, check_finite=False) / d, factor


def _inverse(A: np.ndarray, factor) -> np.ndarray:
    """Inverse of the information ``A`` (by its scaled Cholesky ``factor`` when given); all NaN
    when ``A`` is singular to working precision, where no standard errors exist."""
    p = A.shape[0]
    if factor is None:
        d = np.sqrt(np.diag(A))
        if np.all(d > 0):
            try:
                factor = (linalg.cho_factor(A / np.outer(d, d), lower=True, check_finite=False), d)
            except linalg.LinAlgError:
                factor = None
    if factor is not None:
        c, d = factor
        return linalg.cho_solve(c, np.eye(p), check_finite=False) / np.outer(d, d)
    with warnings.catch_warnings():  # near-singular: the summary's condition number says so
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        try:
            cov = linalg.solve(A, np.eye(p), assume_a="sym", check_finite=False)
        except linalg.LinAlgError:
            cov = None
    if cov is None or not np.all(np.diag(cov) > 0):  # singular to working precision (weights
        return np.full((p, p), np.nan)                # underflowed far out under separation)
    return cov


@dataclass(frozen=True)
class Outcome:
    """What :func:`drive` returns: the estimate and the information at it."""

    params: np.ndarray
    cov: np.ndarray
    information: np.ndarray
    deviance: float
    n_iter: int
    converged: bool
    decrement: float
    message: str


def _unpack(res: tuple) -> tuple:
    """A pass's ``(F, F beta + U, H, H beta + U, deviance)``; a Fisher-only model's passes
    return ``(F, F beta + U, deviance)``."""
    return (res[0], res[1], None, None, res[2]) if len(res) == 3 else res


def _newton_solve(H: np.ndarray, bh: np.ndarray) -> np.ndarray | None:
    """:math:`H^{-1}(H\\beta + U)` by Cholesky; None when the observed information is not
    positive definite or is ill-conditioned (then Fisher scoring takes the step)."""
    factor = scaled_cholesky(H)
    if factor is None:
        return None
    c, d = factor
    return linalg.cho_solve(c, bh / d, check_finite=False) / d


def drive(model, p: int, *, start=None, tol: float = 1e-8, max_iter: int = 100,
          max_halvings: int = 30, gram: np.ndarray | None = None,
          deviance_rule: float | None = None) -> Outcome:
    """The IRLS iterations, for any ``model`` offering passes over its data.

    ``model`` implements ``start(beta, gram)``, ``pass_at(beta)``, ``halve(beta)``,
    ``regram(beta)``, ``accept()``, ``finish(beta, step)`` and ``lsq(beta, A, b)``, and
    optionally ``certify(new, step, decrement, tol, deviance)`` (see
    :class:`_Model`, the in-memory one; :mod:`logitstat.dask` has one whose passes are Dask
    reductions over partitions).  Each pass returns :math:`X^\top W X`, :math:`X^\top W z`
    and the deviance at its point.  A model with a true attribute ``newton`` also takes a
    ``mode`` ("fisher", "newton", "both") in ``pass_at`` and ``regram``, offers
    ``repass(mode)`` (the pass again at the current point) and then gets Newton steps once
    Fisher scoring is close (see the module docstring).

    With ``deviance_rule`` the iterations also stop, unconverged, once the relative change of
    the deviance :math:`|D_k - D_{k-1}|/(|D_k| + 0.1)` falls below it: R's ``glm.fit`` rule,
    which is where R stops on separated data (see :func:`logitstat.models.binary.diagnostics.separated_refit`).
    """
    newton_ok = bool(getattr(model, "newton", False))
    if start is None:
        beta = None
    else:
        beta = np.asarray(start, dtype=float)
        if beta.shape != (p,):
            raise SpecificationError(f"start_params must have {p} values; got {beta.shape}")
    initial = getattr(model, "initial", None)
    if beta is None and initial is not None:
        beta = initial(gram)
        if beta is not None:
            mode = "newton" if newton_ok and getattr(model, "log_concave", False) else "fisher"
            F, bF, H, bH, dev = _unpack(model.start(beta, gram, mode))
            if not np.isfinite(dev):
                beta = None
    if beta is None or start is not None:
        F, bF, H, bH, dev = _unpack(model.start(beta, gram))
    if beta is not None and not np.isfinite(dev):
        raise ConvergenceError("the deviance is not finite at start_params: give other "
                               "starting values (or none)")
    decrement = prev_decrement = np.inf
    converged = False
    message = ""
    factor = None
    it = 0
    fails = 0                 # Newton steps that needed step halving, or an unusable H
    last = {}                 # decrement of the previous step of each kind
    while True:
        new = None
        if F is not None:
            new, factor = _solve(F, bF, model, beta)
            if beta is not None:
                step = new - beta
                prev_decrement, decrement = decrement, float(np.sqrt(max(step @ F @ step, 0.0)))
                if decrement < tol:      # take the (tiny) last step; no new pass is needed
                    converged = True
                    it += 1
                    dev = model.finish(beta, step)
                    beta = new
                    break
                certified = getattr(model, "certify", None)
                certified = certified and certified(new, step, decrement, tol, dev)
                if certified is not None and certified is not False:
                    converged = True     # the step provably lands within tol (see certify)
                    it += 1
                    dev = certified
                    beta = new
                    break
        kind = "fisher"
        if H is not None:
            newton_step = _newton_solve(H, bH)
            if newton_step is not None:
                new, kind = newton_step, "newton"
                step = new - beta
                lam = float(np.sqrt(max(step @ H @ step, 0.0)))
            elif F is None:      # H unusable and no Fisher information here: get it
                fails += 1
                F, bF, H, bH, dev = _unpack(model.repass("fisher"))
                continue
        if it == max_iter:
            break
        it += 1
        mode = "fisher"
        if newton_ok and fails < 2 and (kind == "newton" or decrement < NEWTON_SWITCH
                                        or getattr(model, "log_concave", False)):
            # predict the decrement at the new point: quadratic after a Newton step (with the
            # constant seen so far), linear after a scoring step
            if kind == "newton":
                if "newton" in last:
                    last["c"] = lam / last["newton"] ** 2
                last["newton"] = lam
                pred = last.get("c", 1.0) * lam * lam
            else:
                rate = decrement / prev_decrement if np.isfinite(prev_decrement) else 1.0
                pred = decrement * min(rate, 1.0)
            # Fisher's information where the step should land within tol (for the check and
            # the covariance), with Newton's too unless it surely does
            mode = ("fisher" if pred < 1e-3 * tol else "both" if (it == max_iter or pred < tol)
                    else "newton")
        res = model.pass_at(new, mode) if newton_ok else model.pass_at(new)
        new_F, new_bF, new_H, new_bH, new_dev = _unpack(res)
        halvings = 0
        while beta is not None and (not np.isfinite(new_dev) or
                                    (new_dev - dev) > 1e-10 * (abs(dev) + 0.1)):
            if halvings == max_halvings:
                break
            halvings += 1
            step = step / 2.0
            new = beta + step
            new_dev = model.halve(new)
        if not np.isfinite(new_dev):
            raise ConvergenceError("the deviance is not finite at any step: check the data for "
                                   "extreme values or try another link or start_params")
        if halvings:
            if kind == "newton":  # Newton overshot: score from the halved point
                fails += 1
                last.clear()
                mode = "fisher"
            res = model.regram(new, mode) if newton_ok else model.regram(new)
            new_F, new_bF, new_H, new_bH, new_dev = _unpack(res)
        model.accept()
        rel_change = abs(new_dev - dev) / (abs(new_dev) + 0.1)
        beta, dev, F, bF, H, bH = new, new_dev, new_F, new_bF, new_H, new_bH
        factor = None
        if halvings == max_halvings:
            message = "step-halving failed to reduce the deviance"
            break
        if deviance_rule is not None and rel_change < deviance_rule:
            message = f"relative change of the deviance below {deviance_rule:g}"
            break
    if not converged:
        message = message or f"no convergence after {it} iterations"
        warnings.warn(f"IRLS did not converge: {message} (decrement {decrement:.3g}); "
                      "estimates may be unreliable: check for separation or rescale the "
                      "covariates, or raise max_iter", ConvergenceWarning, stacklevel=4)
    if beta is None:  # max_iter=0: report the first scoring step, evaluated there
        beta = new
        F, _, dev = model.pass_at(beta)
        model.accept()
        factor = None
    if F is None:     # stopped after a Newton pass: Fisher's information at the estimate
        F, _, _, _, dev = _unpack(model.repass("fisher"))
        factor = None
    return Outcome(params=beta, cov=_inverse(F, factor), information=F, deviance=dev, n_iter=it,
                   converged=converged, decrement=decrement, message=message)
