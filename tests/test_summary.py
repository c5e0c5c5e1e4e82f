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


def check_golden(name: str, text: str) -> None:
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
                   "Pseudo R-sq.", "AIC", "BIC", "coef", "std err", "P>|z|", "[0.025", "0.975]"):
        assert needle in text, needle


def test_table_numbers_are_the_results(res):
    text = str(res.summary())
    row = next(line for line in text.splitlines() if line.startswith("k5 "))
    nums = [float(v) for v in row.split()[1:]]
    np.testing.assert_allclose(nums[:3], [res.params["k5"], res.bse["k5"], res.tvalues["k5"]], atol=6e-5)


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
