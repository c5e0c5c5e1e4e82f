"""Exact separation detection against R (Konis' programs solved by lpSolve in
tests/reference/r/diagnostics.R) and against answers known by construction."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from logitstat.links import get_link
from logitstat.separation import (SeparationReport, check_separation, detect_separation,
                                  finite_part, needs_lp, overlap_certificate)

DATA = Path(__file__).resolve().parent / "reference" / "data" / "diagnostics"
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
