r"""Exact detection of separation in binary-outcome data (Konis 2007).

The maximum-likelihood estimate of a binary GLM with a log-concave link fails to exist exactly
when the data are *separated*: with one row per outcome,
:math:`\tilde x_i = (2y_i - 1)\,x_i`, there is a direction :math:`b \ne 0` in the recession cone

.. math:: C = \{\, b : \tilde X b \ge 0 \,\}

with :math:`\tilde X b \ne 0`.  Moving the coefficients along such a :math:`b` never lowers the
likelihood of any row and raises it for the rows with :math:`\tilde x_i b > 0`, whose fitted
probabilities run to 0 or 1.  Everything here is decided by small linear programs over
:math:`C` (HiGHS, through :func:`scipy.optimize.linprog`), never by looking at the size of
estimates:

* the *separated rows* are the maximal set :math:`S` of rows with :math:`\tilde x_i b > 0`
  for some :math:`b \in C` (cones are closed under addition, so one :math:`b` reaches them all);
* the separation is *complete* when :math:`S` holds every row, *quasi-complete* otherwise;
* coefficient :math:`j` runs to :math:`+\infty` when :math:`b_j > 0` on the relative interior
  of :math:`C` (equivalently :math:`\min_{b \in C} b_j = 0 < \max_{b \in C} b_j`), to
  :math:`-\infty` in the mirror case, and is finite (direction 0) otherwise: when the range of
  :math:`b_j` over the cone contains 0 in its interior, the supremum of the likelihood is
  approached with :math:`\beta_j` bounded, so it *need not* diverge.  Such coefficients are not
  identified by the non-separated rows and are flagged in ``undetermined``.

A grouped row with both outcomes splits into one success and one failure row; rows of zero
weight or zero trials are ignored.  :func:`needs_lp` lets a converged fit skip the programs: a
fit with fitted probabilities away from 0 and 1 yields a strictly positive :math:`\lambda` with
:math:`\tilde X^\top \lambda = 0`, which by Stiemke's lemma proves that no separating direction
exists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
from scipy.optimize import linprog

from . import kernels
from .errors import ConvergenceError

__all__ = ["SeparationReport", "check_separation", "detect_separation", "needs_lp",
           "overlap_certificate", "finite_part"]

_ROW_TOL = 1e-7    # tilde-x_i b above this (columns scaled to max |x| = 1, |b| <= 1) is strict
_COEF_TOL = 1e-9   # |b_j| above this (in the same units) is non-zero
_ROW_BLOCK = 1 << 15  # rows per block of the certificate's row-wise checks (no X: larger blocks)


@dataclass(frozen=True, eq=False)
class SeparationReport:
    """What the linear programs found.

    Attributes
    ----------
    kind : {"none", "quasi-complete", "complete"}
        ``"complete"`` when every (non-ignored) row is perfectly predicted, ``"quasi-complete"``
        when some are, ``"none"`` when the maximum-likelihood estimate exists.
    directions : ndarray of int, shape (p,)
        +1 / -1 for a coefficient whose estimate runs to plus / minus infinity, 0 otherwise.
    separated_rows : ndarray of bool, shape (n,)
        Rows whose fitted probability runs to 0 or 1 (the maximal separated set).
    undetermined : ndarray of bool, shape (p,)
        Coefficients that need not diverge but are not identified by the non-separated rows
        (their value depends on the path the optimizer took).
    method : {"lp", "certificate"}
        ``"lp"`` when decided by linear programming, ``"certificate"`` when a converged fit
        proved overlap (see :func:`needs_lp`).
    """

    kind: str
    directions: np.ndarray
    separated_rows: np.ndarray
    undetermined: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    method: str = "lp"

    @property
    def separated(self) -> bool:
        """True when the maximum-likelihood estimate does not exist."""
        return self.kind != "none"

    @property
    def n_separated(self) -> int:
        """Number of rows whose fitted probability runs to 0 or 1."""
        return int(np.count_nonzero(self.separated_rows))

    def infinite(self, names: Sequence[str]) -> dict[str, int]:
        """Map each coefficient that runs to infinity to its direction (+1 or -1)."""
        return {str(n): int(d) for n, d in zip(names, self.directions) if d != 0}

    def describe(self, names: Sequence[str] | None = None) -> str:
        """Say in words what was found, naming the coefficients.

        Parameters
        ----------
        names : sequence of str, optional
            Coefficient names in column order (``x0``, ``x1``, ... when omitted).
        """
        p = len(self.directions)
        names = [f"x{j}" for j in range(p)] if names is None else [str(n) for n in names]
        if self.kind == "none":
            how = ("a linear program" if self.method == "lp"
                   else "the converged fit (fitted probabilities away from 0 and 1)")
            return ("No separation: the outcomes overlap, so the maximum-likelihood estimate "
                    f"exists (proven by {how}).")
        ups = [n for n, d in zip(names, self.directions) if d > 0]
        downs = [n for n, d in zip(names, self.directions) if d < 0]
        text = (f"{self.kind.capitalize()} separation: {self.n_separated} of "
                f"{len(self.separated_rows)} observations are predicted perfectly (their fitted "
                "probabilities run to 0 or 1), so the maximum-likelihood estimate does not exist")
        runs = [f"{_join(ns)} to {sign}infinity" for ns, sign in ((ups, "+"), (downs, "-")) if ns]
        if runs:
            many = len(ups) + len(downs) > 1
            text += (f"; the estimate{'s' if many else ''} of " + runs[0].replace(
                " to ", " run to " if many else " runs to ", 1) + "".join(
                f" and of {r}" for r in runs[1:]))
        und = [n for n, u in zip(names, self.undetermined) if u]
        if und:
            text += ("; " + _join(und) + (" is" if len(und) == 1 else " are")
                     + " not identified by the remaining observations")
        return (text + ". Estimates and standard errors of a separated fit are not meaningful; "
                'consider method="firth" (penalized likelihood), which gives finite estimates.')

    def __str__(self) -> str:
        return self.describe()


def _join(names: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _split_rows(X: np.ndarray, y: np.ndarray, trials: np.ndarray | None,
                weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Rows :math:`\tilde x_i` of the cone and, for each, the original row it came from.

    Returns ``(Xt, origin, sign)`` where ``sign`` is +1 for a success row, -1 for a failure row.
    """
    n = X.shape[0]
    y = np.asarray(y, dtype=float).reshape(-1)
    m = np.ones(n) if trials is None else np.asarray(trials, dtype=float).reshape(-1)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    if y.shape[0] != n or m.shape[0] != n or w.shape[0] != n:
        raise ValueError("X, y, trials and weights must have the same number of rows")
    live = (w > 0) & (m > 0)
    has_succ = live & (y > 0)
    has_fail = live & (y < 1)
    rows_s = np.flatnonzero(has_succ)
    rows_f = np.flatnonzero(has_fail)
    origin = np.concatenate([rows_s, rows_f])
    sign = np.concatenate([np.ones(rows_s.size), -np.ones(rows_f.size)])
    Xt = X[origin] * sign[:, None]
    return Xt, origin, sign


def _lp(c: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Minimise ``c @ b`` over ``A b >= 0``, ``-1 <= b <= 1``; return the minimiser."""
    out = linprog(c, A_ub=-A, b_ub=np.zeros(A.shape[0]), bounds=(-1.0, 1.0), method="highs")
    if out.status != 0 or out.x is None:  # the box keeps it feasible (b = 0) and bounded
        raise ConvergenceError(f"separation check: linear program failed ({out.message})")
    return np.asarray(out.x, dtype=float)


def detect_separation(X: np.ndarray, y: np.ndarray, trials: np.ndarray | None = None,
                      weights: np.ndarray | None = None) -> SeparationReport:
    r"""Decide exactly whether the data are separated, and how.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Design matrix (full column rank is not required).
    y : ndarray, shape (n,)
        Proportion of events per row: 0/1 for Bernoulli rows, successes/trials when grouped.
    trials : ndarray, optional
        Binomial trials per row (ones when omitted).
    weights : ndarray, optional
        Frequency weights; rows with zero weight are ignored.

    Returns
    -------
    SeparationReport

    Notes
    -----
    With :math:`\tilde X` the cone rows (duplicates removed, columns scaled to unit maximum),
    the separated set is built by solving
    :math:`\max \sum_{i \notin S} \tilde x_i b` s.t. :math:`\tilde X b \ge 0,\ |b_j| \le 1`
    and adding the rows with :math:`\tilde x_i b > 0` to :math:`S` until the optimum is 0
    (one program when there is no separation, usually two when there is).  The sum
    :math:`d` of the solutions lies in the relative interior of the cone.  For each
    :math:`j` with :math:`d_j \ne 0` one more program,
    :math:`\min\, \mathrm{sign}(d_j)\, b_j` over the same set, tells whether :math:`b_j` keeps
    its sign on the whole cone (the coefficient diverges) or can cross 0 (it need not).
    A coefficient with :math:`d_j = 0` cannot diverge: the relative interior holds a point with
    :math:`b_j = 0`.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError("X must be a 2-d array")
    n, p = X.shape
    Xt, origin, _ = _split_rows(X, y, trials, weights)
    no_sep = SeparationReport("none", np.zeros(p, dtype=int), np.zeros(n, dtype=bool),
                              np.zeros(p, dtype=bool), "lp")
    if Xt.shape[0] == 0 or p == 0:
        return no_sep
    scale = np.max(np.abs(Xt), axis=0)
    scale[scale == 0] = 1.0
    U, inverse = np.unique(Xt / scale, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    in_s = np.zeros(U.shape[0], dtype=bool)
    d = np.zeros(p)
    for _ in range(U.shape[0]):
        if in_s.all():
            break
        b = _lp(-U[~in_s].sum(axis=0), U)
        margin = U @ b
        new = (margin > _ROW_TOL) & ~in_s
        if not new.any():
            break
        in_s |= new
        d += b
    if not in_s.any():
        return no_sep
    d /= np.max(np.abs(d))
    directions = np.zeros(p, dtype=int)
    for j in np.flatnonzero(np.abs(d) > _COEF_TOL):
        s = 1.0 if d[j] > 0 else -1.0
        c = np.zeros(p)
        c[j] = s
        low = s * _lp(c, U)[j]
        if low >= -_COEF_TOL:
            directions[j] = int(s)
    undetermined = (directions == 0) & _free_in_nullspace(U[~in_s], p)
    rows = np.zeros(n, dtype=bool)
    rows[origin[in_s[inverse]]] = True
    kind = "complete" if in_s.all() else "quasi-complete"
    return SeparationReport(kind, directions, rows, undetermined, "lp")


def _free_in_nullspace(A: np.ndarray, p: int) -> np.ndarray:
    """Coordinates on which the null space of ``A`` (rows of the non-separated set) is not 0."""
    if A.shape[0] == 0:
        return np.ones(p, dtype=bool)
    _, sv, vt = np.linalg.svd(A, full_matrices=True)
    rank = int(np.sum(sv > sv[0] * max(A.shape) * np.finfo(float).eps)) if sv.size else 0
    null = vt[rank:]
    return np.any(np.abs(null) > 1e-8, axis=0) if null.size else np.zeros(p, dtype=bool)


def overlap_certificate(X: np.ndarray, y: np.ndarray, mu: np.ndarray, dmu: np.ndarray,
                        trials: np.ndarray | None = None, weights: np.ndarray | None = None,
                        moved: np.ndarray | None = None) -> bool:
    r"""True when a fit proves that the data overlap (no separation), without an LP.

    By Stiemke's lemma the cone :math:`\{b: \tilde X b \ge 0\}` holds no separating direction
    iff some :math:`\lambda > 0` has :math:`\tilde X^\top \lambda = 0`.  The score of the
    likelihood is such a combination: with :math:`w_i` weights, :math:`m_i` trials and
    :math:`\mu'_i = d\mu/d\eta`, success rows get
    :math:`\lambda_i^+ = w_i m_i y_i \mu'_i/\mu_i` and failure rows
    :math:`\lambda_i^- = w_i m_i (1-y_i) \mu'_i/(1-\mu_i)`, and
    :math:`\tilde X^\top\lambda = g` is the score.  The small remainder :math:`g` is removed by
    scaling each row's :math:`\lambda_i` by :math:`1 - \tilde x_i t_i`, where
    :math:`t_i = W_i x_i^\top\delta/(\lambda_i^+ + \lambda_i^-)`,
    :math:`W_i = w_i m_i \mu_i'^2/(\mu_i(1-\mu_i))` and
    :math:`\delta = (X^\top \mathrm{diag}(W) X)^{-1} g` is the scoring step: the corrected
    combination is :math:`g - X^\top W X\,\delta = 0`.  The certificate holds when every
    factor stays above 1/2 (so the corrected :math:`\lambda` is positive) and the smallest
    :math:`\lambda_i` is not negligible against the largest (:math:`10^{-8}`; under
    separation the separated rows' :math:`\lambda_i` vanish).

    With ``moved`` :math:`= X\delta`, which IRLS has from its last step
    (:attr:`logitstat.irls.IRLSResult.eta_info`), the certificate is a check of each row and
    needs no pass over :math:`X`.  Without it, :math:`g` and the information are summed over
    the row blocks of :math:`X` and the corrected combination is also verified to vanish to
    rounding (a second pass).

    Parameters
    ----------
    X, y, trials, weights
        As for :func:`detect_separation`.
    mu, dmu : ndarray, shape (n,)
        Fitted probabilities and :math:`d\mu/d\eta` at the point the certificate is built on.
    moved : ndarray, shape (n,), optional
        :math:`x_i^\top\delta` for the scoring step :math:`\delta` at that point.
    """
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    y = np.asarray(y, dtype=float).reshape(-1)
    m = np.ones(n) if trials is None else np.asarray(trials, dtype=float).reshape(-1)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    mu = np.asarray(mu, dtype=float).reshape(-1)
    dmu = np.asarray(dmu, dtype=float).reshape(-1)

    def lambdas(a: int, b: int):
        live = (w[a:b] > 0) & (m[a:b] > 0)       # dead rows get lambda = 0
        yb, mb, db = y[a:b], mu[a:b], dmu[a:b]
        succ, fail = live & (yb > 0), live & (yb < 1)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            wm = w[a:b] * m[a:b] * db
            lam_s = np.where(succ, wm * yb / mb, 0.0)
            lam_f = np.where(fail, wm * (1.0 - yb) / (1.0 - mb), 0.0)
        return live, succ, fail, lam_s, lam_f

    def spread(a: int, b: int, xv: np.ndarray | None = None):
        """For rows ``a:b``: (fitted probabilities of live rows all inside (0, 1), any live row,
        min and max lambda, and -- given ``xv`` = x_i'delta -- whether some corrected lambda
        :math:`\\lambda_i (1 - \\tilde x_i t_i)` falls below half its value), with
        :math:`t_i = W_i x_i^\\top\\delta/(\\lambda_i^+ + \\lambda_i^-)
        = \\mu'_i x_i^\\top\\delta / (y_i (1-\\mu_i) + (1-y_i)\\mu_i)`."""
        any_live, lo, hi, bad = False, np.inf, 0.0, False
        for s0 in range(a, b, _ROW_BLOCK):
            e0 = min(s0 + _ROW_BLOCK, b)
            live, succ, fail, lam_s, lam_f = lambdas(s0, e0)
            mb = mu[s0:e0][live]
            if not (np.all(np.isfinite(mb)) and np.all((mb > 0) & (mb < 1))):
                return False, True, np.inf, 0.0, True
            any_live |= bool(live.any())
            for lam, rows in ((lam_s, succ), (lam_f, fail)):
                if rows.any():
                    lo, hi = min(lo, float(lam[rows].min())), max(hi, float(lam[rows].max()))
            if xv is not None:
                yb, mb = y[s0:e0], mu[s0:e0]
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    t = np.where(live, dmu[s0:e0] * xv[s0 - a:e0 - a]
                                 / (yb * (1.0 - mb) + (1.0 - yb) * mb), 0.0)
                bad |= factors_fail(succ, fail, t)
        return True, any_live, lo, hi, bad

    def factors_fail(succ: np.ndarray, fail: np.ndarray, t: np.ndarray) -> bool:
        """True when the factor 1 - x~_i t_i of some success / failure row is below 1/2."""
        return bool(np.any((t >= 0.5) & succ) or np.any((t <= -0.5) & fail))

    def spread_ok(parts) -> bool:
        if not all(q[0] for q in parts) or not any(q[1] for q in parts):
            return False
        lo, hi = min(q[2] for q in parts), max(q[3] for q in parts)
        return bool(hi > 0 and lo > 1e-8 * hi)

    if moved is not None:
        moved = np.asarray(moved, dtype=float).reshape(-1)
        parts = kernels.map_chunks(lambda a, b: spread(a, b, moved[a:b]), n)
        return spread_ok(parts) and not any(q[4] for q in parts)

    # Without the step: cache-sized row blocks on all cores (logitstat.kernels), no copies of X
    B = kernels.BLOCK_ROWS

    def first(a: int, b: int):
        A, g = np.zeros((p, p)), np.zeros(p)
        buf = kernels.block_buffer(X, b - a)
        for s0 in range(a, b, B):
            e0 = min(s0 + B, b)
            _, _, _, lam_s, lam_f = lambdas(s0, e0)
            g += X[s0:e0].T @ (lam_s - lam_f)
            Xs = buf[:e0 - s0]
            np.multiply(X[s0:e0], np.sqrt(lam_s + lam_f)[:, None], out=Xs)
            A += Xs.T @ Xs
        return A, g

    if not spread_ok(kernels.map_chunks(spread, n)):
        return False
    parts = kernels.map_chunks(first, n)
    try:
        v = np.linalg.solve(sum(q[0] for q in parts), sum(q[1] for q in parts))
    except np.linalg.LinAlgError:
        return False
    if not np.all(np.isfinite(v)):
        return False

    def second(a: int, b: int):
        resid, size = np.zeros(p), np.zeros(p)
        buf = kernels.block_buffer(X, b - a)
        for s0 in range(a, b, B):
            e0 = min(s0 + B, b)
            Xb = X[s0:e0]
            xv = Xb @ v
            _, succ, fail, lam_s, lam_f = lambdas(s0, e0)
            if factors_fail(succ, fail, xv):
                return True, resid, size
            ls_, lf_ = lam_s * (1.0 - xv), lam_f * (1.0 + xv)
            resid += Xb.T @ (ls_ - lf_)
            Xa = buf[:e0 - s0]
            np.abs(Xb, out=Xa)
            size += Xa.T @ (ls_ + lf_)
        return False, resid, size

    parts2 = kernels.map_chunks(second, n)
    if any(q[0] for q in parts2):
        return False
    resid = sum(q[1] for q in parts2)
    size = sum(q[2] for q in parts2)
    return bool(np.all(np.abs(resid) <= 1e-10 * size + 1e-300))


def needs_lp(X: np.ndarray, y: np.ndarray, mu: np.ndarray | None, dmu: np.ndarray | None,
             converged: bool, trials: np.ndarray | None = None,
             weights: np.ndarray | None = None, moved: np.ndarray | None = None) -> bool:
    """Decide whether the linear programs must run after a fit (conservatively).

    Returns False only when the fit converged and :func:`overlap_certificate` proves overlap;
    a report of ``kind="none"`` is then certain.  Anything else (no fit, no convergence,
    fitted probabilities at 0 or 1, an ill-conditioned certificate) asks for the LP.
    """
    if not converged or mu is None or dmu is None:
        return True
    return not overlap_certificate(X, y, mu, dmu, trials, weights, moved)


def check_separation(X: np.ndarray, y: np.ndarray, trials: np.ndarray | None = None,
                     weights: np.ndarray | None = None, *, mu: np.ndarray | None = None,
                     dmu: np.ndarray | None = None, converged: bool = False,
                     moved: np.ndarray | None = None) -> SeparationReport:
    """Report on separation, skipping the linear programs when a fit proves overlap.

    Parameters are those of :func:`detect_separation` and :func:`needs_lp` (``moved``: the
    fit's last scoring step on the linear predictor, which makes the certificate a check of
    each row); without ``mu`` the linear programs always run.
    """
    X = np.asarray(X, dtype=float)
    if needs_lp(X, y, mu, dmu, converged, trials, weights, moved):
        return detect_separation(X, y, trials, weights)
    n, p = X.shape
    return SeparationReport("none", np.zeros(p, dtype=int), np.zeros(n, dtype=bool),
                            np.zeros(p, dtype=bool), "certificate")


def finite_part(X: np.ndarray, y: np.ndarray, report: SeparationReport,
                trials: np.ndarray | None = None, weights: np.ndarray | None = None,
                offset: np.ndarray | None = None, link: str = "logit",
                tol: float = 1e-10, max_iter: int = 200) -> np.ndarray:
    r"""Maximum-likelihood estimate of the coefficients that stay finite under separation.

    Along any path to the supremum of the likelihood, the separated rows contribute nothing in
    the limit and the others (:math:`N`) fix :math:`X_N\beta`.  The span of the recession cone
    is the null space of :math:`X_N`, so a coefficient is identified exactly when that null space
    is 0 on it; its limit is found by fitting the model to the rows :math:`N` with the
    coefficients restricted to the row space of :math:`X_N` (``fisher_scoring`` on
    :math:`X_N V`, :math:`V` an orthonormal basis of the row space).

    Returns
    -------
    ndarray, shape (p,)
        The limits of identified coefficients, :math:`\pm\infty` for diverging ones (from
        ``report.directions``) and NaN for the ``undetermined`` ones.  With no separation this
        is the ordinary maximum-likelihood estimate.
    """
    from .firth import fisher_scoring  # local: firth is a sibling at the same layer

    X = np.asarray(X, dtype=float)
    n, p = X.shape
    m = np.ones(n) if trials is None else np.asarray(trials, dtype=float).reshape(-1)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    keep = (w > 0) & (m > 0) & ~report.separated_rows
    out = np.where(report.directions > 0, np.inf, np.where(report.directions < 0, -np.inf, np.nan))
    if not keep.any():
        return out
    XN = X[keep]
    _, sv, vt = np.linalg.svd(XN, full_matrices=False)
    rank = int(np.sum(sv > sv[0] * max(XN.shape) * np.finfo(float).eps))
    V = vt[:rank].T
    fit = fisher_scoring(XN @ V, y[keep], m[keep], w[keep], off[keep], link, tol=tol,
                         max_iter=max_iter)
    beta = V @ fit.params
    ident = (report.directions == 0) & ~report.undetermined
    out[ident] = beta[ident]
    return out
