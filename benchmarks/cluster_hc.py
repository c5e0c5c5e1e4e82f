"""Time the cluster-robust covariances (one-way, two-way; HC0-HC3) against HC0 on one fit.

Usage: python benchmarks/cluster_hc.py [n]   (default n = 400000, p = 10, 2000 x 50 clusters)
"""
import sys
import time

import numpy as np
import pandas as pd

import logitstat as ls


def main(n: int = 400_000, p: int = 10) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p - 1))
    eta = X @ rng.normal(size=p - 1) * 0.3
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p - 1)])
    df["y"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    df["g"] = rng.integers(0, 2000, size=n)
    df["h"] = rng.integers(0, 50, size=n)
    formula = "y ~ " + " + ".join(df.columns[:p - 1])
    fit = ls.logit(formula, df, cov_type="cluster", groups=["g", "h"])
    one = ls.logit(formula, df, cov_type="cluster", groups="g")
    for label, res, cov_type, kwds in [
            ("HC0", one, "HC0", None), ("HC3", one, "HC3", None),
            ("cluster g HC0", one, "cluster", None), ("cluster g HC2", one, "cluster", {"type": "HC2"}),
            ("cluster g HC3", one, "cluster", {"type": "HC3"}),
            ("cluster g+h HC0", fit, "cluster", None), ("cluster g+h HC2", fit, "cluster", {"type": "HC2"})]:
        best = np.inf
        for _ in range(3):
            r = ls.BinaryResults(res.design, res.link, res.fit_result, cov_type=cov_type, cov_kwds=kwds)
            t = time.perf_counter()
            r.bse
            best = min(best, time.perf_counter() - t)
        print(f"{label:18s} {best:7.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400_000)
