r"""Profile-likelihood confidence intervals by exact root-finding on the profile deviance.

For coefficient :math:`j` the profile deviance is

.. math::

    D_j(b) = \min_{\beta:\ \beta_j = b} D(\beta),

computed by an IRLS refit of the other coefficients with :math:`b\,x_j` moved into the offset.
The :math:`1-\alpha` interval is :math:`\{b : D_j(b) - \hat D \le \chi^2_{1,1-\alpha}\}` — the
likelihood-ratio test inverted — and its ends are the two roots of the signed root

.. math::

    z_j(b) = \operatorname{sign}(b - \hat\beta_j)\,\sqrt{D_j(b) - \hat D}
           = \pm z_{1-\alpha/2},

which is nearly linear in :math:`b`, so Brent's method converges in a few refits.  This is what
``MASS::confint`` estimates; MASS interpolates :math:`z_j` on a grid with a spline and is off by up
to about 1e-3 relative, these are the exact roots (to ~1e-10).

**Bracketing.**  For the logit, probit and cloglog links the log-likelihood is concave, so
:math:`D_j` is convex.  Walking out from :math:`\hat\beta_j`, the secant through the last two
points therefore lies below :math:`D_j` beyond them, and where it reaches the cut-off is past
the root: that is the next trial point (at most 8 times farther out), which brackets the root
after a step or two.  Each refit is warm-started from the nearest solution already found,
moved along the profile path by the slope :math:`V_{-j,j}/V_{jj}` of the Wald approximation.
IRLS halves steps that increase the deviance, and when even that fails (far out under
separation, where the working weights underflow) the refit follows the path from the nearest
solved point in halves; R's ``glm(offset=)`` refits can stop at a wrong point there.

**Infinite ends.**  When the profile stays flat — the deviance stops increasing as :math:`b`
moves out — the likelihood never drops by the cut-off in that direction: the estimate runs to
infinity there (separation) and the interval end is :math:`\pm\infty`.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import optimize, stats

from . import family
from .errors import ConvergenceError, ConvergenceWarning, SpecificationError
from .irls import irls
from .links import Link

MAX_STEPS = 60
FLAT_STEPS = 3
MAX_CONTINUATION = 40
MAX_REFITS = 5000          # per coefficient: a guard against pathological data only


class _Profile:
    """Profile deviance of one coefficient, with a cache of the constrained solutions."""

    def __init__(self, X, y, trials, weights, offset, link, j, params, cov, tol, max_iter):
        self.j = j
        self.xj = X[:, j]
        self.Xr = np.ascontiguousarray(np.delete(X, j, axis=1))
        self.y, self.trials, self.weights, self.offset, self.link = y, trials, weights, offset, link
        self.bhat = params[j]
        self.tol, self.max_iter = tol, max_iter
        self.se = float(np.sqrt(cov[j, j])) if cov[j, j] > 0 else np.nan
        others = np.delete(np.arange(len(params)), j)
        ok = np.isfinite(self.se) and self.se > 0
        self.path_slope = cov[others, j] / cov[j, j] if ok else np.zeros(len(others))
        self.cache: list[tuple[float, float, np.ndarray]] = [(self.bhat, np.nan, params[others])]
        self.budget = MAX_REFITS

    def deviance(self, b: float, depth: int = 0) -> float:
        """:math:`D_j(b)` (refit of the other coefficients, warm-started).

        When IRLS cannot even reduce the deviance from the warm start (far out under
        separation the working weights vanish), the path from the nearest solved point is
        followed in halves: each solved midpoint is a good start for the next.
        """
        off = self.offset + b * self.xj
        if self.Xr.shape[1] == 0:
            return family.deviance(self.y, self.trials, self.weights, off, self.link)
        fit = self._solve(b, off)
        while ((fit is None or _failed(fit, self.max_iter)) and depth < MAX_CONTINUATION
               and self.budget > 0):
            b0 = min(self.cache, key=lambda c: abs(c[0] - b))[0]
            if abs(b - b0) <= 1e-12 * (1.0 + abs(b)):
                break
            self.deviance(0.5 * (b0 + b), depth + 1)
            again = self._solve(b, off)
            if again is not None and (fit is None or again.deviance < fit.deviance):
                fit = again
        if fit is None:
            return np.inf
        self.cache.append((b, fit.deviance, fit.params))
        return fit.deviance

    def _solve(self, b, off):
        """Best refit from the warm starts: moved along the Wald path, then as they are."""
        b0, _, coef0 = min(self.cache, key=lambda c: abs(c[0] - b))
        starts = [coef0]
        if np.isfinite(self.se) and abs(b - b0) <= 3.0 * self.se:
            starts.insert(0, coef0 + self.path_slope * (b - b0))
        best = None
        for start in starts:
            fit = self._refit(off, start)
            if fit is not None and (best is None or fit.deviance < best.deviance):
                best = fit
            if best is not None and not _failed(best, self.max_iter):
                break
        return best

    def _refit(self, off, start):
        self.budget -= 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            try:
                return irls(self.Xr, self.y, self.trials, self.weights, off, self.link, start=start,
                            tol=self.tol, max_iter=self.max_iter)
            except (ConvergenceError, np.linalg.LinAlgError):  # singular information, far out
                return None


def _failed(fit, max_iter: int) -> bool:
    """IRLS stopped early because no step reduced the deviance (not merely at the iteration cap)."""
    return not fit.converged and (fit.n_iter < max_iter or fit.message.startswith("step-halving"))


def _one_side(prof: _Profile, dev_hat: float, q: float, side: int) -> float:
    """End of the interval on one side (+1 upper, -1 lower), or ``side * inf``."""
    zc = np.sqrt(q)
    bhat = prof.bhat
    scale = 1.0 + abs(bhat)
    d = zc * prof.se if np.isfinite(prof.se) and prof.se > 0 else scale
    d = min(d, 10.0 * scale)

    def g(dist: float) -> float:
        return prof.deviance(bhat + side * dist) - dev_hat

    d_prev, g_prev = 0.0, 0.0
    flat = 0
    for _ in range(MAX_STEPS):
        gd = g(d)
        if gd >= q:
            break
        rise = gd - g_prev
        if rise <= 1e-7 * q:
            flat += 1
            if flat >= FLAT_STEPS:
                return side * np.inf
            d_next = 8.0 * d
        else:
            flat = 0
            # by convexity the secant lies below the profile: its crossing is past the root
            d_next = d + (q - gd) * (d - d_prev) / rise
            d_next = min(max(d_next * (1.0 + 1e-6), 1.01 * d), 8.0 * d)
        d_prev, g_prev, d = d, gd, d_next
    else:
        return side * np.inf

    def h(dist: float) -> float:
        if dist == 0.0:  # D_j at the estimate is the deviance itself (no refit: under separation
            return -zc   # one from the diverged estimate can fail)
        val = g(dist)
        if not np.isfinite(val):
            return 1e300
        return np.sqrt(max(val, 0.0)) - zc

    if h(d_prev) * h(d) > 0:  # refits from other warm starts disagree: no reliable bracket
        raise ConvergenceError(f"profile interval of coefficient {prof.j}: the constrained refits "
                               "do not give a consistent profile deviance; use Wald intervals")
    root = optimize.brentq(h, d_prev, d, xtol=1e-13 * (scale + d), rtol=4 * np.finfo(float).eps,
                           maxiter=200)
    return bhat + side * root


def profile_conf_int(X: np.ndarray, y: np.ndarray, trials: np.ndarray, weights: np.ndarray,
                     offset: np.ndarray, link: Link, params: np.ndarray, cov: np.ndarray,
                     deviance: float, alpha: float = 0.05, which=None, tol: float = 1e-7,
                     max_iter: int = 100, directions=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Profile-likelihood interval ends for the coefficients ``which`` (default all).

    Parameters
    ----------
    X, y, trials, weights, offset
        The fit's arrays (see :class:`~logitstat.design.Design`).
    link : Link
    params, cov : ndarray
        The maximum-likelihood estimate and its inverse Fisher information (used only to choose
        the first trial points and warm starts).
    deviance : float
        :math:`\hat D`, the deviance at ``params``.
    alpha : float
        The interval has level :math:`1-\alpha`: the cut-off is :math:`\chi^2_{1,1-\alpha}`.
    tol, max_iter
        Convergence settings of the constrained IRLS refits (a decrement below ``tol`` leaves the
        deviance within about ``tol**2`` of its minimum).
    directions : array of int, optional
        Separation directions (+1 / -1 for a coefficient whose estimate runs to plus / minus
        infinity, see :mod:`logitstat.separation`).  Such a coefficient's end on that side is
        infinite without a search: moving along the separating direction never raises the
        deviance, so the profile stays below the cut-off (the walk would find the same, after
        thousands of refits far out where the working weights underflow).

    Returns
    -------
    lower, upper : ndarray
        Interval ends, :math:`\pm\infty` where the profile never reaches the cut-off.
    """
    if not 0.0 < alpha < 1.0:
        raise SpecificationError(f"alpha={alpha!r} must lie strictly between 0 and 1")
    p = X.shape[1]
    idx = range(p) if which is None else which
    q = float(stats.chi2.ppf(1.0 - alpha, 1))
    lower = np.full(p, np.nan)
    upper = np.full(p, np.nan)
    X = np.asarray(X, dtype=float)
    for j in idx:
        prof = _Profile(X, y, trials, weights, offset, link, j, np.asarray(params, float),
                        np.asarray(cov, float), tol, max_iter)
        dj = 0 if directions is None else int(np.sign(directions[j]))
        lower[j] = -np.inf if dj < 0 else _one_side(prof, deviance, q, -1)
        upper[j] = np.inf if dj > 0 else _one_side(prof, deviance, q, +1)
    return lower, upper

