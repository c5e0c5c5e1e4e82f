"""The post-estimation methods on a fitted model: wiring, caching and errors (the numbers are
tested in test_inference, test_profile, test_margins, test_influence and against R)."""
from __future__ import annotations

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
    firth = ls.logit("y ~ x + z", df, method="firth")
    with pytest.raises(ls.SpecificationError, match="method='irls'"):
        firth.conf_int(method="profile")
    with pytest.raises(ls.SpecificationError, match="method='irls'"):
        firth.anova()
    with pytest.raises(ls.SpecificationError, match="maximum-likelihood"):
        ls.lr_test(ls.logit("y ~ x", df, method="firth"), firth)


def test_information_and_options_are_recorded(df):
    res = ls.probit("y ~ x + z", df, information="observed", cov_type="cluster",
                    groups=np.arange(len(df)) % 10, cov_kwds={"type": "HC1"})
    assert res.information == "observed"
    assert res.cov_estimator.kwds == {"type": "HC1", "cadjust": True}
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
