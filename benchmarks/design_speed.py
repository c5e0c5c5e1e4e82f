"""Time patsy.dmatrices against logitstat's fast design path (run by hand, not a test).

    python benchmarks/design_speed.py [--n 1000000] [--p 50] [--repeat 3]

Data: ``n`` rows, ``p`` standard-normal columns, a 5-level string column ``g`` and a 0/1
response; formula ``y ~ x0 + ... + x{p-1} + g``.  Prints the median wall time of each way of
building the design and checks that the results are identical.  It also times one pass of
X'WX over row blocks for a C- and an F-ordered X, to show which layout suits the IRLS.
"""
from __future__ import annotations

import argparse
import statistics
import time
from typing import Callable

import numpy as np
import pandas as pd
import patsy

from logitstat import fastdesign


def make_data(n: int, p: int, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """The benchmark DataFrame and formula."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.standard_normal((n, p)), columns=[f"x{i}" for i in range(p)])
    df["g"] = rng.choice(list("abcde"), n)
    df["y"] = (rng.random(n) < 0.5).astype(float)
    formula = "y ~ " + " + ".join(f"x{i}" for i in range(p)) + " + g"
    return df, formula


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def xtwx_blocks(X: np.ndarray, w: np.ndarray, block: int = 4096) -> np.ndarray:
    """X'WX accumulated over row blocks, as the IRLS does."""
    out = np.zeros((X.shape[1], X.shape[1]))
    for start in range(0, X.shape[0], block):
        xb = X[start : start + block]
        out += (xb * w[start : start + block, None]).T @ xb
    return out


def main() -> None:
    """Run the comparison and print a small table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--p", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    df, formula = make_data(args.n, args.p)
    env = patsy.EvalEnvironment.capture()

    y0, X0 = patsy.dmatrices(formula, df, eval_env=env, return_type="dataframe")
    y1, X1 = fastdesign.dmatrices(formula, df, eval_env=env)
    pd.testing.assert_frame_equal(X0, X1, check_exact=True)
    pd.testing.assert_frame_equal(y0, y1, check_exact=True)
    assert fastdesign.design_arrays(formula, df, eval_env=env).fast

    rows = [
        ("patsy.dmatrices (dataframe)", lambda: patsy.dmatrices(
            formula, df, eval_env=env, return_type="dataframe")),
        ("fastdesign.dmatrices (dataframe)", lambda: fastdesign.dmatrices(formula, df, env)),
        ("fastdesign.design_arrays order=C", lambda: fastdesign.design_arrays(
            formula, df, env, order="C")),
        ("fastdesign.design_arrays order=F", lambda: fastdesign.design_arrays(
            formula, df, env, order="F")),
    ]
    print(f"n = {args.n:,}, p = {args.p} numeric + 5-level string categorical, "
          f"X is {X0.shape[0]:,} x {X0.shape[1]}; median of {args.repeat}")
    base = None
    for name, fn in rows:
        seconds = median_time(fn, args.repeat)
        base = base or seconds
        print(f"  {name:36s} {seconds:8.3f} s   {base / seconds:6.1f}x")

    w = np.random.default_rng(1).random(X0.shape[0])
    XC = fastdesign.design_arrays(formula, df, env, order="C").X
    XF = fastdesign.design_arrays(formula, df, env, order="F").X
    print("one X'WX pass in 4096-row blocks:")
    for name, X in (("C order", XC), ("F order", XF)):
        seconds = median_time(lambda: xtwx_blocks(X, w), args.repeat)
        print(f"  {name:36s} {seconds:8.3f} s")


if __name__ == "__main__":
    main()
