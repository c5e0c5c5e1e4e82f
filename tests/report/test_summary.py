"""Summary rendering: a golden text, and every format carries every number."""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logitstat as ls

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="module")
def res():
    return ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", ls.datasets.load("mroz"))


def shown_tolerance(cell: str) -> float:
    """Half a unit in the last digit ``cell`` shows (fixed or scientific): the most a number
    rounded for display can differ from its value (with a hair of slack for the binary value)."""
    mantissa, _, exponent = cell.partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (int(exponent or 0) - decimals) * (1 + 1e-9)


def agrees(cell: str, value: float) -> bool:
    """``cell`` is ``value`` rounded to the digits it shows."""
    return abs(float(cell) - value) <= shown_tolerance(cell)


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/<name>; ``LOGITSTAT_REGEN_GOLDEN=1 pytest tests/report/test_summary.py``
    rewrites the files (review the diff by eye before committing)."""
    path = GOLDEN / name
    if os.environ.get("LOGITSTAT_REGEN_GOLDEN"):
        path.write_text(text + "\n")
    assert text + "\n" == path.read_text(), f"summary text changed; compare with {path}"


def test_golden_text(res):
    check_golden("mroz_logit_summary.txt", str(res.summary()))


def test_golden_text_with_odds_ratios_and_dropped_rows():
    res = ls.logit("survived ~ sex + age + passengerClass", ls.datasets.load("titanic"))
    text = str(res.summary(odds_ratios=True))
    check_golden("titanic_logit_or_summary.txt", text)
    assert "survived = yes" in text and "263" in text and "odds ratio" in text


def test_header_names_event_link_method_and_convergence(res):
    text = str(res.summary())
    for needle in ("lfp = yes", "logit", "IRLS", f"yes, {res.n_iter} iterations", "Rows dropped:",
                   "Pseudo R-sq.", "AIC", "BIC", "coef", "std err", "P>|z|", "[95% conf.", "interval]"):
        assert needle in text, needle


def test_table_numbers_are_the_results(res):
    text = str(res.summary())
    row = next(line for line in text.splitlines() if line.startswith("k5 "))
    cells = row.split()[1:]
    lo, hi = res.conf_int().loc["k5"]
    for cell, value in zip(cells, [res.params["k5"], res.bse["k5"], res.tvalues["k5"], None, lo, hi]):
        assert value is None or agrees(cell, value), (cell, value)


@pytest.mark.parametrize("method, marker", [("as_html", "<table"), ("as_latex", "\\toprule"),
                                            ("as_markdown", "|"), ("_repr_html_", "<table")])
def test_formats(res, method, marker):
    out = getattr(res.summary(odds_ratios=True), method)()
    assert marker in out
    for name in res.params.index:
        assert name.replace("_", "\\_") in out or name in out
    assert re.search(r"-1\.46\d\d", out)  # k5's coefficient


def test_probit_odds_ratios_are_refused_in_words():
    res = ls.probit("lfp ~ k5 + age", ls.datasets.load("mroz"))
    with pytest.warns(ls.DomainWarning, match="logit"):
        text = str(res.summary(odds_ratios=True))
    assert "Probit regression" in text and "odds ratio" not in text


def test_markdown_escapes_a_pipe_in_coefficient_names():
    # a column "a|b" split its row into one cell too many
    rng = np.random.default_rng(5)
    import pandas as pd
    df = pd.DataFrame({"a|b": rng.normal(size=40), "y": np.arange(40) % 2})
    md = ls.logit('y ~ Q("a|b")', df).summary().as_markdown()
    rows = [ln for ln in md.splitlines() if ln.startswith("|")]
    body = [ln for ln in rows if "coef" in ln or "Intercept" in ln or "a\\|b" in ln]
    assert len(body) == 3
    cells = {len(re.split(r"(?<!\\)\|", ln)) for ln in body}
    assert len(cells) == 1


# --------------------------------------------------------------------------- separation

from separated import CASES, LINKS, separated_fit  # noqa: E402


def _row(text: str, name: str) -> list[str]:
    return next(line for line in text.splitlines() if line.startswith(name + " ")).split()


@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("name", CASES)
def test_summary_shows_diverging_coefficients_as_infinite_without_statistics(name, link):
    res, directions, undetermined = separated_fit(name, link)
    s = res.summary()
    text = str(s)
    assert max(len(line) for line in text.splitlines()) <= 100
    for j, coef in enumerate(res.names):
        cells = _row(text, coef)[1:]
        if directions[j]:
            assert cells == ["+inf" if directions[j] > 0 else "-inf"] + ["—"] * 5
        elif undetermined[j]:  # the iterate's value, nothing else
            assert agrees(cells[0], res.params[coef]) and cells[1:] == ["—"] * 5
        else:
            assert "—" not in cells and agrees(cells[0], res.params[coef])
    note = s.notes[-1]
    for coef in np.asarray(res.names)[(directions != 0) | undetermined]:
        assert coef in note
    assert ("+inf" in note) == (directions > 0).any() and ("not identified" in note) == undetermined.any()
    shown = "+inf" if (directions > 0).any() else "-inf" if (directions < 0).any() else "—"
    assert shown in s.as_html() and "—" in s.as_html() and shown in s.as_markdown()
    latex = s.as_latex()
    assert "—" not in latex and re.search(r"&\s+---", latex)  # numbers right-aligned


def test_separated_summary_with_odds_ratios_and_every_format():
    res, directions, _ = separated_fit("endometrial", "logit")
    s = res.summary(odds_ratios=True)
    cells = _row(str(s), "NV")[1:]
    assert cells == ["+inf"] + ["—"] * 3 + ["+inf", "—", "—"]  # odds ratio e^inf, no interval
    for out in (s.as_html(), s.as_markdown(), s.as_latex(), s._repr_html_()):
        assert "NV" in out and "+inf" in out


def test_separated_cauchit_summary_reads_well():
    """The case of issue 11: an intercept at 3.7e8 printed with z = 51.5 and p < 1e-16."""
    res, directions, _ = separated_fit("quasi_tied", "cauchit")
    assert abs(res.params["Intercept"]) > 1e3  # the iterate: far out along the separation
    text = str(res.summary())
    assert "<1e-16" not in text and "e+0" not in text
    notes = text[text.index("Notes:"):].splitlines()
    assert all(len(line) <= 100 for line in notes) and len(notes) > 3  # wrapped, not one line


def test_firth_summary_has_no_infinite_estimates():
    res, _, _ = separated_fit("endometrial", "logit", method="firth")
    text = str(res.summary())
    assert "+inf" not in text and "—" not in text and "Firth" in text


def test_summary_dict_of_a_separated_fit_is_strict_json():
    import json
    res, _, _ = separated_fit("endometrial", "logit")
    d = res.summary().to_dict()
    assert d["coefficients"]["NV"]["coef"] == "+inf" and d["coefficients"]["NV"]["std err"] is None
    assert d["coefficients"]["EH"]["coef"] == pytest.approx(res.params["EH"], rel=1e-15)
    json.dumps(d, allow_nan=False)


# --------------------------------------------------------------------------- formats for a paper

def _example_fits():
    """Every bundled dataset fitted with its documented example (ls.datasets.describe)."""
    import warnings
    fits = {}
    for name in ls.datasets.names():
        example = ls.datasets.describe(name).example
        if example:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ls.LogitstatWarning)
                fits[name] = eval(example.split("#")[0], {"ls": ls, "df": ls.datasets.load(name)})
    return fits


EXAMPLES = _example_fits()


def _table_lines(text: str) -> list[str]:
    """The coefficient table of a text summary: the header line, the dashes, the rows."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.lstrip().startswith("coef"))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("==="))
    return lines[start:end]


def _columns(text: str) -> list[list[str]]:
    """Cells of each numeric column, cut at the column boundaries the dashes mark."""
    header, dashes, *rows = _table_lines(text)
    spans = [(m.start(), m.end()) for m in re.finditer(r"-+", dashes)][1:]
    return [[row[a:b].strip() for row in rows] for a, b in spans]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@pytest.mark.parametrize("odds_ratios", [False, True])
def test_fits_100_columns_with_one_format_per_column(name, odds_ratios):
    text = str(EXAMPLES[name].summary(odds_ratios=odds_ratios, pvalue_format="exact"))
    assert max(len(line) for line in text.splitlines()) <= 100
    summary = EXAMPLES[name].summary(odds_ratios=odds_ratios)
    text = str(summary)
    assert max(len(line) for line in text.splitlines()) <= 100
    columns = _columns(text)
    assert len(columns) == summary.table.shape[1]
    for col, cells in zip(summary.table.columns, columns):
        numbers = [c for c in cells if c not in ("+inf", "-inf", "—", "<0.001")]
        kinds = {"e" in c for c in numbers}
        decimals = {len(c.partition("e")[0].partition(".")[2]) for c in numbers}
        assert len(kinds) <= 1 and len(decimals) <= 1, (col, cells)
        if col == "z" and kinds == {False}:
            assert decimals == {3}
        if col == "P>|z|":
            assert decimals <= {3}


def test_coefficients_errors_and_bounds_share_a_format(res):
    text = str(res.summary())
    cols = _columns(text)  # coef, std err, z, P>|z|, lower, upper
    decimals = [{len(c.partition(".")[2]) for c in col} for col in cols]
    # inc's standard error 0.008208 has four significant digits: six decimals everywhere
    assert decimals[0] == decimals[1] == decimals[4] == decimals[5] == {6}
    assert "0.008208" in text and "3.182140" in text


def test_odds_ratio_table_replaces_the_coefficient_interval(res):
    s = res.summary(odds_ratios=True)
    assert list(s.table.columns) == ["coef", "std err", "z", "P>|z|", "odds ratio",
                                     "[95% conf.", "interval]"]
    orr = res.odds_ratios()
    np.testing.assert_array_equal(s.table["[95% conf."], orr["lower"])
    assert list(res.summary(alpha=0.1).table.columns)[-2:] == ["[90% conf.", "interval]"]
    row = next(ln for ln in str(s).splitlines() if ln.startswith("k5 "))
    for cell, value in zip(row.split()[5:], orr.loc["k5", ["odds_ratio", "lower", "upper"]]):
        assert agrees(cell, value)


def test_every_format_right_aligns_the_numbers(res):
    s = res.summary(odds_ratios=True)
    k = s.table.shape[1]
    rules = [ln for ln in s.as_markdown().splitlines() if re.fullmatch(r"\|:-+\|(-+:\|)+", ln)]
    assert len(rules) == 1 and rules[0].count("-:|") == k  # |:----|----:|----:|...
    assert f"\\begin{{tabular}}{{l{'r' * k}}}" in s.as_latex()
    html = s.as_html()
    cells = re.findall(r"<td( class=\"ls-num\")?>([^<]*)</td>", html.split("<table>")[1])
    assert all(cls for cls, text in cells if re.fullmatch(r"[-<0-9.e+]+", text))
    assert len([1 for cls, _ in cells if cls]) == k * len(res.names)
    assert re.search(r"td\.ls-num[^{]*\{[^}]*text-align: right", html)
    # text: every number ends where its header ends
    header, dashes, *rows = _table_lines(str(s))
    ends = [m.end() for m in re.finditer(r"-+", dashes)][1:]
    assert all(header[:e].endswith(c) for e, c in zip(ends, s.table.columns))
    for row in rows:
        assert [m.end() for m in re.finditer(r"\S+", row)][1:] == ends


def test_html_style_is_scoped_and_self_contained(res):
    html = res.summary()._repr_html_()
    css = re.search(r"<style>(.*)</style>", html, re.S).group(1)
    for rule in re.findall(r"([^{}]+)\{", css):
        for selector in rule.split(","):
            assert selector.strip().startswith((".logitstat-summary", ".logitstat-comparison")), selector
    assert "url(" not in html and "@import" not in html and "<script" not in html
    assert '<div class="ls-title">Logistic regression results</div>' in html


def test_markdown_header_table_has_no_empty_header_row(res):
    md = res.summary().as_markdown().splitlines()
    assert md[2].startswith("| Dep. variable:") and "No. observations:" in md[2]
    assert not any(re.fullmatch(r"\|(\s*\|)+", ln) for ln in md)


def test_intercept_only_footer_prints_zero_zero_and_a_dash():
    res = ls.logit("am ~ 1", ls.datasets.load("mtcars"))
    s = res.summary()
    header = dict(s.header)
    assert header["LR chi2(0):"] == "0" and header["Pseudo R-sq.:"] == "0"
    assert header["Prob > chi2:"] == "—"
    assert "nan" not in str(s) and "e-1" not in str(s)
    assert "---" in s.as_latex() and "—" not in s.as_latex()


def _chi2_sf_odd_df(x: float, k: int) -> float:
    """P(chi2_k > x) for odd k in closed form (Abramowitz & Stegun 26.4.4):
    2 Q(sqrt x) + 2 phi(sqrt x) sum_{r=1}^{(k-1)/2} x^{r-1/2} / (1·3·...·(2r-1))."""
    from scipy import stats
    s, term = np.sqrt(x), 0.0
    total, denom = 0.0, 1.0
    for r in range(1, (k - 1) // 2 + 1):
        denom *= 2 * r - 1
        term = x ** (r - 0.5) / denom
        total += term
    return 2 * stats.norm.sf(s) + 2 * stats.norm.pdf(s) * total


def test_exact_pvalues_in_the_footer_and_table(res):
    # the LR test of mroz on 7 df: 8.92e-24, which "auto" shows as <0.001 and never as 0
    assert res.llr_pvalue == pytest.approx(_chi2_sf_odd_df(res.llr, 7), rel=1e-12)  # two
    # double-precision evaluations of one function of the same statistic
    assert f"{res.llr_pvalue:.2e}" == "8.92e-24"
    assert dict(res.summary().header)["Prob > chi2:"] == "<0.001"
    exact = res.summary(pvalue_format="exact")
    assert dict(exact.header)["Prob > chi2:"] == "8.92e-24"
    row = next(ln for ln in str(exact).splitlines() if ln.startswith("k5 ")).split()
    assert row[4] == f"{res.pvalues['k5']:.2e}" == "1.12e-13"
    thr = res.summary(pvalue_format=1e-4)
    p_col = _columns(str(thr))[3]
    assert set(p_col) == {"<0.0001", "0.0004", "0.5876", "0.3423"}
    with pytest.raises(ls.SpecificationError, match="pvalue_format"):
        res.summary(pvalue_format="scientific")


def test_multinomial_summary_shares_formats_across_blocks():
    df = pd.DataFrame({"y": np.tile(["a", "b", "c"], 40),
                       "x": np.random.default_rng(2).normal(size=120)})
    mn = ls.mnlogit("y ~ x", df)
    s = mn.summary(rrr=True, pvalue_format="exact")
    assert list(s.table.columns)[-3:] == ["RRR", "[95% conf.", "interval]"]
    text = str(s)
    assert max(len(ln) for ln in text.splitlines()) <= 100
    p_cells = [ln.split()[4] for ln in text.splitlines() if ln.startswith(("Intercept ", "x "))]
    assert len(p_cells) == 4 and all(re.fullmatch(r"\d\.\d\de-\d\d", c) for c in p_cells)
    html = s.as_html()  # the blocks share one table, so that their columns align
    assert html.count("<table") == 2 and html.count('<tr class="ls-block">') == 2
