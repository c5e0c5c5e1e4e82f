"""GVIF (car 3.1.1) and Belsley-Kuh-Welsch diagnostics against R (tests/reference/r/diagnostics.R)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from logitstat.collinearity import collinearity_table, condition_number, vif_design, vif_model

DATA = Path(__file__).resolve().parent / "reference" / "data" / "diagnostics"
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
