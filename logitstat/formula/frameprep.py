"""Preparing the caller's DataFrame for patsy, as R's ``model.frame`` would see it.

Three things patsy does not do the way R's ``glm`` does, each done on a shallow copy of the
caller's frame (the caller's DataFrame is never modified):

* pandas' nullable dtypes (``Int64``, ``Float64``, ``boolean``, ``string`` -- what
  ``DataFrame.convert_dtypes()`` and ``read_csv(dtype_backend=...)`` produce) and object
  columns hold ``pd.NA`` or ``NaT``, which patsy cannot test for missingness; :func:`patsy_ready`
  turns them into the numpy-backed columns patsy understands, with ``NaN``/``None`` for the
  missing values, and reads an object column of Python numbers as numbers (patsy would make it
  a categorical with one level per value);
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
  formula that is not valid Python (a column name with a space needs ``Q("my col")``);
* :func:`patsy_ready` also refuses, naming the column and the entries, numbers stored as text
  with a few stray entries (:func:`stray_text`: ``"n/a"``, ``"?"``, ``"1,5"``) and numbers mixed
  with text, which patsy would silently make a categorical; a column the formula declares
  categorical, ``C(x)``, is left alone (:func:`categorical_only`).  :func:`numeric_values` reads
  weights and offsets, naming the input when they are not numbers.
"""
from __future__ import annotations

import ast
import datetime
import io
import keyword
import numbers
import re
import tokenize
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["as_float", "check_weights", "numeric_values", "stray_text", "text_hint", "categorical_only",
           "code_variables", "patsy_ready", "unused_levels", "drop_levels", "match_levels",
           "quote_keyword_columns", "check_columns", "syntax_hint"]

#: share of the (distinct-weighted) values of a text column that must read as numbers for the
#: column to count as numbers stored as text (the command line's rule).
STRAY_SHARE = 0.8


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


def stray_text(values) -> tuple[list, int] | None:
    """The text entries of a column that otherwise holds numbers written as text.

    ``values`` are the non-missing values of a text column.  When at least
    :data:`STRAY_SHARE` of them read as numbers (``pd.to_numeric``) but some do not (``"n/a"``,
    ``"?"``, ``"1,5"``), returns ``(first three distinct such entries, number of rows holding
    one)``; otherwise None.  Distinct values are converted once, so the cost is that of
    :func:`pandas.factorize`.
    """
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    return _stray(codes, list(uniques))


def _stray(codes: np.ndarray, uniques: list) -> tuple[list, int] | None:
    """:func:`stray_text` from the codes and distinct values of :func:`pandas.factorize`."""
    if len(uniques) == 0:
        return None
    numeric = pd.to_numeric(pd.Series(uniques, dtype=object).astype(str), errors="coerce").notna()
    numeric = numeric.to_numpy()
    if numeric.all():
        return None
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    n_odd = int(counts[~numeric].sum())
    if counts.sum() - n_odd < STRAY_SHARE * counts.sum():
        return None
    return [uniques[i] for i in np.flatnonzero(~numeric)[:3]], n_odd


def numeric_values(values, what: str) -> np.ndarray:
    """``values`` (a column or an array: weights, an offset, ...) as float64 with NaN for the
    missing values (``None``, ``pd.NA``, ``NaT``, NaN), or a :class:`DataError` naming ``what``
    and the first values that are not numbers, with how to convert them."""
    try:
        return as_float(values)
    except (TypeError, ValueError):
        pass
    arr = np.asarray(values.to_numpy(dtype=object) if isinstance(values, (pd.Series, pd.Index))
                     else values, dtype=object).ravel()
    arr = arr[~pd.isna(arr)]
    text = pd.Series(arr, dtype=object).astype(str)
    odd: list = []
    for v in arr[pd.to_numeric(text, errors="coerce").isna().to_numpy()]:
        if v not in odd:
            odd.append(v)
            if len(odd) == 3:
                break
    name = values.name if isinstance(values, pd.Series) and values.name is not None else None
    target = f"df[{name!r}]" if name is not None else "values"
    raise DataError(f"{what} must be numeric; found {', '.join(map(repr, odd)) or 'values'} "
                    f"that are not numbers: convert it, e.g. pd.to_numeric({target}, "
                    "errors='coerce') reads such entries as missing values") from None


def code_variables(code: str, columns) -> list[str]:
    """Data columns that a patsy factor's Python code refers to (names and ``Q("...")``)."""
    cols = {str(c) for c in columns}
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError:
        return [c for c in cols if re.search(rf"\b{re.escape(c)}\b", code)]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in cols:
            found.append(node.id)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Q"
              and node.args and isinstance(node.args[0], ast.Constant)
              and str(node.args[0].value) in cols):
            found.append(str(node.args[0].value))
    return list(dict.fromkeys(found))


def categorical_only(formula: str, columns) -> set:
    """The ``columns`` that ``formula`` uses only as ``C(column, ...)``: declared categorical, so
    that numbers among their labels are labels, not numbers stored as text."""
    out = set()
    inside_c = {a or b for a, b in re.findall(
        r"(?<![\w.])C\(\s*(?:Q\(\s*['\"](.+?)['\"]\s*\)|([A-Za-z_][\w.]*))", formula)}
    for col in (c for c in map(str, columns) if c in inside_c):   # one pass, not one per column
        name = rf"(?:{re.escape(col)}|Q\(\s*['\"]{re.escape(col)}['\"]\s*\))"
        every = len(re.findall(rf"(?<![\w.'\"]){name}(?![\w'\"])", formula))
        inside = len(re.findall(rf"(?<![\w.])C\(\s*{name}\s*[,)]", formula))
        if every and every == inside:
            out.add(col)
    return out


#: values of an object column that are dates or times: refused as in :func:`check_columns`
_TEMPORAL = (datetime.date, datetime.time, datetime.timedelta, pd.Period, np.datetime64,
             np.timedelta64)


def _object_column(s: pd.Series, col, where: str, categorical: bool) -> np.ndarray | None:
    """What patsy should see for the object column ``s`` (None when ``s`` needs no change).

    * pandas' other missing values (``pd.NA``, ``NaT``) become ``None`` (patsy tests
      ``None``/NaN only, and fails on ``pd.NA`` with "boolean value of NA is ambiguous");
    * a column of Python numbers with ``None`` becomes float64 with NaN (numbers, not labels);
    * numbers mixed with text, numbers stored as text with a few stray entries (unless the
      formula declares the column categorical with ``C()``), and values that are neither numbers,
      text nor bool are refused naming the column.
    """
    if s.dtype != object:  # pandas' text dtypes hold text only: only strays to look for
        stray = None if categorical else _stray(*pd.factorize(s.array))
        if stray is not None:
            raise _stray_error(col, where, *stray)
        return None
    values = np.asarray(s, dtype=object)
    try:  # one pass: codes (-1 = any pandas missing marker) and distinct values
        codes, uniques = pd.factorize(values)
    except TypeError:  # unhashable values (lists, dicts, arrays)
        bad = next(v for v in values if not isinstance(v, (str, numbers.Number)) and v is not None)
        raise DataError(f"column {col!r}{where} holds values of type {type(bad).__name__} "
                        f"(e.g. {bad!r}): a model needs numbers, or labels (text, bool) for a "
                        "categorical") from None
    uniques = list(uniques)
    missing = codes < 0
    kinds = {type(v) for v in uniques}
    text = {k for k in kinds if issubclass(k, str)}
    flags = {k for k in kinds if issubclass(k, (bool, np.bool_))}
    reals = {k for k in kinds - flags if issubclass(k, numbers.Real)}
    other = kinds - text - flags - reals
    hint = (f"convert it, e.g. df[{col!r}] = pd.to_numeric(df[{col!r}], errors='coerce') (text "
            f"becomes missing), or write C({col}) in the formula if it is categorical")
    if other:
        bad = next(v for v in uniques if type(v) in other)
        if isinstance(bad, _TEMPORAL):
            raise DataError(f"column {col!r}{where} holds dates or times (e.g. {bad!r}), which a "
                            f"model cannot use directly: convert them to numbers (e.g. days since "
                            f"a start date) or to labels for a categorical (df[{col!r}].astype(str))")
        return None  # other hashable objects: patsy's categorical rules
    if text and (reals or flags):
        is_text = np.array([isinstance(v, str) for v in uniques])
        words = [v for v, t in zip(uniques, is_text) if t]
        number = next(v for v, t in zip(uniques, is_text) if not t)
        rows = int(np.bincount(codes[~missing], minlength=len(uniques))[is_text].sum())
        raise DataError(f"column {col!r}{where} mixes numbers (e.g. {number!r}) and text "
                        f"({', '.join(map(repr, words[:3]))} in {rows} row(s)): " + hint)
    if reals and not flags and not categorical:  # (C(x) keeps labels such as 2, not 2.0)
        return as_float(values)
    if text and not categorical:
        stray = _stray(codes, uniques)
        if stray is not None:
            raise _stray_error(col, where, *stray)
    if missing.any() and any(v is not None and not (isinstance(v, float) and np.isnan(v))
                             for v in values[missing]):
        out = values.copy()
        out[missing] = None
        return out
    return None


def _stray_error(col, where: str, odd: list, n_odd: int) -> DataError:
    return DataError(
        f"column {col!r}{where} holds numbers stored as text, with {n_odd} entries that are not "
        f"numbers ({', '.join(map(repr, odd))}): as text it would be a categorical with one "
        f"coefficient per distinct value.  Convert it: df[{col!r}] = pd.to_numeric(df[{col!r}], "
        f"errors='coerce') reads those entries as missing values; or write C({col}) in the "
        "formula if it really is categorical")


def text_hint(frame: pd.DataFrame, columns, categorical=()) -> str:
    """A hint, for an error evaluating a formula, naming the ``columns`` (other than those
    declared ``categorical``) that hold numbers stored as text, or '' when none does."""
    found = []
    for col in columns:
        s = frame[col]
        if (col in categorical or isinstance(s, pd.DataFrame)
                or not (s.dtype == object or pd.api.types.is_string_dtype(s.dtype))):
            continue
        values = s.dropna().to_numpy(dtype=object)
        if len(values) and pd.to_numeric(pd.Series(pd.unique(values), dtype=object).astype(str),
                                         errors="coerce").notna().all():
            found.append(col)
    if not found:
        return ""
    return (f"; column(s) {', '.join(map(repr, found))} hold numbers stored as text: convert "
            f"them, e.g. df[{found[0]!r}] = pd.to_numeric(df[{found[0]!r}])")


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


def patsy_ready(frame: pd.DataFrame, columns: Iterable, categorical: Iterable = (),
                where: str = "") -> pd.DataFrame:
    """``frame`` (a shallow copy of the caller's data) with ``columns`` as patsy should see them.

    Nullable-dtype columns become numpy-backed ones; object and text columns are checked and
    converted by :func:`_object_column` (text columns in ``categorical``, declared ``C()`` by the
    formula, may hold numbers among their labels).  ``where`` completes the column's name in
    messages (e.g. ``" of newdata"``).  Returned unchanged when no column needs it.

    Raises
    ------
    DataError
        Naming the column: numbers mixed with text, numbers stored as text with stray entries,
        values that are neither numbers, text nor bool.
    """
    categorical = set(map(str, categorical))
    for col in columns:
        s = frame[col]
        if isinstance(s, pd.DataFrame):  # duplicated name: check_columns says so
            continue
        new = _numpy_column(s)
        if new is not None:
            frame[col] = s = pd.Series(new, index=s.index, name=s.name)
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            conv = _object_column(s, col, where, str(col) in categorical)
            if conv is not None:
                new = conv
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
