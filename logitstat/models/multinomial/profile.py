r"""Profile-likelihood intervals for the multinomial logit (``conf_int(method="profile")``).

For a stacked parameter :math:`\theta_j` (see :mod:`logitstat.models.multinomial.fit`) the profile deviance is
:math:`D_j(b) = -2 \max_{\theta:\ \theta_j = b} \ell(\theta)`, computed by Newton's method on the
other parameters (the information with row and column :math:`j` removed; steps halved while the
log-likelihood falls), warm-started from the nearest solution already found and moved along the
Wald path :math:`V_{-j,j}/V_{jj}`.  The :math:`1-\alpha` interval is
:math:`\{b: D_j(b) - \hat D \le \chi^2_{1,1-\alpha}\}`: its ends are the roots of the signed root
:math:`\operatorname{sign}(b-\hat\theta_j)\sqrt{D_j(b)-\hat D} = \pm z_{1-\alpha/2}`, bracketed by
walking out along secants (the log-likelihood is concave, so each secant's crossing of the
cut-off lies past the root) and found by Brent's method (the walk of
:func:`logitstat.inference.profile._one_side`, shared with the binary models); an end is :math:`\pm\infty` when the
profile stays flat, or without a search on the side where :attr:`MNLogitResults.separation`
finds that the estimate runs to infinity.  This is what
:mod:`logitstat.inference.profile` does for the binary models; ``MASS::confint`` has no method for
``nnet::multinom``.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ...errors import SpecificationError
from ...inference.profile import _one_side
from . import fit as mnfit


class _Problem:
    """The multinomial log-likelihood with one stacked parameter held fixed."""

    def __init__(self, X, codes, K, base, weights, tol, max_iter):
        self.X, self.codes, self.K, self.base, self.w = X, codes, K, base, weights
        self.Y = np.zeros((len(codes), K))
        self.Y[np.arange(len(codes)), codes] = 1.0
        self.tol, self.max_iter = tol, max_iter

    def loglik(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        p = self.X.shape[1]
        lp = mnfit.log_probs(self.X, theta.reshape(self.K - 1, p).T, self.base)
        return float(np.sum(self.w * lp[np.arange(len(self.codes)), self.codes])), lp

    def fit(self, theta: np.ndarray, j: int) -> tuple[float, np.ndarray]:
        """Maximize over every parameter but ``j`` from ``theta``; returns (llf, theta)."""
        theta = theta.copy()
        free = np.arange(len(theta)) != j
        llf, lp = self.loglik(theta)
        for _ in range(self.max_iter):
            P = np.exp(lp)
            A = mnfit.information(self.X, P, self.w, self.base)[np.ix_(free, free)]
            g = mnfit._score(self.X, self.Y, P, self.w, self.base)[free]
            step, _ = mnfit._solve(A, g)
            decrement = float(np.sqrt(max(step @ g, 0.0)))
            for _ in range(40):
                trial = theta.copy()
                trial[free] += step
                new, new_lp = self.loglik(trial)
                if np.isfinite(new) and new >= llf - 1e-12 * (abs(llf) + 0.1):
                    break
                step = step / 2.0
            else:
                break
            theta, llf, lp = trial, new, new_lp
            if decrement < self.tol:
                break
        return llf, theta


class _Profile:
    def __init__(self, problem: _Problem, j: int, theta: np.ndarray, cov: np.ndarray):
        self.problem, self.j = problem, j
        self.bhat = theta[j]
        self.se = float(np.sqrt(cov[j, j])) if cov[j, j] > 0 else np.nan
        self.path = cov[:, j] / cov[j, j] if np.isfinite(self.se) and self.se > 0 else 0 * theta
        self.cache = [(self.bhat, theta)]
        self.newton = True   # _one_side may take Newton steps on the signed root (see slope)

    def deviance(self, b: float) -> float:
        r""":math:`D_j(b) = -2\max_{\theta_j = b}\ell` (warm-started refit), the interface that
        :func:`logitstat.inference.profile._one_side` walks and bisects."""
        b0, theta0 = min(self.cache, key=lambda c: abs(c[0] - b))
        start = theta0 + self.path * (b - b0) if abs(b - b0) <= 3 * self.se else theta0.copy()
        start[self.j] = b
        llf, theta = self.problem.fit(start, self.j)
        self.cache.append((b, theta))
        return -2.0 * llf

    def slope(self, b: float) -> float:
        r""":math:`dD_j/db = -2\,\partial\ell/\partial\theta_j` at the constrained solution for
        ``b`` (envelope theorem: the other scores vanish there)."""
        theta = next(t for bb, t in reversed(self.cache) if bb == b)
        pr = self.problem
        _, lp = pr.loglik(theta)
        return float(-2.0 * mnfit._score(pr.X, pr.Y, np.exp(lp), pr.w, pr.base)[self.j])


def mn_profile_conf_int(res, alpha: float = 0.05, tol: float = 1e-10,
                        max_iter: int = 100) -> pd.DataFrame:
    """Profile-likelihood intervals of every stacked parameter of a :class:`MNLogitResults`,
    indexed (outcome, coefficient) like ``conf_int``."""
    if not 0.0 < alpha < 1.0:
        raise SpecificationError(f"alpha={alpha!r} must lie strictly between 0 and 1")
    d = res.design
    live = d.weights > 0
    problem = _Problem(d.X[live] if not live.all() else d.X, d.y.astype(int)[live], len(res.levels),
                       res.base_index, d.weights[live], tol, max_iter)
    theta = res._theta
    q = float(stats.chi2.ppf(1.0 - alpha, 1))
    lower, upper = np.empty(len(theta)), np.empty(len(theta))
    # a parameter that runs to +-infinity under separation: that end is infinite (the profile
    # never rises along the separating direction), as in logitstat.inference.profile
    directions = np.sign(res.separation.directions.to_numpy())
    cov = res.fit_result.cov
    if np.any(directions != 0):   # the diverged covariance does not describe the profile path
        cov = np.diag(np.diag(cov))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for j in range(len(theta)):
            prof = _Profile(problem, j, theta, cov)
            prof.newton = not np.any(directions != 0)   # diverged SEs start no Newton walk
            lower[j] = -np.inf if directions[j] < 0 else _one_side(prof, -2.0 * res.llf, q, -1)
            upper[j] = np.inf if directions[j] > 0 else _one_side(prof, -2.0 * res.llf, q, +1)
    return pd.DataFrame({"lower": lower, "upper": upper}, index=res._long_index())
