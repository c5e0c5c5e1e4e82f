"""Untrusted formulas: what they may compute, and that code in them never runs."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.formula_guard import (MAX_LENGTH, SAFE_NUMPY, RestrictedEnvironment, check_expression,
                                     restricted_environment, screen_formula)


@pytest.fixture(scope="module")
def df():
    rng = np.random.default_rng(7)
    n = 300
    x = rng.uniform(1, 5, n)
    g = rng.choice(["a", "b", "c"], n)
    eta = -1 + 0.6 * x + (g == "b") * 0.5
    return pd.DataFrame({"y": (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int),
                         "x": x, "g": g, "score card": rng.normal(size=n)})


@pytest.mark.parametrize("formula", [
    "y ~ x + C(g)", "y ~ np.log(x) + np.sqrt(x)", "y ~ I(x ** 2) + center(x)",
    "y ~ standardize(x) + C(g, Treatment('c'))", "y ~ bs(x, df=3)", "y ~ Q('score card')",
    "y ~ x:C(g) - 1", "y ~ np.where(x > 2, 1, 0)",
])
def test_restricted_fit_equals_ordinary_fit(df, formula):
    screen_formula(formula)
    safe = ls.glm(formula, df, eval_env=restricted_environment())
    plain = ls.glm(formula, df)
    np.testing.assert_allclose(safe.params.to_numpy(), plain.params.to_numpy(), rtol=1e-12)
    # prediction re-evaluates the formula in the same restricted environment
    np.testing.assert_allclose(safe.predict(df.head(5)).to_numpy(),
                               plain.predict(df.head(5)).to_numpy(), rtol=1e-12)


ESCAPES = [
    'y ~ __import__("os").system("touch {m}")',
    'y ~ ().__class__.__base__.__subclasses__()',
    'y ~ x.to_csv("{m}")',
    'y ~ np.savetxt("{m}", x)',
    'y ~ np.log.__self__',
    'y ~ Q("__builtins__")',
    'y ~ (lambda: open("{m}", "w"))()',
    'y ~ [c for c in x]',
    'y ~ f"{{x}}"',
    'y ~ C(g, **{{"levels": 1}})',
    'y ~ (z := 1)',
    'y ~ _x',
]


@pytest.mark.parametrize("template", ESCAPES)
def test_screen_refuses_and_nothing_runs(df, tmp_path, template):
    marker = tmp_path / "marker"
    formula = template.format(m=marker)
    with pytest.raises(ls.FormulaError):
        screen_formula(formula)
    assert not marker.exists()


@pytest.mark.parametrize("template", [
    'y ~ __import__("os").system("touch {m}")',
    'y ~ x.to_csv("{m}")',
    'y ~ np.savetxt("{m}", x)',
    'y ~ open("{m}", "w")',
    'y ~ Q("__import__")',
])
def test_environment_alone_refuses(df, tmp_path, template):
    """The second layer holds even if a formula skipped the screen."""
    marker = tmp_path / "marker"
    with pytest.raises(ls.FormulaError):
        ls.glm(template.format(m=marker), df, eval_env=restricted_environment())
    assert not marker.exists()


def test_environment_has_no_builtins():
    env = RestrictedEnvironment()
    with pytest.raises(NameError):
        env.eval("len(x)", inner_namespace={"x": [1]})
    assert env.eval("np.exp(0) + x", inner_namespace={"x": 1}) == 2.0
    with pytest.raises(ls.FormulaError):
        check_expression("x.__class__")
    assert not hasattr(SAFE_NUMPY, "save") and not hasattr(SAFE_NUMPY, "load")


def test_empty_and_unreadable_formulas():
    for bad in ("", "   ", "y ~ 'unterminated"):
        with pytest.raises(ls.FormulaError):
            screen_formula(bad)


@pytest.mark.parametrize("formula", ["y ~ I(9 ** 9 ** 9)", "y ~ I(((9 ** 64) ** 64) ** 64)",
                                     "y ~ I(1 << 10 ** 9)", "y ~ I(len('a' * 10 ** 9))",
                                     "y ~ I([0] * 10 ** 9)"])
def test_runaway_constant_arithmetic_is_refused(df, formula):
    with pytest.raises(ls.FormulaError):
        ls.glm(formula, df, eval_env=restricted_environment())


def test_overlong_formula_is_refused():
    with pytest.raises(ls.FormulaError, match="limit"):
        screen_formula("y ~ " + " + ".join(["x"] * (MAX_LENGTH // 4 + 1)))
