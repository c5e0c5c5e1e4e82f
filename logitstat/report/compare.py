"""Several fitted models in one table, as statsmodels' ``summary_col`` or R's ``modelsummary``.

:func:`compare` gathers the numbers; :class:`logitstat.report.comparison.ComparisonTable` renders them.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import SpecificationError
from ..inference.hypothesis import normal_quantile
from .comparison import ComparisonTable
from .numformat import check_pvalue_format, column_format, format_pvalue

__all__ = ["compare"]

STAT_LABELS = {"se": "Standard errors", "z": "z statistics", "p": "p-values",
               "ci": "confidence intervals"}


def compare(results: Sequence, names: Sequence[str] | None = None, stars: bool | Sequence[float] = False,
            stat: str | None = "se", odds_ratios: bool = False, alpha: float = 0.05, digits: int = 3,
            order: Sequence[str] | None = None, title: str = "Model comparison",
            pvalue_format="auto") -> ComparisonTable:
    """One table of several fitted models side by side.

    Parameters
    ----------
    results : sequence of BinaryResults
        The fitted models, one column each.
    names : sequence of str, optional
        Column headings; default ``(1)``, ``(2)``, ...
    stars : bool or sequence of float
        Mark estimates with ``*``, ``**``, ``***`` for p below 0.05, 0.01, 0.001 (``True``), or
        below the thresholds given (e.g. ``(0.1, 0.05, 0.01)``, Stata's convention).
    stat : {"se", "z", "p", "ci"} or None
        What goes in parentheses under each estimate: standard error (default), z statistic,
        p-value, confidence interval, or nothing.
    odds_ratios : bool
        Show :math:`e^\\beta` (logit models only); the standard error is then the delta-method
        :math:`e^\\beta\\,\\mathrm{se}(\\beta)` and the interval the exponentiated interval.
    alpha : float
        1 - confidence level for ``stat="ci"``.
    digits : int
        Decimals of the estimates and statistics.  A coefficient's row (its estimates and the
        statistics under them, in every model) turns to scientific notation, with ``digits + 1``
        significant digits, where a non-zero estimate or standard error would show as zero or
        fixed notation is too wide (an odds ratio of 1e8), as the summary's columns do
        (:func:`logitstat.report.numformat.column_format`).
    order : sequence of str, optional
        Coefficients to show, in this order (default: all, in order of first appearance).
    title : str
    pvalue_format : {"auto", "exact"} or float
        How ``stat="p"`` prints p-values (:func:`logitstat.report.numformat.format_pvalues`).

    Under separation a coefficient whose maximum-likelihood estimate runs to infinity shows as
    ``+inf`` / ``-inf`` (odds ratios ``+inf`` / ``0.000``), one that is not identified shows the
    value where the iterations stopped; neither gets stars, and ``—`` replaces the statistic
    under it (see :attr:`~logitstat.models.binary.results.BinaryResults.bse`).  A note names them.

    Returns
    -------
    ComparisonTable
        ``print`` it, or call ``as_html()``, ``as_latex()``, ``as_markdown()``, ``to_frame()``.
    """
    results = list(results)
    if not results:
        raise SpecificationError("compare() needs at least one fitted model")
    odd = [i + 1 for i, r in enumerate(results)
           if not all(hasattr(r, a) for a in ("names", "params", "bse", "link", "llf"))]
    if odd:
        raise SpecificationError(f"compare() takes fitted models (ls.logit(...) results); item(s) "
                                 f"{', '.join(map(str, odd))} are not")
    if not (isinstance(stars, bool) or (np.ndim(stars) == 1 and all(
            isinstance(t, (int, float, np.integer, np.floating)) and not isinstance(t, bool)
            and 0 < t < 1 for t in stars))):
        raise SpecificationError(f"stars={stars!r}: use True/False or p-value thresholds such as "
                                 "(0.1, 0.05, 0.01)")
    names = [f"({i})" for i in range(1, len(results) + 1)] if names is None else [str(n) for n in names]
    if len(names) != len(results):
        raise SpecificationError(f"{len(names)} names given for {len(results)} models")
    if len(set(names)) != len(names):
        raise SpecificationError("model names must be distinct")
    if stat not in (None, "se", "z", "p", "ci"):
        raise SpecificationError(f"stat={stat!r}: use 'se', 'z', 'p', 'ci' or None")
    if odds_ratios:
        bad = [n for n, r in zip(names, results) if r.link.name != "logit"]
        if bad:
            raise SpecificationError(f"odds ratios need the logit link; model(s) {', '.join(bad)} "
                                     "use another link")
    pvalue_format = check_pvalue_format(pvalue_format)
    thresholds = (0.05, 0.01, 0.001) if stars is True else tuple(sorted(stars or (), reverse=True))
    coef_names: list[str] = []
    for r in results:
        coef_names += [c for c in r.names if c not in coef_names]
    if order is not None:
        unknown = [c for c in order if c not in coef_names]
        if unknown:
            raise SpecificationError(f"order: no model has coefficient(s) {', '.join(unknown)}; "
                                     f"coefficients are: {', '.join(coef_names)}")
        coef_names = list(order)
    z = normal_quantile(alpha)
    est = pd.DataFrame(np.nan, index=coef_names, columns=names)
    pv, se_, lo_, hi_, zs = (est.copy() for _ in range(5))
    diverging = {}  # model name -> its coefficients without a finite estimate (separation)
    missing = pd.DataFrame(False, index=coef_names, columns=names)
    for name, r in zip(names, results):
        directions = dict(zip(r.names, getattr(r, "_divergence", (np.zeros(len(r.names)),))[0]))
        gone = dict(zip(r.names, getattr(r, "_diverging", np.zeros(len(r.names), dtype=bool))))
        diverging[name] = [c for c in r.names if gone[c]]
        for c in coef_names:
            if c not in r.names:
                continue
            b, se, p = float(r.params[c]), float(r.bse[c]), float(r.pvalues[c])
            if directions[c] != 0:
                b = np.inf if directions[c] > 0 else -np.inf
            lo, hi = b - z * se, b + z * se
            if odds_ratios:
                with np.errstate(over="ignore"):
                    b, se, lo, hi = np.exp(b), np.exp(b) * se, np.exp(lo), np.exp(hi)
            est.loc[c, name], pv.loc[c, name], zs.loc[c, name] = b, p, float(r.tvalues[c])
            se_.loc[c, name], lo_.loc[c, name], hi_.loc[c, name] = se, lo, hi
            missing.loc[c, name] = gone[c]
    # one format per coefficient row: its estimates, and the errors or bounds shown under them
    shown = {"se": [se_], "ci": [lo_, hi_]}.get(stat, [])
    formats = {c: column_format(pd.concat([est.loc[c]] + [f.loc[c] for f in shown]),
                                drivers=pd.concat([est.loc[c]] + ([se_.loc[c]] if stat == "se" else [])),
                                sig=digits + 1, decimals=digits)
               for c in coef_names}
    zfmt = {c: column_format(zs.loc[c], drivers=[], min_decimals=digits, sig=digits + 1)
            for c in coef_names}
    below = pd.DataFrame("", index=coef_names, columns=names, dtype=object)
    for name in names:
        for c in coef_names:
            if np.isnan(est.loc[c, name]) and not missing.loc[c, name]:
                continue
            f = formats[c]
            below.loc[c, name] = "—" if missing.loc[c, name] else {
                "se": f"({f(se_.loc[c, name])})", "z": f"({zfmt[c](zs.loc[c, name])})",
                "p": f"({format_pvalue(pv.loc[c, name], pvalue_format)})", None: "",
                "ci": f"[{f(lo_.loc[c, name])}, {f(hi_.loc[c, name])}]"}[stat]
    rows = {"Observations": [r.nobs for r in results],
            "Log-likelihood": [r.llf for r in results],
            "AIC": [r.aic for r in results], "BIC": [r.bic for r in results],
            "Pseudo R² (McFadden)": [r.prsquared for r in results],
            "Link": [r.link.name for r in results],
            "Covariance": [r.cov_type for r in results]}
    table_stats = pd.DataFrame(rows, index=names, dtype=object).T
    notes = []
    if stat is not None:
        what = STAT_LABELS[stat] + (f" ({100 * (1 - alpha):g}%)" if stat == "ci" else "")
        notes.append(f"{what[0].upper() + what[1:]} {'in brackets' if stat == 'ci' else 'in parentheses'}."
                     + (" Estimates are odds ratios." if odds_ratios else ""))
    elif odds_ratios:
        notes.append("Estimates are odds ratios.")
    if thresholds:
        notes.append(", ".join(f"{'*' * (i + 1)} p<{t:g}" for i, t in enumerate(thresholds)))
    diverging = {m: cs for m, cs in diverging.items() if cs}
    if diverging:
        what = "" if stat is None else f", — for its {STAT_LABELS[stat][:-1].lower()}"
        notes.append("No finite maximum-likelihood estimate (separation): "
                     + "; ".join(f"{', '.join(cs)} in {m}" for m, cs in diverging.items())
                     + f" (+inf/-inf where the estimate runs to infinity{what}).")
    events = {r.design.event for r in results}
    if len(events) > 1:
        notes.append("The models do not all describe the same event: " + "; ".join(sorted(events)) + ".")
    return ComparisonTable(est, below if stat is not None else None, pv, table_stats,
                           stars=thresholds, digits=digits, notes=notes, title=title, formats=formats)
