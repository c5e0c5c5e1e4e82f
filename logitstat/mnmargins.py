r"""Average marginal effects of a multinomial logit, with exact delta-method Jacobians.

With :math:`B` the (p, K) coefficient matrix (base column zero) and :math:`p_{ik}` the class
probabilities, :math:`\partial p_{ik}/\partial \beta_m = p_{ik}(\delta_{km} - p_{im})\,x_i`.

*Numeric column* :math:`j`: :math:`e_{ik} = \partial p_{ik}/\partial x_{ij}
= p_{ik}(B_{jk} - \bar b_{ij})`, :math:`\bar b_{ij} = \sum_l p_{il} B_{jl}`, and

.. math::

    \frac{\partial e_{ik}}{\partial \beta_m} =
      p_{ik}\big[(\delta_{km}-p_{im})(B_{jk}-\bar b_{ij}) - p_{im}(B_{jm}-\bar b_{ij})\big]\,x_i
      + p_{ik}(\delta_{km} - p_{im})\,u_j,

with :math:`u_j` the j-th unit vector.  *Indicator column of a categorical main effect*: the
discrete change :math:`p_{ik}(x_i^{(1)}) - p_{ik}(x_i^{(0)})` where :math:`x^{(1)}` sets the
level's indicator (the term's other indicators zero) and :math:`x^{(0)}` is the reference
level.  Effects are averaged with the frequency weights; the standard error of the average
:math:`\bar e_k` is :math:`\sqrt{G_k V G_k^\top}` with :math:`G_k` the averaged Jacobian.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import mnfit
from .inference import normal_quantile


def discrete_columns(design) -> dict[int, slice]:
    """Indicator columns of categorical main effects whose factor enters no other term.

    Returns ``{column: slice of its term's columns}``; those columns get discrete changes.
    """
    info = design.design_info
    out: dict[int, slice] = {}
    if info is None:
        return out
    factor_uses: dict = {}
    for term in info.terms:
        for f in term.factors:
            factor_uses[f] = factor_uses.get(f, 0) + 1
    for name, term in zip(info.term_names, info.terms):
        if name not in design.terms or len(term.factors) != 1:
            continue
        f = term.factors[0]
        if info.factor_infos[f].type != "categorical" or factor_uses[f] != 1:
            continue
        sl = design.terms[name]
        block = design.X[:, sl]
        if np.all((block == 0) | (block == 1)) and np.all(block.sum(axis=1) <= 1):
            for j in range(sl.start, sl.stop):
                out[j] = sl
    return out


def _full_B(res) -> np.ndarray:
    p, K = len(res.names), len(res.levels)
    B = np.zeros((p, K))
    B[:, [k for k in range(K) if k != res.base_index]] = res.fit.params
    return B


def _prob_jacobian(X: np.ndarray, P: np.ndarray, w: np.ndarray, others: list[int]) -> np.ndarray:
    r"""Weighted mean over rows of :math:`\partial p_{ik}/\partial\theta`: (K, (K-1)p)."""
    K = P.shape[1]
    delta = np.eye(K)[:, others]                                  # (K, J)
    coef = P[:, :, None] * (delta[None] - P[:, None, others])      # (n, K, J)
    G = np.einsum("i,ikm,ij->kmj", w, coef, X) / w.sum()
    return G.reshape(K, -1)


def average_marginal_effects(res, alpha: float = 0.05) -> pd.DataFrame:
    """See :meth:`logitstat.multinomial.MNLogitResults.marginal_effects`."""
    d = res.design
    X, w = d.X, d.weights
    K = len(res.levels)
    others = [k for k in range(K) if k != res.base_index]
    B = _full_B(res)
    P = np.exp(res.fit.log_probs)
    V = res.fit.cov
    disc = discrete_columns(d)
    delta = np.eye(K)
    rows, effects, ses = [], [], []
    for j, name in enumerate(res.names):
        if name == "Intercept" or (np.all(X[:, j] == X[0, j]) and j not in disc):
            continue
        if j in disc:
            sl = disc[j]
            X1, X0 = X.copy(), X.copy()
            X1[:, sl] = 0.0
            X0[:, sl] = 0.0
            X1[:, j] = 1.0
            P1 = np.exp(mnfit.log_probs(X1, res.fit.params, res.base_index))
            P0 = np.exp(mnfit.log_probs(X0, res.fit.params, res.base_index))
            eff = w @ (P1 - P0) / w.sum()
            G = _prob_jacobian(X1, P1, w, others) - _prob_jacobian(X0, P0, w, others)
        else:
            bbar = P @ B[j]                                        # (n,)
            dev = B[j][None, :] - bbar[:, None]                    # (n, K): B_jk - bbar_ij
            eff = w @ (P * dev) / w.sum()
            dlt = delta[:, others]                                 # (K, J)
            coef = P[:, :, None] * ((dlt[None] - P[:, None, others]) * dev[:, :, None]
                                    - P[:, None, others] * dev[:, None, others])
            G = np.einsum("i,ikm,il->kml", w, coef, X) / w.sum()   # (K, J, p)
            unit = np.einsum("i,ikm->km", w, P[:, :, None] * (dlt[None] - P[:, None, others])) / w.sum()
            G[:, :, j] += unit
            G = G.reshape(K, -1)
        se = np.sqrt(np.maximum(np.einsum("ka,ab,kb->k", G, V, G), 0.0))
        rows.append(name)
        effects.append(eff)
        ses.append(se)
    cols = ["effect", "se", "z", "pvalue", "lower", "upper"]
    if not rows:
        return pd.DataFrame(columns=cols)
    eff = np.column_stack(effects).reshape(-1)          # outcome-major: (K, columns)
    se = np.column_stack(ses).reshape(-1)
    index = pd.MultiIndex.from_tuples([(lvl, nm) for lvl in res.levels for nm in rows],
                                      names=["outcome", "column"])
    zcrit = normal_quantile(alpha)
    safe = np.where(se > 0, se, 1.0)
    z = np.where(se > 0, eff / safe, np.nan)
    pval = np.where(se > 0, 2.0 * stats.norm.sf(np.abs(eff / safe)), np.nan)
    return pd.DataFrame({"effect": eff, "se": se, "z": z, "pvalue": pval,
                         "lower": eff - zcrit * se, "upper": eff + zcrit * se}, index=index)
