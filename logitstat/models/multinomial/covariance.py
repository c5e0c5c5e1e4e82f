r"""Robust and cluster-robust covariances of the multinomial logit (``mnlogit(cov_type=...)``).

With the parameters stacked outcome-major (see :mod:`logitstat.models.multinomial.fit`), row :math:`i` contributes
the score :math:`u_i = w_i\, r_i \otimes x_i`, :math:`r_{ik} = y_{ik} - p_{ik}` over the non-base
outcomes :math:`k`, and the bread is the inverse information :math:`B = \mathcal{I}^{-1}`:

.. math::

    V_{HC0} = B \Big(\sum_i w_i\, (r_i r_i^\top) \otimes (x_i x_i^\top)\Big) B, \qquad
    V_{HC1} = \frac{n}{n-k} V_{HC0},

:math:`n = \sum_i w_i`, :math:`k = (K-1)p` (a frequency weight counts as duplicated rows; the
block :math:`(a, b)` of the meat is :math:`X^\top \mathrm{diag}(w\, r_a r_b) X`).  Clustered:
:math:`U_g = \sum_{i\in g} w_i r_i \otimes x_i` and

.. math::

    V_{CL} = c\, B \Big(\sum_g U_g U_g^\top\Big) B, \qquad
    c = \frac{G}{G-1}\;\Big[\frac{n-1}{n-k}\Big]_{\texttt{type="HC1"}},

the conventions of ``sandwich::vcovCL`` for a glm (``cadjust``; two columns of ``groups=`` give
two-way clustering :math:`V_a + V_b - V_{a\cap b}`, each with its own :math:`G/(G-1)`, and
``multi0``/``fix`` as there).  ``sandwich`` has no method for ``nnet::multinom``; these are the
same estimators written out for the multinomial score (tested against R code built on
``multinom``'s fit).
"""
from __future__ import annotations

import numpy as np

from ...errors import DataError, SpecificationError
from ...fitting.kernels import weighted_gram
from ...inference import clustering
from ...inference.covariance import eigen_clip, get_estimator

COV_TYPES = ("nonrobust", "HC0", "HC1", "cluster")


def check_cov_type(cov_type: str, cov_kwds: dict | None, groups) -> tuple[str, dict]:
    """Validate ``cov_type``/``cov_kwds``/``groups`` of :func:`logitstat.mnlogit`."""
    est = get_estimator(cov_type, cov_kwds)   # unknown names and options: the registry's errors
    if est.name not in COV_TYPES:
        raise SpecificationError(f"cov_type={cov_type!r}: the multinomial logit offers "
                                 f"{', '.join(map(repr, COV_TYPES))}")
    if est.name == "cluster":
        if groups is None:
            raise SpecificationError("cov_type='cluster' needs groups= (a column name, or two "
                                     "for two-way clustering)")
        if est.kwds["type"] not in ("HC0", "HC1"):
            raise SpecificationError(f"cov_kwds={{'type': {est.kwds['type']!r}}}: the multinomial "
                                     "logit's cluster covariance takes type 'HC0' or 'HC1'")
    elif groups is not None:
        raise SpecificationError(f"groups= clusters the standard errors: use cov_type='cluster' "
                                 f"(not {cov_type!r})")
    return est.name, est.kwds


def residuals(codes: np.ndarray, log_probs: np.ndarray, base: int) -> np.ndarray:
    r""":math:`r_{ik} = y_{ik} - p_{ik}` over the non-base outcomes, (n, K-1)."""
    K = log_probs.shape[1]
    others = [k for k in range(K) if k != base]
    R = -np.exp(log_probs[:, others])
    for a, k in enumerate(others):
        R[codes == k, a] += 1.0
    return R


def _hc_meat(X: np.ndarray, R: np.ndarray, weights: np.ndarray) -> np.ndarray:
    p, J = X.shape[1], R.shape[1]
    M = np.empty((J * p, J * p))
    for a in range(J):
        for b in range(a, J):
            blk = weighted_gram(X, weights * R[:, a] * R[:, b])[0]
            M[a * p:(a + 1) * p, b * p:(b + 1) * p] = blk
            M[b * p:(b + 1) * p, a * p:(a + 1) * p] = blk.T
    return M


def _cluster_meat(X, R, weights, groups, cadjust: bool, multi0: bool, kind: str) -> np.ndarray:
    n, k = float(np.sum(weights)), X.shape[1] * R.shape[1]
    M = np.zeros((k, k))
    for dim in clustering.clusterings(groups, multi0):
        if dim.rowwise:   # multi0: the heteroskedasticity-only meat
            adj = (n - k) / (n - 1.0) if kind == "HC1" else 1.0
            M += dim.sign * adj * _hc_meat(X, R, weights)
            continue
        G = dim.n_groups
        if G < 2:
            raise DataError(f"cov_type='cluster' needs at least two clusters in groups=; found {G}")
        U = np.hstack([clustering.cluster_sums(X, weights * R[:, a], dim.codes, G)
                       for a in range(R.shape[1])])
        M += dim.sign * (G / (G - 1.0) if cadjust else 1.0) * (U.T @ U)
    return M


def robust_cov(X: np.ndarray, codes: np.ndarray, log_probs: np.ndarray, base: int,
               weights: np.ndarray, bread: np.ndarray, cov_type: str, kwds: dict,
               groups=None, scale: np.ndarray | None = None) -> np.ndarray:
    """The ``cov_type`` covariance of the stacked parameters (see the module docstring).

    ``bread`` is the inverse information in the coordinates of ``scale`` (the column scales of a
    fit on scaled columns, see :mod:`logitstat.models.binary.scaling`, repeated per outcome) when given; the
    result is then in those coordinates too.
    """
    R = residuals(codes, log_probs, base)
    n, k = float(np.sum(weights)), bread.shape[0]
    if cov_type in ("HC0", "HC1"):
        M = _hc_meat(X, R, weights)
        factor = 1.0
        if cov_type == "HC1":
            if n <= k:
                raise DataError(f"HC1 needs more observations ({n:g}) than coefficients ({k})")
            factor = n / (n - k)
    else:
        M = _cluster_meat(X, R, weights, groups, kwds["cadjust"], kwds["multi0"], kwds["type"])
        factor = 1.0
        if kwds["type"] == "HC1":
            if n <= k:
                raise DataError(f"the HC1 adjustment needs more observations ({n:g}) than "
                                f"coefficients ({k}); use cov_kwds={{'type': 'HC0'}}")
            factor = (n - 1.0) / (n - k)
    if scale is not None:
        M = M / np.outer(scale, scale)
    V = factor * (bread @ M @ bread)
    V = (V + V.T) / 2.0
    return eigen_clip(V) if cov_type == "cluster" and kwds.get("fix") else V


def describe(cov_type: str, kwds: dict, groups) -> str:
    """The covariance type in words (for the summary)."""
    if cov_type == "nonrobust":
        return "nonrobust (inverse Fisher information)"
    if cov_type == "HC0":
        return "robust HC0 (sandwich)"
    if cov_type == "HC1":
        return "robust HC1 (sandwich, n/(n-k))"
    adj = [a for a, on in (("G/(G-1)", kwds["cadjust"]), ("(n-1)/(n-k)", kwds["type"] == "HC1"))
           if on]
    return f"cluster-robust ({' x '.join(adj) or 'no adjustment'}), " + \
        clustering.describe_groups(groups)
