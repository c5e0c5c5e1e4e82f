"""Exact separation check of a Dask fit, next to the Dask fit and to the in-memory check.

The data of ``benchmarks/separation.py`` (n rows, 50 normal covariates and a 5-level factor;
kinds ``quasi`` and ``complete`` are separated, ``overlap`` with ``--max-iter 2`` is a fit the
certificate cannot clear), written as ``--parts`` Parquet files and read back with Dask on a
``LocalCluster`` of one process (threads), so that the peak resident memory of the process
covers client and workers.  Each case runs in a fresh subprocess.  Columns: time of the Dask fit,
time of ``res.separation`` (the linear programs with row generation over the partitions), its
passes over the partitions, the answer, whether it equals the in-memory answer on the same rows,
and the peak resident memory of the check above the fitted model, as a multiple of X (one
float64 copy of the whole design, which the Dask process never holds).

    python benchmarks/dask_separation.py                  # n = 1e5 and 1e6, 8 partitions
    python benchmarks/dask_separation.py --n 2000000 --parts 16 --kinds complete
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import _hwm_kb, _reset_hwm, _rss_kb  # noqa: E402
from separation import make  # noqa: E402


def run_case(kind: str, n: int, parts: int) -> dict:
    import dask.dataframe as dd
    import distributed
    import numpy as np

    import logitstat as ls

    df = make("overlap" if kind == "unconverged" else kind, n)
    formula = "y ~ " + " + ".join(f"x{j}" for j in range(50)) + " + g"
    max_iter = 2 if kind == "unconverged" else 100
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dd.from_pandas(df, npartitions=parts).to_parquet(tmp)
        mem = ls.logit(formula, df, max_iter=max_iter)
        expected = mem.separation
        xbytes = mem.design.X.nbytes
        del mem, df
        with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                      dashboard_address=None,
                                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cl, \
                distributed.Client(cl):
            ddf = dd.read_parquet(tmp)
            t0 = time.perf_counter()
            res = ls.logit(formula, ddf, max_iter=max_iter)
            tfit = time.perf_counter() - t0
            base = _rss_kb()
            _reset_hwm()
            t0 = time.perf_counter()
            sep = res.separation
            tsep = time.perf_counter() - t0
            peak = (_hwm_kb() - base) * 1024
    same = (sep.kind == expected.kind and sep.directions.equals(expected.directions)
            and sep.undetermined.equals(expected.undetermined)
            and np.array_equal(sep.separated_rows.to_numpy(), expected.separated_rows.to_numpy()))
    return dict(kind=kind, n=n, fit=tfit, sep=tsep, passes=sep.report.passes,
                result=sep.kind, same=bool(same), mem=max(peak, 0) / xbytes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--kinds", nargs="+", default=["quasi", "complete", "unconverged"])
    ap.add_argument("--parts", type=int, default=8)
    ap.add_argument("--case", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        kind, n, parts = args.case
        print(json.dumps(run_case(kind, int(n), int(parts))))
        return
    print("| data | n | Dask fit | separation | passes | answer | = in memory | peak memory |")
    print("|---|---|---|---|---|---|---|---|")
    for n in args.n:
        for kind in args.kinds:
            out = subprocess.run([sys.executable, __file__, "--case", kind, str(n), str(args.parts)],
                                 capture_output=True, text=True)
            if out.returncode:
                print(f"| {kind} | {n:.0e} | failed: {out.stderr.strip().splitlines()[-1]} |||||")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"| {kind} | {n:.0e} | {r['fit']:.1f} s | {r['sep']:.1f} s | {r['passes']} | "
                  f"{r['result']} | {'yes' if r['same'] else 'NO'} | {r['mem']:.2f}x X |", flush=True)


if __name__ == "__main__":
    main()
