r"""Fits on Dask DataFrames: the same IRLS, one :math:`p\times p` reduction per iteration.

``ls.logit(formula, ddf)`` with a :class:`dask.dataframe.DataFrame` runs the iterations of
:func:`logitstat.fitting.drive.drive` -- the very code of the in-memory fit -- with passes that are Dask
computations: every partition builds its rows of the design (patsy formula, the fast builder of
:mod:`logitstat.formula.fastdesign`), runs the in-memory fused pass of :mod:`logitstat.fitting.irls` on them and
returns its :math:`X_k^\top W_k X_k`, :math:`X_k^\top W_k z_k` and deviance; the client adds
the partitions' :math:`p\times p` pieces and solves.  Nothing of size :math:`n` ever leaves a
worker, and a worker holds one partition at a time, so the data may be far larger than the
memory of any machine (each iteration reads it again; ``ddf.persist()`` first keeps it in the
cluster's memory instead).  The estimates equal the in-memory fit on the same rows to rounding.

Before the iterations, the levels of every string or categorical column used are made known
across partitions (sorted, as patsy sorts them in memory), so that every partition codes its
categoricals into the same columns; each partition checks that its design columns are the
global ones.  Formulas with stateful transforms (``center(x)``, ``standardize(x)``, splines)
need statistics of the whole column and are refused.

What a partition computes lives in :mod:`logitstat.dask.tasks`; this module is the client side.

The results object, :class:`DaskBinaryResults`, is a :class:`~logitstat.models.binary.results.BinaryResults`:
coefficients, standard errors (``nonrobust``, ``HC0``--``HC3``: the sandwich's meat is one more
reduction), tests, likelihoods, the summary and predictions on new pandas data all work.
Row-level results stay lazy -- ``fittedvalues`` and ``predict()`` are Dask Series -- or raise
:class:`RowsNotInMemory` saying what to do (residuals, influence, design VIFs).  The exact
separation check runs its linear programs over the partitions (:mod:`logitstat.dask.separation`).
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import patsy
from scipy import linalg

from ..errors import (CollinearityError, ConvergenceWarning, DataError, FormulaError, ResponseError,
                      SeparationWarning, SpecificationError, user_stacklevel)
from ..fitting.irls import IRLSResult, drive
from ..fitting.links import Link
from ..formula import design as _design
from ..formula import fastdesign
from ..models.binary.diagnostics import separation_warning_text
from .client import _DaskModel
from .results import COV_TYPES, DaskBinaryResults, DaskDesign, RowsNotInMemory, is_dask_frame
from .tasks import _Spec

__all__ = ["is_dask_frame", "glm_dask", "DaskBinaryResults", "RowsNotInMemory"]

DEVIANCE_RULE = 1e-12   # R's stop on separated data (logitstat.models.binary.diagnostics.separated_refit)
RESUME = 5              # iterations past a stop by that rule before the separation check


# --------------------------------------------------------------------------- entry point
def _known_categories(ddf, cols: list[str]):
    """Make every string/object/category column in ``cols`` a category of known levels."""
    todo, sets = [], {}
    for c in cols:
        dt = ddf[c].dtype
        if isinstance(dt, pd.CategoricalDtype):
            if not ddf[c].cat.known:
                todo.append(c)
        elif dt == object or pd.api.types.is_string_dtype(dt):
            todo.append(c)
    if todo:
        # only these columns are read (a column projection: cheap on Parquet)
        per_part = list(ddf[todo].map_partitions(
            lambda pdf: pd.Series([_levels_of(pdf, todo)], dtype=object),
            meta=pd.Series([], dtype=object), enforce_metadata=False).compute())
        for c in todo:
            cats = [q[c][1] for q in per_part if q[c][1] is not None]
            if cats and len(cats) == len(per_part) and all(x == cats[0] for x in cats):
                sets[c] = cats[0]      # one category order in every partition: keep it
                continue
            u = np.concatenate([q[c][0] for q in per_part]) if per_part else np.zeros(0, dtype=object)
            levels = sorted(pd.unique(u).tolist(), key=str)
            try:
                levels = sorted(levels)  # as patsy sorts the levels of a string column
            except TypeError:
                pass
            sets[c] = levels
        ddf = ddf.assign(**{c: ddf[c].astype(pd.CategoricalDtype(sets[c])) for c in todo})
    return ddf


def _levels_of(pdf: pd.DataFrame, cols: list[str]) -> dict[str, tuple]:
    """Per column of one partition: its distinct non-missing values, and its categories (in
    order) when it is categorical."""
    out = {}
    for c in cols:
        col = pdf[c]
        cats = list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype) else None
        out[c] = (np.asarray(pd.unique(col.dropna()), dtype=object), cats)
    return out


def _namespace(formula: str, env: patsy.EvalEnvironment, columns) -> dict:
    """The caller's names that the formula uses (modules, functions, constants), for the workers."""
    tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", formula)) - set(map(str, columns))
    ns = {}
    for tok in tokens:
        try:
            ns[tok] = env.namespace[tok]
        except KeyError:
            continue
    return ns


def glm_dask(formula: str, ddf, link: Link, *, eval_env: patsy.EvalEnvironment, weights=None,
             offset=None, missing: str = "drop", success=None, cov_type: str = "nonrobust",
             tol: float = 1e-8, max_iter: int = 100, start_params=None,
             drop_collinear: bool = False) -> DaskBinaryResults:
    """Fit a binomial GLM to a Dask DataFrame (see the module docstring).

    ``weights`` and ``offset`` must be column names.  The other options are those of
    :func:`logitstat.glm`.
    """
    if missing not in ("drop", "raise"):
        raise SpecificationError(f"missing={missing!r}: choose 'drop' or 'raise'")
    if not isinstance(formula, str) or "~" not in formula:
        raise FormulaError(f"formula {formula!r} needs a response: write it as 'y ~ x1 + x2'")
    for what, val in (("weights", weights), ("offset", offset)):
        if val is not None and not isinstance(val, str):
            raise SpecificationError(f"with a Dask DataFrame, {what}= must be a column name")
        if val is not None and val not in ddf.columns:
            raise DataError(f"{what} column {val!r} not found in the data")
    if str(cov_type).lower() not in COV_TYPES:
        raise SpecificationError(f"cov_type={cov_type!r} is not available for Dask fits: use one "
                                 "of 'nonrobust', 'HC0', 'HC1', 'HC2', 'HC3'")
    used = _design._formula_variables(formula, ddf._meta)
    cols = list(dict.fromkeys(used + [c for c in (weights, offset) if c is not None]))
    ddf = _known_categories(ddf[cols], used)
    namespace = _namespace(formula, eval_env, ddf.columns)
    # the design's structure (columns, terms, levels) from the first non-empty partition
    head = None
    for i in range(ddf.npartitions):
        head = ddf.get_partition(i).compute()
        if len(head):
            break
    if head is None or not len(head):
        raise DataError("the Dask DataFrame has no rows")
    env = patsy.EvalEnvironment([namespace])
    try:
        built = fastdesign.design_arrays(formula, head.reset_index(drop=True), env, "drop")
    except patsy.PatsyError as exc:
        raise _design._reword_patsy_error(exc, formula, head) from None
    except Exception as exc:  # noqa: BLE001 - an error inside a user function of the formula
        raise FormulaError(f"cannot evaluate formula {formula!r}: {type(exc).__name__}: {exc}") from None
    info = built.X_info
    for fac, fi in info.factor_infos.items():
        if fi.state.get("transforms"):
            raise SpecificationError(
                f"term {fac.name()!r} uses a stateful transform (center, standardize, splines...), "
                "which needs statistics of the whole column: compute the transformed column "
                "first (e.g. ddf.assign(...)) and use it in the formula")
    response, event_col, event = _response_kind(built.y_info, success)
    spec = _Spec(formula, namespace, list(built.y_info.column_names), list(info.column_names),
                 response, event_col, success, weights, offset, missing, link)
    names = list(info.column_names)
    model = _DaskModel(ddf, spec, len(names))
    # rank: X'X comes with the first pass, so the first pass runs before the rank check; a
    # rank-deficient design is caught there and the pass repeated without the aliased columns
    A, b, dev = model.start(None if start_params is None else np.asarray(start_params, float), None)
    aliased = _aliased_from_gram(model.stats["gram_live"], names)  # rows with information
    if aliased and not drop_collinear:
        raise CollinearityError(
            f"the design matrix is rank deficient: {'; '.join(aliased.values())}. Remove one of the "
            "dependent terms (or pass drop_collinear=True to drop aliased columns as R does)")
    terms = dict(info.term_name_slices)
    if aliased:
        keep = [j for j, nm in enumerate(names) if nm not in aliased]
        spec.keep = keep
        names = [names[j] for j in keep]
        terms = _shrink_terms(terms, info.column_names, aliased)
        model = _DaskModel(ddf, spec, len(names))
        A, b, dev = model.start(None if start_params is None else np.asarray(start_params, float), None)
    G = model.stats["gram"]
    state = {"first": (A, b, dev)}

    class _Once:
        """Hand the already-computed first pass to the driver."""

        def __getattr__(self, name):
            return getattr(model, name)

        def start(self, beta, gram):
            return state.pop("first")

    # R's deviance rule as well: on separated data the iterations stop where R's glm stops
    # (Fisher scoring from R's start, as logitstat.models.binary.diagnostics.separated_refit) instead of
    # running to max_iter; an overlapping fit stopped by it is resumed below
    rule = DEVIANCE_RULE if start_params is None else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = drive(_Once(), len(names), start=start_params, tol=tol, max_iter=max_iter,
                    deviance_rule=rule)

    def results(out) -> DaskBinaryResults:
        if model.final is None or model.final_beta is None or not np.array_equal(model.final_beta, out.params):
            model.final_at(out.params)
        st = model.stats
        nobs = st["sum_w"] if weights is not None else st["n"]  # as Design.nobs / n_informative
        nobs = int(nobs) if float(nobs).is_integer() else float(nobs)
        n_info = nobs if weights is not None else int(st["n_pos"])
        des = DaskDesign(names=names, terms=terms, response=spec.lhs_names[0] if response != "grouped"
                         else " + ".join(spec.lhs_names), event=event, grouped=response == "grouped",
                         has_weights=weights is not None, has_offset=offset is not None,
                         n_dropped=int(st["n_in"] - st["n"]), formula=formula, design_info=info,
                         offset_name=offset, nobs=nobs, gram=G, colsum=st["colsum"], n_rows=int(st["n"]),
                         aliased=aliased, n_informative=n_info)
        fit = IRLSResult(params=out.params, cov=out.cov, eta=None, deviance=model.final["dev"],
                         n_iter=out.n_iter, converged=out.converged, decrement=out.decrement,
                         message=out.message)
        return DaskBinaryResults(des, link, fit, model, ddf, cov_type=cov_type, tol=tol, max_iter=max_iter)

    def without_convergence_warnings(ws: list) -> list:
        return [w for w in ws if not issubclass(w.category, ConvergenceWarning)]

    res = results(out)
    if rule is not None and out.message.startswith("relative change of the deviance"):
        # R's rule can also stop an overlapping fit that converges slowly: go on a few
        # iterations; still unconverged, the exact check decides whether to go on to the end
        left = max(max_iter - out.n_iter, 1)
        with warnings.catch_warnings(record=True) as more:
            warnings.simplefilter("always")
            again = drive(model, len(names), start=out.params, tol=tol, max_iter=min(RESUME, left))
            if not again.converged and not res.separation.separated:
                again = drive(model, len(names), start=again.params, tol=tol,
                              max_iter=max(left - again.n_iter, 1))
        if again.converged or not res.separation.separated:
            caught = without_convergence_warnings(caught) + more
            out, res = again, results(again)
    if not out.converged and res.separation.separated:   # exact, out of core
        caught = without_convergence_warnings(caught)
        caught.append(warnings.WarningMessage(separation_warning_text(res.separation),
                                              SeparationWarning, __file__, 0))
    for w in caught:
        warnings.warn(w.message if isinstance(w.message, Warning) else w.category(w.message),
                      stacklevel=user_stacklevel())
    return res


def _response_kind(y_info, success) -> tuple[str, int | None, str]:
    """How a partition turns its response columns into (y, trials), and the event's name."""
    name = y_info.term_names[0] if y_info.term_names else "y"
    if len(y_info.terms) == 2 and len(y_info.column_names) == 2:
        s, f = y_info.column_names
        return "grouped", None, f"{s} (of {s} + {f})"
    if len(y_info.terms) != 1:
        raise ResponseError(f"the left-hand side {' + '.join(y_info.term_names)!r} is not a binary "
                            "response: use one 0/1, bool or two-level column, or 'successes + failures'")
    factors = y_info.terms[0].factors
    fi = y_info.factor_infos[factors[0]] if len(factors) == 1 else None
    if fi is not None and fi.type == "categorical":
        levels = list(fi.categories)
        if len(levels) != 2:
            raise ResponseError(f"response {name!r} has {len(levels)} levels "
                                f"({', '.join(map(repr, levels))}) but a binary model needs exactly "
                                "two: recode it to two levels")
        event = levels[1] if success is None else next(
            (lv for lv in levels if lv == success or str(lv) == str(success)), None)
        if event is None:
            raise ResponseError(f"success={success!r} is not a level of response {name!r}; its "
                                f"levels are {', '.join(map(repr, levels))}")
        return "levels", levels.index(event), f"{name} = {event}"
    if len(y_info.column_names) != 1:
        raise ResponseError(f"response {name!r} has {len(y_info.column_names)} columns")
    return "numeric", None, f"{name} = {1 if success is None else success}"


def _aliased_from_gram(G: np.ndarray, names: list[str], tol: float = 1e-7) -> dict[str, str]:
    r"""Columns that are (numerically) combinations of earlier ones, from :math:`X^\top X`.

    The pivot-free Cholesky of the scaled Gram matrix, column by column: column :math:`j` is
    aliased when its squared residual norm after projecting on the kept earlier columns is below
    ``tol**2`` of its own (the test of :func:`logitstat.fitting.rank.aliased_columns`, done on the
    Gram matrix because the rows are not in memory).
    """
    d = np.sqrt(np.diag(G))
    out: dict[str, str] = {}
    kept: list[int] = []
    for j, nm in enumerate(names):
        if d[j] == 0:
            out[nm] = f"{nm} = 0 (the column is all zero: an empty level or constant zero)"
            continue
        if kept:
            S = G[np.ix_(kept, kept)] / np.outer(d[kept], d[kept])
            r = G[kept, j] / (d[kept] * d[j])
            coef = linalg.solve(S, r, assume_a="pos", check_finite=False)
            resid = 1.0 - r @ coef
        else:
            coef, resid = np.zeros(0), 1.0
        if resid < tol ** 2:
            c = coef * d[j] / d[kept]
            out[nm] = _design._describe(nm, [names[k] for k in kept], c)
        else:
            kept.append(j)
    return out


def _shrink_terms(terms: dict[str, slice], columns, aliased) -> dict[str, slice]:
    out, pos = {}, 0
    for term, sl in terms.items():
        width = sum(1 for j in range(sl.start, sl.stop) if columns[j] not in aliased)
        if width:
            out[term] = slice(pos, pos + width)
            pos += width
    return out
