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
                                              finite_part)

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
# The reference (tests/brute_force.py): the programs of Konis (2007) on *every* cone row at
# once, with the null space of the non-separated rows from a full SVD.  Fine on small,
# well-scaled data; the module must agree with it exactly.

import logitstat.diagnostics.separation_lp as slp  # noqa: E402
from brute_force import fit_or_none, random_case, reference  # noqa: E402


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
        fit = fit_or_none(X, y, m, w, "logit") if ref[0] != "none" else None
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


def test_check_separation_uses_the_certificate_or_the_programs():
    rng = np.random.default_rng(4)
    n = 5000
    x = rng.normal(size=n)
    X = np.column_stack([np.ones(n), x])
    y = (rng.random(n) < 1 / (1 + np.exp(-x))).astype(float)
    fit = fit_or_none(X, y, np.ones(n), np.ones(n), "probit")
    lk = get_link("probit")
    rep = check_separation(X, y, mu=lk.linkinv(fit.eta_info), dmu=lk.mu_eta(fit.eta_info),
                           converged=True, moved=fit.eta - fit.eta_info, cov=fit.cov)
    assert rep.method == "certificate" and rep.passes == 1
    y2 = (x > 0).astype(float)                   # separated: the programs run, starting from
    fit = fit_or_none(X, y2, np.ones(n), np.ones(n), "probit")   # the rows the fit pushed furthest
    rep = check_separation(X, y2, mu=lk.linkinv(fit.eta), dmu=lk.mu_eta(fit.eta),
                           converged=bool(fit.converged))
    assert rep.method == "lp" and rep.kind == "complete" and rep.directions.tolist() == [0, 1]
