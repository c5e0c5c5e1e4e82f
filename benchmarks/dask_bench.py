"""Out-of-core: a logit fit on a Parquet dataset far larger than pandas could hold, with Dask.

    python benchmarks/dask_bench.py --rows 40e6        # ~16 GB of Parquet; writes it once
    python benchmarks/run.py --dask-rows 40e6          # the same

The dataset (``--rows`` rows of ``x1..x50`` standard normals, a 5-level categorical ``g`` and a
0/1 response from a logit model) is written once as Parquet files of ``--rows-per-file`` rows.
The fit is ``ls.logit("y ~ x1 + ... + x50 + g", dd.read_parquet(path))`` on a
``distributed.LocalCluster`` of ``--workers`` single-threaded worker processes with a memory
limit each: every IRLS iteration reads the files again, each worker holds one partition at a
time.  A background thread samples the resident memory of the client and every worker process
(psutil) every 0.2 s and reports the peaks: the memory stays bounded by a few partitions,
whatever the size of the dataset.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np


def write_dataset(path: Path, rows: int, per_file: int, p: int) -> float:
    """Write the dataset (once); return its size on disk in GB."""
    import pandas as pd
    from scipy import special

    done = path / "_complete"
    if not done.exists():
        path.mkdir(parents=True, exist_ok=True)
        beta = np.random.default_rng(1).normal(0.0, 1.0 / np.sqrt(p), p)
        effects = np.array([0.0, 0.2, -0.1, 0.3, 0.05])
        for k, start in enumerate(range(0, rows, per_file)):
            m = min(per_file, rows - start)
            rng = np.random.default_rng(1000 + k)
            X = rng.standard_normal((m, p))
            codes = rng.integers(0, 5, m)
            eta = -0.3 + X @ beta + effects[codes]
            df = pd.DataFrame(X, columns=[f"x{j}" for j in range(1, p + 1)])
            df["g"] = pd.Categorical.from_codes(codes, categories=list("abcde"))
            df["y"] = (rng.random(m) < special.expit(eta)).astype(float)
            df.to_parquet(path / f"part-{k:05d}.parquet", index=False)
            print(f"  wrote part {k} ({start + m:,} rows)", end="\r", flush=True)
        done.write_text("ok")
        print()
    return sum(f.stat().st_size for f in path.glob("*.parquet")) / 1e9


class MemorySampler:
    """Peak resident memory of this process and its children (the cluster's workers)."""

    def __init__(self, interval: float = 0.2):
        import psutil

        self.proc = psutil.Process()
        self.interval = interval
        self.peak_total = 0
        self.peak_each: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        while not self._stop.is_set():
            total = 0
            for pr in [self.proc] + self.proc.children(recursive=True):
                try:
                    rss = pr.memory_info().rss
                except psutil.Error:
                    continue
                total += rss
                self.peak_each[pr.pid] = max(self.peak_each.get(pr.pid, 0), rss)
            self.peak_total = max(self.peak_total, total)
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=float, default=40e6)
    ap.add_argument("--rows-per-file", type=float, default=1e6)
    ap.add_argument("--p", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="4GB", help="per worker")
    ap.add_argument("--cache", default=os.environ.get("LOGITSTAT_BENCH_CACHE", "/tmp/logitstat-bench"))
    ap.add_argument("--summary", action="store_true", help="also print the fitted model's summary")
    args = ap.parse_args(argv)
    rows, per_file, p = int(args.rows), int(args.rows_per_file), args.p
    path = Path(args.cache) / f"parquet_{rows}_p{p}"
    t0 = time.perf_counter()
    size = write_dataset(path, rows, per_file, p)
    print(f"dataset: {rows:,} rows x {p} numeric + 1 categorical, {size:.1f} GB of Parquet in "
          f"{len(list(path.glob('*.parquet')))} files (written in {time.perf_counter() - t0:.0f} s "
          "or earlier); as float64 in pandas: "
          f"{rows * (p + 2) * 8 / 1e9:.1f} GB for the DataFrame plus {rows * (p + 5) * 8 / 1e9:.1f} GB "
          "for the design matrix")
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import logitstat as ls

    formula = "y ~ " + " + ".join(f"x{j}" for j in range(1, p + 1)) + " + g"
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      memory_limit=args.memory_limit, dashboard_address=None) as cluster, \
            Client(cluster) as client, MemorySampler() as mem:
        ddf = dd.read_parquet(str(path))
        t = time.perf_counter()
        res = ls.logit(formula, ddf)
        bse = res.bse
        fit_time = time.perf_counter() - t
        t = time.perf_counter()
        text = str(res.summary()) if args.summary else ""
        extra = time.perf_counter() - t
        passes = res._model.passes
        workers = len(client.scheduler_info()["workers"])
    peaks = sorted(mem.peak_each.values(), reverse=True)
    print(f"fit + standard errors: {fit_time:.1f} s, {res.n_iter} iterations, {passes} passes over "
          f"the data ({fit_time / max(passes, 1):.1f} s a pass), converged={res.converged}")
    if args.summary:
        print(f"summary (likelihoods, separation certificate): {extra:.1f} s more")
        print(text)
    print(f"peak resident memory: {mem.peak_total / 1e9:.2f} GB in all, client + {workers} workers "
          f"(largest processes: {', '.join(f'{x / 1e9:.2f}' for x in peaks[:3])} GB)")
    print("first coefficients:", ", ".join(f"{k}={v:.5f}±{s:.5f}" for (k, v), s in
                                          zip(res.params.head(4).items(), bse.head(4))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
