"""Cost of the exact separation check next to the fit (docs/performance.md, "Separation").

One fresh subprocess per case: n rows of 50 standard-normal covariates and a 5-level string
factor, the outcome drawn by kind:

* ``overlap``  -- from the model with moderate coefficients;
* ``strong``   -- one strong covariate: fitted probabilities down to about 1e-10, no separation;
* ``rare``     -- about 0.1% events, overlapping;
* ``quasi``    -- as ``overlap`` plus a 6th factor level of 3 rows that are all failures
  (quasi-complete separation);
* ``complete`` -- the outcome is the sign of the linear predictor (complete separation).

The table gives the time of the fit (``irls`` on the design, to convergence or its iteration
limit), the time of the check (``res.separation`` recomputed on the returned fit), the method
("certificate" or "lp"), the passes over X it made, and the peak memory it allocated
(tracemalloc) as a multiple of X (one float64 copy of the design).

    python benchmarks/separation.py                       # n = 1e4, 1e5; logit, probit, cloglog
    python benchmarks/separation.py --n 1000000 --links logit --kinds overlap rare
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

KINDS = ["overlap", "strong", "rare", "quasi", "complete"]


def make(kind: str, n: int, seed: int = 0):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, 50))
    g = rng.choice(list("abcde"), size=n)
    beta = rng.normal(scale=0.15, size=50)
    eta = Z @ beta + 0.3 * (g == "b") - 0.2 * (g == "c")
    if kind == "strong":
        eta = 0.3 * eta + 3.4 * Z[:, 0] - 1.0
    elif kind == "rare":
        eta = eta - 7.5
    if kind == "complete":
        y = (eta > 0).astype(float)
    else:
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(float)
    if kind == "quasi":
        g[:3] = "f"
        y[:3] = 0.0
    df = pd.DataFrame(Z, columns=[f"x{j}" for j in range(50)])
    df["g"] = g
    df["y"] = y
    return df


def run_case(kind: str, n: int, link: str) -> dict:
    import tracemalloc
    import warnings

    import logitstat as ls

    df = make(kind, n)
    formula = "y ~ " + " + ".join(f"x{j}" for j in range(50)) + " + g"
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ls.glm(formula, df, link=link)
    total = time.perf_counter() - t0
    from logitstat.irls import irls

    d = res.design
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            irls(d.X, d.y, d.trials, d.weights, d.offset, res.link)
        except Exception:  # noqa: BLE001  (a separated fit may stop with an error: timed all the same)
            pass
    tfit = time.perf_counter() - t0
    res.__dict__.pop("separation", None)
    xbytes = res.design.X.nbytes
    t0 = time.perf_counter()
    sep = res.separation
    tsep = time.perf_counter() - t0
    # memory in a second run of the check: tracemalloc slows every allocation, so it must not
    # be on while the check is timed
    res.__dict__.pop("separation", None)
    tracemalloc.start()
    sep = res.separation
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return dict(kind=kind, n=n, link=link, fit=tfit, total=total, sep=tsep,
                method=sep.report.method, passes=sep.report.passes, result=sep.kind,
                n_sep=int(sep.report.n_separated), mem=peak / xbytes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--links", nargs="+", default=["logit", "probit", "cloglog"])
    ap.add_argument("--kinds", nargs="+", default=KINDS)
    ap.add_argument("--case", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.case:
        print(json.dumps(run_case(a.case[0], int(a.case[1]), a.case[2])))
        return
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    print("| data | n | link | fit (s) | separation (s) | ratio | method | passes | "
          "peak memory / X | result |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in a.n:
        for kind in a.kinds:
            for link in a.links:
                out = subprocess.run([sys.executable, __file__, "--case", kind, str(n), link],
                                     capture_output=True, text=True, env=env)
                if out.returncode:
                    why = (out.stderr.strip().splitlines() or [f"exit {out.returncode}"])[-1]
                    print(f"| {kind} | {n:.0e} | {link} | failed: {why} |")
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                res = r["result"] + (f" ({r['n_sep']} rows)" if r["n_sep"] else "")
                print(f"| {kind} | {n:.0e} | {link} | {r['fit']:.2f} | {r['sep']:.3f} | "
                      f"{r['sep'] / max(r['fit'], 1e-9):.2f} | {r['method']} | {r['passes']} | "
                      f"{r['mem']:.2f} | {res} |", flush=True)


if __name__ == "__main__":
    main()
