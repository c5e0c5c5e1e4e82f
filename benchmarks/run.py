"""logitstat against statsmodels, glum and scikit-learn: one command, one side-by-side table.

    python benchmarks/run.py --quick               # about a minute: n = 1e4, 1e5; p = 10; logit
    python benchmarks/run.py                       # the full table (about 15 minutes)
    python benchmarks/run.py --n 1e3,1e4 --p 10    # a subset
    python benchmarks/run.py --markdown out.md     # also write the table as Markdown
    python benchmarks/run.py --dask-rows 40e6      # only the out-of-core Dask fit (see dask_bench.py)

Install the tools with ``pip install -e ".[bench]"``.  Run with the machine otherwise idle; on
machines where ``OPENBLAS_CORETYPE``/``OPENBLAS_L2_SIZE`` are set, unset both for the command
(``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/run.py``): the table header
shows the BLAS kernel in use.

Method
------
* Data: ``n`` rows of ``p`` standard-normal columns ``x1..xp`` and a 5-level categorical ``g``
  (pandas ``category``), responses ``y_logit`` (logit model) and ``y_probit`` (probit model),
  generated once per (n, p) with a fixed seed and kept as Parquet under ``--cache``.
* Every measurement (tool × n × p × link) runs in a fresh subprocess that first imports every
  tool, reads the Parquet file into a DataFrame and runs the tool once on the first 1000 rows
  (imports, caches and JIT compilation are not timed); then it times ``--repeats`` runs (fewer
  at 1e6) and reports the median wall time.
* Wall time is from the DataFrame and the formula ``y ~ x1 + ... + xp + g`` to coefficients
  *and* standard errors: ``ls.logit``/``ls.probit`` then ``.bse``; statsmodels
  ``smf.logit(...).fit()`` (or ``smf.probit``) then ``.bse``, and ``smf.glm(...,
  family=Binomial(link))`` then ``.bse``; glum ``GeneralizedLinearRegressor(formula=...,
  alpha=0)`` then ``std_errors(expected_information=True, robust=False)`` (glum has no probit
  link); scikit-learn has no formulas and no standard errors: its time is ``pd.get_dummies``
  plus ``LogisticRegression(solver="newton-cholesky", C=inf)`` (``C=inf`` is the
  scikit-learn ≥ 1.8 spelling of ``penalty=None``).  Tolerances are tightened where a default
  would stop short of 1e-6 agreement (glum ``gradient_tol=1e-10``, scikit-learn ``tol=1e-10``).
* Peak memory: the subprocess's resident set size.  Before each run the kernel's high-water mark
  is reset (``/proc/self/clear_refs``); the figure is the high-water mark during the run minus
  the resident size just before it, i.e. what the tool needed above the DataFrame it was given,
  counting memory allocated by C/C++/BLAS code as well as numpy (which ``tracemalloc`` would
  miss).  The maximum over the repeats is reported.
* Agreement: the largest absolute difference of each tool's coefficients from statsmodels'
  ``Logit``/``Probit`` on the same data.
* ``fit only`` rows: logitstat's ``fit_design`` (rank check, IRLS, separation certificate,
  standard errors) on a prebuilt design, against ``bare_irls.py`` (~60 lines, no safety).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
TOOLS = ["logitstat", "sm_logit", "sm_glm", "glum", "sklearn", "ls_fit", "bare"]
LABELS = {"logitstat": "logitstat", "sm_logit": "statsmodels Logit/Probit",
          "sm_glm": "statsmodels GLM", "glum": "glum (+SE)", "sklearn": "sklearn (no SE)",
          "ls_fit": "logitstat fit only", "bare": "bare IRLS fit only"}


# --------------------------------------------------------------------------- data
def data_path(cache: Path, n: int, p: int) -> Path:
    return cache / f"bench_n{n}_p{p}.parquet"


def make_data(cache: Path, n: int, p: int) -> Path:
    """Write (once) the benchmark DataFrame for (n, p) as Parquet."""
    import pandas as pd
    from scipy import special

    path = data_path(cache, n, p)
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(12345 + p)
    cols = {f"x{j}": rng.standard_normal(n) for j in range(1, p + 1)}
    df = pd.DataFrame(cols)
    codes = rng.integers(0, 5, n)
    df["g"] = pd.Categorical.from_codes(codes, categories=list("abcde"))
    beta = rng.normal(0.0, 1.0 / np.sqrt(p), p)
    eta = -0.3 + df[list(cols)].to_numpy() @ beta + np.array([0.0, 0.2, -0.1, 0.3, 0.05])[codes]
    df["y_logit"] = (rng.random(n) < special.expit(eta)).astype(float)
    df["y_probit"] = (rng.random(n) < special.ndtr(0.6 * eta)).astype(float)
    tmp = path.with_suffix(".tmp")
    df.to_parquet(tmp)
    tmp.rename(path)
    return path


def formula(p: int, link: str) -> str:
    return f"y_{link} ~ " + " + ".join(f"x{j}" for j in range(1, p + 1)) + " + g"


# --------------------------------------------------------------------------- tools
def _canonical_names(p: int) -> list[str]:
    return ["Intercept"] + [f"x{j}" for j in range(1, p + 1)] + [f"g[T.{c}]" for c in "bcde"]


def tool_logitstat(df, p, link):
    import logitstat as ls

    res = (ls.logit if link == "logit" else ls.probit)(formula(p, link), df)
    bse = res.bse
    return res.params.reindex(_canonical_names(p)).to_numpy(), bse


def tool_sm_logit(df, p, link):
    import statsmodels.formula.api as smf

    mod = (smf.logit if link == "logit" else smf.probit)(formula(p, link), df)
    res = mod.fit(disp=0)
    bse = res.bse
    return res.params.reindex(_canonical_names(p)).to_numpy(), bse


def tool_sm_glm(df, p, link):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    lk = sm.families.links.Logit() if link == "logit" else sm.families.links.Probit()
    res = smf.glm(formula(p, link), df, family=sm.families.Binomial(link=lk)).fit()
    bse = res.bse
    return res.params.reindex(_canonical_names(p)).to_numpy(), bse


def tool_glum(df, p, link):
    if link != "logit":
        return None
    from glum import GeneralizedLinearRegressor

    m = GeneralizedLinearRegressor(family="binomial", link="logit", alpha=0,
                                   formula=formula(p, link), drop_first=True, gradient_tol=1e-10)
    m.fit(df)
    se = m.std_errors(X=df, robust=False, expected_information=True, dispersion=1.0)
    names = list(m.feature_names_)
    coef = dict(zip(names, m.coef_))
    out = [m.intercept_] + [coef[f"x{j}"] for j in range(1, p + 1)] + [coef[f"g[{c}]"] for c in "bcde"]
    return np.array(out), se


def tool_sklearn(df, p, link):
    if link != "logit":
        return None
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    xcols = [f"x{j}" for j in range(1, p + 1)]
    X = pd.get_dummies(df[xcols + ["g"]], columns=["g"], drop_first=True, dtype=float).to_numpy()
    lr = LogisticRegression(solver="newton-cholesky", C=np.inf, tol=1e-10, max_iter=200)
    lr.fit(X, df[f"y_{link}"].to_numpy())
    return np.r_[lr.intercept_, lr.coef_[0]], None


def _prebuilt(df, p, link):
    import patsy

    from logitstat import design

    return design.from_formula(formula(p, link), df, patsy.EvalEnvironment.capture(0))


def tool_ls_fit(des, p, link):
    from logitstat import api
    from logitstat.links import get_link

    res = api.fit_design(des, get_link(link))
    bse = res.bse
    return res.params.reindex(_canonical_names(p)).to_numpy(), bse


def tool_bare(des, p, link):
    sys.path.insert(0, str(HERE))
    from bare_irls import bare_irls

    beta, cov, _, _ = bare_irls(des.X, des.y, link)
    order = [des.names.index(nm) for nm in _canonical_names(p)]
    return beta[order], np.sqrt(np.diag(cov))


# --------------------------------------------------------------------------- worker
def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _hwm_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def worker_main(args) -> None:
    """Time the tool; report times, memory and the coefficients of the last timed run."""
    import warnings

    import pandas as pd

    warnings.simplefilter("ignore")
    for mod in ("logitstat", "statsmodels.formula.api", "glum", "sklearn.linear_model", "patsy"):
        __import__(mod)
    fn = globals()[f"tool_{args.tool}"]
    df = pd.read_parquet(args.data)
    p = args.p
    prebuilt = args.tool in ("ls_fit", "bare")
    warm = df.iloc[:1000].reset_index(drop=True)
    if fn(_prebuilt(warm, p, args.link) if prebuilt else warm, p, args.link) is None:
        print(json.dumps({"na": True}))
        return
    inputs = _prebuilt(df, p, args.link) if prebuilt else df
    times, mems, coef = [], [], None
    for _ in range(args.repeats):
        gc.collect()
        _reset_hwm()
        before = _rss_kb()
        t0 = time.perf_counter()
        out = fn(inputs, p, args.link)
        times.append(time.perf_counter() - t0)
        mems.append(max(_hwm_kb() - before, 0) / 1024.0)
        coef = out[0]
        del out
    print(json.dumps({"na": False, "times": times, "mem_mb": mems, "coef": list(map(float, coef))}))


# --------------------------------------------------------------------------- driver
def blas_kernel() -> str:
    try:
        from threadpoolctl import threadpool_info

        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        return ", ".join(f"{i.get('internal_api')} {i.get('architecture')} ×{i.get('num_threads')}"
                         for i in info) or "unknown"
    except Exception:  # noqa: BLE001
        return "unknown"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    import numpy
    import pandas

    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM; Python {platform.python_version()}, "
            f"numpy {numpy.__version__}, pandas {pandas.__version__}; BLAS: {blas_kernel()}")


def versions() -> str:
    out = []
    for mod in ("logitstat", "statsmodels", "glum", "sklearn", "patsy", "scipy"):
        try:
            out.append(f"{mod} {__import__(mod).__version__}")
        except Exception:  # noqa: BLE001
            out.append(f"{mod} (missing)")
    return ", ".join(out)


def measure(tool, n, p, link, path, repeats) -> dict:
    cmd = [sys.executable, __file__, "--worker", "--tool", tool, "--data", str(path), "--p", str(p),
           "--link", link, "--repeats", str(repeats)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def repeats_for(n: int, tool: str, base: int) -> int:
    if n >= 1_000_000:
        return 2 if tool.startswith("sm_") else 3
    if n >= 100_000:
        return 3
    return base


def fmt_time(t: float) -> str:
    return f"{t * 1000:.1f} ms" if t < 1 else f"{t:.2f} s"


#: ``--quick``: the small end of the table, fewer repeats (overrides --n, --p, --links, --repeats)
QUICK = {"n": "1e4,1e5", "p": "10", "links": "logit", "repeats": 3}
QUICK_HELP = "--n 1e4,1e5 --p 10 --links logit --repeats 3"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", default="1e3,1e4,1e5,1e6")
    ap.add_argument("--p", default="10,50")
    ap.add_argument("--links", default="logit,probit")
    ap.add_argument("--tools", default=",".join(TOOLS))
    ap.add_argument("--repeats", type=int, default=7, help="repeats below 1e5 rows (fewer above)")
    ap.add_argument("--cache", default=os.environ.get("LOGITSTAT_BENCH_CACHE", "/tmp/logitstat-bench"))
    ap.add_argument("--markdown", help="also write the table to this Markdown file")
    ap.add_argument("--json", help="also write the raw measurements to this JSON file")
    ap.add_argument("--dask-rows", type=float, help="run only the out-of-core Dask benchmark")
    ap.add_argument("--quick", action="store_true", help="a one-minute subset: " + QUICK_HELP)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--tool", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--link", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.quick:
        args.n, args.p, args.links, args.repeats = QUICK["n"], QUICK["p"], QUICK["links"], QUICK["repeats"]
    if args.worker:
        args.p = int(args.p)
        worker_main(args)
        return 0
    if args.dask_rows:
        sys.path.insert(0, str(HERE))
        import dask_bench

        return dask_bench.main(["--rows", str(int(args.dask_rows)), "--cache", args.cache])
    ns = [int(float(v)) for v in args.n.split(",")]
    ps = [int(v) for v in args.p.split(",")]
    links = args.links.split(",")
    tools = args.tools.split(",")
    cache = Path(args.cache)
    header = f"Machine: {machine()}\nVersions: {versions()}"
    print(header, flush=True)
    rows, raw = [], []
    for p in ps:
        for n in ns:
            path = make_data(cache, n, p)
            design_mb = n * (p + 5) * 8 / 2 ** 20
            for link in links:
                res = {t: measure(t, n, p, link, path, repeats_for(n, t, args.repeats)) for t in tools}
                raw.append({"n": n, "p": p, "link": link, "results": res})
                ref = res.get("sm_logit", {})
                ref_coef = np.array(ref["coef"]) if ref.get("coef") else None
                ls_t = statistics.median(res["logitstat"]["times"]) if res.get("logitstat", {}).get("times") else None
                for t in tools:
                    r = res[t]
                    if r.get("error"):
                        rows.append((n, p, link, LABELS[t], "error", "", "", "", r["error"][:60]))
                        continue
                    if r.get("na"):
                        rows.append((n, p, link, LABELS[t], "n/a", "", "", "", "no probit link"))
                        continue
                    med = statistics.median(r["times"])
                    mem = max(r["mem_mb"])
                    ratio = "" if ls_t is None or t in ("logitstat", "ls_fit", "bare") else f"{med / ls_t:.1f}×"
                    if t == "bare" and res.get("ls_fit", {}).get("times"):
                        ratio = f"ls_fit/bare {statistics.median(res['ls_fit']['times']) / med:.2f}"
                    agree = ""
                    if ref_coef is not None and r.get("coef"):
                        diff = float(np.max(np.abs(np.array(r["coef"]) - ref_coef)))
                        agree = f"{diff:.1e}" + (" ✓" if diff <= 1e-6 else " ✗")
                    memcol = f"{mem:.0f} MB"
                    if t == "logitstat":
                        memcol += f" ({mem / design_mb:.2f}× X)"
                    rows.append((n, p, link, LABELS[t], fmt_time(med), ratio, memcol, agree, ""))
                    print(" | ".join(map(str, rows[-1])), flush=True)
    table = render(rows)
    print()
    print(table)
    if args.markdown:
        Path(args.markdown).write_text(f"{header}\n\n{table}\n")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": header, "raw": raw}, indent=1))
    return 0


def render(rows) -> str:
    head = ("n", "p", "link", "tool", "time (median)", "time / logitstat", "peak memory above input",
            "max abs. coef. diff. vs statsmodels", "note")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        n, p, link = r[:3]
        lines.append("| " + " | ".join([f"{n:.0e}".replace("+0", ""), str(p), link, *map(str, r[3:])]) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
