"""statsmodels' names (logitstat.smcompat, smmargins, smmodels, summary2) against statsmodels.

Reference: tests/reference/data/statsmodels_smcompat.json, made by
tests/reference/sm/make_statsmodels_reference.py with the statsmodels version it records (fits
with tol=1e-12), on the bundled mroz data with a factor (``C(wc)``, ``hc``) and an interaction
(``lwg*inc``), and mtcars for the array classes.

Tolerances: logitstat stops when the Newton decrement is below 1e-8 in standard-error units
(``tol``), so estimates agree with statsmodels' to about 1e-8 relative and every smooth function
of them (tests, effects, predictions) to ``REL = 1e-6``.  statsmodels' marginal-effect standard
errors come from a complex-step Jacobian (exact to rounding), logitstat's from the analytic one.
(Measured with statsmodels 0.15.0: every number within 4e-13 relative.)
"""
from __future__ import annotations

import inspect
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from conftest import DATA

# The reference fits use few clusters (R's examples do); the DataWarning they get is the
# subject of tests/inference/test_few_clusters.py, not of this file.
pytestmark = pytest.mark.filterwarnings("ignore:only .*clusters in groups=")

REF = json.loads((DATA / "statsmodels_smcompat.json").read_text())
REL = 1e-6


@pytest.fixture(scope="module")
def mroz():
    return ls.datasets.load("mroz")


@pytest.fixture(scope="module")
def res(mroz):
    return ls.logit(REF["logit_formula"], mroz)


@pytest.fixture(scope="module")
def pres(mroz):
    return ls.probit(REF["probit_formula"], mroz, information="observed")  # statsmodels' Probit


def close(a, b, rel=REL):
    """Equal to ``rel`` relative to each number or, for numbers near 0, to the largest one."""
    b = np.asarray(b, float)
    np.testing.assert_allclose(np.asarray(a, float), b, rtol=rel, equal_nan=True,
                               atol=rel * np.nanmax(np.abs(b), initial=1e-300))


def test_same_model_same_order(res, pres):
    assert list(res.params.index) == REF["logit"]["names"] == res.model.exog_names
    close(res.params, REF["logit"]["params"])
    close(res.bse, REF["logit"]["bse"])
    assert list(pres.params.index) == REF["probit"]["names"]
    close(pres.bse, REF["probit"]["bse"])


@pytest.mark.parametrize("key", ["string", "single", "matrix_row", "tuple"])
def test_t_test(res, key):
    ref = REF["logit"]["t_test"][key]
    k = len(res.params)
    R2 = np.zeros((2, k))
    R2[0, 0], R2[1, 3] = 1.0, 1.0
    h = {"string": "k5 = 0, age = k618", "single": "k5 = 0", "matrix_row": R2,
         "tuple": (R2, [1.0, 0.0])}[key]
    t = res.t_test(h)
    close(t.effect, ref["effect"])
    close(np.ravel(t.sd), ref["sd"])
    close(np.ravel(t.tvalue), ref["tvalue"])
    close(np.ravel(t.pvalue), ref["pvalue"])
    close(t.conf_int(), ref["conf_int"])
    assert list(np.shape(t.sd)) == ref["sd_shape"]          # (1, 1) for one restriction
    assert list(t.summary_frame().columns) == ref["frame_columns"]
    assert t.distribution == "norm" and "Test for Constraints" in str(t)


def test_f_test(res):
    ref = REF["logit"]["f_test"]
    f = res.f_test("k5 = 0, age = k618")
    close([f.fvalue, f.pvalue, f.df_num, f.df_denom],
          [ref["fvalue"], ref["pvalue"], ref["df_num"], ref["df_denom"]])
    # F = Wald / r, by definition
    assert f.fvalue == pytest.approx(res.wald_test("k5 = 0, age = k618").statistic / 2, rel=1e-14)
    assert repr(f).startswith("<F test: F=") and "df_denom=744" in repr(f)


def test_t_test_refuses_use_t(res):
    with pytest.raises(ls.SpecificationError, match="normal"):
        res.t_test("k5 = 0", use_t=True)


@pytest.mark.parametrize("which", ["logit", "probit"])
def test_get_margeff_every_option(res, pres, which):
    fit = res if which == "logit" else pres
    refs = REF[which]["margeff"]
    assert len(refs) >= 20
    for key, ref in refs.items():
        at, method, dummy, count = key.split("|")
        me = fit.get_margeff(at=at, method=method, dummy=dummy == "1", count=count == "1")
        close(me.margeff, ref["margeff"])
        close(me.margeff_se, ref["margeff_se"])
        frame = me.summary_frame()
        assert list(frame.index) == ref["names"] and list(frame.columns) == ref["columns"]


def test_get_margeff_refuses_what_statsmodels_refuses(res):
    with pytest.raises(ls.SpecificationError, match="eyex"):
        res.get_margeff(method="eyex", dummy=True)
    with pytest.raises(ls.SpecificationError, match="median"):
        res.get_margeff(at="median", count=True)
    with pytest.raises(ls.SpecificationError, match="at="):
        res.get_margeff(at="somewhere")


def test_get_margeff_frequency_weights_are_duplicated_rows():
    """Invariance: weights 2 give the effects of the data with every row twice."""
    cars = ls.datasets.load("mtcars")
    w = np.where(np.arange(len(cars)) % 3 == 0, 2.0, 1.0)
    weighted = ls.logit("am ~ wt + mpg", cars.assign(w=w), weights="w")
    doubled = ls.logit("am ~ wt + mpg", pd.concat([cars, cars[w == 2]]))
    for at in ("overall", "mean", "median"):
        a, b = weighted.get_margeff(at=at), doubled.get_margeff(at=at)
        close(a.margeff, b.margeff, rel=1e-7)
        close(a.margeff_se, b.margeff_se, rel=1e-7)


def test_classification_residuals_and_retvals(res):
    ref = REF["logit"]
    np.testing.assert_array_equal(res.pred_table(), ref["pred_table"])
    np.testing.assert_array_equal(res.pred_table(0.3), ref["pred_table_03"])
    close(res.resid_generalized, ref["resid_generalized"])
    rv = res.mle_retvals
    assert rv["converged"] is True and rv["iterations"] == res.n_iter
    close(rv["fopt"], ref["fopt"])
    close(rv["Hessian"], ref["hessian"])
    assert np.max(np.abs(rv["score"])) < 1e-8


def test_model_attribute(res):
    m = res.model
    assert m.exog_names == REF["logit"]["exog_names"] and m.endog_names == "lfp"
    assert m.exog is res.design.X            # no copy of X
    close(m.predict(res.params.to_numpy(), m.exog[:5]), REF["logit"]["predict_exog"])


def test_predict_exog_and_prediction(res, mroz):
    ref = REF["logit"]
    X = res.model.exog[:5]
    close(res.predict(exog=X), ref["predict_exog"])
    close(res.predict(X, transform=False), ref["predict_exog"])
    close(res.predict(exog=pd.DataFrame(X, columns=res.names)), ref["predict_exog"])
    pred = res.get_prediction(mroz.iloc[:5])
    close(pred.predicted_mean, ref["prediction"]["predicted"])
    close(pred.se_mean, ref["prediction"]["se"])
    close(pred.conf_int(), ref["prediction"]["conf_int"])
    with pytest.raises(ls.PredictionError):
        res.predict(exog=X[:, :3])


def test_summary2(res):
    s = res.summary2()
    info, table = s.tables
    assert list(table.columns) == REF["logit"]["summary2"]["columns"]
    close(table.to_numpy(), REF["logit"]["summary2"]["values"])
    text = str(s)
    assert "Results: Logit" in text and "Pseudo R-squared:" in text and "LL-Null:" in text
    assert info.shape == (8, 4)


def test_array_classes_name_columns_as_statsmodels():
    cars = ls.datasets.load("mtcars")
    ref = REF["arrays"]
    X = np.column_stack([np.ones(len(cars)), cars[["wt", "hp"]].to_numpy(float)])
    fit = ls.Logit(cars["am"].to_numpy(), X).fit(disp=0, maxiter=50, method="newton")
    assert list(fit.params.index) == ref["logit_names"] == ["const", "x1", "x2"]
    assert fit.model.endog_names == ref["logit_endog"]
    close(fit.params, ref["logit_params"])
    close(fit.bse, ref["logit_bse"])
    Xdf = pd.DataFrame({"const": 1.0, "wt": cars["wt"], "hp": cars["hp"]})
    pfit = ls.Probit(cars["am"], Xdf).fit()
    assert list(pfit.params.index) == ref["probit_names"] and pfit.model.endog_names == "am"
    close(pfit.params, ref["probit_params"])
    close(pfit.bse, ref["probit_bse"])   # observed information, as statsmodels' Probit


def test_array_class_options(mroz):
    y = (mroz["lfp"] == "yes").astype(int)
    X = pd.DataFrame({"const": 1.0, "k5": mroz["k5"], "age": mroz["age"]})
    clustered = ls.Logit(y, X).fit(cov_type="cluster", cov_kwds={"groups": mroz["k618"]})
    direct = ls.glm(y, X, cov_type="cluster", groups=mroz["k618"])
    close(clustered.bse, direct.bse, rel=1e-12)
    with pytest.raises(ls.SpecificationError, match="bogus"):
        ls.Logit(y, X).fit(bogus=1)
    Xm = X.astype(float).copy()
    Xm.iloc[3, 1] = np.nan
    dropped = ls.Logit(y, Xm, missing="drop").fit()
    assert dropped.nobs == len(y) - 1
    formula = ls.Logit.from_formula("lfp ~ k5 + age", mroz).fit()
    close(formula.params, ls.logit("lfp ~ k5 + age", mroz).params, rel=1e-12)


def test_fit_on_results_says_what_to_do(res, mroz):
    with pytest.raises(ls.AlreadyFittedError, match=r"drop the \.fit\(\)") as info:
        res.fit()
    assert isinstance(info.value, AttributeError) and isinstance(info.value, ls.LogitstatError)
    with pytest.raises(ls.AlreadyFittedError):
        res.fit(disp=0, cov_type="HC1")
    for other in (ls.mnlogit("wc ~ k5", mroz), ls.logit("lfp ~ k5", mroz, penalty="l2", alpha=0.1)):
        with pytest.raises(ls.AlreadyFittedError, match=type(other).__name__):
            other.fit()


def test_logit_and_probit_show_every_glm_keyword():
    glm_params = inspect.signature(ls.glm).parameters
    for fn in (ls.logit, ls.probit):
        sig = inspect.signature(fn).parameters
        assert set(sig) == set(glm_params) - {"link"}
        assert all(sig[k].default == glm_params[k].default for k in sig)
        doc = fn.__doc__
        for section in ("Parameters", "Returns", "Raises", "Examples"):
            assert f"{section}\n    ---" in doc
    with pytest.raises(ls.SpecificationError, match="glm"):
        ls.probit("lfp ~ k5", ls.datasets.load("mroz"), link="logit")


def test_logit_keyword_arguments_still_reach_glm(mroz):
    w = np.where(np.arange(len(mroz)) % 2 == 0, 2.0, 1.0)
    res = ls.logit("lfp ~ k5", mroz, weights=w, cov_type="HC0", max_iter=50)
    direct = ls.glm("lfp ~ k5", mroz, weights=w, cov_type="HC0", max_iter=50)
    close(res.bse, direct.bse, rel=1e-14)
    k = 3  # noqa: F841 -- found in the caller's namespace by the formula below
    assert ls.probit("lfp ~ I(k5 * k)", mroz).params.index[1] == "I(k5 * k)"


def test_marginal_effects_rows_follow_params(res):
    me = res.marginal_effects()
    first = {}
    for row in me.index:  # each row's first column among the coefficients
        cols = [j for j, n in enumerate(res.names) if n == row or n.startswith(row + ":")
                or n.endswith(":" + row)]
        first[row] = min(cols)
    assert list(me.index) == sorted(me.index, key=first.get)
    assert list(me.index)[:2] == ["C(wc)[T.yes]", "hc[T.yes]"]


def test_separated_t_test_is_nan_with_a_warning():
    df = pd.DataFrame({"y": [0, 0, 0, 0, 1, 1, 1, 1, 0, 1],   # complete separation by x
                       "x": [1, 2, 3, 4, 6, 7, 8, 9, 4.5, 5.5],
                       "z": [1.0, 0.5, 2.0, 1.5, 0.3, 1.1, 0.7, 1.9, 0.2, 0.9]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.SeparationWarning)
        sep = ls.logit("y ~ x + z", df)
    assert sep.separation.separated
    with pytest.warns(ls.SeparationWarning):
        t = sep.t_test("x = 0")
    assert np.isnan(t.sd).all() and np.isnan(t.pvalue)


def test_live_statsmodels_on_another_model():
    """Live check (skipped without statsmodels): a logit with a factor on mtcars, average
    effects with dummies as discrete changes, and a z test."""
    sm = pytest.importorskip("statsmodels.formula.api")
    cars = ls.datasets.load("mtcars")
    ref = sm.logit("am ~ wt + C(cyl)", cars).fit(disp=0, tol=1e-12)
    ours = ls.logit("am ~ wt + C(cyl)", cars)
    for method in ("dydx", "eydx"):
        a = ours.get_margeff(method=method, dummy=True)
        b = ref.get_margeff(method=method, dummy=True)
        close(a.margeff, b.margeff)
        close(a.margeff_se, b.margeff_se)
    close(ours.t_test("wt = 0").sd, ref.t_test("wt = 0").sd)
