"""Results do not depend on the units of the columns (logitstat.scaling).

Invariance: multiplying column x by c multiplies its coefficient and standard error by 1/c
and leaves every z, p-value, test statistic, deviance, prediction, separation verdict, VIF and
BKW condition number unchanged.  The reference is the same model on the unscaled column.
Tolerance: the fits converge to 1e-8 standard errors (relative 1e-8 on coefficients and
SEs); observed differences are ~1e-15, because multiplying by c and the power-of-two scaling
inside are both (nearly) exact.  Marginal effects of the rescaled variable itself use a
central difference of the design whose rounding error is ~eps/REL_STEP = 1e-11, hence 1e-9.
pytest turns every RuntimeWarning into an error, so "no warning leaks" is checked too.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.models.binary.scaling import SAFE_NORM, column_scales

RTOL = 1e-8


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    n = 300
    d = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n),
                      "g": rng.choice(["a", "b", "c"], n)})
    eta = 0.3 + 0.5 * d.x - 0.4 * d.z + np.where(d.g == "b", 0.5, 0.0)
    d["y"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
    return d


def _rel(a, b):
    return np.max(np.abs(np.asarray(a, float) / np.asarray(b, float) - 1.0))


@pytest.mark.parametrize("link", ["logit", "probit"])
@pytest.mark.parametrize("c", [1e150, 1e-150, 1e154, 1e-155, 1e250, 1e-250])
def test_rescaling_a_column_rescales_its_coefficient_and_nothing_else(data, link, c):
    f = "y ~ x + z + g"
    r0 = ls.glm(f, data, link=link)
    d2 = data.assign(x=data.x * c)
    r = ls.glm(f, d2, link=link)
    unit = np.where(r.params.index == "x", c, 1.0)
    assert _rel(r.params * unit, r0.params) < RTOL
    assert _rel(r.bse * unit, r0.bse) < RTOL
    np.testing.assert_allclose(r.tvalues, r0.tvalues, rtol=RTOL)
    np.testing.assert_allclose(r.pvalues, r0.pvalues, rtol=RTOL, atol=1e-300)
    np.testing.assert_allclose(r.conf_int().to_numpy() * unit[:, None], r0.conf_int().to_numpy(), rtol=RTOL)
    assert r.deviance == pytest.approx(r0.deviance, rel=1e-12)
    assert r.llf == pytest.approx(r0.llf, rel=1e-12)
    for h in ("x = 0", "x = 0, z = 0", ["z = 0", "g[T.b] = g[T.c]"]):
        assert r.wald_test(h).statistic == pytest.approx(r0.wald_test(h).statistic, rel=RTOL)
    np.testing.assert_allclose(r.wald_test_terms()["statistic"], r0.wald_test_terms()["statistic"], rtol=RTOL)
    p0, p = r0.get_prediction(data).summary_frame(), r.get_prediction(d2).summary_frame()
    np.testing.assert_allclose(p.to_numpy(), p0.to_numpy(), rtol=RTOL)
    m0, m = r0.marginal_effects(), r.marginal_effects()
    np.testing.assert_allclose(m.loc["x", ["effect", "se"]] * c, m0.loc["x", ["effect", "se"]], rtol=1e-9)
    np.testing.assert_allclose(m.drop(index="x")[["effect", "se"]], m0.drop(index="x")[["effect", "se"]],
                               rtol=RTOL)
    np.testing.assert_allclose(r.vif()["gvif"], r0.vif()["gvif"], rtol=RTOL)
    np.testing.assert_allclose(r.vif("design")["gvif"], r0.vif("design")["gvif"], rtol=RTOL)
    assert r.condition_number == pytest.approx(r0.condition_number, rel=1e-12)
    np.testing.assert_allclose(r.collinearity().to_numpy(), r0.collinearity().to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(r.get_influence().hat_matrix_diag, r0.get_influence().hat_matrix_diag,
                               rtol=RTOL)
    assert r.separation.kind == "none"
    text = str(r.summary())
    assert "inf" not in text.split("==")[2] and "nan" not in text


def test_robust_and_profile_intervals_are_invariant(data):
    """HC1 standard errors and profile-likelihood intervals, in data units, for c = 1e-155 (where
    the variance of the coefficient, ~1e308, is not representable)."""
    c = 1e-155
    d2 = data.assign(x=data.x * c)
    r0, r = ls.logit("y ~ x + z", data, cov_type="HC1"), ls.logit("y ~ x + z", d2, cov_type="HC1")
    unit = np.array([1.0, c, 1.0])
    assert _rel(r.bse * unit, r0.bse) < RTOL
    assert np.isinf(r.cov_params().loc["x", "x"])  # honest: 1e308 has no double
    prof0 = r0.conf_int(method="profile").to_numpy()
    prof = r.conf_int(method="profile").to_numpy() * unit[:, None]
    np.testing.assert_allclose(prof, prof0, rtol=1e-6)  # profile roots are found to ~1e-7


def test_scaled_fits_with_start_firth_and_dropped_columns(data):
    c = 1e-200
    d2 = data.assign(x=data.x * c, x2=data.x * 2 * c)
    ref = ls.logit("y ~ x + z", data)
    start = ls.logit("y ~ x + z", d2, start_params=[0.0, 1e199, 0.0])
    assert start.params["x"] * c == pytest.approx(ref.params["x"], rel=RTOL)
    firth0 = ls.logit("y ~ x + z", data, method="firth")
    firth = ls.logit("y ~ x + z", d2, method="firth")
    assert firth.params["x"] * c == pytest.approx(firth0.params["x"], rel=RTOL)
    dropped = ls.logit("y ~ x + z + x2", d2, drop_collinear=True)
    assert list(dropped.params.index) == ["Intercept", "x", "z"]
    assert dropped.params["x"] * c == pytest.approx(ref.params["x"], rel=RTOL)
    with pytest.raises(ls.CollinearityError, match="x2 = 2·x"):
        ls.logit("y ~ x + z + x2", d2)


def test_separation_is_found_whatever_the_units(data):
    """x > 0 exactly when y = 1: complete separation in any units."""
    x = np.where(data.y == 1, 1.0, -1.0) * (0.1 + np.abs(data.x))
    for c in (1.0, 1e200, 1e-200):
        with pytest.warns(ls.SeparationWarning, match="x"):
            r = ls.logit("y ~ x + z", data.assign(x=x * c))
        assert r.separation.kind == "complete"
        assert r.separation.directions["x"] == 1


def test_scales_are_powers_of_two_only_for_offending_columns():
    X = np.column_stack([np.ones(4), [1.0, -3.0, 2.0, 0.5], [3e-120, -1e-120, 0, 2e-121], np.zeros(4)])
    s = column_scales(X, np.einsum("ij,ij->j", X, X))
    assert s[0] == s[1] == s[3] == 1.0
    assert np.log2(s[2]) == np.round(np.log2(s[2]))
    assert 0.5 <= np.abs(X[:, 2] / s[2]).max() < 1.0
    ok = np.column_stack([np.ones(4), [SAFE_NORM[1] / 4] * 4])
    assert column_scales(ok, np.einsum("ij,ij->j", ok, ok)) is None


@pytest.mark.parametrize("c", [1e154, 1e-155, 1e250, 1e-250])
def test_multinomial_fit_is_invariant_to_units(data, c):
    d = data.assign(k=np.where(data.y == 1, data.g, "z"))
    f = "k ~ x + z"
    r0, r = ls.mnlogit(f, d), ls.mnlogit(f, d.assign(x=d.x * c))
    unit = np.where(r.params.index == "x", c, 1.0)[:, None]
    assert _rel(r.params * unit, r0.params) < RTOL
    assert _rel(r.bse * unit, r0.bse) < RTOL
    np.testing.assert_allclose(r.pvalues, r0.pvalues, rtol=RTOL)
    assert r.llf == pytest.approx(r0.llf, rel=1e-12)
    h = "b:x = c:x, z:z = 0"
    assert r.wald_test(h).statistic == pytest.approx(r0.wald_test(h).statistic, rel=RTOL)
    np.testing.assert_allclose(r.wald_test_terms()["statistic"], r0.wald_test_terms()["statistic"], rtol=RTOL)
    m0, m = r0.marginal_effects(), r.marginal_effects()
    xs = m.index.get_level_values("variable") == "x"
    np.testing.assert_allclose(m.loc[xs, ["effect", "se"]] * c, m0.loc[xs, ["effect", "se"]], rtol=1e-9)
    np.testing.assert_allclose(m.loc[~xs, ["effect", "se"]], m0.loc[~xs, ["effect", "se"]], rtol=RTOL)
    np.testing.assert_allclose(r.predict(d.assign(x=d.x * c)), r0.predict(d), rtol=1e-12)
    assert r.separation.kind == "none"
    str(r.summary())


@pytest.mark.parametrize("c", [1e154, 1e-155, 1e250, 1e-250])
def test_standardized_penalized_fit_is_invariant_to_units(data, c):
    """glmnet's standardization makes the penalized estimate equivariant to column scales: the
    standard deviation of a column is computed without squaring its raw values."""
    ref = ls.logit("y ~ x + z", data, penalty="elasticnet", alpha=0.02, l1_ratio=0.5)
    got = ls.logit("y ~ x + z", data.assign(x=data.x * c), penalty="elasticnet", alpha=0.02, l1_ratio=0.5)
    unit = np.where(got.params.index == "x", c, 1.0)
    np.testing.assert_allclose(got.params * unit, ref.params, rtol=1e-8)


@pytest.mark.parametrize("c", [1e154, 1e-155, 1e250, 1e-250])
def test_lr_test_of_scaled_models(data, c):
    d2 = data.assign(x=data.x * c, z=data.z * c)
    want = ls.lr_test(ls.logit("y ~ z", data), ls.logit("y ~ x + z", data))
    got = ls.lr_test(ls.logit("y ~ z", d2), ls.logit("y ~ x + z", d2))
    assert got.df == want.df == 1
    assert got.statistic == pytest.approx(want.statistic, rel=1e-10)


def test_class_weighted_fit_refuses_extreme_units_clearly(data):
    with pytest.raises(ls.DataError, match=r"column\(s\) 'x' have a norm outside 1e-100..1e100"):
        ls.logit("y ~ x + z", data.assign(x=data.x * 1e154), class_weight="balanced")
