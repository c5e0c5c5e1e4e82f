"""The overlap certificate (logitstat.diagnostics.certificate): sound against brute-force
linear programs on random small data of every link, with weights and grouped rows; it refuses
R's final iterates on separated data (tests/reference/r/diagnostics.R) and certifies extreme
but overlapping fits; its one-pass rounding bound is above the exact term."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from brute_force import LINKS, certify, fit_or_none, random_case, reference

from logitstat.diagnostics.certificate import needs_lp, overlap_certificate
from logitstat.diagnostics.separation import check_separation
from logitstat.fitting.links import get_link

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "diagnostics"
CASES = json.loads((DATA / "separation.json").read_text())


def arrays(c):
    return np.array(c["X"], float), np.array(c["y"], float), np.array(c["trials"], float)


def test_certificate_from_fitted_probabilities():
    c = CASES["rare_overlap"]
    X, y, m = arrays(c)
    lk = get_link("logit")
    eta = X @ np.array(c["glm_params"])
    assert overlap_certificate(X, y, lk.linkinv(eta), lk.mu_eta(eta), m)
    assert not needs_lp(X, y, lk.linkinv(eta), lk.mu_eta(eta), True, m)
    rep = check_separation(X, y, m, mu=lk.linkinv(eta), dmu=lk.mu_eta(eta), converged=True)
    assert rep.kind == "none" and rep.method == "certificate"
    assert needs_lp(X, y, lk.linkinv(eta), lk.mu_eta(eta), False, m)   # not converged
    assert needs_lp(X, y, None, None, True, m)


@pytest.mark.parametrize("name", ["endometrial", "quasi_factor", "grouped", "complete_one"])
def test_certificate_refuses_separated_fits(name):
    """At R's final iterate (which 'converged') the certificate must not claim overlap."""
    c = CASES[name]
    X, y, m = arrays(c)
    lk = get_link("logit")
    eta = X @ np.array(c["glm_params"])
    assert not overlap_certificate(X, y, lk.linkinv(eta), lk.mu_eta(eta), m)
    assert not overlap_certificate(X, y, trials=m, ratios=lk.score_ratios(eta))
    rep = check_separation(X, y, m, mu=lk.linkinv(eta), dmu=lk.mu_eta(eta), converged=True)
    assert rep.kind == c["truth_kind"] and rep.method == "lp"


def test_certificate_rejects_a_stationary_point_near_separation():
    """Moving along a separating direction from the finite part makes fitted probabilities
    tiny; no positive combination can be certified there."""
    c = CASES["endometrial"]
    X, y, m = arrays(c)
    lk = get_link("logit")
    beta = np.array(c["glm_params"])
    for nv in (5.0, 10.0, 40.0):
        beta[1] = nv
        eta = X @ beta
        cert = overlap_certificate(X, y, lk.linkinv(eta), lk.mu_eta(eta), m)
        assert not cert


@pytest.mark.parametrize("ratios", [False, True], ids=["mu-dmu", "score-ratios"])
@pytest.mark.parametrize("link", LINKS)
def test_certificate_is_sound_on_random_fits(link, ratios):
    """Whenever the certificate claims overlap, the brute-force programs agree (rows left out
    of it included: separated data, whose separated rows a fit predicts almost perfectly, must
    never pass); it makes the claim on most converged overlapping fits (it is not vacuous)."""
    rng = np.random.default_rng(LINKS.index(link))
    claimed = overlapping = 0
    for _ in range(40):
        X, y, m, w = random_case(rng)
        if np.linalg.matrix_rank(X[w > 0]) < X.shape[1]:
            continue
        fit = fit_or_none(X, y, m, w, link)
        ref = reference(X, y, m, w)
        converged = fit is not None and bool(fit.converged)
        if fit is not None and certify(X, y, m, w, link, fit, ratios):
            assert ref[0] == "none"
            claimed += int(converged)
        if ref[0] == "none" and converged:
            overlapping += 1
    assert claimed >= 0.7 * overlapping > 0


@pytest.mark.parametrize("link", LINKS)
def test_certificate_holds_for_extreme_but_overlapping_fits(link):
    """Strong effects (true probabilities from 1e-12 to 1 - 1e-12) and rare events (0.5%): the
    former spread test refused these; the multipliers are positive however much they spread."""
    rng = np.random.default_rng(9)
    lk = get_link(link)
    n = 4000
    u = rng.uniform(-1, 1, size=n)
    X = np.column_stack([np.ones(n), u, rng.normal(size=n)])
    tail = 1e-3 if link == "cauchit" else 1e-12   # cauchit's tails this far would separate
    lo, hi = lk.linkfun(np.array([tail, 1 - tail]))
    for eta in ((lo + hi) / 2 + (hi - lo) / 2 * u, lk.linkfun(np.array(0.005)) + 0.4 * u):
        y = (rng.random(n) < lk.linkinv(eta)).astype(float)
        fit = fit_or_none(X, y, np.ones(n), np.ones(n), link)
        assert reference(X, y)[0] == "none"
        assert fit.converged
        assert certify(X, y, np.ones(n), np.ones(n), link, fit)


@pytest.mark.parametrize("link", LINKS)
def test_rounding_bound_is_above_the_exact_rounding_term(link):
    """Cauchy-Schwarz: the one-pass bound on s'|A^-1|s (from Q = sum Lambda^2/W and diag A,
    the rows of W = 0 summed exactly) is never below the exact term from s = |X|'Lambda, on fits of every link with weights,
    trials and extreme fitted probabilities (a closed-form inequality, so no tolerance beyond
    the few ulps of the two sums)."""
    from logitstat.diagnostics.certificate import _multipliers, rounding_bound, rounding_exact
    rng = np.random.default_rng(30 + LINKS.index(link))
    checked = 0
    for _ in range(80):
        X, y, m, w = random_case(rng)
        if np.linalg.matrix_rank(X[w > 0]) < X.shape[1]:
            continue
        fit = fit_or_none(X, y, m, w, link)
        if fit is None or fit.eta_info is None or not fit.converged:
            continue
        lk = get_link(link)
        eta = fit.eta_info
        _, succ, fail, ls_, lf, W = _multipliers(y, m, w, *lk.score_ratios(eta))
        live = succ | fail
        lam = (ls_ + lf)[live]
        A = (X[live] * W[live, None]).T @ X[live]
        if np.linalg.cond(A) > 1e12:              # weights near 0 on a quasi-separated fit
            continue
        cov = np.linalg.inv(A)
        exact = rounding_exact(np.abs(X[live]).T @ lam, cov)
        pos = W[live] > 0                           # rows of W = 0 (underflow): exact shares
        bound = rounding_bound(float(np.sum(lam[pos] ** 2 / W[live][pos])), A, cov,
                               np.abs(X[live][~pos]).T @ lam[~pos])
        assert bound >= exact * (1 - 1e-12)
        checked += 1
    assert checked >= 10


def test_certificate_of_an_ordinary_fit_is_one_pass_over_x(monkeypatch):
    """Overlapping data with moderate effects: the rounding bound settles the certificate in
    the pass that forms the remainder (no second pass over |X|)."""
    from logitstat.fitting import kernels
    rng = np.random.default_rng(5)
    n = 3000
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 4))])
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ np.array([-0.5, 1, -1, 0.5, 0.2]))))).astype(float)
    fit = fit_or_none(X, y, np.ones(n), np.ones(n), "logit")
    passes = []
    real = kernels.map_chunks
    monkeypatch.setattr(kernels, "map_chunks", lambda fn, k, **kw: passes.append(k) or real(fn, k, **kw))
    assert certify(X, y, np.ones(n), np.ones(n), "logit", fit)
    assert len(passes) == 1


@pytest.mark.parametrize("link", LINKS)
def test_unweighted_binary_rows_take_the_maskless_path_with_the_same_multipliers(link):
    """The corrected multipliers of 0/1 rows without weights or trials, computed without masks,
    equal those of the general formulas (which also handle weights, trials and dead rows) up
    to a few ulps of reassociation, and both leave out the same rows (a correction factor
    below 1/2)."""
    from logitstat.diagnostics.certificate import _corrected, _corrected_plain
    rng = np.random.default_rng(7)
    lk = get_link(link)
    eta = rng.normal(scale=3.0, size=5000)
    up, down = lk.score_ratios(eta)
    y = (rng.random(5000) < lk.linkinv(eta)).astype(float)
    ones = np.ones(5000)
    refused = 0
    for scale in (1e-6, 1e-2, 10.0):
        mv = rng.normal(scale=scale, size=5000)
        g_diff, g_lam, g_W, _, g_ok = _corrected(y, ones, ones, up, down, mv)
        p_diff, p_lam, p_W, _, p_ok = _corrected_plain(y, up, down, mv)
        np.testing.assert_array_equal(p_ok, g_ok)
        refused += int(np.count_nonzero(~g_ok))
        for a, b in ((g_diff, p_diff), (g_lam, p_lam)):
            np.testing.assert_allclose(b[g_ok], a[g_ok], rtol=1e-13, atol=0)
        np.testing.assert_allclose(p_W, g_W, rtol=1e-13, atol=0)
    assert refused > 0


def test_strong_cloglog_fit_is_certified_from_its_own_score_ratios():
    """A strong logit-made effect fitted with the cloglog link puts events within 1e-15 of
    certainty, where R's clamp on 1 - mu distorts the multipliers: from the clamped mu and dmu
    the certificate fails (the programs had to run), while the fitted model's certificate,
    built from the link's stable score ratios (IRLS's own) and leaving those rows out,
    proves overlap in one pass; the programs on every row agree that the data overlap."""
    import logitstat as ls
    from logitstat.diagnostics.separation import detect_separation
    rng = np.random.default_rng(0)
    n, p = 50000, 20
    Z = rng.normal(size=(n, p))
    eta = 0.3 * (Z @ rng.normal(scale=0.15, size=p)) + 3.4 * Z[:, 0] - 1.0
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    X = np.column_stack([np.ones(n), Z])
    res = ls.glm(y, X, link="cloglog")
    assert res.separation.report.method == "certificate" and res.separation.report.passes == 1
    fit, lk = res.fit_result, get_link("cloglog")
    at = fit.eta_info
    assert lk.linkinv(at).max() == 1.0 - np.finfo(float).eps     # R's clamp is reached
    assert not overlap_certificate(X, y, lk.linkinv(at), lk.mu_eta(at), moved=fit.eta - at,
                                   cov=fit.cov)
    assert detect_separation(X, y).kind == "none"
