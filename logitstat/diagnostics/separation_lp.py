r"""Linear programs of :mod:`logitstat.diagnostics.separation` on a working subset of rows.

The cone :math:`C = \{b : \tilde X b \ge 0\}` is examined in a *whitened basis* of the column
space of :math:`X` (over the rows that carry information): with column means :math:`m`, standard
deviations :math:`s` and the eigen-decomposition :math:`V E V^\top` of the correlation matrix,

.. math:: z_i = \bigl(1,\ E_+^{-1/2} V_+^\top\, \mathrm{diag}(s)^{-1} (x_i - m)\bigr)

when the constant lies in the column space (otherwise no centring and no leading 1), so that
:math:`Z^\top Z/n` is the identity on the non-constant part.  Any invertible reparametrisation
:math:`X \to XA` (centring or rescaling columns, a change of the reference level) leaves
:math:`z_i` fixed up to a rotation, so tolerances on :math:`z_i^\top b` (:data:`TOL`, with
:math:`|b_k| \le 1`) mean the same for every location and scale: a margin is zero when it is
below :math:`10^{-9}` of the root-mean-square of :math:`Zb`.

The programs are solved on a working subset of rows and the subset grows by *row generation*:
one pass over :math:`X` in row blocks computes :math:`z_i^\top b` for a candidate :math:`b` and
adds the rows it violates; with none left the candidate holds for every row.  A subset whose
non-separated rows span the same space as those of all rows decides the rest (rows in that span
can only have margin 0 on :math:`C`), which a last pass checks.  No :math:`n\times p` temporary
is made: every pass works on cache-sized blocks (:data:`logitstat.fitting.kernels.BLOCK_ROWS`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from ..errors import ConvergenceError
from ..fitting import kernels

TOL = 1e-9          # margins z_i'b (|b_k| <= 1, Z whitened) at or below this are zero
_COEF_TOL = 1e-9    # |b_j| (scaled so that the largest possible value is 1) above this is non-zero
_RANK_TOL = 1e-11   # eigenvalues of the correlation matrix below this times the largest are 0
_FULL_LP = 4000     # cone rows up to which the working subset is simply every row
_ADD = 500          # rows added to the working subset per round of row generation
_MAX_ROUNDS = 200
_LP_OPTS = dict(primal_feasibility_tolerance=1e-10, dual_feasibility_tolerance=1e-10)


@dataclass
class Basis:
    r"""Whitened coordinates :math:`z_i = (1, (x_i - m)^\top P)` (no 1 and :math:`m = 0` when
    the constant is not in the column space) and the maps back to coefficients.

    ``T`` (p x r) maps a direction in z-coordinates to coefficients (:math:`X T b = Z b`);
    ``null`` (p x k) is an orthonormal basis of the null space of :math:`X` in coefficients
    scaled by ``scale`` (a column's standard deviation, or the absolute value of a constant
    column, when the constant is in the column space; its root-mean-square otherwise), which
    makes them invariant to rescaling columns; ``passes`` counts passes over X.
    """

    m: np.ndarray
    P: np.ndarray
    const: bool
    T: np.ndarray
    null: np.ndarray
    scale: np.ndarray
    passes: int

    @property
    def r(self) -> int:
        return self.P.shape[1] + int(self.const)

    def z(self, Xb: np.ndarray) -> np.ndarray:
        """z-coordinates of a (small) block of rows."""
        Zc = (Xb - self.m) @ self.P
        return np.column_stack([np.ones(Xb.shape[0]), Zc]) if self.const else Zc

    def apply(self, Xb: np.ndarray, B: np.ndarray, buf: np.ndarray | None = None) -> np.ndarray:
        """:math:`Z_b B` for a block of rows and ``B`` of shape (r, q), via one block temporary."""
        if buf is None:
            buf = np.empty_like(Xb)
        Xc = buf[:Xb.shape[0]]
        np.subtract(Xb, self.m, out=Xc)
        if self.const:
            return Xc @ (self.P @ B[1:]) + B[0]
        return Xc @ (self.P @ B)


def _reduce(fn, n: int):
    return kernels.map_chunks(fn, n)


def make_basis(X: np.ndarray, live: np.ndarray) -> Basis:
    """Whitened basis of the column space of ``X[live]`` (two passes: means, centred Gram)."""
    nl = max(int(np.count_nonzero(live)), 1)
    m = live_sums(X, live) / nl
    return basis_from_moments(m, centred_gram(X, live, m) / nl)


def live_sums(X: np.ndarray, live: np.ndarray) -> np.ndarray:
    """One pass: the column sums of the rows ``live``."""
    fl = live.astype(float)
    return kernels._sum(_reduce(lambda a, b: X[a:b].T @ fl[a:b], X.shape[0]))


def centred_gram(X: np.ndarray, live: np.ndarray, m: np.ndarray) -> np.ndarray:
    r"""One pass: :math:`\sum_{i\ \mathrm{live}} (x_i - m)(x_i - m)^\top`, in row blocks."""
    p = X.shape[1]
    fl = live.astype(float)

    def cgram(a, b):
        G = np.zeros((p, p))
        buf = kernels.block_buffer(X, b - a)
        for s, e in _blocks_range(a, b):
            Xc = buf[:e - s]
            np.subtract(X[s:e], m, out=Xc)
            Xc *= fl[s:e, None]
            G += Xc.T @ Xc
        return G

    return kernels._sum(_reduce(cgram, X.shape[0]))


def basis_from_moments(m: np.ndarray, C: np.ndarray) -> Basis:
    """The :class:`Basis` from the column means ``m`` and the centred second moments ``C`` of
    the rows that carry information (p x p algebra only)."""
    p = m.shape[0]
    C = (C + C.T) / 2
    sd = np.sqrt(np.maximum(np.diag(C), 0.0))
    rms = np.sqrt(sd ** 2 + m ** 2)
    nonconst = sd > 64 * np.finfo(float).eps * np.abs(m)
    nonconst &= sd > 0
    constcol = ~nonconst & (np.abs(m) > 0)
    nc = np.flatnonzero(nonconst)
    if nc.size:
        R = C[np.ix_(nc, nc)] / np.outer(sd[nc], sd[nc])
        e, V = np.linalg.eigh(R)
        keep = e > _RANK_TOL * max(e[-1], 0.0)
    else:
        e, V, keep = np.zeros(0), np.zeros((0, 0)), np.zeros(0, dtype=bool)
    a = None
    if constcol.any():
        k = int(np.flatnonzero(constcol)[np.argmax(np.abs(m[constcol]))])
        a = np.zeros(p)
        a[k] = 1.0 / m[k]
    else:
        cv = m[nc] / sd[nc] if nc.size else np.zeros(0)
        for u in V[:, ~keep].T:          # centred null vectors with m'a != 0 give the constant
            tot, mag = float(cv @ u), float(np.abs(cv) @ np.abs(u))
            if mag > 0 and abs(tot) > 1e-7 * mag:
                a = np.zeros(p)
                a[nc] = u / sd[nc] / tot
                break
    const = a is not None
    if not const:                         # no centring: the raw second moments
        G = C + np.outer(m, m)
        m = np.zeros(p)
        nc = np.flatnonzero(rms > 0)
        R = G[np.ix_(nc, nc)] / np.outer(rms[nc], rms[nc])
        e, V = np.linalg.eigh((R + R.T) / 2)
        keep = e > _RANK_TOL * max(e[-1] if e.size else 0.0, 0.0)
        scale = rms
    else:
        scale = sd
    P = np.zeros((p, int(np.count_nonzero(keep))))
    if P.shape[1]:
        P[nc] = V[:, keep] / np.sqrt(e[keep]) / scale[nc, None]
    T = np.column_stack([a, P - np.outer(a, m @ P)]) if const else P
    # null(X) in scaled coefficients D*b (D: sd, |mean| of a constant column, or rms): the
    # dropped eigenvectors, the constant and all-zero columns, less the one constraint m'b = 0
    # that the constant imposes when it is in the column space.
    D = np.where(nonconst, sd, np.abs(m)) if const else rms.copy()
    D[D == 0] = 1.0
    K = [np.eye(p)[:, j] for j in np.flatnonzero(~np.isin(np.arange(p), nc))]
    for u in V[:, ~keep].T:
        k = np.zeros(p)
        k[nc] = u
        K.append(k)
    K = np.column_stack(K) if K else np.zeros((p, 0))
    if const and K.shape[1]:
        h = (m / D) @ K
        _, _, vt = np.linalg.svd(h[None, :] / max(np.max(np.abs(h)), 1e-300), full_matrices=True)
        K = K @ vt[1:].T if np.any(h != 0) else K
    null = K
    return Basis(m, P, const, T, null, D, 2)


def _blocks_range(a: int, b: int):
    for s in range(a, b, kernels.BLOCK_ROWS):
        yield s, min(s + kernels.BLOCK_ROWS, b)


def _lp(c: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Minimise ``c @ b`` over ``A b >= 0``, ``-1 <= b <= 1``; return the minimiser."""
    out = linprog(c, A_ub=-A, b_ub=np.zeros(A.shape[0]), bounds=(-1.0, 1.0), method="highs",
                  options=_LP_OPTS)
    if out.status != 0 or out.x is None:  # the box keeps it feasible (b = 0) and bounded
        raise ConvergenceError(f"separation check: linear program failed ({out.message})")
    return np.asarray(out.x, dtype=float)


class Cone:
    r"""The cone rows of ``X``: row :math:`i` enters with sign +1 when it has a success (live
    and :math:`y_i > 0`) and with sign -1 when it has a failure (:math:`y_i < 1`)."""

    def __init__(self, X: np.ndarray, succ: np.ndarray, fail: np.ndarray, basis: Basis):
        self.X, self.succ, self.fail, self.basis = X, succ, fail, basis
        self.live = succ | fail
        self.passes = basis.passes

    def rows(self, idx: np.ndarray, sign: np.ndarray) -> np.ndarray:
        """Signed z-rows of the working subset."""
        return self.basis.z(self.X[idx]) * sign[:, None]

    def scan(self, B: np.ndarray, S: np.ndarray, k: int = _ADD):
        """One pass: for each column of ``B`` (r x q) the number of violated cone rows and the
        ``k`` cone rows of smallest margin (index, sign, margin: the violated ones first, then
        those nearest to binding), and for the first column the rows not in ``S`` that it
        separates strictly."""
        X, n, q = self.X, self.X.shape[0], B.shape[1]
        self.passes += 1

        def smallest(parts, k):
            idx = np.concatenate([t[0] for t in parts])
            sg = np.concatenate([t[1] for t in parts])
            mg = np.concatenate([t[2] for t in parts])
            if mg.size > k:
                j = np.argpartition(mg, k)[:k]
                idx, sg, mg = idx[j], sg[j], mg[j]
            return idx, sg, mg

        def chunk(a, b):
            low = [[] for _ in range(q)]
            nviol = np.zeros(q, dtype=np.int64)
            newsep = []
            buf = kernels.block_buffer(X, b - a)
            for s, e in _blocks_range(a, b):
                M = self.basis.apply(X[s:e], B, buf)
                i_s, i_f = np.flatnonzero(self.succ[s:e]), np.flatnonzero(self.fail[s:e])
                idx = np.concatenate([i_s, i_f]) + s
                sg = np.concatenate([np.ones(i_s.size), -np.ones(i_f.size)])
                for c in range(q):
                    mg = np.concatenate([M[i_s, c], -M[i_f, c]])
                    nviol[c] += int(np.count_nonzero(mg < -TOL))
                    low[c].append(smallest([(idx, sg, mg)], k))
                m0 = M[:, 0]
                ok = (~self.succ[s:e] | (m0 > TOL)) & (~self.fail[s:e] | (m0 < -TOL))
                ok &= self.live[s:e] & ~S[s:e]
                if ok.any():
                    newsep.append(np.flatnonzero(ok) + s)
            return nviol, [smallest(low[c], k) if low[c] else None for c in range(q)], newsep

        parts = kernels.map_chunks(chunk, n)
        out = []
        for c in range(q):
            nv = int(sum(t[0][c] for t in parts))
            got = [t[1][c] for t in parts if t[1][c] is not None]
            if got:
                out.append((nv,) + smallest(got, k))
            else:
                out.append((nv, np.zeros(0, dtype=np.intp), np.zeros(0), np.zeros(0)))
        newsep = [t for q_ in parts for t in q_[2]]
        return out, (np.concatenate(newsep) if newsep else np.zeros(0, dtype=np.intp))

    def outside_span(self, N: np.ndarray, S: np.ndarray):
        """One pass: live, non-separated rows with a component in the span of ``N`` (r x k,
        orthonormal), largest first."""
        X, n = self.X, self.X.shape[0]
        self.passes += 1

        def chunk(a, b):
            out = []
            buf = kernels.block_buffer(X, b - a)
            for s, e in _blocks_range(a, b):
                Zp = self.basis.apply(X[s:e], N, buf)
                size = np.sqrt(np.sum(Zp * Zp, axis=1))
                hit = self.live[s:e] & ~S[s:e] & (size > TOL)
                if hit.any():
                    i = np.flatnonzero(hit)
                    out.append((i + s, size[i]))
            return out

        got = [t for q in kernels.map_chunks(chunk, n) for t in q]
        if not got:
            return np.zeros(0, dtype=np.intp)
        idx = np.concatenate([t[0] for t in got])
        size = np.concatenate([t[1] for t in got])
        return idx[np.argsort(-size, kind="stable")]

    def cross_limits(self, d: np.ndarray, cols: np.ndarray, sg: np.ndarray) -> np.ndarray:
        """One pass: for each coefficient ``cols[k]`` the largest step along
        :math:`-s_k e_{j_k}` from the point :math:`T d` before some row's margin turns negative."""
        X = self.X
        self.passes += 1
        q = cols.size

        def chunk(a, b):
            tmax = np.full(q, np.inf)
            buf = kernels.block_buffer(X, b - a)
            for s, e in _blocks_range(a, b):
                mg = self.basis.apply(X[s:e], d[:, None], buf)[:, 0]
                Xj = X[s:e][:, cols] * sg
                for rows, sign in ((self.succ[s:e], 1.0), (self.fail[s:e], -1.0)):
                    if not rows.any():
                        continue
                    A = sign * Xj[rows]
                    m = np.maximum(sign * mg[rows], 0.0)[:, None]
                    m[m <= TOL] = 0.0
                    with np.errstate(divide="ignore", invalid="ignore"):
                        R = np.where(A > 0, m / np.where(A > 0, A, 1.0), np.inf)
                    tmax = np.minimum(tmax, R.min(axis=0))
            return tmax

        return np.min(np.vstack([np.full(q, np.inf)] + kernels.map_chunks(chunk, X.shape[0])),
                      axis=0)

    def null_gram(self, keep: np.ndarray) -> tuple[np.ndarray, int]:
        """One pass: :math:`Z_N^\top Z_N` over the rows ``keep`` and their number."""
        X, r = self.X, self.basis.r
        self.passes += 1
        fk = keep.astype(float)

        def chunk(a, b):
            G = np.zeros((r, r))
            buf = kernels.block_buffer(X, b - a)
            for s, e in _blocks_range(a, b):
                if not keep[s:e].any():
                    continue
                Zb = self.basis.apply(X[s:e], np.eye(r), buf) * np.sqrt(fk[s:e, None])
                G += Zb.T @ Zb
            return G

        return kernels._sum(kernels.map_chunks(chunk, X.shape[0])), int(keep.sum())

    def signed(self, idx: np.ndarray):
        """Cone rows (index, sign) of the original rows ``idx`` (both signs for mixed rows)."""
        s, f = idx[self.succ[idx]], idx[self.fail[idx]]
        return np.concatenate([s, f]), np.concatenate([np.ones(s.size), -np.ones(f.size)])


class Working:
    """The working subset of cone rows (deduplicated)."""

    def __init__(self, cone: Cone, idx: np.ndarray, sign: np.ndarray):
        self.cone = cone
        self.keys: set = set()
        self.idx = np.zeros(0, dtype=np.intp)
        self.sign = np.zeros(0)
        self.Z = np.zeros((0, cone.basis.r))
        self.add(idx, sign)

    def add(self, idx: np.ndarray, sign: np.ndarray) -> int:
        new = [(int(i), float(s)) for i, s in zip(idx, sign) if (int(i), float(s)) not in self.keys]
        if not new:
            return 0
        self.keys.update(new)
        i = np.array([t[0] for t in new], dtype=np.intp)
        s = np.array([t[1] for t in new])
        self.idx = np.concatenate([self.idx, i])
        self.sign = np.concatenate([self.sign, s])
        self.Z = np.vstack([self.Z, self.cone.rows(i, s)])
        return len(new)


def _bring_in(work: "Working", v) -> int:
    """Add a scan's smallest-margin rows to the working subset; the number added."""
    return work.add(v[1].astype(np.intp), v[2])


def initial_rows(cone: Cone, extreme: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Starting subset: every cone row when few; otherwise the rare outcome (when rare), the
    rows with the smallest ``extreme`` score (a fit's multipliers: the rows nearest to being
    predicted perfectly) and a fixed pseudo-random sample."""
    live = np.flatnonzero(cone.live)
    n_cone = int(np.count_nonzero(cone.succ)) + int(np.count_nonzero(cone.fail))
    if n_cone <= _FULL_LP:
        return cone.signed(live)
    r = cone.basis.r
    k = max(400, 8 * r)
    pick = [np.random.default_rng(12).choice(live, size=min(k, live.size), replace=False)]
    for cls in (cone.succ & ~cone.fail, cone.fail & ~cone.succ):
        if 0 < np.count_nonzero(cls) <= k:
            pick.append(np.flatnonzero(cls))
    if extreme is not None:
        sc = np.where(cone.live, extreme, np.inf)
        j = np.argpartition(sc, k)[:k] if sc.size > k else np.arange(sc.size)
        pick.append(j[np.isfinite(sc[j])])
    return cone.signed(np.unique(np.concatenate(pick)))


def separated_set(cone: Cone, work: Working) -> tuple[np.ndarray, np.ndarray, list]:
    r"""The maximal separated set (bool over rows) and a direction ``d`` (z-coordinates) in the
    relative interior of :math:`C`, by row generation; also the verified points of the cone.

    Each round maximises :math:`\sum z̃_k b` over the working rows not yet separated; a candidate
    that violates rows outside the subset brings the worst of them in; one that holds for every
    row adds the rows it separates.  When the optimum is 0 the non-separated working rows
    :math:`U` pin :math:`\tilde z_U b = 0` on :math:`C`, so only rows with a component outside
    the row space of :math:`Z_U` could still be separated: those are brought in until none is
    left.
    """
    n = cone.live.shape[0]
    S = np.zeros(n, dtype=bool)
    d = np.zeros(cone.basis.r)
    known = []
    for _ in range(_MAX_ROUNDS):
        free = ~S[work.idx]
        b = (_lp(-work.Z[free].sum(axis=0), work.Z) if free.any()
             else np.zeros(cone.basis.r))
        if np.max(np.abs(b), initial=0.0) > TOL:
            (viol,), new = cone.scan(b[:, None], S)
            if viol[0] and _bring_in(work, viol):
                continue                          # (violations only of working rows: ties
                                                  # within the solver's tolerance)
            known.append(b)
            if new.size:
                S[new] = True
                d += b
                continue
        U = work.Z[~S[work.idx]]
        if U.shape[0]:
            Rf = np.linalg.qr(U, mode="r")          # same singular values, r columns
            _, sv, vt = np.linalg.svd(Rf, full_matrices=True)
            rank = int(np.sum(sv > TOL * max(1.0, sv[0]))) if sv.size else 0
            N = vt[rank:].T
        else:
            N = np.eye(cone.basis.r)
        if N.shape[1] == 0:
            break
        out = cone.outside_span(N, S)
        if not out.size or not work.add(*cone.signed(out[:_ADD])):
            break
    else:
        raise ConvergenceError("separation check: row generation did not settle")
    return S, d, known


def minimise(cone: Cone, work: Working, C: np.ndarray, known: list) -> np.ndarray:
    r"""For each column :math:`c_j` of ``C`` (r x q), whether :math:`\min c_j^\top b` over
    :math:`C \cap [-1,1]^r` is below ``-_COEF_TOL``: returns that minimum, or any value below
    the threshold reached at a point of the cone already known.

    ``known`` holds points verified to lie in the cone (from :func:`separated_set`) and grows
    with every verified solution, so most columns are settled without a program of their own.
    Programs run a few at a time with row generation (one pass per round for all of them).
    """
    q = C.shape[1]
    out = np.full(q, np.nan)
    todo = list(range(q))
    S = np.zeros(cone.live.shape[0], dtype=bool)

    def settle():
        nonlocal todo
        if known:
            K = np.column_stack(known)
            vals = (C[:, todo].T @ K).min(axis=1) if todo else np.zeros(0)
            for j, v in zip(list(todo), vals):
                if v < -_COEF_TOL:
                    out[j] = v
            todo = [j for j in todo if np.isnan(out[j])]

    for _ in range(_MAX_ROUNDS):
        settle()
        if not todo:
            return out
        batch = todo[:4]
        B = np.column_stack([_lp(C[:, j], work.Z) for j in batch])
        viol, _ = cone.scan(B, S)
        for k, j in enumerate(batch):
            if not (viol[k][0] and _bring_in(work, viol[k])):
                out[j] = float(C[:, j] @ B[:, k])
                known.append(B[:, k])
        todo = [j for j in todo if np.isnan(out[j])]
    raise ConvergenceError("separation check: row generation did not settle")


def crosses_zero(cone: Cone, d: np.ndarray, coef: np.ndarray, cols: np.ndarray,
                 sg: np.ndarray) -> np.ndarray:
    r"""One pass: for coefficients ``cols`` (with sign ``sg`` at the point :math:`T d` of the
    cone, value ``coef``), whether moving from that point along :math:`-s_j e_j` reaches
    :math:`b_j = 0` before any row's margin turns negative (a ratio test on the rows, see
    :meth:`Cone.cross_limits`).  True means :math:`b_j` takes both signs on the cone, so the
    coefficient need not diverge; False settles nothing."""
    return cone.cross_limits(d, cols, sg) > np.abs(coef) * (1.0 + 1e-6)


def null_of_rows(cone: Cone, keep: np.ndarray) -> np.ndarray:
    r"""Orthonormal basis (z-coordinates, r x k) of the null space of :math:`Z_N`, ``N`` the
    rows in ``keep``, from the r x r Gram matrix summed in row blocks (eigh)."""
    G, count = cone.null_gram(keep)
    G = G / max(count, 1)
    e, V = np.linalg.eigh((G + G.T) / 2)
    top = max(e[-1] if e.size else 0.0, 0.0)
    return V[:, e <= 1e-10 * top] if top > 0 else np.eye(cone.basis.r)
