"""Preparing the caller's data for patsy: keyword column names, and clear errors for columns that
patsy would misread or fail on with a raw numpy/pandas exception."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat import frameprep


@pytest.fixture
def df():
    rng = np.random.default_rng(11)
    n = 150
    x = rng.normal(size=n)
    g = rng.choice(["lo", "hi"], size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.8 * x + 0.5 * (g == "hi"))))).astype(int)
    return pd.DataFrame({"y": y, "x": x, "g": g, "z": rng.normal(size=n)})


def test_keyword_column_names_work_as_in_r(df):
    """MASS::biopsy's response is called "class", a Python keyword: patsy failed with a bare
    SyntaxError.  The fit equals the fit of the same column under another name."""
    kw = df.rename(columns={"y": "class", "g": "def"})
    before = kw.copy()
    res = ls.logit("class ~ x + def", kw)
    ref = ls.logit("y ~ x + g", df)
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-12)
    assert list(res.params.index) == ["Intercept", 'Q("def")[T.lo]', "x"]
    np.testing.assert_allclose(res.predict(kw.iloc[:5]), ref.predict(df.iloc[:5]), rtol=1e-12)
    pd.testing.assert_frame_equal(kw, before)


def test_quote_keyword_columns_leaves_expressions_alone():
    cols = ["class", "if", "x"]
    q = frameprep.quote_keyword_columns
    assert q("class ~ x + I(x if x > 0 else 0)", cols) == 'Q("class") ~ x + I(x if x > 0 else 0)'
    assert q('y ~ Q("class") + np.log(x)', cols) == 'y ~ Q("class") + np.log(x)'
    assert q("y ~ a.class + x", cols) == "y ~ a.class + x"   # an attribute, not the column
    assert q("y ~ x", ["x"]) == "y ~ x"


@pytest.mark.parametrize("column, match", [
    (pd.date_range("2020-01-01", periods=150), r"'t' has dtype datetime64.*\.dt\.days"),
    (pd.date_range("2020-01-01", periods=150, tz="UTC"), r"'t' has dtype datetime64.*UTC"),
    (pd.to_timedelta(np.arange(150), unit="D"), r"'t' has dtype timedelta64.*total_seconds"),
    (pd.period_range("2020-01", periods=150, freq="M"), r"'t' has dtype period"),
    (np.arange(150) * 1j, r"'t' has dtype complex128.*real"),
    (pd.Series([None] * 150, dtype=object), r"'t' has no value at all"),
])
def test_columns_a_model_cannot_use_are_named(df, column, match):
    """Dates used to become a categorical with one level per day ("201 coefficients but only
    200 rows"); durations, periods, complex numbers and an all-None column reached the user as
    numpy errors ("negative dimensions are not allowed")."""
    with pytest.raises(ls.DataError, match=match):
        ls.logit("y ~ x + t", df.assign(t=column))


def test_duplicated_column_names_are_named(df):
    """pandas returns a DataFrame for a duplicated name: an AttributeError used to escape."""
    dup = pd.concat([df, df[["x"]]], axis=1)
    with pytest.raises(ls.DataError, match="several columns named 'x'"):
        ls.logit("y ~ x", dup)
    np.testing.assert_allclose(ls.logit("y ~ z", dup).params, ls.logit("y ~ z", df).params)


def test_column_names_needing_q_get_a_hint(df):
    spaced = df.rename(columns={"x": "my col"})
    with pytest.raises(ls.FormulaError, match=r"must be quoted, e\.g\. Q\('my col'\)"):
        ls.logit("y ~ my col + g", spaced)
    res = ls.logit('y ~ Q("my col") + g', spaced)
    np.testing.assert_allclose(res.params.to_numpy(), ls.logit("y ~ x + g", df).params.to_numpy())


def test_empty_data_is_named(df):
    with pytest.raises(ls.DataError, match="no rows"):
        ls.logit("y ~ x", df.iloc[:0])


def test_check_weights_refuses_negative_missing_and_all_zero():
    frameprep.check_weights(np.array([0.0, 1.5, 2.0]))
    with pytest.raises(ls.DataError, match="1 negative and 1 missing"):
        frameprep.check_weights(np.array([-1.0, np.nan, 1.0]), "w")
    with pytest.raises(ls.DataError, match="'w' are all zero on the 3 rows"):
        frameprep.check_weights(np.zeros(3), "w")
    df = pd.DataFrame({"y": [0, 1, 0, 1], "x": [1.0, 2, 3, 4], "w": 0.0})
    with pytest.raises(ls.DataError, match="all zero"):
        ls.logit("y ~ x", df, weights="w")
