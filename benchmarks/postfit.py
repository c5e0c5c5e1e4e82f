"""Everything after the fit: time and peak memory of every public result method, beside the fit.

    python benchmarks/postfit.py                          # 2e5 x 55 and 2e4 x 1000
    python benchmarks/postfit.py --tall 1e6 --wide 1e5    # the sizes of issue 16 (~10 GB free)
    python benchmarks/postfit.py --steps vif,summary      # a subset of the steps

Method
------
* Designs: *tall* -- ``n`` rows, 15 standard-normal columns and three 14-level factors (55
  columns with the intercept); *wide* -- ``n`` rows, 49 numeric columns and one 951-level factor
  (1000 columns).  Logit responses from a fixed seed.
* Every step runs in a fresh subprocess, which builds the data and fits the model first (the
  ``fit`` row times that), then runs the step once.  Peak memory is the kernel's resident-set
  high-water mark during the step (reset through ``/proc/self/clear_refs`` just before it)
  minus the resident size just before it, as a multiple of X (one float64 copy of the design,
  ``n * p * 8`` bytes): what the step needed above the fitted model it was given.
* ``profile (3 coefs)`` profiles three coefficients (``which=``); a full table costs about
  ``p / 3`` times as much.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import _hwm_kb, _reset_hwm, _rss_kb  # noqa: E402

STEPS = {
    "fit": None,
    "summary": lambda r, d: str(r.summary()),
    "vif": lambda r, d: r.vif(),
    "vif(kind='design')": lambda r, d: r.vif(kind="design"),
    "condition_number": lambda r, d: r.condition_number,
    "collinearity": lambda r, d: r.collinearity(),
    "conf_int": lambda r, d: r.conf_int(),
    "profile (3 coefs)": lambda r, d: r.conf_int(method="profile", which=[1, 2, 3]),
    "odds_ratios": lambda r, d: r.odds_ratios(),
    "wald_test_terms": lambda r, d: r.wald_test_terms(),
    "anova": lambda r, d: r.anova(),
    "anova(type=2)": lambda r, d: r.anova(type=2),
    "anova(type=2) wald": lambda r, d: r.anova(type=2, test="wald"),
    "drop1": lambda r, d: r.drop1(),
    "lr_test": None,
    "margins overall": lambda r, d: r.marginal_effects(variables=["x1", "x2", "g1"]),
    "margins at mean": lambda r, d: r.marginal_effects(at="mean", variables=["x1", "x2", "g1"]),
    "margins(at=x1 3 values)": lambda r, d: r.margins(at={"x1": [-1, 0, 1]}),
    "margins(at=g1 3 levels)": lambda r, d: r.margins(at={"g1": list(d["g1"].cat.categories[:3])}),
    "margins(at=x1 dydx=x2)": lambda r, d: r.margins(at={"x1": 0}, dydx="x2"),
    "get_influence": lambda r, d: r.get_influence().summary_frame(),
    "resid_deviance": lambda r, d: r.resid_deviance,
    "predict(newdata)": lambda r, d: r.predict(d),
    "get_prediction": lambda r, d: r.get_prediction(d).summary_frame(),
    "gof": lambda r, d: r.gof(),
    "separation": lambda r, d: r.separation,
}


def make(kind: str, n: int) -> tuple[pd.DataFrame, str]:
    rng = np.random.default_rng(16)
    k, factors, levels = (15, 3, 14) if kind == "tall" else (49, 1, 951)
    d = pd.DataFrame(rng.standard_normal((n, k)), columns=[f"x{j}" for j in range(1, k + 1)])
    eta = 0.3 * d.x1 - 0.2 * d.x2
    for f in range(1, factors + 1):
        codes = rng.integers(0, levels, n)
        d[f"g{f}"] = pd.Categorical.from_codes(codes, [f"l{c:04d}" for c in range(levels)])
        eta = eta + 0.3 * np.sin(codes)
    d["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    terms = [f"x{j}" for j in range(1, k + 1)] + [f"g{f}" for f in range(1, factors + 1)]
    return d, "y ~ " + " + ".join(terms)


def worker(kind: str, n: int, step: str) -> dict:
    import logitstat as ls

    warnings.simplefilter("ignore")
    d, formula = make(kind, n)
    t0 = time.perf_counter()
    before = _rss_kb()
    _reset_hwm()
    res = ls.logit(formula, d)
    res.bse
    out = {"fit_s": time.perf_counter() - t0, "fit_kb": _hwm_kb() - before,
           "x_bytes": res.design.X.nbytes, "p": res.design.X.shape[1]}
    if step != "fit":
        if step == "lr_test":  # the restricted fit is made before the measurement
            small = ls.logit(re.sub(r" \+ x2(?![0-9])", "", formula), d)   # not x20...
            small.bse
            fn = lambda r, dd: ls.lr_test(small, r)  # noqa: E731
        else:
            fn = STEPS[step]
        before = _rss_kb()
        _reset_hwm()
        t0 = time.perf_counter()
        fn(res, d)
        out.update(step_s=time.perf_counter() - t0, step_kb=_hwm_kb() - before)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tall", type=float, default=2e5, help="rows of the 55-column design")
    ap.add_argument("--wide", type=float, default=2e4, help="rows of the 1000-column design")
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--worker", nargs=3, metavar=("KIND", "N", "STEP"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        kind, n, step = args.worker
        print(json.dumps(worker(kind, int(float(n)), step)))
        return
    rows = []
    for kind, n in (("tall", int(args.tall)), ("wide", int(args.wide))):
        for step in args.steps.split(","):
            cp = subprocess.run([sys.executable, __file__, "--worker", kind, str(n), step],
                                capture_output=True, text=True)
            if cp.returncode != 0:
                rows.append((kind, n, "?", step, "failed: " + cp.stderr.strip().splitlines()[-1]))
                continue
            r = json.loads(cp.stdout.strip().splitlines()[-1])
            xmb = r["x_bytes"] / 2 ** 20
            if step == "fit":
                cell = f"{r['fit_s']:.2f} s / {r['fit_kb'] * 1024 / r['x_bytes']:.1f}x X"
            else:
                cell = f"{r['step_s']:.2f} s / {max(r['step_kb'], 0) * 1024 / r['x_bytes']:.2f}x X"
            rows.append((kind, n, r["p"], step, cell, f"{xmb:.0f} MB"))
            print(f"{kind:5s} n={n:>8d} p={r['p']:>5}  X={xmb:6.0f} MB  {step:22s} {cell}",
                  flush=True)
    print("\n| design | step | time / peak memory above the fit |\n|---|---|---|")
    for row in rows:
        print(f"| {row[0]} {row[1]:.0e} x {row[2]} | {row[3]} | {row[4]} |")


if __name__ == "__main__":
    main()
