"""Term tables (logitstat.anova): ``res.anova(type=1|2|3, test="lr"|"wald")`` and ``res.drop1()``
against R.

Reference values: ``tests/reference/data/anova.json``, made by ``tests/reference/r/anova.R`` with
R 4.2.2 and car 3.1.1 (versions recorded in the JSON): ``anova(fit, test="Chisq")``,
``car::Anova(fit, type=2|3)`` by LR and Wald, ``drop1(fit, test="Chisq")``, every R fit
converged to ``epsilon = 1e-14`` (the separated one stopped at 1e-12, R's rule that logitstat
follows on separated data).

Tolerances follow from the convergence criterion: our fits and refits stop when the Newton
decrement is below ``tol = 1e-8`` (coefficients within 1e-8 standard errors of the optimum), so
a deviance is off by O(1e-16) and the LR statistics agree with R's to far better than the
``rtol = 1e-6`` asserted.  The Wald statistics use the covariance at the last iterate, within
1e-8 standard errors of the estimate: the error is absolute on the z scale, so
sqrt(W) is compared with ``atol = rtol = 1e-6`` (100 times ``tol``), and the p-values
with ``rtol = 1e-5`` (the relative error of a p-value is about W/2 times that of W, W up to ~100
here).
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import logitstat as ls
from logitstat.inference import anova as lsa
from logitstat.report.summary import TermTable

from conftest import DATA

REF = json.loads((DATA / "anova.json").read_text())
MODELS = sorted(REF)
SEPARATED = "endometrial_separated"


def canon(term: str) -> str:
    """A term's name as a set of factors (R writes ``sex:ldose`` what patsy calls ``ldose:sex``)."""
    return ":".join(sorted(term.replace("(Intercept)", "Intercept").split(":")))


def values(xs) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in xs], dtype=float)


@lru_cache(maxsize=None)
def data(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / f"anova_{REF[name]['data']}.csv")


@lru_cache(maxsize=None)
def fitted(name: str):
    ex = REF[name]
    kw = {}
    if ex["weights"]:
        kw["weights"] = "w"
    if ex["offset"]:
        kw["offset"] = "off"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.SeparationWarning)
        return ls.glm(ex["formula"], data(name), link=ex["link"], **kw)


def rows_of(table: pd.DataFrame, r_terms) -> pd.DataFrame:
    """``table``'s rows in R's order, matched by factor set."""
    index = {canon(t): t for t in table.index}
    assert sorted(index) == sorted(canon(t) for t in r_terms)
    return table.loc[[index[canon(t)] for t in r_terms]]


def table(res, **kw) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.SeparationWarning)  # checked in its own test
        return res.anova(**kw)


# --------------------------------------------------------------------------- against R


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("key, type, test", [("lr2", 2, "lr"), ("lr3", 3, "lr"),
                                             ("wald2", 2, "wald"), ("wald3", 3, "wald")])
def test_type_2_and_3_tables_match_car_anova(name, key, type, test):
    want = REF[name][key]
    got = rows_of(table(fitted(name), type=type, test=test), want["terms"])
    np.testing.assert_array_equal(got["df"], want["df"])
    ok = got["statistic"].notna().to_numpy()
    if name != SEPARATED or test == "lr":
        assert ok.all()
    stat, ref = got["statistic"][ok].to_numpy(float), values(want["statistic"])[ok]
    if test == "lr":
        np.testing.assert_allclose(stat, ref, rtol=1e-6)
        np.testing.assert_allclose(got["pvalue"][ok], values(want["pvalue"])[ok], rtol=1e-6)
    else:  # on the z scale, where the fit's error is absolute (see the module docstring)
        np.testing.assert_allclose(np.sqrt(stat), np.sqrt(ref), rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(got["pvalue"][ok], values(want["pvalue"])[ok], rtol=1e-5)


@pytest.mark.parametrize("name", MODELS)
def test_type_1_is_r_sequential_anova(name):
    want = REF[name]["sequential"]
    got = table(fitted(name))  # type 1 is the default: the table of anova() before types existed
    assert [canon(t) for t in got.index[1:]] == [canon(t) for t in want["terms"][1:]]
    np.testing.assert_allclose(got["resid_deviance"], want["resid_deviance"], rtol=1e-9)
    if REF[name]["weights"]:  # frequency weights count as observations (SPEC), R counts rows
        res = fitted(name)
        assert got["df_resid"].iloc[-1] == res.df_resid == data(name)["w"].sum() - len(res.names)
    else:
        np.testing.assert_array_equal(got["df_resid"], want["df_resid"])
    np.testing.assert_array_equal(got["df"].iloc[1:].astype(int), values(want["df"])[1:])
    np.testing.assert_allclose(got["deviance"].iloc[1:], values(want["deviance"])[1:], rtol=1e-6)
    np.testing.assert_allclose(got["pvalue"].iloc[1:], values(want["pvalue"])[1:], rtol=1e-6)


@pytest.mark.parametrize("name", MODELS)
def test_drop1_matches_r(name):
    want = REF[name]["drop1"]
    got = rows_of(fitted(name).drop1(), want["terms"])
    assert got.index[0] == "<none>"
    np.testing.assert_array_equal(got["df"].iloc[1:].astype(int), values(want["df"])[1:])
    for col in ("deviance", "aic"):
        np.testing.assert_allclose(got[col], want[col], rtol=1e-9)
    np.testing.assert_allclose(got["statistic"].iloc[1:], values(want["statistic"])[1:], rtol=1e-6)
    np.testing.assert_allclose(got["pvalue"].iloc[1:], values(want["pvalue"])[1:], rtol=1e-6)
    assert list(fitted(name).drop1(test="none").columns) == ["df", "deviance", "aic"]


# --------------------------------------------------------------------------- definitions


def test_type_2_lr_is_the_lr_test_of_the_nested_fits():
    """Type II of sex in sex * passengerClass + age + sex:age: the model without sex and every
    term containing it against the model without those terms only (brute force by lr_test)."""
    df = data("titanic_interactions")
    res = fitted("titanic_interactions")
    small = ls.logit("survived ~ passengerClass + age", df)
    big = ls.logit("survived ~ sex + passengerClass + age", df)
    t = table(res, type=2)
    assert t.loc["sex", "statistic"] == pytest.approx(ls.lr_test(small, big).statistic, rel=1e-9)
    # a term no other term contains: type II = type III = drop1 = LR of the model without it
    drop = ls.logit("survived ~ sex * passengerClass + age", df)
    want = ls.lr_test(drop, res).statistic
    for got in (t.loc["sex:age", "statistic"], table(res, type=3).loc["sex:age", "statistic"],
                res.drop1().loc["sex:age", "statistic"]):
        assert got == pytest.approx(want, rel=1e-9)


def test_type_2_wald_is_the_difference_of_joint_wald_tests():
    r"""W = W(term and its relatives) - W(relatives), computed without the difference."""
    res = fitted("titanic_interactions")
    t = table(res, type=2, test="wald")
    cols = [n for n in res.names if n.startswith("sex[")]
    rel = [n for n in cols if ":" in n]
    both = res.wald_test([f"{c} = 0" for c in cols]).statistic
    assert t.loc["sex", "statistic"] == pytest.approx(
        both - res.wald_test([f"{c} = 0" for c in rel]).statistic, rel=1e-9)


def test_marginality_from_patsy_factors():
    res = fitted("titanic_interactions")
    f = lsa.term_factors(res.design.design_info, res.design.terms)
    assert sorted(lsa.relatives("sex", f)) == ["sex:age", "sex:passengerClass"]
    assert lsa.relatives("sex:age", f) == []
    assert lsa.drop_scope(f, [t for t in f if t != "Intercept"]) == ["sex:passengerClass", "sex:age"]


def test_array_interface_tests_each_column():
    df = data("mroz_logit")
    X = np.column_stack([np.ones(len(df)), df["k5"], df["age"]])
    y = (df["lfp"] == "yes").to_numpy()
    res = ls.logit(y, X, names=["const", "k5", "age"])
    small = ls.logit(y, X[:, [0, 2]], names=["const", "age"])
    t = table(res, type=2)
    assert list(t.index) == ["const", "k5", "age"]   # no intercept term without a formula
    assert t.loc["k5", "statistic"] == pytest.approx(ls.lr_test(small, res).statistic, rel=1e-9)


def test_units_do_not_change_the_tables():
    """A column in huge units is fitted on scaled data (logitstat.scaling): the same tables
    (every statistic is invariant to the units of a column; to the fits' tolerance)."""
    df = data("titanic_interactions").assign(age=lambda d: d["age"] * 1e150)
    big = ls.logit("survived ~ sex * passengerClass + age + sex:age", df)
    assert type(big).__name__ == "ScaledBinaryResults"
    res = fitted("titanic_interactions")
    for kw in ({"type": 2}, {"type": 3}, {"type": 2, "test": "wald"}, {"type": 3, "test": "wald"}):
        np.testing.assert_allclose(table(big, **kw)["statistic"], table(res, **kw)["statistic"],
                                   rtol=1e-6)
    np.testing.assert_allclose(table(big)["deviance"], table(res)["deviance"], rtol=1e-6)
    np.testing.assert_allclose(big.drop1()["statistic"], res.drop1()["statistic"], rtol=1e-6)


# --------------------------------------------------------------------------- separation, failures


def test_separated_fit_has_no_wald_test_of_the_diverging_term_but_its_lr_test():
    res = fitted(SEPARATED)
    with pytest.warns(ls.SeparationWarning, match="NV"):
        w = res.anova(type=2, test="wald")
    assert np.isnan(w.loc["NV", "statistic"]) and "NV" in w.attrs["note"]
    lr = table(res, type=2)
    assert np.isfinite(lr["statistic"]).all()             # the LR test exists (R's numbers above)
    assert "separated" in lr.attrs["note"]


def test_a_refit_that_does_not_converge_leaves_its_row_unavailable():
    res = fitted("mroz_logit")
    m = res._term_model
    stuck = lsa.ModelArrays(m.X, m.y, m.trials, m.weights, m.offset, m.link, m.params, m.deviance,
                            m.aic, m.terms, m.factors, m.nobs, max_iter=1)
    t = lsa.lr_table(stuck, 2)
    assert t["statistic"].isna().all() and (t["df"] == 1).all()
    assert "did not converge" in t.attrs["note"]
    d = lsa.drop1_table(stuck)
    assert d["statistic"].iloc[1:].isna().all() and d.loc["<none>", "deviance"] == res.deviance


# --------------------------------------------------------------------------- arguments, rendering


@pytest.mark.parametrize("kw, match", [({"type": 4}, "type=4"), ({"test": "F"}, "test='F'"),
                                       ({"type": 1, "test": "wald"}, "sequential")])
def test_bad_arguments_say_what_to_use(kw, match):
    with pytest.raises(ls.SpecificationError, match=match):
        fitted("mroz_logit").anova(**kw)
    with pytest.raises(ls.SpecificationError, match="test='wald'"):
        fitted("mroz_logit").drop1(test="wald")


def test_car_type_names_are_accepted():
    res = fitted("budworm_cloglog")
    pd.testing.assert_frame_equal(table(res, type="II"), table(res, type=2))
    pd.testing.assert_frame_equal(table(res, type="III", test="Wald"), table(res, type=3, test="wald"))


def test_likelihood_ratio_tables_need_a_maximum_likelihood_fit():
    df = data("mroz_logit")
    firth = ls.logit("lfp ~ k5 + age + wc", df, method="firth")
    for call in (lambda: firth.anova(type=2), lambda: firth.drop1()):
        with pytest.raises(ls.SpecificationError, match="method='irls'"):
            call()
    assert np.isfinite(firth.anova(type=2, test="wald")["statistic"]).all()
    weighted = ls.logit("lfp ~ k5 + age + wc", df, class_weight="balanced")
    with pytest.raises(ls.SpecificationError, match="pseudo-likelihood"):
        weighted.anova()
    assert np.isfinite(weighted.anova(type=3, test="wald")["statistic"]).all()


def test_term_table_renders_title_numbers_and_notes():
    res = fitted(SEPARATED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.SeparationWarning)
        out = TermTable.from_frame(res.anova(type=3, test="wald"))
    text = str(out)
    assert text.splitlines()[0].strip() == "Wald chi-square tests of each term (type III)"
    assert "—" in text.splitlines()[5] and "No Wald test of term NV" in text
    p = res.anova(type=2).loc["EH", "pvalue"]          # 8.8e-06: the journals' "<0.001"
    assert p < 1e-3 and "<0.001" in str(TermTable.from_frame(res.anova(type=2)))
    assert "| NV " in out.as_markdown() and "---" in out.as_latex() and "<table>" in out.as_html()
    seq = TermTable.from_frame(res.anova())
    assert seq.frame.attrs["title"] in seq.as_markdown() and "NULL" in str(seq)
    assert stats.chi2.sf(res.anova().loc["NV", "deviance"], 1) == pytest.approx(
        res.anova().loc["NV", "pvalue"], rel=1e-12)
