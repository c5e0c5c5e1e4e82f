"""IRLS against independent truths: a plain Newton-Raphson written here from the likelihood,
direct matrix algebra for the Fisher information, replicated rows for weights and trials."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import special

from logitstat.fitting import kernels
from logitstat.errors import ConvergenceWarning, SpecificationError
from logitstat.fitting.irls import _Model, irls, weighted_gram
from logitstat.fitting.links import LINKS, get_link

RNG = np.random.default_rng(20240517)


def make(n=400, p=4, link="logit", scale=0.8, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.standard_normal((n, p - 1))])
    beta = np.linspace(-0.5, 0.7, p) * scale
    eta = X @ beta
    mu = special.expit(eta) if link == "logit" else get_link(link).linkinv(eta)
    y = (rng.random(n) < mu).astype(float)
    return X, y


def ones(n):
    return np.ones(n), np.ones(n), np.zeros(n)


def newton_truth(X, y, link_name, w=None, m=None, iters=60):
    """Newton-Raphson on the observed information, from the log-likelihood's derivatives.

    Independent of logitstat: mu, mu' and mu'' are written out here for each link.
    """
    n, p = X.shape
    w = np.ones(n) if w is None else w
    m = np.ones(n) if m is None else m

    def derivs(eta):
        if link_name == "logit":
            mu = 1.0 / (1.0 + np.exp(-eta))
            d1 = mu * (1 - mu)
            d2 = d1 * (1 - 2 * mu)
        elif link_name == "probit":
            mu = special.ndtr(eta)
            d1 = np.exp(-eta ** 2 / 2) / np.sqrt(2 * np.pi)
            d2 = -eta * d1
        elif link_name == "cloglog":
            mu = 1 - np.exp(-np.exp(eta))
            d1 = np.exp(eta - np.exp(eta))
            d2 = d1 * (1 - np.exp(eta))
        else:
            mu = 0.5 + np.arctan(eta) / np.pi
            d1 = 1 / (np.pi * (1 + eta ** 2))
            d2 = -2 * eta / (np.pi * (1 + eta ** 2) ** 2)
        return mu, d1, d2

    beta = np.linalg.lstsq(X, (y - 0.5), rcond=None)[0] * 0.1
    for _ in range(iters):
        mu, d1, d2 = derivs(X @ beta)
        V = mu * (1 - mu)
        r = w * m * (y - mu)
        grad = X.T @ (r * d1 / V)
        # -d2 loglik / d eta2 per row
        hrow = w * m * d1 ** 2 / V - r * (d2 / V - d1 ** 2 * (1 - 2 * mu) / V ** 2)
        H = X.T @ (hrow[:, None] * X)
        step = np.linalg.solve(H, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-15:
            break
    mu, d1, _ = derivs(X @ beta)
    fisher = X.T @ ((w * m * d1 ** 2 / (mu * (1 - mu)))[:, None] * X)
    return beta, np.linalg.inv(fisher)


@pytest.mark.parametrize("link", sorted(LINKS))
def test_estimate_is_the_mle_within_tolerance_in_se_units(link):
    X, y = make(300, 4, link, seed=3)
    res = irls(X, y, *ones(len(y)), get_link(link))
    truth, cov = newton_truth(X, y, link)
    se = np.sqrt(np.diag(cov))
    assert res.converged
    assert np.max(np.abs(res.params - truth) / se) < 1e-8
    np.testing.assert_allclose(res.cov, cov, rtol=1e-7)


def test_probit_fisher_scoring_lands_within_1e8_even_when_the_rate_is_slow():
    # small n and a misspecified (logit-generated, strong) signal: Fisher scoring's linear
    # rate is at its worst here
    X, y = make(120, 5, "logit", scale=3.0, seed=11)
    res = irls(X, y, *ones(len(y)), get_link("probit"))
    truth, cov = newton_truth(X, y, "probit")
    se = np.sqrt(np.diag(cov))
    assert res.converged
    assert np.max(np.abs(res.params - truth) / se) < 1e-9
    assert np.max(np.abs(res.params - truth) / np.abs(truth)) < 1e-8


def test_covariance_is_inverse_fisher_information_at_the_returned_estimate():
    X, y = make(500, 5, "probit", seed=5)
    link = get_link("probit")
    res = irls(X, y, *ones(len(y)), link)
    eta = X @ res.params
    np.testing.assert_allclose(res.eta, eta, rtol=1e-12, atol=1e-12)
    mu, d = special.ndtr(eta), np.exp(-eta ** 2 / 2) / np.sqrt(2 * np.pi)
    info = X.T @ ((d ** 2 / (mu * (1 - mu)))[:, None] * X)
    np.testing.assert_allclose(res.cov, np.linalg.inv(info), rtol=1e-8)
    dev = -2 * np.sum(y * np.log(mu) + (1 - y) * np.log1p(-mu))
    np.testing.assert_allclose(res.deviance, dev, rtol=1e-12)


def test_frequency_weights_and_trials_equal_replicated_rows():
    X, y = make(200, 3, seed=8)
    w = RNG.integers(1, 4, len(y)).astype(float)
    rep = np.repeat(np.arange(len(y)), w.astype(int))
    full = irls(X[rep], y[rep], *ones(len(rep)), get_link("logit"))
    weighted = irls(X, y, np.ones(len(y)), w, np.zeros(len(y)), get_link("logit"))
    np.testing.assert_allclose(weighted.params, full.params, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(weighted.cov, full.cov, rtol=1e-7)
    np.testing.assert_allclose(weighted.deviance, full.deviance, rtol=1e-10)
    # grouped: two covariate patterns' worth of successes out of trials
    Xg = X[:50]
    m = RNG.integers(1, 6, 50).astype(float)
    k = np.array([RNG.integers(0, mi + 1) for mi in m], dtype=float)
    rows = np.repeat(np.arange(50), m.astype(int))
    yb = np.concatenate([np.r_[np.ones(int(ki)), np.zeros(int(mi - ki))] for ki, mi in zip(k, m)])
    binary = irls(Xg[rows], yb, *ones(len(rows)), get_link("cloglog"))
    grouped = irls(Xg, k / m, m, np.ones(50), np.zeros(50), get_link("cloglog"))
    np.testing.assert_allclose(grouped.params, binary.params, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(grouped.cov, binary.cov, rtol=1e-7)


def test_offset_shifts_the_intercept():
    X, y = make(300, 3, seed=2)
    off = np.full(len(y), 0.7)
    a = irls(X, y, *ones(len(y)), get_link("logit"))
    b = irls(X, y, np.ones(len(y)), np.ones(len(y)), off, get_link("logit"))
    np.testing.assert_allclose(b.params[0], a.params[0] - 0.7, rtol=1e-9)
    np.testing.assert_allclose(b.params[1:], a.params[1:], rtol=1e-9)
    np.testing.assert_allclose(b.eta, a.eta, rtol=1e-9)


def test_start_params_warm_start_and_step_halving_reach_the_same_optimum():
    X, y = make(300, 4, seed=4)
    link = get_link("logit")
    base = irls(X, y, *ones(len(y)), link)
    warm = irls(X, y, *ones(len(y)), link, start=base.params + 1e-3)
    assert warm.n_iter <= 3
    far = irls(X, y, *ones(len(y)), link, start=np.array([8.0, -9.0, 7.0, -6.0]))
    np.testing.assert_allclose(far.params, base.params, rtol=1e-8, atol=1e-10)
    with pytest.raises(SpecificationError, match="start_params must have 4 values"):
        irls(X, y, *ones(len(y)), link, start=np.zeros(3))


def test_gram_shortcut_changes_nothing():
    X, y = make(400, 5, "probit", seed=6)
    link = get_link("probit")
    a = irls(X, y, *ones(len(y)), link)
    b = irls(X, y, *ones(len(y)), link, gram=X.T @ X)
    np.testing.assert_allclose(b.params, a.params, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(b.cov, a.cov, rtol=1e-10)
    # non-constant starting weights (frequency weights): the shortcut must not be taken wrongly
    w = np.linspace(0.5, 2.0, len(y))
    c = irls(X, y, np.ones(len(y)), w, np.zeros(len(y)), link, gram=X.T @ X)
    d = irls(X, y, np.ones(len(y)), w, np.zeros(len(y)), link)
    np.testing.assert_allclose(c.params, d.params, rtol=1e-11, atol=1e-13)


def test_fortran_and_c_ordered_designs_agree():
    X, y = make(300, 4, seed=9)
    a = irls(np.ascontiguousarray(X), y, *ones(len(y)), get_link("logit"))
    b = irls(np.asfortranarray(X), y, *ones(len(y)), get_link("logit"))
    np.testing.assert_allclose(a.params, b.params, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_fused_link_formulas_equal_the_link_methods(link):
    """The fast per-block weights equal those from Link.linkinv/mu_eta, also where R's clamps
    bite (|eta| beyond 30 for logit, 8.13 for probit)."""
    L = get_link(link)
    n = 2000
    y = (RNG.random(n) < 0.4).astype(float)
    prior = RNG.integers(1, 4, n).astype(float)
    off = RNG.normal(size=n)
    model = _Model(np.ones((n, 1)), y, np.ones(n), prior, off, L)
    for eta in (RNG.normal(0, 2, n), RNG.normal(0, 20, n)):
        sw, wz = model.working(eta.copy(), 0, n)
        mu, d = L.linkinv(eta), L.mu_eta(eta)
        W = prior * d ** 2 / (mu * (1 - mu))
        z = eta - off + (y - mu) / d
        np.testing.assert_allclose(sw ** 2, W, rtol=1e-12, atol=0)
        np.testing.assert_allclose(wz, np.sqrt(W) * z, rtol=1e-10, atol=1e-300)
        dev = 2 * np.sum(prior * -(y * L.log_probs(eta)[0] + (1 - y) * L.log_probs(eta)[1]))
        np.testing.assert_allclose(model.deviance(eta, 0, n), dev, rtol=1e-12)


def test_threads_give_the_same_fit_as_one_thread(monkeypatch):
    n = kernels.PARALLEL_MIN_ROWS + 3 * kernels.BLOCK_ROWS + 17
    X, y = make(n, 3, seed=12)
    link = get_link("logit")
    monkeypatch.setenv("LOGITSTAT_NUM_THREADS", "2")
    two = irls(X, y, *ones(n), link)
    monkeypatch.setenv("LOGITSTAT_NUM_THREADS", "1")
    one = irls(X, y, *ones(n), link)
    np.testing.assert_allclose(two.params, one.params, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(two.cov, one.cov, rtol=1e-10)
    np.testing.assert_allclose(two.deviance, one.deviance, rtol=1e-12)


def test_row_chunks_cover_the_rows_in_aligned_pieces():
    for n in (1, 4095, 4096, 4097, 100_000):
        for k in (1, 2, 3):
            chunks = kernels.row_chunks(n, k)
            assert chunks[0][0] == 0 and chunks[-1][1] == n
            assert all(a[1] == b[0] for a, b in zip(chunks, chunks[1:]))
            assert all(lo % kernels.BLOCK_ROWS == 0 for lo, _ in chunks)


def test_gram_kernels_equal_plain_products(monkeypatch):
    monkeypatch.setenv("LOGITSTAT_NUM_THREADS", "2")
    n = kernels.PARALLEL_MIN_ROWS + 5000
    X = RNG.standard_normal((n, 4))
    w = RNG.random(n)
    np.testing.assert_allclose(kernels.gram(X), X.T @ X, rtol=1e-11)
    np.testing.assert_allclose(kernels.gram(X, w), X.T @ (w[:, None] * X), rtol=1e-11)
    A, b = weighted_gram(X, w, w * 2.0)
    np.testing.assert_allclose(A, X.T @ (w[:, None] * X), rtol=1e-11)
    np.testing.assert_allclose(b, X.T @ (2 * w), rtol=1e-11)
    signed = w - 0.5
    A, _ = weighted_gram(X[:500], signed[:500])
    np.testing.assert_allclose(A, X[:500].T @ (signed[:500, None] * X[:500]), rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError):
        kernels.gram(X[:10], -np.ones(10))
    M = RNG.standard_normal((4, 4))
    np.testing.assert_allclose(kernels.row_quadratic(X, M), np.sum((X @ M) * X, axis=1), rtol=1e-10,
                               atol=1e-12)


def test_ill_conditioned_design_uses_the_qr_fallback(monkeypatch):
    X, y = make(300, 3, seed=13)
    z = np.random.default_rng(1).standard_normal(len(y))
    near = X[:, 1] + 1e-6 * z                       # full rank, but nearly aliased with x1
    from logitstat.fitting import irls as irls_module
    calls = []
    qr = irls_module.linalg.qr
    monkeypatch.setattr(irls_module.linalg, "qr", lambda *a, **k: calls.append(1) or qr(*a, **k))
    res = irls(np.column_stack([X, near]), y, *ones(len(y)), get_link("logit"))
    assert calls, "the pivoted-QR fallback was not used"
    # the same column space, well conditioned: the fitted values must agree
    truth, _ = newton_truth(np.column_stack([X, z]), y, "logit")
    assert res.converged
    np.testing.assert_allclose(res.eta, np.column_stack([X, z]) @ truth, rtol=1e-6, atol=1e-7)


def test_iteration_cap_warns_and_still_reports_the_covariance_at_the_estimate():
    X, y = make(300, 4, "probit", seed=14)
    link = get_link("probit")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = irls(X, y, *ones(len(y)), link, max_iter=1)
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert not res.converged and res.n_iter == 1
    eta = X @ res.params
    mu, d = special.ndtr(eta), np.exp(-eta ** 2 / 2) / np.sqrt(2 * np.pi)
    info = X.T @ ((d ** 2 / (mu * (1 - mu)))[:, None] * X)
    np.testing.assert_allclose(res.cov, np.linalg.inv(info), rtol=1e-8)


def test_separated_data_warn_and_stop():
    X = np.column_stack([np.ones(20), np.arange(20.0)])
    y = (np.arange(20) >= 10).astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = irls(X, y, *ones(20), get_link("logit"), max_iter=25)
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
    assert not res.converged
    assert res.deviance < 1e-6


def test_logit_last_pass_is_skipped_only_when_provably_converged(monkeypatch):
    """Started a hair (1e-7 SE) from the optimum, the logit Newton step provably lands within
    tol without another pass over X; the estimate and its covariance are still exact."""
    from logitstat.fitting import irls as irls_module

    X, y = make(20000, 4, seed=21)
    truth, cov = newton_truth(X, y, "logit")
    se = np.sqrt(np.diag(cov))
    passes = []
    fused = irls_module._Model.fused_pass
    monkeypatch.setattr(irls_module._Model, "fused_pass",
                        lambda self, *a: passes.append(1) or fused(self, *a))
    start = truth + 1e-7 * se * np.array([1.0, -1.0, 0.5, 0.3])
    res = irls(X, y, *ones(len(y)), get_link("logit"), start=start)
    assert res.converged and len(passes) == 1          # the pass at the start only
    assert np.max(np.abs(res.params - truth) / se) < 1e-9
    np.testing.assert_allclose(res.cov / np.outer(se, se), cov / np.outer(se, se), atol=1e-8)
    # probit (Fisher scoring) has no such bound: it takes the pass
    passes.clear()
    Xp, yp = make(2000, 3, "probit", seed=22)
    tp, cp = newton_truth(Xp, yp, "probit")
    res = irls(Xp, yp, *ones(len(yp)), get_link("probit"),
               start=tp + 1e-7 * np.sqrt(np.diag(cp)))
    assert res.converged and len(passes) >= 2


def test_overlap_certificate_from_the_last_step_agrees_with_the_two_pass_version():
    from logitstat.diagnostics.separation import detect_separation, overlap_certificate

    cases = []
    for seed, scale in ((30, 0.8), (31, 3.0), (32, 6.0)):
        X, y = make(200, 3, seed=seed, scale=scale)
        cases.append((X, y, np.ones(len(y)), np.ones(len(y))))
    X, y = make(150, 3, seed=33)
    cases.append((X, y, np.ones(150), RNG.integers(0, 3, 150).astype(float)))   # zero weights
    Xs = np.column_stack([np.ones(30), np.r_[np.zeros(15), np.ones(15)], np.arange(30.0)])
    cases.append((Xs, (np.arange(30) >= 15).astype(float), np.ones(30), np.ones(30)))  # separated
    verdicts = []
    for X, y, m, w in cases:
        for link in ("logit", "probit"):
            L = get_link(link)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = irls(X, y, m, w, np.zeros(len(y)), L, max_iter=50)
            mu, dmu = L.linkinv(res.eta), L.mu_eta(res.eta)
            plain = overlap_certificate(X, y, mu, dmu, m, w)
            if not res.converged:
                assert res.eta_info is None and not plain
                continue
            at = res.eta_info
            delta = np.linalg.lstsq(X, res.eta - at, rcond=None)[0]   # the last step
            np.testing.assert_allclose(X @ delta, res.eta - at, atol=1e-12)
            stepped = overlap_certificate(X, y, L.linkinv(at), L.mu_eta(at), m, w,
                                          moved=res.eta - at)
            assert plain == stepped, (link, len(y))
            # every converged case here overlaps (the exact programs say so), and the
            # certificate, which no longer refuses widely spread multipliers, proves it
            assert detect_separation(X, y, m, w).kind == "none"
            verdicts.append(plain)
    assert verdicts and all(verdicts)


def test_map_chunks_from_inside_a_chunk_runs_inline(monkeypatch):
    monkeypatch.setenv("LOGITSTAT_NUM_THREADS", "2")
    n = kernels.PARALLEL_MIN_ROWS * 2

    def outer(lo, hi):  # nested use must not wait on the (busy) pool
        return sum(kernels.map_chunks(lambda a, b: b - a, hi - lo))

    assert sum(kernels.map_chunks(outer, n)) == n


def test_no_overflow_in_the_step_certificate_far_out_under_separation():
    """Profile refits of completely separated data (y = 1 exactly when x1 + x2 > 0.2) take huge
    steps; the logit shortcut must not overflow (a RuntimeWarning), and the profile's finite
    ends are R's roots (R 4.2.2 glm.fit refits + uniroot, tests/reference/r/judge_cases.R)."""
    import json
    from pathlib import Path

    import pandas as pd

    import logitstat as ls

    judge = Path(__file__).resolve().parents[1] / "reference" / "data" / "judge"
    want = json.loads((judge / "profile_complete_two.json").read_text())
    df = pd.read_csv(judge / "complete_two.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.SeparationWarning)
        warnings.simplefilter("error", RuntimeWarning)
        ci = ls.logit("y ~ x1 + x2", df).conf_int(method="profile")
    np.testing.assert_allclose(ci.loc[["x1", "x2"], "lower"], [want["lower_x1"], want["lower_x2"]],
                               rtol=1e-7)
    assert (ci.loc[["x1", "x2"], "upper"] == np.inf).all()



# --------------------------------------------------------------------------- Newton steps
def _derivs(link_name, eta):
    """mu, 1 - mu, mu', mu'' written out here (independent of logitstat); 1 - mu directly,
    not by cancellation (for the cloglog it is exp(-e^eta), which 1 - mu loses for eta > 3)."""
    if link_name == "logit":
        mu, omm = special.expit(eta), special.expit(-eta)
        d1 = mu * omm
        d2 = d1 * (omm - mu)
    elif link_name == "probit":
        mu, omm = special.ndtr(eta), special.ndtr(-eta)
        d1 = np.exp(-eta ** 2 / 2) / np.sqrt(2 * np.pi)
        d2 = -eta * d1
    elif link_name == "cloglog":
        t = np.exp(eta)
        mu, omm = -np.expm1(-t), np.exp(-t)
        d1 = t * omm
        d2 = d1 * (1 - t)
    else:
        mu, omm = 0.5 + np.arctan(eta) / np.pi, 0.5 - np.arctan(eta) / np.pi
        d1 = 1 / (np.pi * (1 + eta ** 2))
        d2 = -2 * eta / (np.pi * (1 + eta ** 2) ** 2)
    return mu, omm, d1, d2


def _fisher_info(X, link_name, eta, prior=None):
    if link_name == "cloglog":      # mu'^2 / V = t^2 e^-t / (1 - e^-t), t = e^eta
        t = np.exp(eta)
        with np.errstate(over="ignore"):      # expm1(t) = inf: the weight is 0
            w = t * t / np.expm1(t)
    else:
        mu, omm, d1, _ = _derivs(link_name, eta)
        w = d1 ** 2 / (mu * omm)
    w = w * (1.0 if prior is None else prior)
    return X.T @ (w[:, None] * X)


def _score(X, y, link_name, eta):
    if link_name == "cloglog":      # y mu'/mu - (1 - y) mu'/(1 - mu)
        t = np.exp(eta)
        with np.errstate(over="ignore"):
            return X.T @ (y * t / np.expm1(t) - (1 - y) * t)
    mu, omm, d1, _ = _derivs(link_name, eta)
    return X.T @ ((y * omm - (1 - y) * mu) * d1 / (mu * omm))


def misspecified(n=20000, seed=40, scale=3.0):
    """Responses from a logit model with a strong signal (linear predictor SD about 3), a
    5-level factor and 6 normal covariates: misspecified for every link but the logit."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, 6))
    g = rng.integers(0, 5, n)
    X = np.column_stack([np.ones(n), Z, (g[:, None] == np.arange(1, 5)).astype(float)])
    beta = np.r_[-0.3, rng.normal(0, scale / np.sqrt(6), 6), 0.2, -0.1, 0.3, 0.05]
    y = (rng.random(n) < special.expit(X @ beta)).astype(float)
    return X, y


@pytest.mark.parametrize("link", sorted(LINKS))
def test_every_link_converges_fast_to_the_fisher_scoring_optimum(link):
    """Within 25 iterations for every link (pure Fisher scoring needs up to hundreds here, or
    stalls), and at the optimum that pure Fisher scoring reaches with tol=1e-12: the default
    fit stops within tol = 1e-8 standard errors of it (the decrement bound of the module
    docstring), the reference within 1e-12, so they agree to 2e-8 SE."""
    X, y = misspecified()
    L = get_link(link)
    res = irls(X, y, *ones(len(y)), L)
    assert res.converged and res.n_iter <= 25
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref = irls(X, y, *ones(len(y)), L, newton=False, tol=1e-12, max_iter=3000)
    assert ref.converged
    se = np.sqrt(np.diag(ref.cov))
    assert np.max(np.abs(res.params - ref.params) / se) < 2e-8
    if link != "logit":   # Newton steps: fewer iterations than scoring to the same tolerance
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            scoring = irls(X, y, *ones(len(y)), L, newton=False)
        assert res.n_iter < scoring.n_iter
    # the covariance is the inverse Fisher information at the estimate, in closed form (the
    # information is evaluated at the last iterate, within 1e-8 SE: a relative 1e-6 bound)
    info = _fisher_info(X, link, X @ res.params)
    np.testing.assert_allclose(res.cov, np.linalg.inv(info), rtol=1e-6, atol=0)
    np.testing.assert_allclose(res.eta, X @ res.params, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("link", ["probit", "cloglog", "cauchit"])
def test_last_step_is_a_fisher_scoring_step_from_eta_info(link):
    """eta - eta_info = X delta with delta = F^{-1} U at the point eta_info (F and U in closed
    form here), even though Newton steps led there: what the separation certificate uses."""
    X, y = misspecified(n=5000, seed=41, scale=1.5)
    res = irls(X, y, *ones(len(y)), get_link(link))
    assert res.converged and res.eta_info is not None
    beta_k = np.linalg.lstsq(X, res.eta_info, rcond=None)[0]
    np.testing.assert_allclose(X @ beta_k, res.eta_info, atol=1e-10)
    delta = np.linalg.solve(_fisher_info(X, link, res.eta_info), _score(X, y, link, res.eta_info))
    np.testing.assert_allclose(X @ delta, res.eta - res.eta_info, rtol=1e-5, atol=1e-13)
    np.testing.assert_allclose(res.params - beta_k, delta, rtol=1e-5, atol=1e-13)


@pytest.mark.parametrize("link", ["probit", "cloglog", "cauchit"])
def test_observed_information_pass_equals_the_closed_form(link):
    """The Newton pass's H = X' W^o X and H beta + U against -d2 loglik/d eta2 written out
    from mu, mu', mu'' (cauchit's weights are partly negative: the gemm branch)."""
    rng = np.random.default_rng(42)
    n = 3000
    X = np.column_stack([np.ones(n), rng.standard_normal((n, 2))])
    beta = np.array([0.2, 1.0, -0.8])
    y = (rng.random(n) < 0.5).astype(float)
    prior = rng.integers(1, 3, n).astype(float)
    model = _Model(X, y, np.ones(n), prior, np.zeros(n), get_link(link))
    F, bF, H, bH, dev = model.fused_pass(beta, np.empty(n), "both")
    eta = X @ beta
    mu, omm, d1, d2 = _derivs(link, eta)
    V = mu * omm
    r = prior * (y * omm - (1 - y) * mu)
    hrow = prior * d1 ** 2 / V - r * (d2 / V - d1 ** 2 * (omm - mu) / V ** 2)
    U = X.T @ (r * d1 / V)
    if link == "cauchit":
        assert np.any(hrow < 0)
    np.testing.assert_allclose(H, X.T @ (hrow[:, None] * X), rtol=1e-9)
    np.testing.assert_allclose(bH, H @ beta + U, rtol=1e-9)
    np.testing.assert_allclose(F, _fisher_info(X, link, eta, prior), rtol=1e-9)
    np.testing.assert_allclose(bF, F @ beta + U, rtol=1e-9)


def test_one_iteration_is_one_fisher_scoring_step_as_in_r():
    """max_iter=1 from a start takes R's scoring step start + F^{-1} U (the separated refit
    steps IRLS one iteration at a time to stop where R's glm stops)."""
    X, y = misspecified(n=3000, seed=43, scale=1.0)
    start = np.linspace(-0.2, 0.2, X.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = irls(X, y, *ones(len(y)), get_link("cloglog"), start=start, max_iter=1)
    eta = X @ start
    want = start + np.linalg.solve(_fisher_info(X, "cloglog", eta), _score(X, y, "cloglog", eta))
    np.testing.assert_allclose(res.params, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("link", sorted(LINKS))
def test_start_from_the_rank_screen_moments_reaches_the_same_optimum(link, monkeypatch):
    """The scaled least-squares start (X'X and X'y of the rank screen) changes the path, not
    the estimate: both fits stop within tol = 1e-8 SE of the optimum, so within 2e-8 SE of
    each other; and it takes no more iterations than R's start."""
    from logitstat.fitting import irls as irls_module

    monkeypatch.setattr(irls_module, "START_MIN_ROWS", 1000)
    monkeypatch.setattr(irls_module, "START_ROWS", 2000)
    X, y = misspecified(n=20000, seed=44, scale=2.0)
    L = get_link(link)
    plain = irls(X, y, *ones(len(y)), L, gram=X.T @ X)
    fast = irls(X, y, *ones(len(y)), L, gram=X.T @ X, xty=X.T @ y)
    assert plain.converged and fast.converged and fast.n_iter <= plain.n_iter
    se = np.sqrt(np.diag(plain.cov))
    assert np.max(np.abs(fast.params - plain.params) / se) < 2e-8
    # no column of ones: R's start
    Xs = X[:, 1:]
    a = irls(Xs, y, *ones(len(y)), L, gram=Xs.T @ Xs, xty=Xs.T @ y)
    b = irls(Xs, y, *ones(len(y)), L)
    np.testing.assert_allclose(a.params, b.params, rtol=1e-12, atol=1e-14)


def test_gram_with_rhs_is_x_transpose_x_and_x_transpose_y(monkeypatch):
    monkeypatch.setenv("LOGITSTAT_NUM_THREADS", "2")
    n = kernels.PARALLEL_MIN_ROWS + 5000
    X = RNG.standard_normal((n, 4))
    y = RNG.random(n)
    G, b = kernels.gram(X, rhs=y)
    np.testing.assert_allclose(G, X.T @ X, rtol=1e-11)
    np.testing.assert_allclose(b, X.T @ y, rtol=1e-11)
    with pytest.raises(ValueError):
        kernels.gram(X, y, rhs=y)
