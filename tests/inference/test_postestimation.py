"""The post-estimation methods on a fitted model: wiring, caching and errors (the numbers are
tested in test_inference, test_profile, test_margins, test_influence and against R)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

import logitstat as ls


@pytest.fixture(scope="module")
def df():
    rng = np.random.default_rng(8)
    n = 120
    x, z = rng.normal(size=n), rng.normal(size=n)
    y = (rng.uniform(size=n) < special.expit(0.2 + 0.9 * x - 0.4 * z)).astype(int)
    return pd.DataFrame({"y": y, "x": x, "z": z})


def test_profile_intervals_are_cached_and_copied(df):
    res = ls.logit("y ~ x + z", df)
    first = res.conf_int(method="profile")
    first.iloc[0, 0] = 123.0
    again = res.conf_int(method="profile")
    assert again.iloc[0, 0] != 123.0
    assert list(again.columns) == ["lower", "upper"] and list(again.index) == list(res.params.index)


def test_odds_ratios_on_profile_intervals(df):
    res = ls.logit("y ~ x + z", df)
    orr = res.odds_ratios(alpha=0.1, method="profile")
    ci = res.conf_int(alpha=0.1, method="profile")
    np.testing.assert_allclose(orr[["lower", "upper"]], np.exp(ci), rtol=1e-14)
    np.testing.assert_allclose(orr["odds_ratio"], np.exp(res.params), rtol=1e-14)
    wald = res.odds_ratios()
    np.testing.assert_allclose(wald[["lower", "upper"]], np.exp(res.conf_int()), rtol=1e-14)
    with pytest.raises(ls.SpecificationError, match="logit"):
        ls.probit("y ~ x", df).odds_ratios(method="profile")


def test_residuals_are_labelled_series(df):
    res = ls.logit("y ~ x + z", df)
    for name in ("resid_response", "resid_pearson", "resid_deviance", "resid_working"):
        series = getattr(res, name)
        assert isinstance(series, pd.Series) and series.index.equals(df.index)
    assert res.get_influence() is res.get_influence()


def test_likelihood_methods_refuse_penalized_fits(df):
    """Maximum-likelihood methods refuse Firth fits; Firth logit fits have their own profile
    penalized-likelihood intervals and tests (tests/models/firth/test_firth_profile.py), other links none."""
    firth = ls.logit("y ~ x + z", df, method="firth")
    with pytest.raises(ls.SpecificationError, match="logit link"):
        ls.probit("y ~ x + z", df, method="firth").conf_int(method="profile")
    with pytest.raises(ls.SpecificationError, match="method='irls'"):
        firth.anova()
    with pytest.raises(ls.SpecificationError, match="maximum-likelihood"):
        ls.lr_test(ls.logit("y ~ x", df), firth)


def test_information_and_options_are_recorded(df):
    res = ls.probit("y ~ x + z", df, information="observed", cov_type="cluster",
                    groups=np.arange(len(df)) % 10, cov_kwds={"type": "HC1"})
    assert res.information == "observed"
    assert res.cov_estimator.kwds == {"type": "HC1", "cadjust": True, "multi0": False, "fix": False}
    assert res.cov_description == ("cluster-robust (G/(G-1) x (n-1)/(n-k)), 10 clusters; "
                                   "observed-information bread")
    with pytest.raises(ls.SpecificationError, match="does not take"):
        ls.probit("y ~ x", df, cov_kwds={"type": "HC1"})


def test_marginal_effects_frame_follows_the_fit(df):
    res = ls.probit("y ~ x + z", df)
    me = res.marginal_effects()
    assert list(me.index) == ["x", "z"]
    assert me.attrs["title"].startswith("Average marginal effects")
    assert res.marginal_effects(at="mean").attrs["title"].startswith("Marginal effects at the means")


# --------------------------------------------------------------------------- separation

from separated import CASES, LINKS, separated_fit  # noqa: E402


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("name", CASES)
def test_wald_tests_on_diverging_coefficients_do_not_exist(name, link):
    res, directions, undetermined = separated_fit(name, link)
    gone = (directions != 0) | undetermined
    names = list(res.names)
    j = int(np.flatnonzero(gone)[0])
    with pytest.warns(ls.SeparationWarning, match="No Wald test") as rec:
        t = res.wald_test(f"{names[j]} = 0")
    assert rec[0].filename == __file__
    assert np.isnan(t.statistic) and np.isnan(t.pvalue) and t.df == 1
    assert "not available" in str(t) and names[j] in t.note
    # a restriction with any weight on such a coefficient: no test either
    R = np.zeros((1, len(names)))
    R[0, j], R[0, -1] = 1e-9, 1.0
    with pytest.warns(ls.SeparationWarning):
        assert np.isnan(res.wald_test(R).pvalue)
    with pytest.warns(ls.SeparationWarning, match="No Wald test of term") as rec:
        terms = res.wald_test_terms()
    assert rec[0].filename == __file__
    for term, sl in res.design.terms.items():
        row = terms.loc[term]
        assert row["df"] == sl.stop - sl.start
        if gone[sl].any():
            assert np.isnan(row["statistic"]) and np.isnan(row["pvalue"]) and term in terms.attrs["note"]
        elif sl.stop - sl.start == 1 and np.isfinite(res.bse.iloc[sl.start]):
            # one column: the Wald chi-square is the squared z statistic
            assert row["statistic"] == pytest.approx(res.tvalues.iloc[sl.start] ** 2, rel=1e-10)
        else:
            assert not np.isfinite(res.bse.iloc[sl]).all() or np.isfinite(row["statistic"])


@pytest.mark.parametrize("link", LINKS)
def test_wald_tests_of_finite_coefficients_are_kept(link):
    """Quasi-complete separation by a level of g: the tests of x are those of the fit."""
    res, directions, _ = separated_fit("quasi_factor", link)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = res.wald_test("x = 0")
        both = res.wald_test("x = 0, g[T.b] = 0")
    assert t.statistic == pytest.approx(res.tvalues["x"] ** 2, rel=1e-10)
    assert t.pvalue == pytest.approx(res.pvalues["x"], rel=1e-8) and 0 < t.pvalue < 1
    assert np.isfinite(both.statistic) and both.df == 2


def test_overlapping_and_firth_fits_test_every_term():
    for res in (ls.logit("lfp ~ k5 + age + wc", ls.datasets.load("mroz")),
                separated_fit("endometrial", "logit", method="firth")[0]):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            terms = res.wald_test_terms()
        assert np.isfinite(terms.to_numpy(dtype=float)).all() and "note" not in terms.attrs
        np.testing.assert_allclose(terms["statistic"], res.tvalues ** 2, rtol=1e-10)
