"""What a Dask fit returns: :class:`DaskBinaryResults` on a :class:`DaskDesign`.

A :class:`~logitstat.models.binary.results.BinaryResults` whose rows stay on the cluster:
coefficients, standard errors (``nonrobust``, ``HC0``--``HC3``: the sandwich's meat is one more
reduction), tests, likelihoods, the summary and predictions on new pandas data work; row-level
results stay lazy or raise :class:`RowsNotInMemory`.  The separation check runs on the cluster.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..diagnostics import collinearity as _coll
from ..diagnostics.separation import SeparationReport, diagnose
from ..errors import SpecificationError
from ..fitting.irls import IRLSResult, drive
from ..fitting.links import Link
from ..models.binary.diagnostics import ModelSeparation
from ..models.binary.results import BinaryResults
from .client import _DaskModel
from .tasks import _predict_partition, _Spec

__all__ = ["COV_TYPES", "RowsNotInMemory", "DaskDesign", "DaskBinaryResults", "is_dask_frame"]

COV_TYPES = ("nonrobust", "hc0", "hc1", "hc2", "hc3")




class RowsNotInMemory(SpecificationError):
    """A row-level quantity was asked of a Dask fit, whose rows stay on the cluster."""


def is_dask_frame(obj: Any) -> bool:
    """Whether ``obj`` is a Dask DataFrame (checked without importing Dask)."""
    mod = type(obj).__module__ or ""
    return mod.split(".")[0] in ("dask", "dask_expr") and hasattr(obj, "npartitions") \
        and hasattr(obj, "columns")


@dataclass(frozen=True)
class DaskDesign:
    """What a Dask fit knows of its design: the metadata of a :class:`~logitstat.formula.design.Design`
    and the moments :math:`X^\\top X` and column sums; the rows stay on the cluster."""

    names: list[str]
    terms: dict[str, slice]
    response: str
    event: str
    grouped: bool
    has_weights: bool
    has_offset: bool
    n_dropped: int
    formula: str
    design_info: Any
    offset_name: str | None
    nobs: float
    gram: np.ndarray
    colsum: np.ndarray
    n_rows: int
    aliased: dict[str, str] = field(default_factory=dict)
    groups: None = None
    row_labels: None = None
    dropped_levels: dict = field(default_factory=dict)
    n_informative: float = 0           # rows with trials > 0 (sum of weights when weighted)

    @property
    def intercept(self) -> bool:
        return "Intercept" in self.names

    def __getattr__(self, name: str):
        if name in ("X", "y", "trials", "weights", "offset"):
            raise RowsNotInMemory(
                f"design.{name} of a Dask fit is not in memory (its rows stay on the cluster): "
                "use res.fittedvalues / res.predict() (lazy Dask Series), or fit on a pandas "
                "DataFrame (ddf.compute()) when the rows fit in memory")
        raise AttributeError(name)


class DaskBinaryResults(BinaryResults):
    """:class:`~logitstat.models.binary.results.BinaryResults` of a fit on a Dask DataFrame.

    Everything computed from the estimates, their covariance and the likelihoods works as for an
    in-memory fit; fitted values and predictions without ``newdata`` are lazy Dask Series;
    quantities that need every row in memory raise :class:`RowsNotInMemory`.
    """

    def __init__(self, design: DaskDesign, link: Link, fit: IRLSResult, model: _DaskModel, ddf,
                 *, cov_type: str = "nonrobust", tol: float = 1e-8, max_iter: int = 100):
        if str(cov_type).lower() not in COV_TYPES:
            raise SpecificationError(f"cov_type={cov_type!r} is not available for Dask fits: use "
                                     "one of 'nonrobust', 'HC0', 'HC1', 'HC2', 'HC3'")
        super().__init__(design, link, fit, cov_type=cov_type, method="irls", tol=tol,
                         max_iter=max_iter)
        self._model = model
        self._ddf = ddf

    # ------------------------------------------------------------------ covariance
    @cached_property
    def _cov(self) -> np.ndarray:
        kind = self.cov_type.lower()
        if kind == "nonrobust":
            return self.fit_result.cov
        B = self.fit_result.cov
        parts = self._model.run("meat", self.fit_result.params, B)
        key = {"hc0": "hc0", "hc1": "hc0", "hc2": "hc2", "hc3": "hc3"}[kind]
        meat = _DaskModel._sum(parts, key)
        cov = B @ meat @ B
        if kind == "hc1":
            n, k = self.design.n_informative, len(self.names)
            cov = cov * n / (n - k)
        return cov

    @property
    def score_parts(self):
        raise RowsNotInMemory("per-row scores of a Dask fit are not in memory; robust covariances "
                              "HC0-HC3 are computed on the cluster (cov_type=...)")

    # ------------------------------------------------------------------ likelihoods
    @cached_property
    def llf(self) -> float:
        return float(self._model.final["ll"])

    @cached_property
    def _null(self) -> tuple[float, float]:
        """Log-likelihood of the intercept-only model with the same weights/offset, and R's null
        deviance (of that model; of the offset alone when the formula has no intercept)."""
        d = self.design
        st = self._model.stats
        if not d.has_offset:
            mu0 = st["sum_event"] / st["sum_prior"]
            null_beta = np.array([float(self.link.linkfun(np.array(mu0)))])
        else:
            null_beta = None
        spec = _Spec(**{**self._model.spec.__dict__, "null": True})
        model = _DaskModel(self._ddf, spec, 1)
        if null_beta is None:
            out = drive(model, 1, tol=self._tol, max_iter=self._max_iter)
            null_beta = out.params
        if model.final is None or not np.array_equal(model.final_beta, null_beta):
            model.final_at(null_beta)
        ll, dev = float(model.final["ll"]), float(model.final["dev"])
        if not d.intercept:  # beta = 0 on the ones column: the offset alone
            model.final_at(np.zeros(1))
            dev = float(model.final["dev"])
        return ll, dev

    @property
    def llnull(self) -> float:
        return self._null[0]

    @property
    def null_deviance(self) -> float:
        return self._null[1]

    # ------------------------------------------------------------------ rows
    @cached_property
    def fittedvalues(self):
        """Fitted probabilities of the rows used: a lazy Dask Series."""
        return self.predict()

    def predict(self, newdata=None, which: str = "mean"):
        """Predictions; without ``newdata`` (or with a Dask DataFrame) a lazy Dask Series."""
        if newdata is None or is_dask_frame(newdata):
            if which not in ("mean", "linear"):
                raise SpecificationError(f"which={which!r}: use 'mean' or 'linear'")
            frame = self._ddf if newdata is None else newdata
            meta = pd.Series(np.zeros(0), name=which, dtype=float)
            return frame.map_partitions(_predict_partition, self._model.spec,
                                        self.fit_result.params, which, meta=meta)
        return super().predict(newdata, which)

    def get_prediction(self, newdata=None, which: str = "mean"):
        if newdata is None or is_dask_frame(newdata):
            raise RowsNotInMemory("standard errors of predictions are computed for pandas newdata; "
                                  "for the fitted rows use res.predict() (a lazy Dask Series)")
        return super().get_prediction(newdata, which)

    # ------------------------------------------------------------------ diagnostics
    @cached_property
    def _design_gram(self) -> np.ndarray:
        r""":math:`X^\top X`, reduced on the cluster during the fit."""
        return self.design.gram

    @cached_property
    def _bkw(self) -> pd.DataFrame:
        r"""Belsley–Kuh–Welsch table (and so ``condition_number`` and ``collinearity()``) from
        :math:`X^\top X` alone: the Gram route of
        :func:`logitstat.diagnostics.collinearity.collinearity_table`."""
        return _coll.collinearity_table(None, self.names, gram=self._design_gram)

    def gof(self, *args, **kwargs):
        raise RowsNotInMemory("goodness of fit (Hosmer-Lemeshow, AUC, calibration) needs every "
                              "row's fitted probability in memory: compute res.fittedvalues and "
                              "the response, or fit ddf.compute() with pandas")

    @cached_property
    def separation(self) -> ModelSeparation:
        """Overlap certificate computed on the cluster (see
        :func:`logitstat.diagnostics.separation.overlap_certificate`); when it cannot clear the fit, the
        exact linear programs of :func:`logitstat.diagnostics.separation.diagnose` run with row generation
        over the partitions (:mod:`logitstat.dask.separation`).  Separated rows are numbered by
        position among the rows used, partitions in order."""
        fin = self._model.final
        names = pd.Index(self.names)
        # multipliers strictly positive (fitted probabilities inside (0, 1)), however they spread
        ok = bool(self.fit_result.converged) and fin["max_lam"] > 0 and fin["min_lam"] > 0
        if ok:
            try:
                Minv = np.linalg.inv(fin["M"])
                v = Minv @ fin["g"]
            except np.linalg.LinAlgError:
                ok = False
        if ok and np.all(np.isfinite(v)) and np.all(np.isfinite(Minv)):
            parts = self._model.run("certificate", self.fit_result.params, v)
            resid = _DaskModel._sum(parts, "resid")
            size = _DaskModel._sum(parts, "size")
            rho = max(q["rho"] for q in parts)
            rows = [q["rows"] for q in parts]
            # the rounding bound of overlap_certificate, with sums over partitions
            gamma = (max(rows) + len(rows) + len(resid) + 8) * np.finfo(float).eps
            bound = (np.sqrt(max(float(resid @ Minv @ resid), 0.0))
                     + gamma * np.sqrt(float(size @ np.abs(Minv) @ size)))
            ok = all(q["ok"] for q in parts) and bool(np.isfinite(rho * bound) and rho * bound <= 0.5)
        else:
            ok = False
        if not ok:   # the linear programs, with row generation over the partitions
            from .separation import DaskCone

            cone = DaskCone(self._ddf, self._model.spec)
            if cone.basis.r == 0:
                rep = SeparationReport("none", np.zeros(len(names), dtype=int),
                                       np.zeros(len(cone.live), dtype=bool),
                                       np.zeros(len(names), dtype=bool), "lp", cone.passes)
            else:
                rep = diagnose(cone, direction=self.fit_result.params)
            return ModelSeparation.label(rep, names, pd.RangeIndex(len(rep.separated_rows)))
        p = len(self.names)
        rep = SeparationReport("none", np.zeros(p, dtype=int), np.zeros(0, dtype=bool),
                               np.zeros(p, dtype=bool), "certificate")
        return ModelSeparation("none", pd.Series(rep.directions, index=names, name="direction"),
                               pd.Series(np.zeros(0, dtype=bool), name="separated"),
                               pd.Series(rep.undetermined, index=names, name="undetermined"), rep)
