"""The client side of a Dask fit: the driver's interface over the partitions.

:class:`_DaskModel` gives :func:`logitstat.fitting.drive.drive` -- the loop of the in-memory
IRLS -- passes that are Dask computations: every partition returns its small dict of sums
(:mod:`logitstat.dask.tasks`), and the client adds them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import linalg

from ..errors import DataError, ResponseError
from .tasks import _partition_series, _Spec

__all__: list[str] = []   # internal to logitstat.dask


class _DaskModel:
    """The driver's interface (see :func:`logitstat.fitting.drive.drive`) over Dask partitions."""

    def __init__(self, ddf, spec: _Spec, p: int):
        self.ddf = ddf
        self.spec = spec
        self.p = p
        self.beta = self.trial_beta = None
        self.stats: dict = {}
        self.final: dict | None = None
        self.final_beta = None
        self.passes = 0

    def run(self, mode: str, beta=None, extra=None) -> list[dict]:
        """One pass: every partition's small dict of sums (reading and building each partition
        and reducing it happen in one fused task, so no partition is ever moved or kept)."""
        meta = pd.Series([], dtype=object)
        out = self.ddf.map_partitions(_partition_series, self.spec, mode, beta, extra, meta=meta,
                                      enforce_metadata=False, align_dataframes=False).compute()
        self.passes += 1
        return list(out)

    @staticmethod
    def _sum(parts: list[dict], key: str):
        total = parts[0][key]
        total = total.copy() if isinstance(total, np.ndarray) else total
        for q in parts[1:]:
            total = total + q[key]
        return total

    def _abd(self, parts):
        return self._sum(parts, "A"), self._sum(parts, "b"), float(self._sum(parts, "dev"))

    def start(self, beta, gram):
        parts = self.run("start", beta)
        self.stats = {k: self._sum(parts, k) for k in ("n_in", "n", "sum_prior", "sum_event",
                                                       "sum_w", "n_pos", "gram", "gram_live",
                                                       "colsum")}
        self.beta = self.trial_beta = beta
        if self.stats["n"] == 0:
            raise DataError("no rows left after dropping rows with missing values")
        if not (0.0 < self.stats["sum_event"] < self.stats["sum_prior"]):
            raise ResponseError("the response is constant (only one outcome occurs in the data): "
                                "a binary model needs both outcomes")
        return self._abd(parts)

    def pass_at(self, beta):
        self.trial_beta = beta
        return self._abd(self.run("pass", beta))

    def halve(self, beta):
        self.trial_beta = beta
        return float(self._sum(self.run("deviance", beta), "dev"))

    def regram(self, beta):
        return self._abd(self.run("pass", beta))

    def accept(self):
        self.beta = self.trial_beta

    def finish(self, beta, step):
        new = beta + step
        self.final_at(new)
        return self.final["dev"]

    def final_at(self, beta):
        parts = self.run("final", beta)
        self.final = {k: self._sum(parts, k) for k in ("dev", "ll", "g", "M")}
        self.final["min_lam"] = min(q["min_lam"] for q in parts)
        self.final["max_lam"] = max(q["max_lam"] for q in parts)
        self.final_beta = beta

    def lsq(self, beta, A, b):
        """Ill-conditioned normal equations: the minimum-norm least-squares solution of A x = b
        (the rows are not at hand for a QR of the weighted design)."""
        return linalg.lstsq(A, b, cond=1e-13, check_finite=False)[0]
