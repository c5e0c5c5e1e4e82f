"""Preparing the caller's data for patsy: keyword column names, and clear errors for columns that
patsy would misread or fail on with a raw numpy/pandas exception."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.formula import frameprep


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


# ------------------------------------------------------------------ pandas' missing values, text

def _with(df, col, rows, value, dtype=object):
    out = df.copy()
    out[col] = out[col].astype(dtype)
    out.loc[rows, col] = value
    return out


@pytest.mark.parametrize("value", [pd.NA, None, pd.NaT, np.nan])
@pytest.mark.parametrize("col", ["x", "g", "y"])
def test_missing_markers_in_object_columns_drop_rows_or_name_the_column(df, col, value):
    """``pd.NA`` in an object column used to fail in both modes with "boolean value of NA is
    ambiguous", naming no column.  Every pandas missing marker, in a predictor, a categorical or
    the response, is now a missing value: dropped and counted (the fit equals the fit of the
    complete rows, an invariance), or named with ``missing="raise"``."""
    rows = [3, 17, 40]
    bad = _with(df, col, rows, value)
    before = bad.copy()
    res = ls.logit("y ~ x + g", bad)
    ref = ls.logit("y ~ x + g", df.drop(index=rows))
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-10)
    assert res.design.n_dropped == 3 and res.nobs == len(df) - 3
    with pytest.raises(ls.MissingDataError, match=rf"'{col}' \(3 rows\)"):
        ls.logit("y ~ x + g", bad, missing="raise")
    pd.testing.assert_frame_equal(bad, before)


@pytest.mark.parametrize("dtype, col", [("Float64", "x"), ("string", "g"), ("Int64", "y"),
                                        ("boolean", "yb")])
def test_nullable_dtypes_with_pd_na_are_missing_values(df, dtype, col):
    d = df.assign(yb=df.y.astype(bool))
    rows = [5, 6]
    bad = _with(d, col, rows, pd.NA, dtype)
    formula = "yb ~ x + g" if col == "yb" else "y ~ x + g"
    res = ls.logit(formula, bad)
    ref = ls.logit(formula, d.drop(index=rows))
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-10)
    with pytest.raises(ls.MissingDataError, match=rf"'{col}' \(2 rows\)"):
        ls.logit(formula, bad, missing="raise")


def test_object_column_of_floats_and_none_is_numeric(df):
    """Python floats with ``None`` in an object column used to become one dummy column per
    distinct value (and a false "complete separation" warning); they are numbers with missing
    values: the fit equals the float column with NaN."""
    bad = _with(df, "x", [2, 9], None)
    assert bad.x.dtype == object
    res = ls.logit("y ~ x + g", bad)
    ref = ls.logit("y ~ x + g", df.assign(x=df.x.where(~df.index.isin([2, 9]))))
    assert list(res.params.index) == list(ref.params.index) == ["Intercept", "g[T.lo]", "x"]
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-12)
    # declared categorical, object integers keep their labels (as the int64 column does)
    k = df.assign(k=(df.x > 0).astype(int) + 1)
    res = ls.logit("y ~ C(k)", _with(k, "k", [2], pd.NA))
    ref = ls.logit("y ~ C(k)", k.drop(index=2))
    assert list(res.params.index) == list(ref.params.index) == ["Intercept", "C(k)[T.2]"]
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("stray", ["n/a", "?", "1,5", "nan"])
def test_numbers_stored_as_text_with_a_stray_entry_are_refused(df, stray):
    text = df.assign(x=df.x.round(3).astype(str))
    text.loc[7, "x"] = stray
    before = text.copy()
    with pytest.raises(ls.DataError, match=rf"column 'x' holds numbers stored as text, with 1 "
                                           rf"entries that are not numbers \('{re.escape(stray)}'\)"
                                           r".*pd\.to_numeric\(df\['x'\], errors='coerce'\)"):
        ls.logit("y ~ x + g", text)
    pd.testing.assert_frame_equal(text, before)
    # the conversion the message gives fits the numbers, with the stray entry missing
    fixed = text.assign(x=pd.to_numeric(text.x, errors="coerce"))
    ref = ls.logit("y ~ x + g", df.assign(x=df.x.round(3)).drop(index=7))
    np.testing.assert_allclose(ls.logit("y ~ x + g", fixed).params, ref.params, rtol=1e-12)


def test_numbers_mixed_with_text_are_refused(df):
    mixed = _with(df, "x", [4], "missing")
    with pytest.raises(ls.DataError, match=r"'x' mixes numbers \(e\.g\. .*\) and text "
                                           r"\('missing' in 1 row\(s\)\)"):
        ls.logit("y ~ x", mixed)


def test_text_categoricals_keep_working(df):
    """A genuinely categorical text column (no number among its values, or declared ``C()``)
    is a categorical as before."""
    three = df.assign(h=np.where(df.x > 0.5, "c", np.where(df.x < -0.5, "a", "b")))
    res = ls.logit("y ~ h", three)
    assert list(res.params.index) == ["Intercept", "h[T.b]", "h[T.c]"]
    codes = df.assign(c=np.where(df.x > 0, "10", "20"))
    codes.loc[[int(np.argmax(df.y == 0)), int(np.argmax(df.y == 1))], "c"] = "other"
    res = ls.logit("y ~ C(c)", codes)
    assert list(res.params.index) == ["Intercept", "C(c)[T.20]", "C(c)[T.other]"]


def test_stray_text_rule():
    """At least 80% of the rows read as numbers (the command line's rule) and not all."""
    assert frameprep.stray_text(np.array(["1", "2", "3", "4", "?"], dtype=object)) == (["?"], 1)
    assert frameprep.stray_text(np.array(["1", "2", "?", "?"], dtype=object)) is None
    assert frameprep.stray_text(np.array(["1", "2.5", "-3e2"], dtype=object)) is None
    assert frameprep.stray_text(np.array(["a", "b"], dtype=object)) is None
    assert frameprep.stray_text(np.array([], dtype=object)) is None


def test_categorical_only():
    cols = ["a", "b", "my col"]
    assert frameprep.categorical_only('y ~ C(a) + C(b, Treatment("x")) + b', cols) == {"a"}
    assert frameprep.categorical_only('y ~ C(Q("my col")) + C(a):x', cols) == {"my col", "a"}
    assert frameprep.categorical_only("y ~ a + C(b)", cols) == {"b"}


@pytest.mark.parametrize("value, match", [
    ([1, 2], r"'x' holds values of type list"),
    (pd.Timestamp("2020-01-01"), r"'x' holds dates or times"),
])
def test_objects_that_are_neither_numbers_nor_labels_are_named(df, value, match):
    bad = df.copy()
    bad["x"] = bad["x"].astype(object)
    bad.at[3, "x"] = value
    with pytest.raises(ls.DataError, match=match):
        ls.logit("y ~ x", bad)


def test_numeric_values_names_the_input():
    np.testing.assert_array_equal(frameprep.numeric_values(pd.Series([1, None, pd.NA], dtype=object), "w"),
                                  [1.0, np.nan, np.nan])
    with pytest.raises(ls.DataError, match=r"weights column 'w' must be numeric; found 'n/a', "
                                           r"\[1\] .*pd\.to_numeric\(df\['w'\]"):
        frameprep.numeric_values(pd.Series(["1", "n/a", [1], "n/a"], name="w"), "weights column 'w'")
