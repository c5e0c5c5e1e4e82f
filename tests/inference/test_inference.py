"""Hypothesis tests: term Wald tests, the sequential analysis of deviance and the likelihood-ratio
test, against closed forms and independent refits (R agreement: test_reference_inference.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import logitstat as ls
from logitstat.inference.hypothesis import TestResult, spans, term_wald_tests


def make_data(n=150, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    z = rng.normal(size=n)
    g = pd.Categorical(rng.choice(["lo", "mid", "hi"], size=n), categories=["lo", "mid", "hi"])
    eta = 0.2 + 0.7 * x - 0.4 * z + 0.5 * (g == "hi") + 0.4 * x * (g == "mid")
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
    w = rng.integers(1, 3, size=n)
    return pd.DataFrame({"y": y, "x": x, "z": z, "g": g, "w": w})


@pytest.fixture(scope="module")
def df():
    return make_data()


@pytest.fixture(scope="module")
def res(df):
    return ls.logit("y ~ x * g + z", df)


def test_term_tests_are_joint_wald_tests(res):
    table = res.wald_test_terms()
    assert list(table.index) == ["Intercept", "g", "x", "x:g", "z"]
    assert list(table.columns) == ["statistic", "df", "pvalue"]
    np.testing.assert_array_equal(table["df"], [1, 2, 1, 2, 1])
    # a one-column term: the square of its z statistic
    assert table.loc["z", "statistic"] == pytest.approx(res.tvalues["z"] ** 2, rel=1e-12)
    # a categorical's columns together, as the equivalent string hypothesis
    joint = res.wald_test("g[T.mid] = 0, g[T.hi] = 0")
    assert table.loc["g", "statistic"] == pytest.approx(joint.statistic, rel=1e-12)
    assert table.loc["x:g", "pvalue"] == pytest.approx(
        stats.chi2.sf(table.loc["x:g", "statistic"], 2), rel=1e-12)


def test_term_tests_follow_the_covariance_type(df):
    nonrobust = ls.logit("y ~ x * g + z", df).wald_test_terms()
    robust_res = ls.logit("y ~ x * g + z", df, cov_type="HC1")
    robust = robust_res.wald_test_terms()
    assert robust.loc["z", "statistic"] == pytest.approx(robust_res.tvalues["z"] ** 2, rel=1e-12)
    assert robust.loc["z", "statistic"] != pytest.approx(nonrobust.loc["z", "statistic"], rel=1e-3)


def test_term_tests_of_the_array_interface_are_per_column(df):
    X = np.column_stack([np.ones(len(df)), df["x"], df["z"]])
    res = ls.logit(df["y"].to_numpy(), X, names=["const", "x", "z"])
    table = term_wald_tests(res.fit_result.params, res.cov_params().to_numpy(), res.design.terms)
    np.testing.assert_allclose(table["statistic"], res.tvalues ** 2, rtol=1e-12)


def test_anova_rows_are_nested_refits(df, res):
    table = res.anova()
    assert list(table.index) == ["NULL", "g", "x", "x:g", "z"]
    sequence = ["y ~ 1", "y ~ g", "y ~ g + x", "y ~ g + x + x:g", "y ~ x * g + z"]
    devs = [ls.logit(f, df).deviance for f in sequence]
    np.testing.assert_allclose(table["resid_deviance"], devs, rtol=1e-10)
    np.testing.assert_allclose(table["deviance"].iloc[1:], -np.diff(devs), rtol=1e-8)
    assert table["deviance"].iloc[1:].sum() == pytest.approx(res.null_deviance - res.deviance, rel=1e-10)
    np.testing.assert_allclose(table["df_resid"], [149, 147, 146, 144, 143])
    np.testing.assert_allclose(table["pvalue"].iloc[1:],
                               stats.chi2.sf(table["deviance"].iloc[1:].to_numpy(float),
                                             table["df"].iloc[1:].to_numpy(int)), rtol=1e-12)


def test_anova_without_intercept_starts_from_the_offset(df):
    res = ls.logit("y ~ x + z - 1", df)
    table = res.anova()
    # eta = 0: mu = 1/2 for every row, D = 2 n log 2 for 0/1 data
    assert table.loc["NULL", "resid_deviance"] == pytest.approx(2 * len(df) * np.log(2), rel=1e-12)
    assert table.loc["NULL", "df_resid"] == len(df)
    assert table["resid_deviance"].iloc[-1] == pytest.approx(res.deviance, rel=1e-12)


def test_anova_with_weights_is_anova_of_duplicated_rows(df):
    a = ls.probit("y ~ x + g", df, weights="w").anova()
    b = ls.probit("y ~ x + g", df.loc[df.index.repeat(df["w"])]).anova()
    np.testing.assert_allclose(a["resid_deviance"], b["resid_deviance"], rtol=1e-9)
    np.testing.assert_allclose(a["df_resid"], b["df_resid"])


# --------------------------------------------------------------------------- lr_test


def test_lr_test_is_twice_the_loglik_difference(df, res):
    small = ls.logit("y ~ x + z", df)
    t = ls.lr_test(small, res)
    assert isinstance(t, TestResult)
    assert t.statistic == pytest.approx(small.deviance - res.deviance, rel=1e-10)
    assert t.df == 4
    assert t.pvalue == pytest.approx(stats.chi2.sf(t.statistic, 4), rel=1e-12)
    assert "Likelihood-ratio" in str(t) and "chi2(4)" in str(t)
    swapped = ls.lr_test(res, small)
    assert swapped.statistic == t.statistic


def test_lr_test_accepts_reparametrised_nesting(df):
    """Nesting is about column spaces, not names: y ~ I(x + z) is nested in y ~ x + z."""
    small = ls.logit("y ~ I(x + z)", df)
    big = ls.logit("y ~ x + z", df)
    assert ls.lr_test(small, big).df == 1


def test_lr_test_refuses_non_nested_models(df):
    with pytest.raises(ls.SpecificationError, match="not nested.*'z'"):
        ls.lr_test(ls.logit("y ~ z", df), ls.logit("y ~ x + g", df))


def test_lr_test_refuses_different_rows(df):
    holes = df.copy()
    holes.loc[:9, "z"] = np.nan
    with pytest.raises(ls.SpecificationError, match=r"different rows \((150 vs 140|140 vs 150)"):
        ls.lr_test(ls.logit("y ~ x", holes), ls.logit("y ~ x + z", holes))


def test_lr_test_refuses_other_mismatches(df, res):
    with pytest.raises(ls.SpecificationError, match="same number of coefficients"):
        ls.lr_test(ls.logit("y ~ x + z", df), ls.logit("y ~ x + I(z**2)", df))
    with pytest.raises(ls.SpecificationError, match="different links"):
        ls.lr_test(ls.probit("y ~ x", df), res)
    with pytest.raises(ls.SpecificationError, match="different weights"):
        ls.lr_test(ls.logit("y ~ x", df, weights="w"), res)
    with pytest.raises(ls.SpecificationError, match="different response"):
        other = df.assign(y=1 - df["y"])
        ls.lr_test(ls.logit("y ~ x", other), res)
    with pytest.raises(ls.SpecificationError, match="must be a fitted model"):
        ls.lr_test(-12.3, res)


def test_spans():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(50, 3))
    inside = A @ rng.normal(size=(3, 2))
    outside = rng.normal(size=(50, 1))
    assert spans(A, inside).all()
    assert not spans(A, outside).any()


def test_spans_whatever_the_units():
    """Column space membership does not depend on column scales (|x| up to 1e300 or down to
    1e-300 would overflow or underflow a naive norm)."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(50, 3)) * np.array([1e300, 1.0, 1e-300])
    inside = A @ (rng.normal(size=(3, 2)) * np.array([[1e-300], [1.0], [1e300]]))
    assert spans(A, inside).all()
    assert not spans(A, rng.normal(size=(50, 1)) * 1e-300).any()


def test_wald_statistic_does_not_depend_on_the_scale_of_each_restriction(res):
    """W is invariant to multiplying a restriction (row of R and its q) by a constant; rows of
    size 1e-200 and 1e200 (whose R V R' entries would underflow/overflow a naive solve's
    conditioning) give the statistic of the unit rows, to rounding (1e-12)."""
    p = len(res.params)
    R = np.eye(p)[1:3]
    q = np.array([0.1, -0.2])
    want = ls.inference.wald_test(res.params.to_numpy(), res.cov_params().to_numpy(), R, q).statistic
    scale = np.array([1e-150, 1e150])
    got = ls.inference.wald_test(res.params.to_numpy(), res.cov_params().to_numpy(), R * scale[:, None],
                                 q * scale).statistic
    assert got == pytest.approx(want, rel=1e-12)
    # closed form for one restriction: ((b_j - q) / se_j)^2
    one = res.wald_test((np.eye(p)[1:2], [0.1]))
    assert one.statistic == pytest.approx(((res.params.iloc[1] - 0.1) / res.bse.iloc[1]) ** 2, rel=1e-12)


def test_dependent_restrictions_are_refused(res):
    name = res.params.index[1]
    with pytest.raises(ls.SpecificationError, match="linearly dependent"):
        res.wald_test(f"{name} = 0, 2*{name} = 0")
