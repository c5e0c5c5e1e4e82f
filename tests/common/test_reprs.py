"""Result objects display as short titled blocks in a REPL and as HTML in a notebook.

Checked: the layout of :mod:`logitstat.reprs` (title, aligned rows, tables cut to their first
and last rows, escaped HTML), that every result object returned by a public method has a
titled ``repr`` whose numbers are the object's own, and that a display stays short however
many rows the fit had.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.common import displays as reprs


@pytest.fixture(scope="module")
def res(mroz):  # mroz: conftest's fixture
    return ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", mroz)


@pytest.fixture(scope="module")
def separated():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.SeparationWarning)
        return ls.logit("HG ~ NV + PI + EH", ls.datasets.load("endometrial"))


def check_display(obj, title_start: str, max_lines: int = 40) -> str:
    """A titled block: title, '=' underline as long as the title, at most ``max_lines`` lines,
    no raw numpy or dataclass dump; the HTML holds the same title."""
    text = repr(obj)
    lines = text.splitlines()
    assert lines[0].startswith(title_start), text
    assert lines[1] == "=" * len(lines[0])
    assert len(lines) <= max_lines, text
    assert "array(" not in text and "np.float64" not in text and "dtype=" not in text
    assert f"{type(obj).__name__}(" not in text
    page = obj._repr_html_()
    assert page.startswith("<div") and page.rstrip().endswith("</div>")
    assert title_start.replace("'", "&#x27;") in page
    return text


def value_of(text: str, label: str) -> str:
    """The value printed on the row labelled ``label``."""
    match = re.search(rf"^{re.escape(label)}\s+(.*)$", text, flags=re.M)
    assert match, (label, text)
    return match.group(1)


# --------------------------------------------------------------------------- layout


def test_render_text_aligns_rows_and_cuts_long_tables():
    frame = pd.DataFrame({"a": np.arange(100.0), "b": np.arange(100) * 0.5})
    d = reprs.Display("A title", [("one", 1.0), ("longer label", "x")], ["Some text."],
                      [("Table", frame)], hint="(.frame)")
    text = reprs.render_text(d, max_rows=6)
    lines = text.splitlines()
    assert lines[:4] == ["A title", "=======", "one           1", "longer label  x"]
    assert "Some text." in lines and lines[-1] == "(.frame)"
    body = lines[lines.index("Table:") + 1:-1]
    assert len(body) == 1 + 6 + 1  # header, 3 first + 3 last rows, the '...' row
    assert body[1].split()[0] == "0" and body[-1].split()[0] == "99"


def test_render_html_escapes_and_cuts():
    frame = pd.DataFrame({"a": np.arange(50)})
    page = reprs.render_html(reprs.Display("x < y & z", [("p<", "1 > 0")], tables=[("", frame)]),
                             max_rows=4)
    assert "x &lt; y &amp; z" in page and "p&lt;" in page and "1 &gt; 0" in page
    assert page.count("<tr>") < 12  # 4 rows, a '...' row and the headers, not 50


def test_number_and_pvalue_formats():
    assert [reprs.number(v) for v in (3, 3.0, 0.123456, 1e-20, np.int64(7), None, True)] == [
        "3", "3", "0.1235", "1e-20", "7", "-", "True"]
    assert reprs.pvalue(1e-300) == "< 1e-16" and reprs.pvalue(0.04567) == "0.04567"


def test_compact_repr_of_fit_internals_shows_shapes(res):
    for obj in (res.design, res.fit_result, res.score_parts):
        text = repr(obj)
        assert text.startswith(f"<{type(obj).__name__}: ") and len(text) < 700, text
    assert "X=array(753, 8) float64" in repr(res.design)  # intercept + 7 columns
    assert f"converged={res.fit_result.converged}" in repr(res.fit_result)


# --------------------------------------------------------------------------- result objects


def test_tests(res, mroz):
    t = res.wald_test("k5 = 0, age = 0")
    text = check_display(t, "Wald test")
    assert value_of(text, "chi2") == f"{t.statistic:.4f}" and value_of(text, "df") == "2"
    assert value_of(text, "hypothesis") == "k5 = 0, age = 0"
    small = ls.logit("lfp ~ k5", mroz)
    lr = ls.lr_test(small, res)
    text = check_display(lr, "Likelihood-ratio test")
    assert value_of(text, "p-value") == reprs.pvalue(lr.pvalue)
    assert str(t).startswith("Wald test of k5 = 0, age = 0: chi2(2)")  # str is unchanged


def test_unavailable_test(separated):
    with pytest.warns(ls.SeparationWarning):
        t = separated.wald_test("NV = 0")
    text = check_display(t, "Wald test (not available)")
    assert t.note in text.replace("\n", " ")


def test_goodness_of_fit(res):
    g = res.gof()
    text = check_display(g, "Goodness of fit")
    assert value_of(text, "AUC (ROC)") == f"{g.auc:.4f}"
    assert value_of(text, "Hosmer-Lemeshow").startswith(f"chi2 = {g.hosmer_lemeshow.statistic:.4f}")
    check_display(g.hosmer_lemeshow, "Hosmer-Lemeshow test")
    check_display(g.pearson, "Pearson goodness-of-fit test")
    text = check_display(g.classification, "Classification at threshold 0.5")
    assert value_of(text, "accuracy") == f"{g.classification.accuracy:.4f}"
    text = check_display(g.brier, "Brier score")
    assert value_of(text, "score") == f"{g.brier.brier:.5f}"


def test_influence(res):
    infl = res.get_influence()
    text = check_display(infl, "Influence measures")
    cooks = infl.cooks_distance
    assert value_of(text, "largest Cook's distance") == (
        f"{reprs.number(cooks.max())} (row {cooks.idxmax()})")
    assert value_of(text, "observations") == "753"
    # hat values sum to p (a projection of rank p), so the 2k/n count is of a known scale
    assert int(value_of(text, "hat > 2k/n")) == int((infl.hat > 2 * infl.k / 753).sum())


def test_separation(res, separated):
    text = check_display(separated.separation, "Separation check: quasi-complete")
    assert value_of(text, "infinite") == "NV (+inf)"
    assert value_of(text, "separated rows") == f"{separated.separation.n_separated} of 79"
    check_display(res.separation, "Separation check: none")
    check_display(separated.separation.report, "Separation report: quasi-complete")


def test_prediction_and_threshold(res):
    pred = res.get_prediction()
    text = check_display(pred, "Predicted probability (logit link)")
    first = pred.summary_frame().iloc[0]
    assert f"{first['mean']:.4g}" in text.splitlines()[5]
    choice = ls.choose_threshold(res)
    text = check_display(choice, f"Threshold {choice.threshold:.6g} (maximum F1)")
    assert value_of(text, "F1") == f"{choice.f1:.4f}"
    assert value_of(text, "curve") == f"{len(choice.curve)} thresholds (.curve)"


def test_penalized_path_and_cv(mroz):
    cv = ls.logit_cv("lfp ~ k5 + age + wc + lwg + inc", mroz, n_folds=3, n_alphas=20)
    text = check_display(cv, "3-fold cross-validation")
    assert value_of(text, "alpha_min").startswith(f"{cv.alpha_min:.6g}")
    text = check_display(cv.path, "Penalized path (l1)")
    assert value_of(text, "alphas").startswith(f"{len(cv.alphas)}, from ")
    text = check_display(cv.best, "Penalized logistic regression (l1)")
    assert value_of(text, "non-zero") == f"{cv.best.df_model} of 5"


def test_models_show_their_summary_in_a_notebook(res):
    assert res._repr_html_() == res.summary()._repr_html_()
    mn = ls.mnlogit("passengerClass ~ age + sex", ls.datasets.load("titanic"))
    assert mn._repr_html_() == mn.summary()._repr_html_()
    assert "<pre>" in ls.datasets.describe("mtcars")._repr_html_()


def test_displays_stay_short_on_a_large_fit():
    """200 000 rows: the displays show a few rows, never the arrays."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=200_000)
    data = pd.DataFrame({"x": x, "y": (rng.random(x.size) < 1 / (1 + np.exp(-x))).astype(int)})
    big = ls.logit("y ~ x", data)
    for obj, title in ((big.get_prediction(), "Predicted"), (big.get_influence(), "Influence"),
                       (big.gof(), "Goodness"), (big.separation, "Separation")):
        text = check_display(obj, title)
        assert len(text) < 2500
        assert len(obj._repr_html_()) < 8000
    assert len(repr(big.design)) < 700 and len(repr(big.fit_result)) < 700
