"""The inference layer against R: robust and clustered covariances, observed information, term
tests, analysis of deviance, LR tests, profile intervals, marginal effects, residuals and
influence.

Reference values: ``tests/reference/data/inference_*.json``, made by
``tests/reference/r/inference.R`` with R 4.2.2, sandwich 3.0.2, car 3.1.1, MASS 7.3-58.2 and
numDeriv (versions recorded in each JSON), plus the shared cases in ``tests/reference/cases``.
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache

import numpy as np
import pandas as pd
import pytest

import logitstat as ls

from conftest import CASE_NAMES, DATA, canon, fit_reference_case

# The reference fits use few clusters (R's examples do); the DataWarning they get is the
# subject of tests/inference/test_few_clusters.py, not of this file.
pytestmark = pytest.mark.filterwarnings("ignore:only .*clusters in groups=")

MODELS = ["mtcars_logit", "mtcars_probit", "mtcars_cloglog", "infert_logit", "infert_probit",
          "birthwt_logit", "birthwt_probit", "budworm_logit", "budworm_cloglog"]
CLUSTERED = [m for m in MODELS if m.startswith(("mtcars", "infert"))]


def positions(r_names, ours) -> list:
    """Our names of R's coefficients ``r_names``, in R's order."""
    index = {canon(n): n for n in ours}
    return [index[canon(n)] for n in r_names]


@lru_cache(maxsize=None)
def reference(name: str):
    ex = json.loads((DATA / f"inference_{name}.json").read_text())
    df = pd.read_csv(DATA / f"inference_{ex['data']}.csv")
    for col, spec in ex["columns"].items():
        if spec["kind"] == "categorical":
            df[col] = pd.Categorical(df[col].astype(str), categories=spec["levels"])
    return df, ex


def fit(name: str, **kw):
    df, ex = reference(name)
    return ls.glm(ex["formula"], df, link=ex["link"], **kw)


@lru_cache(maxsize=None)
def default_fit(name: str):
    return fit(name)


def matrix(res, r_names) -> np.ndarray:
    order = positions(r_names, res.params.index)
    return res.cov_params().loc[order, order].to_numpy()


def assert_cov(got: np.ndarray, want, rtol: float):
    """Entries in units of sqrt(V_ii V_jj), so that tiny off-diagonal covariances are judged fairly."""
    want = np.asarray(want, dtype=float)
    d = np.sqrt(np.diag(want))
    np.testing.assert_allclose(got / np.outer(d, d), want / np.outer(d, d), rtol=0, atol=rtol)


# --------------------------------------------------------------------------- covariances


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC2", "HC3"])
def test_heteroskedasticity_robust_matches_vcovHC(name, cov_type):
    _, ex = reference(name)
    res = fit(name, cov_type=cov_type)
    assert_cov(matrix(res, ex["param_names_r"]), ex["vcov_hc"][cov_type], 1e-7)


@pytest.mark.parametrize("name", CLUSTERED)
def test_cluster_matches_vcovCL(name):
    _, ex = reference(name)
    res = fit(name, cov_type="cluster", groups=ex["cluster_column"])
    assert_cov(matrix(res, ex["param_names_r"]), ex["vcov_cluster"], 1e-7)
    bare = fit(name, cov_type="cluster", groups=ex["cluster_column"],
               cov_kwds={"type": "HC0", "cadjust": False})
    assert_cov(matrix(bare, ex["param_names_r"]), ex["vcov_cluster_hc0_noadj"], 1e-7)


@pytest.mark.parametrize("name", MODELS)
def test_observed_information_matches_numerical_hessian(name):
    _, ex = reference(name)
    res = fit(name, information="observed")
    assert_cov(matrix(res, ex["param_names_r"]), ex["vcov_observed"], 1e-6)
    sandwich = fit(name, information="observed", cov_type="HC0")
    assert_cov(matrix(sandwich, ex["param_names_r"]), ex["vcov_observed_hc0"], 1e-6)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", MODELS)
def test_wald_test_terms_matches_car_anova_type3(name):
    _, ex = reference(name)
    for key, res in (("anova3", default_fit(name)), ("anova3_hc0", fit(name, cov_type="HC0"))):
        table = res.wald_test_terms()
        want = ex[key]
        rows = positions(want["terms"], table.index)
        np.testing.assert_allclose(table.loc[rows, "statistic"], want["chisq"], rtol=1e-6)
        np.testing.assert_array_equal(table.loc[rows, "df"], want["df"])
        np.testing.assert_allclose(table.loc[rows, "pvalue"], want["pvalue"], rtol=1e-5)


@pytest.mark.parametrize("name", MODELS)
def test_anova_matches_sequential_analysis_of_deviance(name):
    _, ex = reference(name)
    table = default_fit(name).anova()
    want = ex["anova_seq"]
    assert [canon(t) for t in table.index[1:]] == [canon(t) for t in want["terms"][1:]]
    np.testing.assert_allclose(table["resid_deviance"], want["resid_deviance"], rtol=1e-9)
    np.testing.assert_allclose(table["df_resid"], want["df_resid"])
    np.testing.assert_allclose(table["deviance"].iloc[1:], want["deviance"][1:], rtol=1e-7)
    np.testing.assert_array_equal(table["df"].iloc[1:].astype(int), want["df"][1:])
    np.testing.assert_allclose(table["pvalue"].iloc[1:], want["pvalue"][1:], rtol=1e-6)


@pytest.mark.parametrize("name", MODELS)
def test_lr_test_matches_anova_of_nested_glms(name):
    df, ex = reference(name)
    small = ls.glm(ex["lr_test"]["small_formula"], df, link=ex["link"])
    t = ls.lr_test(small, default_fit(name))
    np.testing.assert_allclose([t.statistic, t.df, t.pvalue],
                               [ex["lr_test"]["stat"], ex["lr_test"]["df"], ex["lr_test"]["pvalue"]],
                               rtol=1e-7)


# --------------------------------------------------------------------------- profile intervals


@pytest.mark.parametrize("name", MODELS)
def test_profile_intervals_are_the_exact_roots(name):
    _, ex = reference(name)
    res = default_fit(name)
    order = positions(ex["param_names_r"], res.params.index)
    for alpha, key in ((0.05, "conf_int_profile_exact"), (0.10, "conf_int_profile_exact_90")):
        got = res.conf_int(alpha=alpha, method="profile").loc[order].to_numpy()
        np.testing.assert_allclose(got, ex[key], rtol=1e-8, atol=1e-10)
    # MASS interpolates the profile with a spline: within its own error of the exact roots
    got = res.conf_int(method="profile").loc[order].to_numpy()
    rtol = 2e-3 if ex["link"] != "cloglog" else 1.5e-2
    np.testing.assert_allclose(got, ex["conf_int_profile_mass"], rtol=rtol, atol=1e-4)


def test_profile_interval_of_mtcars_wt_is_exact():
    """The issue's numbers: MASS gives (-17.2087, -3.77307); the exact roots are these."""
    res = default_fit("mtcars_logit")
    lo, hi = res.conf_int(method="profile").loc["wt"]
    assert lo == pytest.approx(-17.2071, abs=5e-5)
    assert hi == pytest.approx(-3.76953, abs=5e-6)


def test_profile_under_separation_has_an_infinite_end():
    df, ex = reference("endometrial")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.LogitstatWarning)
        res = ls.logit(ex["formula"], df)
    ci = res.conf_int(method="profile").loc[positions(ex["param_names_r"], res.params.index)]
    want = np.array([[np.inf if v is None else v for v in row] for row in ex["conf_int_profile_exact"]])
    assert np.isposinf(ci.loc["NV", "upper"]) and np.isposinf(want[1, 1])
    np.testing.assert_allclose(ci.to_numpy(), want, rtol=1e-7)
    orr = res.odds_ratios(method="profile")
    assert np.isposinf(orr.loc["NV", "upper"])
    assert orr.loc["NV", "lower"] == pytest.approx(np.exp(want[1, 0]), rel=1e-7)


# --------------------------------------------------------------------------- marginal effects


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("at", ["overall", "mean"])
def test_marginal_effects_match_their_definition_in_R(name, at):
    _, ex = reference(name)
    res = default_fit(name)
    for dummy in (False, True):
        key = at + ("_dummy" if dummy else "")
        if key not in ex["margins"]:
            continue
        want = ex["margins"][key]
        me = res.marginal_effects(at=at, dummy=dummy)
        rows = positions(want["name"], me.index)
        np.testing.assert_allclose(me.loc[rows, "effect"], want["effect"], rtol=1e-7, atol=1e-12)
        np.testing.assert_allclose(me.loc[rows, "se"], want["se"], rtol=1e-6)


# --------------------------------------------------------------------------- residuals, influence


@pytest.mark.parametrize("name", MODELS)
def test_residuals_and_influence_match_R(name):
    _, ex = reference(name)
    res = default_fit(name)
    want = ex["resid"]
    infl = res.get_influence()
    # R clamps fitted probabilities at machine epsilon; where it bites it reports
    # sqrt(2 eps) = 2.1e-8 for deviance residuals that are really ~0
    pairs = [(res.resid_deviance, "deviance", 3e-8), (res.resid_pearson, "pearson", 1e-12),
             (res.resid_response, "response", 1e-12), (res.resid_working, "working", 1e-12),
             (infl.hat_matrix_diag, "hat", 1e-12),
             (infl.resid_std_deviance, "rstandard_deviance", 3e-8),
             (infl.resid_std_pearson, "rstandard_pearson", 1e-12),
             (infl.resid_likelihood, "rstudent", 3e-8), (infl.cooks_distance, "cooks", 1e-12)]
    for got, key, atol in pairs:
        np.testing.assert_allclose(got.to_numpy(), want[key], rtol=1e-6, atol=atol, err_msg=key)


# --------------------------------------------------------------------------- shared cases


SHARED = [c for c in CASE_NAMES if "separation" not in c]


@lru_cache(maxsize=None)
def shared_fit(case: str):
    return fit_reference_case(case)


@pytest.mark.parametrize("case", SHARED)
def test_shared_cases(case):
    """robust_bse (vcovHC), conf_int_profile (MASS), ame and lr_test of the shared R reference."""
    df, ex, kw, res = shared_fit(case)
    order = positions(ex["param_names_r"], res.params.index)
    # R's estimates and covariance there are ~1e-7 SE from the optimum for probit (epsilon 1e-12,
    # covariance from the previous IRLS iterate)
    rtol = 1e-6 if ex["link"] == "logit" else 1e-5
    if not (ex.get("weights") or ex.get("grouped")):
        for cov_type, want in ex["robust_bse"].items():
            robust = ls.glm(ex["formula"], df, link=ex["link"], cov_type=cov_type, **kw)
            np.testing.assert_allclose(robust.bse.loc[order], want, rtol=rtol)
    if "conf_int_profile" in ex:
        np.testing.assert_allclose(res.conf_int(method="profile").loc[order].to_numpy(),
                                   ex["conf_int_profile"], rtol=2e-3, atol=1e-4)
    if ex.get("ame"):
        me = res.marginal_effects()
        for nm, a in ex["ame"].items():
            assert me.loc[order[a["position"]], "effect"] == pytest.approx(a["value"], rel=rtol)
    if "lr_test" in ex:
        small = ls.glm(ex["lr_test"]["small_formula"], df, link=ex["link"], **kw)
        t = ls.lr_test(small, res)
        np.testing.assert_allclose([t.statistic, t.df, t.pvalue],
                                   [ex["lr_test"]["stat"], ex["lr_test"]["df"], ex["lr_test"]["pvalue"]],
                                   rtol=1e-6)
