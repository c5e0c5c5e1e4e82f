r"""Marginal effects on the probability scale, with the definitions of Stata's ``margins, dydx(*)``.

With :math:`F = g^{-1}` the inverse link, :math:`\eta_i = x_i^\top\beta + o_i` and
:math:`a_i` the weight of row :math:`i` (frequency weight times binomial trials, so that a
grouped or weighted row counts as the individuals it stands for):

* a **numeric variable** :math:`v` (``at="overall"``, the average marginal effect) —

  .. math:: \mathrm{AME}_v = \frac{\sum_i a_i\, \partial F(\eta_i)/\partial v_i}{\sum_i a_i}
            = \frac{\sum_i a_i F'(\eta_i)\, (\partial x_i/\partial v)^\top\beta}{\sum_i a_i},

  the derivative taken with respect to the *variable*, through every design column it enters
  (``x``, ``np.log(x)``, ``x:C(g)``, ``I(x**2)``...), as ``margins, dydx(x)`` does for
  ``c.x##i.g``.  :math:`\partial x_i/\partial v` is obtained by rebuilding the columns of the
  terms that :math:`v` enters (patsy, on a shallow copy of the data) at :math:`v \pm h` with a
  Richardson-extrapolated central difference (error :math:`O(h^4)`, :math:`h = 10^{-5}|v|`),
  exact for columns linear in :math:`v`;
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

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, SpecificationError
from ..fitting.links import Link
from ..formula.design import Design, design_columns
from ..formula.frameprep import code_variables
from .hypothesis import normal_quantile

__all__ = ["marginal_effects"]

AT = ("overall", "mean")
REL_STEP = 1e-5
GRADIENT_TOL = 1e-6  # relative weight of a diverging coefficient in an effect's gradient


@dataclass(frozen=True)
class Variable:
    """One variable whose effect is reported."""

    name: str                 # the data column
    kind: str                 # "numeric", "categorical" or "dummy"
    levels: tuple = ()        # categorical: all levels
    reference: object = None  # categorical: the reference level
    labels: tuple = ()        # one row label per non-reference level (or the variable)


# --------------------------------------------------------------------------- variables


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
        used = code_variables(code, frame.columns)
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
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data= must be the DataFrame the model was fitted on; got "
                        f"{type(data).__name__}")
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
    """Rebuilds, for the estimation rows with some variables changed, the design columns of the
    terms those variables enter (the other columns do not move)."""

    CHECK_ROWS = 2000  # rows on which the data are checked to be those of the fit

    def __init__(self, design: Design, frame: pd.DataFrame):
        self.design, self.frame = design, frame
        self.terms: dict[str, list] = {}
        for term in design.design_info.terms:
            for factor in term.factors:
                for v in code_variables(getattr(factor, "code", factor.name()), frame.columns):
                    if term not in self.terms.setdefault(v, []):
                        self.terms[v].append(term)
        n = len(frame)
        rows = np.unique(np.linspace(0, n - 1, min(n, self.CHECK_ROWS)).astype(int)) if n else []
        _, X, ok = design_columns(design, frame.iloc[rows])
        want = design.X[rows]
        if not ok.all() or X.shape != want.shape or not np.allclose(
                X, want, rtol=1e-10, atol=1e-10 * (1.0 + np.abs(want).max(initial=0.0))):
            raise DataError("data= is not the data the model was fitted on (the rebuilt design "
                            "differs): pass the DataFrame given to the fit, unchanged")

    def columns(self, changes: dict) -> tuple[np.ndarray, np.ndarray]:
        """``(J, X_J)``: positions and values of the columns of the terms that the changed
        variables enter, rebuilt with ``changes`` ({column: new values})."""
        involved = {t for v in changes for t in self.terms.get(v, [])}
        terms = [t for t in self.design.design_info.terms if t in involved]
        if not terms:
            return np.zeros(0, dtype=int), np.zeros((len(self.frame), 0))
        frame = self.frame.copy(deep=False)
        for col, value in changes.items():
            frame[col] = value
        J, X, ok = design_columns(self.design, frame, terms)
        if not ok.all():
            raise DataError("the design has missing values after changing "
                            f"{', '.join(map(repr, changes))} (a transformation undefined there?)")
        return J, X


    def level_rows(self, name: str, levels) -> tuple[np.ndarray, np.ndarray] | None:
        """``(J, C)`` with one row of the columns of ``name``'s terms per level, when those
        terms involve no other variable (so that the columns are the same in every row);
        None otherwise."""
        terms = self.terms.get(name, [])
        if not terms or any(set(code_variables(getattr(f, "code", f.name()), self.frame.columns))
                            != {name} for t in terms for f in t.factors):
            return None
        col = self.frame[name]
        rows = self.frame.iloc[np.zeros(len(levels), dtype=int)].copy(deep=False)
        categorical = isinstance(col.dtype, pd.CategoricalDtype)
        rows[name] = pd.Series(pd.Categorical(list(levels), dtype=col.dtype) if categorical
                               else list(levels), index=rows.index)
        J, C, ok = design_columns(self.design, rows,
                                  [t for t in self.design.design_info.terms if t in terms])
        return (J, C) if ok.all() else None


def _set_level(column: pd.Series, level) -> pd.Series:
    n = len(column)
    if isinstance(column.dtype, pd.CategoricalDtype):
        code = column.cat.categories.get_indexer([level])[0]
        if code >= 0:  # from the codes: no search of n values
            cat = pd.Categorical.from_codes(np.full(n, code), dtype=column.dtype)
        else:
            cat = pd.Categorical([level] * n, categories=column.cat.categories,
                                 ordered=column.cat.ordered)
        return pd.Series(cat, index=column.index)
    return pd.Series([level] * n, index=column.index, dtype=column.dtype)


# --------------------------------------------------------------------------- effects


def marginal_effects(design: Design, data, params: np.ndarray, cov: np.ndarray, link: Link,
                     at: str = "overall", dummy: bool = False, variables=None,
                     alpha: float = 0.05, col_scale: np.ndarray | None = None,
                     diverging: np.ndarray | None = None,
                     reason: str = "") -> pd.DataFrame:
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
    col_scale : ndarray, optional
        When given, ``cov`` is that of the column-scaled fit :math:`\\beta' = D\\beta`
        (see :mod:`logitstat.models.binary.scaling`) and the gradients are mapped to it (:math:`G D^{-1}`).
    diverging : ndarray of bool, optional
        Coefficients without a finite estimate (separation; see :func:`unavailable_effects`).
    reason : str
        Why they have none, for ``attrs["note"]``.

    Returns
    -------
    DataFrame
        Indexed by variable (numeric) or by level (categorical, named as the level's coefficient),
        columns ``effect``, ``se``, ``z``, ``pvalue``, ``lower``, ``upper``; ``attrs["note"]``
        names the effects left NaN under separation, and why.
    """
    if at not in AT:
        raise SpecificationError(f"at={at!r}: choose 'overall' (average marginal effects) or 'mean' "
                                 "(effects at the covariate means)")
    zc = normal_quantile(alpha)
    a = design.weights * design.trials
    if design.design_info is None:
        labels, effects, grads, cols, ev = _array_effects(design, params, link, at, dummy,
                                                          variables, a)
    else:
        labels, effects, grads, cols, ev = _formula_effects(design, data, params, link, at, dummy,
                                                            variables, a)
    # rows in the order of the coefficients (params): by each effect's first design column
    order = sorted(range(len(labels)), key=lambda k: int(np.min(cols[k], initial=len(params))))
    labels, effects, cols = [labels[k] for k in order], [effects[k] for k in order], \
        [cols[k] for k in order]
    grads = [grads[k] for k in order]
    G = np.asarray(grads, dtype=float).reshape(len(labels), len(params))
    if col_scale is not None:
        G = G / col_scale
    eff = np.asarray(effects, dtype=float)
    se = delta_se(G, cov)
    note = ""
    if diverging is not None and np.any(diverging):
        own, involved = unavailable_effects(G, cols, diverging, design.X)
        if at == "mean" and np.any(ev.X[0, diverging] != 0):
            # the average individual's linear predictor itself runs off with the iterations
            own[:], involved[:] = True, False
            note = ("NaN: the average individual's linear predictor involves coefficients "
                    f"without a finite estimate ({reason}); use at='overall'.")
        else:
            note = _unavailable_note(labels, own, involved, reason)
        eff[own] = np.nan
        se[own | involved] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        z = eff / se
    out = pd.DataFrame({"effect": eff, "se": se, "z": z, "pvalue": 2.0 * stats.norm.sf(np.abs(z)),
                        "lower": eff - zc * se, "upper": eff + zc * se}, index=pd.Index(labels))
    out.attrs["title"] = ("Average marginal effects" if at == "overall"
                          else "Marginal effects at the means") + " (probability scale)"
    if note:
        out.attrs["note"] = note
    return out


def delta_se(G: np.ndarray, cov: np.ndarray) -> np.ndarray:
    r"""Delta-method standard errors :math:`\sqrt{g_k^\top V g_k}` of each row :math:`g_k` of ``G``.

    Each row is first scaled by a power of two (exact) so that the square cannot under- or
    overflow.
    """
    g = np.ldexp(1.0, np.frexp(np.abs(G).max(axis=1, initial=0.0))[1])
    G = G / g[:, None]
    with np.errstate(invalid="ignore", over="ignore"):
        return g * np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", G, cov, G), 0.0))


def unavailable_effects(G: np.ndarray, cols: list[np.ndarray], diverging: np.ndarray,
                        X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Which effects do not exist, and which have no standard error, under separation.

    * ``own``: the columns of the variable (every column of the terms it enters) include a
      coefficient without a finite estimate — the effect is NaN;
    * ``involved`` (average effects): the gradient :math:`G` puts weight on such a
      coefficient :math:`k`.  The delta-method variance :math:`G V G^\top` then leans on
      :math:`V_{kk}`, which grows without bound along the iterations — the standard error is
      NaN (the effect itself is kept).
      The weight is measured on the scale of the linear predictor,
      :math:`s_k = |G_k| \max_i |x_{ik}|`, and counts when :math:`s_k > 10^{-6} \max_j s_j`:
      the separated rows enter :math:`G` through :math:`\mu'(\eta_i)`, about :math:`10^{-10}`
      or less where R's ``glm`` stops, while rows that are not predicted perfectly enter with
      their full weight.

    At the means (``at="mean"``) every effect is NaN as soon as the average row has a non-zero
    entry in the column of such a coefficient: the average individual's own linear predictor
    then runs off with the iterations (see :func:`marginal_effects`).
    """
    own = np.array([bool(np.any(diverging[J])) for J in cols], dtype=bool)
    scale = np.max(np.abs(X), axis=0) if X.shape[0] else np.ones(X.shape[1])
    s = np.abs(G) * scale
    top = s.max(axis=1, initial=0.0)
    involved = np.any(s[:, diverging] > GRADIENT_TOL * top[:, None], axis=1) & ~own
    return own, involved


def _unavailable_note(labels, own, involved, reason: str) -> str:
    """``attrs["note"]`` of a marginal-effects table with effects left NaN ("" when none)."""
    parts = []
    if own.any():
        parts.append(f"the effect{'s' if own.sum() > 1 else ''} of "
                     f"{', '.join(str(v) for v, o in zip(labels, own) if o)} (the variable's "
                     "columns include such a coefficient)")
    if involved.any():
        parts.append(f"the standard error{'s' if involved.sum() > 1 else ''} of "
                     f"{', '.join(str(v) for v, o in zip(labels, involved) if o)} (the "
                     "gradient involves such a coefficient, whose variance grows without bound)")
    if not parts:
        return ""
    return f"{reason[0].upper() + reason[1:]}. NaN: " + " and ".join(parts) + "."


def _avg(a: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Weighted average over rows (axis 0)."""
    return np.tensordot(a, M, axes=(0, 0)) / np.sum(a)


class _Evaluator:
    r"""Effects and their gradients, overall or at the means.

    Works from the fitted design :math:`X` and, per effect, only the columns :math:`J` that the
    varied variable enters: with weights :math:`a_i`, sums over rows are matrix-vector products
    (:math:`\sum_i a_i c_i x_i = X^\top(a c)`), so no :math:`n\times p` temporary is made.  At
    the means every matrix is first reduced to its weighted average row.
    """

    def __init__(self, params, link, X, offset, a, at, xbar=None):
        self.b, self.link, self.at, self.a_all = params, link, at, a
        if xbar is not None:  # the caller's average row (the design at the means)
            self.X = np.asarray(xbar, dtype=float)[None, :]
        else:
            self.X = X if at == "overall" else _avg(a, X)[None, :]
        self.w = a if at == "overall" else np.ones(1)
        off = offset if at == "overall" else np.atleast_1d(_avg(a, offset))
        self.eta = self.X @ params + off
        self.d1, self.d2 = link.mu_eta(self.eta), link.mu_eta2(self.eta)

    def rows(self, M: np.ndarray) -> np.ndarray:
        return M if self.at == "overall" else _avg(self.a_all, M)[None, :]

    def _mean(self, v: np.ndarray) -> float:
        return float(self.w @ v) / float(np.sum(self.w))

    def _mean_x(self, M: np.ndarray, v: np.ndarray) -> np.ndarray:
        return (M.T @ (self.w * v)) / float(np.sum(self.w))

    def derivative(self, J: np.ndarray, D: np.ndarray):
        """Effect of a numeric variable whose derivative moves the columns ``J`` by ``D``."""
        D = self.rows(D)
        deta = D @ self.b[J]
        d1, d2 = self.d1, self.d2
        grad = self._mean_x(self.X, d2 * deta)
        grad[J] += self._mean_x(D, d1)
        return self._mean(d1 * deta), grad

    def change(self, J: np.ndarray, X1: np.ndarray, X0: np.ndarray):
        """Discrete change of the columns ``J`` from ``X0`` to ``X1`` (the others fixed)."""
        X1, X0 = self.rows(X1), self.rows(X0)
        XJ = self.X[:, J]
        e1 = self.eta + (X1 - XJ) @ self.b[J]
        e0 = self.eta + (X0 - XJ) @ self.b[J]
        m1, m0 = self.link.mu_eta(e1), self.link.mu_eta(e0)
        grad = self._mean_x(self.X, m1 - m0)
        grad[J] = self._mean_x(X1, m1) - self._mean_x(X0, m0)
        return self._mean(self.link.linkinv(e1) - self.link.linkinv(e0)), grad


    def level_changes(self, J: np.ndarray, C: np.ndarray, c0: np.ndarray, block: int = 64):
        """Discrete changes to each row of ``C`` from ``c0`` when the columns ``J`` are the same
        in every row (a factor that enters only terms of its own): the linear predictor moves
        by a constant per level, and the levels are evaluated ``block`` at a time, each block's
        gradient one matrix product with :math:`X` (no design per level)."""
        bJ = self.b[J]
        base = self.eta - self.X[:, J] @ bJ
        e0 = base + c0 @ bJ
        m0, p0 = self.link.mu_eta(e0), self.link.linkinv(e0)
        W = float(np.sum(self.w))
        out = []
        for s in range(0, C.shape[0], block):
            Ck = C[s:s + block]
            E = base[:, None] + (Ck @ bJ)[None, :]
            M1 = self.link.mu_eta(E)
            eff = (self.w @ (self.link.linkinv(E) - p0[:, None])) / W
            G = (self.X.T @ (self.w[:, None] * (M1 - m0[:, None]))) / W
            G[J] = (Ck * ((self.w @ M1) / W)[:, None]).T - (c0 * float(self.w @ m0) / W)[:, None]
            out += [(float(eff[k]), G[:, k].copy()) for k in range(Ck.shape[0])]
        return out


def _steps(x: np.ndarray) -> np.ndarray:
    nonzero = np.abs(x[x != 0])
    scale = float(np.mean(nonzero)) if nonzero.size else 1.0
    return REL_STEP * np.where(x != 0, np.abs(x), scale)


def _derivative_columns(builder: _Builder, x: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Richardson-extrapolated central difference of the design columns that variable ``name``
    enters, with respect to it: ``(J, dX_J/dx)``."""
    h = _steps(x)

    def central(hh):
        J, up = builder.columns({name: x + hh})
        return J, (up - builder.columns({name: x - hh})[1]) / (2.0 * hh)[:, None]

    J, coarse = central(h)
    return J, (4.0 * central(h / 2.0)[1] - coarse) / 3.0


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
    frame, X = base, design.X
    if at == "mean":  # every numeric variable at its mean: the columns it enters rebuilt
        frame = base.copy(deep=False)
        means = {}
        for v in all_vars:
            if v.kind != "categorical":
                x = pd.to_numeric(frame[v.name]).to_numpy(dtype=float)
                means[v.name] = np.full(len(x), _avg(a, x))
        J, XJ = builder.columns(means)
        for col, value in means.items():
            frame[col] = value
        builder.frame = frame
        xbar = _avg(a, X)  # the average row with J rebuilt: no copy of X
        xbar[J] = _avg(a, XJ)
    ev = _Evaluator(params, link, X, design.offset, a, at, xbar=xbar if at == "mean" else None)
    return (*variable_effects(chosen, frame, builder, ev), ev)


def variable_effects(chosen: list[Variable], frame: pd.DataFrame, builder: _Builder,
                     ev: _Evaluator) -> tuple[list, list, list, list]:
    """``(labels, effects, gradients, columns)`` of the variables ``chosen``, with the rows of
    ``frame`` (the columns rebuilt by ``builder``) and the evaluator ``ev``."""
    labels, effects, grads, cols = [], [], [], []
    for v in chosen:
        if v.kind == "numeric":
            x = pd.to_numeric(frame[v.name]).to_numpy(dtype=float)
            J, D = _derivative_columns(builder, x, v.name)
            e, g = ev.derivative(J, D)
            labels.append(v.name), effects.append(e), grads.append(g), cols.append(J)
        elif v.kind == "dummy":
            n = len(frame)
            J, X1 = builder.columns({v.name: np.ones(n)})
            e, g = ev.change(J, X1, builder.columns({v.name: np.zeros(n)})[1])
            labels.append(v.name), effects.append(e), grads.append(g), cols.append(J)
        else:
            col = frame[v.name]
            others = [lvl for lvl in v.levels if lvl != v.reference]
            own = builder.level_rows(v.name, [v.reference] + others)
            if own is not None:     # the same columns in every row: no design per level
                J, C = own
                for (e, g), label in zip(ev.level_changes(J, C[1:], C[0]), v.labels):
                    labels.append(label), effects.append(e), grads.append(g), cols.append(J)
                continue
            J, X0 = builder.columns({v.name: _set_level(col, v.reference)})
            for lvl, label in zip(others, v.labels):
                e, g = ev.change(J, builder.columns({v.name: _set_level(col, lvl)})[1], X0)
                labels.append(label), effects.append(e), grads.append(g), cols.append(J)
    return labels, effects, grads, cols


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
    ev = _Evaluator(params, link, X, design.offset, a, at)
    n = X.shape[0]
    labels, effects, grads, cols = [], [], [], []
    for name in names:
        J = np.array([design.names.index(name)])
        if dummy and np.all(np.isin(X[:, J[0]], (0.0, 1.0))):
            e, g = ev.change(J, np.ones((n, 1)), np.zeros((n, 1)))
        else:
            e, g = ev.derivative(J, np.ones((n, 1)))
        labels.append(name), effects.append(e), grads.append(g), cols.append(J)
    return labels, effects, grads, cols, ev
