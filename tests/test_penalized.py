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

from logitstat import penalized

DATA = Path(__file__).resolve().parent / "reference" / "data"
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
