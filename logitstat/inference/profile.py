r"""Profile-likelihood confidence intervals by exact root-finding on the profile deviance.

For coefficient :math:`j` the profile deviance is

.. math::

    D_j(b) = \min_{\beta:\ \beta_j = b} D(\beta),

computed by an IRLS refit of the other coefficients with :math:`b\,x_j` moved into the offset
(on the shared design: the passes of the full model with :math:`\beta_j` held at :math:`b`, see
:class:`_Fixed`; no design without column :math:`j` is copied, and nothing per-row outlives
the call).
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
from scipy import linalg, optimize, stats

from ..errors import ConvergenceError, ConvergenceWarning, SpecificationError
from ..fitting import family
from ..fitting.irls import _Model, drive
from ..fitting.links import Link

__all__ = ["profile_conf_int"]

MAX_STEPS = 60
FLAT_STEPS = 3
MAX_CONTINUATION = 40
NEWTON_STEPS = 12        # Newton steps on the signed root before the bracketing walk
MAX_REFITS = 5000          # per coefficient: a guard against pathological data only
_LAST_REFITS: dict[int, int] = {}  # refits per coefficient of the last call (for benchmarks)


class _Fixed:
    r"""The IRLS passes of the constrained fit :math:`\beta_j = b` on the shared design.

    Wraps the unconstrained model's passes (:class:`logitstat.fitting.irls._Model`, over all of
    :math:`X`): the iterate of the other coefficients is completed with :math:`b` at position
    :math:`j`, so :math:`\eta = X\beta + o` carries :math:`b\,x_j` like an offset, and the
    normal equations of the others are cut from the full ones,
    :math:`X_{-j}^\top W X_{-j}` and :math:`X_{-j}^\top W (z - b\,x_j) = (X^\top W z)_{-j} - b\,(X^\top W X)_{-j,j}`.
    No copy of the design without column :math:`j` is made.
    """

    def __init__(self, base, j: int, b: float):
        self.base, self.j, self.b = base, j, b
        self.others = np.delete(np.arange(base.p), j)

    def _full(self, beta: np.ndarray) -> np.ndarray:
        return np.insert(beta, self.j, self.b)

    def _step(self, step: np.ndarray) -> np.ndarray:
        return np.insert(step, self.j, 0.0)

    def _cut(self, pass_out):
        A, bvec, dev = pass_out
        o = self.others
        return A[np.ix_(o, o)], bvec[o] - self.b * A[o, self.j], dev

    def start(self, beta, gram):
        return self._cut(self.base.start(self._full(beta), None))

    def pass_at(self, beta):
        return self._cut(self.base.pass_at(self._full(beta)))

    def halve(self, beta):
        return self.base.halve(self._full(beta))

    def regram(self, beta):
        return self._cut(self.base.regram(self._full(beta)))

    def accept(self):
        self.base.accept()

    def finish(self, beta, step):
        return self.base.finish(self._full(beta), self._step(step))

    def certify(self, new, step, decrement, tol, dev):
        return self.base.certify(self._full(new), self._step(step), decrement, tol, dev)

    def lsq(self, beta, A, b):
        """Pivoted QR of :math:`W^{1/2}X_{-j}` (the ill-conditioned fallback only: a copy)."""
        base = self.base
        sw, wz = base.full_working(base.eta)
        wz -= self.b * sw * base.X[:, self.j]
        q, r, piv = linalg.qr(base.X[:, self.others] * sw[:, None], mode="economic",
                              pivoting=True, check_finite=False)
        out = np.empty(len(self.others))
        out[piv] = linalg.solve_triangular(r, q.T @ wz, check_finite=False)
        return out


class _Profile:
    """Profile deviance of one coefficient, with a cache of the constrained solutions (their
    coefficients only: no per-row arrays outlive a refit)."""

    def __init__(self, base, j, params, cov, tol, max_iter):
        self.base, self.j = base, j
        self.bhat = params[j]
        self.tol, self.max_iter = tol, max_iter
        self.se = float(np.sqrt(cov[j, j])) if cov[j, j] > 0 else np.nan
        others = np.delete(np.arange(len(params)), j)
        ok = np.isfinite(self.se) and self.se > 0
        self.path_slope = cov[others, j] / cov[j, j] if ok else np.zeros(len(others))
        self.cache: list[tuple[float, float, np.ndarray]] = [(self.bhat, np.nan, params[others])]
        self.budget = MAX_REFITS
        self.refits = 0
        self.newton = True

    def _nearest(self, b: float) -> tuple[float, float, np.ndarray]:
        """The cached solution nearest to ``b``."""
        return min(self.cache, key=lambda c: abs(c[0] - b))

    def deviance(self, b: float, depth: int = 0) -> float:
        """:math:`D_j(b)` (refit of the other coefficients, warm-started).

        When IRLS cannot even reduce the deviance from the warm start (far out under
        separation the working weights vanish), the path from the nearest solved point is
        followed in halves: each solved midpoint is a good start for the next.
        """
        base = self.base
        if base.p == 1:
            off = base.offset + b * base.X[:, self.j]
            return family.deviance(base.y, base.trials, base.weights, off, base.link)
        fit = self._solve(b)
        while ((fit is None or _failed(fit, self.max_iter)) and depth < MAX_CONTINUATION
               and self.budget > 0):
            b0 = self._nearest(b)[0]
            if abs(b - b0) <= 1e-12 * (1.0 + abs(b)):
                break
            self.deviance(0.5 * (b0 + b), depth + 1)
            again = self._solve(b)
            if again is not None and (fit is None or again.deviance < fit.deviance):
                fit = again
        if fit is None:
            return np.inf
        self.cache.append((b, fit.deviance, fit.params))
        return fit.deviance

    def slope(self, b: float) -> float:
        r""":math:`dD_j/db` at a solved point :math:`b`: by the envelope theorem
        :math:`-2\,U_j(\hat\beta(b))`, the score of coefficient :math:`j` at the constrained
        solution (the others' scores are 0 there).  One product :math:`X\beta` and one column
        of :math:`X` (no pass of the normal equations)."""
        base = self.base
        coef = (np.zeros(0) if base.p == 1     # no other coefficient: nothing was refitted
                else next(c[2] for c in reversed(self.cache) if c[0] == b))
        beta = np.insert(coef, self.j, b)
        eta = base.X @ beta + base.offset
        sw, wz = base.full_working(eta)[:2]
        with np.errstate(all="ignore"):
            u = sw * (wz - sw * (eta - base.offset))     # W (y - mu) / mu', prior weights in W
            return float(-2.0 * (base.X[:, self.j] @ u))

    def _solve(self, b):
        """Best refit from the warm starts: moved along the Wald path, then as they are."""
        b0, _, coef0 = self._nearest(b)
        starts = [coef0]
        if np.isfinite(self.se) and abs(b - b0) <= 3.0 * self.se:
            starts.insert(0, coef0 + self.path_slope * (b - b0))
        best = None
        for start in starts:
            fit = self._refit(b, start)
            if fit is not None and (best is None or fit.deviance < best.deviance):
                best = fit
            if best is not None and not _failed(best, self.max_iter):
                break
        return best

    def _refit(self, b, start):
        self.budget -= 1
        self.refits += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            try:
                return drive(_Fixed(self.base, self.j, b), self.base.p - 1, start=start,
                             tol=self.tol, max_iter=self.max_iter)
            except (ConvergenceError, np.linalg.LinAlgError):  # singular information, far out
                return None


def _failed(fit, max_iter: int) -> bool:
    """IRLS stopped early because no step reduced the deviance (not merely at the iteration cap)."""
    return not fit.converged and (fit.n_iter < max_iter or fit.message.startswith("step-halving"))


def _newton_side(prof: _Profile, dev_hat: float, q: float, side: int) -> float | None:
    r"""End of the interval on one side by safeguarded Newton steps on the signed root, or None
    when they do not settle (the bracketing walk of :func:`_one_side` then decides).

    With :math:`g(t) = D_j(\hat\beta_j + s t) - \hat D` and :math:`r = \sqrt{g}`, the derivative
    :math:`r'(t) = s\,D_j'(b) / (2r)` comes from the constrained solution's score
    (:meth:`_Profile.slope`), so each refit gives a Newton step on the nearly linear
    :math:`r(t) = z_{1-\alpha/2}`: starting at the Wald end, two or three refits reach the root.
    Steps stay inside the bracket found so far (bisection otherwise); the last step is taken
    when it is below 1e-9 relative (the error after it is of the order of its square).
    """
    if not (prof.newton and np.isfinite(prof.se) and prof.se > 0):
        return None
    zc = np.sqrt(q)
    bhat = prof.bhat
    scale = 1.0 + abs(bhat)
    t, lo, hi = zc * prof.se, 0.0, np.inf
    for _ in range(NEWTON_STEPS):
        b = bhat + side * t
        g = prof.deviance(b) - dev_hat
        if not np.isfinite(g) or g <= 0:
            return None
        r = np.sqrt(g)
        if r < zc:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        rp = side * prof.slope(b) / (2.0 * r)
        if not (np.isfinite(rp) and rp > 0):
            return None
        t_new = t + (zc - r) / rp
        if abs(t_new - t) <= 1e-9 * (scale + t) and lo <= t_new <= hi:
            return bhat + side * t_new
        if not lo < t_new < hi:
            t_new = 0.5 * (lo + hi) if np.isfinite(hi) else 2.0 * max(t, lo)
        t = t_new
    return None


def _one_side(prof: _Profile, dev_hat: float, q: float, side: int) -> float:
    """End of the interval on one side (+1 upper, -1 lower), or ``side * inf``."""
    found = _newton_side(prof, dev_hat, q, side)
    if found is not None:
        return found
    zc = np.sqrt(q)
    bhat = prof.bhat
    scale = 1.0 + abs(bhat)
    d = zc * prof.se if np.isfinite(prof.se) and prof.se > 0 else scale
    d = min(d, 2.0 * scale)  # farther out, refits from diverged warm starts can fail

    held = [prof]  # emptied on return: scipy's root finder keeps its wrapper of h in a
                   # reference cycle, which must not keep the profile (and its arrays) alive

    def g(dist: float) -> float:
        return held[0].deviance(bhat + side * dist) - dev_hat

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
    try:
        root = optimize.brentq(h, d_prev, d, xtol=1e-13 * (scale + d),
                               rtol=4 * np.finfo(float).eps, maxiter=200)
    finally:
        held.clear()
    return bhat + side * root


def profile_conf_int(X: np.ndarray, y: np.ndarray, trials: np.ndarray, weights: np.ndarray,
                     offset: np.ndarray, link: Link, params: np.ndarray, cov: np.ndarray,
                     deviance: float, alpha: float = 0.05, which=None, tol: float = 1e-7,
                     max_iter: int = 100, directions=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Profile-likelihood interval ends for the coefficients ``which`` (default all).

    Parameters
    ----------
    X, y, trials, weights, offset
        The fit's arrays (see :class:`~logitstat.formula.design.Design`).
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
        infinity, see :mod:`logitstat.diagnostics.separation`).  Such a coefficient's end on that side is
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
    base = _Model(np.asarray(X, dtype=float), np.asarray(y, float), np.asarray(trials, float),
                  np.asarray(weights, float), np.asarray(offset, float), link)
    params, cov = np.asarray(params, float), np.asarray(cov, float)
    for j in idx:
        prof = _Profile(base, int(j), params, cov, tol, max_iter)
        if directions is not None and np.any(directions != 0):
            # the covariance of a diverged estimate does not describe the profile path: its
            # slopes send warm starts to points where the weights underflow
            prof.path_slope = np.zeros_like(prof.path_slope)
            prof.newton = False       # nor do its standard errors start Newton near the ends
        dj = 0 if directions is None else int(np.sign(directions[j]))
        lower[j] = -np.inf if dj < 0 else _one_side(prof, deviance, q, -1)
        upper[j] = np.inf if dj > 0 else _one_side(prof, deviance, q, +1)
        _LAST_REFITS[int(j)] = prof.refits
    return lower, upper

