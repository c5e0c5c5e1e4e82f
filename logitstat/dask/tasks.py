r"""The worker side of :mod:`logitstat.dask`: what each partition computes in a pass.

A task receives one pandas partition and a small :class:`_Spec` (the formula, the names it uses,
the global design columns, the response coding, the link), builds the partition's rows of the
model with :mod:`logitstat.formula.fastdesign`, checks that they have the global columns, and returns a
dict of sums (:math:`X^\top W X`, :math:`X^\top W z`, the deviance, counts, ...): never
anything of the partition's length.  The in-memory fused pass of :mod:`logitstat.fitting.irls` does the
arithmetic, with one thread (Dask parallelises over partitions).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import patsy

from ..errors import DataError, FormulaError, MissingDataError, ResponseError
from ..fitting import family, kernels
from ..fitting.irls import _Model
from ..fitting.links import Link
from ..formula import design as _design
from ..formula import fastdesign

@dataclass
class _Spec:
    """Everything a partition needs to build its rows of the model (small and picklable)."""

    formula: str
    namespace: dict
    lhs_names: list[str]
    rhs_names: list[str]
    response: str                      # "numeric" | "levels" | "grouped"
    event_col: int | None
    success: Any
    weights: str | None
    offset: str | None
    missing: str
    link: Link
    keep: list[int] | None = None      # design columns kept (aliased ones dropped)
    null: bool = False                 # intercept-only design (the null model with an offset)


@dataclass
class _Rows:
    X: np.ndarray
    y: np.ndarray
    trials: np.ndarray
    weights: np.ndarray
    offset: np.ndarray
    n_in: int
    index: pd.Index


def _build_rows(pdf: pd.DataFrame, spec: _Spec) -> _Rows:
    """The model's arrays for one partition, with the global columns checked."""
    n_in = len(pdf)
    labels = pdf.index
    pdf = pdf.reset_index(drop=True)
    env = patsy.EvalEnvironment([spec.namespace])
    try:
        built = fastdesign.design_arrays(spec.formula, pdf, env, "drop", order="C")
    except patsy.PatsyError as exc:
        raise _design._reword_patsy_error(exc, spec.formula, pdf) from None
    rhs_names = list(built.X_info.column_names)
    if rhs_names != spec.rhs_names or list(built.y_info.column_names) != spec.lhs_names:
        raise FormulaError(
            f"a partition codes formula {spec.formula!r} into other columns "
            f"({', '.join(rhs_names[:6])}...) than the whole data: in a Dask fit every "
            "categorical must be a string or category column (not C() of a numeric column), "
            "so that its levels can be made known across partitions first")
    rows = built.index.to_numpy()
    Y = built.y
    if spec.response == "numeric":
        y = Y[:, 0]
        if not np.all((y == 0.0) | (y == 1.0)):
            if spec.success is None:
                bad = np.unique(y[(y != 0.0) & (y != 1.0)])[:5]
                raise ResponseError(f"response must be 0/1, bool or a two-level category; found "
                                    f"values {', '.join(f'{v:g}' for v in bad)}")
        if spec.success is not None:
            y = (y == float(spec.success)).astype(float)
        trials = np.ones(len(y))
    elif spec.response == "levels":
        y = Y[:, spec.event_col].astype(float)
        trials = np.ones(len(y))
    else:
        s, f = Y[:, 0], Y[:, 1]
        if not (np.all(np.isfinite(Y)) and np.all(Y >= 0)):
            raise ResponseError("the count columns of the response must be finite and non-negative")
        trials = s + f
        y = np.where(trials > 0, s / np.where(trials > 0, trials, 1.0), 0.0)
    keep = np.ones(len(rows), dtype=bool)
    w = off = None
    if spec.weights is not None:
        w = pdf[spec.weights].to_numpy(dtype=float)[rows]
        keep &= ~np.isnan(w)
    if spec.offset is not None:
        off = pdf[spec.offset].to_numpy(dtype=float)[rows]
        keep &= ~np.isnan(off)
    X = built.X
    if not keep.all():
        rows = rows[keep]
        X, y, trials = X[keep], y[keep], trials[keep]
        w = None if w is None else w[keep]
        off = None if off is None else off[keep]
    if spec.missing == "raise" and len(y) < n_in:
        raise MissingDataError(f"{n_in - len(y)} rows of a partition have missing values in the "
                               "variables used; drop them first or pass missing='drop'")
    if w is not None and (np.any(~np.isfinite(w)) or np.any(w < 0)):
        raise DataError(f"weights {spec.weights!r} must be finite and non-negative")
    if off is not None and not np.all(np.isfinite(off)):
        raise DataError("offset has infinite values; remove those rows")
    if not np.all(np.isfinite(X)):
        raise DataError("the design has infinite values; remove those rows or transform the variable")
    if spec.null:
        X = np.ones((len(y), 1))
    elif spec.keep is not None:
        X = X[:, spec.keep]
    n = len(y)
    return _Rows(np.ascontiguousarray(X), y, trials, np.ones(n) if w is None else w,
                 np.zeros(n) if off is None else off, n_in, labels[rows])


def _partition_task(pdf: pd.DataFrame, spec: _Spec, mode: str, beta, extra=None) -> dict:
    """One partition's share of a pass (see :class:`_DaskModel`); returns small arrays only."""
    r = _build_rows(pdf, spec)
    n, p = r.X.shape
    model = _Model(r.X, r.y, r.trials, r.weights, r.offset, spec.link, threads=1)
    out: dict[str, Any] = {"n_in": r.n_in, "n": n}
    with kernels.single_threaded_blas(), np.errstate(all="ignore"):
        if mode in ("start", "pass"):
            eta = np.empty(n)
            if mode == "start" and beta is None:
                prior = model.prior
                eta[:] = spec.link.linkfun((prior * r.y + 0.5) / (prior + 1.0))
                A, b, dev = model.fused_pass(None, eta) if n else (np.zeros((p, p)), np.zeros(p), 0.0)
            else:
                A, b, dev = model.fused_pass(beta, eta) if n else (np.zeros((p, p)), np.zeros(p), 0.0)
            out.update(A=A, b=b, dev=dev)
            if mode == "start":
                prior = model.prior
                out.update(sum_prior=float(prior.sum()), sum_event=float(prior @ r.y),
                           sum_w=float(r.weights.sum()), n_pos=int(np.count_nonzero(r.trials > 0)),
                           colsum=r.X.sum(axis=0))
                out.update(_grams(r.X, prior) if n else
                           dict(gram=np.zeros((p, p)), gram_live=np.zeros((p, p))))
        elif mode == "deviance":
            eta = r.X @ beta + r.offset
            out["dev"] = model.full_deviance(eta) if n else 0.0
        elif mode == "final":
            out.update(_final_stats(r, model, spec.link, beta, spec.response == "grouped"))
        elif mode == "meat":
            out.update(_meat(r, model, spec.link, beta, extra))
        elif mode == "certificate":
            out.update(_certificate_rows(r, spec.link, beta, extra))
        elif mode == "predict":
            raise ValueError("predict is mapped over partitions, not reduced")
    return out


def _partition_series(pdf: pd.DataFrame, spec: _Spec, mode: str, beta, extra=None) -> pd.Series:
    """:func:`_partition_task` wrapped for ``map_partitions`` (one object per partition)."""
    return pd.Series([_partition_task(pdf, spec, mode, beta, extra)], dtype=object)


def _score_pieces(r: _Rows, link: Link, eta: np.ndarray):
    mu = link.linkinv(eta)
    d = link.mu_eta(eta)
    var = mu * (1.0 - mu)
    return mu, d, var


def _final_stats(r: _Rows, model: _Model, link: Link, beta, grouped: bool) -> dict:
    """At the estimate: deviance, log-likelihood, and the overlap certificate's sums."""
    n, p = r.X.shape
    if n == 0:
        return dict(dev=0.0, ll=0.0, g=np.zeros(p), M=np.zeros((p, p)), min_lam=np.inf, max_lam=0.0)
    eta = r.X @ beta + r.offset
    dev = model.full_deviance(eta)
    ll = family.loglik(r.y, r.trials, r.weights, eta, link, grouped)
    mu, d, _ = _score_pieces(r, link, eta)
    live = (r.weights > 0) & (r.trials > 0)
    lam_s = r.weights * r.trials * r.y * d / mu
    lam_f = r.weights * r.trials * (1.0 - r.y) * d / (1.0 - mu)
    present = np.concatenate([lam_s[live & (r.y > 0)], lam_f[live & (r.y < 1)]])
    inside = bool(np.all((mu[live] > 0) & (mu[live] < 1)))
    return dict(dev=dev, ll=ll, g=r.X.T @ (lam_s - lam_f), M=kernels.gram(r.X, lam_s + lam_f, threads=1),
                min_lam=float(present.min()) if present.size and inside else (0.0 if present.size else np.inf),
                max_lam=float(present.max()) if present.size else 0.0)


def _grams(X: np.ndarray, prior: np.ndarray) -> dict:
    """:math:`X^\top X` over all rows (``gram``: condition number) and over the rows that carry
    information, prior weight > 0 (``gram_live``: the rank check, as
    :func:`logitstat.fitting.rank.check_rank` with ``rows``)."""
    gram = kernels.gram(X, threads=1)
    live = prior > 0
    return dict(gram=gram, gram_live=gram if live.all() else
                kernels.gram(X, live.astype(float), threads=1))


def _certificate_rows(r: _Rows, link: Link, beta, v) -> dict:
    r"""Second half of the overlap certificate (see :func:`logitstat.diagnostics.separation.overlap_certificate`):
    the corrected multipliers' sums, their size, the largest :math:`\sqrt{\Lambda_i}/\Lambda^c_i`
    and the number of rows (for the rounding bound)."""
    n, p = r.X.shape
    if n == 0:
        return dict(ok=True, resid=np.zeros(p), size=np.zeros(p), rho=0.0, rows=0)
    eta = r.X @ beta + r.offset
    mu, d, _ = _score_pieces(r, link, eta)
    lam_s = r.weights * r.trials * r.y * d / mu
    lam_f = r.weights * r.trials * (1.0 - r.y) * d / (1.0 - mu)
    live = (r.weights > 0) & (r.trials > 0)
    xv = r.X @ v
    fac_s, fac_f = 1.0 - xv, 1.0 + xv
    ok = not (np.any(fac_s[live & (r.y > 0)] < 0.5) or np.any(fac_f[live & (r.y < 1)] < 0.5))
    ls_, lf_ = np.where(live, lam_s * fac_s, 0.0), np.where(live, lam_f * fac_f, 0.0)
    lam, lamc = lam_s + lam_f, ls_ + lf_
    ok = ok and bool(np.all(lamc[live] > 0))
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = float(np.max(np.where(live, np.sqrt(lam) / lamc, 0.0), initial=0.0))
    return dict(ok=ok, resid=r.X.T @ (ls_ - lf_), size=kernels.abs_rmatvec(r.X, lamc, threads=1),
                rho=rho, rows=n)


def _meat(r: _Rows, model: _Model, link: Link, beta, bread) -> dict:
    r"""Sandwich pieces :math:`\sum_i w_i f_i s_i^2 x_i x_i^\top` for HC0 (f = 1), HC2, HC3."""
    n, p = r.X.shape
    if n == 0:
        return {k: np.zeros((p, p)) for k in ("hc0", "hc2", "hc3")}
    eta = r.X @ beta + r.offset
    mu, d, var = _score_pieces(r, link, eta)
    score = r.trials * (r.y - mu) * d / var
    unit_w = r.trials * d * d / var
    h = unit_w * np.einsum("ij,ij->i", r.X @ bread, r.X)
    c = r.weights * score ** 2
    return {"hc0": kernels.gram(r.X, c, threads=1),
            "hc2": kernels.gram(r.X, c / (1.0 - h), threads=1),
            "hc3": kernels.gram(r.X, c / (1.0 - h) ** 2, threads=1)}


def _predict_partition(pdf: pd.DataFrame, spec: _Spec, beta, which: str) -> pd.Series:
    """Fitted values of one partition, indexed like the partition's rows that were used."""
    r = _build_rows(pdf, spec)
    eta = r.X @ beta + r.offset
    vals = eta if which == "linear" else spec.link.linkinv(eta)
    return pd.Series(vals, index=r.index, name=which)
