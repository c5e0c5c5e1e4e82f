r"""Firth's bias-reduced estimation for binary and binomial GLMs, as pure functions of arrays.

For a binomial GLM with prior (frequency) weights :math:`w_i`, trials :math:`m_i`, event
proportions :math:`y_i`, :math:`\mu_i = g^{-1}(\eta_i)`, :math:`d_i = d\mu_i/d\eta_i` and
:math:`d'_i = d^2\mu_i/d\eta_i^2`, the working weights are
:math:`W_i = w_i m_i d_i^2 / (\mu_i(1-\mu_i))`, the Fisher information is
:math:`F = X^\top W X` and the hat values are :math:`h_i = W_i\, x_i^\top F^{-1} x_i`.
The mean-bias-reducing adjusted score (Firth 1993; Kosmidis & Firth 2009; ``brglm2``'s
``type = "AS_mean"``) is

.. math::

    U^*(\beta) = \sum_i \Big[ \frac{w_i m_i d_i}{\mu_i(1-\mu_i)}(y_i - \mu_i)
                 + \tfrac12 h_i \frac{d'_i}{d_i} \Big] x_i .

For the logit link :math:`d'_i/d_i = 1 - 2\mu_i` and :math:`U^*` is the gradient of the
penalized log-likelihood :math:`l^*(\beta) = l(\beta) + \tfrac12 \log\lvert F(\beta)\rvert`
(Jeffreys prior), so the estimate maximizes :math:`l^*`; penalized likelihood-ratio tests and
profile-penalized-likelihood intervals (as ``logistf``) are defined from it.  For other links
the estimate solves :math:`U^* = 0` (as ``brglm2``); :math:`l^*` is still reported.
The estimate is found by quasi-Fisher scoring, :math:`\beta \leftarrow \beta + F^{-1}U^*`,
with step halving; its covariance is :math:`F^{-1}` at the estimate, as ``brglm2`` reports.
Estimates stay finite under separation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats

from .errors import ConvergenceError, SpecificationError
from .links import Link, get_link

__all__ = ["FirthResult", "firth", "fisher_scoring", "penalized_lr_test", "profile_interval"]

#: Iterates over which the merit of the adjusted-score equations (non-logit links) may not rise.
_WINDOW = 5


@dataclass(frozen=True, eq=False)
class FirthResult:
    """Outcome of :func:`firth` (or of plain scoring, :func:`fisher_scoring`).

    Attributes
    ----------
    params : ndarray, shape (p,)
        Estimates.
    cov : ndarray, shape (p, p)
        Inverse Fisher information at the estimate.
    eta, mu, hat : ndarray, shape (n,)
        Linear predictor, fitted probabilities and hat values at the estimate.
    loglik : float
        Log-likelihood :math:`l(\\beta)` (binomial, with the binomial coefficients, as R).
    penalized_loglik : float
        :math:`l(\\beta) + \\tfrac12\\log|F(\\beta)|`.
    n_iter : int
        Scoring iterations.
    converged : bool
        Whether the largest step fell below the tolerance.
    """

    params: np.ndarray
    cov: np.ndarray
    eta: np.ndarray
    mu: np.ndarray
    hat: np.ndarray
    loglik: float
    penalized_loglik: float
    n_iter: int
    converged: bool

    @property
    def bse(self) -> np.ndarray:
        """Standard errors, square roots of the diagonal of :attr:`cov`."""
        return np.sqrt(np.diag(self.cov))


class _Model:
    """Arrays of one problem, with the quantities every iteration needs."""

    def __init__(self, X, y, trials, weights, offset, link):
        self.X = np.asarray(X, dtype=float)
        if self.X.ndim != 2:
            raise ValueError("X must be a 2-d array")
        n = self.X.shape[0]
        self.y = np.asarray(y, dtype=float).reshape(-1)
        self.m = np.ones(n) if trials is None else np.asarray(trials, dtype=float).reshape(-1)
        self.w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
        self.off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float).reshape(-1)
        if not (self.y.size == self.m.size == self.w.size == self.off.size == n):
            raise ValueError("X, y, trials, weights and offset must have the same number of rows")
        self.link: Link = get_link(link)
        self.wm = self.w * self.m
        succ, fail = self.wm * self.y, self.wm * (1.0 - self.y)
        self.succ, self.fail = succ, fail
        # log of the binomial coefficients, so that loglik matches R's logLik for grouped data
        k = self.m * self.y
        self.const = float(np.sum(self.w * (special.gammaln(self.m + 1) - special.gammaln(k + 1)
                                            - special.gammaln(self.m - k + 1))))

    def state(self, beta: np.ndarray) -> dict:
        """Everything at ``beta``: eta, mu, weights, information, hat values, scores."""
        eta = self.X @ beta + self.off
        lk = self.link
        mu = lk.linkinv(eta)
        d = lk.mu_eta(eta)
        var = mu * (1.0 - mu)
        W = self.wm * d * d / var
        F = self.X.T @ (W[:, None] * self.X)
        try:
            chol = np.linalg.cholesky(F)
        except np.linalg.LinAlgError as exc:
            raise ConvergenceError("the Fisher information is singular: the design matrix is "
                                   "not of full column rank") from exc
        A = np.linalg.solve(chol, self.X.T)          # L^{-1} X'
        hat = W * np.sum(A * A, axis=0)
        log_mu, log_1mu = lk.log_probs(eta)
        ll = float(np.sum(self.succ * log_mu + self.fail * log_1mu)) + self.const
        logdet = 2.0 * float(np.sum(np.log(np.diag(chol))))
        score = self.X.T @ (self.wm * d / var * (self.y - mu))
        adj = self.X.T @ (0.5 * hat * lk.mu_eta2(eta) / d)
        return {"eta": eta, "mu": mu, "F": F, "chol": chol, "hat": hat, "ll": ll,
                "pll": ll + 0.5 * logdet, "score": score, "adj": adj}


def _solve_chol(chol: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.solve(chol.T, np.linalg.solve(chol, b))


def _iterate(model: _Model, beta: np.ndarray, adjust: bool, free: np.ndarray,
             tol: float, max_iter: int) -> tuple[np.ndarray, dict, int, bool]:
    """Quasi-Fisher scoring over the ``free`` coordinates (the others stay where they are).

    With ``adjust`` the equations are :math:`U^*=0`, else the plain score :math:`U=0`.
    Step halving keeps the (penalized, for the logit link) log-likelihood from falling.  For
    adjusted scores of other links, which are not the gradient of any function, the merit is
    the scaled adjusted-score norm :math:`U^{*\top}F^{-1}U^*`; scoring does not lower it at
    every step (it may rise for a step or two as fitted probabilities approach 0 or 1, where
    ``brglm2``'s iterations keep going), so a step is accepted when the merit stays below its
    largest value over the last :data:`_WINDOW` iterates (a non-monotone line search, Grippo,
    Lampariello & Lucidi 1986); strict descent would creep along in tiny halved steps.
    """
    canonical_pl = adjust and model.link.name == "logit"

    def merit(st):
        u = st["score"] + (st["adj"] if adjust else 0.0)
        uf = u[free]
        Ff = st["F"][np.ix_(free, free)]
        if canonical_pl:
            return -st["pll"], uf, Ff
        if not adjust:
            return -st["ll"], uf, Ff
        return float(uf @ np.linalg.solve(Ff, uf)), uf, Ff

    st = model.state(beta)
    val, uf, Ff = merit(st)
    window = 1 if (canonical_pl or not adjust) else _WINDOW
    recent = [val]
    for it in range(1, max_iter + 1):
        ref = max(recent)
        step = np.linalg.solve(Ff, uf)
        if not np.all(np.isfinite(step)):
            raise ConvergenceError("scoring produced a non-finite step")
        factor = 1.0
        for _ in range(40):
            cand = beta.copy()
            cand[free] += factor * step
            try:
                st_new = model.state(cand)
                val_new, uf_new, Ff_new = merit(st_new)
            except ConvergenceError:
                val_new = np.inf
            if np.isfinite(val_new) and val_new <= ref + 1e-10 * (1.0 + abs(ref)):
                break
            factor *= 0.5
        else:
            return beta, st, it, False
        delta = factor * step
        beta, st, val, uf, Ff = cand, st_new, val_new, uf_new, Ff_new
        recent = (recent + [val])[-window:]
        if np.max(np.abs(delta)) <= tol * max(1.0, float(np.max(np.abs(beta[free])))):
            return beta, st, it, True
    return beta, st, max_iter, False


def _start(model: _Model) -> np.ndarray:
    """Least-squares start from the link of R's ``mustart = (m y + 1/2)/(m + 1)``."""
    mu0 = (model.m * model.y + 0.5) / (model.m + 1.0)
    z = model.link.linkfun(mu0) - model.off
    sw = np.sqrt(np.maximum(model.wm, 0.0))
    beta, *_ = np.linalg.lstsq(model.X * sw[:, None], z * sw, rcond=None)
    return beta


def _result(model: _Model, beta: np.ndarray, st: dict, n_iter: int, conv: bool) -> FirthResult:
    p = beta.size
    cov = _solve_chol(st["chol"], np.eye(p))
    return FirthResult(beta, 0.5 * (cov + cov.T), st["eta"], st["mu"], st["hat"], st["ll"],
                       st["pll"], n_iter, conv)


def firth(X: np.ndarray, y: np.ndarray, trials: np.ndarray | None = None,
          weights: np.ndarray | None = None, offset: np.ndarray | None = None,
          link: str | Link = "logit", start: np.ndarray | None = None, tol: float = 1e-10,
          max_iter: int = 200) -> FirthResult:
    """Firth / mean-bias-reduced estimates (``brglm2`` ``type="AS_mean"``).

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Design matrix of full column rank.
    y : ndarray, shape (n,)
        Event proportion per row (0/1 for Bernoulli rows).
    trials, weights, offset : ndarray, optional
        Binomial trials (ones), frequency weights (ones) and offset (zeros).
    link : str or Link
        ``"logit"`` (penalized likelihood with Jeffreys prior), ``"probit"``, ``"cloglog"``
        or ``"cauchit"`` (adjusted-score equations).
    start : ndarray, optional
        Starting values; by default a least-squares fit to the linked, shrunken response.
    tol : float
        Convergence when the largest step is below ``tol`` times ``max(1, max|beta|)``.
    max_iter : int
        Maximum number of scoring iterations.

    Returns
    -------
    FirthResult
    """
    model = _Model(X, y, trials, weights, offset, link)
    p = model.X.shape[1]
    beta = _start(model) if start is None else np.asarray(start, dtype=float).copy()
    beta, st, n_iter, conv = _iterate(model, beta, True, np.arange(p), tol, max_iter)
    return _result(model, beta, st, n_iter, conv)


def fisher_scoring(X: np.ndarray, y: np.ndarray, trials: np.ndarray | None = None,
                   weights: np.ndarray | None = None, offset: np.ndarray | None = None,
                   link: str | Link = "logit", start: np.ndarray | None = None,
                   tol: float = 1e-10, max_iter: int = 200) -> FirthResult:
    """Plain maximum likelihood by Fisher scoring with step halving (no adjustment).

    Same arguments and result as :func:`firth`; the maximum-likelihood estimate must exist.
    """
    model = _Model(X, y, trials, weights, offset, link)
    p = model.X.shape[1]
    beta = _start(model) if start is None else np.asarray(start, dtype=float).copy()
    beta, st, n_iter, conv = _iterate(model, beta, False, np.arange(p), tol, max_iter)
    return _result(model, beta, st, n_iter, conv)


def _require_logit(model: _Model, what: str) -> None:
    if model.link.name != "logit":
        raise SpecificationError(f"{what} needs the logit link: only there is Firth's estimate "
                                 "the maximum of a penalized likelihood")


def _constrained(model: _Model, beta0: np.ndarray, fixed: np.ndarray, values: np.ndarray,
                 tol: float, max_iter: int) -> float:
    """Maximum of the penalized log-likelihood with ``beta[fixed] = values``."""
    beta = beta0.copy()
    beta[fixed] = values
    free = np.setdiff1d(np.arange(beta.size), fixed)
    if free.size == 0:
        return model.state(beta)["pll"]
    beta, st, _, conv = _iterate(model, beta, True, free, tol, max_iter)
    if not conv:
        raise ConvergenceError("the constrained penalized fit did not converge")
    return st["pll"]


def penalized_lr_test(X: np.ndarray, y: np.ndarray, test: list[int] | np.ndarray,
                      trials: np.ndarray | None = None, weights: np.ndarray | None = None,
                      offset: np.ndarray | None = None, fit: FirthResult | None = None,
                      tol: float = 1e-10, max_iter: int = 200) -> tuple[float, int, float]:
    r"""Penalized likelihood-ratio test of :math:`\beta_J = 0` (logit link), as ``logistf``.

    .. math:: \chi^2 = 2\,[\,l^*(\hat\beta) - \max_{\beta_J = 0} l^*(\beta)\,]

    on :math:`|J|` degrees of freedom, where the restricted maximum keeps the full model's
    penalty :math:`\tfrac12\log|F(\beta)|` (Heinze & Schemper 2002).

    Returns
    -------
    (statistic, df, pvalue)
    """
    model = _Model(X, y, trials, weights, offset, "logit")
    if fit is None:
        fit = firth(X, y, trials, weights, offset, "logit", tol=tol, max_iter=max_iter)
    J = np.atleast_1d(np.asarray(test, dtype=int))
    restricted = _constrained(model, fit.params, J, np.zeros(J.size), tol, max_iter)
    stat = max(2.0 * (fit.penalized_loglik - restricted), 0.0)
    return stat, int(J.size), float(stats.chi2.sf(stat, J.size))


def profile_interval(X: np.ndarray, y: np.ndarray, j: int, alpha: float = 0.05,
                     trials: np.ndarray | None = None, weights: np.ndarray | None = None,
                     offset: np.ndarray | None = None, fit: FirthResult | None = None,
                     tol: float = 1e-10, max_iter: int = 200) -> tuple[float, float]:
    r"""Profile penalized-likelihood confidence interval for coefficient ``j`` (logit link).

    The interval holds the values :math:`c` with
    :math:`2\,[\,l^*(\hat\beta) - \max_{\beta_j = c} l^*(\beta)\,] \le \chi^2_{1,1-\alpha}`,
    as ``logistf``'s default intervals; each end is found by Brent's method.
    """
    model = _Model(X, y, trials, weights, offset, "logit")
    _require_logit(model, "profile_interval")
    if fit is None:
        fit = firth(X, y, trials, weights, offset, "logit", tol=tol, max_iter=max_iter)
    crit = float(stats.chi2.ppf(1.0 - alpha, 1))
    b = fit.params[j]
    se = float(np.sqrt(fit.cov[j, j]))

    def excess(c: float) -> float:
        fixed = np.array([j])
        return 2.0 * (fit.penalized_loglik
                      - _constrained(model, fit.params, fixed, np.array([c]), tol, max_iter)) - crit

    ends = []
    for sgn in (-1.0, 1.0):
        width = se * np.sqrt(crit)
        far = b + sgn * width
        for _ in range(60):
            if excess(far) > 0:
                break
            width *= 2.0
            far = b + sgn * width
        else:
            ends.append(sgn * np.inf)
            continue
        ends.append(optimize.brentq(excess, b, far, xtol=1e-10 * max(1.0, abs(b)), rtol=1e-12)
                    if sgn > 0 else
                    optimize.brentq(excess, far, b, xtol=1e-10 * max(1.0, abs(b)), rtol=1e-12))
    return float(ends[0]), float(ends[1])


def firth_fit(X: np.ndarray, y: np.ndarray, trials: np.ndarray, weights: np.ndarray,
              offset: np.ndarray, link: str | Link, start: np.ndarray | None = None,
              tol: float = 1e-10, max_iter: int = 200):
    """Firth's estimate packaged as an :class:`~logitstat.irls.IRLSResult` for the results layer.

    The deviance is that of the unpenalized likelihood at the penalized estimate;
    ``decrement`` is the scaled size of the last adjusted score,
    :math:`U^{*\\top} F^{-1} U^*`.
    """
    from .family import deviance as _deviance
    from .irls import IRLSResult

    res = firth(X, y, trials, weights, offset, link, start=start, tol=tol, max_iter=max_iter)
    model = _Model(X, y, trials, weights, offset, link)
    st = model.state(res.params)
    u = st["score"] + st["adj"]
    dec = float(u @ _solve_chol(st["chol"], u))
    lk = get_link(link)
    msg = "" if res.converged else f"Firth's iterations did not converge after {res.n_iter} steps"
    return IRLSResult(params=res.params, cov=res.cov, eta=res.eta,
                      deviance=_deviance(model.y, model.m, model.w, res.eta, lk),
                      n_iter=res.n_iter, converged=res.converged, decrement=dec, message=msg)
