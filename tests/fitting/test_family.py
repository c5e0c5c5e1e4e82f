"""Binomial log-likelihood and deviance against scipy's binomial distribution."""
from __future__ import annotations

import numpy as np
from scipy import stats

from logitstat.fitting import family
from logitstat.fitting.links import get_link

rng = np.random.default_rng(1)


def test_grouped_loglik_equals_binomial_logpmf():
    m = rng.integers(1, 30, size=50).astype(float)
    k = rng.binomial(m.astype(int), 0.3).astype(float)
    eta = rng.normal(size=50)
    w = rng.integers(1, 4, size=50).astype(float)
    for name in ("logit", "probit", "cloglog", "cauchit"):
        link = get_link(name)
        ll = family.loglik(k / m, m, w, eta, link, grouped=True)
        want = np.sum(w * stats.binom.logpmf(k, m, link.linkinv(eta)))
        np.testing.assert_allclose(ll, want, rtol=1e-12)


def test_deviance_is_twice_the_distance_to_the_saturated_model():
    m = rng.integers(1, 30, size=40).astype(float)
    k = rng.binomial(m.astype(int), 0.6).astype(float)
    y = k / m
    link = get_link("logit")
    eta = rng.normal(size=40)
    sat = np.sum(stats.binom.logpmf(k, m, y))
    fit = np.sum(stats.binom.logpmf(k, m, link.linkinv(eta)))
    np.testing.assert_allclose(family.deviance(y, m, np.ones(40), eta, link), 2 * (sat - fit), rtol=1e-10)
    resid = family.deviance_residuals(y, m, np.ones(40), eta, link)
    np.testing.assert_allclose(np.sum(resid ** 2), 2 * (sat - fit), rtol=1e-10)


def test_bernoulli_loglik_far_in_the_tails_is_exact():
    link = get_link("logit")
    y = np.array([1.0, 0.0])
    eta = np.array([-40.0, 40.0])  # both observations very badly fitted
    np.testing.assert_allclose(family.loglik(y, np.ones(2), np.ones(2), eta, link),
                               -2 * (40 + np.log1p(np.exp(-40))), rtol=1e-14)
