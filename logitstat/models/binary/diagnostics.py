"""Diagnostics of a fitted model: separation, collinearity, goodness of fit.

:class:`DiagnosticsMixin` gives :class:`~logitstat.models.binary.results.BinaryResults` its
``separation``, ``vif()``, ``condition_number``, ``collinearity()`` and ``gof()``, computed on
demand (and cached) from the fit's design and estimates by the pure functions of
:mod:`~logitstat.diagnostics.separation`, :mod:`~logitstat.diagnostics.collinearity` and
:mod:`~logitstat.diagnostics.goodness`.
:func:`diagnostic_notes` says in words what is wrong, for the summary footer.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ...common.displays import Display, Displayable
from ...diagnostics import collinearity as _coll
from ...diagnostics import goodness as _gof
from ...diagnostics.divergence import divergence_note, divergence_reason  # noqa: F401 (re-exported)
from ...diagnostics.separation import SeparationReport, check_separation
from ...errors import LogitstatError, SpecificationError

__all__ = ["ModelSeparation", "DiagnosticsMixin", "diagnostic_notes", "divergence_note",
           "divergence_reason", "separation_warning_text"]

CONDITION_LIMIT = 30.0
VIF_LIMIT = 10.0


@dataclass(frozen=True, eq=False, repr=False)
class ModelSeparation(Displayable):
    """Separation report of a fitted model, labelled by coefficient and row.

    Attributes
    ----------
    kind : {"none", "quasi-complete", "complete"}
    directions : Series
        +1 / -1 for coefficients whose maximum-likelihood estimate runs to plus / minus
        infinity, 0 for finite ones.
    separated_rows : Series of bool
        Rows (labelled as in the data) whose fitted probability runs to 0 or 1.
    undetermined : Series of bool
        Coefficients not identified once the separated rows are set aside.
    report : SeparationReport
        The array-level report.
    """

    kind: str
    directions: pd.Series
    separated_rows: pd.Series
    undetermined: pd.Series
    report: SeparationReport

    @property
    def separated(self) -> bool:
        """True when the maximum-likelihood estimate does not exist."""
        return self.kind != "none"

    @property
    def infinite(self) -> dict[str, int]:
        """Coefficient name -> direction (+1 / -1) of every estimate that runs to infinity."""
        return {k: int(v) for k, v in self.directions.items() if v != 0}

    @property
    def n_separated(self) -> int:
        """Number of rows whose fitted probability runs to 0 or 1."""
        return int(self.separated_rows.sum())

    @property
    def method(self) -> str:
        """``"lp"`` (decided by linear programming) or ``"certificate"`` (a converged fit)."""
        return self.report.method

    @classmethod
    def label(cls, rep: SeparationReport, names, rows) -> "ModelSeparation":
        """Label an array-level report by coefficient ``names`` and data ``rows``."""
        names = pd.Index(names)
        return cls(rep.kind, pd.Series(rep.directions, index=names, name="direction"),
                   pd.Series(rep.separated_rows, index=rows, name="separated"),
                   pd.Series(rep.undetermined, index=names, name="undetermined"), rep)

    def describe(self, names=None) -> str:
        """Say in words what was found, naming the coefficients (by default, the report's own)."""
        return self.report.describe(list(self.directions.index) if names is None else names)

    def __str__(self) -> str:
        return self.describe()

    def _display(self) -> Display:
        rows = [("kind", self.kind), ("decided by", {"lp": "linear programming",
                                                     "certificate": "a converged fit"}.get(
                                                         self.method, self.method))]
        if self.separated:
            rows += [("separated rows", f"{self.n_separated} of {len(self.separated_rows)}"),
                     ("infinite", ", ".join(f"{k} ({'+' if v > 0 else '-'}inf)"
                                            for k, v in self.infinite.items()) or "none singly")]
            if self.undetermined.any():
                rows.append(("not identified", ", ".join(map(str, self.undetermined.index[
                    self.undetermined.to_numpy()]))))
        return Display(f"Separation check: {self.kind}", rows, [self.describe()],
                       hint="(.directions, .separated_rows, .undetermined)" if self.separated else "")


def separation_warning_text(sep: ModelSeparation) -> str:
    """One sentence for :class:`~logitstat.SeparationWarning`, naming the diverging terms."""
    inf = sep.infinite
    names = ", ".join(f"{k} ({'+' if v > 0 else '-'}inf)" for k, v in inf.items()) or "none singly"
    return (f"{sep.kind} separation: {int(sep.separated_rows.sum())} observation(s) are predicted "
            f"perfectly and the maximum-likelihood estimates of {names} do not exist (they run to "
            'infinity); their estimates and standard errors are meaningless. Use method="firth" '
            "for finite (penalized-likelihood) estimates, or see res.separation.")


class DiagnosticsMixin:
    """Separation, collinearity and goodness-of-fit diagnostics for ``BinaryResults``.

    Expects ``self.design``, ``self.fit_result`` (with ``params``, ``cov``, ``eta``, ``converged``),
    ``self.link`` and ``self.names``.
    """

    @cached_property
    def separation(self) -> ModelSeparation:
        """Exact separation check (linear programming, Konis 2007; skipped when the converged
        fit itself proves that the outcomes overlap).  See :mod:`logitstat.diagnostics.separation`."""
        d = self.design
        eta, at = self.fit_result.eta, self.fit_result.eta_info
        moved = cov = None
        if at is not None:  # the certificate at the last iterate, with IRLS's last step
            eta, moved, cov = at, eta - at, getattr(self.fit_result, "cov", None)
        rep = check_separation(d.X, d.y, d.trials, d.weights, ratios=self.link.score_ratios(eta),
                               converged=bool(self.fit_result.converged), moved=moved, cov=cov,
                               direction=self.fit_result.params)
        rows = pd.RangeIndex(len(d.y)) if d.row_labels is None else pd.Index(d.row_labels)
        return ModelSeparation.label(rep, self.names, rows)

    @cached_property
    def _divergence(self) -> tuple[np.ndarray, np.ndarray]:
        """``(directions, undetermined)`` arrays over the coefficients of a maximum-likelihood
        fit on separated data: +1 / -1 where the estimate runs to plus / minus infinity, and
        the coefficients not identified by the rows that are not predicted perfectly.  Zeros
        (nothing diverges) for overlapping data, for Firth's finite estimates, and when the
        separation check cannot be made (the summary footer then says so).  Every fit by
        :func:`logitstat.api.fit_design` has its check done; otherwise a converged fit is not
        checked here (its estimates are finite: under separation IRLS never converges) so that
        its standard errors cost no pass over the data (a Dask fit's check is one)."""
        p = len(self.names)
        none = (np.zeros(p, dtype=int), np.zeros(p, dtype=bool))
        if getattr(self, "method", "irls") == "firth":
            return none
        if "separation" not in self.__dict__ and self.fit_result.converged:
            return none
        try:
            sep = self.separation
        except Exception:  # noqa: BLE001 - e.g. a Dask fit without its rows in memory
            return none
        if not sep.separated:
            return none
        return sep.directions.to_numpy().astype(int), sep.undetermined.to_numpy().astype(bool)

    @property
    def _diverging(self) -> np.ndarray:
        """Coefficients without a finite, identified maximum-likelihood estimate (bool mask):
        those that run to infinity and the undetermined ones.  Their standard errors, z,
        p-values and Wald intervals are NaN, and no test or effect leans on them."""
        directions, undetermined = self._divergence
        return (directions != 0) | undetermined

    def vif(self, kind: str = "model") -> pd.DataFrame:
        """Generalized variance inflation factors, one row per term (intercept excluded).

        Parameters
        ----------
        kind : {"model", "design"}
            ``"model"``: ``car::vif`` on the fitted model, from the correlation of the estimates
            (inverse Fisher information, whatever ``cov_type``).  ``"design"``: the classic VIF
            of the (frequency-weighted) design, what ``car::vif`` gives for ``lm``.

        Returns
        -------
        DataFrame
            Columns ``gvif``, ``df`` (columns of the term) and ``gvif_adj`` =
            GVIF^(1/(2 df)), comparable across terms of different sizes.
        """
        d = self.design
        if kind == "model":
            return _coll.vif_model(self.fit_result.cov, d.terms, d.intercept)
        if kind == "design":
            unit = np.all(d.weights == 1.0)
            return _coll.vif_design(d.X, d.terms, d.intercept, None if unit else d.weights,
                                    gram=self._design_gram if unit else None)
        raise SpecificationError(f"unknown vif kind {kind!r}: use 'model' or 'design'")

    @cached_property
    def condition_number(self) -> float:
        """Belsley–Kuh–Welsch condition number of the design: columns scaled to unit length,
        intercept included.  Above 30 signals harmful near-collinearity."""
        d = self._bkw["singular_value"].to_numpy()
        return float(d[0] / d[-1]) if d[-1] > 0 else float("inf")

    @cached_property
    def _design_gram(self) -> np.ndarray:
        r""":math:`X^\top X` of the design (kept from the fit's rank screen when it covered every
        row, else one row-blocked pass): the collinearity diagnostics need nothing else."""
        return _coll.design_gram(self.design.X)

    @cached_property
    def _bkw(self) -> pd.DataFrame:
        return _coll.collinearity_table(self.design.X, self.names, gram=self._design_gram)

    def collinearity(self) -> pd.DataFrame:
        """Belsley–Kuh–Welsch table: singular values, condition indices and the share of each
        coefficient's variance tied to each dimension (see
        :func:`logitstat.diagnostics.collinearity.collinearity_table`)."""
        return self._bkw.copy()

    def gof(self, g: int = 10, threshold: float = 0.5, bins: int = 10) -> _gof.GoodnessOfFit:
        """Goodness of fit and calibration: Hosmer–Lemeshow (``g`` groups) with its table,
        Pearson and deviance tests, classification table at ``threshold``, AUC, Brier score
        with its decomposition, expected calibration error and reliability table (``bins``
        equal-width bins).  See :mod:`logitstat.diagnostics.goodness`."""
        d = self.design
        mu = self.link.linkinv(self.fit_result.eta)
        return _gof.goodness_of_fit(d.y, mu, len(self.names), d.trials, d.weights, g=g,
                                    threshold=threshold, bins=bins)


def _collinear_culprits(res) -> list[str]:
    """Variables with > 50% of their variance on the dimension of largest condition index."""
    tab = res.collinearity()
    last = tab.iloc[-1].drop(["singular_value", "condition_index"])
    return [str(k) for k, v in last.items() if v > 0.5]


def diagnostic_notes(res) -> list[str]:
    """Footer sentences on separation and near-collinearity (empty when all is well)."""
    notes = []
    try:
        sep = res.separation
    except LogitstatError as exc:  # e.g. a Dask fit without a certificate: say what was found
        notes.append(f"Separation was not checked: {exc}")
        sep = None
    except Exception as exc:  # noqa: BLE001 - a failed check must not hide the summary
        notes.append(f"The separation check could not be completed ({type(exc).__name__}).")
        sep = None
    if sep is not None and sep.separated:
        if res.method == "firth":
            who = ", ".join(sep.infinite) or "no single coefficient"
            notes.append(f"The data show {sep.kind} separation ({who} would run to infinity by "
                         "maximum likelihood); Firth's penalized estimates shown here are finite.")
        else:
            notes.append(str(sep))
    cond = res.condition_number
    if np.isfinite(cond) and cond > CONDITION_LIMIT:
        who = _collinear_culprits(res)
        notes.append(f"The condition number is large ({cond:.3g} > {CONDITION_LIMIT:g}): the design "
                     "is close to collinear" + (f", mostly through {', '.join(who)}" if who else "")
                     + "; see res.collinearity().")
    if sep is None or not sep.separated:
        try:
            v = res.vif()
        except Exception:  # noqa: BLE001 - e.g. a singular covariance: nothing to say
            v = None
        if v is not None and len(v) and (v["gvif_adj"] ** 2 > VIF_LIMIT).any():
            big = v[v["gvif_adj"] ** 2 > VIF_LIMIT]
            items = ", ".join(f"{k} ({r.gvif:.3g})" for k, r in big.iterrows())
            notes.append(f"Large variance inflation (VIF > {VIF_LIMIT:g}): {items}; these "
                         "estimates are imprecise because the terms are nearly collinear with "
                         "others (interaction terms are large by construction); see res.vif().")
    return notes


def separated_refit(des, link, max_iter: int = 100):
    r"""IRLS iterate at which R's ``glm`` stops on separated data.

    Under separation the maximum-likelihood estimate does not exist and IRLS runs on forever;
    the coefficients that stay finite converge, the others grow without bound.  R's ``glm``
    stops once the relative change of the deviance,
    :math:`|D_k - D_{k-1}|/(|D_k| + 0.1)`, falls below its ``epsilon`` (1e-12 here), starting
    from :math:`\mu_0 = (w m y + 1/2)/(w m + 1)`.  Fisher scoring from R's start, stopped by
    the same rule (``irls(..., newton=False, deviance_rule=1e-12)``), reproduces R's reported
    estimates, so that path-dependent coefficients agree with R's output too.  The result is
    flagged as not converged.
    """
    from dataclasses import replace

    from ...fitting.irls import irls

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = irls(des.X, des.y, des.trials, des.weights, des.offset, link, max_iter=max_iter,
                   newton=False, deviance_rule=1e-12)
    return replace(fit, converged=False, eta_info=None,
                   message="separated data: stopped where the deviance stopped changing "
                           "(relative change < 1e-12, as R's glm); the MLE does not exist")
