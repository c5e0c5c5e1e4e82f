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

from dataclasses import dataclass, field, replace
from typing import Sequence

import numpy as np
from scipy.optimize import linprog

from ..common.displays import Display, Displayable
from ..fitting import kernels
from . import separation_lp as slp
from .certificate import needs_lp, overlap_certificate, rounding_bound, rounding_exact

__all__ = ["SeparationReport", "check_separation", "detect_separation", "needs_lp",
           "overlap_certificate", "finite_part",
           "rounding_exact", "rounding_bound"]



@dataclass(frozen=True, eq=False, repr=False)
class SeparationReport(Displayable):
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
    passes : int
        Passes over the rows of X the check made (0 when not recorded).
    """

    kind: str
    directions: np.ndarray
    separated_rows: np.ndarray
    undetermined: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    method: str = "lp"
    passes: int = 0

    @property
    def separated(self) -> bool:
        """True when the maximum-likelihood estimate does not exist."""
        return self.kind != "none"

    @property
    def n_separated(self) -> int:
        """Number of rows whose fitted probability runs to 0 or 1."""
        return int(np.count_nonzero(self.separated_rows))

    def _display(self) -> Display:
        return Display(f"Separation report: {self.kind}", [
            ("method", self.method), ("separated rows", f"{self.n_separated} of {len(self.separated_rows)}"),
            ("infinite", ", ".join(f"x{j} ({'+' if d > 0 else '-'}inf)"
                                   for j, d in enumerate(self.directions) if d != 0) or "none")],
            [self.describe()])

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


def _masks(n: int, y, trials, weights) -> tuple[np.ndarray, np.ndarray]:
    """Rows entering the cone with a success (``succ``) and with a failure (``fail``)."""
    y = np.asarray(y, dtype=float).reshape(-1)
    m = np.ones(n) if trials is None else np.asarray(trials, dtype=float).reshape(-1)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float).reshape(-1)
    if y.shape[0] != n or m.shape[0] != n or w.shape[0] != n:
        raise ValueError("X, y, trials and weights must have the same number of rows")
    live = (w > 0) & (m > 0)
    return live & (y > 0), live & (y < 1)


def detect_separation(X: np.ndarray, y: np.ndarray, trials: np.ndarray | None = None,
                      weights: np.ndarray | None = None, *,
                      extreme: np.ndarray | None = None,
                      direction: np.ndarray | None = None) -> SeparationReport:
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
    extreme : ndarray, shape (n,), optional
        A score per row, small for rows likely to be separated (a fit's multipliers); the rows
        with the smallest scores start the working subset.
    direction : ndarray, shape (p,), optional
        Coefficients that may separate every row strictly (the iterate of a fit that ran off
        under complete separation).  When one pass over ``X`` shows they do,
        :math:`\tilde x_i^\top b > 0` for every row proves complete separation without the
        programs that build the separated set (:func:`strict_separator`).

    Returns
    -------
    SeparationReport

    Notes
    -----
    Everything is computed in the whitened basis of :mod:`logitstat.diagnostics.separation_lp`, so the
    answer does not depend on the location or scale of any column.  The separated set is built
    by solving :math:`\max \sum_{i \notin S} \tilde z_i b` s.t. :math:`\tilde Z b \ge 0,
    \ |b_k| \le 1` and adding the rows with :math:`\tilde z_i b > 0` to :math:`S` until the
    optimum is 0; each program runs on a working subset of rows grown by row generation
    (:func:`logitstat.diagnostics.separation_lp.separated_set`).  The sum :math:`d` of the solutions lies in
    the relative interior of the cone.  For each coefficient :math:`j` with :math:`d_j \ne 0`
    one more program, :math:`\min\, \mathrm{sign}(d_j)\, b_j` over the cone, tells whether
    :math:`b_j` keeps its sign on the whole cone (the coefficient diverges) or can cross 0 (it
    need not).  Undetermined coefficients are those on which the null space of the
    non-separated rows is not 0 (eigen-decomposition of their Gram matrix, summed in row
    blocks).
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError("X must be a 2-d array")
    n, p = X.shape
    succ, fail = _masks(n, y, trials, weights)
    live = succ | fail
    none = SeparationReport("none", np.zeros(p, dtype=int), np.zeros(n, dtype=bool),
                            np.zeros(p, dtype=bool), "lp")
    if not live.any() or p == 0:
        return none
    basis = slp.make_basis(X, live)
    if basis.r == 0:
        return none
    return diagnose(slp.Cone(X, succ, fail, basis), extreme=extreme, direction=direction)


def diagnose(cone: "slp.Cone", *, extreme: np.ndarray | None = None,
             direction: np.ndarray | None = None) -> SeparationReport:
    """The programs of :func:`detect_separation` on a cone of rows: in memory
    (:class:`~logitstat.diagnostics.separation_lp.Cone`) or any object with its interface (the rows of a
    Dask DataFrame, :mod:`logitstat.dask.separation`)."""
    basis, live = cone.basis, cone.live
    n, p = live.shape[0], basis.T.shape[0]
    none = SeparationReport("none", np.zeros(p, dtype=int), np.zeros(n, dtype=bool),
                            np.zeros(p, dtype=bool), "lp")
    found = None if direction is None else strict_separator(cone, direction)
    if found is None:
        work = slp.Working(cone, *slp.initial_rows(cone, extreme))
        S, d, known = slp.separated_set(cone, work)
    else:                       # complete: the programs below start from the nearest rows
        d, near, sign = found
        work = slp.Working(cone, near, sign)
        S, known = live.copy(), [d]
    if not S.any():
        return replace(none, passes=cone.passes)
    Tn = basis.T * basis.scale[:, None]            # z-directions to scaled coefficients
    size = np.abs(Tn).sum(axis=1)
    size[size == 0] = 1.0
    dd = (Tn @ d) / size
    dd /= max(np.max(np.abs(dd)), np.finfo(float).tiny)
    free_x = np.any(np.abs(basis.null) > 1e-8, axis=1) if basis.null.size else np.zeros(p, bool)
    cand = np.flatnonzero((np.abs(dd) > slp._COEF_TOL) & ~free_x)
    directions = np.zeros(p, dtype=int)
    if cand.size:                                  # a ratio test settles most at once
        coef = basis.T @ d
        sg0 = np.where(coef[cand] > 0, 1.0, -1.0)
        cand = cand[~slp.crosses_zero(cone, d, coef[cand], cand, sg0)]
    if cand.size:
        sg = np.where(dd[cand] > 0, 1.0, -1.0)
        low = slp.minimise(cone, work, (Tn[cand] * (sg / size[cand])[:, None]).T, known)
        directions[cand[low >= -slp._COEF_TOL]] = sg[low >= -slp._COEF_TOL].astype(int)
    rest = live & ~S
    NZ = slp.null_of_rows(cone, rest) if rest.any() else np.eye(basis.r)
    # coordinate j is free on null(X_N) = T null(Z_N) + null(X) when row j of T has a
    # component in null(Z_N) (relative to its length), or when it is free on null(X)
    free = free_x | (np.sqrt(np.sum((Tn @ NZ) ** 2, axis=1))
                     > 1e-8 * np.sqrt(np.sum(Tn ** 2, axis=1)))
    kind = "complete" if not rest.any() else "quasi-complete"
    return SeparationReport(kind, directions, S, (directions == 0) & free, "lp", cone.passes)


def strict_separator(cone: "slp.Cone", beta: np.ndarray, rounds: int = 6
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    r"""A direction (in the cone's z-coordinates, inside the box :math:`|b_k| \le 1`) that
    separates every cone row strictly, found from a fit's coefficients ``beta``, with the cone
    rows nearest to the boundary under it (index and sign: where the cone's faces are); None
    when none is found (the data may still be completely separated: the caller's programs
    decide).

    ``beta`` itself is tried first (one pass over ``X``).  When it misclassifies some rows or
    leaves them within rounding of the boundary, the largest-minimum-margin program
    :math:`\max t` s.t. :math:`\tilde z_i^\top b \ge t` is solved on the rows nearest the
    boundary under the current direction (an SVM-like direction with balanced margins), and
    each of a few rounds checks every row in one pass and brings in the worst ones.  A
    direction is accepted only when every margin is above the cone's tolerance, so rounding
    cannot account for it; a row with both outcomes (grouped data) can never be separated.
    If the working rows alone cannot be separated strictly, neither can all rows: None.
    """
    T = cone.basis.T
    beta = np.asarray(beta, dtype=float).reshape(-1)
    if T.shape[0] != T.shape[1] or not np.all(np.isfinite(beta)):
        return None                      # rank-deficient X: no unique z-direction
    try:
        b = np.linalg.solve(T, beta)
    except np.linalg.LinAlgError:
        return None
    n_live = int(np.count_nonzero(cone.live))
    none_in = np.zeros(cone.live.shape[0], dtype=bool)
    k = max(2000, 20 * cone.basis.r)
    idx = np.zeros(0, dtype=np.intp)
    sign = np.zeros(0)
    for _ in range(rounds + 1):
        top = float(np.max(np.abs(b), initial=0.0))
        if not (np.isfinite(top) and top > 0):
            return None
        b = b / top
        (viol,), new = cone.scan(b[:, None], none_in, k=k)
        if not viol[0] and new.size == n_live:
            near = np.argsort(viol[3], kind="stable")[:max(300, 6 * cone.basis.r)]
            return b, viol[1][near].astype(np.intp), viol[2][near]
        key = set(zip(idx.tolist(), sign.tolist()))
        fresh = [(i, s) for i, s in zip(viol[1].astype(np.intp).tolist(), viol[2].tolist())
                 if (i, s) not in key]
        if not fresh:
            return None
        idx = np.concatenate([idx, np.array([f[0] for f in fresh], dtype=np.intp)])
        sign = np.concatenate([sign, np.array([f[1] for f in fresh])])
        Z = cone.rows(idx, sign)
        r = Z.shape[1]
        c = np.zeros(r + 1)
        c[-1] = -1.0
        out = linprog(c, A_ub=np.column_stack([-Z, np.ones(len(Z))]), b_ub=np.zeros(len(Z)),
                      bounds=[(-1.0, 1.0)] * r + [(None, 1.0)], method="highs")
        if out.status != 0 or out.x is None or not out.x[-1] > slp.TOL:
            return None
        b = np.asarray(out.x[:r], dtype=float)
        k = slp._ADD
    return None


def check_separation(X: np.ndarray, y: np.ndarray, trials: np.ndarray | None = None,
                     weights: np.ndarray | None = None, *, mu: np.ndarray | None = None,
                     dmu: np.ndarray | None = None, converged: bool = False,
                     moved: np.ndarray | None = None,
                     cov: np.ndarray | None = None,
                     direction: np.ndarray | None = None,
                     ratios: tuple[np.ndarray, np.ndarray] | None = None) -> SeparationReport:
    r"""Report on separation, skipping the linear programs when a fit proves overlap.

    Parameters are those of :func:`detect_separation` and :func:`needs_lp` (``moved`` and
    ``cov``: the fit's last scoring step on the linear predictor and inverse information, which
    make the certificate one pass over X; ``ratios``: the fit's :math:`\mu'/\mu` and
    :math:`\mu'/(1-\mu)`, instead of ``mu`` and ``dmu``); without either the linear programs
    always run.  When they run after a fit (converged or not), the rows whose multipliers are
    smallest (nearest to being predicted perfectly) start the working subset, and the fit's
    coefficients are tried as a strict separator (``direction``, see
    :func:`detect_separation`).
    """
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    if not needs_lp(X, y, mu, dmu, converged, trials, weights, moved, cov, ratios=ratios):
        return SeparationReport("none", np.zeros(p, dtype=int), np.zeros(n, dtype=bool),
                                np.zeros(p, dtype=bool), "certificate", 1)
    if ratios is None and mu is not None and dmu is not None:
        mu = np.asarray(mu, dtype=float).reshape(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = (np.asarray(dmu) / mu, np.asarray(dmu) / (1.0 - mu))
    extreme = None
    if ratios is not None:
        yv = np.asarray(y, dtype=float).reshape(-1)
        up, down = ratios
        with np.errstate(invalid="ignore"):
            e = np.minimum(np.where(yv > 0, up, np.inf), np.where(yv < 1, down, np.inf))
        extreme = np.where(np.isnan(e), np.inf, e)
    return detect_separation(X, y, trials, weights, extreme=extreme, direction=direction)


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
    from ..fitting.firth import fisher_scoring  # local: only this fallback needs it

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
