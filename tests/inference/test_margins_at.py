"""Margins at values, predictive margins and contrasts (logitstat.margins_at).

Checked against: R implementations of the definitions (tests/reference/r/margins_at.R: model.matrix
on modified data, analytic gradients verified by numDeriv, p.adjust), closed forms (a saturated
one-factor model: the margin is the level's observed proportion with variance p(1-p)/n), brute
force (predict() on modified data, a central difference of the coefficient map), and invariances
(frequency weights = duplicated rows, grouped = individual rows).
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import logitstat as ls
from logitstat.inference.margins_at import ReplacedColumns, adjust_pvalues, contrast_matrix, margins_at

REF = json.loads((Path(__file__).resolve().parents[1] / "reference" / "data" / "margins_at.json").read_text())
MODELS = REF["models"]
# R's fits are polished until the score is below 1e-11 (margins_at.R); logitstat's estimates are
# within 1e-8 (relative) of the optimum, and margins, their gradients and standard errors are
# smooth in the estimates with derivatives of order one here, so they agree to ~1e-8 relative
# (measured: 9e-11): rtol 1e-6.  A p-value's relative error is about z^2 (< 100 here) times the
# relative error of z: rtol 1e-4.
RTOL = 1e-6


@pytest.fixture(scope="module")
def birthwt():
    d = ls.datasets.load("birthwt")
    return d.assign(w=d["ftv"] + 1)


@pytest.fixture(scope="module")
def fits(birthwt):
    bud = ls.datasets.load("budworm")
    return {"A": ls.logit("low ~ np.log(lwt) + age + I(age**2) + race * smoke", birthwt),
            "B": ls.probit("low ~ age * smoke + lwt + race", birthwt, weights="w"),
            "C": ls.glm("numdead + numalive ~ ldose * sex", bud, link="cloglog"),
            "D": ls.glm("low ~ race + smoke + lwt", birthwt, link="cauchit")}


def check(table, ref, column, p="p"):
    np.testing.assert_allclose(table[column], ref["est"], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(table["se"], ref["se"], rtol=RTOL)
    np.testing.assert_allclose(table["pvalue"], ref[p] if isinstance(p, str) else p, rtol=1e-4)


# --------------------------------------------------------------------------- R references


def test_margins_at_values_match_r(fits):
    A = MODELS["A"]
    check(fits["A"].margins(at={"age": [20, 25, 30]}).table, A["at_age"], "margin")
    m = fits["A"].margins(at={"age": [20, 30], "smoke": [0, 1]})
    check(m.table, A["at_age_smoke"], "margin")
    assert list(m.table.index) == ["age=20, smoke=0", "age=20, smoke=1", "age=30, smoke=0",
                                   "age=30, smoke=1"]
    assert m.grid["age"].tolist() == [20, 20, 30, 30]
    check(fits["A"].margins().table, A["overall"], "margin")
    check(fits["B"].margins(at={"lwt": [100, 150]}).table, MODELS["B"]["at_lwt"], "margin")
    check(fits["C"].margins(at={"ldose": [1, 2.5]}).table, MODELS["C"]["at_ldose"], "margin")


@pytest.mark.parametrize("key, term", [("A", "race"), ("B", "race"), ("C", "sex"), ("D", "race")])
def test_predictive_margins_match_r(fits, key, term):
    pm = fits[key].predictive_margins(term)
    check(pm.table, MODELS[key][term], "margin")
    assert list(pm.table.index) == list(fits[key]._frame[term].cat.categories)


@pytest.mark.parametrize("key, term", [("A", "race"), ("B", "race"), ("C", "sex"), ("D", "race")])
@pytest.mark.parametrize("adjust", ["none", "holm", "bonferroni"])
def test_pairwise_contrasts_match_r_p_adjust(fits, key, term, adjust):
    ref = MODELS[key]["pairwise"]
    if adjust != "none" and adjust not in ref["p_adj"]:
        pytest.skip("not computed in R for this model")
    p = ref["p"] if adjust == "none" else ref["p_adj"][adjust]
    c = fits[key].contrasts(term, adjust=adjust)
    check(c.table, ref, "contrast", p=np.atleast_1d(p))


def test_reference_contrasts_match_r(fits):
    c = fits["A"].contrasts("race", method="reference", adjust="holm")
    assert list(c.table.index) == ["black - white", "other - white"]
    check(c.table, MODELS["A"]["reference"], "contrast", p=MODELS["A"]["reference"]["p_adj"]["holm"])


def test_dydx_at_values_match_r(fits):
    res = fits["A"]
    e = res.margins(at={"age": [20, 30]}, dydx="age").table
    assert list(e.index) == ["age @ age=20", "age @ age=30"]
    check(e, MODELS["A"]["dydx_age"], "effect")
    e = res.margins(at={"age": 30}, dydx="race").table
    assert list(e.index) == ["race[T.black] @ age=30", "race[T.other] @ age=30"]
    check(e, MODELS["A"]["dydx_race_age30"], "effect")


# --------------------------------------------------------------------------- closed forms


@pytest.mark.parametrize("link", ["logit", "probit", "cloglog", "cauchit"])
def test_saturated_one_factor_margin_is_observed_proportion(birthwt, link):
    """y ~ g is saturated: every row set to level l predicts p_l, the level's (weighted)
    proportion, with delta-method variance p_l(1-p_l)/n_l under any link (the inverse Fisher
    information of a saturated binomial model); contrasts of independent levels add variances.
    Tolerance: the fit's convergence criterion (1e-8 relative on the estimates)."""
    res = ls.glm("low ~ race", birthwt, link=link, weights="w")
    grp = birthwt.groupby("race", observed=True)
    n = grp["w"].sum()
    p = grp.apply(lambda g: np.average(g["low"], weights=g["w"]), include_groups=False)
    pm = res.predictive_margins("race").table
    np.testing.assert_allclose(pm["margin"], p[pm.index], rtol=1e-7)
    np.testing.assert_allclose(pm["se"], np.sqrt(p * (1 - p) / n)[pm.index], rtol=1e-7)
    c = res.contrasts("race", method="reference", adjust="none").table
    var = p * (1 - p) / n
    np.testing.assert_allclose(c["contrast"], [p["black"] - p["white"], p["other"] - p["white"]],
                               rtol=1e-7)
    np.testing.assert_allclose(c["se"], np.sqrt([var["black"] + var["white"],
                                                 var["other"] + var["white"]]), rtol=1e-7)


def test_no_at_is_mean_fitted_probability(fits):
    res = fits["B"]
    w = res.design.weights
    np.testing.assert_allclose(res.margins().table["margin"].iloc[0],
                               np.average(res.fittedvalues, weights=w), rtol=1e-12)


def test_adjust_pvalues_closed_forms():
    """Holm's step-down by hand on a small set, Bonferroni and Šidák by their formulas."""
    p = np.array([0.01, 0.04, 0.03, np.nan, 0.5])
    # m = 4 non-missing: sorted 0.01, 0.03, 0.04, 0.5 -> 0.04, 0.09, 0.09 (cummax of 0.08), 0.5
    np.testing.assert_allclose(adjust_pvalues(p, "holm"), [0.04, 0.09, 0.09, np.nan, 0.5])
    np.testing.assert_allclose(adjust_pvalues(p, "bonferroni"), [0.04, 0.16, 0.12, np.nan, 1.0])
    np.testing.assert_allclose(adjust_pvalues(p, "sidak"), 1 - (1 - p) ** 4)
    np.testing.assert_array_equal(adjust_pvalues(p, "none"), p)


def test_contrast_matrices():
    levels = ("a", "b", "c")
    C, lab = contrast_matrix(levels, "pairwise")
    assert lab == ["a - b", "a - c", "b - c"]
    np.testing.assert_array_equal(C, [[1, -1, 0], [1, 0, -1], [0, 1, -1]])
    C, lab = contrast_matrix(levels, "revpairwise")
    assert lab == ["b - a", "c - a", "c - b"]
    C, lab = contrast_matrix(levels, "reference", "b")
    assert lab == ["a - b", "c - b"]
    np.testing.assert_array_equal(C, [[1, -1, 0], [0, -1, 1]])
    C, lab = contrast_matrix(levels, "consecutive")
    assert lab == ["b - a", "c - b"]


def test_bonferroni_interval_level(fits):
    """Bonferroni (and Holm) intervals have level 1 - alpha/m: half-width z_{1-alpha/(2m)} se."""
    c = fits["A"].contrasts("race", adjust="bonferroni").table
    half = (c["upper"] - c["lower"]) / 2
    np.testing.assert_allclose(half, stats.norm.ppf(1 - 0.05 / 6) * c["se"], rtol=1e-12)
    c = fits["A"].contrasts("race", adjust="none", alpha=0.1).table
    np.testing.assert_allclose((c["upper"] - c["lower"]) / 2, stats.norm.ppf(0.95) * c["se"],
                               rtol=1e-12)


# --------------------------------------------------------------------------- brute force


def test_margins_equal_mean_prediction_on_modified_data(fits, birthwt):
    """The margin at age=27, race=other is the mean of predict() on the data with every row so
    set: predict builds the whole design through new_design_matrix (an independent path)."""
    res = fits["A"]
    m = res.margins(at={"age": 27.0, "race": "other"}).table["margin"].iloc[0]
    nd = birthwt.assign(age=27.0, race=pd.Categorical(["other"] * len(birthwt),
                                                      categories=birthwt["race"].cat.categories))
    np.testing.assert_allclose(m, res.predict(nd).mean(), rtol=1e-13)


def test_dydx_at_equals_difference_of_predictions(fits, birthwt):
    """d margin / d age at age=30 by a central difference of predict() (h = 1e-4: truncation
    O(h^2) ~ 1e-9 relative against rounding 1e-16/h ~ 1e-12)."""
    res = fits["A"]
    h = 1e-4
    up, dn = (res.predict(birthwt.assign(age=30 + s)).mean() for s in (h, -h))
    e = res.margins(at={"age": 30}, dydx="age").table["effect"].iloc[0]
    np.testing.assert_allclose(e, (up - dn) / (2 * h), rtol=1e-6)


@pytest.mark.parametrize("key", ["A", "B", "C"])
def test_jacobian_matches_central_difference(fits, key):
    """The analytic gradient (stored in .jacobian) against a central difference of the margins
    in each coefficient (h = 1e-6 scaled: truncation ~1e-12, rounding ~1e-10)."""
    res = fits[key]
    at = {"A": {"age": [20, 30], "race": ["black"]}, "B": {"lwt": [120], "smoke": [0, 1]},
          "C": {"ldose": [2.0], "sex": ["F", "M"]}}[key]
    d, b = res.design, res.fit_result.params

    def f(params):
        return margins_at(d, res._frame, params, res._cov, res.link, at=at).table["margin"].to_numpy()

    G = res.margins(at=at).jacobian
    num = np.empty_like(G)
    for j in range(len(b)):
        h = 1e-6 * max(1.0, abs(b[j]))
        e = np.zeros_like(b)
        e[j] = h
        num[:, j] = (f(b + e) - f(b - e)) / (2 * h)
    np.testing.assert_allclose(G, num, rtol=1e-6, atol=1e-9)


def test_replaced_columns_equal_the_explicit_matrix():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 5))
    J = np.array([3, 1])
    XJ = rng.normal(size=(50, 2))
    full = X.copy()
    full[:, J] = XJ
    R = ReplacedColumns(X, J, XJ)
    b, v = rng.normal(size=5), rng.normal(size=50)
    np.testing.assert_allclose(R @ b, full @ b, rtol=1e-13)
    np.testing.assert_allclose(R.T @ v, full.T @ v, rtol=1e-13)
    np.testing.assert_array_equal(R[:, np.array([1, 2])], full[:, [1, 2]])
    np.testing.assert_array_equal(X[:, 3], np.asarray(X)[:, 3])  # X itself untouched


def test_array_interface_margins_at():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 2))
    y = (rng.uniform(size=300) < special.expit(0.3 + X[:, 0] - 0.5 * X[:, 1])).astype(int)
    res = ls.probit(y, X)
    m = res.margins(at={"x2": [0.0, 1.0]}).table["margin"]
    for k, v in enumerate([0.0, 1.0]):
        Xv = np.column_stack([X[:, 0], np.full(300, v)])  # the array interface adds no intercept
        np.testing.assert_allclose(m.iloc[k], res.predict(Xv).mean(), rtol=1e-13)
    with pytest.raises(ls.SpecificationError, match="formula model"):
        res.predictive_margins("x2")


# --------------------------------------------------------------------------- invariances


def test_frequency_weights_equal_duplicated_rows(birthwt):
    """A row of weight w and w copies of it give the same fit, hence the same margins and
    standard errors (to the convergence criterion)."""
    f = "low ~ age * smoke + lwt + race"
    rw = ls.logit(f, birthwt, weights="w")
    rd = ls.logit(f, birthwt.loc[birthwt.index.repeat(birthwt["w"])].reset_index(drop=True))
    for a, b in [(rw.predictive_margins("race"), rd.predictive_margins("race")),
                 (rw.margins(at={"age": [25]}, dydx="lwt"), rd.margins(at={"age": [25]}, dydx="lwt")),
                 (rw.contrasts("race"), rd.contrasts("race"))]:
        pd.testing.assert_frame_equal(a.table, b.table, rtol=1e-7)


def test_grouped_equal_individual_rows():
    bud = ls.datasets.load("budworm")
    rows = []
    for _, r in bud.iterrows():
        rows += [(r.ldose, r.sex, 1)] * int(r.numdead) + [(r.ldose, r.sex, 0)] * int(r.numalive)
    ind = pd.DataFrame(rows, columns=["ldose", "sex", "dead"])
    ind["sex"] = pd.Categorical(ind["sex"], categories=bud["sex"].cat.categories)
    rg = ls.glm("numdead + numalive ~ ldose * sex", bud, link="cloglog")
    ri = ls.glm("dead ~ ldose * sex", ind, link="cloglog")
    pd.testing.assert_frame_equal(rg.predictive_margins("sex").table,
                                  ri.predictive_margins("sex").table, rtol=1e-7)
    pd.testing.assert_frame_equal(rg.margins(at={"ldose": [1, 3]}).table,
                                  ri.margins(at={"ldose": [1, 3]}).table, rtol=1e-7)


def test_factor_name_and_column_name_agree(birthwt):
    res = ls.logit("low ~ C(race) + age", birthwt)
    a = res.predictive_margins("race").table
    b = res.predictive_margins("C(race)").table
    pd.testing.assert_frame_equal(a, b)


def test_data_not_modified(fits, birthwt):
    before = birthwt.copy()
    fits["A"].margins(at={"age": [20], "race": ["black", "other"]}, dydx="*")
    fits["A"].contrasts("race", at={"age": 30})
    pd.testing.assert_frame_equal(birthwt, before)


# --------------------------------------------------------------------------- separation


def test_separated_level_margin_is_one_without_se():
    """Every row of level c is an event: its coefficient runs to +inf, the margin at c is 1 (to
    R's stopping point) and has no standard error; the other levels are unaffected."""
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"g": pd.Categorical(rng.choice(list("abc"), 300)), "x": rng.normal(size=300)})
    df["y"] = ((rng.uniform(size=300) < 0.4) | (df["g"] == "c")).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.SeparationWarning)
        res = ls.logit("y ~ g + x", df)
    with pytest.warns(ls.SeparationWarning, match="standard error of c"):
        pm = res.predictive_margins("g").table
    assert np.isnan(pm.loc["c", "se"]) and abs(pm.loc["c", "margin"] - 1) < 1e-6
    assert np.all(np.isfinite(pm.loc[["a", "b"], "se"]))


# --------------------------------------------------------------------------- errors, rendering


@pytest.mark.parametrize("call, match", [
    (lambda r: r.margins(at=[("age", 30)]), "must be a dict"),
    (lambda r: r.margins(at={"height": 3}), "'height': ...}: not a variable"),
    (lambda r: r.margins(at={"race": "purple"}), "not level"),
    (lambda r: r.margins(at={"age": "old"}), "is numeric"),
    (lambda r: r.margins(at={"age": [np.inf]}), "finite"),
    (lambda r: r.margins(at={"age": []}), "at least one value"),
    (lambda r: r.margins(dydx="height"), "not variables of the model"),
    (lambda r: r.predictive_margins("age"), "is numeric"),
    (lambda r: r.predictive_margins("height"), "not a variable"),
    (lambda r: r.predictive_margins("race", at={"race": "white"}), "leave it out"),
    (lambda r: r.contrasts("race", method="tukey"), "method='tukey'"),
    (lambda r: r.contrasts("race", adjust="fdr"), "adjust='fdr'"),
    (lambda r: r.contrasts("race", method="reference", reference="purple"), "not a level"),
    (lambda r: r.contrasts("race", at={"age": [20, 30]}), "single values"),
])
def test_errors_name_the_problem(fits, call, match):
    with pytest.raises(ls.SpecificationError, match=match) as exc:
        call(fits["A"])
    assert isinstance(exc.value, ValueError)


def test_renderings(fits):
    c = fits["A"].contrasts("race", method="reference", adjust="bonferroni", at={"age": 30})
    text = str(c)
    assert "Contrasts of predictive margins" in text and "black - white" in text
    assert "At:" in text and "age = 30" in text and "bonferroni" in text
    est = c.table.loc["black - white", "contrast"]
    assert f"{est:.4f}" in text
    s = c.summary()
    assert "<table>" in s.as_html() and "black - white" in c._repr_html_()
    assert "\\toprule" in s.as_latex()
    assert "P>\\|z\\|" in s.as_markdown()
    e = str(fits["A"].margins(at={"age": [20]}, dydx="age"))
    assert "dy/dx" in e and "age @ age=20" in e


def test_row_blocks_give_the_same_margins(monkeypatch):
    """The rebuilt columns are made in row blocks (BLOCK_CELLS values at a time): blocks of
    4096 rows must give the single-block numbers to rounding (sums in a different order)."""
    import logitstat.inference.margins_at as MA

    rng = np.random.default_rng(11)
    n = 10_000
    df = pd.DataFrame({"x": rng.uniform(0.5, 3, n), "g": pd.Categorical(rng.choice(list("abcd"), n)),
                       "w": rng.integers(1, 4, n)})
    df["y"] = (rng.uniform(size=n) < special.expit(np.log(df.x) - (df.g == "b"))).astype(int)
    res = ls.logit("y ~ np.log(x) + I(x**2) + C(g) * center(x)", df, weights="w")
    one = res.margins(at={"x": [1.0, 2.0], "g": ["a", "c"]}).table
    pm1 = res.predictive_margins("g").table
    monkeypatch.setattr(MA, "BLOCK_CELLS", 1)  # 4096-row blocks: three per point
    pd.testing.assert_frame_equal(res.margins(at={"x": [1.0, 2.0], "g": ["a", "c"]}).table, one,
                                  rtol=1e-12)
    pd.testing.assert_frame_equal(res.predictive_margins("g").table, pm1, rtol=1e-12)


def test_units_of_a_column_do_not_matter_also_for_a_column_scaled_fit():
    """x in units of 1e-200 makes the fit run on power-of-two scaled columns (logitstat.scaling)
    with its covariance in those units; margins, effects at values and contrasts are the same
    as on the plain data (to the convergence criterion of the two fits)."""
    rng = np.random.default_rng(2)
    n = 400
    df = pd.DataFrame({"x": rng.normal(size=n), "g": pd.Categorical(rng.choice(list("abc"), n))})
    df["y"] = (rng.uniform(size=n) < special.expit(df.x + (df.g == "b"))).astype(int)
    r1 = ls.logit("y ~ x * g", df)
    r2 = ls.logit("y ~ x * g", df.assign(x=df.x * 1e200))
    assert hasattr(r2, "col_scale")
    for a, b in [(r1.margins(at={"x": [0.5]}, dydx="g"), r2.margins(at={"x": [0.5e200]}, dydx="g")),
                 (r1.contrasts("g"), r2.contrasts("g")),
                 (r1.margins(at={"x": [-1.0, 1.0]}), r2.margins(at={"x": [-1e200, 1e200]}))]:
        np.testing.assert_allclose(a.table.to_numpy(), b.table.to_numpy(), rtol=1e-7, atol=1e-12)
