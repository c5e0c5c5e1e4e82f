"""Profile penalized-likelihood intervals and penalized LR tests of Firth fits (logistf's).

Reference values: tests/reference/r/firth_profile.R (R 4.2.2; brglm2 0.9 only to cross-check
the estimates), which maximizes l* = l + log|X'WX|/2 under constraints by its own solver (BFGS
with the adjusted score as gradient, polished by Newton steps with a finite-difference Hessian
until |U*_free| < 1e-11) and finds the interval ends with uniroot (tol 1e-12).  At such a
maximum l* is within ~1e-20 of the constrained maximum, so R's interval ends are accurate to
about 1e-11 and its statistics to about 1e-12 relative; logitstat's constrained Newton fits
stop at a scaled adjusted score below 1e-20 and its Brent roots at 1e-13 relative.  The
comparisons use rtol 1e-8: several hundred times the ~1e-11 differences seen, and far tighter
than any grid-and-spline profile (logistf's own iterations stop at 1e-4 on the ends).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import logitstat as ls
from logitstat.errors import SpecificationError
from logitstat.fitting.firth import _Model
from logitstat.models.firth.profile import fixed_fit

HERE = Path(__file__).resolve().parents[2] / "reference" / "data"
REF = json.loads((HERE / "firth" / "profile.json").read_text())
DATA = pd.read_csv(HERE / "firth" / "profile_cases.csv")
SEP = DATA[DATA["set"] == "sep"][["x", "z", "y"]].reset_index(drop=True)
QUASI = DATA[DATA["set"] == "quasi"][["u", "g", "d", "y"]].reset_index(drop=True)
MTCARS = pd.read_csv(HERE / "inference_mtcars.csv")
RTOL = 1e-8

# (reference key, patsy formula with R's column order, data)
CASES = {
    "separated": ("y ~ x + z", SEP),
    "quasi": ("y ~ C(g) + u + d", QUASI),
    "quasi_90": ("y ~ C(g) + u + d", QUASI),
    "mtcars": ("am ~ wt + hp", MTCARS),
    "mtcars_cyl": ("am ~ C(cyl) + wt", MTCARS),
}


def fit(key):
    formula, data = CASES[key]
    return ls.logit(formula, data, method="firth")


@pytest.mark.parametrize("key", list(CASES))
def test_estimates_and_penalized_loglik_match_r(key):
    res, ref = fit(key), REF[key]
    np.testing.assert_allclose(res.params, ref["params"], rtol=RTOL, atol=1e-10)
    assert res.penalized_llf == pytest.approx(ref["penalized_loglik"], rel=1e-10)


@pytest.mark.parametrize("key", list(CASES))
def test_profile_intervals_match_r(key):
    res, ref = fit(key), REF[key]
    ci = res.conf_int(alpha=ref["alpha"], method="profile")
    np.testing.assert_allclose(ci["lower"], ref["profile_lower"], rtol=RTOL, atol=1e-10)
    np.testing.assert_allclose(ci["upper"], ref["profile_upper"], rtol=RTOL, atol=1e-10)
    assert np.all(ci["lower"] < res.params) and np.all(res.params < ci["upper"])


@pytest.mark.parametrize("key", list(CASES))
def test_penalized_lr_pvalues_match_r(key):
    res, ref = fit(key), REF[key]
    np.testing.assert_allclose(res.pvalues_lr.attrs["statistic"], ref["lr_stat"], rtol=RTOL,
                               atol=1e-12)
    np.testing.assert_allclose(res.pvalues_lr, ref["lr_pvalue"], rtol=RTOL, atol=1e-14)


@pytest.mark.parametrize("key", ["separated", "quasi", "mtcars", "mtcars_cyl"])
def test_term_tests_match_r(key):
    res, ref = fit(key), REF[key]
    table = res.penalized_lr_test()
    assert list(table.columns) == ["statistic", "df", "pvalue"]
    want = {t["term"]: t for t in ref["terms"]}
    names = {"C(g)": "g", "C(cyl)": "cyl"}
    assert len(table) == len(want)
    for term, row in table.iterrows():
        w = want[names.get(term, term)]
        assert row["df"] == w["df"]
        assert row["statistic"] == pytest.approx(w["stat"], rel=RTOL)
        assert row["pvalue"] == pytest.approx(w["pvalue"], rel=RTOL)


def test_nested_lr_test_of_two_firth_fits_matches_r():
    small = ls.logit("am ~ wt", MTCARS, method="firth")
    big = ls.logit("am ~ C(cyl) + wt", MTCARS, method="firth")
    ref = REF["nested_mtcars"]
    for args in ((small, big), (big, small)):        # either order, as the ML test
        t = ls.lr_test(*args)
        assert t.df == ref["df"]
        assert t.statistic == pytest.approx(ref["stat"], rel=RTOL)
        assert t.pvalue == pytest.approx(ref["pvalue"], rel=RTOL)
    assert "Penalized" in str(t)
    # not the difference of the two fits' own penalized log-likelihoods (different penalties)
    assert abs(2 * (big.penalized_llf - small.penalized_llf) - t.statistic) > 0.1


def test_nested_test_does_not_depend_on_the_coding_of_the_larger_model():
    """The penalty of another basis of the same column space differs by a constant, which
    cancels: the statistic must not change with the reference level of C(cyl)."""
    small = ls.logit("am ~ wt", MTCARS, method="firth")
    a = ls.lr_test(small, ls.logit("am ~ C(cyl) + wt", MTCARS, method="firth"))
    b = ls.lr_test(small, ls.logit("am ~ C(cyl, Treatment(8)) + wt", MTCARS, method="firth"))
    assert b.statistic == pytest.approx(a.statistic, rel=1e-9)
    # nor with the units of a column (1e200: fitted in other units, see logitstat.scaling)
    huge = MTCARS.assign(wt_c=MTCARS["wt"] * 1e200)
    c = ls.lr_test(ls.logit("am ~ wt_c", huge, method="firth"),
                   ls.logit("am ~ C(cyl) + wt_c", huge, method="firth"))
    assert c.statistic == pytest.approx(a.statistic, rel=1e-8)


def test_interval_ends_are_where_the_profile_drops_by_the_cutoff():
    """A check independent of R: at each end the constrained maximum of l* lies exactly
    chi2(0.95, 1)/2 below the maximum (the constrained fits converge to a scaled score of
    1e-20, so l* there is exact to ~1e-12)."""
    res = fit("separated")
    ci = res.conf_int(method="profile")
    d = res.design
    model = _Model(d.X, d.y, d.trials, d.weights, d.offset, "logit")
    crit = stats.chi2.ppf(0.95, 1)
    for j in range(3):
        for end in ci.iloc[j]:
            _, val, conv = fixed_fit(model, res.fit_result.params, [j], [end])
            assert conv
            assert 2 * (res.penalized_llf - val) == pytest.approx(crit, rel=1e-9)


def test_separated_coefficient_gets_a_finite_interval():
    """Complete separation on x: the ML profile interval is half-infinite, the penalized one
    is finite (the Jeffreys penalty falls to -inf as fitted probabilities reach 0 or 1)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.SeparationWarning)
        ml = ls.logit("y ~ x + z", SEP)
        ml_ci = ml.conf_int(method="profile", which="x")
    assert np.isinf(ml_ci.loc["x", "upper"])
    ci = fit("separated").conf_int(method="profile", which="x")
    assert np.isfinite(ci.loc["x", "upper"])


def test_which_and_odds_ratios():
    res = fit("mtcars_cyl")
    full = res.conf_int(method="profile")
    part = res.conf_int(method="profile", which=["wt", 1])
    assert list(part.index) == ["wt", "C(cyl)[T.6]"]
    pd.testing.assert_frame_equal(part, full.loc[["wt", "C(cyl)[T.6]"]])
    fresh = fit("mtcars_cyl").conf_int(method="profile", which="wt")   # not from the cache
    np.testing.assert_allclose(fresh.to_numpy(), full.loc[["wt"]].to_numpy(), rtol=1e-10)
    ors = res.odds_ratios(method="profile")
    np.testing.assert_allclose(ors["lower"], np.exp(full["lower"]), rtol=1e-12)
    np.testing.assert_allclose(ors["upper"], np.exp(full["upper"]), rtol=1e-12)
    # profile penalized intervals come with penalized LR p-values (logistf), Wald with Wald
    np.testing.assert_allclose(ors["pvalue"], res.pvalues_lr, rtol=1e-12)
    np.testing.assert_allclose(res.odds_ratios()["pvalue"], res.pvalues, rtol=1e-12)
    # Wald intervals of Firth fits are unchanged
    np.testing.assert_allclose(res.conf_int()["lower"],
                               res.params - stats.norm.ppf(0.975) * res.bse, rtol=1e-12)


@pytest.mark.parametrize("c", [250.0, 1e120])
def test_rescaled_column_rescales_its_interval(c):
    """l*(beta) with x -> c x is l*(beta with beta_x -> beta_x / c) plus the constant
    log|c| (from log|F|): the interval of x scales by 1/c, the others and the tests stay
    (1e120: a column logitstat.scaling fits in other units)."""
    res = fit("mtcars")
    scaled = ls.logit("am ~ wt_c + hp", MTCARS.assign(wt_c=MTCARS["wt"] * c), method="firth")
    a, b = res.conf_int(method="profile"), scaled.conf_int(method="profile")
    np.testing.assert_allclose(b.loc["wt_c"], a.loc["wt"] / c, rtol=1e-8)
    np.testing.assert_allclose(b.loc[["Intercept", "hp"]], a.loc[["Intercept", "hp"]], rtol=1e-8)
    np.testing.assert_allclose(scaled.pvalues_lr, res.pvalues_lr, rtol=1e-8)
    np.testing.assert_allclose(scaled.penalized_lr_test(), res.penalized_lr_test(), rtol=1e-8)
    assert scaled.penalized_llf - res.penalized_llf == pytest.approx(np.log(c), rel=1e-9)


def test_frequency_weights_equal_replicated_rows():
    """Weights w_i are the same likelihood and information as w_i copies of row i."""
    w = np.tile([1, 2, 3], len(SEP))[:len(SEP)]
    weighted = ls.logit("y ~ x + z", SEP.assign(w=w), weights="w", method="firth")
    long = ls.logit("y ~ x + z", SEP.loc[SEP.index.repeat(w)], method="firth")
    np.testing.assert_allclose(weighted.conf_int(method="profile"),
                               long.conf_int(method="profile"), rtol=1e-8)
    np.testing.assert_allclose(weighted.pvalues_lr, long.pvalues_lr, rtol=1e-8)


def test_refusals():
    probit = ls.probit("am ~ wt + hp", MTCARS, method="firth")
    with pytest.raises(SpecificationError, match="logit link"):
        probit.conf_int(method="profile")
    with pytest.raises(SpecificationError, match="logit link"):
        probit.pvalues_lr
    ml = ls.logit("am ~ wt + hp", MTCARS)
    with pytest.raises(SpecificationError, match="method='irls'"):
        ml.pvalues_lr
    with pytest.raises(SpecificationError, match="method='irls'"):
        ml.penalized_lr_test()
    res = fit("mtcars")
    with pytest.raises(SpecificationError, match="'cyl'"):
        res.penalized_lr_test("cyl")
    with pytest.raises(SpecificationError, match="maximum-likelihood"):
        ls.lr_test(ml, ls.logit("am ~ wt + hp + cyl", MTCARS, method="firth"))
    with pytest.raises(SpecificationError, match="not nested"):
        ls.lr_test(ls.logit("am ~ cyl", MTCARS, method="firth"), res)
    with pytest.raises(SpecificationError, match="alpha"):
        res.conf_int(alpha=1.5, method="profile")
    assert res.penalized_lr_test("wt").index.tolist() == ["wt"]


# strongly separated, wide-ranging covariates: l* with beta_j fixed has several local maxima
# along the profile of the intercept (upper end) and of x1 (lower end)
BRANCHED = pd.DataFrame({
    "x1": [-13.2, 7.8, -3.8, -5.8, -0.5, -11.2, -9.0, 2.1, 14.9, 10.2, 0.0, 4.4, -1.2, 0.9,
           -10.4, -1.1, 12.1, 11.4, -1.1, 8.2, -2.5, 5.5, -13.5, 11.2, 2.0],
    "x2": [-5.7, -15.2, -23.6, 3.9, 0.4, 5.7, 9.1, -3.8, -3.9, 1.1, 10.0, -0.1, 2.1, -3.3,
           -25.9, -2.4, 4.5, 17.4, -8.4, -5.9, 14.4, 11.0, 0.4, -12.8, 4.1],
    "y": [1, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0]})


def test_ends_are_global_maxima_where_the_profile_has_several_branches():
    """Brute force, independent of logitstat's l* and solver: l* written out with numpy and
    maximized by BFGS from 20 random starts at each end; the best must fall exactly by the
    cut-off there (none higher: the path did not stay on a lower branch).  BFGS's gradient
    tolerance (1e-5) leaves l* within ~1e-9, hence rel 1e-6."""
    from scipy import optimize
    res = ls.logit("y ~ x1 + x2", BRANCHED, method="firth")
    ci = res.conf_int(method="profile")
    X, y = res.design.X, res.design.y
    crit = stats.chi2.ppf(0.95, 1)
    rng = np.random.default_rng(0)

    def pll(b):
        eta = X @ b
        w = np.exp(-np.logaddexp(0, eta) - np.logaddexp(0, -eta))      # p (1 - p)
        ll = np.sum(-y * np.logaddexp(0, -eta) - (1 - y) * np.logaddexp(0, eta))
        return ll + 0.5 * np.linalg.slogdet(X.T @ (w[:, None] * X))[1]

    top = pll(res.params.to_numpy())
    for j in range(3):
        free = [i for i in range(3) if i != j]
        for end in ci.iloc[j]:
            def neg(bf, end=end, j=j, free=free):
                b = np.empty(3)
                b[free], b[j] = bf, end
                return -pll(b)
            best = min(optimize.minimize(neg, res.params.to_numpy()[free] + rng.normal(size=2),
                                         method="BFGS").fun for _ in range(20))
            assert 2 * (top + best) == pytest.approx(crit, rel=1e-6)
