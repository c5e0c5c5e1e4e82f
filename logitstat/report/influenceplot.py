r"""Index plots of the case-deletion measures: ``influence_plot(res, measure="dfbetas")``.

One point per row (in data order) of R's ``dfbetas`` (one panel per coefficient), ``dffits``
or ``covratio`` (see :mod:`logitstat.inference.influence`), with the cut-offs that R's
``influence.measures`` uses to flag a row, :math:`k` coefficients, :math:`n` rows of positive
weight: :math:`|\mathrm{dfbetas}| > 1`, :math:`|\mathrm{DFFITS}| > 3\sqrt{k/(n-k)}`,
:math:`|1 - \mathrm{covratio}| > 3k/(n-k)`.  The ``n_labels`` most extreme rows of each panel
are labelled with their row labels.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, SpecificationError

MEASURES = ("dfbetas", "dffits", "cov_ratio")


def deletion_table(res, measure: str, terms=None) -> pd.DataFrame:
    """The values plotted: one column per panel, rows of positive weight only."""
    if measure not in MEASURES:
        raise SpecificationError(f"measure={measure!r}: choose 'cooks_d' (the bubble plot) or one "
                                 f"of {', '.join(map(repr, MEASURES))}")
    infl = res.get_influence()
    d = res.design
    if measure == "dfbetas":
        table = infl.dfbetas
        if terms is not None:
            wanted = [terms] if isinstance(terms, str) else list(terms)
            unknown = [t for t in wanted if t not in table.columns]
            if unknown:
                raise SpecificationError(f"terms={unknown!r} are not coefficients; choose from "
                                         f"{', '.join(map(repr, table.columns))}")
            table = table[wanted]
    else:
        table = getattr(infl, measure).to_frame()
    table = table.reset_index(drop=True).set_axis(
        d.row_labels if d.row_labels is not None else pd.RangeIndex(len(d.y)), axis=0)
    return table[d.weights * d.trials > 0]


def cutoffs(measure: str, k: int, n: int) -> tuple[float, float]:
    """Lower and upper flag lines of R's ``influence.measures``."""
    if measure == "dfbetas":
        return -1.0, 1.0
    if measure == "dffits":
        c = 3.0 * np.sqrt(k / (n - k)) if n > k else np.nan
        return -c, c
    c = 3.0 * k / (n - k) if n > k else np.nan
    return 1.0 - c, 1.0 + c


def influence_index_plot(res, measure: str = "dfbetas", terms=None, n_labels: int = 3, ax=None):
    """Index plot of ``dfbetas`` (a panel per coefficient, or per one of ``terms``), ``dffits``
    or ``cov_ratio``; ``ax`` (a single axes) only for one panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .plots import _pyplot

    table = deletion_table(res, measure, terms)
    if table.empty or not np.isfinite(table.to_numpy()).any():
        raise DataError(f"no finite {measure} to plot (are all hat values 1?)")
    k, n = len(res.names), len(table)
    lo, hi = cutoffs(measure, k, n)
    cols = list(table.columns)
    if ax is not None:
        if len(cols) != 1:
            raise SpecificationError(f"ax= takes one panel; {measure} has {len(cols)}: choose one "
                                     "with terms=")
        fig, axes = ax.figure, [ax]
    else:
        ncol = min(3, len(cols))
        nrow = -(-len(cols) // ncol)
        fig, grid = _pyplot().subplots(nrow, ncol, figsize=(4.2 * ncol, 3.0 * nrow),
                                       layout="constrained", squeeze=False)
        axes = list(grid.ravel())
        for extra in axes[len(cols):]:
            extra.set_visible(False)
    x = np.arange(n)
    for a, col in zip(axes, cols):
        vals = table[col].to_numpy(dtype=float)
        a.vlines(x, 1.0 if measure == "cov_ratio" else 0.0, vals, color="C0", lw=0.8)
        a.plot(x, vals, "o", ms=2.5, color="C0")
        for level in (lo, hi):
            if np.isfinite(level):
                a.axhline(level, ls=":", color="0.4", lw=1)
        centre = 1.0 if measure == "cov_ratio" else 0.0
        order = np.argsort(-np.nan_to_num(np.abs(vals - centre), nan=-1.0))[:max(int(n_labels), 0)]
        for i in order:
            a.annotate(str(table.index[i]), (x[i], vals[i]), xytext=(3, 3),
                       textcoords="offset points", fontsize=8)
        a.set_title(col if measure == "dfbetas" else measure, fontsize=10)
        a.set_xlabel("row")
        a.grid(alpha=0.3)
    fig.suptitle(f"{measure} (dotted: influence.measures' flags)", fontsize=11)
    return fig
