"""Untrusted formulas: what they may compute, and that code in them never runs."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.formula.guard import (MAX_LENGTH, SAFE_NUMPY, RestrictedEnvironment, check_expression,
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


# --------------------------------------------------------------------------- bounded cost

ROOT = Path(__file__).resolve().parents[2]
#: seconds before a run counts as hung.  Evaluating any of these formulas takes milliseconds of
#: CPU; the bound only has to cover the interpreter's start-up on a loaded test machine, and a
#: formula that is not bounded runs for hours.
HANG = 90

SQUARES = "np.square(" * 22 + "10**64" + ")" * 22

#: formulas that once ran without end or built gigabytes, with a word of the error they now get
COSTLY = [
    ("y ~ x + I(np.abs(10**20)**9**9 > 0)", "one per row"),
    (f"y ~ x + I({SQUARES} > 0)", "one per row"),
    ("y ~ x + I(np.abs(7) ** 10**30)", ""),
    ("y ~ x + I(x + np.abs(3) * 10**40 ** 9**7)", "small constant power"),
    ("y ~ x + I(((np.pi > 0) + 9) ** 9**9 > 0)", "4096 bits"),
    ("y ~ x + I(" + " * ".join(["10**64"] * 30) + " > 0)", "4096 bits"),
    ("y ~ x + I(np.power(10**20, 9**9) > 0)", "one per row"),
    ("y ~ x + I(np.exp(np.exp(np.exp(np.abs(10**300)))) > 0)", "constant power"),
    ("y ~ x + I(np.exp(np.exp(np.exp(np.abs(10**60 * 10**60)))) > 0)", "one per row"),
    ("y ~ x + C(g * 10**9)", "text"),
    ("y ~ x + C(g * np.abs(10**9))", "text"),
    ("y ~ x + np.cumsum(g)", "np.cumsum"),
    ("y ~ x + I('%099999999999d' % 1)", "'%'"),
    ("y ~ x + I(len(np.abs(9) * 'a'))", "repeating"),
    ("y ~ x + np.repeat(x, 10**12)", "repeat"),
    ("y ~ x + np.ones(10**12)", "ones"),
    ("y ~ x + np.cumsum(x, dtype='U999999999')", "dtype"),
    ("y ~ x + I(np.quantile(x, 0.5, overwrite_input=True) + x)", "overwrite_input"),
    ("y ~ x + np.sqrt(x, x)", "np.sqrt"),
    ("y ~ bs(x, df=10**9)", "spline"),
    ("y ~ bs(x, degree=np.abs(10**7))", "spline"),
    ("y ~ cr(x, df=10**6)", "spline"),
    ("y ~ te(cr(x, df=30), cr(z, df=30))", "te()"),
    ("y ~ x + " + "(" * 40 + "x" + ")" * 40, "nested"),
    ("y ~ x + I(" + "+".join(["x"] * 150) + ")", "nested"),
    ("y ~ x + ((", "unbalanced parentheses"),
]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory, df):
    path = tmp_path_factory.mktemp("guard") / "data.csv"
    df.drop(columns="score card").assign(z=np.linspace(0, 1, len(df))).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("formula", [COSTLY[0][0], COSTLY[1][0]])
def test_the_reported_hangs_end_with_one_line(csv_path, formula):
    done = subprocess.run([sys.executable, "-m", "logitstat.cli", "fit", str(csv_path), formula],
                          capture_output=True, text=True, timeout=HANG, env=_env())
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("logitstat: error:"), done.stderr


_BATCH = """
import contextlib, io, json, sys
from logitstat import cli
for formula in json.loads(sys.stdin.read()):
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["fit", sys.argv[1], formula])
    print(json.dumps([formula, code, err.getvalue()]), flush=True)
"""


def _run_batch(csv_path, formulas: list[str]) -> list[tuple[str, int, str]]:
    """Run ``logitstat fit`` on every formula in one fresh interpreter (one start-up for all)."""
    done = subprocess.run([sys.executable, "-c", _BATCH, str(csv_path)], input=json.dumps(formulas),
                          capture_output=True, text=True, timeout=HANG, env=_env())
    assert done.returncode == 0, done.stderr[-2000:]
    return [tuple(json.loads(line)) for line in done.stdout.splitlines()]


def test_costly_formulas_fail_fast_with_one_clear_line(csv_path):
    results = _run_batch(csv_path, [f for f, _ in COSTLY])
    assert len(results) == len(COSTLY)
    for (formula, code, err), (_, word) in zip(results, COSTLY):
        lines = err.strip().splitlines()
        assert code == 1, (formula, err)
        assert len(lines) == 1 and lines[0].startswith("logitstat: error:"), (formula, err)
        assert word in lines[0], (formula, lines[0])
        assert len(lines[0]) < 600, (formula, lines[0])


def _random_expression(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(["x", "z", "g", "10**64", "9**9", "2", "1e308", "10**20", "3", "-7",
                           "'a'", "[1, 2]", "0.5", "True", "np.pi"])
    a, b = _random_expression(rng, depth - 1), _random_expression(rng, depth - 1)
    return rng.choice([
        f"({a} ** {b})", f"({a} * {b})", f"({a} + {b})", f"({a} % {b})", f"({a} // {b})",
        f"np.abs({a})", f"np.square({a})", f"np.exp({a})", f"np.power({a}, {b})",
        f"np.cumsum({a})", f"np.where(x > 0, {a}, {b})", f"np.sum({a})", f"np.round({a}, {b})",
        f"np.clip({a}, {b}, 10)", f"np.maximum({a}, {b})", f"-{a}", f"({a} > {b})",
        f"np.log({a})", f"np.exp2({a})", f"C({a})",
    ])


def test_random_formulas_end_fast_with_a_fit_or_one_clear_line(csv_path):
    """Short random formulas mixing powers, nested numpy calls and big literals: each ends (the
    whole batch within the hang bound) with a fit or a one-line error, never an internal one."""
    rng = random.Random(20261201)
    formulas = []
    for _ in range(120):
        e = _random_expression(rng, rng.randint(2, 6))
        formulas.append(rng.choice([f"y ~ x + I({e})", f"y ~ I({e})", f"y ~ x + {e}",
                                    f"y ~ x + bs(z, df={e})", f"y ~ x + C(np.sign({e}))"]))
    results = _run_batch(csv_path, formulas)
    assert len(results) == len(formulas)
    for formula, code, err in results:
        errors = [ln for ln in err.splitlines() if ln.startswith("logitstat: error")]
        assert code in (0, 1), (formula, err)
        assert "internal error" not in err, (formula, err)
        assert code == 0 or len(errors) == 1, (formula, err)


# --------------------------------------------------------------------------- the guard itself


def test_big_integers_become_floats_and_small_ones_stay():
    env = RestrictedEnvironment()
    assert env.eval("np.square(10**64)") == 1e128
    assert env.eval("np.abs(10**20)") == 1e20 and isinstance(env.eval("np.abs(10**20)"), float)
    assert env.eval("((np.pi > 0) + 2) ** 10") == 3 ** 10 and env.eval("2 ** 10") == 1024
    assert env.eval("np.square(" * 12 + "10**64" + ")" * 12) == np.inf
    with pytest.raises(ls.FormulaError, match="bits"):
        env.eval("((np.pi > 0) + 2) ** 10**6")  # a Python int: (True + 2) ** 10**6
    with pytest.raises(ls.FormulaError, match="bits"):
        env.eval(" * ".join(["10**64"] * 30))


def test_integer_levels_keep_their_names(df):
    """Integers are left as they are, so categorical levels are named as in an ordinary fit."""
    data = df.assign(k=np.arange(len(df)) % 3)
    safe = ls.glm("y ~ C(k % 2) + x", data, eval_env=restricted_environment())
    plain = ls.glm("y ~ C(k % 2) + x", data)
    assert list(safe.params.index) == list(plain.params.index)
    np.testing.assert_allclose(safe.params.to_numpy(), plain.params.to_numpy(), rtol=1e-12)


def test_numpy_functions_cannot_write_into_the_data(df):
    before = df.copy()
    for formula in ("y ~ I(np.quantile(x, 0.5, overwrite_input=True) + x)",
                    "y ~ np.sqrt(x, x)", "y ~ np.cumsum(x, 0, None, x)"):
        with pytest.raises(ls.FormulaError):
            ls.glm(formula, df, eval_env=restricted_environment())
    pd.testing.assert_frame_equal(df, before)


def test_splines_within_the_basis_limit_still_fit(df):
    safe = ls.glm("y ~ bs(x, df=5) + cr(x, df=4)", df, eval_env=restricted_environment(),
                  drop_collinear=True)
    plain = ls.glm("y ~ bs(x, df=5) + cr(x, df=4)", df, drop_collinear=True)
    np.testing.assert_allclose(safe.params.to_numpy(), plain.params.to_numpy(), rtol=1e-10)
