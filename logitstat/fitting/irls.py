r"""Iteratively reweighted least squares (with Newton steps) for binomial GLMs.

Each iteration at the current :math:`\eta` forms

.. math::

    W_i = \frac{p_i\,\mu'(\eta_i)^2}{\mu_i(1-\mu_i)}, \qquad
    z_i = \eta_i - o_i + \frac{y_i - \mu_i}{\mu'(\eta_i)},

with prior weights :math:`p_i = w_i m_i` (frequency weight times trials), and solves
:math:`(X^\top W X)\,\beta = X^\top W z` by Cholesky.  This is Fisher scoring.  The step is
halved while the deviance is not finite or increases (as R's ``glm.fit`` does for the former,
and ``glm2`` for the latter).

**Newton steps.**  For the logit link Fisher scoring *is* Newton's method.  For the other links
it converges only linearly, at a rate that approaches 1 on strongly misspecified data (a
cloglog or cauchit fit to logit-generated outcomes).  So with the probit, cloglog and cauchit
links, once scoring is close, the steps are Newton steps
:math:`\beta \leftarrow \beta + H^{-1}U` on the observed information
:math:`H = X^\top W^o X`.  Differentiating the row score
:math:`s_i = p_i (y_i-\mu_i)\mu_i'/V_i` (:math:`V = \mu(1-\mu)`) once more gives

.. math::

    W^o_i = -\frac{\partial s_i}{\partial\eta_i}
          = W_i - s_i\,\frac{d}{d\eta}\log\frac{\mu'}{V}
          = W_i - s_i\Big(\frac{\mu''}{\mu'} - \frac{\mu'(1-2\mu)}{V}\Big),

which is :math:`W_i` for the logit link (the bracket vanishes) and never negative for the
log-concave links (probit, cloglog: each row's log-likelihood is concave in :math:`\eta`).
These links take Newton steps from the start on (after the first, scoring, step from R's
:math:`\mu_0`).  Cauchit weights can be negative: those blocks accumulate
:math:`X_b^\top W^o_b X_b` by ``gemm`` instead of ``syrk``, its Newton steps begin only when
the scoring decrement is below :data:`~logitstat.fitting.drive.NEWTON_SWITCH`, and a step falls
back to scoring when :math:`H` is not positive definite.  Every step, Newton's or
Fisher's, is halved while the deviance rises; after two Newton steps that needed halving the
fit goes on by scoring alone.  Cloglog working quantities are computed from
:math:`t = e^\eta` without forming :math:`1-\mu` (which R's formulas lose for
:math:`\eta > 3`; there R's clamped score contradicts the deviance and scoring stalls).

**Convergence.**  At the iterate :math:`\beta_k` the *scoring* step is
:math:`\delta_k = (X^\top W X)^{-1} U(\beta_k)` (:math:`U` the score, :math:`W` Fisher's
weights) and its decrement is

.. math:: \lambda_k^2 = \delta_k^\top X^\top W X\,\delta_k = U^\top (X^\top W X)^{-1} U .

By Cauchy–Schwarz :math:`|\delta_{kj}| \le \lambda_k\,\mathrm{se}_j`: when
:math:`\lambda_k <` ``tol`` every coefficient of :math:`\beta_k` is within about ``tol``
standard errors of the optimum.  The fit then takes that last (tiny) scoring step and returns
:math:`\beta_k + \delta_k`, with the covariance :math:`(X^\top W X)^{-1}` of :math:`\beta_k`
(the inverse Fisher information at the estimate to a relative ``tol``) and the linear
predictor and deviance at :math:`\beta_k + \delta_k`; ``eta_info`` keeps
:math:`X\beta_k + o`, so that ``eta - eta_info`` is :math:`X\delta_k` (the separation
certificate uses it).  The criterion is the same with Newton steps: a pass whose step is
predicted to land within ``tol`` (quadratic convergence, with the constant measured on the
previous steps) forms Fisher's information, alone or besides the observed one, and the
check is made on it.  Newton passes form only :math:`H`, so one ``syrk`` per block in
every pass but at most the last one or two.

**Start.**  By default R's :math:`\mu_0 = (p y + 1/2)/(p + 1)`.  Given the rank screen's
:math:`X^\top X` and :math:`X^\top y` (one pass, see :func:`logitstat.api.fit_design`),
large unweighted 0/1 fits start from the least-squares direction, scaled and shifted by a
two-parameter fit on a subsample (:meth:`_Model.initial`): a few standard errors from the
optimum, where Newton's method needs three or four passes.

When Cholesky fails or the system is ill-conditioned, the weighted least-squares step is solved
by a pivoted QR of :math:`W^{1/2}X` instead.

**Cost.**  One iteration is one pass over :math:`X` (:mod:`logitstat.fitting.kernels`): row blocks of
:math:`X` give :math:`\eta_b = X_b\beta + o_b`, then the working weights and responses, the
deviance of the block and the block's :math:`(W_b^{1/2}X_b)^\top(W_b^{1/2}X_b)` and
:math:`(W_b^{1/2}X_b)^\top W_b^{1/2} z_b`, all while the block is in cache; the chunks of rows
run on all cores.  For the logit and probit links the link functions are fused (one
transcendental evaluation per row for the weights, one for the deviance of 0/1 data); rows
where R's clamps bite (:math:`|\eta| > 30` for logit, :math:`> 8.13` for probit) go through
the :class:`~logitstat.fitting.links.Link` methods.  No :math:`n\times p` temporary is made (except by
the QR fallback), and only two length-:math:`n` vectors (:math:`\eta` now and at the trial
step) live across iterations.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import linalg, special

from . import family, kernels
from .drive import drive, scaled_cholesky
from .kernels import weighted_gram  # noqa: F401  (re-exported: its home until the layered layout)
from .links import CLogLog, Link, Logit, Probit
from .working import _cloglog_working, _curvature

BLOCK_ROWS = kernels.BLOCK_ROWS
START_MIN_ROWS = 100_000
"""Fits on fewer rows start from R's ``mustart`` (see :meth:`_Model.initial`)."""
START_ROWS = 50_000
"""Rows of the subsample that fits the start's intercept and scale."""
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)


@dataclass(frozen=True)
class IRLSResult:
    """Plain results of :func:`irls`.

    ``cov`` is the inverse Fisher information :math:`(X^\\top W X)^{-1}` at the estimate
    (evaluated at the last iterate :math:`\\beta_k`, within ``tol`` of the estimate).
    ``eta_info`` is the linear predictor at :math:`\\beta_k` when the fit converged by a last
    scoring step :math:`\\delta = (X^\\top W X)^{-1} U(\\beta_k)`, so that
    ``eta - eta_info`` is :math:`X\\delta` (which the overlap certificate of
    :mod:`logitstat.diagnostics.separation` uses); None otherwise.
    """

    params: np.ndarray
    cov: np.ndarray
    eta: np.ndarray
    deviance: float
    n_iter: int
    converged: bool
    decrement: float
    message: str = ""
    eta_info: np.ndarray | None = None

    def __repr__(self) -> str:  # arrays by shape, not their values
        from ..common.displays import compact_repr
        return compact_repr(self)


class _Model:
    """The constant arrays of one fit and the fused pass over them."""

    def __init__(self, X, y, trials, weights, offset, link: Link, threads: int | None = None):
        self.X, self.y, self.trials, self.weights, self.link = X, y, trials, weights, link
        self.threads = threads
        self.n, self.p = X.shape
        self.prior = weights * trials
        self.offset = offset
        self.off = offset if np.any(offset != 0) else None
        self.sqp = None if np.all(self.prior == 1.0) else np.sqrt(self.prior)
        self.binary = bool(np.all(trials == 1.0) and np.all((y == 0.0) | (y == 1.0)))
        kind = type(link)
        self.kind = ("logit" if kind is Logit else "probit" if kind is Probit
                     else "cloglog" if kind is CLogLog else None)
        self.thresh = (Logit._thresh if kind is Logit else Probit._thresh if kind is Probit
                       else 700.0 if kind is CLogLog else 0.0)
        self.logp = special.log_expit if kind is Logit else special.log_ndtr if kind is Probit else None
        self.newton = not link.canonical   # the observed information differs from Fisher's
        self.log_concave = self.kind is not None    # W^o >= 0: Newton is safe from the start
        self.xty = None                             # X'y from the rank screen (see initial)

    # ------------------------------------------------------------------ per block
    def working(self, eta: np.ndarray, s: int, e: int, newton: bool = False) -> tuple:
        r"""Square-root working weights :math:`\sqrt{W}` and :math:`\sqrt{W} z` of rows ``s:e``.

        With ``newton`` also the observed-information weights :math:`W^o` and
        :math:`W^o(\eta - o) + s` (:math:`s` the score of the row; see the module docstring).
        """
        y = self.y[s:e]
        kind = self.kind
        if kind is not None and eta.size and not (max(-eta.min(), eta.max()) <= self.thresh):
            kind = None  # R's clamps (or a non-finite eta) apply somewhere in this block
        wobs = None
        if kind == "logit":
            mu = special.expit(eta)
            sd = np.sqrt(mu * (1.0 - mu))
            sw = sd.copy()                               # mu' = mu (1 - mu) for the logit
        elif kind == "probit":
            mu = special.ndtr(eta)
            sd = np.sqrt(mu * (1.0 - mu))
            sw = np.exp(-0.5 * eta * eta)
            sw *= _INV_SQRT_2PI
            sw /= sd
        elif kind == "cloglog":
            sw, resid, wobs = _cloglog_working(eta, y, newton)
        else:
            mu = self.link.linkinv(eta)
            sd = np.sqrt(mu * (1.0 - mu))
            sw = self.link.mu_eta(eta) / sd
        if kind != "cloglog":
            if newton:
                wobs = _curvature(self.link, eta, mu, sd, sw, clamped=kind is None)
            resid = y - mu
            resid /= sd                                  # sqrt(W) (y - mu) / mu'
            if newton:                                   # W^o = W - s d/deta log(mu'/V)
                wobs *= -(sw * resid)
                wobs += sw * sw
        if self.sqp is not None:
            sqp = self.sqp[s:e]
            sw *= sqp
            resid *= sqp
            if newton:
                wobs *= self.prior[s:e]
        eo = eta - self.off[s:e] if self.off is not None else eta
        wz = sw * eo
        wz += resid
        if not newton:
            return sw, wz
        bh = wobs * eo
        bh += sw * resid                                 # + the score p (y - mu) mu' / V
        return sw, wz, wobs, bh

    def deviance(self, eta: np.ndarray, s: int, e: int) -> float:
        """Deviance of rows ``s:e`` at linear predictor ``eta``."""
        if self.binary and self.logp is not None:
            t = np.where(self.y[s:e] > 0.0, eta, -eta)
            lp = self.logp(t)
            total = lp.sum() if self.sqp is None else self.prior[s:e] @ lp
            return float(-2.0 * total)
        return family.deviance(self.y[s:e], self.trials[s:e], self.weights[s:e], eta, self.link)

    # ------------------------------------------------------------------ passes
    def fused_pass(self, beta: np.ndarray | None, eta: np.ndarray, mode: str = "fisher") -> tuple:
        r"""One pass over X: returns :math:`X^\top W X`, :math:`X^\top W z` and the deviance.

        With ``beta`` the linear predictor is computed into ``eta`` block by block; with
        ``beta=None`` the given ``eta`` is used.  ``mode="newton"`` forms the observed
        information :math:`H = X^\top W^o X` and :math:`H\beta + U` instead, ``mode="both"``
        both pairs; these two modes return ``(F, F beta + U, H, H beta + U, deviance)`` (None
        for what was not formed).
        """
        X, p = self.X, self.p
        fisher, newton = mode in ("fisher", "both"), mode in ("newton", "both")

        def chunk(lo: int, hi: int) -> tuple:
            A = np.zeros((p, p)) if fisher else None
            b = np.zeros(p) if fisher else None
            H = np.zeros((p, p)) if newton else None
            bh = np.zeros(p) if newton else None
            dev = 0.0
            buf = kernels.block_buffer(X, hi - lo)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                for s in range(lo, hi, BLOCK_ROWS):
                    e = min(s + BLOCK_ROWS, hi)
                    Xb, eb, Xs = X[s:e], eta[s:e], buf[:e - s]
                    if beta is not None:
                        np.matmul(Xb, beta, out=eb)
                        if self.off is not None:
                            eb += self.off[s:e]
                    work = self.working(eb, s, e, newton)
                    dev += self.deviance(eb, s, e)
                    if fisher:
                        np.multiply(Xb, work[0][:, None], out=Xs)
                        A += Xs.T @ Xs
                        b += Xs.T @ work[1]
                    if newton:
                        wh = work[2]
                        if wh.size and wh.min() >= 0.0:          # syrk on sqrt(W^o) X
                            np.multiply(Xb, np.sqrt(wh)[:, None], out=Xs)
                            H += Xs.T @ Xs
                        else:                                     # signed weights (cauchit): gemm
                            np.multiply(Xb, wh[:, None], out=Xs)
                            H += Xs.T @ Xb
                        bh += Xb.T @ work[3]
            return A, b, H, bh, dev

        parts = kernels.map_chunks(chunk, self.n, threads=self.threads)
        A, b, H, bh, dev = parts[0]
        for q in parts[1:]:
            if fisher:
                A += q[0]
                b += q[1]
            if newton:
                H += q[2]
                bh += q[3]
            dev += q[4]
        if not newton:
            return A, b, float(dev)
        H = (H + H.T) / 2.0          # exactly symmetric also after gemm
        return A, b, H, bh, float(dev)

    def first_pass(self, eta: np.ndarray, gram: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, float]:
        r"""The pass at the starting :math:`\eta`; with constant working weights :math:`W_i = c`
        and the caller's :math:`G = X^\top X`, :math:`X^\top W X = cG` and only
        :math:`X^\top W z` needs a (matrix-vector) pass over X."""
        if gram is None or gram.shape != (self.p, self.p):
            return self.fused_pass(None, eta)
        X = self.X

        def chunk(lo: int, hi: int) -> tuple[np.ndarray, float, float, float]:
            b = np.zeros(self.p)
            low, high = np.inf, -np.inf
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                for s in range(lo, hi, BLOCK_ROWS):
                    e = min(s + BLOCK_ROWS, hi)
                    sw, wz = self.working(eta[s:e], s, e)
                    low, high = min(low, sw.min()), max(high, sw.max())
                    wz *= sw
                    b += X[s:e].T @ wz
            return b, self.deviance(eta[lo:hi], lo, hi), low, high

        parts = kernels.map_chunks(chunk, self.n, threads=self.threads)
        low, high = min(q[2] for q in parts), max(q[3] for q in parts)
        if not (np.isfinite(low) and np.isfinite(high) and low == high):
            return self.fused_pass(None, eta)   # the weights vary: a full pass after all
        b = parts[0][0]
        for q in parts[1:]:
            b = b + q[0]
        return gram * (low * low), b, float(sum(q[1] for q in parts))

    def advance(self, step: np.ndarray, eta: np.ndarray, out: np.ndarray | None = None
                ) -> tuple[float, float, float]:
        r"""``out = eta + X\delta`` (in place when ``out`` is None), block by block.

        Returns the deviance there, :math:`\nu = \max_i |x_i^\top\delta|` and
        :math:`\max_i |\eta_i|` at the new point.
        """
        X = self.X
        out = eta if out is None else out

        def chunk(lo: int, hi: int) -> tuple[float, float, float]:
            dev, nu, top = 0.0, 0.0, 0.0
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                for s in range(lo, hi, BLOCK_ROWS):
                    e = min(s + BLOCK_ROWS, hi)
                    d = X[s:e] @ step
                    np.add(eta[s:e], d, out=out[s:e])
                    dev += self.deviance(out[s:e], s, e)
                    if e > s:
                        nu = max(nu, float(np.abs(d).max()))
                        top = max(top, float(np.abs(out[s:e]).max()))
            return dev, nu, top

        parts = kernels.map_chunks(chunk, self.n, threads=self.threads)
        return (float(sum(q[0] for q in parts)), max(q[1] for q in parts), max(q[2] for q in parts))

    def certify(self, new: np.ndarray, step: np.ndarray, decrement: float, tol: float,
                dev: float) -> float | None:
        r"""Try to prove, without a pass of :math:`X^\top W X`, that the Newton step lands within
        ``tol`` (logit only); return the deviance there when it does, else None.

        For the logit link :math:`|d \log W_i/d\eta_i| = |1-2\mu_i| \le 1`, so along the step
        the information stays between :math:`e^{\mp\nu}` times its value at the start, where
        :math:`\nu = \max_i |x_i^\top\delta|`.  Integrating the score along the step gives a
        bound on the decrement at the new point,

        .. math:: \lambda_{k+1} \le e^{\nu/2}\Big(\frac{e^\nu - 1}{\nu} - 1\Big)\lambda_k
                  \approx \tfrac{\nu}{2}\lambda_k ,

        and the covariance of the previous point is the one at the new point to a relative
        :math:`e^{\nu}-1`.  The shortcut is taken when the bound is below ``tol``, :math:`\nu`
        is below ``tol`` (so the covariance is that of the estimate to that precision), the
        deviance did not rise and R's clamps (:math:`|\eta| > 30`) play no part.  Otherwise the
        new point's linear predictor is kept for the next pass (see :meth:`pass_at`).
        """
        if self.kind != "logit" or decrement > 1e-2:
            return None
        new_dev, nu, top = self.advance(step, self.eta, self.trial)
        self._trial_beta = new
        # (needed only when nu <= tol; a large nu, far out under separation, would overflow exp)
        bound = np.exp(nu / 2.0) * (np.expm1(nu) / nu - 1.0) * decrement if 0 < nu <= tol else 0.0
        if (nu <= tol and bound < tol and top <= self.thresh and np.isfinite(new_dev)
                and new_dev - dev <= 1e-10 * (abs(dev) + 0.1)):
            self.accept()
            return new_dev
        return None

    # ------------------------------------------------------------------ the driver's interface
    def start(self, beta: np.ndarray | None, gram: np.ndarray | None, mode: str = "fisher") -> tuple:
        """The pass at the start: R's ``mustart`` when ``beta`` is None, else ``X beta``."""
        self.eta = np.empty(self.n)
        self.trial = np.empty(self.n)
        self._trial_beta = None
        if beta is None:
            prior = self.prior
            self.eta[:] = self.link.linkfun((prior * self.y + 0.5) / (prior + 1.0))
            return self.first_pass(self.eta, gram)
        return self.fused_pass(beta, self.eta, mode)

    def initial(self, gram: np.ndarray | None) -> np.ndarray | None:
        r"""A start from the rank screen's moments, or None (then R's ``mustart``).

        With :math:`G = X^\top X` and :math:`X^\top y` (``self.xty``) from the rank screen's
        pass, the least-squares coefficients :math:`b = G^{-1}X^\top y` give the direction;
        the intercept :math:`a` and scale :math:`k` of :math:`\eta = a + k\,x^\top b` are
        fitted by this link on a systematic subsample of :data:`START_ROWS` rows (no pass over
        X).  For covariates with linear conditional means (e.g. Gaussian) the slopes of any
        single-index binary model are proportional to :math:`b` (Brillinger 1983; Li & Duan
        1989), so the start is within a few standard errors of the optimum.  Only for
        unweighted 0/1 data without offset, at least :data:`START_MIN_ROWS` rows and a column
        of ones.
        """
        n, p = self.n, self.p
        if (self.xty is None or gram is None or gram.shape != (p, p) or n < START_MIN_ROWS
                or not self.binary or self.sqp is not None or self.off is not None):
            return None
        rows = np.arange(0, n, max(1, n // START_ROWS))
        sub = self.X[rows]
        # a column of ones (sum of squares n, ones on the subsample: it is only a start)
        ones = [j for j in np.flatnonzero(np.diag(gram) == n) if np.all(sub[:, j] == 1.0)]
        factor = scaled_cholesky(gram) if ones else None
        if factor is None:
            return None
        c, d = factor
        b = linalg.cho_solve(c, self.xty / d, check_finite=False) / d
        u = sub @ b
        Z = np.column_stack([np.ones(len(rows)), u])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fit = irls(Z, self.y[rows], np.ones(len(rows)), np.ones(len(rows)),
                           np.zeros(len(rows)), self.link, tol=1e-6, max_iter=25)
        except Exception:  # noqa: BLE001 - only a start: R's mustart instead
            return None
        if not (fit.converged and np.all(np.isfinite(fit.params))):
            return None
        beta = fit.params[1] * b
        beta[ones[0]] += fit.params[0]
        return beta

    def pass_at(self, beta: np.ndarray, mode: str = "fisher") -> tuple:
        """The pass at a trial point (reusing its linear predictor when :meth:`certify` has
        just computed it); ``mode`` as in :meth:`fused_pass`."""
        known = self._trial_beta is not None and np.array_equal(self._trial_beta, beta)
        self._trial_beta = None
        return self.fused_pass(None if known else beta, self.trial, mode)

    def halve(self, beta: np.ndarray) -> float:
        """Deviance half way from the current point to the trial point (which moves there)."""
        self.trial += self.eta                  # eta is linear in beta
        self.trial *= 0.5
        return self.full_deviance(self.trial)

    def regram(self, beta: np.ndarray, mode: str = "fisher") -> tuple:
        """The pass at the trial point after halvings (its eta is known)."""
        return self.fused_pass(None, self.trial, mode)

    def repass(self, mode: str = "fisher") -> tuple:
        """The pass again at the current point (for Fisher's information after a Newton pass)."""
        return self.fused_pass(None, self.eta, mode)

    def accept(self) -> None:
        self.eta, self.trial = self.trial, self.eta

    def finish(self, beta: np.ndarray, step: np.ndarray) -> float:
        """Move the current point by ``step`` (a last, tiny step) and return the deviance; the
        linear predictor before the step stays in ``trial``."""
        dev = self.advance(step, self.eta, self.trial)[0]
        self.accept()
        return dev

    def lsq(self, beta_now: np.ndarray | None, A: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The weighted least-squares step by pivoted QR of :math:`W^{1/2}X` (ill-conditioned)."""
        sw, wz = self.full_working(self.eta)
        q, r, piv = linalg.qr(self.X * sw[:, None], mode="economic", pivoting=True,
                              check_finite=False)
        out = np.empty(self.p)
        out[piv] = linalg.solve_triangular(r, q.T @ wz, check_finite=False)
        return out

    def full_deviance(self, eta: np.ndarray) -> float:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return family.deviance(self.y, self.trials, self.weights, eta, self.link)

    def full_working(self, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``sqrt(W)`` and ``sqrt(W) z`` of every row (for the QR fallback only)."""
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return self.working(eta, 0, self.n)


def irls(X: np.ndarray, y: np.ndarray, trials: np.ndarray, weights: np.ndarray, offset: np.ndarray,
         link: Link, *, start: np.ndarray | None = None, tol: float = 1e-8, max_iter: int = 100,
         max_halvings: int = 30, gram: np.ndarray | None = None,
         xty: np.ndarray | None = None, newton: bool = True,
         deviance_rule: float | None = None) -> IRLSResult:
    """Fit a binomial GLM by IRLS (Fisher scoring, then Newton steps).

    Parameters
    ----------
    X : ndarray (n, p)
        Full-rank design matrix (C- or Fortran-ordered; it is never copied).
    y, trials, weights, offset : ndarray (n,)
        Proportions of events, trials per row, frequency weights, offset.
    link : Link
        Link function object.
    start : ndarray (p,), optional
        Starting coefficients (a warm start); by default R's ``mustart = (p y + 1/2)/(p + 1)``.
    tol : float
        Convergence tolerance on the decrement in standard-error units (see the module
        docstring).
    max_iter : int
        Maximum number of iterations; a :class:`ConvergenceWarning` is issued when reached.
    max_halvings : int
        Maximum number of step halvings in one iteration.
    gram : ndarray (p, p), optional
        :math:`X^\top X` when the caller has it already (the rank check computes it).  With
        the default start and constant starting weights (0/1 data without weights, a symmetric
        link) the first iteration then needs only :math:`X^\top W z`, not a pass of ``syrk``.
    xty : ndarray (p,), optional
        :math:`X^\top y` from the same pass as ``gram``: large unweighted 0/1 fits then start
        from the scaled least-squares fit (see :meth:`_Model.initial`).
    newton : bool
        Newton steps with the observed information once scoring is close (links other than
        the logit); False gives pure Fisher scoring, R's iterations.
    deviance_rule : float, optional
        Also stop (unconverged) once the relative change of the deviance falls below this, as
        R's ``glm.fit`` does (its ``epsilon``).

    Returns
    -------
    IRLSResult
        Estimate, inverse Fisher information, linear predictor and deviance, all at the
        returned estimate.
    """
    X = np.asarray(X, dtype=float)
    p = X.shape[1]
    model = _Model(X, np.asarray(y, dtype=float), np.asarray(trials, dtype=float),
                   np.asarray(weights, dtype=float), np.asarray(offset, dtype=float), link)
    if start is None and xty is not None:
        model.xty = np.asarray(xty, dtype=float)
    model.newton = model.newton and newton
    out = drive(model, p, start=start, tol=tol, max_iter=max_iter, max_halvings=max_halvings,
                gram=gram, deviance_rule=deviance_rule)
    return IRLSResult(params=out.params, cov=out.cov, eta=model.eta, deviance=out.deviance,
                      n_iter=out.n_iter, converged=out.converged, decrement=out.decrement,
                      message=out.message, eta_info=model.trial if out.converged else None)
