r"""Profile penalized-likelihood intervals and penalized likelihood-ratio tests for Firth fits.

For the logit link Firth's estimate maximizes the penalized log-likelihood

.. math:: l^*(\beta) = l(\beta) + \tfrac12 \log\lvert F(\beta)\rvert,
          \qquad F(\beta) = X^\top W(\beta) X ,

and inference follows ``logistf`` (Heinze & Schemper 2002; Heinze & Ploner 2003), which
replaces the Wald intervals and tests — poor exactly where Firth is used, under separation and
in small samples — by likelihood-ratio ones on :math:`l^*`:

* **profile interval** of :math:`\beta_j` (``logistf(pl=TRUE)``): the values :math:`b` with
  :math:`2\,[\,l^*(\hat\beta) - l^*_j(b)\,] \le \chi^2_{1,1-\alpha}`,
  :math:`l^*_j(b) = \max_{\beta:\ \beta_j = b} l^*(\beta)`;
* **penalized likelihood-ratio test** of :math:`\beta_J = 0` (``logistf``'s p-values,
  ``drop1.logistf``, ``anova.logistf(method="nested")``):
  :math:`\chi^2 = 2\,[\,l^*(\hat\beta) - \max_{\beta_J = 0} l^*(\beta)\,]` on :math:`|J|`
  degrees of freedom.

In both the constrained maximum keeps the **full model's penalty**: :math:`F(\beta)` is the
information of the whole design :math:`X` evaluated at the constrained :math:`\beta`.  Moving
the fixed columns into an offset and fitting Firth on the remaining columns would penalize with
the smaller model's information instead, a different (and not nested) objective.  The
constrained maxima are found by the Newton iterations of :mod:`logitstat.fitting.firth` over the free
coordinates only (:func:`fixed_fit`), with the fixed ones held in place.

For the probit, cloglog and cauchit links Firth's estimate solves the adjusted-score equations
(``brglm2``'s ``AS_mean``), which are not the gradient of :math:`l^*`: the estimate is not a
maximum of :math:`l^*`, so these intervals and tests do not exist for it; the functions here
refuse such fits with a :class:`~logitstat.SpecificationError`.

**Root finding.**  That of :mod:`logitstat.inference.profile` (its ``_one_side``) on the profile
penalized deviance :math:`-2\,l^*_j(b)`: each end is a root of the signed root
:math:`\pm\sqrt{2[l^*(\hat\beta)-l^*_j(b)]} \mp z_{1-\alpha/2}` (nearly linear in
:math:`b`), found by safeguarded Newton steps from the Wald end, with the derivative
:math:`d(-2l^*_j)/db = -2\,U^*_j` at the constrained maximum (envelope theorem), usually in
two to four constrained fits; failing that, bracketed by walking out from :math:`\hat\beta_j` with secant steps (at
most 8 times farther each; :math:`l^*_j` need not be concave, so the secant only proposes the
next trial point and the bracket is checked), then found by Brent's method.  Each constrained
fit is warm-started from the nearest solution already found, moved along the Wald path
:math:`V_{-j,j}/V_{jj}`.  Because the Jeffreys penalty tends to :math:`-\infty` as fitted
probabilities approach 0 or 1, the profile falls by more than the cut-off on both sides and the
ends are finite, also under separation; a constrained fit that does not converge raises a
:class:`~logitstat.ConvergenceError` rather than giving a wrong end.

**Several local maxima.**  :math:`l^*` is not concave, and under strong separation with
wide-ranging covariates the constrained maximum can have several local maxima: a warm-started
path may then stay on a lower branch and stop short.  Each end found is therefore checked by
constrained fits started from the estimate itself; where one reaches a higher maximum, that side
is walked again taking at every point the best of the warm and cold starts.  The statistics of
the tests take the higher of two starts likewise.
"""
from __future__ import annotations

import numpy as np
from scipy import linalg, stats

from ...errors import ConvergenceError, SpecificationError
from ...fitting.firth import _Model, _iterate, _require_logit
from ...fitting.links import Link
from ...inference.profile import _one_side

__all__ = ["fixed_fit", "penalized_profile_conf_int", "penalized_lr_stat",
           "penalized_lr_pvalues", "penalized_lr_terms", "nested_penalized_lr"]

MAX_CONTINUATION = 30


def _model(X, y, trials, weights, offset, link) -> _Model:
    model = _Model(X, y, trials, weights, offset, link)
    _require_logit(model, "penalized-likelihood intervals and tests")
    return model


def fixed_fit(model: _Model, start: np.ndarray, fixed, values, tol: float = 1e-10,
              max_iter: int = 200) -> tuple[np.ndarray, float, bool]:
    r"""Maximize :math:`l^*` over the coordinates not in ``fixed``, with ``beta[fixed] = values``.

    The penalty is :math:`\tfrac12\log|X^\top W X|` of the full design (see the module notes).
    Convergence as :func:`logitstat.fitting.firth.firth`: :math:`U^*_f{}^\top F_{ff}^{-1} U^*_f \le
    \mathrm{tol}^2` on the free coordinates :math:`f`, which leaves :math:`l^*` within about
    :math:`\mathrm{tol}^2/2` of the constrained maximum.

    Returns
    -------
    (beta, penalized log-likelihood, converged)
    """
    beta, st, conv = _fixed(model, start, fixed, values, tol, max_iter)
    return beta, st["pll"], conv


def _fixed(model: _Model, start, fixed, values, tol: float, max_iter: int):
    """:func:`fixed_fit` returning the state at the solution (with its adjusted score)."""
    beta = np.array(start, dtype=float)
    fixed = np.atleast_1d(np.asarray(fixed, dtype=int))
    beta[fixed] = values
    free = np.setdiff1d(np.arange(beta.size), fixed)
    if free.size == 0:
        return beta, model.state(beta), True
    beta, st, _, conv, _ = _iterate(model, beta, True, free, tol, max_iter)
    return beta, st, conv


def _restricted_start(params: np.ndarray, cov: np.ndarray, fixed: np.ndarray,
                      values: np.ndarray) -> np.ndarray:
    r"""Warm start for :math:`\beta_J = v`: the free coordinates moved along the Wald path,
    :math:`\beta_f + V_{fJ}V_{JJ}^{-1}(v - \beta_J)`."""
    start = params.copy()
    free = np.setdiff1d(np.arange(params.size), fixed)
    try:
        shift = cov[np.ix_(free, fixed)] @ np.linalg.solve(cov[np.ix_(fixed, fixed)],
                                                          values - params[fixed])
    except np.linalg.LinAlgError:
        shift = np.zeros(free.size)
    if np.all(np.isfinite(shift)):
        start[free] += shift
    start[fixed] = values
    return start


def penalized_lr_stat(model: _Model, params: np.ndarray, cov: np.ndarray, pll: float, fixed,
                      tol: float = 1e-10, max_iter: int = 200) -> float:
    r""":math:`2\,[\,l^*(\hat\beta) - \max_{\beta_J = 0} l^*(\beta)\,]` (clipped at 0), the
    restricted maximum under the full model's penalty."""
    fixed = np.atleast_1d(np.asarray(fixed, dtype=int))
    zeros = np.zeros(fixed.size)
    best = -np.inf       # the constrained l* may have several local maxima: the higher of two
    for start in (_restricted_start(params, cov, fixed, zeros), params):  # Wald path, as is
        _, val, conv = fixed_fit(model, start, fixed, zeros, tol, max_iter)
        if conv:
            best = max(best, val)
    if np.isfinite(best):
        return max(2.0 * (pll - best), 0.0)
    raise ConvergenceError(f"the penalized fit with coefficient(s) {fixed.tolist()} fixed at 0 "
                           "did not converge; raise max_iter")


def penalized_lr_pvalues(X, y, trials, weights, offset, link, params, cov, pll,
                         tol: float = 1e-10, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Per-coefficient penalized LR statistics and p-values (``logistf``'s default p-values).

    Returns
    -------
    (statistics, pvalues) : ndarray, shape (p,)
    """
    model = _model(X, y, trials, weights, offset, link)
    params, cov = np.asarray(params, float), np.asarray(cov, float)
    stat = np.array([penalized_lr_stat(model, params, cov, pll, [j], tol, max_iter)
                     for j in range(params.size)])
    return stat, stats.chi2.sf(stat, 1)


def penalized_lr_terms(X, y, trials, weights, offset, link, params, cov, pll,
                       terms: dict[str, slice], tol: float = 1e-10,
                       max_iter: int = 200) -> list[tuple[str, float, int, float]]:
    """Penalized LR test of each term's columns jointly zero (``drop1.logistf``).

    Returns
    -------
    list of (term, statistic, df, pvalue)
    """
    model = _model(X, y, trials, weights, offset, link)
    params, cov = np.asarray(params, float), np.asarray(cov, float)
    out = []
    for name, sl in terms.items():
        cols = np.arange(sl.start, sl.stop)
        stat = penalized_lr_stat(model, params, cov, pll, cols, tol, max_iter)
        out.append((name, stat, int(cols.size), float(stats.chi2.sf(stat, cols.size))))
    return out


def nested_penalized_lr(X_small: np.ndarray, X_big: np.ndarray, y, trials, weights, offset,
                        link, params_big: np.ndarray, tol: float = 1e-10,
                        max_iter: int = 200) -> float:
    r"""Penalized LR statistic of a smaller model nested in a larger one (same rows).

    ``anova.logistf(method="nested")``: :math:`2\,[\,l^*_{big}(\hat\beta) - \max l^*_{big}]`,
    the restricted maximum over :math:`\eta \in \mathrm{span}(X_{small})` under the large
    model's penalty :math:`\tfrac12\log|X_{big}^\top W X_{big}|`.  The large design is rewritten
    in the basis :math:`Z = [X_{small}, C]` with :math:`C` columns of :math:`X_{big}` completing
    the span (pivoted QR of the residuals); :math:`Z = X_{big}T` with :math:`T` invertible, so
    :math:`\log|Z^\top W Z|` differs from the large model's penalty by the constant
    :math:`2\log|\det T|`, which cancels in the statistic.  The restriction is :math:`\gamma_C = 0`.
    """
    model_big = _model(X_big, y, trials, weights, offset, link)
    Xs, Xb = np.asarray(X_small, float), model_big.X
    coef, *_ = np.linalg.lstsq(Xs, Xb, rcond=None)
    resid = Xb - Xs @ coef
    _, _, piv = linalg.qr(resid, mode="economic", pivoting=True)
    k = Xb.shape[1] - Xs.shape[1]
    Z = np.column_stack([Xs, Xb[:, np.sort(piv[:k])]])
    if np.linalg.matrix_rank(Z) < Xb.shape[1]:
        raise SpecificationError("the two designs do not give a nested pair of full-rank models")
    model = _Model(Z, y, trials, weights, offset, link)
    eta = Xb @ np.asarray(params_big, float)
    gamma, *_ = np.linalg.lstsq(Z, eta, rcond=None)     # the large fit in the new basis
    full, st, _, conv, _ = _iterate(model, gamma, True, np.arange(Z.shape[1]), tol, max_iter)
    if not conv:
        raise ConvergenceError("the Firth fit of the larger model did not converge in the "
                               "combined basis; raise max_iter")
    fixed = np.arange(Xs.shape[1], Xb.shape[1])
    stat = penalized_lr_stat(model, full, st["Finv"], st["pll"], fixed, tol, max_iter)
    return stat


class _PenalizedProfile:
    """:math:`2[l^*(\\hat\\beta) - l^*_j(b)]` of one coefficient, with a cache of the
    constrained solutions for warm starts."""

    def __init__(self, model: _Model, j: int, params, cov, pll: float, tol, max_iter,
                 thorough: bool = False):
        self.model, self.j, self.pll = model, j, pll
        self.params = np.asarray(params, float)
        self.bhat = float(params[j])
        self.tol, self.max_iter = tol, max_iter
        self.se = float(np.sqrt(cov[j, j])) if cov[j, j] > 0 else np.nan
        ok = np.isfinite(self.se) and self.se > 0
        self.path = cov[:, j] / cov[j, j] if ok else np.zeros(len(params))
        # (b, solution, adjusted score of coefficient j there)
        self.cache: list[tuple[float, np.ndarray, float]] = [(self.bhat, self.params, 0.0)]
        self.thorough = thorough
        self.newton = True      # logitstat.inference.profile's Newton steps on the signed root
        self.fits = 0

    def drop(self, b: float) -> float:
        """Twice the fall of the profile penalized log-likelihood at :math:`\\beta_j = b`.

        When no warm start reaches the constrained maximum at ``b``, the path from the nearest
        solved point is followed: points halfway towards ``b`` until one converges, then ``b``
        again from there.
        """
        val = self._solve(b)
        for _ in range(MAX_CONTINUATION):
            if np.isfinite(val):
                return val
            b0, t = self._nearest(b)[0], b
            while True:
                t = 0.5 * (b0 + t)
                if abs(t - b0) <= 1e-12 * (1.0 + abs(t)):
                    return np.nan
                if np.isfinite(self._solve(t)):
                    break
            val = self._solve(b)
        return val

    def deviance(self, b: float) -> float:
        """:math:`-2\\,l^*_j(b)`, the profile penalized deviance that
        :func:`logitstat.inference.profile._one_side` walks (against :math:`-2\\,l^*(\\hat\\beta)`)."""
        val = self.drop(b)
        if not np.isfinite(val):
            raise ConvergenceError(f"profile of coefficient {self.j}: the constrained penalized "
                                   f"fit at {b:.6g} did not converge; use Wald intervals")
        return val - 2.0 * self.pll

    def slope(self, b: float) -> float:
        r""":math:`d(-2\,l^*_j)/db` at a solved point :math:`b`: by the envelope theorem
        :math:`-2\,U^*_j`, the adjusted score of coefficient :math:`j` at the constrained
        maximum (the free coordinates' are 0 there)."""
        return -2.0 * next(c[2] for c in reversed(self.cache) if c[0] == b)

    def _nearest(self, b: float) -> tuple[float, np.ndarray, float]:
        return min(self.cache, key=lambda c: abs(c[0] - b))

    def _cold_starts(self, b: float) -> list[np.ndarray]:
        """Starts from the estimate itself: with :math:`\\beta_j = b` put in, and moved along
        the Wald path."""
        return [self.params, self.params + self.path * (b - self.bhat)]

    def _solve(self, b: float) -> float:
        """The drop at ``b`` from the nearest solved point (moved along the Wald path first),
        NaN when neither start converges.  ``thorough``: the best (highest :math:`l^*`) of
        these and the starts from the estimate, as :math:`l^*_j` may have several local maxima."""
        b0, beta0, _ = self._nearest(b)
        starts = [beta0]
        if np.isfinite(self.se) and abs(b - b0) <= 3.0 * self.se:
            starts.insert(0, beta0 + self.path * (b - b0))
        if self.thorough:
            starts += self._cold_starts(b)
        best = None
        for start in starts:
            beta, st, conv = self._fit(b, start)
            if conv and (best is None or st["pll"] > best[1]["pll"]):
                best = (beta, st)
                if not self.thorough:
                    break
        if best is None:
            return np.nan
        beta, st = best
        self.cache.append((b, beta, float(st["score"][self.j] + st["adj"][self.j])))
        return 2.0 * (self.pll - st["pll"])

    def higher_elsewhere(self, b: float, drop: float) -> bool:
        """Whether a fit at ``b`` from the estimate finds a higher constrained maximum than the
        path did (its drop ``drop`` lower by more than rounding)."""
        for start in self._cold_starts(b):
            _, st, conv = self._fit(b, start)
            if conv and 2.0 * (self.pll - st["pll"]) < drop - 1e-8 * (1.0 + drop):
                return True
        return False

    def _fit(self, b, start):
        self.fits += 1
        try:
            return _fixed(self.model, start, [self.j], [b], self.tol, self.max_iter)
        except (ConvergenceError, np.linalg.LinAlgError):
            return None, None, False


def penalized_profile_conf_int(X, y, trials, weights, offset, link: str | Link, params, cov,
                               pll: float, alpha: float = 0.05, which=None, tol: float = 1e-10,
                               max_iter: int = 200) -> tuple[np.ndarray, np.ndarray]:
    r"""Profile penalized-likelihood interval ends (``logistf(pl=TRUE)``) of ``which``.

    Parameters
    ----------
    X, y, trials, weights, offset
        The fit's arrays.
    link : str or Link
        Must be the logit link (see the module notes).
    params, cov : ndarray
        Firth's estimate and its covariance :math:`F^{-1}` (for the first trial points and
        warm starts only).
    pll : float
        :math:`l^*(\hat\beta)`.
    alpha : float
        Level :math:`1-\alpha`; cut-off :math:`\chi^2_{1,1-\alpha}`.
    which : iterable of int, optional
        Coefficient positions (default all).
    tol, max_iter
        Settings of the constrained Newton fits (:func:`fixed_fit`).

    Returns
    -------
    lower, upper : ndarray, shape (p,)
        NaN for coefficients not in ``which``.
    """
    if not 0.0 < alpha < 1.0:
        raise SpecificationError(f"alpha={alpha!r} must lie strictly between 0 and 1")
    model = _model(X, y, trials, weights, offset, link)
    params, cov = np.asarray(params, float), np.asarray(cov, float)
    p = params.size
    q = float(stats.chi2.ppf(1.0 - alpha, 1))
    lower, upper = np.full(p, np.nan), np.full(p, np.nan)
    for j in (range(p) if which is None else which):
        prof = _PenalizedProfile(model, int(j), params, cov, pll, tol, max_iter)
        for side, ends in ((-1, lower), (1, upper)):
            end = _one_side(prof, -2.0 * pll, q, side)
            if np.isfinite(end) and prof.higher_elsewhere(end, q):
                # the path followed a lower branch of l*_j: again, best of several starts
                thorough = _PenalizedProfile(model, int(j), params, cov, pll, tol, max_iter, True)
                end = _one_side(thorough, -2.0 * pll, q, side)
            ends[j] = end
    return lower, upper
