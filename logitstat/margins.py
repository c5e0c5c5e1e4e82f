r"""Marginal effects on the probability scale, with the definitions of Stata's ``margins, dydx(*)``.

With :math:`F = g^{-1}` the inverse link, :math:`\eta_i = x_i^\top\beta + o_i` and
:math:`a_i` the weight of row :math:`i` (frequency weight times binomial trials, so that a
grouped or weighted row counts as the individuals it stands for):

* a **numeric variable** :math:`v` (``at="overall"``, the average marginal effect) —

  .. math:: \mathrm{AME}_v = \frac{\sum_i a_i\, \partial F(\eta_i)/\partial v_i}{\sum_i a_i}
            = \frac{\sum_i a_i F'(\eta_i)\, (\partial x_i/\partial v)^\top\beta}{\sum_i a_i},

  the derivative taken with respect to the *variable*, through every design column it enters
  (``x``, ``np.log(x)``, ``x:C(g)``, ``I(x**2)``...), as ``margins, dydx(x)`` does for
  ``c.x##i.g``.  :math:`\partial x_i/\partial v` is obtained by rebuilding the design (patsy,
  on a copy of the data) at :math:`v \pm h` with a Richardson-extrapolated central difference
  (error :math:`O(h^4)`, :math:`h = 10^{-5}|v|`), exact for columns linear in :math:`v`;
* a **categorical variable** :math:`g`, level :math:`l` — the discrete change from the reference
  level :math:`r` (the one that treatment coding leaves out, otherwise the first):

  .. math:: \Delta_{l} = \frac{\sum_i a_i\,[F(x_i^{(g=l)\top}\beta + o_i) - F(x_i^{(g=r)\top}\beta + o_i)]}{\sum_i a_i},

  every row's design rebuilt with :math:`g` set to :math:`l` and to :math:`r`; bool columns are
  categorical, and with ``dummy=True`` a numeric 0/1 variable is treated likewise (change from
  0 to 1);
* ``at="mean"`` (Stata's ``atmeans``) — the same quantities for one average individual: every
  numeric variable set to its (weighted) mean, the design rebuilt from those values and averaged
  over the rows, so that the indicator columns of a categorical sit at the sample proportions of
  its levels (for factor-by-factor interactions, at the joint proportions); for a numeric
  variable :math:`\partial F/\partial v = F'(\bar x^\top\beta + \bar o)\,(\partial\bar x/\partial v)^\top\beta`.

Standard errors are the delta method with the model's coefficient covariance :math:`V` (of its
``cov_type``): :math:`\mathrm{se} = \sqrt{G V G^\top}` with :math:`G = \partial\,\mathrm{effect}/\partial\beta`,
e.g. :math:`G_v = \bar a[F''(\eta_i)\,(\partial x_i/\partial v)^\top\beta\; x_i + F'(\eta_i)\,\partial x_i/\partial v]`
for a numeric variable.  z, p-values and intervals are the normal ones, as Stata reports.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .design import Design, new_design_matrix
from .errors import DataError, SpecificationError
from .links import Link

AT = ("overall", "mean")
REL_STEP = 1e-5


@dataclass(frozen=True)
class Variable:
    """One variable whose effect is reported."""

    name: str                 # the data column
    kind: str                 # "numeric", "categorical" or "dummy"
    levels: tuple = ()        # categorical: all levels
    reference: object = None  # categorical: the reference level
    labels: tuple = ()        # one row label per non-reference level (or the variable)


# --------------------------------------------------------------------------- variables


def _code_variables(code: str, columns) -> list[str]:
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


def _reference_and_labels(info, factor, levels) -> tuple[object, tuple]:
    """Reference level and row labels of a categorical factor, from its contrast coding."""
    name = factor.name()
    for subterms in info.term_codings.values():
        for sub in subterms:
            cm = sub.contrast_matrices.get(factor)
            if cm is None:
                continue
            M = np.asarray(cm.matrix)
            zero = np.flatnonzero(~M.any(axis=1))
            # treatment coding: one all-zero row (the reference), one 1 in every other row
            if zero.size == 1 and np.allclose(np.delete(np.abs(M).sum(axis=1), zero[0]), 1):
                ref = zero[0]
                labels = []
                for i, _ in enumerate(levels):
                    if i == ref:
                        continue
                    col = int(np.flatnonzero(M[i])[0])
                    labels.append(f"{name}{cm.column_suffixes[col]}")
                return levels[ref], tuple(labels)
    return levels[0], tuple(f"{name}[{lvl}]" for lvl in levels[1:])


def model_variables(design: Design, frame: pd.DataFrame,
                    dummy: bool = False) -> tuple[list[Variable], dict]:
    """The variables of a formula model: numeric ones (derivatives), categorical ones (levels).

    Returns the variables and ``{variable: factor}`` for variables inside a categorical factor
    that is not a plain column (``C(age > 30)``), whose effect cannot be computed.
    """
    info = design.design_info
    categorical: dict[str, Variable] = {}
    unsupported: dict[str, str] = {}
    numeric: list[str] = []
    order: list[str] = []
    for factor, fi in info.factor_infos.items():
        code = getattr(factor, "code", factor.name())
        used = _code_variables(code, frame.columns)
        if fi.type == "categorical":
            simple = len(used) == 1 and re.fullmatch(
                rf"\s*(C\(\s*)?(Q\(\s*['\"])?{re.escape(used[0])}(['\"]\s*\))?\s*(,.*)?\)?\s*", code)
            if not simple:
                unsupported.update({u: factor.name() for u in used})
                continue
            levels = tuple(fi.categories)
            ref, labels = _reference_and_labels(info, factor, levels)
            categorical[used[0]] = Variable(used[0], "categorical", levels, ref, labels)
            order.append(used[0])
        else:
            numeric.extend(used)
            order.extend(used)
    both = set(numeric) & set(categorical)
    if both:
        raise SpecificationError(f"variable(s) {', '.join(map(repr, sorted(both)))} enter the model "
                                 "both as categorical and as numeric: marginal effects are not "
                                 "defined; use one form")
    out = []
    for name in dict.fromkeys(order):
        if name in categorical:
            out.append(categorical[name])
            continue
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        if dummy and np.all(np.isin(values, (0.0, 1.0))) and np.unique(values).size == 2:
            out.append(Variable(name, "dummy", labels=(name,)))
        else:
            out.append(Variable(name, "numeric", labels=(name,)))
    return out, unsupported


def estimation_frame(design: Design, data: pd.DataFrame | None) -> pd.DataFrame:
    """The rows of ``data`` the model was estimated on, in the design's order (never a view)."""
    if data is None:
        raise SpecificationError("marginal effects need the data the model was fitted on: pass data=")
    if isinstance(data, dict):
        data = pd.DataFrame(data)
    labels = design.row_labels
    if labels is None or len(data) == len(labels) and data.index.equals(pd.Index(labels)):
        frame = data
    elif data.index.is_unique:
        try:
            frame = data.loc[labels]
        except KeyError:
            raise DataError("data= does not hold the rows the model was fitted on") from None
    elif (getattr(design, "row_positions", None) is not None and len(design.row_positions)
          and design.row_positions.max() < len(data)):
        frame = data.iloc[design.row_positions]  # duplicate labels: by position (checked later)
    else:
        raise DataError("rows were dropped when fitting and the data's index has duplicate labels: "
                        "reset the index (data.reset_index(drop=True)) and refit")
    return frame.copy(deep=False)


# --------------------------------------------------------------------------- designs


class _Builder:
    """Rebuilds the design matrix of the estimation rows with some variables changed."""

    def __init__(self, design: Design, frame: pd.DataFrame):
        self.design, self.frame = design, frame
        X, _, ok = new_design_matrix(design, frame)
        if not ok.all() or X.shape != design.X.shape or not np.allclose(
                X, design.X, rtol=1e-10, atol=1e-10 * (1.0 + np.abs(design.X).max())):
            raise DataError("data= is not the data the model was fitted on (the rebuilt design "
                            "differs): pass the DataFrame given to the fit, unchanged")

    def X(self, changes: dict) -> np.ndarray:
        frame = self.frame.copy(deep=False)
        for col, value in changes.items():
            frame[col] = value
        X, _, ok = new_design_matrix(self.design, frame)
        if not ok.all():
            raise DataError("the design has missing values after changing "
                            f"{', '.join(map(repr, changes))} (a transformation undefined there?)")
        return X


def _set_level(column: pd.Series, level) -> pd.Series:
    n = len(column)
    if isinstance(column.dtype, pd.CategoricalDtype):
        cat = pd.Categorical([level] * n, categories=column.cat.categories, ordered=column.cat.ordered)
        return pd.Series(cat, index=column.index)
    return pd.Series([level] * n, index=column.index, dtype=column.dtype)


# --------------------------------------------------------------------------- effects


def marginal_effects(design: Design, data, params: np.ndarray, cov: np.ndarray, link: Link,
                     at: str = "overall", dummy: bool = False, variables=None,
                     alpha: float = 0.05) -> pd.DataFrame:
    """Marginal effects (see the module docstring for the definitions).

    Parameters
    ----------
    design : Design
        The fitted model's design (formula or array interface).
    data : DataFrame or None
        The data the model was fitted on (formula models; unused for the array interface).
    params, cov : ndarray
        Estimates and their covariance (any ``cov_type``).
    link : Link
    at : {"overall", "mean"}
        Average over the sample, or at the covariate means.
    dummy : bool
        Treat numeric 0/1 variables as discrete changes from 0 to 1.
    variables : list of str, optional
        Only these variables (data columns; for the array interface, column names).
    alpha : float
        Interval level :math:`1-\\alpha`.

    Returns
    -------
    DataFrame
        Indexed by variable (numeric) or by level (categorical, named as the level's coefficient),
        columns ``effect``, ``se``, ``z``, ``pvalue``, ``lower``, ``upper``.
    """
    if at not in AT:
        raise SpecificationError(f"at={at!r}: choose 'overall' (average marginal effects) or 'mean' "
                                 "(effects at the covariate means)")
    if not 0.0 < alpha < 1.0:
        raise SpecificationError(f"alpha={alpha!r} must lie strictly between 0 and 1")
    a = design.weights * design.trials
    if design.design_info is None:
        labels, effects, grads = _array_effects(design, params, link, at, dummy, variables, a)
    else:
        labels, effects, grads = _formula_effects(design, data, params, link, at, dummy, variables, a)
    G = np.asarray(grads, dtype=float).reshape(len(labels), len(params))
    eff = np.asarray(effects, dtype=float)
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", G, cov, G), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = eff / se
    zc = stats.norm.ppf(1.0 - alpha / 2.0)
    out = pd.DataFrame({"effect": eff, "se": se, "z": z, "pvalue": 2.0 * stats.norm.sf(np.abs(z)),
                        "lower": eff - zc * se, "upper": eff + zc * se}, index=pd.Index(labels))
    out.attrs["title"] = ("Average marginal effects" if at == "overall"
                          else "Marginal effects at the means") + " (probability scale)"
    return out


def _avg(a: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Weighted average over rows (axis 0)."""
    return np.tensordot(a, M, axes=(0, 0)) / np.sum(a)


class _Evaluator:
    """Effects and their gradients from design matrices, overall or at the means."""

    def __init__(self, params, link, offset, a, at):
        self.b, self.link, self.a, self.at = params, link, a, at
        self.offset = offset if at == "overall" else np.atleast_1d(_avg(a, offset))

    def rows(self, X):
        return X if self.at == "overall" else _avg(self.a, X)[None, :]

    def average(self, v):
        return _avg(self.a, v) if self.at == "overall" else v[0]

    def derivative(self, X, D):
        """Effect of a numeric variable: X the design, D its derivative with respect to the variable."""
        X, D = self.rows(X), self.rows(D)
        eta = X @ self.b + self.offset
        deta = D @ self.b
        d1, d2 = self.link.mu_eta(eta), self.link.mu_eta2(eta)
        grad = (d2 * deta)[:, None] * X + d1[:, None] * D
        return self.average(d1 * deta), self.average(grad)

    def change(self, X1, X0):
        """Discrete change from the design X0 to X1."""
        X1, X0 = self.rows(X1), self.rows(X0)
        e1, e0 = X1 @ self.b + self.offset, X0 @ self.b + self.offset
        diff = self.link.linkinv(e1) - self.link.linkinv(e0)
        grad = self.link.mu_eta(e1)[:, None] * X1 - self.link.mu_eta(e0)[:, None] * X0
        return self.average(diff), self.average(grad)


def _steps(x: np.ndarray) -> np.ndarray:
    nonzero = np.abs(x[x != 0])
    scale = float(np.mean(nonzero)) if nonzero.size else 1.0
    return REL_STEP * np.where(x != 0, np.abs(x), scale)


def _derivative_matrix(build, x: np.ndarray, name: str) -> np.ndarray:
    """Richardson-extrapolated central difference of the design with respect to variable ``name``."""
    h = _steps(x)

    def central(hh):
        return (build({name: x + hh}) - build({name: x - hh})) / (2.0 * hh)[:, None]

    return (4.0 * central(h / 2.0) - central(h)) / 3.0


def _select(all_vars: list[Variable], variables, unsupported: dict) -> list[Variable]:
    known = {v.name: v for v in all_vars}
    wanted = list(known) if variables is None else (
        [variables] if isinstance(variables, str) else list(variables))
    blocked = [w for w in wanted if w in unsupported] or (list(unsupported) if variables is None else [])
    if blocked:
        factors = sorted({unsupported[b] for b in blocked})
        raise SpecificationError(
            f"marginal_effects cannot vary {', '.join(map(repr, blocked))}: it enters the categorical "
            f"factor(s) {', '.join(map(repr, factors))}, which is not a plain data column; create "
            "that column in the data and use it in the formula (or pass variables= without it)")
    missing = [w for w in wanted if w not in known]
    if missing:
        raise SpecificationError(f"variables={missing!r}: not variables of the model; its variables "
                                 f"are {', '.join(map(repr, known))}")
    return [known[w] for w in wanted]


def _formula_effects(design, data, params, link, at, dummy, variables, a):
    base = estimation_frame(design, data)
    builder = _Builder(design, base)
    all_vars, unsupported = model_variables(design, base, dummy)
    chosen = _select(all_vars, variables, unsupported)
    frame = base
    if at == "mean":
        frame = base.copy(deep=False)
        for v in all_vars:
            if v.kind != "categorical":
                x = pd.to_numeric(frame[v.name]).to_numpy(dtype=float)
                frame[v.name] = np.full(len(x), _avg(a, x))
        builder.frame = frame
    ev = _Evaluator(params, link, design.offset, a, at)
    X = builder.X({}) if at == "mean" else design.X
    labels, effects, grads = [], [], []
    for v in chosen:
        if v.kind == "numeric":
            x = pd.to_numeric(frame[v.name]).to_numpy(dtype=float)
            D = _derivative_matrix(builder.X, x, v.name)
            e, g = ev.derivative(X, D)
            labels.append(v.name), effects.append(e), grads.append(g)
        elif v.kind == "dummy":
            n = len(frame)
            e, g = ev.change(builder.X({v.name: np.ones(n)}), builder.X({v.name: np.zeros(n)}))
            labels.append(v.name), effects.append(e), grads.append(g)
        else:
            col = frame[v.name]
            X0 = builder.X({v.name: _set_level(col, v.reference)})
            others = [lvl for lvl in v.levels if lvl != v.reference]
            for lvl, label in zip(others, v.labels):
                e, g = ev.change(builder.X({v.name: _set_level(col, lvl)}), X0)
                labels.append(label), effects.append(e), grads.append(g)
    return labels, effects, grads


def _array_effects(design, params, link, at, dummy, variables, a):
    """Array interface: each non-constant column of X is a variable."""
    X = design.X
    const = np.all(X == X[:1], axis=0)
    names = [n for n, c in zip(design.names, const) if not c]
    if variables is not None:
        wanted = [variables] if isinstance(variables, str) else list(variables)
        missing = [w for w in wanted if w not in names]
        if missing:
            raise SpecificationError(f"variables={missing!r}: not (non-constant) columns of X; they "
                                     f"are {', '.join(map(repr, names))}")
        names = wanted
    ev = _Evaluator(params, link, design.offset, a, at)
    base = X.copy()
    if at == "mean":
        base[:] = _avg(a, X)[None, :]
    labels, effects, grads = [], [], []
    for name in names:
        j = design.names.index(name)
        col = X[:, j]
        if dummy and np.all(np.isin(col, (0.0, 1.0))):
            X1, X0 = base.copy(), base.copy()
            X1[:, j], X0[:, j] = 1.0, 0.0
            e, g = ev.change(X1, X0)
        else:
            D = np.zeros_like(X)
            D[:, j] = 1.0
            e, g = ev.derivative(base, D)
        labels.append(name), effects.append(e), grads.append(g)
    return labels, effects, grads
