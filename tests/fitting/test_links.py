"""Link functions: inverses, derivatives against finite differences, stable tails."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import logitstat as ls
from logitstat.fitting.links import LINKS, get_link

ETA = np.linspace(-3, 3, 25)  # away from the clamps of R's make.link
DIST = {"logit": stats.logistic, "probit": stats.norm, "cauchit": stats.cauchy,
        "cloglog": stats.gumbel_l}  # mu = F(eta) for these latent distributions
CDF = {k: d.cdf for k, d in DIST.items()}


@pytest.mark.parametrize("name", sorted(LINKS))
def test_inverse_link_is_the_distribution_function(name):
    link = get_link(name)
    np.testing.assert_allclose(link.linkinv(ETA), CDF[name](ETA), rtol=1e-12)
    np.testing.assert_allclose(link.linkfun(link.linkinv(ETA)), ETA, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("name", sorted(LINKS))
def test_derivatives_match_finite_differences(name):
    link = get_link(name)
    h = 1e-5
    fd1 = (link.linkinv(ETA + h) - link.linkinv(ETA - h)) / (2 * h)
    fd2 = (link.mu_eta(ETA + h) - link.mu_eta(ETA - h)) / (2 * h)
    np.testing.assert_allclose(link.mu_eta(ETA), fd1, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(link.mu_eta2(ETA), fd2, rtol=1e-5, atol=1e-10)
    fd3 = (link.mu_eta2(ETA + h) - link.mu_eta2(ETA - h)) / (2 * h)
    np.testing.assert_allclose(link.mu_eta3(ETA), fd3, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("name", sorted(LINKS))
def test_third_derivative_is_finite_far_out(name):
    """Far in the tails d^3 mu/d eta^3 vanishes; it must not overflow into inf/nan (or warn)."""
    eta = np.array([-1e300, -1e10, -50.0, 50.0, 1e10, 1e300])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        out = get_link(name).mu_eta3(eta)
    assert np.all(np.isfinite(out)) and np.all(np.abs(out) < 1e-6)


@pytest.mark.parametrize("name", sorted(LINKS))
def test_log_probabilities_are_stable(name):
    link = get_link(name)
    log_mu, log_1m = link.log_probs(ETA)
    np.testing.assert_allclose(log_mu, DIST[name].logcdf(ETA), rtol=1e-10)
    np.testing.assert_allclose(log_1m, DIST[name].logsf(ETA), rtol=1e-10)
    far = np.array([-1e4, -800.0, -40.0, 40.0, 800.0, 1e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        mu_far = link.linkinv(far)
        d_far = link.mu_eta(far)
        lp = link.log_probs(far[1:-1])
    assert np.all((mu_far > 0) & (mu_far < 1)) and np.all(d_far > 0)
    assert np.all(np.isfinite(lp[1][:2])) and np.all(np.isfinite(lp[0][-2:]))


@pytest.mark.parametrize("name", sorted(LINKS))
def test_score_ratios_are_the_density_over_each_probability(name):
    """mu'/mu and mu'/(1 - mu) against scipy's density, cdf and survival function of the
    latent distribution (independent formulas), within the clamps; the cloglog ratios stay
    exact beyond them (mu'/(1 - mu) = e^eta, where R's clamped 1 - mu would give 1)."""
    link, dist = get_link(name), DIST[name]
    up, down = link.score_ratios(ETA)
    np.testing.assert_allclose(up, dist.pdf(ETA) / dist.cdf(ETA), rtol=1e-12)
    np.testing.assert_allclose(down, dist.pdf(ETA) / dist.sf(ETA), rtol=1e-12)
    if name == "cloglog":
        far = np.array([-800.0, -40.0, 5.0, 20.0])
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            up, down = link.score_ratios(far)
        np.testing.assert_allclose(down, np.exp(far), rtol=1e-15)
        np.testing.assert_allclose(up[:2], [1.0, 1.0], rtol=1e-15)
        assert 0 < up[2] < 1e-60 and up[3] == 0.0     # e^eta / expm1(e^eta), underflowing


def test_clamps_follow_r_make_link():
    eps = np.finfo(float).eps
    logit = get_link("logit")
    assert logit.linkinv(np.array([-31.0]))[0] == pytest.approx(eps / (1 + eps), rel=1e-15)
    assert logit.mu_eta(np.array([31.0]))[0] == eps
    probit = get_link("probit")
    assert probit.linkinv(np.array([-50.0]))[0] == pytest.approx(eps, rel=1e-6)


def test_unknown_link_is_a_clear_error():
    with pytest.raises(ls.SpecificationError, match="unknown link 'logistic'.*'probit'"):
        get_link("logistic")
