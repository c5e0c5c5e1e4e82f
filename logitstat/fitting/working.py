r"""Per-row working quantities of IRLS that need more than the link's own functions.

:func:`_cloglog_working` gives the complementary log-log link's :math:`\sqrt{W}`, working
residual and observed weight from :math:`t = e^\eta` (stable where R's ``1 - mu`` is not), and
:func:`_curvature` the term :math:`c_i` that turns Fisher's weight into the observed
information's, :math:`W^o_i = W_i - s_i c_i`, for every link.  Used block by block by the
pass model of :mod:`logitstat.fitting.irls`.
"""
from __future__ import annotations

import numpy as np

from .links import Link

__all__: list[str] = []   # internal to IRLS

_EPS = np.finfo(float).eps


def _cloglog_working(eta: np.ndarray, y: np.ndarray, newton: bool) -> tuple:
    r"""Cloglog :math:`\sqrt{W}`, :math:`\sqrt{W}(y-\mu)/\mu'` and (with ``newton``) the
    observed weights, all from :math:`t = e^\eta` without forming :math:`1-\mu`.

    With :math:`1-\mu = e^{-t}`: :math:`W = t^2/\mathrm{expm1}(t)`, score
    :math:`y\,t/\mathrm{expm1}(t) - (1-y)\,t`, observed weight
    :math:`y\,t\,(t e^t - \mathrm{expm1}(t))/\mathrm{expm1}(t)^2 + (1-y)\,t`.  R's
    ``1 - mu`` loses all digits for :math:`\eta > 3`; there its clamped score of a failure
    (:math:`-1` instead of :math:`-e^\eta`) contradicts the (stable) deviance and IRLS stalls.
    ``W`` is floored at 1e-200 (it underflows for :math:`\eta > 6.5`; R floors at about
    :math:`\epsilon`), so that :math:`\sqrt{W}` can divide.
    """
    t = np.exp(np.minimum(eta, 700.0))
    em1 = np.expm1(t)
    ratio = t / em1                                      # -> 1 as t -> 0, 0 as t -> inf
    W = t * ratio
    np.maximum(W, 1e-200, out=W)
    sw = np.sqrt(W)
    score = y * ratio - (1.0 - y) * t
    resid = score / sw
    wobs = None
    if newton:
        safe = np.minimum(t, 30.0)                       # beyond, the success part is < 1e-11
        m1 = np.expm1(safe)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore", under="ignore"):
            part = np.where(t < 1e-6, 0.5 * t, safe * (safe * (m1 + 1.0) - m1) / (m1 * m1))
        wobs = y * np.where(t < 30.0, part, 0.0)
        wobs += (1.0 - y) * t
    return sw, resid, wobs


def _curvature(link: Link, eta: np.ndarray, mu: np.ndarray, sd: np.ndarray, sw: np.ndarray,
               clamped: bool) -> np.ndarray:
    r""":math:`c_i = \frac{d}{d\eta}\log\frac{\mu'}{V} = \frac{\mu''}{\mu'} -
    \frac{\mu'(1-2\mu)}{V}` per row, so that the observed information weight is
    :math:`W^o_i = W_i - s_i c_i` (:math:`s_i` the row's score; see the module docstring).

    ``sw`` holds :math:`\mu'/\sqrt{V}` and ``sd`` :math:`\sqrt{V}`.  Where R's clamps bite
    (``clamped`` blocks: :math:`\mu` or :math:`\mu'` at machine epsilon) or :math:`c` is not
    finite, :math:`c = 0`: those rows keep Fisher's weight.
    """
    name = link.name
    if name == "probit":
        ratio = -eta                                     # mu''/mu'
    elif name == "cloglog":
        ratio = -np.expm1(np.minimum(eta, 700.0))
    elif name == "cauchit":
        ratio = -2.0 * eta / (1.0 + eta * eta)
    elif name == "logit":
        ratio = 1.0 - 2.0 * mu
    else:
        ratio = link.mu_eta2(eta) / link.mu_eta(eta)
    c = ratio - (sw / sd) * (1.0 - 2.0 * mu)
    if clamped:
        bad = ~np.isfinite(c) | (mu <= _EPS) | (mu >= 1.0 - _EPS) | (sw * sd <= _EPS)
        c[bad] = 0.0
    return c
