r"""The overlap certificate: a converged fit proves that binary data are not separated.

By Stiemke's lemma the recession cone of :mod:`logitstat.diagnostics.separation` holds no
separating direction exactly when some strictly positive combination of the signed rows
vanishes; the score equations at the estimate give one, up to the fit's last step and rounding.
:func:`overlap_certificate` corrects the multipliers by that step and bounds what rounding
leaves, in one pass over :math:`X` on ordinary data, so that :func:`needs_lp` can skip the
linear programs.  Pure functions of arrays.
"""
from __future__ import annotations

import numpy as np

from ..fitting import kernels

__all__ = ["overlap_certificate", "needs_lp", "rounding_exact", "rounding_bound"]

_EPS = np.finfo(float).eps


def _multipliers(y, m, w, mu, dmu):
    r"""Live/success/failure masks, :math:`\lambda^\pm` and the scoring weights :math:`W`."""
    live = (w > 0) & (m > 0)
    succ, fail = live & (y > 0), live & (y < 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wm = w * m * dmu
        lam_s = np.where(succ, wm * y / mu, 0.0)
        lam_f = np.where(fail, wm * (1.0 - y) / (1.0 - mu), 0.0)
        W = np.where(live, wm * dmu / (mu * (1.0 - mu)), 0.0)
    return live, succ, fail, lam_s, lam_f, W


def rounding_exact(size: np.ndarray, cov: np.ndarray) -> float:
    r""":math:`s^\top|A^{-1}|s`, the square of the certificate's rounding term over
    :math:`\gamma`, from the sums :math:`s = |X|^\top\Lambda` (one pass over :math:`|X|`)."""
    return float(size @ np.abs(cov) @ size)


def rounding_bound(spread: float, A: np.ndarray, cov: np.ndarray) -> float:
    r"""An upper bound on :func:`rounding_exact` that needs no pass over :math:`|X|`.

    Cauchy-Schwarz with the scoring weights gives
    :math:`s_j = \sum_i |x_{ij}|\Lambda_i \le \sqrt{A_{jj}}\sqrt{Q}`,
    :math:`Q = \sum_i \Lambda_i^2/W_i` (``spread``, summed elementwise in the pass that forms
    the remainder), so :math:`s^\top|A^{-1}|s \le Q\, d^\top|A^{-1}|d` with
    :math:`d = \sqrt{\operatorname{diag} A}`.
    """
    d = np.sqrt(np.abs(np.diag(A)))
    return float(spread) * float(d @ np.abs(cov) @ d)


def _corrected(y, m, w, mu, dmu, mv):
    r"""A block's corrected multipliers (step 1 of :func:`overlap_certificate`): returns
    :math:`\lambda^+ - \lambda^-`, :math:`\Lambda = \lambda^+ + \lambda^-`,
    :math:`\max_i \rho_i` and :math:`\sum_i \Lambda_i^2/W_i` over the live rows, or None
    when a correction factor falls below 1/2 (or a multiplier is not positive)."""
    _, succ, fail, ls, lf, W = _multipliers(y, m, w, mu, dmu)
    lam = ls + lf
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = np.where(lam > 0, W * mv / lam, 0.0)
    if np.any(succ & ~(t <= 0.5)) or np.any(fail & ~(t >= -0.5)):
        return None
    ls, lf = ls * (1.0 - t), lf * (1.0 + t)
    lam = ls + lf
    live = succ | fail
    if np.any(live & ~(lam > 0)):
        return None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        rho = float(np.max(np.where(live, np.sqrt(W) / lam, 0.0), initial=0.0))
        spread = float(np.sum(np.where(live, lam * lam / W, 0.0)))
    return ls - lf, lam, rho, spread


def _corrected_plain(y, mu, dmu, mv):
    r""":func:`_corrected` for unweighted 0/1 rows (every row live, :math:`0 < \mu < 1` and
    :math:`\mu' > 0` checked by the caller), without masks: with :math:`u = \mu'/\mu` and
    :math:`v = \mu'/(1-\mu)`, :math:`W = uv`, an event has :math:`\Lambda = u` and
    :math:`t = v\,x^\top\delta`, a non-event :math:`\Lambda = v` and :math:`t = u\,x^\top\delta`,
    and with the sign :math:`s = 2y - 1` the corrected multiplier is :math:`\Lambda(1 - st)`."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        up, down = dmu / mu, dmu / (1.0 - mu)
        event = y > 0.0
        lam = np.where(event, up, down)
        st = np.where(event, down, -up) * mv
        if not np.all(st <= 0.5):                 # (NaN fails too)
            return None
        lam *= 1.0 - st
        W = up * down
        rho = float(np.max(np.sqrt(W) / lam, initial=0.0))
        spread = float(np.sum(lam * lam / W))
        diff = np.where(event, lam, -lam)
    return diff, lam, rho, spread


def overlap_certificate(X: np.ndarray, y: np.ndarray, mu: np.ndarray, dmu: np.ndarray,
                        trials: np.ndarray | None = None, weights: np.ndarray | None = None,
                        moved: np.ndarray | None = None, cov: np.ndarray | None = None) -> bool:
    r"""True when a fit proves that the data overlap (no separation), without an LP.

    By Stiemke's lemma the cone :math:`\{b: \tilde X b \ge 0\}` holds no separating direction
    iff some :math:`\lambda > 0` has :math:`\tilde X^\top \lambda = 0`.  The score of the
    likelihood is such a combination: with :math:`w_i` weights, :math:`m_i` trials and
    :math:`\mu'_i = d\mu/d\eta`, success rows get
    :math:`\lambda_i^+ = w_i m_i y_i \mu'_i/\mu_i` and failure rows
    :math:`\lambda_i^- = w_i m_i (1-y_i) \mu'_i/(1-\mu_i)`, all strictly positive however
    widely they spread, and :math:`\tilde X^\top\lambda = g` is the score.  Only the small
    remainder :math:`g` needs care:

    1. *Correction.*  Scaling row :math:`i`'s multipliers by :math:`1 \mp t_i`,
       :math:`t_i = W_i x_i^\top\delta/(\lambda_i^+ + \lambda_i^-)`, with
       :math:`W_i = w_i m_i \mu_i'^2/(\mu_i(1-\mu_i))` and :math:`\delta = A^{-1} g`,
       :math:`A = X^\top W X` (the scoring step), leaves :math:`g - A\delta = 0`.  Each factor
       must stay above 1/2.
    2. *Rounding.*  One pass over :math:`X` sums the corrected combination :math:`r` and its
       size :math:`s = |X|^\top(\lambda^+ + \lambda^-)`; the true remainder is within
       :math:`\gamma s` of the computed one, :math:`\gamma = (B + n/B + p + 8)\,\epsilon`
       for sums in blocks of :math:`B` rows.  A second correction :math:`f_i = W_i x_i^\top
       A^{-1} r/\Lambda_i` would remove it; since :math:`A \succeq W_i x_i x_i^\top`,
       Cauchy-Schwarz gives :math:`|f_i| \le \rho_i \sqrt{r^\top A^{-1} r}`,
       :math:`\rho_i = \sqrt{W_i}/\Lambda_i`, so the certificate holds when
       :math:`\max_i \rho_i \,(\sqrt{r^\top A^{-1} r} + \gamma\sqrt{s^\top|A^{-1}|s})
       \le 1/2` (a factor 2 spare for the inexact :math:`A^{-1}`).  :math:`\rho_i` grows like
       :math:`1/\sqrt{\min(\mu_i, 1-\mu_i)}`, so fitted probabilities down to about
       :math:`10^{-18}` are certified at :math:`n = 10^6`.
    3. *One pass.*  The pass first bounds :math:`s^\top|A^{-1}|s` without :math:`|X|`
       (:func:`rounding_bound`), which settles ordinary data; only when that bound is too
       loose does a second pass sum :math:`s` itself (:func:`rounding_exact`).

    With ``moved`` :math:`= X\delta` (:attr:`logitstat.irls.IRLSResult.eta_info`) and ``cov``
    :math:`= A^{-1}` from the fit, that pass is all; without them :math:`g` and :math:`A` are
    summed in one more pass.

    Parameters
    ----------
    X, y, trials, weights
        As for :func:`detect_separation`.
    mu, dmu : ndarray, shape (n,)
        Fitted probabilities and :math:`d\mu/d\eta` at the point the certificate is built on.
    moved : ndarray, shape (n,), optional
        :math:`x_i^\top\delta` for the scoring step :math:`\delta` at that point.
    cov : ndarray, shape (p, p), optional
        :math:`(X^\top W X)^{-1}` at that point (used only with ``moved``).
    """
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    y = np.asarray(y, dtype=float).reshape(-1)
    m = np.ones(n) if trials is None else np.asarray(trials, dtype=float).reshape(-1)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    mu = np.asarray(mu, dtype=float).reshape(-1)
    dmu = np.asarray(dmu, dtype=float).reshape(-1)
    live = (w > 0) & (m > 0)
    if not live.any() or not np.all(np.isfinite(mu[live]) & np.isfinite(dmu[live])):
        return False
    if not np.all((mu[live] > 0) & (mu[live] < 1) & (dmu[live] > 0)):
        return False
    B = kernels.BLOCK_ROWS
    step = A = None
    if moved is None or cov is None:
        def first(a: int, b: int):
            _, _, _, ls, lf, W = _multipliers(y[a:b], m[a:b], w[a:b], mu[a:b], dmu[a:b])
            sw = np.sqrt(W)
            return kernels.gram_chunk(X[a:b], 0, b - a, sw, (ls - lf) / np.where(sw > 0, sw, 1))

        parts = kernels.map_chunks(first, n)
        A = kernels._sum([q[0] for q in parts])
        g = kernels._sum([q[1] for q in parts])
        try:
            cov = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            return False
        step = cov @ g
    else:
        moved = np.asarray(moved, dtype=float).reshape(-1)
    cov = np.asarray(cov, dtype=float)
    if not np.all(np.isfinite(cov)) or (step is not None and not np.all(np.isfinite(step))):
        return False
    if A is None:  # the information behind cov, for the cheap rounding bound when it is
        try:       # accurate (else only the exact sums decide)
            A = np.linalg.inv(cov)
        except np.linalg.LinAlgError:
            A = None
        if A is not None and not np.allclose(A @ cov, np.eye(p), rtol=0.0, atol=1e-6):
            A = None

    plain = bool(np.all(m == 1.0) and np.all(w == 1.0) and np.all((y == 0.0) | (y == 1.0)))

    def check(a: int, b: int, exact: bool):
        r, size, rho, spread = np.zeros(p), np.zeros(p), 0.0, 0.0
        buf = kernels.block_buffer(X, b - a) if exact else None
        for s0 in range(a, b, B):
            e0 = min(s0 + B, b)
            Xb = X[s0:e0]
            mv = Xb @ step if step is not None else moved[s0:e0]
            if plain:
                terms = _corrected_plain(y[s0:e0], mu[s0:e0], dmu[s0:e0], mv)
            else:
                terms = _corrected(y[s0:e0], m[s0:e0], w[s0:e0], mu[s0:e0], dmu[s0:e0], mv)
            if terms is None:
                return r, size, rho, spread, True
            diff, lam, rho_b, spread_b = terms
            rho, spread = max(rho, rho_b), spread + spread_b
            r += Xb.T @ diff
            if exact:
                Xa = buf[:e0 - s0]
                np.abs(Xb, out=Xa)
                size += Xa.T @ lam
        return r, size, rho, spread, False

    def bound(exact: bool) -> bool:
        parts = kernels.map_chunks(lambda a, b: check(a, b, exact), n)
        if any(q[4] for q in parts):
            return False
        r = kernels._sum([q[0] for q in parts])
        rho = max(q[2] for q in parts)
        quad = float(r @ cov @ r)
        if exact:
            rounding = rounding_exact(kernels._sum([q[1] for q in parts]), cov)
        else:
            rounding = rounding_bound(sum(q[3] for q in parts), A, cov)
        gamma = (B + n / B + p + 8) * _EPS
        total = np.sqrt(max(quad, 0.0)) + gamma * np.sqrt(rounding)
        return bool(np.isfinite(rho) and np.isfinite(total) and rho * total <= 0.5)

    # the rounding term from a bound on |X|'Lambda first (no pass over |X|); the exact sums
    # only when that bound is too loose to decide
    if A is not None and bound(exact=False):
        return True
    return bound(exact=True)


def needs_lp(X: np.ndarray, y: np.ndarray, mu: np.ndarray | None, dmu: np.ndarray | None,
             converged: bool, trials: np.ndarray | None = None,
             weights: np.ndarray | None = None, moved: np.ndarray | None = None,
             cov: np.ndarray | None = None) -> bool:
    """Decide whether the linear programs must run after a fit (conservatively).

    Returns False only when the fit converged and :func:`overlap_certificate` proves overlap;
    a report of ``kind="none"`` is then certain.  Anything else (no fit, no convergence,
    fitted probabilities at 0 or 1, a remainder too large for the certificate) asks for the LP.
    """
    if not converged or mu is None or dmu is None:
        return True
    return not overlap_certificate(X, y, mu, dmu, trials, weights, moved, cov)
