"""Brute-force separation answers and random small data for the separation tests.

``reference`` decides separation from scratch with one dense linear program per question over
every row (Konis' definitions, HiGHS through scipy; columns scaled to unit maximum, the null
space of the non-separated rows from a full SVD): the independent answer that
:mod:`logitstat.diagnostics.separation` and :mod:`logitstat.diagnostics.certificate` are held
against on hundreds of ``random_case`` datasets.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy.optimize import linprog

from logitstat.diagnostics.certificate import overlap_certificate
from logitstat.errors import ConvergenceError
from logitstat.fitting.irls import irls
from logitstat.fitting.links import get_link

LINKS = ["logit", "probit", "cloglog", "cauchit"]


def lp_direction(c, A):
    """Minimiser of ``c @ b`` over ``A b >= 0``, ``|b_k| <= 1`` (dense HiGHS)."""
    out = linprog(c, A_ub=-A, b_ub=np.zeros(A.shape[0]), bounds=(-1.0, 1.0), method="highs")
    assert out.status == 0
    return out.x


def reference(X, y, m=None, w=None):
    """``(kind, directions, separated_rows, undetermined)`` from the programs on every row."""
    n, p = X.shape
    m = np.ones(n) if m is None else m
    w = np.ones(n) if w is None else w
    live = (w > 0) & (m > 0)
    rs, rf = np.flatnonzero(live & (y > 0)), np.flatnonzero(live & (y < 1))
    origin = np.r_[rs, rf]
    U = X[origin] * np.r_[np.ones(rs.size), -np.ones(rf.size)][:, None]
    sc = np.max(np.abs(U), axis=0) if U.size else np.ones(p)
    sc[sc == 0] = 1
    U = U / sc
    in_s, d = np.zeros(U.shape[0], bool), np.zeros(p)
    while U.shape[0] and not in_s.all():
        b = lp_direction(-U[~in_s].sum(axis=0), U)
        new = (U @ b > 1e-7) & ~in_s
        if not new.any():
            break
        in_s |= new
        d += b
    rows = np.zeros(n, bool)
    rows[origin[in_s]] = True
    if not in_s.any():
        return "none", np.zeros(p, int), rows, np.zeros(p, bool)
    d /= np.max(np.abs(d))
    dirs = np.zeros(p, int)
    for j in np.flatnonzero(np.abs(d) > 1e-9):
        s = np.sign(d[j])
        c = np.zeros(p)
        c[j] = s
        if s * lp_direction(c, U)[j] >= -1e-9:
            dirs[j] = int(s)
    A = U[~in_s]
    if A.shape[0] == 0:
        free = np.ones(p, bool)
    else:
        _, sv, vt = np.linalg.svd(A, full_matrices=True)
        rank = int(np.sum(sv > sv[0] * max(A.shape) * np.finfo(float).eps)) if sv.size else 0
        free = np.any(np.abs(vt[rank:]) > 1e-8, axis=0) if rank < p else np.zeros(p, bool)
    kind = "complete" if in_s.all() else "quasi-complete"
    return kind, dirs, rows, (dirs == 0) & free


def random_case(rng):
    """Small data of every shape: integer covariates (ties, exact quasi-separation), a factor,
    an intercept or not, grouped rows with both outcomes, weights with zeros."""
    n = int(rng.integers(4, 40))
    cols = [np.ones(n)] if rng.random() < 0.8 else []
    for _ in range(int(rng.integers(1, 3))):
        cols.append(rng.integers(-3, 4, size=n).astype(float))
    if rng.random() < 0.5:
        g = rng.integers(0, 3, size=n)
        cols += [(g == k).astype(float) for k in (1, 2)]
    if rng.random() < 0.2:
        cols.append(rng.normal(size=n))
    X = np.column_stack(cols)
    b = rng.normal(size=X.shape[1])
    eta = X @ b * rng.choice([0.5, 3.0, 50.0])
    m = np.ones(n)
    if rng.random() < 0.3:                       # grouped rows
        m = rng.integers(1, 5, size=n).astype(float)
        y = rng.binomial(m.astype(int), 1 / (1 + np.exp(-np.clip(eta, -30, 30)))) / m
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-np.clip(eta, -30, 30)))).astype(float)
    w = np.ones(n)
    if rng.random() < 0.3:
        w = rng.choice([0.0, 1.0, 2.5], size=n)
    return X, y, m, w


def fit_or_none(X, y, m, w, link):
    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return irls(X, y, m, w, np.zeros(n), get_link(link), max_iter=200)
        except ConvergenceError:                 # a fit that fails outright certifies nothing
            return None


def certify(X, y, m, w, link, fit, ratios: bool = False):
    """The certificate of an IRLS fit at its last iterate, from R's clamped ``mu`` and ``dmu``
    or (``ratios``) from the link's stable score ratios, as fitted models build it."""
    lk = get_link(link)
    if fit.eta_info is None:
        return False
    eta = fit.eta_info
    if ratios:
        return overlap_certificate(X, y, trials=m, weights=w, moved=fit.eta - eta, cov=fit.cov,
                                   ratios=lk.score_ratios(eta))
    return overlap_certificate(X, y, lk.linkinv(eta), lk.mu_eta(eta), m, w,
                               moved=fit.eta - eta, cov=fit.cov)
