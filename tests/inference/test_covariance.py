"""Covariance estimators: invariances (frequency weights = duplicated rows, singleton clusters =
HC), the observed information against a numerical Hessian, and the registry's errors.  Agreement
with sandwich::vcovHC / vcovCL is in test_reference_inference.py."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.fitting import family
from logitstat.inference.covariance import (REGISTRY, Cluster, get_estimator, invert_information,
                                            observed_information)
from logitstat.fitting.links import get_link

# The reference fits use few clusters (R's examples do); the DataWarning they get is the
# subject of tests/inference/test_few_clusters.py, not of this file.
pytestmark = pytest.mark.filterwarnings("ignore:only .*clusters in groups=")

LINKS = ["logit", "probit", "cloglog"]


def make_data(n=120, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    z = rng.uniform(-1, 1, size=n)
    g = rng.choice(["a", "b", "c"], size=n)
    eta = -0.3 + 0.8 * x - 0.6 * z + 0.4 * (g == "b")
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    w = rng.integers(1, 4, size=n)
    cl = rng.integers(0, 15, size=n)
    return pd.DataFrame({"y": y, "x": x, "z": z, "g": g, "w": w, "cl": cl})


FORMULA = "y ~ x + z + C(g)"


@pytest.fixture(scope="module")
def data():
    df = make_data()
    return df, df.loc[df.index.repeat(df["w"])].reset_index(drop=True)


def with_cov(res, cov_type, cov_kwds=None, information="expected"):
    """The same fit with another covariance (no refit)."""
    return ls.BinaryResults(res.design, res.link, res.fit_result, cov_type=cov_type,
                            cov_kwds=cov_kwds, information=information)


COVS = [("HC0", None), ("HC1", None), ("HC2", None), ("HC3", None), ("cluster", None),
        ("cluster", {"type": "HC1"}), ("cluster", {"cadjust": False}),
        ("cluster", {"type": "HC2"}), ("cluster", {"type": "HC3", "cadjust": False})]


@pytest.mark.parametrize("link", LINKS)
def test_frequency_weights_are_duplicated_rows(data, link):
    df, expanded = data
    weighted = ls.glm(FORMULA, df, link=link, weights="w", groups="cl")
    duplicated = ls.glm(FORMULA, expanded, link=link, groups="cl")
    np.testing.assert_allclose(weighted.params, duplicated.params, rtol=1e-9, atol=1e-12)
    for information in ("expected", "observed"):
        for cov_type, kwds in COVS:
            a = with_cov(weighted, cov_type, kwds, information).cov_params()
            b = with_cov(duplicated, cov_type, kwds, information).cov_params()
            np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-14, err_msg=f"{cov_type} {kwds}")


@pytest.mark.parametrize("link", LINKS)
def test_singleton_clusters_reduce_to_hc(data, link):
    df, _ = data
    ids = np.arange(len(df))
    hc0 = ls.glm(FORMULA, df, link=link, cov_type="HC0").cov_params()
    hc1 = ls.glm(FORMULA, df, link=link, cov_type="HC1").cov_params()
    bare = ls.glm(FORMULA, df, link=link, cov_type="cluster", groups=ids,
                  cov_kwds={"type": "HC0", "cadjust": False}).cov_params()
    full = ls.glm(FORMULA, df, link=link, cov_type="cluster", groups=ids,
                  cov_kwds={"type": "HC1", "cadjust": True}).cov_params()
    default = ls.glm(FORMULA, df, link=link, cov_type="cluster", groups=ids).cov_params()
    n = len(df)
    np.testing.assert_allclose(bare, hc0, rtol=1e-10)
    np.testing.assert_allclose(full, hc1, rtol=1e-10)   # n/(n-1) * (n-1)/(n-k) = n/(n-k)
    np.testing.assert_allclose(default, hc0 * n / (n - 1), rtol=1e-10)


def test_cluster_labels_are_only_labels(data):
    df, _ = data
    a = ls.logit(FORMULA, df, cov_type="cluster", groups="cl").cov_params()
    relabelled = df["cl"].map(lambda c: f"site-{(c * 7) % 15}")
    b = ls.logit(FORMULA, df, cov_type="cluster", groups=relabelled).cov_params()
    np.testing.assert_allclose(a, b, rtol=1e-12)


def test_hc_types_are_ordered_by_leverage_correction(data):
    df, _ = data
    se = {t: ls.probit(FORMULA, df, cov_type=t).bse for t in ("HC0", "HC2", "HC3")}
    assert np.all(se["HC0"] < se["HC2"]) and np.all(se["HC2"] < se["HC3"])


# --------------------------------------------------------------------------- observed information


def numerical_hessian(X, y, trials, weights, offset, beta, link, h=1e-4):
    """Central second differences of the log-likelihood (an independent route to the Hessian)."""
    p = len(beta)
    H = np.zeros((p, p))

    def ll(b):
        return family.loglik(y, trials, weights, X @ b + offset, link)

    for i in range(p):
        for j in range(p):
            ei, ej = np.eye(p)[i] * h, np.eye(p)[j] * h
            H[i, j] = (ll(beta + ei + ej) - ll(beta + ei - ej) - ll(beta - ei + ej)
                       + ll(beta - ei - ej)) / (4 * h * h)
    return H


@pytest.mark.parametrize("link", ["probit", "cloglog", "cauchit", "logit"])
def test_observed_information_is_minus_the_hessian(data, link):
    df, _ = data
    res = ls.glm(FORMULA, df, link=link, weights="w")
    d = res.design
    info = observed_information(d.X, d.y, d.trials, d.weights, res.fit_result.eta, res.link)
    H = numerical_hessian(d.X, d.y, d.trials, d.weights, d.offset, res.fit_result.params, res.link)
    np.testing.assert_allclose(info, -H, rtol=2e-6, atol=1e-6 * np.abs(H).max())
    obs = ls.glm(FORMULA, df, link=link, weights="w", information="observed")
    np.testing.assert_allclose(obs.cov_params(), np.linalg.inv(info), rtol=1e-8)


def test_observed_equals_expected_for_the_canonical_link(data):
    df, _ = data
    a = ls.logit(FORMULA, df, information="observed").cov_params()
    b = ls.logit(FORMULA, df).cov_params()
    np.testing.assert_allclose(a, b, rtol=1e-12)
    c = ls.probit(FORMULA, df, information="observed").cov_params()
    d = ls.probit(FORMULA, df).cov_params()
    assert not np.allclose(c, d, rtol=1e-4)


def test_observed_information_at_a_non_optimum_is_still_the_hessian(data):
    df, _ = data
    res = ls.probit(FORMULA, df)
    d = res.design
    beta = res.fit_result.params + 0.3
    info = observed_information(d.X, d.y, d.trials, d.weights, d.X @ beta, get_link("probit"))
    H = numerical_hessian(d.X, d.y, d.trials, d.weights, d.offset, beta, get_link("probit"))
    np.testing.assert_allclose(info, -H, rtol=2e-6, atol=1e-6 * np.abs(H).max())


def test_indefinite_information_is_a_clear_error():
    with pytest.raises(ls.SpecificationError, match="not positive definite"):
        invert_information(np.array([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(ls.SpecificationError, match="singular"):
        invert_information(np.zeros((2, 2)))


# --------------------------------------------------------------------------- registry and errors


def test_registry_names_every_type():
    assert set(REGISTRY) == {"nonrobust", "hc0", "hc1", "hc2", "hc3", "cluster"}
    assert get_estimator("hc3").name == "HC3"
    with pytest.raises(ls.SpecificationError, match="unknown cov_type 'HC4'.*'HC3'"):
        get_estimator("HC4")


def test_options_are_checked():
    assert Cluster().kwds == {"type": "HC0", "cadjust": True, "multi0": False, "fix": False}
    with pytest.raises(ls.SpecificationError, match="does not take option.*'adjust'"):
        get_estimator("cluster", {"adjust": False})
    with pytest.raises(ls.SpecificationError, match="'type'.*'HC0', 'HC1', 'HC2', 'HC3'"):
        get_estimator("cluster", {"type": "HC4"})
    with pytest.raises(ls.SpecificationError, match="does not take"):
        get_estimator("HC1", {"type": "HC0"})
    with pytest.raises(ls.SpecificationError, match="dict"):
        get_estimator("cluster", ["HC0"])


def test_fit_level_errors(data):
    df, _ = data
    with pytest.raises(ls.SpecificationError, match="groups="):
        ls.logit(FORMULA, df, cov_type="cluster")
    with pytest.raises(ls.DataError, match="at least two clusters"):
        ls.logit(FORMULA, df, cov_type="cluster", groups=np.zeros(len(df))).bse
    with pytest.raises(ls.SpecificationError, match="information='fisher'.*'observed'"):
        ls.logit(FORMULA, df, information="fisher")
    with pytest.raises(ls.SpecificationError, match="unknown cov_type"):
        ls.logit(FORMULA, df, cov_type="robust")


def test_hc3_is_undefined_when_one_row_determines_a_coefficient():
    dose = np.arange(8.0)
    dead = np.array([1, 3, 5, 9, 11, 15, 17, 19.0])
    only = (dose == 3).astype(float)       # its coefficient fits row 3 (9 of 20) exactly: h = 1
    df = pd.DataFrame({"dead": dead, "alive": 20 - dead, "dose": dose, "only": only})
    with pytest.raises(ls.DataError, match="HC3 is undefined.*hat value 1"):
        ls.logit("dead + alive ~ dose + only", df, cov_type="HC3").bse
    assert np.all(np.isfinite(ls.logit("dead + alive ~ dose + only", df, cov_type="HC0").bse))


def test_summary_names_the_covariance(data):
    df, _ = data
    assert "robust HC3" in str(ls.probit(FORMULA, df, cov_type="HC3").summary())
    text = str(ls.probit(FORMULA, df, cov_type="cluster", groups="cl").summary())
    assert "cluster-robust (G/(G-1))" in text and "15 clusters" in text
    text = str(ls.probit(FORMULA, df, information="observed").summary())
    assert "inverse observed information" in text
    assert "inverse Fisher information" in str(ls.probit(FORMULA, df).summary())
