"""Preparing the caller's DataFrame for patsy, as R's ``model.frame`` would see it.

Three things patsy does not do the way R's ``glm`` does, each done on a shallow copy of the
caller's frame (the caller's DataFrame is never modified):

* pandas' nullable dtypes (``Int64``, ``Float64``, ``boolean``, ``string`` -- what
  ``DataFrame.convert_dtypes()`` and ``read_csv(dtype_backend=...)`` produce) hold ``pd.NA``,
  which patsy cannot test for missingness; :func:`patsy_ready` turns them into the numpy-backed
  columns patsy understands, with ``NaN``/``None`` for the missing values;
* R's ``glm`` drops the levels of a factor that no estimation row has
  (``model.frame(..., drop.unused.levels = TRUE)``), e.g. a level present only in rows dropped
  for a missing value; patsy keeps them, which gives an all-zero column.
  :func:`unused_levels` finds them and :func:`drop_levels` removes them;
* R's ``predict`` matches the levels of new data by label; patsy insists that a categorical
  column of the new data has exactly the categories, in the same order, seen at fitting time.
  :func:`match_levels` hands such columns to patsy as plain values, which patsy then matches
  by label (an unseen label is still an error).
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["as_float", "patsy_ready", "unused_levels", "drop_levels", "match_levels"]


def as_float(values) -> np.ndarray:
    """A column or array as float64 with NaN for missing values (``pd.NA`` included).

    Raises ``TypeError``/``ValueError`` when the values are not numbers.
    """
    if isinstance(values, (pd.Series, pd.Index)) or isinstance(
            getattr(values, "dtype", None), pd.api.extensions.ExtensionDtype):
        return pd.Series(values).to_numpy(dtype=float, na_value=np.nan)
    arr = np.asarray(values)
    if arr.dtype == object:
        arr = np.where(pd.isna(arr), np.nan, arr)
    return np.asarray(arr, dtype=float)


def _numpy_column(s: pd.Series) -> np.ndarray | None:
    """The numpy equivalent of a nullable-dtype column (None when ``s`` needs no change)."""
    dt = s.dtype
    if isinstance(dt, (np.dtype, pd.CategoricalDtype)):
        return None
    has_na = bool(s.isna().any())
    if pd.api.types.is_bool_dtype(dt):
        if not has_na:
            return s.to_numpy(dtype=bool)
        return s.astype(object).where(s.notna(), None).to_numpy()
    if pd.api.types.is_numeric_dtype(dt):
        if not has_na and getattr(dt, "numpy_dtype", None) is not None:
            return s.to_numpy(dtype=dt.numpy_dtype)   # Int64 stays integer: C(x) labels as "2"
        return s.to_numpy(dtype=float, na_value=np.nan)
    if pd.api.types.is_string_dtype(dt) and has_na:
        return s.to_numpy(dtype=object, na_value=np.nan)
    return None


def patsy_ready(frame: pd.DataFrame, columns: Iterable) -> pd.DataFrame:
    """``frame`` (a shallow copy of the caller's data) with the nullable-dtype ``columns``
    replaced by numpy-backed ones; returned unchanged when none needs it."""
    for col in columns:
        new = _numpy_column(frame[col])
        if new is not None:
            frame[col] = new
    return frame


def unused_levels(frame: pd.DataFrame, columns: Iterable, rows: np.ndarray,
                  dropped_rows: bool) -> dict:
    """Levels of the categorical ``columns`` that no row in ``rows`` (positions) has.

    Categorical columns are checked always (a category may occur nowhere); string columns only
    when ``dropped_rows`` (otherwise every value they hold is in an estimation row).  Returns
    ``{column: [levels]}``; a column none of whose levels remains is left out.
    """
    out = {}
    for col in columns:
        s = frame[col]
        try:
            if isinstance(s.dtype, pd.CategoricalDtype):
                codes = np.asarray(s.cat.codes)[rows]
                counts = np.bincount(codes[codes >= 0], minlength=len(s.cat.categories))
                unused = [c for c, k in zip(s.cat.categories, counts) if k == 0]
                n_levels = len(s.cat.categories)
            elif dropped_rows and (s.dtype == object or pd.api.types.is_string_dtype(s.dtype)):
                values = s.to_numpy(dtype=object)
                every = pd.unique(values[~pd.isna(values)])
                kept = values[rows]
                kept = set(pd.unique(kept[~pd.isna(kept)]))
                unused = [v for v in every if v not in kept]
                n_levels = len(every)
            else:
                continue
        except TypeError:  # unhashable values: patsy will say what is wrong
            continue
        if unused and len(unused) < n_levels:
            out[col] = unused
    return out


def drop_levels(frame: pd.DataFrame, unused: dict) -> pd.DataFrame:
    """``frame`` with the ``unused`` levels of each column removed (those values become missing;
    they occur only in rows that are not estimated)."""
    for col, levels in unused.items():
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            frame[col] = s.cat.remove_categories(levels)
        else:
            values = s.to_numpy(dtype=object)
            frame[col] = np.where(pd.Series(values).isin(levels).to_numpy(), None, values)
    return frame


def match_levels(frame: pd.DataFrame, design_info) -> pd.DataFrame:
    """``frame`` (new data) with each categorical column whose categories are not those of a
    categorical factor of ``design_info`` turned into plain values, so that patsy matches its
    levels by label (R's behaviour) rather than refusing a different category order."""
    known = {tuple(fi.categories) for fi in design_info.factor_infos.values()
             if fi.type == "categorical"}
    for col in frame.columns:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype) and tuple(s.cat.categories) not in known:
            frame[col] = s.astype(object).where(s.notna(), None).to_numpy()
    return frame
