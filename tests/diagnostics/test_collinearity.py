"""GVIF (car 3.1.1) and Belsley-Kuh-Welsch diagnostics against R (tests/reference/r/diagnostics.R)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from logitstat.diagnostics.collinearity import (QR_LIMIT, collinearity_table, condition_number, tsqr_r,
                                                vif_design, vif_model)

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "diagnostics"
CASES = json.loads((DATA / "collinearity.json").read_text())
NAMES = sorted(k for k, v in CASES.items() if isinstance(v, dict))


def terms_of(c):
    asg = np.array(c["assign"])
    terms = {"Intercept": slice(0, 1)} if c["intercept"] else {}
    for t, label in enumerate(c["term_labels"], 1):
        idx = np.flatnonzero(asg == t)
        terms[label] = slice(idx[0], idx[-1] + 1)
    return terms


def check_vif(got, want):
    got = got.loc[want["terms"]]
    np.testing.assert_allclose(got["gvif"], want["gvif"], rtol=1e-9)
    np.testing.assert_array_equal(got["df"], want["df"])
    np.testing.assert_allclose(got["gvif_adj"], want["gvif_adj"], rtol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_vif_model_matches_car(name):
    c = CASES[name]
    got = vif_model(np.array(c["cov"]), terms_of(c), c["intercept"])
    assert list(got.index) == c["term_labels"]
    check_vif(got, c["vif_model"])


@pytest.mark.parametrize("name", NAMES)
def test_vif_design_matches_car_on_lm(name):
    c = CASES[name]
    check_vif(vif_design(np.array(c["X"]), terms_of(c), c["intercept"], np.array(c["weights"])),
              c["vif_design"])


@pytest.mark.parametrize("name", NAMES)
def test_bkw_matches_svd_in_r(name):
    c = CASES[name]
    X = np.array(c["X"])
    assert condition_number(X) == pytest.approx(c["condition_number"], rel=1e-9)
    tab = collinearity_table(X, c["names"])
    np.testing.assert_allclose(tab["condition_index"], c["condition_indices"], rtol=1e-9)
    np.testing.assert_allclose(tab[c["names"]].to_numpy(), np.array(c["proportions"]), atol=1e-9)
    np.testing.assert_allclose(tab[c["names"]].sum(axis=0), 1.0, rtol=1e-12)


def test_vif_closed_forms():
    """Two standardized regressors with correlation r: VIF = 1/(1-r^2) for both; a term's GVIF
    is invariant to a change of basis within the term (e.g. dummy coding)."""
    r = 0.8
    cov = np.linalg.inv(np.array([[1.0, 0, 0], [0, 1, r], [0, r, 1]]))
    v = vif_model(cov, {"Intercept": slice(0, 1), "a": slice(1, 2), "b": slice(2, 3)})
    np.testing.assert_allclose(v["gvif"], 1 / (1 - r ** 2), rtol=1e-12)
    rng = np.random.default_rng(1)
    X = np.column_stack([np.ones(50), rng.normal(size=(50, 4))])
    terms = {"Intercept": slice(0, 1), "f": slice(1, 3), "x": slice(3, 5)}
    B = np.eye(5)
    B[1:3, 1:3] = [[2.0, 1.0], [-1.0, 3.0]]
    a = vif_design(X, terms)
    b = vif_design(X @ B, terms)
    np.testing.assert_allclose(a["gvif"], b["gvif"], rtol=1e-10)


def test_condition_number_gram_and_qr_routes_agree_at_scale():
    rng = np.random.default_rng(7)
    n = 200_000
    x = rng.normal(size=n)
    well = np.column_stack([np.ones(n), x, rng.normal(size=n)])
    ill = np.column_stack([np.ones(n), x + 1000, (x + 1000) ** 2])
    for X in (well, ill):
        Xs = X / np.linalg.norm(X, axis=0)
        sv = np.linalg.svd(Xs, compute_uv=False)
        assert condition_number(X) == pytest.approx(sv[0] / sv[-1], rel=1e-7)
    assert condition_number(np.column_stack([np.ones(3), np.zeros(3)])) == np.inf


@pytest.mark.parametrize("c", [1e154, 1e-155, 1e300, 1e-300])
def test_bkw_and_design_vif_do_not_depend_on_units(c):
    """BKW scales columns to unit length, so the condition number and the table are invariant;
    computing the norms naively would overflow (|x|^2 > 1.8e308) or underflow."""
    rng = np.random.default_rng(1)
    X = np.column_stack([np.ones(50), rng.normal(size=50), rng.normal(size=50)])
    X[:, 2] += 0.3 * X[:, 1]
    Y = X.copy()
    Y[:, 1] *= c
    assert condition_number(Y) == pytest.approx(condition_number(X), rel=1e-12)
    np.testing.assert_allclose(collinearity_table(Y).iloc[:, 1:], collinearity_table(X).iloc[:, 1:],
                               rtol=1e-10)
    terms = {"Intercept": slice(0, 1), "a": slice(1, 2), "b": slice(2, 3)}
    np.testing.assert_allclose(vif_design(Y, terms)["gvif"], vif_design(X, terms)["gvif"], rtol=1e-12)
# --------------------------------------------------------------------------- Gram routes
def _old_vif(cov, terms):
    """The definition term by term: det(R_tt) det(R_oo) / det(R) (one determinant per term)."""
    keep = np.arange(1, cov.shape[0])
    sd = np.sqrt(np.diag(cov)[keep])
    R = cov[np.ix_(keep, keep)] / np.outer(sd, sd)
    out = {}
    for name, sl in terms.items():
        if name == "Intercept":
            continue
        sub = np.arange(sl.start, sl.stop) - 1
        rest = np.setdiff1d(np.arange(keep.size), sub)
        out[name] = (np.linalg.det(R[np.ix_(sub, sub)]) * np.linalg.det(R[np.ix_(rest, rest)])
                     / np.linalg.det(R))
    return out


def _factor_design(rng, n, levels=(4, 7), shift=0.0):
    """Intercept, two correlated numerics, factors in treatment coding, an interaction."""
    x1 = rng.normal(size=n) + shift
    x2 = 0.7 * x1 + rng.normal(size=n)
    cols, terms = [np.ones(n), x1, x2], {"Intercept": slice(0, 1), "x1": slice(1, 2),
                                          "x2": slice(2, 3)}
    for k, L in enumerate(levels):
        g = rng.integers(0, L, size=n)
        start = len(cols)
        cols += [(g == l).astype(float) for l in range(1, L)]
        terms[f"g{k}"] = slice(start, len(cols))
    start = len(cols)
    cols += [x1 * (g == l) for l in range(1, levels[-1])]
    terms["x1:g"] = slice(start, len(cols))
    return np.column_stack(cols), terms


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vif_from_one_inverse_equals_the_determinant_definition(seed):
    """GVIF_t = det(R_tt) det((R^-1)_tt) (Schur complement) against the three determinants of the
    definition, on random designs with factors; agreement to rounding (the determinants have
    relative errors of order eps * cond(R), cond(R) < 1e3 here, hence rtol 1e-10)."""
    rng = np.random.default_rng(seed)
    X, terms = _factor_design(rng, 400)
    w = rng.integers(1, 4, size=400).astype(float)
    cov = np.linalg.inv((X * w[:, None]).T @ X)
    want = _old_vif(cov, terms)
    got = vif_model(cov, terms)
    np.testing.assert_allclose(got["gvif"], [want[k] for k in got.index], rtol=1e-10)
    got = vif_design(X, terms, weights=w)
    np.testing.assert_allclose(got["gvif"], [want[k] for k in got.index], rtol=1e-10)


@pytest.mark.parametrize("shift", [0.0, 3e3])
def test_bkw_from_gram_or_blocked_qr_equals_svd_of_scaled_design(shift):
    """Condition indices and proportions against numpy's SVD of the column-scaled design (the
    definition).  shift=0: the Gram route (condition number ~10; singular values to relative
    eps * cond^2 ~ 1e-14).  shift=3e3: the numeric columns sit far from 0, condition number
    ~1e5 > QR_LIMIT, so the row-blocked QR route (accurate to eps * cond ~ 1e-11); n > 65536 so
    the rows are cut into chunks whose factors are stacked."""
    rng = np.random.default_rng(5)
    X, _ = _factor_design(rng, 70_000, shift=shift)
    Xs = X / np.linalg.norm(X, axis=0)
    _, sv, vt = np.linalg.svd(Xs, full_matrices=False)
    phi = vt.T ** 2 / sv ** 2
    props = (phi / phi.sum(axis=1, keepdims=True)).T
    cond = sv[0] / sv[-1]
    assert (cond > QR_LIMIT) == (shift > 0)
    assert condition_number(X) == pytest.approx(cond, rel=1e-9)
    tab = collinearity_table(X)
    np.testing.assert_allclose(tab["singular_value"], sv, rtol=1e-9)
    np.testing.assert_allclose(tab.iloc[:, 2:].to_numpy(), props, atol=1e-8)


def test_blocked_qr_factor_reproduces_the_weighted_gram():
    """R'R = X'WX and |diag R| equal to LAPACK's unblocked QR of W^(1/2) X (R is unique up to
    the signs of its rows); rtol 1e-12 is rounding for this well-conditioned design."""
    rng = np.random.default_rng(9)
    X, _ = _factor_design(rng, 150_000)
    w = rng.random(150_000)
    R = tsqr_r(X, w)
    Xw = X * np.sqrt(w)[:, None]
    np.testing.assert_allclose(R.T @ R, Xw.T @ Xw, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(np.abs(np.diag(R)), np.abs(np.diag(np.linalg.qr(Xw, mode="r"))),
                               rtol=1e-12)
    assert np.allclose(R, np.triu(R))
