"""Stateful formula transforms that set missing values aside, as R does.

patsy's ``center(x)``, ``standardize(x)``, ``bs(x, ...)``, ``cr(x, ...)`` and ``cc(x, ...)``
learn their state (a mean, a standard deviation, knots) from every row of the data.  When ``x``
has a missing value that state is NaN (``center``, ``standardize``) or the knots are wrong
(``bs``), so every row -- not only the incomplete ones -- becomes missing and a fit with
``missing="drop"`` has nothing left.  R evaluates ``scale(x)`` and ``splines::bs(x)`` on the
same full column but sets the missing values aside (``colMeans(x, na.rm = TRUE)``, knots from
``x[!is.na(x)]``) and gives NA only for the rows where ``x`` itself is missing, which
``na.omit`` then drops.

The transforms here are patsy's own, wrapped so that

* the state is learnt from the rows where the input has no missing value (all rows of the data,
  including rows later dropped because *another* variable is missing -- as both R and patsy do);
* rows where the input is missing give missing output (dropped as usual), in fitting and in
  prediction.

When the input has no missing value they are exactly patsy's, except that ``bs`` evaluates points
beyond its boundary knots (new data, or the sample's extremes nudged by the numerical derivatives
of marginal effects) by continuing the boundary polynomial pieces, as R's ``predict`` for
``splines::bs`` does, where patsy raises ``NotImplementedError``.  :func:`namespace` returns them
for a formula's evaluation environment: a name the caller defines still takes precedence.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import patsy
from patsy import mgcv_cubic_splines as _mgcv
from patsy import splines as _splines
from patsy import state as _state

__all__ = ["namespace", "center", "standardize", "bs", "cr", "cc"]


def _missing_rows(x) -> np.ndarray | None:
    """Boolean mask of the rows of ``x`` (1-D, or 2-D by rows) with a missing value, or None
    when there is none (or ``x`` is not numeric: patsy then reports the problem itself)."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "fc":
        return None
    bad = np.isnan(arr)
    if bad.ndim > 1:
        bad = bad.reshape(bad.shape[0], -1).any(axis=1)
    return bad if bad.any() else None


def _rows(x, keep: np.ndarray):
    """The rows ``keep`` of ``x`` as a numpy array (the shape of ``x`` otherwise)."""
    return np.asarray(x)[keep]


def _na_aware(base: type, doc_name: str) -> type:
    """A subclass of patsy's stateful transform class ``base`` that memorizes on the complete
    rows of its input and returns NaN for the incomplete ones."""

    class NAAware(base):
        def memorize_chunk(self, x, *args, **kwargs):
            bad = _missing_rows(x)
            if bad is not None:
                x = _rows(x, ~bad)
            return super().memorize_chunk(x, *args, **kwargs)

        def transform(self, x, *args, **kwargs):
            bad = _missing_rows(x)
            if bad is None:
                return super().transform(x, *args, **kwargs)
            good = np.asarray(super().transform(_rows(x, ~bad), *args, **kwargs), dtype=float)
            out = np.full((len(bad),) + good.shape[1:], np.nan)
            out[~bad] = good
            if isinstance(x, pd.Series) and out.ndim == 1:
                return pd.Series(out, index=x.index)
            if isinstance(x, (pd.Series, pd.DataFrame)):
                return pd.DataFrame(out.reshape(len(bad), -1), index=x.index)
            return out

    NAAware.__name__ = NAAware.__qualname__ = base.__name__.lstrip("_")
    NAAware.__doc__ = (f"patsy's ``{doc_name}`` with missing values set aside: the state is "
                       "learnt from the complete rows of the input and incomplete rows give NaN.\n\n"
                       + (base.__doc__ or ""))
    return NAAware


def _stateful(cls: type, name: str):
    """patsy's formula function for ``cls``, named ``name`` so that pickle finds it here."""
    func = patsy.stateful_transform(cls)
    func.__name__ = func.__qualname__ = name
    return func


#: NA-aware ``center(x)``: subtracts the mean of the non-missing values.
Center = _na_aware(_state.Center, "center")   # module-level classes: fitted models pickle
center = _stateful(Center, "center")
#: NA-aware ``standardize(x, center=True, rescale=True, ddof=0)``; ``ddof=1`` is R's ``scale(x)``.
Standardize = _na_aware(_state.Standardize, "standardize")
standardize = _stateful(Standardize, "standardize")


class _ExtrapolatingBS(_splines.BS):
    """patsy's ``bs`` that, like R's ``predict`` for ``splines::bs``, continues the boundary
    polynomial pieces beyond the boundary knots instead of refusing such points (which new data
    and the numerical derivatives of marginal effects at the sample's extremes produce)."""

    def transform(self, x, df=None, knots=None, degree=3, include_intercept=False,
                  lower_bound=None, upper_bound=None):
        arr = np.asarray(x, dtype=float)
        flat = arr.reshape(-1) if arr.ndim == 2 and arr.shape[1] == 1 else arr
        knots_all = self._all_knots
        if flat.ndim != 1 or not np.any((flat < knots_all[0]) | (flat > knots_all[-1])):
            return super().transform(x, df=df, knots=knots, degree=degree,
                                     include_intercept=include_intercept,
                                     lower_bound=lower_bound, upper_bound=upper_bound)
        from scipy.interpolate import BSpline
        basis = BSpline.design_matrix(flat, knots_all, self._degree, extrapolate=True).toarray()
        if not include_intercept:
            basis = basis[:, 1:]
        if isinstance(x, (pd.Series, pd.DataFrame)):
            return pd.DataFrame(basis, index=x.index)
        return basis


#: NA-aware ``bs(x, df=None, knots=None, degree=3, ...)``: knots as ``splines::bs`` on
#: ``x[!is.na(x)]``; beyond the boundary knots the basis is extrapolated as R's ``predict`` does.
ExtrapolatingBS = _na_aware(_ExtrapolatingBS, "bs")
bs = _stateful(ExtrapolatingBS, "bs")
#: NA-aware natural cubic regression spline ``cr(x, df=...)`` (mgcv's ``cr`` basis).
CR = _na_aware(_mgcv.CR, "cr")
cr = _stateful(CR, "cr")
#: NA-aware cyclic cubic regression spline ``cc(x, df=...)`` (mgcv's ``cc`` basis).
CC = _na_aware(_mgcv.CC, "cc")
cc = _stateful(CC, "cc")

_NAMESPACE = {"center": center, "standardize": standardize, "bs": bs, "cr": cr, "cc": cc}


def namespace() -> dict:
    """The transforms by their formula names, for
    :meth:`patsy.EvalEnvironment.with_outer_namespace` (the caller's own names win)."""
    return dict(_NAMESPACE)
