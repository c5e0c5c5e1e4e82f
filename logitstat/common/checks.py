"""Validation of scalar and vector arguments, shared by every public function.

One rule everywhere: a number is a Python ``int``/``float`` or a numpy integer/floating scalar
(or a 0-d array of one); strings, booleans, lists and ``None`` are refused with a
:class:`~logitstat.errors.SpecificationError` that names the argument and says what is accepted.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..errors import SpecificationError

__all__ = ["real_number", "whole_number", "interval_alpha", "start_vector"]


def _as_real(value) -> float | None:
    """``float(value)`` for a real scalar (Python or numpy, not bool), else None."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    return float(value)


def _kind(value) -> str:
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (bool, np.bool_)):
        return "a bool"
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return f"a {type(value).__name__} (give a single number)"
    return f"of type {type(value).__name__}"


def real_number(value, name: str, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False, hint: str = "") -> float:
    """``value`` as a finite float within the bounds; :class:`SpecificationError` otherwise.

    ``low``/``high`` are inclusive unless ``low_open``/``high_open``.  ``hint`` says what the
    argument means (appended to the message).
    """
    x = _as_real(value)
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    if low is not None and high is not None and low_open and high_open:
        wanted = f"a number strictly between {low:g} and {high:g}"
    elif low is not None and high is not None:
        wanted = f"a number in {lo}{low:g}, {high:g}{hi}"
    elif low is not None:
        wanted = f"a number {'>' if low_open else '>='} {low:g}"
    elif high is not None:
        wanted = f"a number {'<' if high_open else '<='} {high:g}"
    else:
        wanted = "a finite number"
    tail = f" ({hint})" if hint else ""
    if x is None:
        raise SpecificationError(f"{name}={value!r} is {_kind(value)}: give {wanted}{tail}")
    ok = np.isfinite(x)
    if low is not None:
        ok = ok and (x > low if low_open else x >= low)
    if high is not None:
        ok = ok and (x < high if high_open else x <= high)
    if not ok:
        raise SpecificationError(f"{name}={value!r} is out of range: give {wanted}{tail}")
    return x


def whole_number(value, name: str, *, low: int = 0, hint: str = "") -> int:
    """``value`` as an int >= ``low`` (Python or numpy integer, or a float with an integer value)."""
    x = _as_real(value)
    tail = f" ({hint})" if hint else ""
    if x is None or not np.isfinite(x) or x != round(x) or x < low:
        what = _kind(value) if x is None else "not a whole number >= " + str(low)
        raise SpecificationError(f"{name}={value!r} is {what}: give a whole number >= {low}{tail}")
    return int(x)


def interval_alpha(alpha, name: str = "alpha") -> float:
    r"""The :math:`\alpha` of a :math:`1-\alpha` interval or test level: a number in (0, 1)."""
    return real_number(alpha, name, low=0.0, high=1.0, low_open=True, high_open=True,
                       hint="the intervals have level 1 - alpha, e.g. alpha=0.05 for 95%")


def start_vector(start, names: list[str], name: str = "start_params") -> np.ndarray | None:
    """Starting coefficients as a float vector in the order of ``names``.

    Accepts None, an array-like of one number per coefficient (in ``names`` order), or a
    mapping / Series keyed by coefficient name (every coefficient must be given).
    """
    if start is None:
        return None
    how = (f"give one number per coefficient, as a list/array in the order {names} or a dict "
           "keyed by those names")
    if isinstance(start, str):
        raise SpecificationError(f"{name}={start!r} is a string: {how}")
    if isinstance(start, (Mapping, pd.Series)):
        given = {str(k): v for k, v in start.items()}
        unknown = [k for k in given if k not in names]
        missing = [k for k in names if k not in given]
        if unknown or missing:
            parts = ([f"unknown name(s) {unknown}"] if unknown else []) + \
                    ([f"no value for {missing}"] if missing else [])
            raise SpecificationError(f"{name}: {'; '.join(parts)}; the coefficients are {names}")
        values = [given[k] for k in names]
    else:
        values = start
    try:
        vec = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise SpecificationError(f"{name} must hold numbers: {how}") from None
    if vec.ndim == 0 or vec.size != len(names):
        raise SpecificationError(f"{name} must have {len(names)} values (one per coefficient); "
                                 f"got {vec.size}: {how}")
    if not np.all(np.isfinite(vec)):
        raise SpecificationError(f"{name} has missing or infinite values: {how}")
    return vec.reshape(-1)
