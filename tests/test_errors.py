"""Every bad input gets a clear logitstat error naming what is wrong (never a raw traceback)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import logitstat as ls


@pytest.fixture
def df():
    rng = np.random.default_rng(3)
    n = 60
    return pd.DataFrame({"y": rng.integers(0, 2, n), "x": rng.normal(size=n),
                         "g": rng.choice(["a", "b"], n), "three": rng.choice(["p", "q", "r"], n)})


@pytest.mark.parametrize("formula, data_update, error, pattern", [
    ("three ~ x", {}, ls.ResponseError, r"'three' has 3 levels \('p', 'q', 'r'\)"),
    ("y3 ~ x", {"y3": lambda d: d.y * 3}, ls.ResponseError, r"must be 0/1.*found values 3"),
    ("yc ~ x", {"yc": lambda d: 1}, ls.ResponseError, r"'yc' is constant"),
    ("y ~ nosuch", {}, ls.FormulaError, r"'nosuch'.*not in the data"),
    ("y ~ x +", {}, ls.FormulaError, r"cannot (use|read the) formula"),
    ("y ~ xi", {"xi": lambda d: np.where(d.index == 4, np.inf, d.x)}, ls.DataError, r"'xi'.*infinite"),
    ("y ~ x + x2", {"x2": lambda d: 2 * d.x}, ls.CollinearityError, r"x2 = 2·x"),
    ("y ~ x + a + b", {"a": lambda d: d.x + 1, "b": lambda d: d.x - 1}, ls.CollinearityError,
     r"b = 2·Intercept - a|b = -2·Intercept|b = "),
])
def test_bad_models(df, formula, data_update, error, pattern):
    d = df.assign(**data_update)
    before = d.copy()
    with pytest.raises(error, match=pattern):
        ls.logit(formula, d)
    pd.testing.assert_frame_equal(d, before)


def test_error_classes_are_value_errors():
    assert issubclass(ls.ResponseError, ValueError) and issubclass(ls.ResponseError, ls.LogitstatError)
    assert issubclass(ls.CollinearityError, ls.LogitstatError)
    assert issubclass(ls.ConvergenceWarning, ls.LogitstatWarning)
    assert issubclass(ls.SeparationWarning, ls.LogitstatWarning)


def test_no_rows_left(df):
    d = df.assign(x=np.nan)
    with pytest.raises(ls.DataError, match="no rows left"):
        ls.logit("y ~ x", d)


def test_negative_weights(df):
    with pytest.raises(ls.DataError, match=r"weights 'w'.*non-negative.*1 negative"):
        ls.logit("y ~ x", df.assign(w=np.where(df.index == 0, -1.0, 1.0)), weights="w")


def test_unknown_link_and_cov_type(df):
    with pytest.raises(ls.SpecificationError, match="unknown link 'logistic'"):
        ls.glm("y ~ x", df, link="logistic")
    with pytest.raises(ls.SpecificationError, match="unknown cov_type 'HC9'"):
        ls.logit("y ~ x", df, cov_type="HC9")


def test_unseen_level_at_predict_time(df):
    res = ls.logit("y ~ x + g", df)
    with pytest.raises(ls.PredictionError, match=r"'zz'"):
        res.predict(pd.DataFrame({"x": [0.1], "g": ["zz"]}))


def test_more_parameters_than_observations():
    d = pd.DataFrame({"y": [0, 1, 0, 1], "a": [1.0, 2, 3, 5], "b": [2.0, 1, 7, 1], "c": [0.5, 3, 1, 2],
                      "e": [9.0, 1, 2, 2]})
    with pytest.raises((ls.DataError, ls.CollinearityError), match="coefficients but only 4 rows|rank deficient"):
        ls.logit("y ~ a + b + c + e", d)


def test_bad_hypothesis_names_the_coefficients(df):
    res = ls.logit("y ~ x + g", df)
    with pytest.raises(ls.SpecificationError, match="coefficient names are: Intercept, g\\[T.b\\], x"):
        res.wald_test("nosuch = 0")


def test_single_level_categorical_term(df):
    with pytest.raises(ls.DataError, match="'s' contribute no column.*single level"):
        ls.logit("y ~ x + s", df.assign(s="only"))


def test_wrong_start_params(df):
    with pytest.raises(ls.SpecificationError, match="start_params must have 2 values"):
        ls.logit("y ~ x", df, start_params=[0.0, 1.0, 2.0])


def test_function_without_module_is_explained(df):
    with pytest.raises(ls.FormulaError, match="'log'.*np.log"):
        ls.logit("y ~ log(x)", df)


def test_fractional_frequency_weights_warn_as_r_does():
    """R 4.2.2 warns "non-integer #successes"; the estimates and deviance are the weighted ones
    (tests/reference/r/judge_cases.R), the log-likelihood is Σ w_i ℓ_i = -deviance/2, where R's
    logLik rounds the counts instead."""
    import json
    from pathlib import Path

    ref = Path(__file__).resolve().parent / "reference" / "data"
    want = json.loads((ref / "judge" / "fractional_weights_mtcars.json").read_text())
    mt = pd.read_csv(ref / "inference_mtcars.csv")
    with pytest.warns(ls.DomainWarning, match="not whole numbers"):
        res = ls.logit("am ~ hp", mt, weights="wt")
    np.testing.assert_allclose(res.params, want["params"], rtol=1e-6)
    np.testing.assert_allclose([res.deviance, res.llf], [want["deviance"], -want["deviance"] / 2],
                               rtol=1e-8)
    assert abs(res.llf - want["loglik_r"]) > 0.5
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ls.logit("am ~ hp", mt, weights=np.round(mt["wt"]).to_numpy())


def test_interval_levels_and_fit_settings_are_checked(df):
    res = ls.logit("y ~ x + g", df)
    for call in (lambda: res.conf_int(alpha=2), lambda: res.conf_int(alpha=0),
                 lambda: res.conf_int(alpha=-1, method="profile"),
                 lambda: res.summary(alpha=1.5), lambda: res.odds_ratios(alpha="x"),
                 lambda: res.get_prediction(df).summary_frame(alpha=1.0),
                 lambda: res.marginal_effects(alpha=0)):
        with pytest.raises(ls.SpecificationError, match="strictly between 0 and 1"):
            call()
    for kwargs, pattern in (({"max_iter": -1}, "max_iter=-1"), ({"max_iter": 2.5}, "max_iter=2.5"),
                            ({"tol": 0}, "tol=0"), ({"tol": -1e-8}, "tol=")):
        with pytest.raises(ls.SpecificationError, match=pattern):
            ls.logit("y ~ x", df, **kwargs)


def test_array_interface_refuses_what_is_not_an_array_of_numbers(df):
    with pytest.raises(ls.DataError, match="formula string"):
        ls.logit(5, df)
    with pytest.raises(ls.DataError, match=r"non-numeric column\(s\) 'g', 'three'"):
        ls.logit(df.y, df[["x", "g", "three"]])


# ------------------------------------------------------------------ prediction on bad new data

@pytest.fixture(scope="module")
def mroz_fit():
    df = ls.datasets.load("mroz")
    return df, ls.logit("lfp ~ k5 + age + wc + lwg", df)


def test_prediction_with_text_where_a_number_was_fitted_names_the_column(mroz_fit):
    """``res.predict(df.astype({"age": str}))`` used to escape as an AttributeError from patsy's
    error formatting; R's predict also refuses ("variable 'age' was fitted with type numeric
    but type character was supplied")."""
    df, res = mroz_fit
    new = df.astype({"age": str})
    before = new.copy()
    with pytest.raises(ls.PredictionError, match=r"column 'age' of newdata is not numeric .*"
                                                 r"e\.g\. '32'.*term 'age'.*pd\.to_numeric"):
        res.predict(new)
    pd.testing.assert_frame_equal(new, before)
    stray = df.astype({"age": object})
    stray.loc[3, "age"] = "n/a"
    with pytest.raises(ls.DataError, match=r"column 'age' of newdata mixes numbers .* \('n/a'"):
        res.predict(stray)


def test_prediction_with_pandas_missing_markers_is_nan_for_those_rows(mroz_fit):
    """pd.NA in an object column of new data: those rows predict NaN, the others exactly what
    the numeric column predicts."""
    df, res = mroz_fit
    new = df.iloc[:6].astype({"age": object, "lwg": "Float64"})
    new.loc[1, "age"] = pd.NA
    new.loc[2, "lwg"] = pd.NA
    new["wc"] = new["wc"].astype(object)
    new.loc[3, "wc"] = None
    p = res.predict(new)
    ref = res.predict(df.iloc[:6])
    assert p.iloc[1:4].isna().all()
    np.testing.assert_allclose(p.iloc[[0, 4, 5]], ref.iloc[[0, 4, 5]], rtol=1e-14)


def test_prediction_with_unseen_levels_or_a_missing_column(mroz_fit):
    df, res = mroz_fit
    with pytest.raises(ls.PredictionError, match=r"column 'wc' of newdata has level\(s\) 'maybe' "
                                                 r"not seen .*levels 'no', 'yes'"):
        res.predict(df.assign(wc=df.wc.astype(str).replace("yes", "maybe")))
    with pytest.raises(ls.PredictionError, match=r"'lwg'.*not in the data"):
        res.predict(df.drop(columns="lwg"))
    with pytest.raises(ls.PredictionError, match=r"'age' of the design of newdata have infinite"):
        res.predict(df.assign(age=np.where(df.index == 3, np.inf, df.age)))


@pytest.mark.parametrize("term", ["np.log(age)", "I(age**2)", "center(age)"])
def test_transform_of_numbers_stored_as_text_names_the_column(mroz_fit, term):
    df, _ = mroz_fit
    with pytest.raises(ls.FormulaError, match=r"column\(s\) 'age' hold numbers stored as text: "
                                              r"convert them, e\.g\. df\['age'\] = pd\.to_numeric"):
        ls.logit(f"lfp ~ {term} + k5", df.astype({"age": str}))


def test_marginal_effects_data_must_be_a_data_frame(mroz_fit):
    _, res = mroz_fit
    with pytest.raises(ls.DataError, match="data= must be the DataFrame the model was fitted on; "
                                           "got list"):
        res.marginal_effects(data=[1, 2])


def test_array_model_prediction_missing_and_infinite_rows(df):
    """Array interface: NaN rows predict NaN; infinite values are refused as the fit refuses
    them; text is refused."""
    X = np.column_stack([np.ones(len(df)), df.x])
    res = ls.glm(df.y.to_numpy(), X)
    p = res.predict(np.array([[1.0, 0.0], [1.0, np.nan]]))
    np.testing.assert_allclose(p.iloc[0], 1 / (1 + np.exp(-res.params.iloc[0])), rtol=1e-12)
    assert np.isnan(p.iloc[1])
    with pytest.raises(ls.PredictionError, match=r"'x2' of the design of newdata have infinite"):
        res.predict(np.array([[1.0, np.inf]]))
    with pytest.raises(ls.PredictionError, match="new X must be numeric"):
        res.predict(np.array([["1", "a"]], dtype=object))


# ------------------------------------------------------------------ weights, offset, groups

def test_offset_weights_and_groups_are_named(df):
    with pytest.raises(ls.DataError, match=r"offset 'o' has 1 infinite value"):
        ls.logit("y ~ x", df.assign(o=np.where(df.index == 2, np.inf, 0.0)), offset="o")
    w = df.assign(w=pd.Series(["1"] * len(df), dtype=object).where(df.index != 5, "?"))
    with pytest.raises(ls.DataError, match=r"weights column 'w' must be numeric; found '\?'"):
        ls.logit("y ~ x", w, weights="w")
    groups = np.where(df.index == 7, None, df.g.to_numpy())
    with pytest.raises(ls.MissingDataError, match=r"groups= \(1 rows\)"):
        ls.logit("y ~ x", df, groups=groups, cov_type="cluster", missing="raise")
    na = df.assign(o=pd.Series(0.0, index=df.index, dtype=object).where(df.index != 2, pd.NA))
    res = ls.logit("y ~ x", na, offset="o")     # pd.NA in an object offset: a missing value
    ref = ls.logit("y ~ x", df.drop(index=2))
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-10)


@pytest.mark.parametrize("where, value, error, pattern", [
    ("offset", np.nan, ls.DataError, r"offset= has 1 missing and 0 infinite"),
    ("offset", np.inf, ls.DataError, r"offset= has 0 missing and 1 infinite"),
    ("weights", -1.0, ls.DataError, r"must be finite and non-negative; found 1 negative"),
    ("weights", np.inf, ls.DataError, r"must be finite and non-negative; found 0 negative and 1"),
    ("X", np.nan, ls.MissingDataError, r"column\(s\) 'x' of X has missing values in 1 row"),
    ("X", np.inf, ls.DataError, r"'x' of the design have infinite values"),
    ("y", np.nan, ls.MissingDataError, r"y \('y'\) has missing values in 1 row"),
    ("counts", np.inf, ls.ResponseError, r"successes and failures .* must be finite"),
    ("groups", None, ls.MissingDataError, r"groups= has 1 missing value"),
])
def test_array_interface_names_the_bad_input(df, where, value, error, pattern):
    """The array interface used to say "the deviance is not finite at any step" for a NaN or
    infinite offset or count."""
    X = df[["x"]].copy()
    y = df.y.astype(float).copy()
    kw = {"offset": np.zeros(len(df)), "weights": np.ones(len(df)),
          "groups": df.g.to_numpy(dtype=object).copy()}
    if where == "X":
        X.iloc[3, 0] = value
    elif where == "y":
        y.iloc[3] = value
    elif where == "counts":
        y = np.column_stack([df.y, 1 - df.y]).astype(float)
        y[3, 0] = value
    else:
        kw[where][3] = value
    with pytest.raises(error, match=pattern):
        ls.glm(y, X, **kw)


# ------------------------------------------------------------------ fuzz

def _corruptions(s: pd.Series, rows: list) -> dict:
    """Ways a column of real data gets broken: text, pandas' missing markers, infinities, mixed
    types, unused categories, nullable dtypes."""
    out = {"text": s.astype(str)}
    for name, value in (("pd.NA", pd.NA), ("None", None), ("NaT", pd.NaT)):
        out[name] = s.astype(object).mask(s.index.isin(rows), value)
    if pd.api.types.is_numeric_dtype(s.dtype):
        word = s.astype(object)
        word.iloc[rows[0]] = "n/a"
        out["stray word"] = word
        out["stray text"] = s.astype(str).mask(s.index == rows[0], "1,5")
        out["inf"] = s.astype(float).mask(s.index == rows[0], np.inf)
        out["Float64 NA"] = s.astype("Float64").mask(s.index.isin(rows))
    else:
        out["unused level"] = s.astype("category").cat.add_categories(["zzz"])
        out["string NA"] = s.astype("string").mask(s.index.isin(rows))
        out["bool NA"] = (s.astype(str) == str(s.iloc[0])).astype("boolean").mask(s.index.isin(rows))
    mixed = s.astype(object)
    mixed.iloc[rows[0]], mixed.iloc[rows[1]] = "a", 2.5
    out["mixed"] = mixed
    listed = s.astype(object)
    listed.iloc[rows[0]] = [1, 2]
    out["list"] = listed
    return out


def test_fuzz_corrupted_columns_fit_or_raise_a_logitstat_error():
    """Every corruption of every column, as a predictor, response, weights, offset or groups,
    and in new data for prediction: a fit or a LogitstatError, never another exception type,
    never a leaked RuntimeWarning or other non-logitstat warning, and the DataFrame unchanged."""
    df = ls.datasets.load("mroz").iloc[::6].reset_index(drop=True)   # 126 rows: quick fits
    df["lwg"] = df.lwg.round(1)   # as text: 30 levels, not 120 (a slow separated fit)
    formula = "lfp ~ k5 + age + wc + lwg"
    clean = ls.logit(formula, df)
    transformed = "lfp ~ np.log(age) + center(lwg) + C(wc) + k5"
    clean_t = ls.logit(transformed, df)
    rows = [3, 40, 77]
    outcomes = []

    def attempt(call, frame):
        before = frame.copy(deep=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                call()
                outcomes.append("fit")
            except ls.LogitstatError as exc:
                assert str(exc), "an error without a message"
                outcomes.append(type(exc).__name__)
        foreign = [w for w in caught if not issubclass(w.category, ls.LogitstatWarning)]
        assert not foreign, [str(w.message) for w in foreign]
        pd.testing.assert_frame_equal(frame, before)

    for col in ["lfp", "age", "wc", "lwg"]:
        for kind, bad in _corruptions(df[col], rows).items():
            d = df.assign(**{col: bad})
            attempt(lambda: ls.logit(formula, d), d)
            attempt(lambda: ls.logit(formula, d, missing="raise"), d)
            if col == "lfp":
                continue
            attempt(lambda: clean.get_prediction(d).summary_frame(), d)
            attempt(lambda: ls.logit(transformed, d), d)
            attempt(lambda: clean_t.predict(d), d)
            attempt(lambda: ls.logit("lfp ~ k5", d, weights=col), d)
            attempt(lambda: ls.logit("lfp ~ k5", d, offset=col), d)
            attempt(lambda: ls.logit("lfp ~ k5", d, groups=col, cov_type="cluster"), d)
    # both outcomes occur: the corruptions are not all refused, nor all fitted
    assert outcomes.count("fit") > 20 and len(outcomes) - outcomes.count("fit") > 20


# --------------------------------------------------------------------------- argument types
# One validator (logitstat.checks) for every number argument: Python and numpy scalars are
# accepted alike; strings, lists and bools are refused by a SpecificationError naming the argument.


@pytest.mark.parametrize("h, pattern", [
    ("", r"hypothesis '' is empty.*coefficient names are: Intercept, g\[T.b\], x"),
    ("   ", r"is empty"),
    (np.full((1, 3), np.nan), r"R \(or the constants q\) has missing or infinite values"),
    ((np.eye(3)[:1], [np.inf]), r"missing or infinite"),
    ([["a", "b", "c"]], r"cannot read hypothesis.*an R matrix with 3 columns"),
    (np.zeros((0, 3)), r"r x 3 \(r >= 1\)"),
    (np.zeros((1, 4)), r"must be r x 3"),
])
def test_bad_wald_hypotheses_are_explained(df, h, pattern):
    res = ls.logit("y ~ x + g", df)
    with pytest.raises(ls.SpecificationError, match=pattern):
        res.wald_test(h)


def test_a_list_of_restrictions_is_one_joint_test(df):
    """A list of strings is the joint hypothesis of all of them (statsmodels' convention): the
    same statistic as the comma-separated string and as the explicit R matrix."""
    res = ls.logit("y ~ x + g", df)
    joint = res.wald_test(["x = 0", "g[T.b] = 0"])
    one = res.wald_test("x = 0, g[T.b] = 0")
    R = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    assert joint.df == 2 and joint.hypothesis == "x = 0, g[T.b] = 0"
    np.testing.assert_allclose([joint.statistic, joint.pvalue], [one.statistic, one.pvalue], rtol=1e-14)
    np.testing.assert_allclose(joint.statistic, res.wald_test(R).statistic, rtol=1e-12)


@pytest.mark.parametrize("start, pattern", [
    ("zero", r"start_params='zero' is a string.*\['Intercept', 'x'\]"),
    ({"x": 0.1}, r"start_params: no value for \['Intercept'\]"),
    ({"Intercept": 0, "x": 0, "w": 1}, r"unknown name\(s\) \['w'\]"),
    ([0.0, "a"], r"start_params must hold numbers"),
    ([0.0, np.nan], r"missing or infinite"),
])
def test_bad_start_params_are_explained(df, start, pattern):
    with pytest.raises(ls.SpecificationError, match=pattern):
        ls.logit("y ~ x", df, start_params=start)


def test_start_params_by_name_reach_the_same_optimum(df):
    """A dict keyed by coefficient name (any order) is the same start as the ordered list; the
    optimum does not depend on the start (to the 1e-8 convergence tolerance in SE units)."""
    ref = ls.logit("y ~ x + g", df)
    by_name = ls.logit("y ~ x + g", df, start_params={"x": 0.2, "Intercept": -0.1, "g[T.b]": 0.3})
    as_list = ls.logit("y ~ x + g", df, start_params=[-0.1, 0.3, 0.2])
    np.testing.assert_array_equal(by_name.params, as_list.params)
    np.testing.assert_allclose(by_name.params, ref.params, atol=1e-7 * ref.bse.min())
    series = ls.logit("y ~ x + g", df, start_params=pd.Series({"x": 0.2, "Intercept": -0.1, "g[T.b]": 0.3}))
    np.testing.assert_array_equal(series.params, as_list.params)


@pytest.mark.parametrize("kwargs, pattern", [
    ({"penalty": "l1", "alpha": "big"}, r"alpha='big' is a string: give a number >= 0"),
    ({"penalty": "l1", "alpha": [0.1]}, r"alpha=\[0.1\] is a list \(give a single number\)"),
    ({"penalty": "l1", "alpha": -0.1}, r"alpha=-0.1 is out of range"),
    ({"penalty": "l1", "alpha": np.inf}, r"alpha=inf is out of range"),
    ({"penalty": "elasticnet", "alpha": 0.1, "l1_ratio": "half"}, r"l1_ratio='half' is a string: "
                                                                   r"give a number in \[0, 1\]"),
    ({"penalty": "elasticnet", "alpha": 0.1, "l1_ratio": 1.5}, r"l1_ratio=1.5 is out of range"),
    ({"penalty": "l2", "alpha": True}, r"alpha=True is a bool"),
])
def test_bad_penalty_arguments_are_explained(df, kwargs, pattern):
    with pytest.raises(ls.SpecificationError, match=pattern):
        ls.logit("y ~ x", df, **kwargs)


def test_path_and_cv_arguments_are_checked(df):
    for call, pattern in ((lambda: ls.logit_path("y ~ x", df, alphas=["a"]), r"alphas='a' is a string"),
                          (lambda: ls.logit_path("y ~ x", df, alphas=[]), r"alphas=\[\] is empty"),
                          (lambda: ls.logit_path("y ~ x", df, n_alphas=0), r"n_alphas=0"),
                          (lambda: ls.logit_cv("y ~ x", df, n_folds="5"), r"n_folds='5' is a string"),
                          (lambda: ls.logit_path("y ~ x", df, tol="1e-6"), r"tol='1e-6'")):
        with pytest.raises(ls.SpecificationError, match=pattern):
            call()


def test_every_alpha_refuses_strings_the_same_way(df):
    """conf_int, summary (binary and multinomial), odds_ratios, marginal effects, predictions and
    compare share one validator: the same message for a string."""
    res = ls.logit("y ~ x + g", df)
    mn = ls.mnlogit("three ~ x", df)
    calls = (lambda: res.conf_int("0.05"), lambda: res.summary(alpha="0.1"),
             lambda: res.odds_ratios("0.1"), lambda: res.marginal_effects(alpha="0.1"),
             lambda: res.get_prediction(df).summary_frame("0.1"), lambda: mn.summary(alpha="0.1"),
             lambda: mn.conf_int("0.1"), lambda: mn.marginal_effects(alpha="0.1"),
             lambda: ls.compare([res], alpha="0.1"))
    for call in calls:
        with pytest.raises(ls.SpecificationError, match=r"alpha='0.1' is a string: give a number "
                                                         r"strictly between 0 and 1|alpha='0.05' is"):
            call()


def test_numpy_scalars_are_numbers_everywhere(df):
    """np.float32/np.int64 give the same results as the Python numbers they hold (the
    float32 values are compared with the float32-rounded Python value)."""
    ref = ls.logit("y ~ x + g", df, tol=float(np.float32(1e-6)), max_iter=50)
    res = ls.logit("y ~ x + g", df, tol=np.float32(1e-6), max_iter=np.int64(50))
    np.testing.assert_array_equal(res.params, ref.params)
    np.testing.assert_array_equal(res.conf_int(np.float32(0.1)), ref.conf_int(float(np.float32(0.1))))
    assert "[90% conf." in str(res.summary(alpha=np.float64(0.1)))
    pen = ls.logit("y ~ x", df, penalty="elasticnet", alpha=np.float32(0.05), l1_ratio=np.float64(0.5))
    pen_ref = ls.logit("y ~ x", df, penalty="elasticnet", alpha=float(np.float32(0.05)), l1_ratio=0.5)
    np.testing.assert_array_equal(pen.params, pen_ref.params)
    mn = ls.mnlogit("three ~ x", df, tol=np.float64(1e-9), max_iter=np.int32(60))
    np.testing.assert_array_equal(mn.params, ls.mnlogit("three ~ x", df, tol=1e-9, max_iter=60).params)
    assert res.gof(threshold=np.float32(0.5)).classification.threshold == 0.5
    with pytest.raises(ls.SpecificationError, match=r"threshold='0.5' is a string"):
        res.gof(threshold="0.5")
    with pytest.raises(ls.SpecificationError, match=r"value='0.8' is a string"):
        ls.choose_threshold(res, target="precision", value="0.8")
    for bad, pattern in (({"tol": "1e-6"}, r"tol='1e-6' is a string"),
                         ({"max_iter": "50"}, r"max_iter='50' is a string"),
                         ({"start_params": "zero"}, r"start_params='zero' is a string")):
        with pytest.raises(ls.SpecificationError, match=pattern):
            ls.mnlogit("three ~ x", df, **bad)
