r"""Term tables: sequential (type I), type II and type III tests of each formula term, by
likelihood ratio or Wald, and single-term deletions — pure functions of the fit's arrays and
its term structure.

The tables are those of R:

* type I — ``anova(fit, test="Chisq")``: terms added one at a time in the model's order;
* type II — ``car::Anova(fit)`` (likelihood ratio, car's default for a GLM) and
  ``car::Anova(fit, test.statistic="Wald")``: each term tested after every term that does not
  contain it (marginality);
* type III — ``car::Anova(fit, type=3)`` and ``car::Anova(fit, type=3, test.statistic="Wald")``:
  each term tested after all the others;
* ``drop1(fit, test="Chisq")``: the deviance, AIC and LR test of dropping each term that no
  other term contains.

**Terms and marginality.**  A term is a set of factors (patsy's ``Term.factors``: ``x``,
``C(g)``, ``np.log(z)``); term :math:`B` *contains* term :math:`A` when every factor of
:math:`A` is a factor of :math:`B` (``a:b`` contains ``a`` and ``b``).  The *relatives* of
:math:`A` are the other terms that contain it (car's ``relatives()``), and the terms without
relatives are R's ``drop.scope()``.  The intercept belongs to no test.

**Likelihood ratio.**  With :math:`D(S)` the deviance of the model with the design columns of
the terms :math:`S` removed (a refit of the full design's columns, so every term keeps the
coding it has in the full model, as in car and ``drop1``), the statistic of term :math:`t` is

.. math::

    \text{type II: } D(\{t\} \cup \mathrm{rel}(t)) - D(\mathrm{rel}(t)), \qquad
    \text{type III: } D(\{t\}) - D(\varnothing),

on :math:`k_t` degrees of freedom (the term's columns).  ``drop1``'s AIC of a deletion is
:math:`\mathrm{AIC} + D(\{t\}) - D(\varnothing) - 2k_t`.

**Wald.**  With :math:`\hat\beta` and covariance :math:`V` of the full fit, :math:`S` the
term's columns and :math:`R` those of its relatives (empty for type III),

.. math::

    W = r^\top C^{-1} r, \quad r = \hat\beta_S - V_{SR}V_{RR}^{-1}\hat\beta_R, \quad
    C = V_{SS} - V_{SR}V_{RR}^{-1}V_{RS},

which is the statistic of car's hypothesis matrix (the part of the term's and its relatives'
restrictions conjugate, in :math:`V`, to the relatives' alone): by the block form of the
quadratic form it equals :math:`W(S\cup R) - W(R)`, computed without that difference.

**Refits.**  Each reduced model is fitted by :func:`logitstat.fitting.irls.irls` started from the full
fit's coefficients of its columns (from R's start when that does not converge).  A reduced
model that does not converge is checked for separation (:func:`logitstat.diagnostics.separation.check_separation`):
when its data are separated its deviance has no minimum but an infimum, which Fisher scoring
from R's start stopped by R's rule (relative deviance change below 1e-12, as
:func:`logitstat.models.binary.diagnostics.separated_refit`) approaches as ``glm`` does; the row keeps its
statistic and the table's note says so.  A refit that fails for any other reason leaves its
rows unavailable (NaN) with a note, never a number from an unconverged fit.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..diagnostics.separation import check_separation
from ..errors import ConvergenceError, SpecificationError
from ..fitting import family
from ..fitting.irls import irls
from ..fitting.links import Link
from .hypothesis import wald_test

__all__ = ["ModelArrays", "term_factors", "term_columns", "relatives", "drop_scope", "sequential_table",
           "lr_table", "wald_table", "drop1_table", "check_type", "check_test"]

OK, SEPARATED, FAILED = "ok", "separated", "failed"


@dataclass
class ModelArrays:
    """What the term tables need to know about one maximum-likelihood fit (plain arrays).

    ``terms`` maps each term to its columns (patsy's order, the intercept included);
    ``factors`` each term to its factor names; ``status`` says whether the full fit converged
    (``"ok"``), stopped on separated data (``"separated"``) or neither (``"failed"``: every
    likelihood-ratio row is then unavailable).  ``nobs`` is the number of
    observations with information (the basis of R's ``df.residual``).
    """

    X: np.ndarray
    y: np.ndarray
    trials: np.ndarray
    weights: np.ndarray
    offset: np.ndarray
    link: Link
    params: np.ndarray
    deviance: float
    aic: float
    terms: dict[str, slice]
    factors: dict[str, frozenset]
    nobs: float
    status: str = OK
    tol: float = 1e-8
    max_iter: int = 100
    _fits: dict = field(default_factory=dict, repr=False)

    def tested_terms(self) -> list[str]:
        """Terms with columns, the intercept left out (it belongs to no test)."""
        return [t for t, sl in self.terms.items() if sl.stop > sl.start and t != "Intercept"]

    def columns(self, terms) -> np.ndarray:
        """Positions of the design columns of ``terms``."""
        return term_columns(self.terms, terms)


def term_factors(design_info, terms: dict[str, slice]) -> dict[str, frozenset]:
    """The factor names of each term, from a patsy ``DesignInfo``; without one (the array
    interface) every column is its own variable, so no term contains another."""
    known = {}
    for term in getattr(design_info, "terms", None) or []:
        known[term.name()] = frozenset(f.name() for f in term.factors)
    return {t: known.get(t, frozenset() if t == "Intercept" else frozenset([t])) for t in terms}


def term_columns(terms: dict[str, slice], names) -> np.ndarray:
    """Positions of the design columns of the terms ``names``."""
    idx = [np.arange(terms[n].start, terms[n].stop) for n in names]
    return np.concatenate(idx) if idx else np.zeros(0, dtype=int)


def relatives(term: str, factors: dict[str, frozenset]) -> list[str]:
    """The other terms that contain ``term`` (every factor of ``term`` is one of theirs), as
    car's ``relatives()``; the intercept is nobody's relative."""
    mine = factors[term]
    return [t for t, f in factors.items()
            if t != term and t != "Intercept" and f and mine <= f]


def drop_scope(factors: dict[str, frozenset], terms: list[str]) -> list[str]:
    """The terms of ``terms`` that no other term contains (R's ``drop.scope()``)."""
    return [t for t in terms if not relatives(t, factors)]


def check_type(type) -> int:
    """1, 2 or 3 from ``type`` (also car's ``"I"``, ``"II"``, ``"III"``)."""
    table = {1: 1, 2: 2, 3: 3, "1": 1, "2": 2, "3": 3, "I": 1, "II": 2, "III": 3}
    key = type.upper() if isinstance(type, str) else type
    if isinstance(type, bool) or key not in table:
        raise SpecificationError(f"type={type!r}: use 1 (sequential, R's anova), 2 or 3 "
                                 "(car::Anova's types II and III)")
    return table[key]


def check_test(test, allowed=("lr", "wald")) -> str:
    """``"lr"`` or ``"wald"`` (case-insensitive; ``"Chisq"`` and ``"LRT"`` are R's names for LR)."""
    key = test.lower() if isinstance(test, str) else test
    key = {"chisq": "lr", "lrt": "lr"}.get(key, key)
    if key not in allowed:
        raise SpecificationError(f"test={test!r}: use " + " or ".join(map(repr, allowed)))
    return key


# --------------------------------------------------------------------------- refits


def _refit(m: ModelArrays, drop) -> tuple[float, str]:
    """Deviance and status of the model without the columns ``drop`` (cached per column set)."""
    drop = np.unique(np.asarray(drop, dtype=int))
    key = tuple(drop)
    if key in m._fits:
        return m._fits[key]
    if not key:
        out = (m.deviance, m.status)
    else:
        keep = np.ones(m.X.shape[1], dtype=bool)
        keep[drop] = False
        out = _fit_columns(m, keep)
    m._fits[key] = out
    return out


def _fit_columns(m: ModelArrays, keep: np.ndarray) -> tuple[float, str]:
    if not keep.any():  # nothing left: the offset alone
        return family.deviance(m.y, m.trials, m.weights, m.offset, m.link), OK
    cols = np.flatnonzero(keep)
    if cols[-1] - cols[0] + 1 == cols.size:  # one block of columns: a view (no copy of F-ordered X)
        Xk = m.X[:, cols[0]:cols[-1] + 1]
        if not (Xk.flags.c_contiguous or Xk.flags.f_contiguous):
            Xk = np.asfortranarray(Xk)
    else:  # one copy, in X's memory order (irls takes C or Fortran order)
        Xk = m.X[:, keep]
    args = (Xk, m.y, m.trials, m.weights, m.offset, m.link)

    def attempt(**kw):
        try:
            return irls(*args, **kw)
        except ConvergenceError:  # e.g. the deviance not finite from a warm start far away
            return None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a refit's troubles are reported in the table's note
        fit = None
        if m.status == OK:
            fit = attempt(start=m.params[keep], tol=m.tol, max_iter=m.max_iter)
        if fit is None or not fit.converged:
            fit = attempt(tol=m.tol, max_iter=m.max_iter)
        if fit is not None and fit.converged and np.isfinite(fit.deviance):
            return fit.deviance, OK
        if check_separation(Xk, m.y, m.trials, m.weights).separated:
            fit = attempt(max_iter=max(m.max_iter, 100), newton=False, deviance_rule=1e-12)
            if fit is not None and np.isfinite(fit.deviance):
                return fit.deviance, SEPARATED
    return np.nan, FAILED


def _lr_row(m: ModelArrays, drop_small, drop_big, k: int) -> tuple[float, float, list[str]]:
    """Statistic, p-value and the statuses of the two fits of one LR test."""
    d1, s1 = _refit(m, drop_big)
    d0, s0 = _refit(m, drop_small)
    if FAILED in (s0, s1):
        return np.nan, np.nan, [s0, s1]
    stat = d1 - d0
    return stat, float(stats.chi2.sf(stat, k)), [s0, s1]


def _note(flags: dict[str, list[str]], full_status: str) -> str:
    """The table's note: rows without a test, and models whose deviance is an infimum."""
    failed = [t for t, s in flags.items() if FAILED in s]
    separated = [t for t, s in flags.items() if SEPARATED in s and FAILED not in s]
    parts = []
    if failed:
        which = "the model" if full_status == FAILED else "a reduced model"
        parts.append("No likelihood-ratio test of " + ", ".join(failed) + f": {which} did not "
                     "converge (raise max_iter, or simplify the model)")
    if separated:
        which = "the full model is" if full_status == SEPARATED else "reduced models are"
        parts.append(f"In the tests of {', '.join(separated)}, {which} fitted to separated "
                     "data: the deviance has no minimum, only an infimum, approached as R's glm "
                     "does (relative change below 1e-12); the LR statistics are its limit")
    return "; ".join(parts)


def _frame(rows: dict, columns: list[str], title: str, note: str = "") -> pd.DataFrame:
    out = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    out.index.name = "term"
    out.attrs["title"] = title
    if note:
        out.attrs["note"] = note
    return out


# --------------------------------------------------------------------------- tables


def sequential_table(m: ModelArrays) -> pd.DataFrame:
    r"""Sequential analysis of deviance, R's ``anova(glm, test="Chisq")`` (type I).

    Model :math:`t` has the columns of terms :math:`1..t` in the model's order; ``NULL`` is the
    intercept-only model (the offset alone without an intercept).  Each row gives ``df`` (the
    term's columns), ``deviance`` (the drop :math:`D_{t-1}-D_t`), ``df_resid``
    (:math:`n - k_t`), ``resid_deviance`` (:math:`D_t`) and ``pvalue``
    :math:`P(\chi^2_{df} > D_{t-1}-D_t)`.
    """
    p = m.X.shape[1]
    order = [(t, sl) for t, sl in m.terms.items() if sl.stop > sl.start]
    start = order[0][1].stop if order and order[0][0] == "Intercept" else 0
    if start:
        order = order[1:]
    d_prev, s_prev = _refit(m, np.arange(start, p))
    rows = {"NULL": (pd.NA, np.nan, m.nobs - start, d_prev, np.nan)}
    flags = {}
    for t, sl in order:
        d, s = _refit(m, np.arange(sl.stop, p))
        k = sl.stop - sl.start
        flags[t] = [s_prev, s]
        if FAILED in (s, s_prev):
            rows[t] = (k, np.nan, m.nobs - sl.stop, d, np.nan)
        else:
            rows[t] = (k, d_prev - d, m.nobs - sl.stop, d, float(stats.chi2.sf(d_prev - d, k)))
        d_prev, s_prev = d, s
    out = _frame(rows, ["df", "deviance", "df_resid", "resid_deviance", "pvalue"],
                 "Analysis of deviance (terms added sequentially)", _note(flags, m.status))
    out["df"] = out["df"].astype("Int64")
    return out


def lr_table(m: ModelArrays, type: int) -> pd.DataFrame:
    """Likelihood-ratio test of each term, ``car::Anova(fit, type=2|3)`` (see the module
    docstring); columns ``statistic`` (χ²), ``df``, ``pvalue``."""
    rows, flags = {}, {}
    for t in m.tested_terms():
        rel = relatives(t, m.factors) if type == 2 else []
        k = m.terms[t].stop - m.terms[t].start
        stat, pv, flags[t] = _lr_row(m, m.columns(rel), m.columns([t] + rel), k)
        rows[t] = (stat, k, pv)
    kind = {2: "II", 3: "III"}[type]
    out = _frame(rows, ["statistic", "df", "pvalue"],
                 f"Likelihood-ratio tests of each term (type {kind})", _note(flags, m.status))
    out["df"] = out["df"].astype(int)
    return out


def wald_table(params: np.ndarray, cov: np.ndarray, terms: dict[str, slice],
               factors: dict[str, frozenset], type: int,
               unavailable=lambda cols: "") -> pd.DataFrame:
    r"""Wald test of each term, ``car::Anova(fit, type=2|3, test.statistic="Wald")`` with the
    covariance ``cov`` (car's ``vcov.=``): :math:`W = r^\top C^{-1} r` of the module docstring.
    Type III includes the intercept (as car).  ``unavailable(cols)`` returns why no test of the
    coefficients ``cols`` exists ("" when one does): those rows are NaN and the note says why.
    No refit, no pass over the data.
    """
    tested = [t for t, sl in terms.items() if sl.stop > sl.start]
    if type == 2:
        tested = [t for t in tested if t != "Intercept"]
    rows, blocked = {}, {}
    for t in tested:
        rel = relatives(t, factors) if type == 2 and t != "Intercept" else []
        S, R = term_columns(terms, [t]), term_columns(terms, rel)
        k = S.size
        reason = unavailable(np.concatenate([S, R]))
        if reason:
            blocked[t] = reason
            rows[t] = (np.nan, k, np.nan)
            continue
        r, C = params[S], cov[np.ix_(S, S)]
        if R.size:
            G = np.linalg.solve(cov[np.ix_(R, R)], cov[np.ix_(R, S)])   # V_RR^{-1} V_RS
            r = r - G.T @ params[R]
            C = C - cov[np.ix_(S, R)] @ G
            C = (C + C.T) / 2.0
        res = wald_test(r, C, np.eye(k), np.zeros(k), t)
        rows[t] = (res.statistic, k, res.pvalue)
    kind = {2: "II", 3: "III"}[type]
    note = "; ".join(f"No Wald test of term {t} ({why})" for t, why in blocked.items())
    out = _frame(rows, ["statistic", "df", "pvalue"],
                 f"Wald chi-square tests of each term (type {kind})", note)
    out["df"] = out["df"].astype(int)
    return out


def drop1_table(m: ModelArrays, test: str = "lr") -> pd.DataFrame:
    r"""Single-term deletions, R's ``drop1(fit, test="Chisq")``.

    One row ``<none>`` (the full model), then one per term that no other term contains:
    ``df`` (its columns), ``deviance`` :math:`D(\{t\})`, ``aic``
    :math:`\mathrm{AIC} + D(\{t\}) - D - 2k_t` and, with ``test="lr"``, ``statistic``
    :math:`\max(0, D(\{t\}) - D)` and ``pvalue``.
    """
    rows = {"<none>": (pd.NA, m.deviance, m.aic, np.nan, np.nan)}
    flags = {}
    for t in drop_scope(m.factors, m.tested_terms()):
        k = m.terms[t].stop - m.terms[t].start
        d, s = _refit(m, m.columns([t]))
        flags[t] = [m.status, s]
        if s == FAILED:
            rows[t] = (k, np.nan, np.nan, np.nan, np.nan)
            continue
        lr = max(d - m.deviance, 0.0)
        rows[t] = (k, d, m.aic + d - m.deviance - 2 * k, lr, float(stats.chi2.sf(lr, k)))
    out = _frame(rows, ["df", "deviance", "aic", "statistic", "pvalue"],
                 "Single term deletions", _note(flags, m.status))
    out["df"] = out["df"].astype("Int64")
    if test == "none":
        out = out.drop(columns=["statistic", "pvalue"])
    return out
