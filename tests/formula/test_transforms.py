"""Stateful formula transforms with missing values, as R's scale() and splines::bs() treat them.

References: R 4.2.2 (stats::glm, splines), tests/reference/r/judge_cases2.R ->
tests/reference/data/judge2/stateful_missing.{csv,json}: x, z and y each have missing values in
different rows; R computes scale() and bs() knots from every non-missing value of the variable.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.interpolate import BSpline
from scipy.special import expit

import logitstat as ls
from logitstat.formula import transforms

JUDGE2 = Path(__file__).resolve().parents[1] / "reference" / "data" / "judge2"


@pytest.fixture(scope="module")
def stateful():
    data = pd.read_csv(JUDGE2 / "stateful_missing.csv")
    return data, json.loads((JUDGE2 / "stateful_missing.json").read_text())


@pytest.mark.parametrize("key", ["center", "standardize", "standardize_ddof0", "bspline"])
def test_transforms_of_variables_with_missing_values_match_r(stateful, key):
    """patsy's own transforms learn NaN from a column with a missing value, so every row was
    dropped ("no rows left"); R sets the missing values aside."""
    data, ref = stateful
    before = data.copy()
    want = ref[key]
    res = ls.logit(want["formula"], data)
    assert res.nobs == want["nobs"]
    np.testing.assert_allclose(res.params.to_numpy(), want["params"], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(res.bse.to_numpy(), want["bse"], rtol=1e-5)
    np.testing.assert_allclose(res.deviance, want["deviance"], rtol=1e-10)
    pd.testing.assert_frame_equal(data, before)


def test_prediction_with_missing_values_in_new_data(stateful):
    """A missing x (or z) in new data gives a missing prediction, the others R's values."""
    data, ref = stateful
    res = ls.logit(ref["bspline"]["formula"], data)
    new = pd.DataFrame(ref["newdata"]).astype(float)
    want = np.array([np.nan if v in (None, "NA") else v for v in ref["bspline"]["newdata_predict"]],
                    dtype=float)
    np.testing.assert_allclose(res.predict(new).to_numpy(), want, rtol=1e-7)


def test_bspline_beyond_the_boundary_knots_extrapolates_as_r_predict(stateful):
    """R's predict() for bs() continues the boundary polynomials; patsy refused such points."""
    data, ref = stateful
    want = ref["bs_extrapolate"]
    z = data["z"].to_numpy()
    state = transforms.bs.__patsy_stateful_transform__()
    state.memorize_chunk(z, df=5)
    state.memorize_finish()
    got = state.transform(np.asarray(want["x"], float), df=5)
    np.testing.assert_allclose(got, want["basis"], rtol=1e-9, atol=1e-12)


def test_marginal_effect_through_a_bspline_matches_its_derivative(stateful):
    """The average marginal effect of z in y ~ bs(z, df=5) + x: mean of f(eta) * B'(z) b, with
    the derivative of the basis from scipy (the sample's extreme z used to fail: the numerical
    derivative steps beyond the boundary knots)."""
    data, _ = stateful
    res = ls.logit("y ~ bs(z, df=5) + x", data)
    used = data.iloc[res.design.row_positions]
    z = used["z"].to_numpy()
    state = transforms.bs.__patsy_stateful_transform__()
    state.memorize_chunk(data["z"].to_numpy(), df=5)
    state.memorize_finish()
    knots, deg = state._all_knots, state._degree
    n_basis = len(knots) - deg - 1
    coef = np.zeros(n_basis)
    coef[1:] = res.params.to_numpy()[1:n_basis]   # the basis without its first column
    slope = BSpline(knots, coef, deg).derivative()(z)
    mu = expit(res.predict(used, which="linear").to_numpy())
    want = np.mean(mu * (1 - mu) * slope)
    np.testing.assert_allclose(res.marginal_effects().loc["z", "effect"], want, rtol=1e-6)


def test_no_missing_values_is_exactly_patsy(stateful):
    """Without missing values the transforms are patsy's own."""
    import patsy
    data, _ = stateful
    full = data.dropna()
    for formula in ("center(x) + standardize(z, ddof=1)", "bs(z, df=5)"):
        ours = patsy.dmatrix(formula, full, eval_env=patsy.EvalEnvironment(
            [transforms.namespace()]), return_type="dataframe")
        theirs = patsy.dmatrix(formula, full, return_type="dataframe")
        np.testing.assert_array_equal(ours.to_numpy(), theirs.to_numpy())
        assert list(ours.columns) == list(theirs.columns)


def test_a_name_the_caller_defines_wins():
    """The formula is evaluated in the caller's namespace first: a user's own center() is used."""
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"x": rng.normal(size=80), "y": rng.integers(0, 2, size=80)})

    def center(v):  # noqa: F811 - deliberately shadows patsy's helper
        return v - 100.0

    res = ls.logit("y ~ center(x)", d)
    plain = ls.logit("y ~ x", d)
    np.testing.assert_allclose(res.params["center(x)"], plain.params["x"], rtol=1e-10)
    np.testing.assert_allclose(res.params["Intercept"],
                               plain.params["Intercept"] + 100.0 * plain.params["x"], rtol=1e-8)


# ------------------------------------------------------------------ transforms undefined somewhere

@pytest.fixture
def logdata():
    rng = np.random.default_rng(5)
    n = 120
    x = rng.lognormal(size=n)
    x[[4, 50]] = [-1.0, -2.5]          # log undefined: NaN
    y = (rng.random(n) < expit(0.7 * np.log(np.abs(x)))).astype(int)
    return pd.DataFrame({"y": y, "x": x, "z": rng.normal(size=n)})


def test_a_term_undefined_in_some_rows_is_named(logdata):
    """``np.log(x)`` with ``x < 0`` is NaN there: R's glm drops those rows after log() warned
    "NaNs produced".  The rows are dropped and counted (the fit equals the fit without them, an
    invariance), a DataWarning names the term and rows, and numpy's RuntimeWarning no longer
    leaks (pytest turns it into an error here)."""
    before = logdata.copy()
    with pytest.warns(ls.DataWarning, match=r"term 'np\.log\(x\)' is undefined \(NaN\) although "
                                            r"its variables are not missing, in 2 row\(s\): 4, 50"):
        res = ls.logit("y ~ np.log(x) + z", logdata)
    ref = ls.logit("y ~ np.log(x) + z", logdata.drop(index=[4, 50]))
    np.testing.assert_allclose(res.params.to_numpy(), ref.params.to_numpy(), rtol=1e-12)
    assert res.design.n_dropped == 2
    with pytest.raises(ls.MissingDataError, match=r"term 'np\.log\(x\)' is undefined .* 2 row\(s\)"):
        ls.logit("y ~ np.log(x) + z", logdata, missing="raise")
    # a missing z and the undefined term are both named
    with_na = logdata.assign(z=logdata.z.where(logdata.index != 9))
    with pytest.raises(ls.MissingDataError, match=r"missing values in 'z' \(1 rows\); term "
                                                  r"'np\.log\(x\)' is undefined"):
        ls.logit("y ~ np.log(x) + z", with_na, missing="raise")
    pd.testing.assert_frame_equal(logdata, before)


def test_prediction_where_a_term_is_undefined_or_infinite(logdata):
    """New rows where the term is NaN are predicted NaN with a DataWarning, as the fit treats
    them as missing; rows where it is infinite (log(0), an infinite value) are refused, as the
    fit refuses them."""
    res = ls.logit("y ~ np.log(x) + z", logdata.drop(index=[4, 50]))
    new = pd.DataFrame({"x": [1.0, -1.0, 2.0], "z": [0.0, 0.0, np.nan]}, index=[10, 11, 12])
    with pytest.warns(ls.DataWarning, match=r"'np\.log\(x\)' is undefined .* 1 row\(s\): 11\b"):
        p = res.predict(new)
    b = res.params
    np.testing.assert_allclose(p.iloc[0], expit(b["Intercept"]), rtol=1e-12)
    assert p.index.tolist() == [10, 11, 12] and p.iloc[1:].isna().all()
    for bad in (0.0, np.inf):
        with pytest.raises(ls.PredictionError, match=r"'np\.log\(x\)' of the design of newdata "
                                                     r"have infinite values \(1 row\(s\): 11;"):
            res.predict(new.assign(x=[1.0, bad, 2.0]))
    with pytest.raises(ls.DataError, match="infinite"):   # the fit refuses the same rows
        ls.logit("y ~ np.log(x) + z", logdata.drop(index=50).assign(x=lambda d: d.x.clip(0.0)))
