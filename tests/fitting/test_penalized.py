"""Coordinate descent for penalized logistic regression (logitstat.penalized) against glmnet
4.1-6 (R 4.2.2; tests/reference/r/beyond.R, thresh = 1e-14) and against its own optimality
conditions."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import patsy
import pytest

from logitstat.fitting import coordinate_descent as penalized

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
REF = json.loads((DATA / "glmnet_mroz.json").read_text())
R_ORDER = ["Intercept", "k5", "k618", "age", "wc[T.yes]", "hc[T.yes]", "lwg", "inc"]


@pytest.fixture(scope="module")
def arrays():
    df = pd.read_csv(DATA / "mroz.csv")
    y, X = patsy.dmatrices(REF["formula"], df, return_type="dataframe")
    perm = [list(X.columns).index(c) for c in R_ORDER]
    return X.to_numpy()[:, perm], y.iloc[:, 1].to_numpy()     # columns in R's order


@pytest.mark.parametrize("key", ["1", "0.5", "0"])
def test_path_matches_glmnet(arrays, key):
    X, y = arrays
    ref = REF["paths"][key]
    lam = np.array(ref["lambda"])
    fit = penalized.fit_path(X, y, np.ones(len(y)), np.zeros(len(y)), 0, ref["l1_ratio"], lam)
    want = np.array(ref["coef"])
    start = 1 if key == "0" else 0
    # glmnet reports the null model at the first lambda of its own path; for the lasso and the
    # elastic net that is the exact solution there, for ridge (lambda_max computed with
    # glmnet's 1e-3 floor on alpha) the true minimizer is not exactly zero, so ridge is
    # compared from the second lambda on.
    np.testing.assert_allclose(fit.coef[start:], want[start:], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fit.dev_ratio[start:], np.array(ref["dev_ratio"])[start:], atol=1e-8)
    assert fit.converged.all()


@pytest.mark.parametrize("key", ["1", "0.5", "0"])
def test_default_alpha_grid_is_glmnets(arrays, key):
    X, y = arrays
    ref = REF["paths"][key]
    fit = penalized.fit_path(X, y, np.ones(len(y)), np.zeros(len(y)), 0, ref["l1_ratio"])
    # same start, spacing and early stop (glmnet stopped after 51, 55 and 100 values)
    assert len(fit.alphas) == len(ref["lambda_all"])
    np.testing.assert_allclose(fit.alphas, ref["lambda_all"], rtol=1e-10)


def test_weighted_fit_matches_glmnet(arrays):
    X, y = arrays
    w = np.resize([1.0, 2.0, 3.0], len(y))
    ref = REF["weighted"]
    fit = penalized.fit_path(X, y, w, np.zeros(len(y)), 0, 0.5, np.array(ref["lambda"]))
    np.testing.assert_allclose(fit.coef, ref["coef"], rtol=1e-5, atol=1e-6)


def test_integer_weights_equal_repeated_rows(arrays):
    X, y = arrays
    w = np.resize([1.0, 2.0, 3.0], len(y))
    idx = np.repeat(np.arange(len(y)), w.astype(int))
    a = penalized.fit_path(X, y, w, np.zeros(len(y)), 0, 0.7, np.array([0.02, 0.005]))
    b = penalized.fit_path(X[idx], y[idx], np.ones(len(idx)), np.zeros(len(idx)), 0, 0.7,
                           np.array([0.02, 0.005]))
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("ratio", [1.0, 0.5, 0.0])
def test_solution_satisfies_kkt_conditions(arrays, ratio):
    X, y = arrays
    alpha = 0.01
    fit = penalized.fit_path(X, y, np.ones(len(y)), np.zeros(len(y)), 0, ratio, np.array([alpha]))
    wn = np.full(len(y), 1.0 / len(y))
    Xs = (X[:, 1:] - fit.std.center) / fit.std.scale
    beta = fit.std_coef[0]
    b0 = fit.coef[0, 0] + fit.std.center @ fit.coef[0, 1:]
    mu = 1.0 / (1.0 + np.exp(-(b0 + Xs @ beta)))
    grad = Xs.T @ (wn * (y - mu))                 # minus the gradient of the likelihood part
    assert abs(np.sum(wn * (y - mu))) < 1e-10       # the unpenalized intercept is at its optimum
    nz = beta != 0
    np.testing.assert_allclose(grad[nz], alpha * ratio * np.sign(beta[nz])
                               + alpha * (1 - ratio) * beta[nz], atol=1e-9)
    assert np.all(np.abs(grad[~nz]) <= alpha * ratio + 1e-9)


def test_alpha_max_zeroes_every_coefficient(arrays):
    X, y = arrays
    wn = np.full(len(y), 1.0 / len(y))
    std = penalized.standardize(X[:, 1:], wn, True)
    Xs = (X[:, 1:] - std.center) / std.scale
    free = np.ones(X.shape[1], dtype=bool)
    amax, c0 = penalized.alpha_max(Xs, y, wn, np.zeros(len(y)), True, 1.0, free)
    fit = penalized.fit_path(X, y, np.ones(len(y)), np.zeros(len(y)), 0, 1.0,
                             np.array([amax * 1.0001, amax * 0.99]))
    assert np.all(fit.coef[0, 1:] == 0) and np.count_nonzero(fit.coef[1, 1:]) == 1
    assert fit.coef[0, 0] == pytest.approx(np.log(y.mean() / (1 - y.mean())), rel=1e-10)


def test_constant_column_stays_zero_and_objective_decreases_along_cd(arrays):
    X, y = arrays
    Xc = np.column_stack([X, np.full(len(y), 2.0)])
    fit = penalized.fit_path(Xc, y, np.ones(len(y)), np.zeros(len(y)), 0, 0.5, np.array([0.01]))
    assert fit.coef[0, -1] == 0.0
    ref = penalized.fit_path(X, y, np.ones(len(y)), np.zeros(len(y)), 0, 0.5, np.array([0.01]))
    np.testing.assert_allclose(fit.coef[0, :-1], ref.coef[0], rtol=1e-9, atol=1e-12)


def test_alpha_grid_ratio_defaults():
    g = penalized.alpha_grid(2.0, 5, None, n=100, p=10)
    np.testing.assert_allclose(g, 2.0 * np.logspace(0, -4, 5))
    g = penalized.alpha_grid(2.0, 3, None, n=10, p=100)
    np.testing.assert_allclose(g, 2.0 * np.logspace(0, -2, 3))


# ---------------------------------------------------------------- judge round 3 (glmnet, Pima.tr)
# tests/reference/r/judge_cases3.R: glmnet 4.1-6 with thresh = 1e-14 on MASS::Pima.tr and a
# 3-level age group; the design below is R's model.matrix column for column.
PIMA = json.loads((DATA / "judge3" / "glmnet_pima.json").read_text())
PIMA_COLS = ["npreg", "glu", "bp", "skin", "bmi", "ped", "mid", "old"]


@pytest.fixture(scope="module")
def pima():
    df = pd.read_csv(DATA / "judge3" / "pima.csv")
    X = np.column_stack([df[c] for c in PIMA_COLS[:6]]
                        + [(df["agegrp"] == g).to_numpy(float) for g in ("mid", "old")])
    return df, X, (df["type"] == "Yes").to_numpy(float)


def _pima_path(pima, key, intercept=True, **kw):
    df, X, y = pima
    ref = PIMA[key]
    w = np.asarray(kw.pop("weights", np.ones(len(y))), float)
    off = np.asarray(kw.pop("offset", np.zeros(len(y))), float)
    Xf = np.column_stack([np.ones(len(y)), X]) if intercept else X
    fit = penalized.fit_path(Xf, y, w, off, 0 if intercept else None, ref["l1_ratio"],
                             np.array(ref["lambda"]), tol=1e-12, **kw)
    want = np.array(ref["coef"]) if intercept else np.array(ref["coef"])[:, 1:]
    return fit.coef, want


@pytest.mark.parametrize("key", ["l1", "l2", "enet"])
def test_pima_penalties_match_glmnet(pima, key):
    got, want = _pima_path(pima, key)
    np.testing.assert_allclose(got, want, atol=2e-6, rtol=0)


def test_pima_weights_offset_and_raw_scale_match_glmnet(pima):
    df = pima[0]
    for key, kw in (("weighted", {"weights": df["w"]}), ("offset", {"offset": df["off"]}),
                    ("unstandardized", {"standardize_cols": False})):
        got, want = _pima_path(pima, key, **kw)
        np.testing.assert_allclose(got, want, atol=2e-6, rtol=0, err_msg=key)


def test_no_intercept_scales_by_the_centred_sd_as_glmnet(pima):
    # glmnet(intercept = FALSE) does not centre the columns but still divides them by their
    # (centred) standard deviation; the root mean square gave coefficients off by up to 0.34
    got, want = _pima_path(pima, "no_intercept", intercept=False)
    np.testing.assert_allclose(got, want, atol=2e-6, rtol=0)
    X = pima[1]
    wn = np.full(len(X), 1 / len(X))
    std = penalized.standardize(X, wn, intercept=False)
    np.testing.assert_allclose(std.scale, X.std(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(std.center, 0.0)


def test_no_intercept_keeps_a_constant_column():
    # without an intercept a constant column is the model's intercept: kept (scaled by its RMS)
    X = np.column_stack([np.full(6, 2.0), [0.0, 1, 2, 3, 4, 5]])
    std = penalized.standardize(X, np.full(6, 1 / 6), intercept=False)
    assert std.active.all() and std.scale[0] == pytest.approx(2.0)
    assert not penalized.standardize(X, np.full(6, 1 / 6), intercept=True).active[0]


def test_grouped_rows_match_glmnet_two_column_response():
    ref = PIMA["grouped"]
    cells = pd.read_csv(DATA / "judge3" / "pima_cells.csv")
    n = (cells["yes"] + cells["no"]).to_numpy(float)
    X = np.column_stack([np.ones(len(cells)), cells["agegrp"] == "mid", cells["agegrp"] == "old",
                         cells["hi"], cells["glu"]]).astype(float)
    fit = penalized.fit_path(X, cells["yes"].to_numpy() / n, n, np.zeros(len(n)), 0,
                             ref["l1_ratio"], np.array(ref["lambda"]), tol=1e-12)
    np.testing.assert_allclose(fit.coef, np.array(ref["coef"]), atol=5e-6, rtol=0)
