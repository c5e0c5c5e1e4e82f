"""Cluster-robust covariances HC0-HC3, one-way and two-way, against sandwich::vcovCL, plus
invariances and a brute-force matrix power for rows of zero working weight.

Reference: ``tests/reference/data/cluster_influence.json`` made by
``tests/reference/r/cluster_influence.R`` (R 4.2.2, sandwich 3.0.2; glm with epsilon = 1e-14) on
the bundled datasets.

Tolerances: entries are compared in units of the largest |V_ij| of R's matrix.  For the logit
link R's IRLS is Newton's method and its estimate is exact to rounding, so 1e-8 is left for
rounding in the cluster-block eigendecompositions.  For probit and cloglog R's Fisher scoring
converges linearly and stops when the relative deviance change is below 1e-14: its estimates
differ from the exact MLE by up to ~1e-7 standard errors (measured against our fit with
tol=1e-12), so these covariances are compared at 2e-6.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import linalg

import logitstat as ls
from logitstat.inference.clustering import cluster_meat, group_columns, leverage_adjusted_scores

from conftest import canon

REF = Path(__file__).resolve().parents[1] / "reference" / "data" / "cluster_influence.json"
# several cases have fewer than 20 clusters on purpose (R's numbers do not care): no DataWarning noise
pytestmark = pytest.mark.filterwarnings("ignore:only .* clusters in groups=")


@lru_cache(maxsize=None)
def reference() -> dict:
    return json.loads(REF.read_text())


def tolerance(link: str) -> float:
    return 1e-8 if link == "logit" else 2e-6


def cases():
    for name, m in reference()["models"].items():
        for j, v in enumerate(m["covs"]):
            yield pytest.param(name, j, id=f"{name}-{v['way']}-{v['type']}-{j}")


@pytest.mark.parametrize("name,j", list(cases()))
def test_vcovcl_matches_sandwich(name, j):
    m = reference()["models"][name]
    v = m["covs"][j]
    groups = v["groups"]   # a name (one-way) or a list of two
    kwds = {"type": v["type"], "cadjust": v["cadjust"], "multi0": v["multi0"], "fix": v["fix"]}
    res = ls.glm(m["formula"], ls.datasets.load(m["data"]), link=m["link"], tol=1e-12,
                 cov_type="cluster", groups=groups, cov_kwds=kwds)
    index = {canon(n): n for n in res.params.index}
    order = [index[canon(n)] for n in m["names"]]
    got = res.cov_params().loc[order, order].to_numpy()
    want = np.array(v["cov"])
    np.testing.assert_allclose(got, want, rtol=0, atol=tolerance(m["link"]) * np.abs(want).max())


@pytest.fixture(scope="module")
def infert():
    return ls.datasets.load("infert")


FORMULA = "case ~ age + parity + induced + spontaneous"


def test_singleton_clusters_are_the_hc_estimators(infert):
    """Every row its own cluster: HC2/HC3 cluster = vcovHC HC2/HC3 (the G/(G-1) cancels)."""
    ids = np.arange(len(infert))
    for kind in ("HC2", "HC3"):
        a = ls.logit(FORMULA, infert, cov_type="cluster", groups=ids, cov_kwds={"type": kind})
        b = ls.logit(FORMULA, infert, cov_type=kind)
        np.testing.assert_allclose(a.cov_params(), b.cov_params(), rtol=1e-10)


def test_two_way_on_the_same_column_is_one_way(infert):
    """V_a + V_a - V_{a∩a} = V_a exactly (the intersection is the clustering itself)."""
    for kind in ("HC0", "HC1", "HC2", "HC3"):
        one = ls.logit(FORMULA, infert, cov_type="cluster", groups="education",
                       cov_kwds={"type": kind}).cov_params()
        two = ls.logit(FORMULA, infert.assign(ed2=infert["education"]), cov_type="cluster",
                       groups=["education", "ed2"], cov_kwds={"type": kind}).cov_params()
        np.testing.assert_allclose(two, one, rtol=1e-10)


def test_groups_as_list_array_or_frame_agree(infert):
    kw = dict(cov_type="cluster", cov_kwds={"type": "HC2"})
    a = ls.logit(FORMULA, infert, groups=["age", "education"], **kw).cov_params()
    b = ls.logit(FORMULA, infert, groups=infert[["age", "education"]].to_numpy(), **kw).cov_params()
    c = ls.logit(FORMULA, infert, groups=infert[["age", "education"]], **kw).cov_params()
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(a, c, rtol=1e-12)
    one = ls.logit(FORMULA, infert, groups=["age"], **kw).cov_params()
    np.testing.assert_allclose(one, ls.logit(FORMULA, infert, groups="age", **kw).cov_params())


def test_missing_cluster_labels_drop_rows(infert):
    df = infert.assign(a=infert["age"].astype(float), b=infert["education"].astype(object))
    df.loc[[3, 10], "a"] = np.nan
    df.loc[[20], "b"] = None
    res = ls.logit(FORMULA, df, cov_type="cluster", groups=["a", "b"])
    assert res.nobs == len(df) - 3 and res.design.n_dropped == 3
    assert "clusters (two-way)" in res.cov_description


def test_fix_clips_negative_eigenvalues(infert):
    kw = dict(cov_type="cluster", groups=["age", "education"])
    raw = ls.logit(FORMULA, infert, **kw).cov_params().to_numpy()
    fixed = ls.logit(FORMULA, infert, cov_kwds={"fix": True}, **kw).cov_params().to_numpy()
    lam, Q = np.linalg.eigh(raw)
    assert lam.min() < 0   # the case is chosen so that the fix matters
    np.testing.assert_allclose(fixed, (Q * np.maximum(lam, 0)) @ Q.T, atol=1e-14)
    assert np.linalg.eigvalsh(fixed).min() > -1e-14


def test_singular_cluster_block_is_a_clear_error():
    """budworm clustered by sex: the males alone determine the sex coefficient (R's vcovCL stops
    for HC3 and returns NaN for HC2)."""
    df = ls.datasets.load("budworm")
    for kind in ("HC2", "HC3"):
        res = ls.logit("numdead + numalive ~ sex + ldose", df, cov_type="cluster",
                       groups=["sex", "ldose"], cov_kwds={"type": kind})
        with pytest.raises(ls.DataError, match=f"HC{kind[-1]} is undefined.*I - H_gg is singular"):
            res.bse


def test_group_input_errors(infert):
    with pytest.raises(ls.DataError, match="one cluster column, or two"):
        ls.logit(FORMULA, infert, cov_type="cluster", groups=["age", "parity", "education"])
    with pytest.raises(ls.DataError, match="'nope' not found"):
        ls.logit(FORMULA, infert, cov_type="cluster", groups=["age", "nope"])
    with pytest.raises(ls.DataError, match=r"\(248, 2\) array"):
        group_columns(np.zeros((248, 3)), None, 248)


def matrix_power(M: np.ndarray, power: float) -> np.ndarray:
    """Principal power of a diagonalizable matrix with positive eigenvalues, from scipy."""
    return np.real(linalg.fractional_matrix_power(M, power))


def test_zero_weight_rows_get_the_lower_block_of_the_matrix_power():
    """Rows of zero working weight (zero trials) in a cluster: the adjusted scores equal
    (I - H_gg)^(-1/2) s and (I - H_gg)^(-1) s of the full non-symmetric block (scipy's
    fractional_matrix_power), as vcovCL takes them."""
    rng = np.random.default_rng(3)
    n, p = 9, 3
    X = np.column_stack([np.ones(n), rng.normal(size=(n, p - 1))])
    v = rng.uniform(0.1, 0.3, size=n)
    v[[2, 5]] = 0.0
    s = rng.normal(size=n)
    s[[2, 5]] = 0.0
    A = np.linalg.inv((X * v[:, None]).T @ X)
    codes = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    H = X @ A @ X.T * v[None, :]
    for power, exponent in ((1, -0.5), (2, -1.0)):
        got = leverage_adjusted_scores(X, s, v, A, codes, 2, power)
        for g in (0, 1):
            idx = np.flatnonzero(codes == g)
            M = np.eye(idx.size) - H[np.ix_(idx, idx)]
            np.testing.assert_allclose(got[idx], matrix_power(M, exponent) @ s[idx], rtol=1e-10,
                                       atol=1e-13)


def test_meat_without_cadjust_for_hc2_is_scaled_by_g_minus_one_over_g():
    rng = np.random.default_rng(0)
    n = 40
    X = np.column_stack([np.ones(n), rng.normal(size=n)])
    v = rng.uniform(0.1, 0.25, size=n)
    s = rng.normal(size=n)
    A = np.linalg.inv((X * v[:, None]).T @ X)
    g = rng.integers(0, 5, size=n)
    w = np.ones(n)
    adj = cluster_meat(X, s, w, v, A, g, kind="HC2", cadjust=True)
    raw = cluster_meat(X, s, w, v, A, g, kind="HC2", cadjust=False)
    np.testing.assert_allclose(raw, adj * 4 / 5, rtol=1e-12)


def test_summary_names_the_two_way_clustering(infert):
    text = str(ls.logit(FORMULA, infert, cov_type="cluster", groups=["age", "education"],
                        cov_kwds={"type": "HC3"}).summary())
    assert "cluster-robust HC3" in text and "x 3 clusters (two-way)" in text
