"""Multinomial logit: HC0/HC1 and cluster-robust covariances (one- and two-way) and profile-
likelihood intervals against R, plus invariances.

Reference: ``tests/reference/data/mnlogit_robust.json`` made by
``tests/reference/r/mnlogit_robust.R`` (R 4.2.2, nnet 7.3-18, sandwich 3.0.2) on
carData::Womenlf: nnet::multinom's fit polished by Newton steps to a step below 1e-14, the
scores (y_ik - p_ik) x_i, sandwich::vcovCL through estfun/bread methods, and profile intervals
from constrained Newton refits with uniroot (tol 1e-12).

Tolerances: both fits are Newton-converged (estimates exact to rounding), so the covariances are
compared at 1e-9 relative to their largest entry (rounding in the sums of n = 263 outer
products).  The interval ends are roots found to ~1e-12 on each side from refits converged to a
Newton decrement of 1e-10 / 1e-11, i.e. log-likelihoods within ~1e-20: 1e-8 leaves room for both.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logitstat as ls

# The reference fits use few clusters (R's examples do); the DataWarning they get is the
# subject of tests/inference/test_few_clusters.py, not of this file.
pytestmark = pytest.mark.filterwarnings("ignore:only .*clusters in groups=")

DATA = Path(__file__).resolve().parents[2] / "reference" / "data"
REF = json.loads((DATA / "mnlogit_robust.json").read_text())
FORMULA = REF["formula"]
R_TO_PATSY = {"(Intercept)": "Intercept", "hincome": "hincome", "childrenpresent": "children[T.present]",
              "regionBC": "region[T.BC]", "regionOntario": "region[T.Ontario]",
              "regionPrairie": "region[T.Prairie]", "regionQuebec": "region[T.Quebec]"}


@pytest.fixture(scope="module")
def df():
    d = pd.read_csv(DATA / "womenlf.csv")
    d["region"] = pd.Categorical(d["region"], categories=["Atlantic", "BC", "Ontario", "Prairie",
                                                          "Quebec"])
    return d


def r_names() -> list[str]:
    return [f"{k}:{R_TO_PATSY[n]}" for k in REF["outcomes"][1:] for n in REF["names"]]


def assert_matrix(res, want, rtol=1e-9):
    got = res.cov_params().loc[r_names(), r_names()].to_numpy()
    want = np.asarray(want)
    np.testing.assert_allclose(got, want, rtol=0, atol=rtol * np.abs(want).max())


def test_fit_matches_the_polished_r_fit(df):
    res = ls.mnlogit(FORMULA, df)
    theta = pd.Series(res._theta, index=res.flat_names)[r_names()].to_numpy()
    np.testing.assert_allclose(theta, REF["theta"], rtol=1e-8)
    assert_matrix(res, REF["nonrobust"])


@pytest.mark.parametrize("kind", ["HC0", "HC1"])
def test_sandwich_matches_r(df, kind):
    assert_matrix(ls.mnlogit(FORMULA, df, cov_type=kind), REF[kind])


@pytest.mark.parametrize("key,groups,kwds", [
    ("hincome_HC0", "hincome", None),
    ("hincome_HC1", "hincome", {"type": "HC1"}),
    ("hincome_nocadjust", "hincome", {"cadjust": False}),
    ("two_way_HC0", ["region", "hincome"], None),
    ("two_way_HC1_multi0", ["region", "hincome"], {"type": "HC1", "multi0": True})])
def test_cluster_matches_vcovcl(df, key, groups, kwds):
    res = ls.mnlogit(FORMULA, df, cov_type="cluster", groups=groups, cov_kwds=kwds)
    assert_matrix(res, REF["cluster"][key])


def test_profile_intervals_match_constrained_refits_in_r(df):
    ci = ls.mnlogit(FORMULA, df).conf_int(method="profile")
    ci.index = [f"{k}:{c}" for k, c in ci.index]
    np.testing.assert_allclose(ci.loc[r_names(), "lower"], REF["profile_lower"], rtol=1e-8)
    np.testing.assert_allclose(ci.loc[r_names(), "upper"], REF["profile_upper"], rtol=1e-8)


def test_weights_are_duplicated_rows(df):
    rng = np.random.default_rng(5)
    d = df.assign(w=rng.integers(1, 4, size=len(df)), g=rng.integers(0, 12, size=len(df)))
    big = d.loc[d.index.repeat(d["w"])].reset_index(drop=True)
    for kind, kw in [("HC0", {}), ("HC1", {}), ("cluster", {"groups": "g"}),
                     ("cluster", {"groups": "g", "cov_kwds": {"type": "HC1"}})]:
        a = ls.mnlogit(FORMULA, d, weights="w", cov_type=kind, **kw).cov_params()
        b = ls.mnlogit(FORMULA, big, cov_type=kind, **kw).cov_params()
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-13)


def test_two_outcomes_reproduce_the_binary_robust_covariances(df):
    """K = 2: the multinomial logit is the binary logit, and so are its sandwiches."""
    d = df.assign(work=np.where(df["partic"] == "not.work", "no", "yes"),
                  g=np.arange(len(df)) % 9)
    for kind, kw in [("HC0", {}), ("HC1", {}), ("cluster", {"groups": "g"})]:
        mn = ls.mnlogit("work ~ hincome + children", d, cov_type=kind, **kw).cov_params().to_numpy()
        bi = ls.logit("work ~ hincome + children", d, cov_type=kind, **kw).cov_params().to_numpy()
        np.testing.assert_allclose(mn, bi, rtol=1e-8)


def test_binary_profile_intervals_are_reproduced_with_two_outcomes(df):
    d = df.assign(work=np.where(df["partic"] == "not.work", "no", "yes"))
    mn = ls.mnlogit("work ~ hincome + children", d).conf_int(method="profile").to_numpy()
    bi = ls.logit("work ~ hincome + children", d).conf_int(method="profile").to_numpy()
    np.testing.assert_allclose(mn, bi, rtol=1e-7)


def test_separated_parameters_get_infinite_ends():
    """Outcome c occurs only where z = 1: its z coefficient runs to +inf and its intercept to
    -inf (quasi-complete separation); those ends are infinite, the others finite."""
    rng = np.random.default_rng(1)
    n = 60
    z = rng.integers(0, 2, size=n)
    y = np.where(rng.uniform(size=n) < 0.5, "a", "b").astype(object)
    y[(z == 1) & (rng.uniform(size=n) < 0.4)] = "c"
    d = pd.DataFrame({"y": pd.Categorical(y), "x": rng.normal(size=n), "z": z})
    with pytest.warns(ls.SeparationWarning):
        res = ls.mnlogit("y ~ x + z", d)
    ci = res.conf_int(method="profile")
    assert ci.loc[("c", "z"), "upper"] == np.inf and ci.loc[("c", "Intercept"), "lower"] == -np.inf
    finite = ci.drop([("c", "z"), ("c", "Intercept")])
    assert np.all(np.isfinite(finite.to_numpy()))
    assert 0 < ci.loc[("c", "z"), "lower"] < np.inf   # c happens only with z = 1


def test_errors(df):
    with pytest.raises(ls.SpecificationError, match="needs groups="):
        ls.mnlogit(FORMULA, df, cov_type="cluster")
    with pytest.raises(ls.SpecificationError, match="use cov_type='cluster'"):
        ls.mnlogit(FORMULA, df, cov_type="HC0", groups="hincome")
    with pytest.raises(ls.SpecificationError, match="'HC0' or 'HC1'"):
        ls.mnlogit(FORMULA, df, cov_type="cluster", groups="hincome", cov_kwds={"type": "HC3"})
    with pytest.raises(ls.SpecificationError, match="'wald' or 'profile'"):
        ls.mnlogit(FORMULA, df).conf_int(method="exact")
    text = str(ls.mnlogit(FORMULA, df, cov_type="cluster", groups="hincome").summary())
    assert "cluster-robust (G/(G-1))" in text
