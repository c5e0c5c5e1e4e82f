"""The patsy boundary: responses, missing values, weights and offsets, and clear errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logitstat as ls


@pytest.fixture
def df():
    rng = np.random.default_rng(7)
    n = 200
    x = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.5 * x + (g == "b"))))).astype(int)
    return pd.DataFrame({"y": y, "x": x, "g": g, "z": rng.normal(size=n)})


def test_response_kinds_give_the_same_fit(df):
    base = ls.logit("y ~ x + g", df)
    as_bool = ls.logit("yb ~ x + g", df.assign(yb=df.y.astype(bool)))
    as_str = ls.logit("ys ~ x + g", df.assign(ys=np.where(df.y == 1, "yes", "no")))
    as_cat = ls.logit("yc ~ x + g", df.assign(yc=pd.Categorical(np.where(df.y == 1, "event", "none"),
                                                                 categories=["none", "event"])))
    for other in (as_bool, as_str, as_cat):
        np.testing.assert_allclose(other.params, base.params, rtol=1e-12)
    assert as_str.design.event == "ys = yes"
    assert as_cat.design.event == "yc = event"
    assert as_bool.design.event == "yb = True"


def test_success_picks_the_event_and_flips_signs(df):
    d = df.assign(ys=np.where(df.y == 1, "yes", "no"))
    yes = ls.logit("ys ~ x + g", d)
    no = ls.logit("ys ~ x + g", d, success="no")
    np.testing.assert_allclose(no.params, -yes.params, rtol=1e-10)
    np.testing.assert_allclose(no.bse, yes.bse, rtol=1e-10)
    assert no.design.event == "ys = no"
    coded = ls.logit("y2 ~ x + g", df.assign(y2=df.y + 1), success=2)
    np.testing.assert_allclose(coded.params, yes.params, rtol=1e-12)


def test_grouped_response_equals_expanded_rows(df):
    d = df.assign(xr=np.round(df.x), one=1)
    agg = d.groupby(["xr", "g"], as_index=False).agg(s=("y", "sum"), n=("one", "sum"))
    agg["f"] = agg.n - agg.s
    grouped = ls.logit("s + f ~ xr + g", agg)
    rows = ls.logit("y ~ xr + g", d)
    np.testing.assert_allclose(grouped.params, rows.params, rtol=1e-10)
    np.testing.assert_allclose(grouped.bse, rows.bse, rtol=1e-10)
    assert grouped.design.grouped and grouped.nobs == len(agg)


def test_missing_values_are_dropped_listwise_and_counted(df):
    d = df.copy()
    d.loc[[3, 5], "x"] = np.nan
    d.loc[[7], "g"] = None
    d["w"] = 1.0
    d.loc[[9], "w"] = np.nan
    before = d.copy()
    res = ls.logit("y ~ x + g", d, weights="w")
    assert res.design.n_dropped == 4 and res.nobs == len(d) - 4
    full = ls.logit("y ~ x + g", d.drop(index=[3, 5, 7, 9]))
    np.testing.assert_allclose(res.params, full.params, rtol=1e-12)
    pd.testing.assert_frame_equal(d, before)  # the caller's frame is untouched
    with pytest.raises(ls.MissingDataError, match=r"'x' \(2 rows\)"):
        ls.logit("y ~ x + g", d, missing="raise")


def test_offset_column_enters_the_linear_predictor(df):
    d = df.assign(off=0.3 * df.z)
    res = ls.logit("y ~ x + g + z", d)
    with_off = ls.logit("y ~ x + g + z", d, offset="off")
    np.testing.assert_allclose(with_off.params["z"], res.params["z"] - 0.3, rtol=1e-9)
    np.testing.assert_allclose(with_off.predict(d), res.predict(d), rtol=1e-9)


def test_formula_is_evaluated_in_the_callers_namespace(df):
    shift = 10.0

    def scale(v):
        return v * 2

    res = ls.logit("y ~ np.log(x + shift) + scale(z)", df)
    assert list(res.params.index) == ["Intercept", "np.log(x + shift)", "scale(z)"]


def test_array_interface_matches_formula(df):
    res = ls.logit("y ~ x + z", df)
    X = np.column_stack([np.ones(len(df)), df.x, df.z])
    arr = ls.logit(df.y.to_numpy(), X, names=["Intercept", "x", "z"])
    np.testing.assert_allclose(arr.params.to_numpy(), res.params.to_numpy(), rtol=1e-12)
    frame = ls.logit(df.y, pd.DataFrame({"const": 1.0, "x": df.x, "z": df.z}))
    assert list(frame.params.index) == ["const", "x", "z"]
