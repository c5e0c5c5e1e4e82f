"""Which column or term of the data is at fault, once patsy has evaluated a formula.

patsy drops a row when any factor of the formula is missing (``None``/NaN) there, whether the
data column itself is missing or a transformation is undefined (``np.log(x)`` for ``x < 0``);
and when new data for prediction do not fit the model it fails with messages that name no column
(or, for a text column where a number is expected, with an ``AttributeError`` from its own error
formatting).  The functions here name the column or term and say what to do:

* :func:`input_missing` and :func:`undefined_terms` tell rows whose *data* are missing from rows
  where a *term* is undefined although its variables are not missing;
* :func:`warn_undefined` reports the latter as a :class:`~logitstat.errors.DataWarning` (R's
  ``glm`` drops them as well, after ``log`` has warned "NaNs produced");
* :func:`newdata_error` explains why a design could not be built for new data;
* :func:`check_finite_rows` refuses new data whose design has infinite values, as the fit does.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import DataWarning, MissingDataError, PredictionError, user_stacklevel
from .frameprep import code_variables

__all__ = ["input_missing", "undefined_terms", "undefined_rows", "missing_error", "warn_undefined",
           "newdata_error", "check_finite_rows"]


def input_missing(frame: pd.DataFrame, columns) -> np.ndarray:
    """Rows of ``frame`` with a missing value (``None``, NaN, ``pd.NA``, ``NaT``) in any of
    ``columns``."""
    out = np.zeros(len(frame), dtype=bool)
    for col in dict.fromkeys(columns):
        s = frame[col]
        out |= np.asarray(s.isna() if isinstance(s, pd.Series) else s.isna().any(axis=1))
    return out


def _numeric_value(value, n: int) -> np.ndarray | None:
    """A factor's evaluated value as an (n, k) float array, or None when it is not numbers."""
    if hasattr(value, "data") and not isinstance(value, (np.ndarray, pd.Series, pd.DataFrame)):
        return None  # patsy's C() box: a categorical
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.ndim == 0 or arr.shape[0] != n:
        return None
    return arr.reshape(n, -1)


def undefined_terms(infos, frame: pd.DataFrame, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The numerical factors of the design ``infos`` (patsy ``DesignInfo`` objects) that are NaN
    in some of ``rows`` (a boolean mask of rows whose variables are not missing).

    Returns ``{factor name: positions of those rows}``.  Each factor is evaluated again with the
    state memorised at fitting time, under ``np.errstate(all="ignore")``.
    """
    out: dict[str, np.ndarray] = {}
    n = len(frame)
    for info in infos:
        for factor, fi in info.factor_infos.items():
            if fi.type != "numerical" or factor.name() in out:
                continue
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    value = _numeric_value(factor.eval(fi.state, frame), n)
            except Exception:  # noqa: BLE001 - patsy has already evaluated it once
                continue
            if value is None:
                continue
            bad = rows & np.isnan(value).any(axis=1)
            if bad.any():
                out[factor.name()] = np.flatnonzero(bad)
    return out


def undefined_rows(infos, frame: pd.DataFrame, kept: np.ndarray, used) -> dict[str, np.ndarray]:
    """:func:`undefined_terms` on the rows patsy dropped (``~kept``) although none of the
    ``used`` columns is missing there (empty when there is none: no factor is evaluated)."""
    if kept.all():
        return {}
    suspect = ~kept & ~input_missing(frame, used)
    return undefined_terms(infos, frame, suspect) if suspect.any() else {}


def missing_error(counts: dict[str, int], undefined: dict[str, np.ndarray],
                  labels) -> MissingDataError:
    """The error of ``missing="raise"``: the inputs with missing values (``counts``: rows per
    input, named as they should be shown) and the terms undefined in some rows."""
    counts = {c: k for c, k in counts.items() if k}
    detail = "; ".join(filter(None, [
        "missing values in " + ", ".join(f"{c} ({k} rows)" for c, k in counts.items())
        if counts else "", undefined_text(undefined, labels)]))
    return MissingDataError(f"{detail or 'missing values in the variables used'}; drop those rows "
                            "first or pass missing='drop'")


def _rows_text(labels, positions: np.ndarray) -> str:
    shown = ", ".join(map(repr, list(labels[positions[:5]])))
    return f"{len(positions)} row(s): {shown}{', ...' if len(positions) > 5 else ''}"


def undefined_text(undefined: dict[str, np.ndarray], labels) -> str:
    """Words for :func:`undefined_terms`'s result, rows named by their ``labels``."""
    return "; ".join(f"term {name!r} is undefined (NaN) although its variables are not missing, "
                     f"in {_rows_text(labels, pos)}" for name, pos in undefined.items())


def warn_undefined(undefined: dict[str, np.ndarray], labels, what: str) -> None:
    """Warn (:class:`~logitstat.errors.DataWarning`) that rows where a term is undefined are
    treated as missing; ``what`` says what happens to them ("dropped from the fit", ...)."""
    if undefined:
        warnings.warn(f"{undefined_text(undefined, labels)} (e.g. the log of a negative "
                      f"number): those rows are {what}",
                      DataWarning, stacklevel=user_stacklevel())


def check_finite_rows(X: np.ndarray, names: list[str], labels) -> None:
    """Refuse (:class:`~logitstat.errors.PredictionError`) new rows whose design has infinite
    values, naming the design columns and rows; the fit refuses such rows too."""
    bad = ~np.isfinite(X)
    if not bad.any():
        return
    cols = [nm for nm, b in zip(names, bad.any(axis=0)) if b]
    rows = np.flatnonzero(bad.any(axis=1))
    raise PredictionError(f"column(s) {', '.join(map(repr, cols))} of the design of newdata have "
                          f"infinite values ({_rows_text(labels, rows)}; e.g. np.log(0) or an "
                          "infinite value in the data): the fit refuses such rows too; remove "
                          "them or set the values to NaN (predicted as NaN)")


def _describe(s: pd.Series) -> str:
    values = s.dropna()
    shown = ", ".join(map(repr, list(pd.unique(values.to_numpy(dtype=object))[:3])))
    return f"dtype {s.dtype}, e.g. {shown}" if shown else f"dtype {s.dtype}"


def newdata_error(info, frame: pd.DataFrame) -> PredictionError | None:
    """Why the design ``info`` could not be built on ``frame`` (new data; prepared by
    :func:`logitstat.formula.frameprep.patsy_ready`), naming the column: a text column where the model
    uses a number, or a level not seen at fitting time.  None when neither explains it."""
    for factor, fi in info.factor_infos.items():
        code = getattr(factor, "code", factor.name())
        used = code_variables(code, frame.columns)
        if fi.type == "numerical":
            for col in used:
                s = frame[col]
                if not (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)):
                    return PredictionError(
                        f"column {col!r} of newdata is not numeric ({_describe(s)}) but the model "
                        f"uses it as a number (term {factor.name()!r}): convert it, e.g. "
                        f"newdata[{col!r}] = pd.to_numeric(newdata[{col!r}], errors='coerce') "
                        "(entries that are not numbers then give NaN predictions)")
        elif len(used) == 1:
            s = frame[used[0]]
            try:
                known = set(fi.categories)
                unseen = [v for v in pd.unique(s.dropna().to_numpy(dtype=object)) if v not in known]
            except TypeError:
                unseen = []
            if unseen:
                return PredictionError(
                    f"column {used[0]!r} of newdata has level(s) "
                    f"{', '.join(map(repr, unseen[:3]))} not seen when the model was fitted "
                    f"(term {factor.name()!r}, levels {', '.join(map(repr, fi.categories))}): "
                    "the model has no coefficient for them; recode them to a known level or "
                    "drop those rows")
    return None
