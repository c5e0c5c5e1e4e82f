r"""The binomial family: log-likelihood, deviance and residuals.

Rows carry a proportion :math:`y_i` of events out of :math:`m_i` trials (:math:`m_i = 1` for
0/1 data) and a frequency weight :math:`w_i`.  With :math:`\mu_i = g^{-1}(\eta_i)`,

.. math::

    \ell = \sum_i w_i \Big[\log\binom{m_i}{m_i y_i}
           + m_i\big(y_i \log\mu_i + (1-y_i)\log(1-\mu_i)\big)\Big],

    D = 2 \sum_i w_i m_i \Big[y_i \log\frac{y_i}{\mu_i}
           + (1-y_i)\log\frac{1-y_i}{1-\mu_i}\Big],

exactly as R's ``binomial()`` family (``aic`` and ``dev.resids``).
"""
from __future__ import annotations

import numpy as np
from scipy import special

from .links import Link

__all__ = ["loglik", "deviance", "deviance_residuals", "pearson_residuals", "observed_weights"]


def _weighted_log_probs(y: np.ndarray, eta: np.ndarray, link: Link) -> np.ndarray:
    r"""Per-row :math:`y\log\mu + (1-y)\log(1-\mu)`, with :math:`0\cdot\log 0 = 0`."""
    log_mu, log_1mmu = link.log_probs(eta)
    with np.errstate(invalid="ignore"):
        a = np.where(y > 0, y * log_mu, 0.0)
        b = np.where(y < 1, (1.0 - y) * log_1mmu, 0.0)
    return a + b


def saturated_terms(y: np.ndarray) -> np.ndarray:
    r"""Per-row :math:`y\log y + (1-y)\log(1-y)` (zero for 0/1 data)."""
    return special.xlogy(y, y) + special.xlogy(1.0 - y, 1.0 - y)


def log_binom_coef(y: np.ndarray, trials: np.ndarray) -> np.ndarray:
    r""":math:`\log\binom{m}{my}` per row, computed with ``gammaln`` (zero for 0/1 data)."""
    k = np.round(trials * y)
    m = np.round(trials)
    return special.gammaln(m + 1.0) - special.gammaln(k + 1.0) - special.gammaln(m - k + 1.0)


def loglik(y, trials, weights, eta, link: Link, grouped: bool = False) -> float:
    """Binomial log-likelihood at linear predictor ``eta`` (see the module docstring)."""
    ll = weights * trials * _weighted_log_probs(y, eta, link)
    total = float(np.sum(ll))
    if grouped:
        total += float(np.sum(weights * log_binom_coef(y, trials)))
    return total


def deviance(y, trials, weights, eta, link: Link) -> float:
    """Binomial deviance at linear predictor ``eta`` (see the module docstring)."""
    return float(2.0 * np.sum(weights * trials * (saturated_terms(y) - _weighted_log_probs(y, eta, link))))


def deviance_residuals(y, trials, weights, eta, link: Link) -> np.ndarray:
    r"""Signed square roots of each row's deviance contribution (R's ``residuals(type="deviance")``)."""
    d = 2.0 * weights * trials * (saturated_terms(y) - _weighted_log_probs(y, eta, link))
    mu = link.linkinv(eta)
    return np.sign(y - mu) * np.sqrt(np.maximum(d, 0.0))


def pearson_residuals(y, trials, weights, mu) -> np.ndarray:
    r""":math:`(y-\mu)\sqrt{w m}/\sqrt{\mu(1-\mu)}` (R's ``residuals(type="pearson")``)."""
    return (y - mu) * np.sqrt(weights * trials) / np.sqrt(mu * (1.0 - mu))


def observed_weights(y: np.ndarray, trials: np.ndarray, weights: np.ndarray, eta: np.ndarray,
                     link: Link) -> np.ndarray:
    r"""Per-row weights :math:`v_i` of the observed information :math:`X^\top \mathrm{diag}(v) X`.

    With :math:`V = \mu(1-\mu)`, :math:`\ell_i = w_i m_i [y_i\log\mu_i + (1-y_i)\log(1-\mu_i)]` has

    .. math::

        -\frac{\partial^2\ell_i}{\partial\eta_i^2} = w_i m_i\Big[\frac{\mu'^2}{V}
            - (y_i-\mu_i)\Big(\frac{\mu''}{V} - \frac{\mu'^2 (1-2\mu)}{V^2}\Big)\Big],

    the Fisher weight minus a term with mean zero, which vanishes identically for the logit link
    (:math:`\mu' = V`, :math:`\mu'' = V(1-2\mu)`).
    """
    mu = link.linkinv(eta)
    d = link.mu_eta(eta)
    var = mu * (1.0 - mu)
    prior = weights * trials
    if link.canonical:
        return prior * d * d / var
    correction = (y - mu) * (link.mu_eta2(eta) / var - d * d * (1.0 - 2.0 * mu) / (var * var))
    return prior * (d * d / var - correction)
