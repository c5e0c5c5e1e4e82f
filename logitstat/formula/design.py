"""The patsy boundary: from a formula and a DataFrame (or arrays) to the numbers a fit needs.

Everything that touches patsy or the caller's data lives here.  The rest of the package sees a
:class:`Design` of plain numpy arrays.  Rules (see ``SPEC.md``):

* Response: 0/1 numbers, bool, or a two-level categorical/string column (event = second level
  in category order; ``success=`` overrides), or two numeric columns ``successes + failures``.
* ``missing="drop"`` drops rows with a missing value in any variable used (formula, weights,
  offset, groups) and records how many; ``missing="raise"`` names the columns instead.
* The caller's DataFrame is never modified.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import patsy

from ..common import persist
from ..errors import (DataError, FormulaError, LogitstatError, MissingDataError,
                      PredictionError, ResponseError, SpecificationError)
from ..fitting import kernels
from ..fitting.rank import _describe, aliased_columns, check_rank  # noqa: F401  (re-exported)
from . import datacheck
from . import fastdesign
from . import frameprep
from . import parse as formula_parse
from . import transforms
from .groups import group_columns, missing_groups
from .response import _binary_from_levels, _binary_from_numbers, _response  # noqa: F401


@dataclass(frozen=True)
class Design:
    """The arrays of one binary or binomial model, rows already filtered.

    Attributes
    ----------
    X : ndarray (n, p)
        Design matrix, float64.
    y : ndarray (n,)
        Proportion of events per row (0/1 for ungrouped data).
    trials : ndarray (n,)
        Binomial trials per row (ones for ungrouped data).
    weights : ndarray (n,)
        Frequency weights (ones when none were given).
    offset : ndarray (n,)
        Offset added to the linear predictor (zeros when none).
    names : list of str
        Column names of ``X``.
    terms : dict of str to slice
        Columns belonging to each formula term, in patsy's order.
    """

    X: np.ndarray
    y: np.ndarray
    trials: np.ndarray
    weights: np.ndarray
    offset: np.ndarray
    names: list[str]
    terms: dict[str, slice]
    response: str = "y"
    event: str = "1"
    grouped: bool = False
    has_weights: bool = False
    has_offset: bool = False
    n_dropped: int = 0
    row_labels: Any = None
    formula: str | None = None
    design_info: Any = None
    offset_name: str | None = None
    groups: np.ndarray | None = None
    aliased: dict[str, str] = field(default_factory=dict)
    row_positions: np.ndarray | None = None   # positions in the caller's data of the rows used
    counts: tuple[float, float] | None = None  # (nobs, n_informative) once remove_data() ran

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["design_info"] = persist.encode(self.design_info)   # patsy refuses to pickle it
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state, design_info=persist.decode(state["design_info"]))
        self.__dict__.update(state)

    def __repr__(self) -> str:  # arrays by shape, not their values
        from ..common.displays import compact_repr
        return compact_repr(self)

    @property
    def intercept(self) -> bool:
        """Whether the design has an intercept column."""
        return "Intercept" in self.names

    @property
    def nobs(self) -> float:
        """Number of observations: sum of frequency weights, else rows (as R's
        ``nrow(model.matrix(fit))``, the ``n`` of R's ``BIC``, also for a grouped row of zero
        trials)."""
        if self.counts is not None:
            return self.counts[0]
        if self.has_weights:
            total = float(np.sum(self.weights))
            return int(total) if total.is_integer() else total
        return int(self.X.shape[0])

    @property
    def n_informative(self) -> float:
        """Observations that carry information (R's ``nobs()``, the basis of ``df.residual``):
        rows with trials > 0, or the sum of their frequency weights."""
        if self.counts is not None:
            return self.counts[1]
        live = self.trials > 0
        if self.has_weights:
            total = float(np.sum(self.weights[live]))
            return int(total) if total.is_integer() else total
        return int(np.count_nonzero(live))


# --------------------------------------------------------------------------- inputs


def _column_or_array(value, data: pd.DataFrame | None, n: int, what: str) -> tuple[np.ndarray, str | None]:
    """Resolve ``weights=``/``offset=``/``groups=`` given as a column name or an array."""
    if what == "groups":   # also two columns, for two-way clustering
        return group_columns(value, data, n)
    if isinstance(value, str):
        if data is None or value not in data.columns:
            cols = "" if data is None else f"; columns are: {', '.join(map(str, data.columns))}"
            raise DataError(f"{what} column {value!r} not found in the data{cols}")
        # nullable Int64/Float64, objects: pd.NA, None -> NaN
        return frameprep.numeric_values(data[value], f"{what} column {value!r}"), value
    arr = np.asarray(value.to_numpy() if isinstance(value, pd.Series) else value)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise DataError(f"{what} must be a column name or a 1-D array with one value per row "
                        f"({n} rows); got shape {arr.shape}")
    return arr, None


def _formula_variables(formula: str, data: pd.DataFrame) -> list[str]:
    """Data columns mentioned in a formula (for messages about missing values)."""
    quoted = re.findall(r"Q\(\s*['\"](.+?)['\"]\s*\)", formula)
    tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", formula)) | set(quoted)
    return [c for c in data.columns if str(c) in tokens]


def check_eval_env(eval_env) -> None:
    """Raise :class:`SpecificationError` unless ``eval_env`` is a whole number >= 0 or a
    :class:`patsy.EvalEnvironment`."""
    if isinstance(eval_env, patsy.EvalEnvironment):
        return
    if isinstance(eval_env, (bool, np.bool_)) or not isinstance(eval_env, (int, np.integer)) \
            or eval_env < 0:
        raise SpecificationError(
            f"eval_env={eval_env!r}: give a whole number >= 0 (how many stack frames above the "
            "caller to look up names the formula uses, such as np or your functions; 0 = the "
            "caller) or a patsy.EvalEnvironment")


def eval_environment(eval_env, reference: int = 0) -> patsy.EvalEnvironment:
    """The environment a formula is evaluated in: ``eval_env`` frames above the caller of the
    function ``reference`` frames above this one's caller (as :meth:`patsy.EvalEnvironment.capture`).

    Raises
    ------
    SpecificationError
        For anything but a whole number >= 0 or an environment, or more frames than the stack has.
    """
    check_eval_env(eval_env)
    try:
        return patsy.EvalEnvironment.capture(eval_env, reference=reference + 1)
    except ValueError:
        raise SpecificationError(f"eval_env={eval_env!r} is deeper than the call stack: use 0 to "
                                 "evaluate the formula in the caller's namespace") from None


def _reword_patsy_error(exc: patsy.PatsyError, formula: str, data: pd.DataFrame) -> Exception:
    if isinstance(exc.__cause__, LogitstatError):  # raised by a guard while evaluating a term
        return exc.__cause__
    msg = str(exc).split("\n")[0]
    name = re.search(r"name '([^']+)' is not defined", msg)
    formula = formula_parse.shorten(formula)
    if name and name.group(1) == "offset":
        return FormulaError(f"offset(...) inside formula {formula} is not supported: remove it "
                            "and pass offset=<column name or array> to the fitting function "
                            "(compute a transformed offset such as log(n) as a column first)")
    if name:
        return FormulaError(f"column {name.group(1)!r} in formula {formula} is not in the data "
                            f"(nor a name in scope: functions need their module, e.g. np.log); "
                            f"columns are: "
                            f"{', '.join(map(str, data.columns))}")
    rows = re.match(r"Number of rows mismatch between data argument and (.+) \((\d+) versus (\d+)\)", msg)
    if rows:
        return FormulaError(f"the term {formula_parse.shorten(rows.group(1), 60)} of formula "
                            f"{formula} gives {rows.group(3)} value(s), not one per row of the data "
                            f"({rows.group(2)}): a term must be computed from the data's columns")
    level = re.search(r"value (.+?) does not match any of the expected levels", msg)
    if level:
        return PredictionError(f"level {level.group(1)} was not seen when the model was fitted: {msg}")
    if "missing values" in msg.lower() or "NA" in msg:
        return MissingDataError(msg)
    return FormulaError(f"cannot use formula {formula}: {msg}")


def _dmatrices(formula: str, data: pd.DataFrame, eval_env) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build response and design frames (rows with a missing value dropped)."""
    return fastdesign.dmatrices(formula, data, eval_env=eval_env, NA_action="drop")


# --------------------------------------------------------------------------- response


def _check_finite_design(X: np.ndarray, names: list[str]) -> None:
    def finite(lo: int, hi: int) -> np.ndarray:
        ok = np.ones(X.shape[1], dtype=bool)
        for s in range(lo, hi, kernels.BLOCK_ROWS):
            ok &= np.isfinite(X[s:min(s + kernels.BLOCK_ROWS, hi)]).all(axis=0)
        return ok

    bad = ~np.logical_and.reduce(kernels.map_chunks(finite, X.shape[0]))
    if bad.any():
        cols = [n for n, b in zip(names, bad) if b]
        raise DataError(f"column(s) {', '.join(map(repr, cols))} of the design have infinite values; "
                        "remove those rows or transform the variable")


def informative_rows(design: Design) -> np.ndarray | None:
    """Mask of the rows that carry information (positive frequency weight and trials), or None
    when every row does."""
    live = (design.weights > 0) & (design.trials > 0)
    return None if live.all() else live


# --------------------------------------------------------------------------- builders


def from_formula(formula: str, data: pd.DataFrame, eval_env, *, weights=None, offset=None,
                 groups=None, missing: str = "drop", success=None, response=None) -> Design:
    """Build a :class:`Design` from a patsy formula evaluated against ``data``.

    ``response``, when given, replaces the binary response rule: a callable
    ``(lhs, success, keep) -> (y, trials, name, event, grouped)`` (the multinomial model passes
    one that codes a K-level response as 0..K-1).
    """
    if missing not in ("drop", "raise"):
        raise SpecificationError(f"missing={missing!r}: choose 'drop' or 'raise'")
    if not isinstance(formula, str) or "~" not in formula:
        raise FormulaError(f"formula {formula!r} needs a response: write it as 'y ~ x1 + x2'")
    if not isinstance(data, pd.DataFrame):
        if isinstance(data, dict):
            data = pd.DataFrame(data)
        else:
            raise DataError(f"data must be a pandas DataFrame (or dict of columns); got {type(data).__name__}")
    n_all = len(data)
    if n_all == 0:
        raise DataError("the data has no rows")
    formula = frameprep.quote_keyword_columns(formula, data.columns)
    formula_parse.check_formula(formula, data.columns)
    used = _formula_variables(formula, data)
    frameprep.check_columns(data, used)
    if isinstance(eval_env, patsy.EvalEnvironment):  # missing values set aside by center(), bs()...
        eval_env = eval_env.with_outer_namespace(transforms.namespace())
    frame = data.copy(deep=False)
    frame.index = pd.RangeIndex(n_all)
    declared = frameprep.categorical_only(formula, used)
    frame = frameprep.patsy_ready(frame, used, declared)
    extras = {}
    for what, value in (("weights", weights), ("offset", offset), ("groups", groups)):
        if value is not None:
            extras[what] = _column_or_array(value, data, n_all, what)

    def build(frame):
        try:
            with np.errstate(all="ignore"):  # NaN/inf from a transform are reported below
                return _dmatrices(formula, frame, eval_env)
        except patsy.PatsyError as exc:
            err = _reword_patsy_error(exc, formula, data)
            if "Error evaluating factor" in str(exc):  # e.g. text where a number is needed
                err = type(err)(f"{err}{frameprep.text_hint(frame, used, declared)}")
            raise err from None
        except LogitstatError:
            raise
        except SyntaxError as exc:
            raise FormulaError(f"cannot read formula {formula_parse.shorten(formula)} as Python: "
                               f"{exc.msg}{frameprep.syntax_hint(formula, data.columns)}") from None
        except Exception as exc:  # an error raised while evaluating a user function in the formula
            detail = (str(exc).splitlines() or [""])[0][:200]
            raise FormulaError(f"cannot evaluate formula {formula_parse.shorten(formula)}: "
                               f"{type(exc).__name__}: {detail}"
                               f"{frameprep.text_hint(frame, used, declared)}") from None

    lhs, rhs = build(frame)
    rows = rhs.index.to_numpy()
    kept = np.zeros(n_all, dtype=bool)
    kept[rows] = True
    undefined = datacheck.undefined_rows([lhs.design_info, rhs.design_info], frame, kept, used)
    keep = np.ones(len(rows), dtype=bool)
    arrays: dict[str, np.ndarray] = {}
    unnamed = {}
    for what, (arr, name) in extras.items():
        arr = arr[rows]
        if what == "groups":
            missing_mask = missing_groups(arr)
        else:
            arr = frameprep.numeric_values(arr, what)
            missing_mask = np.isnan(arr)
        if name is None and missing_mask.any():
            unnamed[f"{what}="] = int(missing_mask.sum())
        keep &= ~missing_mask
        arrays[what] = arr
    n_dropped = n_all - int(keep.sum())
    if n_dropped and missing == "raise":
        named = used + [nm for _, nm in extras.values() if nm]
        counts = {repr(c): int(frame[c].isna().sum() if c in used else data[c].isna().sum())
                  for c in dict.fromkeys(named)}
        raise datacheck.missing_error({**counts, **unnamed}, undefined, data.index)
    datacheck.warn_undefined(undefined, data.index, "dropped from the fit as missing")
    if not keep.any():
        empty = [c for c in _formula_variables(formula, data) if data[c].isna().all()]
        raise DataError(f"no rows left after dropping rows with missing values "
                        f"(all {n_all} rows have a missing value in a variable used"
                        + (f"; {', '.join(map(repr, empty))} has no value at all)" if empty else ")"))
    # levels no estimation row has are dropped, as R's model.frame(drop.unused.levels = TRUE)
    unused = frameprep.unused_levels(frame, _formula_variables(formula.split("~", 1)[1], data),
                                     rows[keep], dropped_rows=n_dropped > 0)
    if unused:
        lhs, rhs = build(frameprep.drop_levels(frame, unused))
    names = list(rhs.columns.astype(str))
    X = rhs.to_numpy(dtype=float)
    if not keep.all():
        X = X[keep]
    y, trials, resp_name, event, grouped = (response or _response)(lhs, success, keep)
    _check_finite_design(X, names)
    w = arrays.get("weights")
    if w is not None:
        w = w[keep]
        frameprep.check_weights(w, weights if isinstance(weights, str) else "weights")
    off = arrays.get("offset")
    if off is not None:
        off = off[keep]
        if not np.all(np.isfinite(off)):
            raise DataError(f"offset {offset if isinstance(offset, str) else '(array)'!r} has "
                            f"{int(np.sum(~np.isfinite(off)))} infinite value(s); remove those rows")
    g = arrays.get("groups")
    info = rhs.design_info
    terms = {name: sl for name, sl in info.term_name_slices.items()}
    empty = [name for name, sl in terms.items() if sl.stop == sl.start]
    if empty:
        raise DataError(f"term(s) {', '.join(map(repr, empty))} contribute no column: a categorical "
                        "with a single level (after dropping missing values) cannot be estimated; "
                        "remove the term or check the data")
    return _finish(X, y, trials, w, off, names, terms, resp_name, event, grouped,
                   n_dropped=n_dropped, row_labels=data.index[rows[keep]], row_positions=rows[keep],
                   formula=formula,
                   design_info=info, offset_name=offset if isinstance(offset, str) else None,
                   groups=None if g is None else g[keep])


def from_arrays(y, X, *, names=None, weights=None, offset=None, groups=None, success=None) -> Design:
    """Build a :class:`Design` from a response vector (or n×2 successes/failures) and a matrix."""
    row_labels = X.index if isinstance(X, pd.DataFrame) else None
    if isinstance(X, pd.DataFrame):
        names = names or [str(c) for c in X.columns]
    if np.ndim(y) == 0:
        raise DataError(f"the first argument must be a formula string such as 'y ~ x1 + x2' or, "
                        f"with X, a response array; got {type(y).__name__} {y!r}")
    if isinstance(X, pd.DataFrame):
        text = [str(c) for c in X.columns if not pd.api.types.is_numeric_dtype(X[c].dtype)
                and not pd.api.types.is_bool_dtype(X[c].dtype)]
        if text:
            raise DataError(f"X has non-numeric column(s) {', '.join(map(repr, text))}: the array "
                            "interface takes numbers only; use a formula for categorical columns")
    try:
        X = np.asarray(X, dtype=float) if not isinstance(X, np.ndarray) or X.dtype != float else X
    except (TypeError, ValueError):
        raise DataError("X must be numeric (an array or a DataFrame of numbers): use a formula for "
                        "categorical columns") from None
    if X.ndim == 1:
        X = X[:, None]
    if X.ndim != 2:
        raise DataError(f"X must be a 2-D array; got shape {X.shape}")
    n, p = X.shape
    names = list(names) if names is not None else [f"x{j + 1}" for j in range(p)]
    if len(names) != p:
        raise DataError(f"{len(names)} names given for {p} columns of X")
    yname = y.name if isinstance(y, pd.Series) and y.name is not None else "y"
    yarr = np.asarray(y)
    if yarr.shape[0] != n:
        raise DataError(f"y has {yarr.shape[0]} rows but X has {n}")
    x_nan = np.isnan(X)
    nan_cols = [nm for nm, b in zip(names, x_nan.any(axis=0)) if b]
    for what, bad in ((f"y ({yname!r})", np.asarray(pd.isna(yarr)).reshape(n, -1)),
                      (f"column(s) {', '.join(map(repr, nan_cols))} of X", x_nan)):
        if bad.any():
            raise MissingDataError(f"{what} has missing values in {int(bad.any(axis=1).sum())} "
                                   "row(s); the array interface does not drop rows: remove them "
                                   "first (or use a formula with missing='drop')")
    _check_finite_design(X, names)
    grouped = yarr.ndim == 2
    if grouped:
        if yarr.shape[1] != 2:
            raise ResponseError("a 2-D y must have two columns: successes and failures")
        s, f = (frameprep.numeric_values(yarr[:, j], f"the {nm} column of y")
                for j, nm in enumerate(("successes", "failures")))
        if not (np.all(np.isfinite(s)) and np.all(np.isfinite(f))) or np.any(s < 0) or np.any(f < 0):
            raise ResponseError("successes and failures (the two columns of y) must be finite and "
                                "non-negative")
        trials = s + f
        yv = np.where(trials > 0, s / np.where(trials > 0, trials, 1.0), 0.0)
        event = "successes"
    elif yarr.dtype.kind in "biuf":
        yv, event = _binary_from_numbers(yarr.astype(float), yname, success)
        trials = np.ones(n)
    else:
        levels = sorted(pd.unique(yarr).tolist(), key=str) if yarr.dtype.kind != "b" else [False, True]
        if isinstance(y, pd.Series) and isinstance(y.dtype, pd.CategoricalDtype):
            levels = list(y.cat.categories)
        ind = np.column_stack([yarr == lvl for lvl in levels])
        yv, event = _binary_from_levels(ind, levels, yname, success)
        trials = np.ones(n)
    w = o = g = None
    if weights is not None:
        w = frameprep.numeric_values(_column_or_array(weights, None, n, "weights")[0], "weights")
        frameprep.check_weights(w)
    if offset is not None:
        o = frameprep.numeric_values(_column_or_array(offset, None, n, "offset")[0], "offset")
        if not np.all(np.isfinite(o)):
            raise DataError(f"offset= has {int(np.isnan(o).sum())} missing and "
                            f"{int(np.isinf(o).sum())} infinite value(s); the array interface does "
                            "not drop rows: remove those rows first")
    if groups is not None:
        g = _column_or_array(groups, None, n, "groups")[0]
        if np.any(pd.isna(g)):
            raise MissingDataError(f"groups= has {int(np.sum(pd.isna(g)))} missing value(s); the "
                                   "array interface does not drop rows: remove those rows first")
    terms = {nm: slice(j, j + 1) for j, nm in enumerate(names)}
    return _finish(X, yv, trials, w, o, names, terms, yname, event, grouped, row_labels=row_labels,
                   groups=g)


def _finish(X, y, trials, w, off, names, terms, resp_name, event, grouped, **kw) -> Design:
    n = X.shape[0]
    has_w = w is not None
    return Design(X=X, y=y, trials=trials, weights=w if has_w else np.ones(n),
                  offset=off if off is not None else np.zeros(n), names=names, terms=terms,
                  response=resp_name, event=event, grouped=grouped, has_weights=has_w,
                  has_offset=off is not None, **kw)


def drop_columns(design: Design, aliased: dict[str, str]) -> Design:
    """A copy of ``design`` without the aliased columns (R's behaviour with ``singular.ok``)."""
    keep = [j for j, nm in enumerate(design.names) if nm not in aliased]
    names = [design.names[j] for j in keep]
    terms: dict[str, slice] = {}
    pos = 0
    for term, sl in design.terms.items():
        width = sum(1 for j in range(sl.start, sl.stop) if design.names[j] not in aliased)
        if width:
            terms[term] = slice(pos, pos + width)
            pos += width
    from dataclasses import replace
    return replace(design, X=design.X[:, keep], names=names, terms=terms, aliased=dict(aliased))


def new_design_matrix(design: Design, newdata: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Design matrix of new rows for prediction.

    Returns ``(X, offset, ok)`` where ``ok`` marks rows without missing values; rows that are not
    ok get NaN predictions.
    """
    if design.design_info is None:
        try:
            X = np.asarray(newdata, dtype=float)
        except (TypeError, ValueError):
            raise PredictionError("new X must be numeric (an array or DataFrame of numbers in the "
                                  "columns of the fit)") from None
        if X.ndim == 1:
            X = X[None, :] if X.shape[0] == len(design.names) else X[:, None]
        if X.ndim != 2 or X.shape[1] != len(design.names):
            raise PredictionError(f"new X has shape {X.shape}; the model has {len(design.names)} "
                                  "columns")
        ok = ~np.isnan(X).any(axis=1)   # missing: NaN predictions
        datacheck.check_finite_rows(X[ok], design.names, np.flatnonzero(ok))
        return X, np.zeros(X.shape[0]), ok
    _, X, ok = design_columns(design, newdata)
    offset = np.zeros(len(ok))
    if design.has_offset:
        if design.offset_name is None or design.offset_name not in newdata.columns:
            raise PredictionError(f"the model has an offset: newdata needs the column "
                                  f"{design.offset_name or '(offset)'!r}")
        offset = frameprep.numeric_values(newdata[design.offset_name],
                                          f"offset column {design.offset_name!r} of newdata")
        ok &= ~np.isnan(offset)
        datacheck.check_finite_rows(offset[ok, None], [design.offset_name],
                                    newdata.index[np.flatnonzero(ok)])
    return X, offset, ok


def design_columns(design: Design, newdata: pd.DataFrame, terms: list | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The columns of a formula design's ``terms`` (default: all) for new rows.

    Returns ``(J, X_J, ok)``: the positions of those columns among ``design.names`` (aliased
    columns left out), their values (NaN in rows that are not ``ok``, i.e. have missing values).
    """
    if isinstance(newdata, pd.Series):
        raise PredictionError("newdata is a Series (one row?): pass a DataFrame, e.g. "
                              "data.iloc[[i]] rather than data.iloc[i]")
    if not isinstance(newdata, pd.DataFrame):
        try:
            newdata = pd.DataFrame(newdata)
        except (TypeError, ValueError):
            raise PredictionError(f"newdata must be a DataFrame (or a dict of columns) holding the "
                                  f"model's variables; got {type(newdata).__name__}") from None
    info = design.design_info if terms is None else design.design_info.subset(terms)
    frame = newdata.copy(deep=False)
    frame.index = pd.RangeIndex(len(frame))
    used = _formula_variables(design.formula or "", newdata)
    frame = frameprep.patsy_ready(frame, used, frameprep.categorical_only(design.formula or "", used),
                                  where=" of newdata")
    frame = frameprep.match_levels(frame, design.design_info)
    with np.errstate(all="ignore"):  # NaN/inf from a transform are reported below
        built = fastdesign.build_matrix(info, frame)
        if built is None:
            try:
                (mat,) = patsy.build_design_matrices([info], frame, NA_action="drop",
                                                     return_type="dataframe")
            except Exception as exc:  # patsy's errors, or its failure to word them
                err = datacheck.newdata_error(info, frame)
                if err is None and isinstance(exc, patsy.PatsyError):
                    err = PredictionError(str(_reword_patsy_error(exc, design.formula or "", newdata)))
                raise err or PredictionError(f"cannot build the design of newdata: "
                                             f"{type(exc).__name__}: {exc}") from None
            ok = np.zeros(len(frame), dtype=bool)
            ok[mat.index.to_numpy()] = True
            built = mat.to_numpy(dtype=float), ok
    values, ok = built
    datacheck.warn_undefined(datacheck.undefined_rows([info], frame, ok, used), newdata.index,
                             "predicted as NaN")
    datacheck.check_finite_rows(values, info.column_names, newdata.index[np.flatnonzero(ok)])
    position = {nm: j for j, nm in enumerate(design.names)}
    names = info.column_names  # patsy rebuilds this list on every access
    keep = [k for k, nm in enumerate(names) if nm in position]
    if len(keep) < values.shape[1]:  # aliased columns dropped at fitting time
        values = values[:, keep]
    if ok.all():
        X = values
    else:  # rows with missing values get NaN
        X = np.full((len(frame), len(keep)), np.nan)
        X[ok] = values
    return np.array([position[names[k]] for k in keep], dtype=int), X, ok
