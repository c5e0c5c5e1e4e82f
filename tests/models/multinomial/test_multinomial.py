"""Multinomial logit against R (nnet::multinom 7.3-18, R 4.2.2; tests/reference/r/beyond.R),
against the binary logit (K = 2), and against invariances (weights vs repeated rows)."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logitstat as ls

DATA = Path(__file__).resolve().parents[2] / "reference" / "data"
REF = json.loads((DATA / "mnlogit_womenlf.json").read_text())
FORMULA = "partic ~ hincome + children + region"
R_TO_PATSY = {"(Intercept)": "Intercept", "hincome": "hincome", "childrenpresent": "children[T.present]",
              "regionBC": "region[T.BC]", "regionOntario": "region[T.Ontario]",
              "regionPrairie": "region[T.Prairie]", "regionQuebec": "region[T.Quebec]"}


def womenlf() -> pd.DataFrame:
    df = pd.read_csv(DATA / "womenlf.csv")
    for col, spec in REF["fulltime_base"]["columns"].items():
        if spec["kind"] == "categorical":
            df[col] = pd.Categorical(df[col], categories=spec["levels"])
    return df


@pytest.fixture(scope="module")
def df():
    return womenlf()


@pytest.fixture(scope="module", params=["fulltime_base", "notwork_base"])
def fitted(request, df):
    ref = REF[request.param]
    return ls.mnlogit(FORMULA, df, base=ref["base"]), ref


def in_r_order(frame: pd.DataFrame, ref: dict) -> np.ndarray:
    """(K-1, p) array in R's outcome and coefficient order."""
    rows = [R_TO_PATSY[n] for n in ref["coef_names"]]
    return frame.loc[rows, ref["outcomes"]].to_numpy().T


def test_params_match_r(fitted):
    res, ref = fitted
    assert res.converged
    np.testing.assert_allclose(in_r_order(res.params, ref), ref["params"], rtol=1e-7, atol=1e-8)
    # nnet's own BFGS optimum (reltol 1e-14) agrees to the accuracy it reaches
    np.testing.assert_allclose(in_r_order(res.params, ref), ref["params_nnet"], rtol=1e-6, atol=1e-6)


def test_standard_errors_and_covariance_match_r(fitted):
    res, ref = fitted
    np.testing.assert_allclose(in_r_order(res.bse, ref), ref["bse"], rtol=1e-7)
    np.testing.assert_allclose(in_r_order(res.bse, ref), ref["bse_nnet"], rtol=1e-6)
    flat = [f"{k}:{R_TO_PATSY[n]}" for k in ref["outcomes"] for n in ref["coef_names"]]
    V = res.cov_params().loc[flat, flat].to_numpy()
    np.testing.assert_allclose(V, ref["cov_params"], rtol=1e-6, atol=1e-10)


def test_likelihoods_match_r(fitted):
    res, ref = fitted
    assert res.llf == pytest.approx(ref["llf_nnet"], rel=1e-10)
    assert res.deviance == pytest.approx(ref["deviance"], rel=1e-10)
    assert res.aic == pytest.approx(ref["aic"], rel=1e-10)
    assert res.llnull == pytest.approx(ref["llnull"], rel=1e-8)
    assert res.nobs == 263 and res.df_model == 12 and res.df_resid == 263 - 14


def test_predicted_probabilities_match_r(fitted, df):
    res, ref = fitted
    pred = res.predict(df.iloc[ref["predict_rows"]])
    assert list(pred.columns) == ["fulltime", "not.work", "parttime"]   # level order, base included
    np.testing.assert_allclose(pred[ref["levels"]].to_numpy(), ref["predict_probs"], rtol=1e-7,
                               atol=1e-10)
    np.testing.assert_allclose(res.fittedvalues.sum(axis=1), 1.0, rtol=1e-12)
    cls = res.predict(df.iloc[ref["predict_rows"]], which="class")
    assert list(cls) == [ref["levels"][j] for j in np.argmax(ref["predict_probs"], axis=1)]


def test_z_p_intervals_and_rrr_are_consistent(fitted):
    res, _ = fitted
    np.testing.assert_allclose(res.tvalues, res.params / res.bse)
    from scipy import stats
    np.testing.assert_allclose(res.pvalues, 2 * stats.norm.sf(np.abs(res.tvalues)))
    ci = res.conf_int(0.1)
    k = res.outcomes[1]
    half = stats.norm.ppf(0.95) * res.bse[k].to_numpy()
    np.testing.assert_allclose(ci.loc[k, "upper"].to_numpy(), res.params[k].to_numpy() + half)
    rrr = res.relative_risk_ratios()
    np.testing.assert_allclose(rrr.loc[k, "rrr"].to_numpy(), np.exp(res.params[k].to_numpy()))
    np.testing.assert_allclose(rrr.loc[k, "lower"].to_numpy(), np.exp(res.conf_int().loc[k, "lower"]))


def test_wald_and_lr_tests_match_r(df):
    ref = REF["notwork_base"]
    res = ls.mnlogit(FORMULA, df, base="not.work")
    names = [f"{k}:{c}" for k in res.outcomes for c in res.names if c.startswith("region")]
    w = res.wald_test(", ".join(f"{n} = 0" for n in names))
    assert (w.statistic, w.df) == (pytest.approx(ref["wald_region"]["statistic"], rel=1e-6), 8)
    assert w.pvalue == pytest.approx(ref["wald_region"]["pvalue"], rel=1e-6)
    terms = res.wald_test_terms()
    assert terms.loc["region", "statistic"] == pytest.approx(w.statistic, rel=1e-12)
    small = ls.mnlogit("partic ~ hincome + children", df, base="not.work")
    lr = res.lr_test(small)
    assert lr.statistic == pytest.approx(ref["lr_region"]["statistic"], rel=1e-6)
    assert lr.df == ref["lr_region"]["df"]
    assert lr.pvalue == pytest.approx(ref["lr_region"]["pvalue"], rel=1e-6)
    assert small.llf == pytest.approx(ref["lr_region"]["llf_restricted"], rel=1e-9)
    assert ls.lr_test(small, res).statistic == pytest.approx(lr.statistic)


def test_marginal_effects_match_numerical_derivatives_in_r(df):
    ref = REF["notwork_base"]
    me = ls.mnlogit(FORMULA, df, base="not.work").marginal_effects()
    for r_name, col in (("hincome", "hincome"), ("childrenpresent", "children[T.present]")):
        got = me.xs(col, level="variable").loc[ref["levels"]]
        np.testing.assert_allclose(got["effect"], ref["ame"][r_name]["effect"], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(got["se"], ref["ame"][r_name]["se"], rtol=1e-5)
    hinc = me.xs("hincome", level="variable").loc[ref["levels"], "effect"]
    np.testing.assert_allclose(hinc, ref["ame"]["hincome"]["effect_numeric"], rtol=1e-7)
    # effects on the K probabilities sum to zero for every column
    sums = me["effect"].groupby(level="variable").sum()
    np.testing.assert_allclose(sums, 0.0, atol=1e-12)


def test_weighted_fit_matches_r_and_repeated_rows(df):
    ref = REF["weighted"]
    w = np.resize([1.0, 2.0, 3.0], len(df))
    res = ls.mnlogit("partic ~ hincome + children", df, base="not.work", weights=w)
    np.testing.assert_allclose(in_r_order(res.params, ref), ref["params"], rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(in_r_order(res.bse, ref), ref["bse"], rtol=1e-7)
    assert res.llf == pytest.approx(ref["llf"], rel=1e-10)
    long = df.loc[df.index.repeat(w.astype(int))].reset_index(drop=True)
    rep = ls.mnlogit("partic ~ hincome + children", long, base="not.work")
    np.testing.assert_allclose(rep.params, res.params, rtol=1e-9)
    np.testing.assert_allclose(rep.bse, res.bse, rtol=1e-9)
    assert res.nobs == rep.nobs == w.sum()


def test_two_outcomes_reproduce_the_binary_logit(df):
    two = df[df.partic != "parttime"].copy()
    two["partic"] = two["partic"].cat.remove_unused_categories()
    mn = ls.mnlogit(FORMULA, two)
    lo = ls.logit(FORMULA, two)
    col = mn.outcomes[0]
    assert mn.outcomes == ["not.work"] and lo.design.event == "partic = not.work"
    np.testing.assert_allclose(mn.params[col], lo.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mn.bse[col], lo.bse, rtol=1e-9)
    assert mn.llf == pytest.approx(lo.llf, rel=1e-12)
    assert mn.llnull == pytest.approx(lo.llnull, rel=1e-12)
    np.testing.assert_allclose(mn.fittedvalues["not.work"], lo.fittedvalues, rtol=1e-10)


def test_string_and_numeric_responses_and_levels():
    rng = np.random.default_rng(3)
    x = rng.normal(size=300)
    eta = np.column_stack([np.zeros(300), 0.5 + x, -0.5 - x])
    p = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])
    d = pd.DataFrame({"x": x, "num": y + 1, "txt": np.array(["a", "b", "c"])[y]})
    by_num = ls.mnlogit("num ~ x", d)
    by_txt = ls.mnlogit("txt ~ x", d)
    assert by_num.levels == [1, 2, 3] and by_txt.levels == ["a", "b", "c"]
    np.testing.assert_allclose(by_num.params.to_numpy(), by_txt.params.to_numpy(), rtol=1e-12)
    relevel = ls.mnlogit("txt ~ x", d, base="c")
    # changing the base is a reparametrization: b_k(base c) = b_k(base a) - b_c(base a)
    np.testing.assert_allclose(relevel.params["a"], -by_txt.params["c"], rtol=1e-7)
    np.testing.assert_allclose(relevel.llf, by_txt.llf, rtol=1e-12)


def test_errors_name_the_problem(df):
    with pytest.raises(ls.ResponseError, match="base='nope'.*'fulltime'"):
        ls.mnlogit(FORMULA, df, base="nope")
    one = df[df.partic == "fulltime"]
    with pytest.raises(ls.ResponseError, match="only one level"):
        ls.mnlogit(FORMULA, one)
    with pytest.raises(ls.SpecificationError, match="'nonrobust', 'HC0', 'HC1', 'cluster'"):
        ls.mnlogit(FORMULA, df, cov_type="HC3")
    with pytest.raises(ls.FormulaError, match="nothere"):
        ls.mnlogit("partic ~ nothere", df)


def test_missing_rows_are_dropped_and_predicted_as_nan(df):
    d = df.copy()
    d.loc[[3, 7], "hincome"] = np.nan
    res = ls.mnlogit(FORMULA, d)
    assert res.nobs == 261 and res.design.n_dropped == 2
    pred = res.predict(d.iloc[:5])
    assert pred.iloc[3].isna().all() and pred.iloc[:3].notna().all().all()
    assert "2 row(s) with missing values" in str(res.summary())


def test_separation_is_detected_per_outcome():
    x = np.array([-3, -2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 7.0])
    y = np.array(["a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "c", "c", "c", "c"])
    d = pd.DataFrame({"x": x, "y": y})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = ls.mnlogit("y ~ x", d, max_iter=30)
    seps = [w for w in caught if issubclass(w.category, ls.SeparationWarning)]
    assert seps and "c:x" in str(seps[0].message)
    assert res.separation.kind == "quasi-complete"
    assert res.separation_by_outcome()["c"] == {"Intercept": -1, "x": 1}
    assert res.separation_by_outcome()["b"] == {}
    assert res.separation.separated_rows[-4:].all() and not res.separation.separated_rows[:10].any()
    assert "c:x" in str(res.summary())


def test_overlapping_data_are_certified_without_warning(df):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ls.SeparationWarning)
        res = ls.mnlogit(FORMULA, df)
    assert res.separation.kind == "none"
    assert res.separation.method == "certificate"


def test_summary_has_one_block_per_outcome(df):
    res = ls.mnlogit(FORMULA, df, base="not.work")
    s = res.summary(rrr=True)
    text = str(s)
    assert "partic = fulltime (vs not.work)" in text and "partic = parttime (vs not.work)" in text
    assert "Multinomial logit" in text and "RRR" in text
    assert f"{res.llf:.4f}" in text
    d = s.to_dict()
    block = d["coefficients"]["partic = parttime (vs not.work)"]
    assert block["hincome"]["coef"] == pytest.approx(res.params.loc["hincome", "parttime"])
    for out in (s.as_html(), s.as_markdown(), s.as_latex()):
        assert "fulltime" in out and "parttime" in out
    assert repr(s) == text
    headers = [ln for ln in s.as_markdown().splitlines() if ln.startswith("| ") and "coef" in ln]
    assert len(headers) == 2                     # one per outcome, "|" escaped inside the cell
    assert all("P>\\|z\\|" in ln and "P>|z|" not in ln for ln in headers)


# ---------------------------------------------------------------- judge round 3
# tests/reference/r/judge_cases3.R: nnet::multinom (reltol 1e-12, polished by Newton steps and
# checked against multinom's coef()/vcov()) on carData::Chile and MASS::housing.
JUDGE3 = DATA / "judge3"
CHILE_NAMES = {"Intercept": "(Intercept)", "sex[T.M]": "sexM", "education[T.PS]": "educationPS",
               "education[T.S]": "educationS", "I(income / 10000)": "I(income/10000)"}


@pytest.mark.parametrize("key, base", [("base_A", None), ("base_Y", "Y")])
def test_chile_four_outcomes_with_missing_values_match_multinom(key, base):
    ref = json.loads((JUDGE3 / "mnlogit_chile.json").read_text())
    chile = pd.read_csv(JUDGE3 / "chile.csv")
    res = ls.mnlogit("vote ~ age + sex + education + I(income/10000) + statusquo", chile, base=base)
    r = ref[key]
    assert res.base == r["base"] and list(res.params.columns) == r["outcomes"][1:]
    assert res.nobs == r["nobs"] == ref["n_complete"]
    assert res.design.n_dropped == len(chile) - ref["n_complete"]
    cols = r["outcomes"][1:]
    coef = pd.DataFrame(np.column_stack(r["coef"]), index=r["names"], columns=cols)
    se = pd.DataFrame(np.column_stack(r["se"]), index=r["names"], columns=cols)
    got = res.params.rename(index=lambda n: CHILE_NAMES.get(n, n))
    got_se = res.bse.rename(index=lambda n: CHILE_NAMES.get(n, n))
    np.testing.assert_allclose(got.to_numpy(), coef.loc[got.index].to_numpy(), atol=1e-7)
    np.testing.assert_allclose(got_se.to_numpy(), se.loc[got.index].to_numpy(), atol=1e-7)
    assert res.llf == pytest.approx(r["loglik"], abs=1e-7)


def test_housing_frequency_weights_and_ordered_response_match_multinom():
    ref = json.loads((JUDGE3 / "mnlogit_housing.json").read_text())
    h = pd.read_csv(JUDGE3 / "housing.csv")
    for col, levels in (("Sat", ref["sat_levels"]), ("Infl", ["Low", "Medium", "High"]),
                        ("Type", ["Tower", "Apartment", "Atrium", "Terrace"]),
                        ("Cont", ["Low", "High"])):
        h[col] = pd.Categorical(h[col], categories=levels, ordered=col == "Sat")
    res = ls.mnlogit("Sat ~ Infl + Type + Cont", h, weights="Freq")
    r = ref["fit"]
    assert res.base == "Low" and list(res.params.columns) == ["Medium", "High"]
    assert res.nobs == r["nobs"]
    np.testing.assert_allclose(res.params.to_numpy(), np.column_stack(r["coef"]), atol=1e-7)
    np.testing.assert_allclose(res.bse.to_numpy(), np.column_stack(r["se"]), atol=1e-7)
    assert res.llf == pytest.approx(r["loglik"], abs=1e-7)


def test_separation_report_is_labelled_by_outcome_and_coefficient():
    # the report's own text named the coefficients x0, x1, ... instead of "c:x"
    x = np.array([-3, -2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 5, 6, 7.0])
    y = np.array(["a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "c", "c", "c", "c"])
    d = pd.DataFrame({"x": x, "y": y}, index=[f"r{i}" for i in range(14)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.LogitstatWarning)   # separated: no MLE
        res = ls.mnlogit("y ~ x", d, max_iter=30)
    sep = res.separation
    assert list(sep.directions.index) == res.flat_names
    assert sep.infinite == {"c:Intercept": -1, "c:x": 1}
    assert "c:x" in str(sep) and "x0" not in str(sep)
    assert list(sep.separated_rows.index) == list(d.index) and sep.n_separated == 4
    assert sep.separated_rows[["r10", "r11", "r12", "r13"]].all()


def test_a_continuous_response_is_refused_and_intervals_check_their_level():
    d = pd.read_csv(Path(__file__).resolve().parents[2] / "reference" / "data" / "womenlf.csv")
    with pytest.raises(ls.ResponseError, match="non-integer values"):
        ls.mnlogit("I(hincome + 0.5) ~ children", d)
    res = ls.mnlogit("partic ~ hincome", d)
    with pytest.raises(ls.SpecificationError, match="strictly between 0 and 1"):
        res.conf_int(alpha=3)


# --------------------------------------------------------------------------- effects by variable
CHILE_REF = json.loads((DATA / "mn_margins_chile.json").read_text())


@pytest.fixture(scope="module")
def chile():
    return pd.read_csv(DATA / "judge3" / "chile.csv")


def _mean_probs(res, frame):
    return res.predict(frame).mean().to_numpy()


def test_effects_of_a_variable_run_through_its_transforms_as_in_r(chile):
    """vote ~ age + I(age**2) + sex + statusquo (carData::Chile): the effect of age goes through
    both age columns.  R reference: tests/reference/r/mn_margins.R (R 4.2.2, nnet 7.3-18,
    numDeriv 2016.8-1.1; closed-form chain rule, checked there against a numerical derivative
    of the mean predicted probabilities, and numDeriv Jacobians for the standard errors).
    Tolerances: the coefficients agree to ~1e-9 relative (both converged far below 1e-8 SE
    units), the numerical Jacobians of numDeriv to ~1e-7."""
    res = ls.mnlogit("vote ~ age + I(age**2) + sex + statusquo", chile)
    me = res.marginal_effects()
    assert list(me.index.get_level_values("variable").unique()) == ["age", "sex[T.M]", "statusquo"]
    assert me.index.names == ["outcome", "variable"]
    assert res.nobs == CHILE_REF["nobs"]
    for r_name, row in (("age", "age"), ("sex", "sex[T.M]")):
        got = me.xs(row, level="variable").loc[CHILE_REF["outcomes"]]
        np.testing.assert_allclose(got["effect"], CHILE_REF["ame"][r_name]["effect"], rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(got["se"], CHILE_REF["ame"][r_name]["se"], rtol=1e-6)
    # the numbers: +0.00033 on P(Y) (nnet's own predictions), not the -0.00227 of d/d(age column)
    assert me.loc[("Y", "age"), "effect"] == pytest.approx(CHILE_REF["ame_nnet_predict"][3], rel=1e-4)
    np.testing.assert_allclose(me["effect"].groupby(level="variable").sum(), 0.0, atol=1e-15)


@pytest.mark.parametrize("formula", ["vote ~ age + I(age**2) + sex + statusquo",
                                     "vote ~ age * sex + np.log(age) + statusquo"])
def test_effects_equal_finite_differences_of_the_models_predictions(chile, formula):
    """Central differences of the mean of predict() when every row's age moves by h = 1e-3
    (truncation h^2/6 |f'''| and rounding eps/h are both below 1e-9 relative here, hence rtol
    1e-6), and discrete changes of sex from predict() with every row set to F and to M (the
    same arithmetic: 1e-12).  The interaction age:sex moves with age and with sex."""
    res = ls.mnlogit(formula, chile)
    me = res.marginal_effects()
    cc = chile.dropna(subset=["vote", "age", "sex", "statusquo"])
    h = 1e-3
    fd = (_mean_probs(res, cc.assign(age=cc.age + h)) - _mean_probs(res, cc.assign(age=cc.age - h))) / (2 * h)
    np.testing.assert_allclose(me.xs("age", level="variable")["effect"], fd, rtol=1e-6)
    dc = _mean_probs(res, cc.assign(sex="M")) - _mean_probs(res, cc.assign(sex="F"))
    np.testing.assert_allclose(me.xs("sex[T.M]", level="variable")["effect"], dc, rtol=1e-12, atol=1e-15)
    sub = res.marginal_effects(variables=["age"], alpha=0.1)
    np.testing.assert_allclose(sub["effect"], me.xs("age", level="variable", drop_level=False)["effect"])
    with pytest.raises(ls.SpecificationError, match="'nosuch'"):
        res.marginal_effects(variables=["nosuch"])
