r"""Exact separation check of a Dask fit: the programs of :mod:`logitstat.diagnostics.separation` on a cone
whose rows stay on the cluster.

:class:`DaskCone` has the interface of :class:`logitstat.diagnostics.separation_lp.Cone`.  Each of its
passes maps one task over the partitions: the task builds the partition's rows of the model
(as the fit does), makes an in-memory cone of them and runs the same pass on it, and returns
small results -- counts, the few rows of smallest margin with their whitened coordinates, an
r x r Gram matrix, a per-partition boolean of newly separated rows.  The client keeps only the
working subset of the linear programs and three booleans per row (the cone membership and the
separated set, one byte each: an eighth of one float64 column of the design), so memory stays
bounded by a partition on each worker.  Row numbers are positions among the rows used by the
fit, partitions in order.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..diagnostics import separation_lp as slp
from ..diagnostics.separation import _masks
from ..fitting.kernels import single_threaded_blas
from .tasks import _build_rows, _Spec

__all__ = ["DaskCone"]


def _cone_of(pdf, spec: _Spec, basis: "slp.Basis | None"):
    r = _build_rows(pdf, spec)
    succ, fail = _masks(len(r.y), r.y, r.trials, r.weights)
    return r, succ, fail, (None if basis is None else slp.Cone(r.X, succ, fail, basis))


def _separation_task(pdf, spec: _Spec, mode: str, basis, payload: Any, local: Any) -> dict:
    """One partition's share of a :class:`DaskCone` pass (small results only)."""
    with single_threaded_blas(), np.errstate(all="ignore"):
        r, succ, fail, cone = _cone_of(pdf, spec, basis)
        live = succ | fail
        if mode == "moments":
            return dict(succ=succ, fail=fail, sums=slp.live_sums(r.X, live), count=int(live.sum()))
        if mode == "cgram":
            return dict(G=slp.centred_gram(r.X, live, payload))
        if mode == "rows":
            return dict(z=basis.z(r.X[local]))
        if mode == "scan":
            B, k = payload
            out, new = cone.scan(B, local, k)
            zs = [basis.z(r.X[col[1].astype(np.intp)]) for col in out]
            return dict(out=out, z=zs, new=new)
        if mode == "outside":
            idx = cone.outside_span(payload, local)[:slp._ADD]
            z = basis.z(r.X[idx])
            return dict(idx=idx, z=z, size=np.sqrt(np.sum((z @ payload) ** 2, axis=1)))
        if mode == "cross":
            return dict(t=cone.cross_limits(*payload))
        if mode == "null":
            G, count = cone.null_gram(local)
            return dict(G=G, count=count)
    raise ValueError(f"unknown pass {mode!r}")


class DaskCone(slp.Cone):
    """The cone rows of a Dask fit (see the module docstring); ``passes`` counts passes over the
    partitions."""

    def __init__(self, ddf, spec: _Spec):
        self._parts = ddf.to_delayed()
        self.spec = spec
        self.X = None
        self.basis = None
        self.passes = 0
        first = self._run("moments")
        self.sizes = np.array([len(q["succ"]) for q in first], dtype=np.intp)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.succ = np.concatenate([q["succ"] for q in first]) if first else np.zeros(0, bool)
        self.fail = np.concatenate([q["fail"] for q in first]) if first else np.zeros(0, bool)
        self.live = self.succ | self.fail
        nl = max(sum(q["count"] for q in first), 1)
        m = sum(q["sums"] for q in first) / nl
        C = sum(q["G"] for q in self._run("cgram", m)) / nl
        self.basis = slp.basis_from_moments(m, C)
        self._z: dict[int, np.ndarray] = {}     # whitened rows seen so far, by position

    # ------------------------------------------------------------------ plumbing
    def _run(self, mode: str, payload: Any = None, local: list | None = None) -> list[dict]:
        import dask

        local = [None] * len(self._parts) if local is None else local
        tasks = [dask.delayed(_separation_task)(part, self.spec, mode, self.basis, payload, loc)
                 for part, loc in zip(self._parts, local)]
        self.passes += 1
        return list(dask.compute(*tasks))

    def _split(self, mask: np.ndarray) -> list[np.ndarray]:
        """A per-row array cut into the partitions' pieces."""
        return [mask[a:b] for a, b in zip(self.offsets[:-1], self.offsets[1:])]

    def _remember(self, idx: np.ndarray, z: np.ndarray) -> None:
        for i, row in zip(idx.tolist(), z):
            self._z[i] = row

    # ------------------------------------------------------------------ the Cone interface
    def rows(self, idx: np.ndarray, sign: np.ndarray) -> np.ndarray:
        idx = np.asarray(idx, dtype=np.intp)
        missing = np.unique([i for i in idx.tolist() if i not in self._z]).astype(np.intp)
        if missing.size:                       # one pass fetches them all
            part = np.searchsorted(self.offsets, missing, side="right") - 1
            local = [missing[part == k] - self.offsets[k] for k in range(len(self._parts))]
            for k, q in enumerate(self._run("rows", None, local)):
                self._remember(local[k] + self.offsets[k], q["z"])
        Z = np.array([self._z[i] for i in idx.tolist()]).reshape(len(idx), self.basis.r)
        return Z * np.asarray(sign, dtype=float)[:, None]

    def scan(self, B: np.ndarray, S: np.ndarray, k: int = slp._ADD):
        parts = self._run("scan", (B, k), self._split(S))
        out = []
        for c in range(B.shape[1]):
            idx = np.concatenate([q["out"][c][1] + o for q, o in zip(parts, self.offsets)])
            sg = np.concatenate([q["out"][c][2] for q in parts])
            mg = np.concatenate([q["out"][c][3] for q in parts])
            self._remember(idx.astype(np.intp), np.vstack([q["z"][c] for q in parts]))
            if mg.size > k:
                j = np.argpartition(mg, k)[:k]
                idx, sg, mg = idx[j], sg[j], mg[j]
            out.append((int(sum(q["out"][c][0] for q in parts)), idx, sg, mg))
        new = np.concatenate([q["new"] + o for q, o in zip(parts, self.offsets)])
        return out, new.astype(np.intp)

    def outside_span(self, N: np.ndarray, S: np.ndarray) -> np.ndarray:
        parts = self._run("outside", N, self._split(S))
        idx = np.concatenate([q["idx"] + o for q, o in zip(parts, self.offsets)]).astype(np.intp)
        size = np.concatenate([q["size"] for q in parts])
        self._remember(idx, np.vstack([q["z"] for q in parts]))
        return idx[np.argsort(-size, kind="stable")]

    def cross_limits(self, d: np.ndarray, cols: np.ndarray, sg: np.ndarray) -> np.ndarray:
        parts = self._run("cross", (d, cols, sg))
        return np.min(np.vstack([np.full(cols.size, np.inf)] + [q["t"] for q in parts]), axis=0)

    def null_gram(self, keep: np.ndarray) -> tuple[np.ndarray, int]:
        parts = self._run("null", None, self._split(keep))
        return sum(q["G"] for q in parts), int(sum(q["count"] for q in parts))
