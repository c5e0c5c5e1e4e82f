r"""Average marginal effects of a multinomial logit, by variable, with exact delta-method Jacobians.

With :math:`B` the (p, K) coefficient matrix (base column zero) and :math:`p_{ik}` the class
probabilities, :math:`\partial p_{ik}/\partial \beta_m = p_{ik}(\delta_{km} - p_{im})\,x_i`.

*Numeric variable* :math:`v`: the derivative is taken with respect to the *variable*, through
every design column it enters (``age`` and ``I(age**2)``, ``np.log(x)``, ``x:C(g)``), with
:math:`D_i = \partial x_i/\partial v` (the columns :math:`J` of the terms :math:`v` enters,
rebuilt by :mod:`logitstat.inference.margins` at :math:`v \pm h`, exact for columns linear in :math:`v`).
With :math:`d_{ik} = D_i^\top B_{Jk}` and :math:`\bar d_i = \sum_l p_{il} d_{il}`,
:math:`e_{ik} = \partial p_{ik}/\partial v = p_{ik}(d_{ik} - \bar d_i)` and

.. math::

    \frac{\partial e_{ik}}{\partial \beta_m} =
      p_{ik}\big[(\delta_{km}-p_{im})(d_{ik}-\bar d_i) - p_{im}(d_{im}-\bar d_i)\big]\,x_i
      + p_{ik}(\delta_{km} - p_{im})\,D_i \quad(\text{the last term on the columns } J).

*Categorical variable* :math:`g`, level :math:`l`: the discrete change
:math:`p_{ik}(x_i^{(g=l)}) - p_{ik}(x_i^{(g=r)})` from the reference level :math:`r`, every
row's columns of the terms :math:`g` enters rebuilt with :math:`g` set to each level (bool
columns are categorical).  Effects are averaged with the frequency weights; the standard error
of the average :math:`\bar e_k` is :math:`\sqrt{G_k V G_k^\top}` with :math:`G_k` the averaged
Jacobian.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ...inference import margins
from ...inference.hypothesis import normal_quantile
from . import fit as mnfit


def _full_B(res) -> np.ndarray:
    p, K = len(res.names), len(res.levels)
    B = np.zeros((p, K))
    B[:, [k for k in range(K) if k != res.base_index]] = res.fit_result.params
    return B


def _prob_jacobian(X: np.ndarray, P: np.ndarray, w: np.ndarray, others: list[int]) -> np.ndarray:
    r"""Weighted mean over rows of :math:`\partial p_{ik}/\partial\theta`: (K, (K-1)p)."""
    K = P.shape[1]
    delta = np.eye(K)[:, others]                                  # (K, J)
    coef = P[:, :, None] * (delta[None] - P[:, None, others])      # (n, K, J)
    G = np.einsum("i,ikm,ij->kmj", w, coef, X) / w.sum()
    return G.reshape(K, -1)


def _derivative(X, P, B, w, others, J, D):
    """Effect of a numeric variable whose derivative moves the columns ``J`` by ``D``, and its
    Jacobian (K, (K-1)p)."""
    K = P.shape[1]
    dd = D @ B[J]                                               # (n, K): d_ik
    dev = dd - np.sum(P * dd, axis=1, keepdims=True)            # d_ik - dbar_i
    eff = w @ (P * dev) / w.sum()
    dlt = np.eye(K)[:, others]                                  # (K, M)
    base = P[:, :, None] * (dlt[None] - P[:, None, others])     # (n, K, M): p_ik(δ_km - p_im)
    coef = base * dev[:, :, None] - P[:, :, None] * (P[:, None, others] * dev[:, None, others])
    G = np.einsum("i,ikm,il->kml", w, coef, X) / w.sum()        # (K, M, p)
    G[:, :, J] += np.einsum("i,ikm,il->kml", w, base, D) / w.sum()
    return eff, G.reshape(K, -1)


def _change(X, Bp, base_index, w, others, J, X1J, X0J):
    """Discrete change of the columns ``J`` from ``X0J`` to ``X1J`` and its Jacobian."""
    X1, X0 = X.copy(), X.copy()
    X1[:, J], X0[:, J] = X1J, X0J
    P1 = np.exp(mnfit.log_probs(X1, Bp, base_index))
    P0 = np.exp(mnfit.log_probs(X0, Bp, base_index))
    eff = w @ (P1 - P0) / w.sum()
    return eff, _prob_jacobian(X1, P1, w, others) - _prob_jacobian(X0, P0, w, others)


def average_marginal_effects(res, alpha: float = 0.05, variables=None, data=None) -> pd.DataFrame:
    """See :meth:`logitstat.models.multinomial.results.MNLogitResults.marginal_effects`."""
    zcrit = normal_quantile(alpha)
    d = res.design
    frame = margins.estimation_frame(d, data if data is not None else getattr(res, "_data", None))
    builder = margins._Builder(d, frame)
    all_vars, unsupported = margins.model_variables(d, frame)
    chosen = margins._select(all_vars, variables, unsupported)
    X, w = d.X, d.weights
    K = len(res.levels)
    others = [k for k in range(K) if k != res.base_index]
    B = _full_B(res)
    P = np.exp(res.fit_result.log_probs)
    labels, effects, grads = [], [], []
    for v in chosen:
        if v.kind == "numeric":
            x = pd.to_numeric(frame[v.name]).to_numpy(dtype=float)
            J, D = margins._derivative_columns(builder, x, v.name)
            e, g = _derivative(X, P, B, w, others, J, D)
            labels.append(v.name), effects.append(e), grads.append(g)
            continue
        col = frame[v.name]
        J, X0J = builder.columns({v.name: margins._set_level(col, v.reference)})
        for lvl, label in zip([lv for lv in v.levels if lv != v.reference], v.labels):
            X1J = builder.columns({v.name: margins._set_level(col, lvl)})[1]
            e, g = _change(X, res.fit_result.params, res.base_index, w, others, J, X1J, X0J)
            labels.append(label), effects.append(e), grads.append(g)
    cols = ["effect", "se", "z", "pvalue", "lower", "upper"]
    if not labels:
        return pd.DataFrame(columns=cols)
    _, V = res._scaled
    ses = []
    for G in grads:
        G = G / res._flat_scale  # gradients in the fit's coordinates (scaled columns)
        g = np.ldexp(1.0, np.frexp(np.abs(G).max(axis=1, initial=0.0))[1])  # exact; no under/overflow
        G = G / g[:, None]
        ses.append(g * np.sqrt(np.maximum(np.einsum("ka,ab,kb->k", G, V, G), 0.0)))
    eff = np.column_stack(effects).reshape(-1)          # outcome-major: (K, variables)
    se = np.column_stack(ses).reshape(-1)
    index = pd.MultiIndex.from_tuples([(lvl, nm) for lvl in res.levels for nm in labels],
                                      names=["outcome", "variable"])
    safe = np.where(se > 0, se, 1.0)
    z = np.where(se > 0, eff / safe, np.nan)
    pval = np.where(se > 0, 2.0 * stats.norm.sf(np.abs(eff / safe)), np.nan)
    out = pd.DataFrame({"effect": eff, "se": se, "z": z, "pvalue": pval,
                        "lower": eff - zcrit * se, "upper": eff + zcrit * se}, index=index)
    out.attrs["title"] = "Average marginal effects on each outcome's probability"
    return out
