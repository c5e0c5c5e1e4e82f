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
from scipy import linalg

from ..fitting import kernels
from ..fitting.drive import scaled_cholesky

__all__ = ["overlap_certificate", "needs_lp", "rounding_exact", "rounding_bound"]

_EPS = np.finfo(float).eps

RHO_DROP = 1e4
r"""Rows whose :math:`\rho_i = \sqrt{W_i}/\Lambda_i` exceeds this (fitted probabilities within
about 1e-8 of the observed outcome) are left out of the certificate (see step 4)."""
_SLACK_ULPS = 16.0    # W of a row left out, as IRLS and this module compute it: a few ulps apart
_W_FLOOR = 1e-200     # IRLS's floor on the cloglog weight (logitstat.fitting.working)
SPREAD_EXACT = 1e4
r"""Rows whose :math:`\Lambda_i^2/W_i` exceeds this (badly predicted rows) have their share of
:math:`s = |X|^\top\Lambda` summed exactly instead of bounded (see step 3)."""


def _multipliers(y, m, w, up, down):
    r"""Live/success/failure masks, :math:`\lambda^\pm` and the scoring weights :math:`W`, from
    the ratios :math:`u = \mu'/\mu` and :math:`v = \mu'/(1-\mu)` (``Link.score_ratios``)."""
    live = (w > 0) & (m > 0)
    succ, fail = live & (y > 0), live & (y < 1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        wm = w * m
        lam_s = np.where(succ, wm * y * up, 0.0)
        lam_f = np.where(fail, wm * (1.0 - y) * down, 0.0)
        W = np.where(live, wm * up * down, 0.0)
    return live, succ, fail, lam_s, lam_f, W


def rounding_exact(size: np.ndarray, cov: np.ndarray) -> float:
    r""":math:`s^\top|A^{-1}|s`, the square of the certificate's rounding term over
    :math:`\gamma`, from the sums :math:`s = |X|^\top\Lambda` (one pass over :math:`|X|`)."""
    return float(size @ np.abs(cov) @ size)


def rounding_bound(spread: float, A: np.ndarray, cov: np.ndarray,
                   exact_part: np.ndarray | None = None) -> float:
    r"""An upper bound on :func:`rounding_exact` that needs no pass over :math:`|X|`.

    Cauchy-Schwarz with the scoring weights gives, over any set of rows,
    :math:`\sum_i |x_{ij}|\Lambda_i \le \sqrt{A_{jj}}\sqrt{Q}`,
    :math:`Q = \sum_i \Lambda_i^2/W_i` (``spread``, summed elementwise in the pass that forms
    the remainder), so :math:`s \le \bar s = d\sqrt{Q} + e` with :math:`d = \sqrt{\operatorname{diag} A}`
    and :math:`e` the exact sums of the rows left out of :math:`Q` (``exact_part``), and
    :math:`s^\top|A^{-1}|s \le \bar s^\top|A^{-1}|\bar s`.
    """
    d = np.sqrt(np.abs(np.diag(A))) * np.sqrt(float(spread))
    if exact_part is not None:
        d = d + exact_part
    return float(d @ np.abs(cov) @ d)


def _corrected(y, m, w, up, down, mv):
    r"""A block's corrected multipliers (step 1 of :func:`overlap_certificate`): returns
    :math:`\lambda^+ - \lambda^-`, :math:`\Lambda = \lambda^+ + \lambda^-`, :math:`W` and the
    live rows the certificate can use (a correction factor at least 1/2, :math:`\Lambda > 0`
    finite, :math:`W` finite; the others are left out, step 4)."""
    live, succ, fail, ls, lf, W = _multipliers(y, m, w, up, down)
    lam = ls + lf
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        t = np.where(lam > 0, W * mv / lam, 0.0)
        ls, lf = ls * (1.0 - t), lf * (1.0 + t)
    usable = live & (~succ | (t <= 0.5)) & (~fail | (t >= -0.5)) & (W < np.inf)
    lam = ls + lf
    usable &= (lam > 0) & (lam < np.inf)
    return ls - lf, lam, W, live, usable


def _corrected_plain(y, up, down, mv):
    r""":func:`_corrected` for unweighted 0/1 rows (every row live), without masks: an event has
    :math:`\Lambda = u` and :math:`t = v\,x^\top\delta`, a non-event :math:`\Lambda = v` and
    :math:`t = u\,x^\top\delta` (:math:`W = uv`), and with the sign :math:`s = 2y - 1` the
    corrected multiplier is :math:`\Lambda(1 - st)`."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        event = y > 0.0
        lam = np.where(event, up, down)
        st = np.where(event, down, -up) * mv
        usable = st <= 0.5                        # (NaN fails too)
        lam *= 1.0 - st
        W = up * down
        usable &= (lam > 0) & (lam < np.inf) & (W < np.inf)
        diff = np.where(event, lam, -lam)
    return diff, lam, W, None, usable


def overlap_certificate(X: np.ndarray, y: np.ndarray, mu: np.ndarray | None = None,
                        dmu: np.ndarray | None = None, trials: np.ndarray | None = None,
                        weights: np.ndarray | None = None, moved: np.ndarray | None = None,
                        cov: np.ndarray | None = None, *,
                        ratios: tuple[np.ndarray, np.ndarray] | None = None) -> bool:
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
       \le 1/2` (a factor 2 spare for the inexact :math:`A^{-1}`).
    3. *One pass.*  The pass bounds :math:`s^\top|A^{-1}|s` without :math:`|X|`
       (:func:`rounding_bound`), summing exactly only the few badly predicted rows'
       share (:data:`SPREAD_EXACT`); only when that bound is too loose does a second pass sum
       :math:`s` itself (:func:`rounding_exact`).
    4. *A subset of rows.*  Overlap of any set :math:`S` of rows whose columns have full rank
       proves overlap of all rows (a direction separating all rows weakly separates
       :math:`S`, and full rank makes it strict somewhere).  Rows whose :math:`\rho_i` exceeds
       :data:`RHO_DROP` (predicted almost perfectly, where :math:`\rho_i` grows like
       :math:`1/\sqrt{\min(\mu_i, 1-\mu_i)}`), whose correction factor falls below 1/2 or
       whose multiplier does not exist in floating point are left out: steps 1–3 run on
       :math:`S` with :math:`A_S = A - \sum_{i \notin S} W_i x_i x_i^\top` (summed in the same
       pass), whose positive definiteness is the full rank of :math:`X_S`.  Only when
       :math:`A` is the information of these very multipliers (``ratios``, IRLS's own, with
       its ``cov``; or :math:`A` summed here), and only while :math:`A_S`'s smallest
       eigenvalue is four times what :math:`A` may hold of the rows left out beyond their
       :math:`W_i x_i x_i^\top` (a few ulps, and IRLS's floor on the cloglog weight).

    With ``moved`` :math:`= X\delta` (:attr:`logitstat.fitting.irls.IRLSResult.eta_info`) and
    ``cov`` :math:`= A^{-1}` from the fit, that pass is all; without them :math:`g` and
    :math:`A` are summed in one more pass.

    Parameters
    ----------
    X, y, trials, weights
        As for :func:`~logitstat.diagnostics.separation.detect_separation`.
    mu, dmu : ndarray, shape (n,)
        Fitted probabilities and :math:`d\mu/d\eta` at the point the certificate is built on
        (or ``ratios``).
    moved : ndarray, shape (n,), optional
        :math:`x_i^\top\delta` for the scoring step :math:`\delta` at that point.
    cov : ndarray, shape (p, p), optional
        :math:`(X^\top W X)^{-1}` at that point (used only with ``moved``).
    ratios : (ndarray, ndarray), optional
        :math:`(\mu'/\mu, \mu'/(1-\mu))` per row (``Link.score_ratios``: the multipliers of
        IRLS's own score, computed stably), instead of ``mu`` and ``dmu``.
    """
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    y = np.asarray(y, dtype=float).reshape(-1)
    m = np.ones(n) if trials is None else np.asarray(trials, dtype=float).reshape(-1)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    if ratios is not None:
        up_all, down_all = (np.asarray(a, dtype=float).reshape(-1) for a in ratios)
    else:
        mu = np.asarray(mu, dtype=float).reshape(-1)
        dmu = np.asarray(dmu, dtype=float).reshape(-1)

    def ratio_block(a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
        if ratios is not None:
            return up_all[a:b], down_all[a:b]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return dmu[a:b] / mu[a:b], dmu[a:b] / (1.0 - mu[a:b])

    if not np.any((w > 0) & (m > 0)):
        return False
    B = kernels.BLOCK_ROWS
    step = A = None
    if moved is None or cov is None:
        def first(a: int, b: int):
            _, _, _, ls, lf, W = _multipliers(y[a:b], m[a:b], w[a:b], *ratio_block(a, b))
            W = np.where(np.isfinite(W), W, 0.0)
            sw = np.sqrt(W)
            with np.errstate(invalid="ignore"):
                z = np.where(sw > 0, (ls - lf) / np.where(sw > 0, sw, 1), 0.0)
            return kernels.gram_chunk(X[a:b], 0, b - a, sw, z)

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
    if A is None:  # the information behind cov (for A_S and the rounding bound), when the
        try:       # inversion is accurate
            A = np.linalg.inv(cov)
        except np.linalg.LinAlgError:
            return False
        if not np.allclose(A @ cov, np.eye(p), rtol=0.0, atol=1e-6):
            return False

    plain = bool(np.all(m == 1.0) and np.all(w == 1.0) and np.all((y == 0.0) | (y == 1.0)))
    # rows may be left out (step 4) only when A is the information of these very multipliers:
    # summed here, or IRLS's own with its own score ratios
    subset = ratios is not None or step is not None

    def check(a: int, b: int, exact: bool):
        r, size, out = np.zeros(p), np.zeros(p), np.zeros((p, p))
        rho, spread, dropped, slack = 0.0, 0.0, 0, 0.0
        buf = kernels.block_buffer(X, b - a) if exact else None
        for s0 in range(a, b, B):
            e0 = min(s0 + B, b)
            Xb = X[s0:e0]
            mv = Xb @ step if step is not None else moved[s0:e0]
            up, down = ratio_block(s0, e0)
            if plain:
                diff, lam, W, live, usable = _corrected_plain(y[s0:e0], up, down, mv)
            else:
                diff, lam, W, live, usable = _corrected(y[s0:e0], m[s0:e0], w[s0:e0], up, down,
                                                        mv)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                ratio = np.sqrt(W) / lam
            keep = usable & (ratio <= RHO_DROP) if subset else usable
            drop = ~keep if live is None else live & ~keep
            if drop.any():                            # step 4: A_out, from the rows left out
                if not (subset and np.all(np.isfinite(W[drop]))):
                    return r, size, out, rho, spread, 0, slack, True
                dropped += int(np.count_nonzero(drop))
                Wd, Xd = np.maximum(W[drop], 0.0), Xb[drop]
                # what A may hold of these rows beyond W x x' (rounding, IRLS's floor on W)
                slack += float(np.sum((_SLACK_ULPS * _EPS * Wd + _W_FLOOR)
                                      * np.einsum("ij,ij->i", Xd, Xd)))
                Xd *= np.sqrt(Wd)[:, None]
                out += Xd.T @ Xd
                diff = np.where(keep, diff, 0.0)
                lam = np.where(keep, lam, 0.0)
            if keep.any():
                rho = max(rho, float(np.max(ratio[keep])))
            r += Xb.T @ diff
            if exact:
                Xa = buf[:e0 - s0]
                np.abs(Xb, out=Xa)
                size += Xa.T @ lam
            else:
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    share = lam * lam / W
                loose = keep & ~(share <= SPREAD_EXACT)     # (W = 0: an exact share)
                spread += float(np.sum(np.where(keep & ~loose, share, 0.0)))
                if loose.any():
                    size += np.abs(Xb[loose]).T @ lam[loose]
        return r, size, out, rho, spread, dropped, slack, False

    def bound(exact: bool) -> bool:
        parts = kernels.map_chunks(lambda a, b: check(a, b, exact), n)
        if any(q[7] for q in parts):
            return False
        r, size = kernels._sum([q[0] for q in parts]), kernels._sum([q[1] for q in parts])
        rho = max(q[3] for q in parts)
        A_S, cov_S = A, cov
        if sum(q[5] for q in parts):
            A_S = A - kernels._sum([q[2] for q in parts])
            cov_S = _inverse_if_definite(A_S)
            # the rows kept must have full rank, with A_S's smallest eigenvalue well above what
            # A may hold of the rows left out beyond their W x x' (so that A_S is the kept
            # rows' information to within the certificate's factor 2)
            if cov_S is None or not (4.0 * sum(q[6] for q in parts)
                                     * np.linalg.eigvalsh(cov_S)[-1] < 1.0):
                return False
        quad = float(r @ cov_S @ r)
        if exact:
            rounding = rounding_exact(size, cov_S)
        else:
            rounding = rounding_bound(sum(q[4] for q in parts), A_S, cov_S, size)
        gamma = (B + n / B + p + 8) * _EPS
        total = np.sqrt(max(quad, 0.0)) + gamma * np.sqrt(rounding)
        return bool(np.isfinite(rho) and np.isfinite(total) and rho * total <= 0.5)

    # the rounding term bounded without a pass over |X| first; the exact sums only when that
    # bound is too loose to decide
    return bound(exact=False) or bound(exact=True)


def _inverse_if_definite(A: np.ndarray, min_rcond: float = 1e-10) -> np.ndarray | None:
    """:math:`A^{-1}` when ``A`` is positive definite with a scaled reciprocal condition number
    above ``min_rcond`` (so that the rows behind it have full rank beyond rounding), else None."""
    factor = scaled_cholesky(A, min_rcond=min_rcond)
    if factor is None:
        return None
    (c, lower), d = factor
    inv = linalg.cho_solve((c, lower), np.eye(A.shape[0]), check_finite=False)
    return inv / np.outer(d, d)


def needs_lp(X: np.ndarray, y: np.ndarray, mu: np.ndarray | None, dmu: np.ndarray | None,
             converged: bool, trials: np.ndarray | None = None,
             weights: np.ndarray | None = None, moved: np.ndarray | None = None,
             cov: np.ndarray | None = None, *,
             ratios: tuple[np.ndarray, np.ndarray] | None = None) -> bool:
    """Decide whether the linear programs must run after a fit (conservatively).

    Returns False only when the fit converged and :func:`overlap_certificate` proves overlap;
    a report of ``kind="none"`` is then certain.  Anything else (no fit, no convergence,
    fitted probabilities at 0 or 1, a remainder too large for the certificate) asks for the LP.
    """
    if not converged or (ratios is None and (mu is None or dmu is None)):
        return True
    return not overlap_certificate(X, y, mu, dmu, trials, weights, moved, cov, ratios=ratios)
