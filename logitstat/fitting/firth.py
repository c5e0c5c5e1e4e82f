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

The estimate is found by Newton's method with the exact Jacobian :math:`J = \partial U^*/
\partial\beta^\top` (:func:`adjusted_score_jacobian`), which converges quadratically near the
solution (where quasi-Fisher scoring, :math:`\beta \leftarrow \beta + F^{-1}U^*`, converges only
linearly, slowly when fitted probabilities approach 0 or 1).  For the logit link :math:`J` is the
Hessian of :math:`l^*` and each Newton step is halved until :math:`l^*` does not fall (a scoring
step where :math:`-J` is not positive definite).  For the other links the equations may have
several roots; scoring steps, as ``brglm2``'s, are taken until a full Newton step cuts the scaled
adjusted score :math:`U^{*\top}F^{-1}U^*` fourfold (see :func:`_iterate`).  The iterations stop
when :math:`U^{*\top}F^{-1}U^* \le \mathrm{tol}^2`: the estimate is then within about
``tol`` standard errors of the root.  Information, hat values and :math:`\log|F|` are
accumulated in a whitened basis, so that the adjusted score stays accurate for ill-conditioned
designs.  The covariance is :math:`F^{-1}` at the estimate, as ``brglm2`` reports.  Estimates
stay finite under separation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, special, stats

from ..errors import ConvergenceError, SpecificationError
from . import kernels
from .family import observed_weights
from .links import Link, get_link

__all__ = ["FirthResult", "firth", "fisher_scoring", "penalized_lr_test", "profile_interval",
           "adjusted_score_jacobian"]

#: Iterates over which the merit of scoring steps for the adjusted-score equations of non-logit
#: links may not rise (a non-monotone line search).
_WINDOW = 5
#: Non-logit links: Newton steps are tried once the scaled adjusted score is below this (about
#: one standard error from the root), and taken only when they cut it at least by the factor
#: :data:`_NEWTON_CUT`, i.e. the Newton corrections contract by 1/2 (Deuflhard's monitor for the
#: region of quadratic convergence).
_NEWTON_FROM = 1.0
_NEWTON_CUT = 0.25
#: Halvings of a step before the iterations give up.
_HALVINGS = 40


@dataclass(frozen=True, eq=False)
class FirthResult:
    """Outcome of :func:`firth` (or of plain maximum likelihood, :func:`fisher_scoring`).

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
        Newton or scoring steps taken.
    converged : bool
        Whether the decrement fell to ``tol``.
    decrement : float
        :math:`\\lambda = (U^\\top F^{-1} U)^{1/2}` at the estimate (``U`` the adjusted score for
        :func:`firth`, the score for :func:`fisher_scoring`), as
        :attr:`~logitstat.fitting.irls.IRLSResult.decrement`: every coefficient is within about
        :math:`\\lambda` standard errors of the root.
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
    decrement: float = float("nan")

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

    def state(self, beta: np.ndarray, frame: tuple | None = None) -> dict:
        r"""Everything at ``beta``: eta, mu, weights, information, hat values, scores.

        The information is accumulated in a whitened basis, :math:`\tilde F = P^\top X^\top W
        X P` with :math:`P = L_0^{-\top}` from ``frame = (L_0, P)`` (the Cholesky factor of the
        information at a nearby point: then :math:`\tilde F \approx I`), so that its rounding
        errors, and those of the hat values and of :math:`\log|F|`, are relative to a
        well-conditioned matrix: about :math:`\epsilon\,\mathrm{cond}(L)` rather than
        :math:`\epsilon\,\mathrm{cond}(F)`, which keeps :math:`U^*` and :math:`l^*` smooth in
        :math:`\beta` to near machine precision even for ill-conditioned designs.  Without a
        frame one is made from :math:`X^\top W X` at ``beta`` (and, where that is too far from
        whitening, from the first pass).
        """
        eta = self.X @ beta + self.off
        lk = self.link
        mu = lk.linkinv(eta)
        d = lk.mu_eta(eta)
        d1 = lk.mu_eta2(eta)
        var = mu * (1.0 - mu)
        W = self.wm * d * d / var
        sw_root = np.sqrt(W)
        refine = frame is None
        if refine:
            frame = _frame(_cholesky(kernels.gram(self.X, W)))
        while True:
            L0, P = frame
            Ft = sum(_whitened(self.X, P, lambda Z, s, e: _syrk(Z * sw_root[s:e, None])))
            C = _cholesky(0.5 * (Ft + Ft.T))
            L = L0 @ C                                  # F = L L'
            Linv_t = P @ np.linalg.solve(C, np.eye(C.shape[0])).T
            # a frame from X'WX itself is off by about eps cond(F): once more in the new one
            if not refine or np.max(np.abs(Ft - np.eye(len(Ft)))) <= 1e-8:
                break
            frame, refine = (L, Linv_t), False
        q = np.concatenate(_whitened(self.X, Linv_t, lambda Z, s, e: np.einsum("ij,ij->i", Z, Z)))
        hat = W * q
        log_mu, log_1mu = lk.log_probs(eta)
        ll = float(np.sum(self.succ * log_mu + self.fail * log_1mu)) + self.const
        logdet = 2.0 * float(np.sum(np.log(np.abs(np.diag(L0)))) + np.sum(np.log(np.diag(C))))
        sw = self.wm * d / var * (self.y - mu)          # U = X' sw
        aw = 0.5 * hat * d1 / d                          # U* - U = X' aw
        Finv = Linv_t @ Linv_t.T
        return {"eta": eta, "mu": mu, "d": d, "d1": d1, "W": W, "q": q, "F": L @ L.T,
                "Finv": 0.5 * (Finv + Finv.T), "L": L, "Linv_t": Linv_t, "hat": hat, "ll": ll,
                "pll": ll + 0.5 * logdet, "sw": sw, "aw": aw, "score": self.X.T @ sw,
                "adj": self.X.T @ aw}


def _cholesky(F: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.cholesky(F)
    except np.linalg.LinAlgError as exc:
        raise ConvergenceError("the Fisher information is singular: the design matrix is "
                               "not of full column rank") from exc


def _frame(L: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whitening frame ``(L, L^{-T})`` for :meth:`_Model.state` from a Cholesky factor."""
    return L, np.linalg.solve(L, np.eye(L.shape[0])).T


def _syrk(A: np.ndarray) -> np.ndarray:
    return A.T @ A


def _whitened(X: np.ndarray, P: np.ndarray, fn) -> list:
    r"""``[fn(Z_b, lo, hi)]`` over row blocks ``lo:hi`` (in row order) of :math:`Z = XP`.

    With :math:`P = L^{-\top}` (:math:`F = LL^\top`) these are the rows of the whitened design,
    :math:`x_i^\top F^{-1} x_j = z_i^\top z_j`; working with a well-conditioned factor rather
    than :math:`F^{-1}` keeps them accurate.  Only one block of :math:`Z` exists at a time per
    thread.
    """
    n, p = X.shape
    step = max(1, min(kernels.BLOCK_ROWS, (1 << 19) // (p * (p + 1) // 2)))

    def chunk(lo: int, hi: int) -> list:
        return [fn(X[s:min(s + step, hi)] @ P, s, min(s + step, hi)) for s in range(lo, hi, step)]

    if n * p * p < 1 << 16:     # too small for BLAS to thread: spare the thread-limit calls
        return chunk(0, n)
    # the block products are small: threaded BLAS only adds synchronisation (and on a busy
    # machine spins for 100x longer than the arithmetic); large n is cut into threaded chunks
    with kernels.single_threaded_blas():
        return [r for part in kernels.map_chunks(chunk, n) for r in part]


def _jacobian(model: _Model, st: dict, adjust: bool) -> np.ndarray:
    """Jacobian of the (adjusted) score at the state ``st``; see :func:`adjusted_score_jacobian`."""
    X, lk, wm = model.X, model.link, model.wm
    eta, mu, d, d1, W, q = st["eta"], st["mu"], st["d"], st["d1"], st["W"], st["q"]
    g = -observed_weights(model.y, model.m, model.w, eta, lk)
    p = X.shape[1]
    symmetric = not adjust or lk.name == "logit"        # a Hessian, of l or of l*
    if adjust:
        var = mu * (1.0 - mu)
        c = 0.5 * d1 / d
        dc = 0.5 * (lk.mu_eta3(eta) / d - (d1 / d) ** 2)
        dW = wm * d / var * (2.0 * d1 - d * d * (1.0 - 2.0 * mu) / var)   # dW/deta
        g = g + (c * dW + dc * W) * q
        a, b = c * W, dW
        starts = np.concatenate([[0], np.cumsum(np.arange(p, 0, -1))])   # pairs (l, m >= l)

    def moments(Z, s, e):
        G = (g[s:e, None] * Z).T @ Z
        if not adjust:
            return G, None, None
        K = np.empty((len(Z), starts[-1]))   # products z_il z_im, l <= m
        for l in range(p):
            np.multiply(Z[:, l:l + 1], Z[:, l:], out=K[:, starts[l]:starts[l + 1]])
        R = (a[s:e, None] * Z).T @ K
        return G, R, (None if symmetric else (b[s:e, None] * Z).T @ K)

    parts = _whitened(X, st["Linv_t"], moments)
    Jw = sum(part[0] for part in parts)
    if adjust:
        # in whitened coordinates M = I and the (k, l) entry of the last term is tr(R_k T_l)
        R = sum(part[1] for part in parts)
        T = 2.0 * R if symmetric else sum(part[2] for part in parts)   # logit: W' = 2cW
        twice = np.full(starts[-1], 2.0)    # an off-diagonal pair stands for two entries
        twice[starts[:-1]] = 1.0
        Jw = Jw - (R * twice) @ T.T
    J = st["L"] @ Jw @ st["L"].T
    return 0.5 * (J + J.T) if symmetric else J


def adjusted_score_jacobian(X: np.ndarray, y: np.ndarray, beta: np.ndarray,
                            trials: np.ndarray | None = None, weights: np.ndarray | None = None,
                            offset: np.ndarray | None = None, link: str | Link = "logit",
                            adjust: bool = True) -> np.ndarray:
    r"""Exact Jacobian :math:`J = \partial U^*/\partial\beta^\top` of the adjusted score.

    With :math:`M = F^{-1}`, :math:`q_i = x_i^\top M x_i`, :math:`h_i = W_i q_i`,
    :math:`c_i = d'_i/(2d_i)`, :math:`W'_i = dW_i/d\eta_i`, :math:`c'_i = dc_i/d\eta_i` and
    :math:`v_i` the observed-information weights (:func:`~logitstat.fitting.family.observed_weights`),

    .. math::

        J = -X^\top \mathrm{diag}(v) X + X^\top \mathrm{diag}(c_i W'_i q_i + c'_i h_i) X
            - X^\top \mathrm{diag}(c_i W_i)\,(Q\circ Q)\,\mathrm{diag}(W'_j)\,X,

    :math:`Q = XMX^\top`, since :math:`\partial q_i/\partial\beta_l = -\sum_j W'_j x_{jl}
    Q_{ij}^2`.  The last term is computed without :math:`Q`: its :math:`(k, l)` entry is
    :math:`\mathrm{tr}(M R_k M T_l)` with :math:`R_k = \sum_i c_i W_i x_{ik} x_i x_i^\top` and
    :math:`T_l = \sum_j W'_j x_{jl} x_j x_j^\top`, :math:`O(np^3)` work, done in the whitened
    coordinates of :meth:`_Model.state` (where :math:`M = I`) in row blocks.  For the logit link
    :math:`J` is the Hessian of :math:`l^*` (symmetric).  With ``adjust=False`` it is the
    Hessian of :math:`l`, :math:`-X^\top\mathrm{diag}(v)X`.
    """
    model = _Model(X, y, trials, weights, offset, link)
    return _jacobian(model, model.state(np.asarray(beta, dtype=float)), adjust)


def _iterate(model: _Model, beta: np.ndarray, adjust: bool, free: np.ndarray,
             tol: float, max_iter: int) -> tuple[np.ndarray, dict, int, bool, float]:
    r"""Newton's method over the ``free`` coordinates (the others stay where they are).

    With ``adjust`` the equations are :math:`U^*=0`, else the plain score :math:`U=0`; only
    the free coordinates of the equations are solved, with :math:`J` and :math:`F` restricted
    to them.  Convergence: :math:`U_f^\top F_{ff}^{-1} U_f \le \mathrm{tol}^2` (:math:`f` the
    free coordinates).  Every state is computed in the whitened frame of the current iterate
    (see :meth:`_Model.state`), which keeps the rounding noise of :math:`U^{*\top}F^{-1}U^*`
    near :math:`10^{-24}` even where :math:`\mathrm{cond}(F) \approx 10^{12}`, well below the
    default :math:`\mathrm{tol}^2 = 10^{-20}`.

    When :math:`U` is a gradient (the logit adjusted score of :math:`l^*`, or the plain score
    of :math:`l`) a Newton step is taken where :math:`-J_{ff}` is positive definite, else a
    scoring step :math:`F_{ff}^{-1}U_f`; either is halved until the objective does not fall.
    Otherwise (adjusted scores of other links, which are not the gradient of any function, and
    whose equations may have several roots: ``brglm2``'s is the one its scoring reaches) the
    merit is :math:`\phi = U_f^\top F_{ff}^{-1} U_f`.  Once :math:`\phi \le`
    :data:`_NEWTON_FROM` a full Newton step is taken if it cuts :math:`\phi` at least by the
    factor :data:`_NEWTON_CUT`, as it does where Newton converges quadratically; else a scoring
    step is taken, accepted when :math:`\phi` stays below its largest value over the last
    :data:`_WINDOW` iterates (a non-monotone line search, Grippo, Lampariello & Lucidi 1986),
    since scoring may raise :math:`\phi` for a step or two as fitted probabilities approach 0
    or 1 (where ``brglm2``'s iterations keep going).  Halved Newton steps are not used there:
    on data with several roots they can lead away from the root that scoring reaches.

    Returns
    -------
    (beta, state, steps, converged, U_f^T F_ff^{-1} U_f)
    """
    objective = not adjust or model.link.name == "logit"
    full = free.size == beta.size

    def measures(st):
        u = st["score"] + st["adj"] if adjust else st["score"]
        uf = u[free]
        if full:
            z = st["Linv_t"].T @ u
            scoring, dec = st["Linv_t"] @ z, float(z @ z)
        else:
            Ff = st["F"][np.ix_(free, free)]
            scoring = linalg.cho_solve((np.linalg.cholesky(Ff), True), uf)
            dec = float(uf @ scoring)
        merit = -(st["pll"] if adjust else st["ll"]) if objective else dec
        return merit, uf, scoring, dec

    def search(direction, accept, halvings):
        t = 1.0
        for _ in range(halvings):
            cand = beta.copy()
            cand[free] += t * direction
            try:
                st_new = model.state(cand, (st["L"], st["Linv_t"]))
                meas = measures(st_new)
            except (ConvergenceError, np.linalg.LinAlgError):
                meas = None
            if meas is not None and np.isfinite(meas[0]) and accept(meas[0]):
                return cand, st_new, meas
            t *= 0.5
        return None

    st = model.state(beta)
    merit, uf, scoring, dec = measures(st)
    recent = [merit]
    it = 0
    while True:
        if dec <= tol * tol:
            return beta, st, it, True, dec
        if it >= max_iter:
            return beta, st, it, False, dec
        newton = None
        if objective or dec <= _NEWTON_FROM:
            try:
                J = _jacobian(model, st, adjust)[np.ix_(free, free)]
            except NotImplementedError:     # a user's Link without mu_eta3: scoring only
                J = None
            newton = None if J is None else _newton_step(J, uf, objective)
        if objective:
            slack = 1e-10 * (1.0 + abs(merit))
            found = None if newton is None else search(
                newton, lambda val: val <= merit + slack, _HALVINGS)
            if found is None:
                found = search(scoring, lambda val: val <= merit + slack, _HALVINGS)
        else:
            ref = max(recent)
            found = None if newton is None else search(
                newton, lambda val: val <= _NEWTON_CUT * merit, 1)
            if found is None:
                found = search(scoring, lambda val: val <= ref + 1e-10 * (1.0 + abs(ref)),
                               _HALVINGS)
        if found is None:
            return beta, st, it, False, dec
        it += 1
        beta, st, (merit, uf, scoring, dec) = found[0], found[1], found[2]
        recent = (recent + [merit])[-(1 if objective else _WINDOW):]


def _newton_step(J: np.ndarray, u: np.ndarray, objective: bool) -> np.ndarray | None:
    """:math:`-J^{-1}u`, or None where it is not usable (for an objective: :math:`-J` not
    positive definite, so that the step might not ascend)."""
    try:
        if objective:
            step = linalg.cho_solve((np.linalg.cholesky(-J), True), u)
        else:
            step = np.linalg.solve(J, -u)
    except np.linalg.LinAlgError:
        return None
    return step if np.all(np.isfinite(step)) else None


def _start(model: _Model) -> np.ndarray:
    """Least-squares start from the link of R's ``mustart = (m y + 1/2)/(m + 1)``."""
    mu0 = (model.m * model.y + 0.5) / (model.m + 1.0)
    z = model.link.linkfun(mu0) - model.off
    sw = np.sqrt(np.maximum(model.wm, 0.0))
    beta, *_ = np.linalg.lstsq(model.X * sw[:, None], z * sw, rcond=None)
    return beta


def _result(beta: np.ndarray, st: dict, n_iter: int, conv: bool, dec: float) -> FirthResult:
    return FirthResult(beta, st["Finv"], st["eta"], st["mu"], st["hat"], st["ll"], st["pll"],
                       n_iter, conv, float(np.sqrt(dec)))


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
        Convergence when the scaled adjusted score :math:`U^{*\top}F^{-1}U^*` (about twice
        the distance to the maximum of :math:`l^*` for the logit link, in log-likelihood
        units) is at most ``tol**2``: the estimates are then within about ``tol`` standard
        errors of the exact root (usually far less, as each Newton step near the solution
        squares it).  Below about ``1e-12`` rounding may keep it from being met.
    max_iter : int
        Maximum number of Newton (or scoring) steps; a few dozen at most are needed.

    Returns
    -------
    FirthResult
    """
    model = _Model(X, y, trials, weights, offset, link)
    p = model.X.shape[1]
    beta = _start(model) if start is None else np.asarray(start, dtype=float).copy()
    return _result(*_iterate(model, beta, True, np.arange(p), tol, max_iter))


def fisher_scoring(X: np.ndarray, y: np.ndarray, trials: np.ndarray | None = None,
                   weights: np.ndarray | None = None, offset: np.ndarray | None = None,
                   link: str | Link = "logit", start: np.ndarray | None = None,
                   tol: float = 1e-10, max_iter: int = 200) -> FirthResult:
    """Plain maximum likelihood (no adjustment) by Newton's method with step halving.

    Newton steps use the observed information; where it is not positive definite (non-canonical
    links, far from the estimate) a Fisher scoring step is taken.  Same arguments, convergence
    criterion (on the score :math:`U^\top F^{-1} U`) and result as :func:`firth`; the
    maximum-likelihood estimate must exist.
    """
    model = _Model(X, y, trials, weights, offset, link)
    p = model.X.shape[1]
    beta = _start(model) if start is None else np.asarray(start, dtype=float).copy()
    return _result(*_iterate(model, beta, False, np.arange(p), tol, max_iter))


def _require_logit(model: _Model, what: str) -> None:
    if model.link.name != "logit":
        raise SpecificationError(
            f"{what} need the logit link: with the {model.link.name} link Firth's estimate "
            "solves the bias-reducing adjusted-score equations (brglm2's AS_mean), which do not "
            "maximize a penalized likelihood; use Wald intervals (conf_int(method='wald')) or "
            "refit with ls.logit(..., method='firth')")


def penalized_lr_test(X: np.ndarray, y: np.ndarray, test: list[int] | np.ndarray,
                      trials: np.ndarray | None = None, weights: np.ndarray | None = None,
                      offset: np.ndarray | None = None, fit: FirthResult | None = None,
                      tol: float = 1e-10, max_iter: int = 200) -> tuple[float, int, float]:
    r"""Penalized likelihood-ratio test of :math:`\beta_J = 0` (logit link), as ``logistf``.

    .. math:: \chi^2 = 2\,[\,l^*(\hat\beta) - \max_{\beta_J = 0} l^*(\beta)\,]

    on :math:`|J|` degrees of freedom, where the restricted maximum keeps the full model's
    penalty :math:`\tfrac12\log|F(\beta)|` (Heinze & Schemper 2002); see
    :mod:`logitstat.models.firth.profile`.

    Returns
    -------
    (statistic, df, pvalue)
    """
    from ..models.firth.profile import _model, penalized_lr_stat   # firthprofile builds on this module
    model = _model(X, y, trials, weights, offset, "logit")
    if fit is None:
        fit = firth(X, y, trials, weights, offset, "logit", tol=tol, max_iter=max_iter)
    J = np.atleast_1d(np.asarray(test, dtype=int))
    stat = penalized_lr_stat(model, fit.params, fit.cov, fit.penalized_loglik, J, tol, max_iter)
    return stat, int(J.size), float(stats.chi2.sf(stat, J.size))


def profile_interval(X: np.ndarray, y: np.ndarray, j: int, alpha: float = 0.05,
                     trials: np.ndarray | None = None, weights: np.ndarray | None = None,
                     offset: np.ndarray | None = None, fit: FirthResult | None = None,
                     tol: float = 1e-10, max_iter: int = 200) -> tuple[float, float]:
    r"""Profile penalized-likelihood confidence interval for coefficient ``j`` (logit link).

    The interval holds the values :math:`c` with
    :math:`2\,[\,l^*(\hat\beta) - \max_{\beta_j = c} l^*(\beta)\,] \le \chi^2_{1,1-\alpha}`,
    as ``logistf``'s default intervals; see
    :func:`logitstat.models.firth.profile.penalized_profile_conf_int`.
    """
    from ..models.firth.profile import penalized_profile_conf_int
    if fit is None:
        fit = firth(X, y, trials, weights, offset, "logit", tol=tol, max_iter=max_iter)
    lo, hi = penalized_profile_conf_int(X, y, trials, weights, offset, "logit", fit.params,
                                        fit.cov, fit.penalized_loglik, alpha, [j], tol, max_iter)
    return float(lo[j]), float(hi[j])


def firth_fit(X: np.ndarray, y: np.ndarray, trials: np.ndarray, weights: np.ndarray,
              offset: np.ndarray, link: str | Link, start: np.ndarray | None = None,
              tol: float = 1e-10, max_iter: int = 200):
    """Firth's estimate packaged as an :class:`~logitstat.fitting.irls.IRLSResult` for the results layer.

    The deviance is that of the unpenalized likelihood at the penalized estimate;
    ``decrement`` is :math:`\\lambda = (U^{*\\top} F^{-1} U^*)^{1/2}` at the estimate (at most
    ``tol`` when ``converged``, as for IRLS); ``n_iter`` counts Newton (or scoring) steps.
    """
    from .family import deviance as _deviance
    from .irls import IRLSResult

    res = firth(X, y, trials, weights, offset, link, start=start, tol=tol, max_iter=max_iter)
    model = _Model(X, y, trials, weights, offset, link)
    msg = "" if res.converged else (
        f"Firth's iterations did not converge after {res.n_iter} steps (decrement "
        f"{res.decrement:.3g} > tol = {tol:.3g})")
    return IRLSResult(params=res.params, cov=res.cov, eta=res.eta,
                      deviance=_deviance(model.y, model.m, model.w, res.eta, model.link),
                      n_iter=res.n_iter, converged=res.converged, decrement=res.decrement,
                      message=msg)
