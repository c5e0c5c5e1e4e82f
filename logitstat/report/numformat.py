"""Number formats for tables: one format per column, chosen from the column's magnitudes.

Pure functions of arrays (no tabulate, no results): :mod:`logitstat.report.summary` and
:mod:`logitstat.report.compare` render with them.

The rule, as R's ``format`` of a numeric vector: a column is printed in fixed notation with
enough decimals that its smallest non-zero *driver* (a coefficient or a standard error; not an
interval bound, which may come arbitrarily close to zero) shows ``sig`` significant digits,

.. math:: d = \\max\\bigl(d_{\\min},\\ \\max_i\\,(\\mathrm{sig} - 1 - \\lfloor\\log_{10}|x_i|\\rfloor)\\bigr),

unless that is more than ``scipen`` characters wider than scientific notation with ``sig``
significant digits (the magnitudes span too much; R's ``options(scipen=)``), or ``d`` exceeds
``max_decimals``: then the whole column is scientific.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from ..errors import SpecificationError

PVALUE_FORMATS = ("auto", "exact")


@dataclass(frozen=True)
class NumberFormat:
    """A fixed (``f"{x:.{decimals}f}"``) or scientific (``f"{x:.{decimals}e}"``) format.

    ``inf`` and ``nan`` are the caller's business (a table shows ``+inf`` and a dash).
    """

    decimals: int
    scientific: bool = False

    def __call__(self, x: float) -> str:
        s = f"{x:.{self.decimals}{'e' if self.scientific else 'f'}}"
        # a negative number that rounds to zero reads as zero, not as "-0.000"
        return s[1:] if s.startswith("-") and float(s) == 0 else s

    def width(self, values: Iterable[float]) -> int:
        """The widest rendering of the finite ``values`` (0 for none)."""
        return max((len(self(v)) for v in values if math.isfinite(v)), default=0)


def _finite(values) -> np.ndarray:
    a = np.asarray(values, dtype=float).ravel()
    return a[np.isfinite(a)]


def decimals_for(x: float, sig: int) -> int:
    """Decimals that show ``sig`` significant digits of ``x != 0`` in fixed notation,
    :math:`\\mathrm{sig} - 1 - \\lfloor\\log_{10}|x|\\rfloor` (after rounding to ``sig`` digits, so
    that 0.099996 counts as 0.1000)."""
    exponent = f"{abs(x):.{sig - 1}e}".split("e")[1]
    return sig - 1 - int(exponent)


def column_format(values, drivers=None, sig: int = 4, min_decimals: int = 0,
                  max_decimals: int = 8, decimals: int | None = None,
                  scipen: int = 2) -> NumberFormat:
    """The one format of a column of numbers.

    Parameters
    ----------
    values : array_like
        Every number the column shows (non-finite ones are ignored).
    drivers : array_like, optional
        The numbers whose significant digits set the decimals (default ``values``).
    sig : int
        Significant digits of the smallest non-zero driver (and of the scientific fallback).
    min_decimals, max_decimals : int
        Bounds of the fixed decimals; more than ``max_decimals`` needed means scientific.
    decimals : int, optional
        Fixed decimals imposed (``ls.compare(digits=...)``); the column still turns scientific
        when a non-zero driver would show as zero or fixed notation is too wide.
    scipen : int
        How many characters wider than scientific notation fixed notation may be.

    Returns
    -------
    NumberFormat
    """
    shown = _finite(values)
    drv = _finite(values if drivers is None else drivers)
    drv = drv[drv != 0]
    sci = NumberFormat(sig - 1, scientific=True)
    if decimals is None:
        decimals = max([min_decimals] + [decimals_for(x, sig) for x in drv])
        if decimals > max_decimals:
            return sci
    fixed = NumberFormat(decimals)
    if any(float(fixed(x)) == 0 for x in drv):
        return sci
    return fixed if fixed.width(shown) <= sci.width(shown) + scipen else sci


# ----------------------------------------------------------------------------- p-values

def check_pvalue_format(pvalue_format) -> str | float:
    """``"auto"``, ``"exact"`` or a threshold strictly between 0 and 1 (SpecificationError)."""
    if isinstance(pvalue_format, str):
        if pvalue_format in PVALUE_FORMATS:
            return pvalue_format
    elif (isinstance(pvalue_format, (int, float, np.integer, np.floating))
          and not isinstance(pvalue_format, bool) and 1e-12 <= float(pvalue_format) < 1):
        return float(pvalue_format)
    raise SpecificationError(
        f"pvalue_format={pvalue_format!r}: use 'auto' (3 decimals, '<0.001' below), 'exact' "
        "(every p-value in scientific notation) or a threshold between 1e-12 and 1 such as 1e-4 "
        "(p-values below it print as '<0.0001')")


def _threshold_decimals(t: float) -> int:
    """The fewest decimals (at least 3) that write the threshold ``t`` exactly."""
    return next(d for d in range(3, 30) if float(f"{t:.{d}f}") == t)


def format_pvalues(pvalues, pvalue_format="auto", dash: str = "—") -> list[str]:
    """P-values as one column.

    ``"auto"``: three decimals, ``<0.001`` below 0.001 (the convention of journals and of
    Stata, which prints 0.000).  ``"exact"``: every p-value in scientific notation with three
    significant digits (``8.92e-24``); one that underflows to 0 prints ``<1e-300``.  A number
    ``t``: as many decimals as ``t`` needs (at least 3), ``<t`` below ``t``.  NaN is ``dash``.
    """
    style = check_pvalue_format(pvalue_format)
    out = []
    for p in np.asarray(pvalues, dtype=float).ravel():
        if not np.isfinite(p):
            out.append(dash)
        elif style == "exact":
            out.append("<1e-300" if p == 0 else f"{p:.2e}")
        else:
            t = 0.001 if style == "auto" else style
            d = _threshold_decimals(t)
            out.append(f"<{t:.{d}f}" if p < t else f"{p:.{d}f}")
    return out


def format_pvalue(p: float, pvalue_format="auto", dash: str = "—") -> str:
    """One p-value (see :func:`format_pvalues`)."""
    return format_pvalues([p], pvalue_format, dash)[0]
