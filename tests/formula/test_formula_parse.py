"""Formula parsing: patsy's terms for any number of terms, and clear errors for bad formulas.

The reference is patsy's own recursive evaluator (``patsy.ModelDesc.from_formula``) on formulas
short enough for it, and for wide formulas the array interface fitted on the same columns.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import patsy
import pytest

import logitstat as ls
from logitstat.formula.parse import bracket_problem, check_formula, model_desc, shorten


def _names(terms) -> list[str]:
    return [t.name() for t in terms]


# patsy's own test table (patsy/desc.py, _eval_tests) holds these and more; the chains with
# '+ 0', '- 1', '+ 1', '- 0' and removed terms exercise every rule of the loop.
FORMULAS = [
    "y ~ a", "y ~ 1", "y ~ 0", "y ~ -1", "y ~ - 0", "y ~ + 1", "y ~ + 0", "y ~ 0 + 1",
    "y ~ 1 + 0", "y ~ 1 - 0", "y ~ 0 - 1", "y ~ 1 + a", "y ~ 0 + a", "y ~ a - 1", "y ~ a - 0",
    "y ~ 1 - a", "y ~ a + b", "y ~ (a + b)", "y ~ a + ((((b))))", "y ~ a + b + 0 + c",
    "y ~ a + b - a + c", "y ~ a + b - a + a", "y ~ a + 0 + b + 1 + c - 1 + d - 0",
    "y ~ a * b - a:b", "y ~ (a + b + c) ** 2 - a:b - 1", "y ~ a + (b + c - 1)",
    "y ~ a - (b - 1)", "y ~ a + b:c + a + b:c", "y ~ a / b + c", "s + f ~ a + b - 1",
    "~ a + b", "y ~ np.log(a) + I(a + b) + C(g, Treatment('x')) - I(a + b)",
    "y ~ a + b - (a + 1) + c",
]


@pytest.mark.parametrize("formula", FORMULAS)
def test_terms_equal_patsys(formula):
    mine, theirs = model_desc(formula), patsy.ModelDesc.from_formula(formula)
    assert _names(mine.lhs_termlist) == _names(theirs.lhs_termlist)
    assert _names(mine.rhs_termlist) == _names(theirs.rhs_termlist)
    assert mine.rhs_termlist == theirs.rhs_termlist


def test_patsys_own_table():
    from patsy.desc import _eval_tests  # patsy's test table: formula -> (intercept, terms)
    for formula, (intercept, *_rest) in _eval_tests.items():
        if not isinstance(formula, str):
            continue
        try:
            theirs = patsy.ModelDesc.from_formula(formula)
        except patsy.PatsyError:
            with pytest.raises(patsy.PatsyError):
                model_desc(formula)
            continue
        mine = model_desc(formula)
        assert mine.rhs_termlist == theirs.rhs_termlist, formula
        assert mine.lhs_termlist == theirs.lhs_termlist, formula


def test_thousands_of_terms_parse_in_order():
    k = 5000
    desc = model_desc("y ~ " + " + ".join(f"x{i}" for i in range(k)) + " - x7 - 1 + x7")
    names = _names(desc.rhs_termlist)
    assert names == [f"x{i}" for i in range(k) if i != 7] + ["x7"]
    assert _names(model_desc("y ~ " + " + ".join(f"x{i}" for i in range(k))).rhs_termlist)[:2] \
        == ["Intercept", "x0"]


def test_wide_formula_fits_as_the_array_interface():
    """520 terms (patsy alone fails from about 500) on 4000 rows (overlapping: far from the
    p/n ~ 1/2 where separation sets in) give the array interface's estimates: the
    same maximum of the same likelihood, both converged to tol=1e-8 in standard-error units, so
    they agree far below 1e-6."""
    rng = np.random.default_rng(3)
    n, k = 4000, 520
    X = rng.normal(size=(n, k)) * 0.05
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-X[:, :5].sum(axis=1)))).astype(float)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(k)]).assign(y=y)
    before = df.copy()
    by_formula = ls.logit("y ~ " + " + ".join(f"x{i}" for i in range(k)), df)
    by_arrays = ls.logit(y, np.column_stack([np.ones(n), X]))
    np.testing.assert_allclose(by_formula.params.to_numpy(), by_arrays.params.to_numpy(),
                               rtol=0, atol=1e-6)
    assert list(by_formula.params.index[:3]) == ["Intercept", "x0", "x1"]
    pd.testing.assert_frame_equal(df, before)


def test_brackets_nested_too_deeply_get_a_short_error():
    deep = "y ~ x + " + "x:(" * 3000 + "x" + ")" * 3000
    with pytest.raises(ls.FormulaError, match="nested too deeply") as info:
        model_desc(deep)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("formula, where, what", [
    ("y ~ x + (g", 9, "never closed"), ("y ~ x + g)", 10, "no matching"),
    ("y ~ np.log(x", 11, "never closed"), ("y ~ I((x + 1]", 13, "closes"),
    ("y ~ x + I(')') + (g", 18, "never closed"),
])
def test_unbalanced_brackets_are_located(formula, where, what):
    problem = bracket_problem(formula)
    assert problem is not None and problem[1] == where - 1 and what in problem[0]
    with pytest.raises(ls.FormulaError, match="unbalanced parentheses") as info:
        check_formula(formula, ["y", "x", "g"])
    assert f"character {where}" in str(info.value)


def test_balanced_brackets_and_strings_pass():
    assert bracket_problem("y ~ C(g, Treatment('(')) + I((x + 1) * [2][0])") is None


def test_shorten_keeps_both_ends():
    text = shorten("y ~ " + " + ".join(f"x{i}" for i in range(1000)))
    assert len(text) <= 82 and "x999" in text and text.startswith("'y ~ x0")
