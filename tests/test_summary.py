"""Summary rendering: a golden text, and every format carries every number."""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

import logitstat as ls

GOLDEN = Path(__file__).resolve().parent / "golden"


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
    """Compare with tests/golden/<name>; ``LOGITSTAT_REGEN_GOLDEN=1 pytest tests/test_summary.py``
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
