"""Residuals and influence measures: identities that must hold whatever the data (agreement with
R's residuals.glm, hatvalues, rstandard, rstudent and cooks.distance is in
test_reference_inference.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special

import logitstat as ls


def make_data(n=80, seed=2):
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    y = (rng.uniform(size=n) < special.expit(0.3 + x - 0.5 * z)).astype(int)
    return pd.DataFrame({"y": y, "x": x, "z": z, "w": rng.integers(1, 4, size=n)})


@pytest.fixture(scope="module")
def df():
    return make_data()


@pytest.mark.parametrize("link", ["logit", "probit", "cloglog"])
def test_residual_identities(df, link):
    res = ls.glm("y ~ x + z", df, link=link, weights="w")
    mu = res.fittedvalues.to_numpy()
    y, w = df["y"].to_numpy(), df["w"].to_numpy()
    np.testing.assert_allclose(res.resid_response, y - mu, rtol=1e-12)
    np.testing.assert_allclose(res.resid_pearson, (y - mu) * np.sqrt(w / (mu * (1 - mu))), rtol=1e-12)
    assert np.sum(res.resid_deviance ** 2) == pytest.approx(res.deviance, rel=1e-10)
    np.testing.assert_array_equal(np.sign(res.resid_deviance), np.sign(y - mu))
    mu_eta = res.link.mu_eta(res.fit_result.eta)
    np.testing.assert_allclose(res.resid_working * mu_eta, y - mu, rtol=1e-12)


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_hat_values_and_standardised_residuals(df, link):
    res = ls.glm("y ~ x + z", df, link=link)
    infl = res.get_influence()
    h = infl.hat_matrix_diag.to_numpy()
    assert h.sum() == pytest.approx(3.0, rel=1e-10)        # trace of a projection: k
    assert np.all((h > 0) & (h < 1))
    np.testing.assert_allclose(infl.resid_std_pearson, res.resid_pearson / np.sqrt(1 - h), rtol=1e-12)
    np.testing.assert_allclose(infl.resid_std_deviance, res.resid_deviance / np.sqrt(1 - h), rtol=1e-12)
    rp, rd = res.resid_pearson.to_numpy(), res.resid_deviance.to_numpy()
    np.testing.assert_allclose(infl.cooks_distance, rp ** 2 * h / (3 * (1 - h) ** 2), rtol=1e-12)
    lik = infl.resid_likelihood.to_numpy()
    assert np.all(np.abs(lik) >= np.abs(rd))                # the leverage term only adds
    np.testing.assert_array_equal(np.sign(lik), np.sign(rd))
    np.testing.assert_allclose(infl.resid_studentized, infl.resid_std_pearson)


def test_hat_values_are_the_diagonal_of_the_weighted_projection(df):
    res = ls.probit("y ~ x + z", df)
    X = res.design.X
    eta = res.fit_result.eta
    mu = res.link.linkinv(eta)
    W = res.link.mu_eta(eta) ** 2 / (mu * (1 - mu))
    A = np.sqrt(W)[:, None] * X
    H = A @ np.linalg.solve(A.T @ A, A.T)
    np.testing.assert_allclose(res.get_influence().hat_matrix_diag, np.diag(H), rtol=1e-10)


def test_frequency_weights_scale_the_rows(df):
    """A weight-w row stands for w duplicated rows: its hat value is the sum of theirs and its
    Pearson residual sqrt(w) times theirs (as R's prior weights)."""
    res = ls.logit("y ~ x + z", df, weights="w")
    dup = ls.logit("y ~ x + z", df.loc[df.index.repeat(df["w"])])
    h_dup = dup.get_influence().hat_matrix_diag.groupby(level=0).sum()
    np.testing.assert_allclose(res.get_influence().hat_matrix_diag, h_dup, rtol=1e-8)
    r_dup = dup.resid_pearson.groupby(level=0).first()
    np.testing.assert_allclose(res.resid_pearson, np.sqrt(df["w"]) * r_dup, rtol=1e-8)


def test_rows_are_labelled_like_the_data(df):
    holes = df.copy()
    holes.index = [f"r{i}" for i in range(len(df))]
    holes.loc["r3", "x"] = np.nan
    res = ls.logit("y ~ x + z", holes)
    frame = res.get_influence().summary_frame()
    assert "r3" not in frame.index and len(frame) == len(df) - 1
    assert list(frame.columns) == ["hat", "resid_deviance", "resid_pearson", "std_resid_deviance",
                                   "std_resid_pearson", "resid_likelihood", "cooks_d",
                                   "dfb_Intercept", "dfb_x", "dfb_z", "dffits", "cov_ratio"]
    assert res.resid_deviance.index.equals(frame.index)


def test_a_row_with_hat_value_one_gives_nan_not_a_warning():
    dose = np.arange(8.0)
    dead = np.array([1, 3, 5, 9, 11, 15, 17, 19.0])
    df = pd.DataFrame({"dead": dead, "alive": 20 - dead, "dose": dose, "only": (dose == 3) * 1.0})
    infl = ls.logit("dead + alive ~ dose + only", df).get_influence()
    assert infl.hat_matrix_diag.iloc[3] == pytest.approx(1.0)
    assert np.isnan(infl.cooks_distance.iloc[3]) and np.isnan(infl.resid_std_pearson.iloc[3])
    assert np.isfinite(infl.cooks_distance.drop(infl.cooks_distance.index[3])).all()


@pytest.mark.parametrize("conditioning", ["good", "ill"])
def test_hat_values_equal_the_qr_projection_at_scale(conditioning, monkeypatch):
    """Hat values by blocked Cholesky (threaded above 65,536 rows), or by QR when the information
    is ill-conditioned, equal the squared row norms of Q in W^{1/2} X = QR, and sum to p."""
    from logitstat.fitting import kernels
    from logitstat.inference.influence import hat_values
    from logitstat.fitting.links import get_link

    monkeypatch.setenv("LOGITSTAT_NUM_THREADS", "2")
    rng = np.random.default_rng(7)
    n = kernels.PARALLEL_MIN_ROWS + 3000
    X = np.column_stack([np.ones(n), rng.standard_normal((n, 3))])
    if conditioning == "ill":  # a column nearly equal to another (rcond of X'WX ~ 1e-16)
        X[:, 3] = X[:, 2] + 1e-8 * rng.standard_normal(n)
    eta = 0.3 * X[:, 1]
    m, w = np.ones(n), rng.integers(1, 3, n).astype(float)
    h = hat_values(X, m, w, eta, get_link("logit"))
    mu = special.expit(eta)
    # the reference projects on the same column space through a well-conditioned basis: hat
    # values are invariant to X -> XA, and x3 - x2 is exact in floating point (Sterbenz)
    ref = X.copy()
    if conditioning == "ill":
        ref[:, 3] = X[:, 3] - X[:, 2]
    q = np.linalg.qr(np.sqrt(w * mu * (1 - mu))[:, None] * ref, mode="reduced")[0]
    # tolerance: relative error of a backward-stable solve, cond(W^(1/2) X) * eps ~ 1e8 * 2e-16
    rtol = 1e-6 if conditioning == "ill" else 1e-10
    np.testing.assert_allclose(h, np.sum(q * q, axis=1), rtol=rtol, atol=1e-15)
    assert h.sum() == pytest.approx(4.0, rel=1e-8)
