"""Wide formulas: parse time of ``y ~ x0 + ... + x{k-1}`` and fit time against the array interface.

patsy alone cannot parse 500 terms (RecursionError) and takes minutes for 5,000 with the limit
raised; :mod:`logitstat.formula_parse` folds the chain in a loop.  Run:
``python benchmarks/wide_formula.py [k] [n]`` (default 1000 terms, 100,000 rows: ~0.8 GB).
Timings on a shared machine are noisy: compare the ratio of the two fits in one process.
"""
from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

import logitstat as ls
from logitstat import formula_parse


def main(k: int = 1000, n: int = 100_000) -> None:
    formula = "y ~ " + " + ".join(f"x{i}" for i in range(k))
    t = time.perf_counter()
    formula_parse.model_desc(formula)
    print(f"parse {k} terms: {time.perf_counter() - t:.3f} s")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, k)) * 0.05
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-X[:, :10].sum(axis=1)))).astype(float)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(k)]).assign(y=y)
    t = time.perf_counter()
    by_formula = ls.logit(formula, df)
    t_formula = time.perf_counter() - t
    t = time.perf_counter()
    by_arrays = ls.logit(y, np.column_stack([np.ones(n), X]))
    t_arrays = time.perf_counter() - t
    gap = np.max(np.abs(by_formula.params.to_numpy() - by_arrays.params.to_numpy()))
    print(f"k={k} n={n}: formula {t_formula:.2f} s, arrays {t_arrays:.2f} s "
          f"(ratio {t_formula / t_arrays:.2f}), largest coefficient difference {gap:.1e}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
