"""ls.compare: several models in one table, in every format."""
from __future__ import annotations

import re

import numpy as np
import pytest

import logitstat as ls


@pytest.fixture(scope="module")
def models():
    mroz = ls.datasets.load("mroz")
    small = ls.logit("lfp ~ k5 + age", mroz)
    full = ls.logit("lfp ~ k5 + age + wc + lwg + inc", mroz)
    probit = ls.probit("lfp ~ k5 + age + wc + lwg + inc", mroz)
    return small, full, probit


def test_cells_are_the_models_numbers(models):
    small, full, probit = models
    t = ls.compare(models, names=["small", "full", "probit"])
    frame = t.to_frame()
    assert list(frame.columns) == ["small", "full", "probit"]
    names = list(dict.fromkeys(list(small.names) + list(full.names)))
    assert [i for i in frame.index if i] == names + [
        "Observations", "Log-likelihood", "AIC", "BIC", "Pseudo R² (McFadden)", "Link", "Covariance"]
    row = list(frame.index).index("k5")
    assert frame.iloc[row]["full"] == f"{full.params['k5']:.3f}"
    assert frame.iloc[row + 1]["probit"] == f"({probit.bse['k5']:.3f})"
    assert frame.loc["wc[T.yes]", "small"] == ""  # absent coefficient stays blank
    assert frame.loc["AIC", "small"] == f"{small.aic:.3f}"
    assert frame.loc["Link", "probit"] == "probit"
    d = t.to_dict()
    assert d["models"]["full"]["statistics"]["BIC"] == pytest.approx(full.bic)
    assert d["models"]["small"]["estimates"]["wc[T.yes]"] is None


def test_stars_follow_thresholds(models):
    full = models[1]
    t = ls.compare([full], stars=True, stat=None)
    frame = t.to_frame()
    for name, p in full.pvalues.items():
        n_stars = sum(p < c for c in (0.05, 0.01, 0.001))
        assert frame.loc[name].iloc[0] == f"{full.params[name]:.3f}" + "*" * n_stars
    assert "*** p<0.001" in str(t)
    custom = ls.compare([full], stars=(0.1, 0.05, 0.01)).to_frame()
    assert custom.loc["k5"].iloc[0].endswith("***")


def test_odds_ratios_and_intervals(models):
    small = models[0]
    t = ls.compare([small], odds_ratios=True, stat="ci").to_frame()
    b, se = small.params["k5"], small.bse["k5"]
    lo, hi = np.exp(b - 1.959963984540054 * se), np.exp(b + 1.959963984540054 * se)
    row = list(t.index).index("k5")
    assert t.iloc[row, 0] == f"{np.exp(b):.3f}"
    assert t.iloc[row + 1, 0] == f"[{lo:.3f}, {hi:.3f}]"
    with pytest.raises(ls.SpecificationError):
        ls.compare(models, odds_ratios=True)  # the probit has no odds ratios


def test_every_format_has_every_model(models):
    t = ls.compare(models, names=["A", "B", "C"], stars=True)
    for text in (str(t), t.as_html(), t.as_latex(), t.as_markdown(), t._repr_html_()):
        for name in ("A", "B", "C", "k5", "Observations"):
            assert name in text
        assert f"{models[2].params['k5']:.3f}" in text
    assert "\\midrule" in t.as_latex() and "$^{***}$" in t.as_latex()
    assert t.as_markdown().count("\n|") >= len(models[1].names) * 2 + 7
    assert "<table>" in t.as_html()


def test_bad_arguments(models):
    with pytest.raises(ls.SpecificationError):
        ls.compare([])
    with pytest.raises(ls.SpecificationError):
        ls.compare(models, names=["a"])
    with pytest.raises(ls.SpecificationError):
        ls.compare(models, stat="t")
    with pytest.raises(ls.SpecificationError):
        ls.compare(models, order=["nosuch"])
    with pytest.raises(ls.SpecificationError, match="item\\(s\\) 2 are not"):
        ls.compare([models[0], 5])
    with pytest.raises(ls.SpecificationError, match="stars="):
        ls.compare(models, stars="x")
    with pytest.raises(ls.SpecificationError, match="strictly between 0 and 1"):
        ls.compare(models, stat="ci", alpha=5)
    only = ls.compare(models, order=["k5"]).to_frame()
    assert [i for i in only.index if i][0] == "k5"


# --------------------------------------------------------------------------- separation

from separated import LINKS, separated_fit  # noqa: E402


@pytest.mark.parametrize("link", LINKS)
def test_diverging_estimates_show_as_infinite_without_stars_or_statistics(link):
    ml, directions, _ = separated_fit("endometrial", link)
    firth = separated_fit("endometrial", "logit", method="firth")[0]
    t = ls.compare([ml, firth], names=["ML", "Firth"], stars=True)
    frame = t.to_frame()
    row = list(frame.index).index("NV")
    assert frame.iloc[row]["ML"] == "+inf" and frame.iloc[row + 1]["ML"] == "—"
    assert frame.iloc[row]["Firth"].startswith(f"{firth.params['NV']:.3f}")
    assert frame.iloc[row + 1]["Firth"] == f"({firth.bse['NV']:.3f})"
    eh = list(frame.index).index("EH")  # a finite coefficient keeps its numbers and stars
    assert frame.iloc[eh]["ML"] == f"{ml.params['EH']:.3f}" + "*" * sum(
        ml.pvalues["EH"] < c for c in (0.05, 0.01, 0.001))
    assert any("NV in ML" in n for n in t.notes)
    text = str(t)
    assert "+inf" in text and max(len(line) for line in text.splitlines()) <= 100
    latex = t.as_latex()
    assert "—" not in latex and "& ---" in latex
    assert "+inf" in t.as_html() and "+inf" in t.as_markdown()
    assert t.to_dict()["models"]["ML"]["pvalues"]["NV"] is None


def test_undetermined_and_negative_divergence_with_every_statistic():
    res, directions, undetermined = separated_fit("complete_one", "logit")
    for stat in ("se", "z", "p", "ci"):
        frame = ls.compare([res], stat=stat, odds_ratios=stat == "ci").to_frame()
        intercept, z = list(frame.index).index("Intercept"), list(frame.index).index("z")
        # -inf; its odds ratio exp(-inf) = 0
        assert frame.iloc[intercept, 0] == ("0.000" if stat == "ci" else "-inf")
        assert frame.iloc[intercept + 1, 0] == "—" and frame.iloc[z + 1, 0] == "—"
    assert ls.compare([res], stat=None).notes[-1].endswith("runs to infinity).")


# --------------------------------------------------------------------------- number formats

def test_one_format_per_row_and_no_scientific_statistics():
    """A coefficient's row turns scientific as a whole where fixed notation with ``digits``
    decimals would show a non-zero number as zero (the odds ratio of wt, 3.1e-4) or is too wide
    (that of the intercept, 1.6e8); statistics keep ``digits`` decimals (a pseudo-R² of 0 for
    the intercept-only model is 0.000, not 2.2e-16)."""
    mtcars = ls.datasets.load("mtcars")
    full, null = ls.logit("am ~ wt + hp", mtcars), ls.logit("am ~ 1", mtcars)
    frame = ls.compare([full, null], odds_ratios=True, stat="ci").to_frame()
    rows = list(frame.index)
    i, w, h = rows.index("Intercept"), rows.index("wt"), rows.index("hp")
    assert frame.iloc[i, 0] == f"{np.exp(full.params['Intercept']):.3e}"
    assert frame.iloc[i, 1] == f"{np.exp(null.params['Intercept']):.3e}"  # the row's format
    assert re.fullmatch(r"\[\d\.\d{3}e[-+]\d\d, \d\.\d{3}e[-+]\d\d\]", frame.iloc[i + 1, 0])
    assert frame.iloc[w, 0] == f"{np.exp(full.params['wt']):.3e}" == "3.086e-04"
    assert frame.iloc[h, 0] == f"{np.exp(full.params['hp']):.3f}"
    assert frame.loc["Pseudo R² (McFadden)"].tolist() == [f"{full.prsquared:.3f}", "0.000"]
    assert frame.loc["Observations"].tolist() == ["32", "32"]


def test_pvalues_under_the_estimates_follow_pvalue_format(models):
    full = models[1]
    frame = ls.compare([full], stat="p").to_frame()
    rows = list(frame.index)
    for name, p in full.pvalues.items():
        assert frame.iloc[rows.index(name) + 1, 0] == ("(<0.001)" if p < 0.001 else f"({p:.3f})")
    exact = ls.compare([full], stat="p", pvalue_format="exact").to_frame()
    assert exact.iloc[rows.index("k5") + 1, 0] == f"({full.pvalues['k5']:.2e})"
    with pytest.raises(ls.SpecificationError, match="pvalue_format"):
        ls.compare([full], pvalue_format="nope")


def test_html_uses_the_scoped_style_with_stars_as_superscripts(models):
    html = ls.compare(models, stars=True)._repr_html_()
    assert html.startswith('<div class="logitstat-comparison"><style>')
    assert "<sup>***</sup>" in html and 'class="ls-rule"' in html
