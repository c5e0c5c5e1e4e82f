"""Cluster labels from ``groups=``: the columns named (or the arrays given) and their missing rows.

Data preparation for cluster-robust covariances (:mod:`logitstat.inference.clustering`): the
design builder resolves ``groups=`` while it drops incomplete rows, so these live in the formula
layer.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["group_columns", "missing_groups"]


def group_columns(value, data: pd.DataFrame | None, n: int) -> tuple[np.ndarray, str | None]:
    """Resolve ``groups=``: a column name, a list of one or two column names, a 1-D array, an
    (n, 2) array or a two-column DataFrame.  Returns a 1-D array or an (n, 2) object array."""
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        if len(value) > 2:
            raise DataError(f"groups={list(value)!r}: give one cluster column, or two for two-way "
                            "clustering")
        missing = [v for v in value if data is None or v not in data.columns]
        if missing:
            cols = "" if data is None else f"; columns are: {', '.join(map(str, data.columns))}"
            raise DataError(f"groups column {missing[0]!r} not found in the data{cols}")
        if len(value) == 1:
            return data[value[0]].to_numpy(), value[0]
        arr = np.empty((n, 2), dtype=object)
        for j, v in enumerate(value):
            arr[:, j] = data[v].to_numpy()
        return arr, " + ".join(value)
    if isinstance(value, str):
        if data is None or value not in data.columns:
            cols = "" if data is None else f"; columns are: {', '.join(map(str, data.columns))}"
            raise DataError(f"groups column {value!r} not found in the data{cols}")
        return data[value].to_numpy(), value
    if isinstance(value, pd.DataFrame):
        value = value.to_numpy(dtype=object)
    arr = np.asarray(value.to_numpy() if isinstance(value, pd.Series) else value)
    two = arr.ndim == 2 and arr.shape[1] in (1, 2)
    if not (arr.ndim == 1 or two) or arr.shape[0] != n:
        raise DataError(f"groups must be a column name (or a list of two), a 1-D array with one "
                        f"label per row ({n} rows) or an ({n}, 2) array; got shape {arr.shape}")
    if two and arr.shape[1] == 1:
        arr = arr[:, 0]
    return arr, None


def missing_groups(arr: np.ndarray) -> np.ndarray:
    """Rows whose cluster label (any of them, for two-way) is missing."""
    miss = np.asarray(pd.isna(arr), dtype=bool)
    return miss.any(axis=1) if miss.ndim == 2 else miss
