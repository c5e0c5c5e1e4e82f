r"""Margins at representative values, predictive margins of a factor, and their contrasts.

The definitions are Stata's ``margins`` (and those of R's ``emmeans(..., counterfactuals=)``,
the *g-computation* average): with :math:`F = g^{-1}` the inverse link, :math:`a_i` the weight
of row :math:`i` (frequency weight times binomial trials, as in :mod:`logitstat.inference.margins`) and
:math:`x_i^{(c)}` row :math:`i`'s design with the variables of the point :math:`c` set to its
values (every column they enter rebuilt through the formula: ``np.log(age)``, ``I(age**2)``,
``C(race)``, ``age:C(race)`` all move with ``age``), the other variables as observed,

* the **margin at** :math:`c` (``margins, at(age=(30 40 50))``) is the average prediction

  .. math:: m_c = \frac{\sum_i a_i F(x_i^{(c)\top}\beta + o_i)}{\sum_i a_i},
            \qquad \frac{\partial m_c}{\partial\beta} = \frac{\sum_i a_i F'(\eta_i^{(c)})\, x_i^{(c)}}{\sum_i a_i};

  several variables give the grid of all their combinations (the first varies slowest);
* the **predictive margin** of level :math:`l` of a factor (``margins race``) is :math:`m_c`
  with :math:`c = \{\text{race} = l\}`;
* a **contrast** :math:`\sum_k c_k m_k` of predictive margins (``margins r.race``,
  ``pwcompare``, ``emmeans``' ``pairs()``) has the gradient :math:`\sum_k c_k\,\partial m_k/\partial\beta`;
* with ``dydx=``, the marginal effects of :mod:`logitstat.inference.margins` (derivative or discrete
  change, averaged over the rows) computed at :math:`x_i^{(c)}` instead of :math:`x_i`
  (``margins, dydx(x) at(...)``).

Standard errors are the delta method :math:`\sqrt{g^\top V g}` with the model's covariance
:math:`V` (its ``cov_type``), the covariates held at their observed values (Stata's default
``vce(delta)``); z, p-values and intervals are the normal ones.  The covariance of the
estimates is :math:`G V G^\top`.

Memory: the full counterfactual design is never formed.  Only the columns :math:`J` of the
terms that the varied variables enter are rebuilt, in row blocks of at most
:data:`BLOCK_CELLS` values for the margins, and
:math:`X^{(c)}\beta = X_{-J}\beta_{-J} + X^{(c)}_J\beta_J`,
:math:`X^{(c)\top}v` are taken from the fitted :math:`X` with those columns swapped in.
With ``dydx=`` the rebuilt columns of one point are held whole (:math:`n\times|J|`, with the
derivative columns of :mod:`logitstat.inference.margins`), one point at a time (:class:`ReplacedColumns`).
"""
from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import SpecificationError
from ..fitting import kernels
from ..fitting.links import Link
from ..formula.design import Design
from ..formula.frameprep import code_variables
from .hypothesis import normal_quantile
from .margins import (_Builder, _Evaluator, _select, _set_level, _unavailable_note, delta_se,
                      estimation_frame, model_variables, unavailable_effects, variable_effects)

METHODS = ("pairwise", "revpairwise", "reference", "consecutive")
ADJUST = ("holm", "bonferroni", "sidak", "none")
BLOCK_CELLS = 2 ** 21
"""Values of the rebuilt columns made at a time (16 MiB): rows per block = this / their number."""


class ReplacedColumns:
    r"""The design :math:`X` with its columns :math:`J` replaced by :math:`X_J^{(c)}`, without a copy.

    Supports what :class:`logitstat.inference.margins._Evaluator` needs: ``X @ b``, ``X.T @ v`` and
    ``X[:, K]``.
    """

    def __init__(self, X: np.ndarray, J: np.ndarray, XJ: np.ndarray):
        self.X, self.J, self.XJ = X, np.asarray(J, dtype=int), XJ
        self.shape = X.shape

    @property
    def T(self) -> "_Transposed":  # made on demand: a stored one would be a reference cycle
        return _Transposed(self)

    def __matmul__(self, b: np.ndarray) -> np.ndarray:
        rest = np.array(b, dtype=float)
        rest[self.J] = 0.0
        return self.X @ rest + self.XJ @ b[self.J]

    def __getitem__(self, key) -> np.ndarray:
        rows, cols = key
        if rows != slice(None):
            raise IndexError("ReplacedColumns: only X[:, columns] is supported")
        cols = np.atleast_1d(np.arange(self.shape[1])[cols])
        out = self.X[:, cols]
        where = {j: k for k, j in enumerate(self.J)}
        for pos, j in enumerate(cols):
            if j in where:
                out[:, pos] = self.XJ[:, where[j]]
        return out


class _Transposed:
    def __init__(self, parent: ReplacedColumns):
        self.parent = parent

    def __matmul__(self, v: np.ndarray) -> np.ndarray:
        p = self.parent
        out = p.X.T @ v
        out[p.J] = p.XJ.T @ v
        return out


@dataclass(frozen=True, repr=False)
class Margins:
    """Margins, effects at representative values, or contrasts, with delta-method inference.

    ``table`` (also :meth:`to_frame`) has one row per estimate, columns ``margin`` (or
    ``effect``, ``contrast``), ``se``, ``z``, ``pvalue``, ``lower``, ``upper``; ``grid`` the
    values of the varied variables of each row; ``jacobian`` the gradient of each estimate in
    the coefficients and ``cov`` the covariance of the estimates :math:`G V G^\\top`.
    ``str()`` is a text table; ``summary()`` gives the :class:`~logitstat.report.summary.Summary`
    (``as_html()``, ``as_latex()``, ``as_markdown()``).
    """

    table: pd.DataFrame
    grid: pd.DataFrame
    jacobian: np.ndarray
    cov: np.ndarray
    kind: str                              # "margin", "effect" or "contrast"
    info: dict = field(default_factory=dict)
    notes: tuple = ()

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table."""
        return self.table.copy()

    def summary(self):
        """The table with a header (model, averaging, adjustment) and notes."""
        from ..report.summary import margins_summary

        return margins_summary(self)

    def __str__(self) -> str:
        return str(self.summary())

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return self.summary().as_html()


# --------------------------------------------------------------------------- the grid


def _values(name: str, value) -> list:
    if isinstance(value, (str, bytes)) or np.ndim(value) == 0:
        return [value]
    out = list(value)
    if not out:
        raise SpecificationError(f"at={{{name!r}: []}}: give at least one value")
    return out


def _check_at(at, known: dict, unsupported: dict) -> dict:
    """``{variable: [values]}`` from the user's ``at=``, each value checked against the variable."""
    if at is None:
        return {}
    if not isinstance(at, dict):
        raise SpecificationError(f"at= must be a dict {{variable: value or list of values}}, e.g. "
                                 f"{{'age': [30, 40, 50]}}; got {type(at).__name__}")
    out = {}
    for name, value in at.items():
        if name in unsupported:
            raise SpecificationError(f"at={{{name!r}: ...}}: {name!r} enters the categorical factor "
                                     f"{unsupported[name]!r}, which is not a plain data column; "
                                     "create that column in the data and use it in the formula")
        if name not in known:
            raise SpecificationError(f"at={{{name!r}: ...}}: not a variable of the model; its "
                                     f"variables are {', '.join(map(repr, known))}")
        values = _values(name, value)
        var = known[name]
        if var is not None and var.kind == "categorical":
            bad = [v for v in values if v not in var.levels]
            if bad:
                raise SpecificationError(f"at={{{name!r}: ...}}: {bad!r} not level(s) of {name!r}; "
                                         f"its levels are {', '.join(map(repr, var.levels))}")
        else:
            try:
                nums = np.asarray(values, dtype=float)
            except (TypeError, ValueError):
                raise SpecificationError(f"at={{{name!r}: ...}}: {name!r} is numeric; give numbers, "
                                         f"got {values!r}") from None
            if not np.all(np.isfinite(nums)):
                raise SpecificationError(f"at={{{name!r}: ...}}: the values must be finite numbers")
            values = [float(v) for v in nums]
        out[name] = values
    return out


def _label(point: dict) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in point.items())


def _show(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


# --------------------------------------------------------------------------- computations


def margins_at(design: Design, data, params: np.ndarray, cov: np.ndarray, link: Link, at=None,
               dydx=None, dummy: bool = False, alpha: float = 0.05,
               col_scale: np.ndarray | None = None, diverging: np.ndarray | None = None,
               reason: str = "", term: str | None = None) -> Margins:
    """Average predictions (or marginal effects, ``dydx=``) at the points of the grid ``at``.

    Parameters
    ----------
    design, data, params, cov, link
        As :func:`logitstat.inference.margins.marginal_effects`.
    at : dict, optional
        ``{variable: value or list of values}``; the grid is their product (first variable
        slowest).  A categorical variable takes levels.  None: one point, the observed data
        (the average predicted probability).
    dydx : str or list of str, optional
        Report the average marginal effects of these variables at each point instead of the
        average prediction (``"*"``: every variable of the model).
    dummy : bool
        With ``dydx``, numeric 0/1 variables as discrete changes from 0 to 1.
    alpha : float
        Intervals of level :math:`1-\\alpha`.
    col_scale, diverging, reason
        As :func:`logitstat.inference.margins.marginal_effects` (column-scaled fits; separation).
    term : str, optional
        Label the rows by this variable's value alone when it is the only one varied
        (predictive margins).

    Returns
    -------
    Margins
    """
    a = design.weights * design.trials
    n = design.X.shape[0]
    formula = design.design_info is not None
    if formula:
        base = estimation_frame(design, data)
        builder = _Builder(design, base)
        all_vars, unsupported = model_variables(design, base, dummy)
        known = {v.name: v for v in all_vars}
    else:
        base = builder = None
        unsupported = {}
        known = {nm: None for nm in design.names if nm != "Intercept"}
        all_vars = []
    points = _check_at(at, known, unsupported)
    chosen = None
    if dydx is not None:
        if formula:
            chosen = _select(all_vars, None if dydx == "*" else dydx, unsupported)
        else:
            chosen = _array_variables(design, dydx)
    grid, labels, est, grads, cols = [], [], [], [], []
    for combo in itertools.product(*points.values()):
        point = dict(zip(points, combo))
        where = (_show(combo[0]) if term is not None and list(point) == [term] else _label(point))
        if chosen is None:
            e, g = _average_prediction(design, builder, base, known, point, params, link, a)
            est.append(e)
            grads.append(g)
            cols.append(np.zeros(0, dtype=int))
            labels.append(where or "(observed values)")
            grid.append(point)
            continue
        J, XJ, frame = _counterfactual(design, builder, base, known, point, n)
        Xc = ReplacedColumns(design.X, J, XJ)
        ev = _Evaluator(params, link, Xc, design.offset, a, "overall")
        if formula:
            cf = copy.copy(builder)
            cf.frame = frame
            lab, eff, g, c = variable_effects(chosen, frame, cf, ev)
        else:
            lab, eff, g, c = _array_effects_at(design, chosen, ev, dummy, Xc)
        labels += [f"{x} @ {where}" if where else x for x in lab]
        est += eff
        grads += g
        cols += c
        grid += [dict(point, effect=x) for x in lab]
    kind = "margin" if chosen is None else "effect"
    G = np.asarray(grads, dtype=float).reshape(len(labels), len(params))
    info = {"at": points, "dydx": [v.name if hasattr(v, "name") else v for v in chosen or []],
            "alpha": alpha, "ci_alpha": alpha}
    return _finish(G, np.asarray(est, dtype=float), labels, pd.DataFrame(grid, index=labels),
                   kind, cov, design, alpha, alpha, col_scale, diverging, reason, cols, info)


def _average_prediction(design, builder, base, known, point: dict, params, link, a,
                        max_cells: int | None = None) -> tuple[float, np.ndarray]:
    r""":math:`m_c` and its gradient, the rebuilt columns made in row blocks of at most
    ``max_cells`` values (so memory does not grow with the rows, nor with the width of a
    factor's columns)."""
    n = design.X.shape[0]
    if builder is not None and point:
        info = design.design_info
        involved = {t for v in point for t in builder.terms.get(v, [])}
        names = info.column_names
        moved = {names[k] for t, sl in info.term_slices.items() if t in involved
                 for k in range(sl.start, sl.stop)}
        J = np.array([j for j, nm in enumerate(design.names) if nm in moved], dtype=int)
    else:
        J = np.array([design.names.index(k) for k in point], dtype=int)
    step = max(kernels.BLOCK_ROWS, (max_cells or BLOCK_CELLS) // max(len(J), 1))
    rest = np.array(params, dtype=float)
    rest[J] = 0.0
    eta = design.X @ rest + design.offset  # the columns that do not move, all rows at once
    v = np.empty(n)
    total, grad_J = 0.0, np.zeros(len(J))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        sub = builder
        if builder is not None and (lo, hi) != (0, n):
            sub = copy.copy(builder)
            sub.frame = base.iloc[lo:hi]
        JJ, XJ, _ = _counterfactual(design, sub, None if sub is None else sub.frame, known,
                                    point, hi - lo)
        if not np.array_equal(JJ, J):  # the same columns, in J's order
            where = {j: k for k, j in enumerate(JJ)}
            XJ = XJ[:, [where[j] for j in J]]
        e = eta[lo:hi] + XJ @ params[J]
        total += float(a[lo:hi] @ link.linkinv(e))
        v[lo:hi] = a[lo:hi] * link.mu_eta(e)
        grad_J += XJ.T @ v[lo:hi]
        del XJ  # before the next block is built
    grad = design.X.T @ v
    grad[J] = grad_J
    return total / float(np.sum(a)), grad / float(np.sum(a))


def _counterfactual(design, builder, base, known, point: dict, n: int):
    """``(J, X_J, frame)``: the rebuilt columns of the point and its data (formula models)."""
    if not point:
        return np.zeros(0, dtype=int), np.zeros((n, 0)), base
    if builder is None:  # array interface: the columns themselves
        J = np.array([design.names.index(k) for k in point], dtype=int)
        return J, np.tile(np.array(list(point.values()), dtype=float), (n, 1)), None
    changes = {}
    for name, value in point.items():
        var = known[name]
        changes[name] = (_set_level(base[name], value) if var.kind == "categorical"
                         else np.full(n, float(value)))
    J, XJ = builder.columns(changes)
    frame = base.copy(deep=False)
    for name, value in changes.items():
        frame[name] = value
    return J, XJ, frame


def _array_variables(design: Design, dydx) -> list[str]:
    names = [nm for nm in design.names if nm != "Intercept"]
    wanted = names if dydx == "*" else ([dydx] if isinstance(dydx, str) else list(dydx))
    missing = [w for w in wanted if w not in names]
    if missing:
        raise SpecificationError(f"dydx={missing!r}: not columns of X; they are "
                                 f"{', '.join(map(repr, names))}")
    return wanted


def _array_effects_at(design, chosen, ev, dummy, Xc):
    n = design.X.shape[0]
    labels, effects, grads, cols = [], [], [], []
    for name in chosen:
        J = np.array([design.names.index(name)])
        if dummy and np.all(np.isin(design.X[:, J[0]], (0.0, 1.0))):
            e, g = ev.change(J, np.ones((n, 1)), np.zeros((n, 1)))
        else:
            e, g = ev.derivative(J, np.ones((n, 1)))
        labels.append(name), effects.append(e), grads.append(g), cols.append(J)
    return labels, effects, grads, cols


def _finish(G, est, labels, grid, kind, cov, design, alpha, ci_alpha, col_scale, diverging,
            reason, cols, info, pvalue_adjust=None) -> Margins:
    """Delta-method inference and the :class:`Margins` object (NaN where separation leaves none)."""
    Gs = G if col_scale is None else G / col_scale
    se = delta_se(Gs, cov)
    notes = []
    if diverging is not None and np.any(diverging) and len(est):
        own, involved = unavailable_effects(Gs, cols, diverging, design.X)
        note = _unavailable_note(labels, own, involved, reason)
        if note:
            notes.append(note)
        est = np.where(own, np.nan, est)
        se = np.where(own | involved, np.nan, se)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    p = 2.0 * stats.norm.sf(np.abs(z))
    if pvalue_adjust is not None:
        p = pvalue_adjust(p)
    zc = normal_quantile(ci_alpha)
    table = pd.DataFrame({kind: est, "se": se, "z": z, "pvalue": p, "lower": est - zc * se,
                          "upper": est + zc * se}, index=pd.Index(labels))
    with np.errstate(invalid="ignore", over="ignore"):
        V = Gs @ cov @ Gs.T
    info = dict(info, nobs=design.nobs, event=design.event, weighted=bool(design.has_weights),
                grouped=bool(design.grouped))
    return Margins(table, grid, G, V, kind, info, tuple(notes))


# --------------------------------------------------------------------------- factors


def factor_variable(design: Design, data, term: str):
    """The categorical variable named by ``term`` (a data column, or a factor like ``C(race)``)."""
    if design.design_info is None:
        raise SpecificationError("predictive margins and contrasts need a formula model with a "
                                 "categorical variable; use margins(at=...) with the array interface")
    base = estimation_frame(design, data)
    variables, unsupported = model_variables(design, base)
    by_name = {v.name: v for v in variables}
    if term in by_name:
        var = by_name[term]
    else:
        codes = {f.name() for f in design.design_info.factor_infos}
        used = code_variables(term, base.columns) if term in codes else []
        match = [v for v in variables if v.kind == "categorical" and v.name in used]
        if not match:
            if term in unsupported:
                raise SpecificationError(f"{term!r} enters the categorical factor "
                                         f"{unsupported[term]!r}, which is not a plain data "
                                         "column; create that column and use it in the formula")
            raise SpecificationError(f"{term!r} is not a variable of the model; its variables are "
                                     f"{', '.join(map(repr, by_name))}")
        var = match[0]
    if var.kind != "categorical":
        raise SpecificationError(f"{var.name!r} is numeric: predictive margins and contrasts are "
                                 f"over the levels of a categorical variable; for a numeric one use "
                                 f"margins(at={{{var.name!r}: [values]}})")
    return var


def contrast_matrix(levels: tuple, method: str, reference=None) -> tuple[np.ndarray, list[str]]:
    """Contrast weights (one row per contrast) over the levels, and their labels ``"b - a"``.

    ``pairwise``: :math:`m_i - m_j` for :math:`i < j` (``emmeans``' ``pairs()``);
    ``revpairwise``: :math:`m_j - m_i` (Stata's ``pwcompare``); ``reference``: every level
    minus the reference level (Stata's ``r.``, ``emmeans``' ``trt.vs.ctrl``);
    ``consecutive``: :math:`m_{i+1} - m_i` (Stata's ``ar.``).
    """
    k = len(levels)
    pairs: list[tuple[int, int]] = []
    if method == "pairwise":
        pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    elif method == "revpairwise":
        pairs = [(j, i) for i in range(k) for j in range(i + 1, k)]
    elif method == "reference":
        r = levels.index(reference)
        pairs = [(i, r) for i in range(k) if i != r]
    elif method == "consecutive":
        pairs = [(i + 1, i) for i in range(k - 1)]
    else:
        raise SpecificationError(f"method={method!r}: choose one of {', '.join(map(repr, METHODS))}")
    C = np.zeros((len(pairs), k))
    for row, (i, j) in enumerate(pairs):
        C[row, i], C[row, j] = 1.0, -1.0
    return C, [f"{levels[i]} - {levels[j]}" for i, j in pairs]


def adjust_pvalues(p: np.ndarray, method: str) -> np.ndarray:
    r"""Multiplicity-adjusted p-values, as R's ``p.adjust`` (NaN entries left out of the count).

    ``bonferroni``: :math:`\min(1, m p)`; ``sidak``: :math:`1-(1-p)^m`; ``holm``: with
    :math:`p_{(1)}\le\dots\le p_{(m)}`, :math:`\tilde p_{(i)} = \max_{j\le i}\min(1,(m-j+1)p_{(j)})`.
    """
    if method not in ADJUST:
        raise SpecificationError(f"adjust={method!r}: choose one of {', '.join(map(repr, ADJUST))}")
    p = np.asarray(p, dtype=float)
    out = p.copy()
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if method == "none" or m == 0:
        return out
    q = p[ok]
    if method == "bonferroni":
        adj = np.minimum(1.0, m * q)
    elif method == "sidak":
        adj = -np.expm1(m * np.log1p(-np.minimum(q, 1.0)))
    else:
        order = np.argsort(q, kind="stable")
        stepped = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * q[order]))
        adj = np.empty(m)
        adj[order] = stepped
    out[ok] = adj
    return out


def contrasts(pm: Margins, var, design: Design, cov: np.ndarray, method: str = "pairwise",
              adjust: str = "holm", reference=None, alpha: float = 0.05,
              col_scale: np.ndarray | None = None, diverging: np.ndarray | None = None,
              reason: str = "") -> Margins:
    r"""Contrasts :math:`C m` of the predictive margins ``pm`` of the factor ``var``.

    Gradient :math:`C G`, standard errors :math:`\sqrt{\operatorname{diag}(C G V G^\top C^\top)}`;
    p-values adjusted by ``adjust`` (:func:`adjust_pvalues`); the intervals are simultaneous
    Bonferroni intervals (level :math:`1-\alpha/m`) for ``bonferroni`` and ``holm`` (as
    ``emmeans``, which has no Holm interval), Šidák's (:math:`1-(1-\alpha)^{1/m}`) for
    ``sidak``, and unadjusted for ``none``.
    """
    if adjust not in ADJUST:
        raise SpecificationError(f"adjust={adjust!r}: choose one of {', '.join(map(repr, ADJUST))}")
    ref = var.reference if reference is None else reference
    if ref not in var.levels:
        raise SpecificationError(f"reference={reference!r}: not a level of {var.name!r}; its "
                                 f"levels are {', '.join(map(repr, var.levels))}")
    C, labels = contrast_matrix(var.levels, method, ref)
    m = C.shape[0]
    ci_alpha = {"none": alpha, "sidak": -np.expm1(np.log1p(-alpha) / max(m, 1))}.get(
        adjust, alpha / max(m, 1))
    est = C @ pm.table["margin"].to_numpy()
    grid = pd.DataFrame({"contrast": labels}, index=labels)
    at = {k: v for k, v in pm.info.get("at", {}).items() if k != var.name}
    info = {"at": at, "dydx": [], "method": method, "adjust": adjust, "reference": ref,
            "variable": var.name, "alpha": alpha, "ci_alpha": ci_alpha}
    return _finish(C @ pm.jacobian, est, labels, grid, "contrast", cov, design, alpha, ci_alpha,
                   col_scale, diverging, reason, [np.zeros(0, dtype=int)] * m, info,
                   pvalue_adjust=lambda p: adjust_pvalues(p, adjust))


__all__ = ["Margins", "ReplacedColumns", "margins_at", "factor_variable", "contrast_matrix",
           "adjust_pvalues", "contrasts", "METHODS", "ADJUST"]
