"""Exact separation detection against R (Konis' programs solved by lpSolve in
tests/reference/r/diagnostics.R) and against answers known by construction."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from logitstat.fitting.links import get_link
from logitstat.diagnostics.separation import (SeparationReport, check_separation, detect_separation,
                                              finite_part, needs_lp, overlap_certificate)

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "diagnostics"
CASES = json.loads((DATA / "separation.json").read_text())
NAMES = sorted(k for k, v in CASES.items() if isinstance(v, dict))


def arrays(c):
    return np.array(c["X"], float), np.array(c["y"], float), np.array(c["trials"], float)


@pytest.mark.parametrize("name", NAMES)
def test_kind_directions_rows_match_r_and_truth(name):
    c = CASES[name]
    X, y, m = arrays(c)
    rep = detect_separation(X, y, m)
    truth = c["truth_infinite"] or {}
    want = np.array([truth.get(n, 0) for n in c["names"]])
    assert rep.kind == c["truth_kind"] == c["lp"]["kind"]
    np.testing.assert_array_equal(rep.directions, want)
    np.testing.assert_array_equal(rep.directions, c["lp"]["directions"])
    np.testing.assert_array_equal(rep.separated_rows, c["lp"]["separated_rows"])


@pytest.mark.parametrize("name", NAMES)
def test_finite_part_equals_glm_iterate(name):
    """R's glm iterate (epsilon 1e-12) sits on the finite part of the MLE: the rows it keeps
    finite fix the identified coefficients, the separated rows only push the others."""
    c = CASES[name]
    X, y, m = arrays(c)
    rep = detect_separation(X, y, m)
    fp = finite_part(X, y, rep, m)
    glm = np.array(c["glm_params"])
    ok = np.isfinite(fp)
    np.testing.assert_allclose(fp[ok], glm[ok], rtol=1e-7)
    assert np.all(np.sign(fp[np.isinf(fp)]) == rep.directions[np.isinf(fp)])
    if rep.kind == "none":
        assert ok.all()


def test_separated_direction_is_in_cone_and_rows_are_maximal():
    c = CASES["quasi_factor"]
    X, y, m = arrays(c)
    rep = detect_separation(X, y, m)
    # the level-c dummy alone is a separating direction covering exactly the separated rows
    Xt = X * (2 * y - 1)[:, None]
    b = (np.array(c["names"]) == "gc").astype(float)
    assert np.all(Xt @ b >= 0)
    np.testing.assert_array_equal(rep.separated_rows, Xt @ b > 0)


def test_invariant_to_row_order_column_scaling_and_duplicates():
    c = CASES["complete_two"]
    X, y, m = arrays(c)
    base = detect_separation(X, y, m)
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(y))
    scaled = X * np.array([1.0, 1e4, -3e-3])          # flips the sign of x2's direction
    rep = detect_separation(np.vstack([scaled[perm], scaled[:5]]), np.r_[y[perm], y[:5]])
    assert rep.kind == base.kind
    np.testing.assert_array_equal(rep.directions, base.directions * np.array([1, 1, -1]))
    np.testing.assert_array_equal(rep.separated_rows[:len(y)], base.separated_rows[perm])


def test_grouped_row_with_both_outcomes_and_zero_weights():
    X = np.column_stack([np.ones(4), [1.0, 2.0, 3.0, 4.0]])
    # proportions 0, 0.5, 1, 1: the mixed row at x=2 pins b0 + 2 b1 = 0; the others separate
    rep = detect_separation(X, np.array([0, 0.5, 1, 1]), np.array([5, 4, 5, 5]))
    assert rep.kind == "quasi-complete"
    assert rep.separated_rows.tolist() == [True, False, True, True]
    assert rep.directions.tolist() == [-1, 1]
    # mixed rows at both ends overlap everything
    rep = detect_separation(X, np.array([0.2, 0, 1, 0.8]), np.array([5, 4, 5, 5]))
    assert rep.kind == "none"
    # the same row with zero weight is ignored: complete separation between x=1 and x=3
    rep = detect_separation(X, np.array([0, 0.5, 1, 1]), np.array([5, 4, 5, 5]),
                            weights=np.array([1, 0, 1, 1]))
    assert rep.kind == "complete"
    assert rep.separated_rows.tolist() == [True, False, True, True]
    # one success among 4 trials at x=1 lies below the failures at x=2: overlap
    rep = detect_separation(X, np.array([0.25, 0, 1, 1]), np.array([4, 5, 5, 5]))
    assert rep.kind == "none"


def test_rare_events_with_huge_estimates_never_separated():
    rng = np.random.default_rng(3)
    n = 20000
    x = rng.normal(size=n)
    X = np.column_stack([np.ones(n), x])
    y = np.zeros(n)
    y[np.argsort(x)[-3:]] = 1.0          # the three largest x are events ...
    y[np.argmin(x)] = 1.0                # ... and so is the smallest: overlap
    assert detect_separation(X, y).kind == "none"


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


def test_words_name_the_terms():
    c = CASES["endometrial"]
    X, y, m = arrays(c)
    text = detect_separation(X, y, m).describe(c["names"])
    assert "Quasi-complete separation" in text and "NV runs to +infinity" in text
    assert 'method="firth"' in text and "13 of 79" in text
    c = CASES["complete_one"]
    text = detect_separation(*arrays(c)).describe(c["names"])
    assert "estimates of x run to +infinity and of (Intercept) to -infinity" in text
    assert "z is not identified" in text
    none = detect_separation(*arrays(CASES["huge_overlap"]))
    assert str(none).startswith("No separation")
    assert isinstance(none, SeparationReport) and not none.separated


def test_straddling_intercept_is_not_declared_infinite():
    """x = -2, -1, 1, 2, 3 and y = x > 0: the cone is |b0| <= b1, so b0 can stay 0 while the
    slope diverges (R's glm ends with intercept -0.25, slope 31)."""
    c = CASES["straddling_intercept"]
    rep = detect_separation(*arrays(c))
    assert rep.directions.tolist() == [0, 1]
    assert rep.undetermined.tolist() == [True, False]
    assert np.isnan(finite_part(*arrays(c)[:2], rep, arrays(c)[2])[0])


def test_no_warnings_and_bad_shapes():
    X, y, m = arrays(CASES["huge_overlap"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        detect_separation(X, y, m)
    with pytest.raises(ValueError):
        detect_separation(X, y[:-1])
    with pytest.raises(ValueError):
        detect_separation(X[:, 0], y)


# --------------------------------------------------------------------------- brute force
# The reference: the programs of Konis (2007) on *every* cone row at once (the module's former
# implementation, columns scaled to unit maximum), with the null space of the non-separated rows
# from a full SVD.  Fine on small, well-scaled data; the module must agree with it exactly.
from scipy.optimize import linprog  # noqa: E402

import logitstat.separation_lp as slp  # noqa: E402
from logitstat.errors import ConvergenceError  # noqa: E402
from logitstat.fitting.irls import irls  # noqa: E402


def _ref_lp(c, A):
    out = linprog(c, A_ub=-A, b_ub=np.zeros(A.shape[0]), bounds=(-1.0, 1.0), method="highs")
    assert out.status == 0
    return out.x


def reference(X, y, m=None, w=None):
    n, p = X.shape
    m = np.ones(n) if m is None else m
    w = np.ones(n) if w is None else w
    live = (w > 0) & (m > 0)
    rs, rf = np.flatnonzero(live & (y > 0)), np.flatnonzero(live & (y < 1))
    origin = np.r_[rs, rf]
    U = X[origin] * np.r_[np.ones(rs.size), -np.ones(rf.size)][:, None]
    sc = np.max(np.abs(U), axis=0) if U.size else np.ones(p)
    sc[sc == 0] = 1
    U = U / sc
    in_s, d = np.zeros(U.shape[0], bool), np.zeros(p)
    while U.shape[0] and not in_s.all():
        b = _ref_lp(-U[~in_s].sum(axis=0), U)
        new = (U @ b > 1e-7) & ~in_s
        if not new.any():
            break
        in_s |= new
        d += b
    rows = np.zeros(n, bool)
    rows[origin[in_s]] = True
    if not in_s.any():
        return "none", np.zeros(p, int), rows, np.zeros(p, bool)
    d /= np.max(np.abs(d))
    dirs = np.zeros(p, int)
    for j in np.flatnonzero(np.abs(d) > 1e-9):
        s = np.sign(d[j])
        c = np.zeros(p)
        c[j] = s
        if s * _ref_lp(c, U)[j] >= -1e-9:
            dirs[j] = int(s)
    A = U[~in_s]
    if A.shape[0] == 0:
        free = np.ones(p, bool)
    else:
        _, sv, vt = np.linalg.svd(A, full_matrices=True)
        rank = int(np.sum(sv > sv[0] * max(A.shape) * np.finfo(float).eps)) if sv.size else 0
        free = np.any(np.abs(vt[rank:]) > 1e-8, axis=0) if rank < p else np.zeros(p, bool)
    kind = "complete" if in_s.all() else "quasi-complete"
    return kind, dirs, rows, (dirs == 0) & free


def random_case(rng):
    """Small data of every shape: integer covariates (ties, exact quasi-separation), a factor,
    an intercept or not, grouped rows with both outcomes, weights with zeros."""
    n = int(rng.integers(4, 40))
    cols = [np.ones(n)] if rng.random() < 0.8 else []
    for _ in range(int(rng.integers(1, 3))):
        cols.append(rng.integers(-3, 4, size=n).astype(float))
    if rng.random() < 0.5:
        g = rng.integers(0, 3, size=n)
        cols += [(g == k).astype(float) for k in (1, 2)]
    if rng.random() < 0.2:
        cols.append(rng.normal(size=n))
    X = np.column_stack(cols)
    b = rng.normal(size=X.shape[1])
    eta = X @ b * rng.choice([0.5, 3.0, 50.0])
    m = np.ones(n)
    if rng.random() < 0.3:                       # grouped rows
        m = rng.integers(1, 5, size=n).astype(float)
        y = rng.binomial(m.astype(int), 1 / (1 + np.exp(-np.clip(eta, -30, 30)))) / m
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-np.clip(eta, -30, 30)))).astype(float)
    w = np.ones(n)
    if rng.random() < 0.3:
        w = rng.choice([0.0, 1.0, 2.5], size=n)
    return X, y, m, w


def assert_same(rep, ref):
    kind, dirs, rows, und = ref
    assert rep.kind == kind
    np.testing.assert_array_equal(rep.separated_rows, rows)
    np.testing.assert_array_equal(rep.directions, dirs)
    np.testing.assert_array_equal(rep.undetermined, und)


def test_random_datasets_match_brute_force():
    rng = np.random.default_rng(2026)
    kinds = set()
    for _ in range(80):
        X, y, m, w = random_case(rng)
        ref = reference(X, y, m, w)
        assert_same(detect_separation(X, y, m, w), ref)
        kinds.add(ref[0])
    assert kinds == {"none", "quasi-complete", "complete"}


def test_row_generation_on_small_working_subsets_matches_brute_force(monkeypatch):
    """A working subset of a handful of rows grown a few rows at a time (many rounds of row
    generation and span checks) must reach the answer of the programs on all rows."""
    monkeypatch.setattr(slp, "_FULL_LP", 3)
    monkeypatch.setattr(slp, "_ADD", 2)
    monkeypatch.setattr(slp, "initial_rows",
                        lambda cone, extreme: cone.signed(np.flatnonzero(cone.live)[:2]))
    rng = np.random.default_rng(7)
    for _ in range(45):
        X, y, m, w = random_case(rng)
        if rng.random() < 0.5:                   # stack copies: more rows, same cone
            X, y, m, w = (np.concatenate([a] * 4) for a in (X, y, m, w))
        assert_same(detect_separation(X, y, m, w), reference(X, y, m, w))


def test_a_fit_that_separates_every_row_settles_complete_separation_as_brute_force():
    """The iterate of a fit that ran off under complete separation separates every row
    strictly; given as ``direction`` it replaces the programs that build the separated set.
    The answer (kind, rows, directions, undetermined) must be that of the programs on all
    rows; a direction that does not separate every row (the iterate on overlapping or
    quasi-separated data, or a random one) must leave the answer unchanged."""
    rng = np.random.default_rng(11)
    seen = 0
    for _ in range(120):
        X, y, m, w = random_case(rng)
        if np.linalg.matrix_rank(X[(w > 0) & (m > 0)]) < X.shape[1]:
            continue
        ref = reference(X, y, m, w)
        fit = _fit(X, y, m, w, "logit") if ref[0] != "none" else None
        beta = fit.params if fit is not None else rng.normal(size=X.shape[1])
        rep = detect_separation(X, y, m, w, direction=beta)
        assert_same(rep, ref)
        seen += ref[0] == "complete"
    assert seen >= 5


def test_answer_does_not_depend_on_the_number_of_copies_of_the_rows():
    """Repeating every row k times leaves the cone, hence the answer, unchanged (n from ~20 to
    ~20000: the working subset then starts from a sample)."""
    rng = np.random.default_rng(11)
    for _ in range(4):
        X, y, m, w = random_case(rng)
        base = detect_separation(X, y, m, w)
        for k in (10, 300):
            rep = detect_separation(*(np.concatenate([a] * k) for a in (X, y, m, w)))
            assert rep.kind == base.kind
            np.testing.assert_array_equal(rep.directions, base.directions)
            np.testing.assert_array_equal(rep.undetermined, base.undetermined)
            np.testing.assert_array_equal(rep.separated_rows, np.tile(base.separated_rows, k))


def test_location_and_scale_of_columns_do_not_change_the_answer():
    """Centring and rescaling covariates (with an intercept) is a reparametrisation: the same
    rows are separated and the slopes' directions follow the sign of the scale.  Shifts and
    scales are powers of two so that the transformed data are exact (rounding would change the
    ties that make quasi-separation, and with them the true answer)."""
    rng = np.random.default_rng(5)
    for _ in range(40):
        X, y, m, w = random_case(rng)
        if not np.all(X[:, 0] == 1):
            continue
        base = reference(X, y, m, w)
        if X.shape[1] > 0 and not np.all(X == np.round(X)):
            continue                              # the normal column would round
        shift = rng.choice([0.0, 2.0 ** 20, -3 * 2.0 ** 15], size=X.shape[1])
        scale = rng.choice([2.0 ** -17, 1.0, -2.0, 2.0 ** 17], size=X.shape[1])
        shift[0], scale[0] = 0.0, 1.0
        rep = detect_separation(X * scale + shift, y, m, w)
        assert rep.kind == base[0]
        np.testing.assert_array_equal(rep.separated_rows, base[2])
        slope_dirs = base[1][1:] * np.sign(scale[1:]).astype(int)
        np.testing.assert_array_equal(rep.directions[1:], slope_dirs)


def test_event_times_with_a_one_second_overlap_are_not_separated():
    """Times in days since 2023 (about 1000), events after day 1000.5 except one a second
    earlier than the last non-event: the outcomes overlap by 1/86400 day."""
    rng = np.random.default_rng(0)
    t = np.sort(rng.uniform(700, 1300, size=400))
    y = (t > 1000.5).astype(float)
    last = np.flatnonzero(y == 0)[-1]
    t = np.r_[t, t[last] - 1 / 86400]
    y = np.r_[y, 1.0]
    X = np.column_stack([np.ones(t.size), t])
    assert detect_separation(X, y).kind == "none"
    assert detect_separation(np.column_stack([np.ones(t.size), t - 1000]), y).kind == "none"
    y[-1] = 0.0                                     # without that event: complete separation
    assert detect_separation(X, y).kind == "complete"


def test_complete_separation_with_a_tiny_gap_far_from_zero():
    x = 1e6 + np.linspace(0, 1, 200)
    y = (x > 1e6 + 0.5).astype(float)
    x[y == 1] += 1e-3                             # a gap of 1e-3 at x ~ 1e6
    rep = detect_separation(np.column_stack([np.ones(x.size), x]), y)
    assert rep.kind == "complete" and rep.directions.tolist() == [-1, 1]


def test_three_row_level_among_many_rows_is_found_without_an_n_by_n_matrix():
    """Quasi-complete separation by a 3-row level whose rows are all failures, n = 1e5: the
    former SVD with full_matrices asked for 75 GiB here."""
    rng = np.random.default_rng(3)
    n = 100_000
    x = rng.normal(size=n)
    g = rng.integers(0, 3, size=n)
    g[:3] = 3
    X = np.column_stack([np.ones(n), x] + [(g == k).astype(float) for k in (1, 2, 3)])
    y = (rng.random(n) < 1 / (1 + np.exp(-x))).astype(float)
    y[:3] = 0
    rep = detect_separation(X, y)
    assert rep.kind == "quasi-complete"
    assert rep.separated_rows.sum() == 3 and rep.separated_rows[:3].all()
    assert rep.directions.tolist() == [0, 0, 0, 0, -1]
    assert not rep.undetermined.any()


LINKS = ["logit", "probit", "cloglog", "cauchit"]


def _fit(X, y, m, w, link):
    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return irls(X, y, m, w, np.zeros(n), get_link(link), max_iter=200)
        except ConvergenceError:                 # a fit that fails outright certifies nothing
            return None


def _certify(X, y, m, w, link, fit):
    lk = get_link(link)
    if fit.eta_info is None:
        return False
    eta = fit.eta_info
    return overlap_certificate(X, y, lk.linkinv(eta), lk.mu_eta(eta), m, w,
                               moved=fit.eta - eta, cov=fit.cov)


@pytest.mark.parametrize("link", LINKS)
def test_certificate_is_sound_on_random_fits(link):
    """Whenever the certificate claims overlap, the brute-force programs agree; it makes the
    claim on most converged overlapping fits (it is not vacuous)."""
    rng = np.random.default_rng(LINKS.index(link))
    claimed = overlapping = 0
    for _ in range(12):
        X, y, m, w = random_case(rng)
        if np.linalg.matrix_rank(X[w > 0]) < X.shape[1]:
            continue
        fit = _fit(X, y, m, w, link)
        ref = reference(X, y, m, w)
        converged = fit is not None and bool(fit.converged)
        if converged and _certify(X, y, m, w, link, fit):
            assert ref[0] == "none"
            claimed += 1
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
        fit = _fit(X, y, np.ones(n), np.ones(n), link)
        assert reference(X, y)[0] == "none"
        assert fit.converged
        assert _certify(X, y, np.ones(n), np.ones(n), link, fit)


def test_check_separation_uses_the_certificate_or_the_programs():
    rng = np.random.default_rng(4)
    n = 5000
    x = rng.normal(size=n)
    X = np.column_stack([np.ones(n), x])
    y = (rng.random(n) < 1 / (1 + np.exp(-x))).astype(float)
    fit = _fit(X, y, np.ones(n), np.ones(n), "probit")
    lk = get_link("probit")
    rep = check_separation(X, y, mu=lk.linkinv(fit.eta_info), dmu=lk.mu_eta(fit.eta_info),
                           converged=True, moved=fit.eta - fit.eta_info, cov=fit.cov)
    assert rep.method == "certificate" and rep.passes == 1
    y2 = (x > 0).astype(float)                   # separated: the programs run, starting from
    fit = _fit(X, y2, np.ones(n), np.ones(n), "probit")   # the rows the fit pushed furthest
    rep = check_separation(X, y2, mu=lk.linkinv(fit.eta), dmu=lk.mu_eta(fit.eta),
                           converged=bool(fit.converged))
    assert rep.method == "lp" and rep.kind == "complete" and rep.directions.tolist() == [0, 1]


@pytest.mark.parametrize("link", LINKS)
def test_rounding_bound_is_above_the_exact_rounding_term(link):
    """Cauchy-Schwarz: the one-pass bound on s'|A^-1|s (from Q = sum Lambda^2/W and diag A)
    is never below the exact term from s = |X|'Lambda, on fits of every link with weights,
    trials and extreme fitted probabilities (a closed-form inequality, so no tolerance beyond
    the few ulps of the two sums)."""
    from logitstat.separation import _multipliers, rounding_bound, rounding_exact
    rng = np.random.default_rng(30 + LINKS.index(link))
    checked = 0
    for _ in range(80):
        X, y, m, w = random_case(rng)
        if np.linalg.matrix_rank(X[w > 0]) < X.shape[1]:
            continue
        fit = _fit(X, y, m, w, link)
        if fit is None or fit.eta_info is None or not fit.converged:
            continue
        lk = get_link(link)
        eta = fit.eta_info
        _, succ, fail, ls_, lf, W = _multipliers(y, m, w, lk.linkinv(eta), lk.mu_eta(eta))
        live = succ | fail
        lam = (ls_ + lf)[live]
        A = (X[live] * W[live, None]).T @ X[live]
        if np.linalg.cond(A) > 1e12:              # weights near 0 on a quasi-separated fit
            continue
        cov = np.linalg.inv(A)
        exact = rounding_exact(np.abs(X[live]).T @ lam, cov)
        bound = rounding_bound(float(np.sum(lam ** 2 / W[live])), A, cov)
        assert bound >= exact * (1 - 1e-12)
        checked += 1
    assert checked >= 10


def test_certificate_of_an_ordinary_fit_is_one_pass_over_x(monkeypatch):
    """Overlapping data with moderate effects: the rounding bound settles the certificate in
    the pass that forms the remainder (no second pass over |X|)."""
    from logitstat import kernels
    rng = np.random.default_rng(5)
    n = 3000
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 4))])
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ np.array([-0.5, 1, -1, 0.5, 0.2]))))).astype(float)
    fit = _fit(X, y, np.ones(n), np.ones(n), "logit")
    passes = []
    real = kernels.map_chunks
    monkeypatch.setattr(kernels, "map_chunks", lambda fn, k, **kw: passes.append(k) or real(fn, k, **kw))
    assert _certify(X, y, np.ones(n), np.ones(n), "logit", fit)
    assert len(passes) == 1


@pytest.mark.parametrize("link", LINKS)
def test_unweighted_binary_rows_take_the_maskless_path_with_the_same_multipliers(link):
    """The corrected multipliers of 0/1 rows without weights or trials, computed without masks,
    equal those of the general formulas (which also handle weights, trials and dead rows) up
    to a few ulps of reassociation, and both refuse the same steps."""
    from logitstat.separation import _corrected, _corrected_plain
    rng = np.random.default_rng(7)
    lk = get_link(link)
    eta = rng.normal(scale=3.0, size=5000)
    mu, dmu = lk.linkinv(eta), lk.mu_eta(eta)
    y = (rng.random(5000) < mu).astype(float)
    ones = np.ones(5000)
    for scale in (1e-6, 1e-2, 10.0):
        mv = rng.normal(scale=scale, size=5000)
        general, plain = _corrected(y, ones, ones, mu, dmu, mv), _corrected_plain(y, mu, dmu, mv)
        assert (general is None) == (plain is None)
        if general is not None:
            for a, b in zip(general, plain):
                np.testing.assert_allclose(b, a, rtol=1e-13, atol=0)
