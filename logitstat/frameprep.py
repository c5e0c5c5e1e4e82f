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

And things R accepts that patsy's Python evaluation would not, or would misread:

* a column named like a Python keyword (``class``, as in ``MASS::biopsy``) cannot be written
  bare in a patsy formula; :func:`quote_keyword_columns` writes it ``Q("class")``;
* :func:`check_columns` refuses, naming the column, duplicated column names, columns with no
  value at all, and dates, durations, periods and complex numbers (patsy would take them for a
  categorical with one level per value); :func:`syntax_hint` completes the message for a
  formula that is not valid Python (a column name with a space needs ``Q("my col")``).
"""
from __future__ import annotations

import io
import keyword
import tokenize
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = ["as_float", "check_weights", "patsy_ready", "unused_levels", "drop_levels", "match_levels",
           "quote_keyword_columns", "check_columns", "syntax_hint"]


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


def check_weights(w: np.ndarray, name: str = "weights") -> None:
    """Refuse frequency weights that are negative or not finite, or that are all zero.

    Parameters
    ----------
    w : ndarray
        The weights of the estimation rows.
    name : str
        The column (or ``"weights"``) to name in the message.

    Raises
    ------
    DataError
        Naming the column and what is wrong.
    """
    bad = ~np.isfinite(w)
    if bad.any() or np.any(w < 0):
        raise DataError(f"weights {name!r} must be finite and non-negative; found "
                        f"{int(np.sum(w < 0))} negative and {int(bad.sum())} missing or infinite "
                        "values")
    if len(w) and not np.any(w > 0):
        raise DataError(f"weights {name!r} are all zero on the {len(w)} rows used: no observation "
                        "carries information; check the weights column")


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


#: keywords that can occur inside a Python expression, never quoted automatically.
_EXPRESSION_KEYWORDS = frozenset({"if", "else", "and", "or", "not", "in", "is", "lambda", "for",
                                  "True", "False", "None", "await"})


def quote_keyword_columns(formula: str, columns) -> str:
    """``formula`` with every data column whose name is a Python keyword (``class``, ``def``,
    ``import``...) written ``Q("class")``, since patsy evaluates terms as Python (R has no such
    restriction).  Names after a ``.`` (attributes) and inside strings are left alone, and so are
    the keywords that can be part of an expression (``if``, ``and``, ``in``, ``lambda``,
    ``True``...): a column so named must be written ``Q("in")``."""
    names = {str(c) for c in columns
             if isinstance(c, str) and keyword.iskeyword(c) and c not in _EXPRESSION_KEYWORDS}
    if not names:
        return formula
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(formula).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return formula
    line_start = np.cumsum([0] + [len(ln) for ln in formula.splitlines(keepends=True)])
    spans, prev = [], None
    for tok in toks:
        if tok.type == tokenize.NAME and tok.string in names and not (prev and prev.string == "."):
            start = line_start[tok.start[0] - 1] + tok.start[1]
            spans.append((start, start + len(tok.string)))
        if tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            prev = tok
    for start, stop in reversed(spans):
        formula = f'{formula[:start]}Q("{formula[start:stop]}"){formula[stop:]}'
    return formula


def check_columns(data: pd.DataFrame, used: list) -> None:
    """Refuse, naming the column, data that patsy would misread or fail on obscurely: duplicated
    column names, a column with no value at all, and dates, durations, periods or complex
    numbers (which patsy would take for a categorical with one level per value).  ``used`` are
    the columns the formula mentions."""
    dup = sorted({str(c) for c in data.columns[data.columns.duplicated()] if str(c) in used})
    if dup:
        raise DataError(f"the data has several columns named {', '.join(map(repr, dup))}: rename "
                        "them so that the formula's names are unambiguous")
    for col in used:
        s = data[col]
        dt = s.dtype
        if len(s) and not pd.api.types.is_numeric_dtype(dt) and s.isna().all():
            # (an all-NaN numeric column is reported by the missing-value handling)
            raise DataError(f"no rows left: column {col!r} has no value at all (every row is "
                            "missing); remove it from the formula")
        if pd.api.types.is_datetime64_any_dtype(dt) or isinstance(dt, pd.PeriodDtype):
            how = f"days since a start date, (df[{col!r}] - df[{col!r}].min()).dt.days"
        elif pd.api.types.is_timedelta64_dtype(dt):
            how = f"seconds, df[{col!r}].dt.total_seconds()"
        elif pd.api.types.is_complex_dtype(dt):
            how = f"its real part, df[{col!r}].to_numpy().real"
        else:
            continue
        raise DataError(f"column {col!r} has dtype {dt}, which a model cannot use directly: "
                        f"convert it to a number ({how}) or to labels for a categorical "
                        f"(df[{col!r}].astype(str))")


def syntax_hint(formula: str, columns) -> str:
    """A hint for a formula patsy cannot parse as Python: column names that are not identifiers
    must be quoted with ``Q("...")``."""
    odd = [str(c) for c in columns
           if isinstance(c, str) and not c.isidentifier() and c in formula]
    if odd:
        return (f"; column names that are not Python identifiers must be quoted, e.g. "
                f"Q({odd[0]!r})")
    return ("; column names with spaces, dots or other symbols, and Python keywords, must be "
            'quoted as Q("name")')
