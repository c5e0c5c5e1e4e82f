"""Diagnostics through the public API: separation warnings and reports, Firth fits, VIF,
condition numbers, collinearity table, goodness of fit and the summary footer."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from conftest import CASE_NAMES, canon, load_case, r_order
from separated import intercept_separated_frame

DATA = Path(__file__).resolve().parents[2] / "reference" / "data" / "diagnostics"
SEP = json.loads((DATA / "separation.json").read_text())
FIRTH = json.loads((DATA / "firth.json").read_text())
COLL = json.loads((DATA / "collinearity.json").read_text())
GOF = json.loads((DATA / "goodness.json").read_text())

FORMULAS = {"complete_one": "y ~ x + z", "complete_two": "y ~ x1 + x2", "quasi_factor": "y ~ g + x",
            "quasi_tied": "y ~ x", "grouped": "succ + fail ~ trt + dose",
            "huge_overlap": "y ~ x", "straddling_intercept": "y ~ x",
            "endometrial": "HG ~ NV + PI + EH"}


def fit_recording(*args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = ls.glm(*args, **kwargs)
    return res, caught


@pytest.mark.parametrize("name", sorted(FORMULAS))
def test_separation_through_formulas(name):
    c = SEP[name]
    df = pd.DataFrame(c["data"])
    res, caught = fit_recording(FORMULAS[name], df)
    sep = res.separation
    assert sep.kind == c["truth_kind"]
    perm = r_order(c["names"], list(res.params.index))
    truth = c["truth_infinite"] or {}
    want = np.array([truth.get(n, 0) for n in c["names"]])
    np.testing.assert_array_equal(sep.directions.to_numpy()[perm], want)
    sep_warnings = [w for w in caught if issubclass(w.category, ls.SeparationWarning)]
    conv_warnings = [w for w in caught if issubclass(w.category, ls.ConvergenceWarning)]
    if c["truth_kind"] == "none":
        assert not sep_warnings and not conv_warnings
        assert "separation" not in str(res.summary()).lower()
    else:
        assert len(sep_warnings) == 1 and not conv_warnings
        msg = str(sep_warnings[0].message)
        for n in sep.infinite:
            assert n in msg
        assert 'method="firth"' in msg
        assert sep_warnings[0].filename == __file__
        text = str(res.summary())
        assert "separation" in text.lower() and 'method="firth"' in text
        # the finite part is the MLE of the identified coefficients; the path-dependent ones
        # agree with R because the iterations stop where R's glm stops
        free = [i for i, n in enumerate(c["names"]) if n not in truth]
        ident = ~sep.undetermined.to_numpy()[perm][free]
        got, want = res.params.to_numpy()[perm][free], np.array(c["glm_params"])[free]
        np.testing.assert_allclose(got[ident], want[ident], rtol=1e-4)
        np.testing.assert_allclose(got, want, rtol=5e-3)
        assert not res.converged and "stopped where the deviance" in res.fit_result.message


def test_rare_events_with_overlap_never_warn():
    c = SEP["rare_overlap"]
    X = np.array(c["X"])
    res, caught = fit_recording(np.array(c["y"]), X, names=c["names"])
    assert not caught
    assert res.separation.kind == "none" and res.separation.report.method == "certificate"
    np.testing.assert_allclose(res.params, c["glm_params"], rtol=1e-7)


@pytest.mark.parametrize("name", sorted(k for k, v in FIRTH.items() if isinstance(v, dict)))
def test_method_firth_matches_brglm2(name):
    c = FIRTH[name]
    X, y, m = np.array(c["X"]), np.array(c["y"]), np.array(c["trials"])
    resp = np.column_stack([y * m, (1 - y) * m]) if np.any(m != 1) else y
    res, caught = fit_recording(resp, X, names=c["names"], link=c["link"], method="firth",
                                weights=np.array(c["weights"]), offset=np.array(c["offset"]))
    assert not [w for w in caught if issubclass(w.category, ls.LogitstatWarning)]
    np.testing.assert_allclose(res.params, c["params"], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(res.bse, c["bse"], rtol=1e-6)
    assert res.llf == pytest.approx(c["loglik"], rel=1e-8)
    assert res.method == "firth" and "Firth" in str(res.summary())


@pytest.mark.parametrize("name", CASE_NAMES)
def test_vif_condition_number_against_r(name):
    df, ex = load_case(name)
    kw = {"weights": ex["weights"]} if ex.get("weights") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.LogitstatWarning)
        res = ls.glm(ex["formula"], df, link=ex["link"], **kw)
    assert res.condition_number == pytest.approx(ex["condition_number"], rel=1e-8)
    tab = res.collinearity()
    np.testing.assert_allclose(tab["condition_index"], ex["condition_indices"], rtol=1e-8)
    if "vif" not in ex or ex.get("vif_has_interactions"):
        return
    for kind, key in (("model", "vif"), ("design", "vif_design")):
        if kind == "model" and ex.get("separation"):
            continue
        v = res.vif(kind=kind)
        got = {canon(t): row for t, row in v.iterrows()}
        want = ex[key]
        for i, t in enumerate(want["terms"]):
            row = got[canon(t)]
            assert row["gvif"] == pytest.approx(want["gvif"][i], rel=1e-6)
            assert row["df"] == want["df"][i]
            assert row["gvif_adj"] == pytest.approx(want["gvif_adj"][i], rel=1e-6)


def test_collinearity_footer_names_the_culprits():
    c = COLL["ill_conditioned"]
    df = pd.DataFrame({"x": np.array(c["X"])[:, 1], "y": [0, 1, 1, 0, 1] * 8})
    df["x2"] = df["x"] ** 2
    res = ls.logit("y ~ x + x2", df)
    assert res.condition_number == pytest.approx(c["condition_number"], rel=1e-8)
    v = res.vif()
    assert (v["gvif"] > 10).all()
    text = str(res.summary())
    assert "condition number is large" in text and "Large variance inflation" in text
    notes = " ".join(res.summary().notes)
    assert "x (" in notes and "x2 (" in notes
    with pytest.raises(ls.SpecificationError):
        res.vif(kind="other")


def test_well_conditioned_fit_has_no_diagnostic_notes():
    res = ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", ls.datasets.load("mroz"))
    assert not res.summary().notes


def test_gof_on_a_fit_matches_r():
    df, ex = load_case("birthwt_logit")
    res = ls.logit(ex["formula"], df)
    g = res.gof()
    c = GOF["birthwt"]
    np.testing.assert_allclose(res.fittedvalues, c["mu"], rtol=1e-7)
    assert g.hosmer_lemeshow.statistic == pytest.approx(c["hoslem"]["statistic"], rel=1e-6)
    assert g.auc == pytest.approx(c["auc"], rel=1e-9)
    assert g.brier.brier == pytest.approx(c["brier"], rel=1e-7)
    assert "Hosmer-Lemeshow" in str(g)


def test_separated_cauchit_fit_whose_information_underflows_reports_instead_of_raising():
    """Quasi-complete separation under the cauchit link: y = 1 whenever x > 1, where g = "a", so
    the intercept (level a) runs to +inf and g[T.b], g[T.c] to -inf (by construction).  Far
    out, where R's glm stops, the working weights underflow and the information is close to
    singular: the standard errors of x and z depend on the BLAS kernel (about 0.16 and 0.14, or
    NaN when the information is singular to working precision), so only what holds on every
    machine is checked: the diverging coefficients have no standard error, z, p-value, Wald
    interval, test or effect that involves them; nothing raises, and the summary renders."""
    d = intercept_separated_frame()
    with pytest.warns(ls.SeparationWarning):
        res = ls.glm("y ~ x + z + g", d, link="cauchit")
    assert res.separation.kind == "quasi-complete"
    assert res.separation.infinite == {"Intercept": 1, "g[T.b]": -1, "g[T.c]": -1}
    gone = ["Intercept", "g[T.b]", "g[T.c]"]
    ci = res.conf_int()
    for values in (res.bse, res.tvalues, res.pvalues, ci["lower"], ci["upper"]):
        assert values[gone].isna().all()
    for name in ("x", "z"):  # a standard error, or NaN where the information is singular
        se = res.bse[name]
        assert np.isnan(se) or (np.isfinite(se) and se > 0 and 0 < res.pvalues[name] < 1)
    with pytest.warns(ls.SeparationWarning):
        assert res.wald_test_terms().loc[["Intercept", "g"], "pvalue"].isna().all()
    with pytest.warns(ls.SeparationWarning):
        assert np.isnan(res.wald_test("g[T.b] = g[T.c]").pvalue)
    with pytest.warns(ls.SeparationWarning):
        me = res.marginal_effects()
    assert me.loc[["g[T.b]", "g[T.c]"]].isna().all().all()
    assert me.loc[["x", "z"], "se"].isna().all()
    text = str(res.summary())
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines()
            if line.split() and line.split()[0] in gone}
    assert rows == {"Intercept": ["+inf"] + ["—"] * 5, "g[T.b]": ["-inf"] + ["—"] * 5,
                    "g[T.c]": ["-inf"] + ["—"] * 5}
    assert "<1e-16" not in text and max(len(line) for line in text.splitlines()) <= 100
    for out in (res.summary().as_html(), res.summary().as_latex(), res.summary().as_markdown()):
        assert "+inf" in out and "-inf" in out
