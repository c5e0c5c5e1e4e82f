"""Formula factors evaluated on the full data, for the fast design builder.

Each factor of a formula is evaluated by patsy's own machinery and classified (numerical, or
categorical with its levels and integer codes) by the rules patsy applies;
:mod:`logitstat.formula.fastdesign` builds the matrices from these.  :class:`_Refuse` is the
signal that the fast path cannot guarantee patsy's result.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from patsy import EvalEnvironment

try:  # the box patsy's ``C()`` wraps its argument in
    from patsy.categorical import _CategoricalBox
except ImportError:  # pragma: no cover - a patsy without it never takes the fast path
    _CategoricalBox = None

__all__: list[str] = []   # internal to the fast design builder


class _Refuse(Exception):
    """Internal signal: the fast path cannot guarantee patsy's result; let patsy do it."""


@dataclass
class _Factor:
    """One factor evaluated on the full data.

    ``columns`` holds the numerical columns (each a 1-d array of length n); for a categorical
    factor ``codes`` index into ``uniques`` (-1 where pandas sees a missing value), ``fixed``
    is a level tuple patsy takes from the value itself rather than sniffing it, ``direct``
    says patsy uses the codes of a pandas Categorical as they are, and ``first_rows`` are the
    rows where each unique value first occurs.
    """

    stateful: bool
    columns: list[np.ndarray] | None = None
    codes: np.ndarray | None = None
    uniques: list[Any] | None = None
    fixed: tuple[Any, ...] | None = None
    direct: bool = False
    first_rows: np.ndarray | None = None

    @property
    def numerical(self) -> bool:
        """Whether patsy treats the factor as numerical."""
        return self.columns is not None


def _patsy_missing(value: Any) -> bool:
    """Whether patsy's default NA rules (``None`` and NaN) call a categorical value missing."""
    if value is None:
        return True
    try:
        return bool(np.isnan(float(value)))
    except (TypeError, ValueError, NotImplementedError):
        return False


def _first_rows(codes: np.ndarray) -> np.ndarray:
    """Rows where each code first occurs, for codes numbered in order of first appearance."""
    if codes.size == 0:
        return np.empty(0, dtype=np.intp)
    running = np.maximum.accumulate(codes)
    rows = np.flatnonzero(running[1:] > running[:-1]) + 1
    if codes[0] >= 0:
        rows = np.concatenate(([0], rows))
    return rows


def _object_codes(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Encode an object array whose entries are strings or patsy-style missing values."""
    missing = pd.isna(values)
    if missing.any():
        kinds = set(map(type, values[missing]))
        if not all(k is type(None) or issubclass(k, (float, np.floating)) for k in kinds):
            raise _Refuse("missing values of an unusual type")
    codes, uniques = pd.factorize(values)
    uniques = list(uniques)
    if not all(isinstance(u, str) for u in uniques):
        raise _Refuse("object column with values other than strings")
    return codes, uniques


def _categorical_codes(values: Any) -> tuple[np.ndarray, list[Any], tuple[Any, ...] | None]:
    """Codes, unique values and fixed levels (if any) of a value patsy treats as categorical."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cat = values.array if isinstance(values, pd.Series) else values
        categories = list(cat.categories)
        return np.asarray(cat.codes, dtype=np.intp), categories, tuple(categories)
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return np.asarray(values).astype(np.intp), [False, True], (False, True)
    if isinstance(dtype, pd.StringDtype):
        if dtype.na_value is not np.nan and values.isna().any():
            raise _Refuse("string column with pd.NA")
        codes, uniques = pd.factorize(values.array)
        return np.asarray(codes, dtype=np.intp), list(uniques), None
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        codes, uniques = _object_codes(np.asarray(values))
        return np.asarray(codes, dtype=np.intp), uniques, None
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        codes, uniques = pd.factorize(np.asarray(values))
        return np.asarray(codes, dtype=np.intp), uniques.tolist(), None
    raise _Refuse(f"unsupported categorical dtype {dtype}")


def _evaluate(factor: Any, data: pd.DataFrame, eval_env: EvalEnvironment) -> tuple[dict, _Factor]:
    """Evaluate one patsy factor on the full data and classify it as patsy would."""
    state: dict = {}
    passes = factor.memorize_passes_needed(state, eval_env)
    for which in range(passes):
        factor.memorize_chunk(state, which, data)
        factor.memorize_finish(state, which)
    return state, _classify(factor.eval(state, data), data, passes > 0)


def _classify(value: Any, data: pd.DataFrame, stateful: bool) -> _Factor:
    """Classify a factor's value on ``data`` as patsy would (numerical columns or codes)."""
    n = len(data)
    boxed = _CategoricalBox is not None and isinstance(value, _CategoricalBox)
    box_levels = None
    if boxed:
        box_levels = value.levels
        value = value.data
    if isinstance(value, (pd.Series, pd.DataFrame)):
        if len(value) != n or not value.index.equals(data.index):
            raise _Refuse("factor with another index")
        if isinstance(value, pd.DataFrame):  # numerical with several columns (e.g. bs())
            if boxed or not all(isinstance(t, np.dtype) and t.kind in "iuf" for t in value.dtypes):
                raise _Refuse("data frame factor that is not plainly numeric")
            value = np.asarray(value)
    elif isinstance(value, np.ndarray):
        if value.ndim == 0 or value.shape[0] != n:
            raise _Refuse("factor with another number of rows")
    elif isinstance(value, pd.Categorical):
        if len(value) != n:
            raise _Refuse("factor with another number of rows")
    else:
        raise _Refuse(f"factor evaluates to {type(value).__name__}")

    dtype = value.dtype
    numeric = isinstance(dtype, np.dtype) and dtype.kind in "iuf"
    if numeric and not boxed:
        array = np.asarray(value)
        if array.ndim == 1:
            columns = [array]
        elif array.ndim == 2:
            columns = [array[:, j] for j in range(array.shape[1])]
        else:
            raise _Refuse("factor with more than two dimensions")
        return _Factor(stateful=stateful, columns=columns)

    if stateful:
        raise _Refuse("stateful categorical factor")
    if not boxed and hasattr(value, "contrast"):  # patsy would read a contrast off the value
        raise _Refuse("value carries a contrast attribute")
    if getattr(value, "ndim", 1) != 1:
        raise _Refuse("categorical factor with more than one dimension")
    codes, uniques, fixed = _categorical_codes(value)
    direct = fixed is not None and isinstance(dtype, pd.CategoricalDtype) and not boxed
    if box_levels is not None:
        fixed = tuple(box_levels)
    first = _first_rows(codes) if fixed is None else None
    return _Factor(
        stateful=False, codes=codes, uniques=uniques, fixed=fixed, direct=direct, first_rows=first
    )


def _final_codes(ev: _Factor, levels: tuple[Any, ...], fitting: bool = True) -> np.ndarray:
    """Codes into patsy's ``levels`` (-1 = missing), refusing whatever patsy would read
    differently: other fixed levels, a value outside the levels (at prediction, a level the fit
    never saw: patsy then raises its own error) and, when ``fitting``, sniffed levels other than
    the data's."""
    assert ev.codes is not None and ev.uniques is not None
    if ev.fixed is not None and tuple(ev.fixed) != levels:
        raise _Refuse("levels differ")
    if ev.direct:
        return ev.codes
    try:
        position = {level: i for i, level in enumerate(levels)}
    except TypeError as exc:
        raise _Refuse("unhashable level") from exc
    table = np.empty(len(ev.uniques) + 1, dtype=np.intp)
    table[-1] = -1  # code -1 (missing for pandas) stays -1
    for i, value in enumerate(ev.uniques):
        if _patsy_missing(value):
            table[i] = -1
            continue
        try:
            table[i] = position[value]
        except (KeyError, TypeError) as exc:
            raise _Refuse("value outside the levels") from exc
    if fitting and ev.fixed is None:
        seen = set(table[:-1][table[:-1] >= 0].tolist())
        if seen != set(range(len(levels))):
            raise _Refuse("sniffed levels differ from the data")
    return table[ev.codes]
