"""Marginal effects: closed forms for numeric variables (through np.log, powers and interactions),
discrete changes against predictions on modified data, the delta method against a numerical
Jacobian, and the invariances (weights = duplicated rows, grouped = individual rows).  Agreement
with R implementations of Stata's definitions is in test_reference_inference.py."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import logitstat as ls
from logitstat.inference.margins import marginal_effects


def make_data(n=300, seed=5):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"x": rng.uniform(0.5, 3.0, n), "z": rng.normal(size=n),
                       "g": pd.Categorical(rng.choice(list("abc"), n), categories=list("abc")),
                       "flag": rng.uniform(size=n) < 0.4, "d": rng.integers(0, 2, n),
                       "w": rng.integers(1, 4, n)})
    eta = -1 + 0.8 * np.log(df.x) + 0.5 * df.z * (df.g == "b") + 0.6 * df.flag - 0.4 * df.d
    df["y"] = (rng.uniform(size=n) < special.expit(eta)).astype(int)
    return df


@pytest.fixture(scope="module")
def df():
    return make_data()


def dens(res, eta):
    return res.link.mu_eta(eta)


def test_plain_numeric_average_effect_is_mean_density_times_beta(df):
    res = ls.logit("y ~ z + d", df)
    eta = res.predict(which="linear").to_numpy()
    me = res.marginal_effects()
    p = special.expit(eta)
    assert me.loc["z", "effect"] == pytest.approx(np.mean(p * (1 - p)) * res.params["z"], rel=1e-10)
    assert list(me.columns) == ["effect", "se", "z", "pvalue", "lower", "upper"]
    at_mean = res.marginal_effects(at="mean")
    xbar = res.design.X.mean(axis=0) @ res.params.to_numpy()
    pm = special.expit(xbar)
    assert at_mean.loc["d", "effect"] == pytest.approx(pm * (1 - pm) * res.params["d"], rel=1e-10)


@pytest.mark.parametrize("link", ["logit", "probit", "cloglog"])
def test_derivative_is_with_respect_to_the_variable(df, link):
    """x enters through np.log(x) and I(x**2); z through z and z:C(g)."""
    res = ls.glm("y ~ np.log(x) + I(x**2) + z * C(g)", df, link=link)
    b = res.params
    eta = res.predict(which="linear").to_numpy()
    f = dens(res, eta)
    x = df["x"].to_numpy()
    dx = b["np.log(x)"] / x + 2 * b["I(x ** 2)"] * x
    g = df["g"].to_numpy()
    dz = b["z"] + b["z:C(g)[T.b]"] * (g == "b") + b["z:C(g)[T.c]"] * (g == "c")
    me = res.marginal_effects()
    assert me.loc["x", "effect"] == pytest.approx(np.mean(f * dx), rel=1e-9)
    assert me.loc["z", "effect"] == pytest.approx(np.mean(f * dz), rel=1e-9)


def test_levels_are_discrete_changes_from_the_reference(df):
    res = ls.probit("y ~ z * C(g) + flag + d", df)
    me = res.marginal_effects()
    base = res.predict(df.assign(g=pd.Categorical(["a"] * len(df), categories=list("abc"))))
    for level in ("b", "c"):
        other = res.predict(df.assign(g=pd.Categorical([level] * len(df), categories=list("abc"))))
        assert me.loc[f"C(g)[T.{level}]", "effect"] == pytest.approx(np.mean(other - base), rel=1e-10)
    on, off = res.predict(df.assign(flag=True)), res.predict(df.assign(flag=False))
    assert me.loc["flag[T.True]", "effect"] == pytest.approx(np.mean(on - off), rel=1e-10)
    # rows in params' (patsy's column) order: by each variable's first column
    assert list(me.index) == ["C(g)[T.b]", "C(g)[T.c]", "flag[T.True]", "z", "d"]


def test_dummy_option_turns_0_1_variables_into_discrete_changes(df):
    res = ls.logit("y ~ z + d", df)
    assert res.marginal_effects().loc["d", "effect"] != pytest.approx(
        res.marginal_effects(dummy=True).loc["d", "effect"], rel=1e-6)
    change = np.mean(res.predict(df.assign(d=1)) - res.predict(df.assign(d=0)))
    assert res.marginal_effects(dummy=True).loc["d", "effect"] == pytest.approx(change, rel=1e-10)
    # z is not 0/1: still a derivative
    assert res.marginal_effects(dummy=True).loc["z", "effect"] == pytest.approx(
        res.marginal_effects().loc["z", "effect"], rel=1e-12)


def test_reference_level_follows_the_contrast(df):
    res = ls.logit('y ~ z + C(g, Treatment("c"))', df)
    me = res.marginal_effects()
    assert list(me.index) == ['C(g, Treatment("c"))[T.a]', 'C(g, Treatment("c"))[T.b]', "z"]
    cat = lambda lv: pd.Categorical([lv] * len(df), categories=list("abc"))  # noqa: E731
    change = np.mean(res.predict(df.assign(g=cat("a"))) - res.predict(df.assign(g=cat("c"))))
    assert me.iloc[0]["effect"] == pytest.approx(change, rel=1e-10)


def test_at_mean_uses_the_average_individual(df):
    res = ls.logit("y ~ np.log(x) + z + C(g)", df)
    me = res.marginal_effects(at="mean")
    b = res.params
    xbar = df["x"].mean()
    props = df["g"].value_counts(normalize=True)
    eta = (b["Intercept"] + b["np.log(x)"] * np.log(xbar) + b["z"] * df["z"].mean()
           + b["C(g)[T.b]"] * props["b"] + b["C(g)[T.c]"] * props["c"])
    p = special.expit(eta)
    assert me.loc["x", "effect"] == pytest.approx(p * (1 - p) * b["np.log(x)"] / xbar, rel=1e-9)
    eta_a = eta - b["C(g)[T.b]"] * props["b"] - b["C(g)[T.c]"] * props["c"]
    assert me.loc["C(g)[T.c]", "effect"] == pytest.approx(
        special.expit(eta_a + b["C(g)[T.c]"]) - special.expit(eta_a), rel=1e-10)


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_delta_method_matches_a_numerical_jacobian(df, at):
    """With the rank-one covariance u u', the delta-method SE is |G u|: the directional derivative
    of the effects along u, which central differences give independently."""
    res = ls.probit("y ~ np.log(x) + z * C(g) + flag", df, cov_type="HC1")
    d, b = res.design, res.params.to_numpy()
    rng = np.random.default_rng(0)
    for _ in range(2):
        u = rng.normal(size=len(b)) * res.bse.to_numpy()
        V = np.outer(u, u)
        h = 1e-4
        up = marginal_effects(d, df, b + h * u, V, res.link, at=at)["effect"].to_numpy()
        down = marginal_effects(d, df, b - h * u, V, res.link, at=at)["effect"].to_numpy()
        got = marginal_effects(d, df, b, V, res.link, at=at)["se"].to_numpy()
        np.testing.assert_allclose(got, np.abs(up - down) / (2 * h), rtol=1e-6)
    me, me90 = res.marginal_effects(at=at), res.marginal_effects(at=at, alpha=0.1)
    np.testing.assert_allclose(me90["upper"] - me90["effect"], stats.norm.ppf(0.95) * me["se"],
                               rtol=1e-12)
    np.testing.assert_allclose(me["pvalue"], 2 * stats.norm.sf(np.abs(me["effect"] / me["se"])))


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_frequency_weights_are_duplicated_rows(df, at):
    formula = "y ~ np.log(x) + z * C(g) + d"
    a = ls.logit(formula, df, weights="w").marginal_effects(at=at, dummy=True)
    b = ls.logit(formula, df.loc[df.index.repeat(df["w"])].reset_index(drop=True)).marginal_effects(
        at=at, dummy=True)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-7, atol=1e-12)


def test_grouped_rows_count_as_their_trials():
    dose = np.repeat(np.arange(6.0), 2)
    sex = np.tile(["F", "M"], 6)
    dead = np.array([0, 1, 2, 4, 6, 9, 10, 13, 12, 18, 16, 20.0])
    grouped = pd.DataFrame({"dead": dead, "alive": 20 - dead, "dose": dose, "sex": sex})
    rows = []
    for r in grouped.itertuples():
        rows += [{"y": 1, "dose": r.dose, "sex": r.sex}] * int(r.dead)
        rows += [{"y": 0, "dose": r.dose, "sex": r.sex}] * int(r.alive)
    single = pd.DataFrame(rows)
    for at in ("overall", "mean"):
        a = ls.logit("dead + alive ~ dose * sex", grouped).marginal_effects(at=at)
        b = ls.logit("y ~ dose * sex", single).marginal_effects(at=at)
        np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-7)


def test_rows_dropped_for_missing_values_are_left_out(df):
    holes = df.copy()
    holes.loc[::7, "z"] = np.nan
    holes.index = holes.index * 3 + 100          # labels, not positions, identify the rows
    a = ls.logit("y ~ z + C(g)", holes).marginal_effects()
    b = ls.logit("y ~ z + C(g)", holes.dropna()).marginal_effects()
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-10)


def test_the_callers_frame_is_not_modified(df):
    before = df.copy(deep=True)
    ls.logit("y ~ np.log(x) + z * C(g) + flag + d", df).marginal_effects(at="mean", dummy=True)
    pd.testing.assert_frame_equal(df, before)


def test_array_interface_treats_columns_as_variables(df):
    X = np.column_stack([np.ones(len(df)), df["z"], df["d"]])
    a = ls.logit(df["y"].to_numpy(), X, names=["const", "z", "d"]).marginal_effects(dummy=True)
    b = ls.logit("y ~ z + d", df).marginal_effects(dummy=True)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy(), rtol=1e-9)
    assert list(a.index) == ["z", "d"]


def test_variables_and_errors(df):
    res = ls.logit("y ~ z * C(g)", df)
    assert list(res.marginal_effects(variables=["g"]).index) == ["C(g)[T.b]", "C(g)[T.c]"]
    with pytest.raises(ls.SpecificationError, match="at='median'"):
        res.marginal_effects(at="median")
    with pytest.raises(ls.SpecificationError, match="'nope'.*'z', 'g'"):
        res.marginal_effects(variables=["nope"])
    cut = ls.logit("y ~ C(z > 0) + x", df)
    with pytest.raises(ls.SpecificationError, match="'z'.*'C\\(z > 0\\)'.*create that column"):
        cut.marginal_effects()
    assert list(cut.marginal_effects(variables=["x"]).index) == ["x"]
    with pytest.raises(ls.DataError, match="not the data the model was fitted on"):
        res.marginal_effects(data=df.assign(z=df["z"] + 1))


def test_a_fit_without_its_frame_asks_for_the_data(df):
    from logitstat.api import fit_design
    from logitstat.fitting.links import get_link

    res = ls.logit("y ~ z + C(g)", df)
    bare = fit_design(res.design, get_link("logit"))
    with pytest.raises(ls.SpecificationError, match="pass data="):
        bare.marginal_effects()
    np.testing.assert_allclose(bare.marginal_effects(data=df), res.marginal_effects())


def test_duplicate_index_labels_with_dropped_rows(df):
    """Rows dropped for a missing value and an index with repeated labels: the estimation rows
    are found by position, and the effects are those of the same data with a plain index."""
    d = df.copy()
    d.iloc[[3, 10], d.columns.get_loc("x")] = np.nan
    dup = d.set_axis(np.repeat(np.arange(len(d) // 2 + 1), 2)[:len(d)])
    formula = "y ~ z * C(g) + np.log(x)"
    for at in ("overall", "mean"):
        want = ls.logit(formula, d).marginal_effects(at=at)
        got = ls.logit(formula, dup).marginal_effects(at=at)
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12)


# --------------------------------------------------------------------------- separation

from separated import CASES, LINKS, intercept_separated_frame, separated_fit  # noqa: E402
from logitstat.diagnostics.separation import finite_part  # noqa: E402

# quasi-complete separation by the level of a factor (g = c, trt = C) or a dummy (NV): the column
# of the diverging coefficient is 0 on every row that is not predicted perfectly
BY_A_LEVEL = {"quasi_factor": ("g", ["x"]), "grouped": ("trt", ["dose"]),
              "endometrial": ("NV", ["PI", "EH"])}


def _effects(res, **kw):
    with pytest.warns(ls.SeparationWarning) as rec:
        me = res.marginal_effects(**kw)
    assert rec[0].filename == __file__ and rec[0].message.args[0] == me.attrs["note"]
    return me


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("name", sorted(BY_A_LEVEL))
def test_effects_under_separation_by_a_level_are_their_limits(name, link):
    """The separated rows' probabilities are 0 or 1 in the limit and the others' linear predictor
    is that of the finite part (the MLE on those rows): the average effect of x is
    sum_{i not separated} a_i F'(eta_i) beta_x / sum_i a_i, and its delta-method standard error
    uses the covariance of that fit.  Where R's glm stops the kept numbers are within ~1e-9 of
    these limits (relative deviance change < 1e-12); the effect of the separating variable does
    not exist."""
    res, directions, _ = separated_fit(name, link)
    sep_var, others = BY_A_LEVEL[name]
    me = _effects(res)
    d = res.design
    S = res.separation.report.separated_rows
    K = directions != 0
    assert not d.X[~S][:, K].any()
    keep = ~S & (d.weights * d.trials > 0)
    XN = d.X[keep][:, ~K]
    lim = finite_part(d.X, d.y, res.separation.report, d.trials, d.weights, d.offset, link,
                      tol=1e-12)
    fin = ls.irls.irls(XN, d.y[keep], d.trials[keep], d.weights[keep], d.offset[keep], res.link,
                       tol=1e-12)
    np.testing.assert_allclose(fin.params, lim[~K], rtol=1e-8)
    eta = XN @ fin.params + d.offset[keep]
    a = d.weights * d.trials
    finite_names = [n for n, k in zip(res.names, K) if not k]
    for var in others:
        j = finite_names.index(var)
        effect = np.sum(a[keep] * res.link.mu_eta(eta)) * fin.params[j] / a.sum()
        grad = XN.T @ (a[keep] * res.link.mu_eta2(eta) * fin.params[j]) / a.sum()
        grad[j] += np.sum(a[keep] * res.link.mu_eta(eta)) / a.sum()
        assert me.loc[var, "effect"] == pytest.approx(effect, rel=1e-7)
        assert me.loc[var, "se"] == pytest.approx(np.sqrt(grad @ fin.cov @ grad), rel=1e-7)
        assert np.isfinite(me.loc[var].to_numpy()).all()
    gone = [i for i in me.index if i.startswith(sep_var)]
    assert gone and me.loc[gone].isna().all().all()
    assert all(g in me.attrs["note"] for g in gone)


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("name", CASES)
def test_effects_at_the_means_of_a_separated_fit_do_not_exist(name, link):
    """The average individual has a non-zero entry in a diverging column (the intercept, or the
    proportion of the separated level), so its own linear predictor runs off."""
    res, directions, undetermined = separated_fit(name, link)
    me = _effects(res, at="mean")
    assert me.isna().all().all() and "average individual" in me.attrs["note"]


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("name", ["complete_one", "complete_two", "quasi_tied",
                                  "straddling_intercept"])
def test_effects_of_a_diverging_slope_do_not_exist(name, link):
    res, directions, undetermined = separated_fit(name, link)
    me = _effects(res)
    assert me.isna().all().all()  # every variable's own coefficient diverges or is undetermined


@pytest.mark.parametrize("link", LINKS)
def test_effects_leaning_on_a_diverging_intercept_keep_no_standard_error(link):
    """Issue 11: y = 1 whenever x > 1, where g = "a": the intercept (level a) runs to +inf and
    both other levels to -inf.  The effects of x and z exist (the rows of levels b and c fix
    them) but their gradient involves the intercept, whose variance grows without bound."""
    d = intercept_separated_frame()
    with pytest.warns(ls.SeparationWarning):
        res = ls.glm("y ~ x + z + g", d, link=link)
    assert res.separation.infinite == {"Intercept": 1, "g[T.b]": -1, "g[T.c]": -1}
    me = _effects(res)
    assert np.isfinite(me.loc[["x", "z"], "effect"]).all()
    assert me.loc[["x", "z"], ["se", "z", "pvalue", "lower", "upper"]].isna().all().all()
    assert me.loc[["g[T.b]", "g[T.c]"]].isna().all().all()
    assert "standard errors of x, z" in me.attrs["note"]


def test_overlapping_and_firth_fits_keep_every_effect(df):
    fits = [ls.logit("y ~ np.log(x) + z + g + flag", df),
            separated_fit("endometrial", "logit", method="firth")[0]]
    for res in fits:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for at in ("overall", "mean"):
                me = res.marginal_effects(at=at, data=res._frame)
                assert np.isfinite(me.to_numpy()).all() and "note" not in me.attrs


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_a_factor_of_its_own_terms_is_evaluated_without_a_design_per_level(at, monkeypatch):
    """A factor that enters only terms of its own has the same columns in every row, so its
    discrete changes move each linear predictor by a constant per level: the batched path
    (levels a block at a time, one product with X per block) equals rebuilding the design for
    every level to rounding; an interaction with another variable keeps the rebuild."""
    from logitstat.inference import margins

    rng = np.random.default_rng(4)
    n = 3000
    df = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice([f"l{k:02d}" for k in range(70)], n),
                       "w": rng.integers(1, 4, n).astype(float)})
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-(0.5 * df.x + (df.g.str[1:].astype(int) % 7 - 3) / 3)))).astype(int)
    res = ls.logit("y ~ x + C(g, Sum)", df, weights="w")
    fast = res.marginal_effects(at=at)
    calls = []
    monkeypatch.setattr(margins._Builder, "level_rows", lambda self, *a: calls.append(a) or None)
    slow = res.marginal_effects(at=at)
    assert calls and len(fast) == 70
    # both sum the same terms in other orders: rounding of probabilities near 0.5
    np.testing.assert_allclose(fast.to_numpy(), slow.to_numpy(), rtol=1e-10, atol=1e-13)
    monkeypatch.undo()
    inter = ls.logit("y ~ x * C(g)", df.assign(g=df.g.str[:2]), weights="w")
    builder_rows = margins._Builder(inter.design, margins.estimation_frame(inter.design, inter._frame))
    assert builder_rows.level_rows("g", ["l0", "l1"]) is None
