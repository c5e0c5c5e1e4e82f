"""Plots of a fitted model (optional extra ``plot``: ``pip install "logitstat[plot]"``).

Each plotting function returns the matplotlib :class:`~matplotlib.figure.Figure` it drew on (a new
one, or the figure of the ``ax`` you pass).  matplotlib is imported only when a plot is drawn, so
``import logitstat`` never needs it; the table helpers (:func:`calibration_table`,
:func:`roc_curve`, :func:`influence_measures`) need only numpy and pandas.

=====================================  ============================================================
:func:`forest_plot`                    odds ratios (or coefficients) with confidence intervals
:func:`calibration_plot`               reliability diagram: observed against predicted probability
:func:`roc_plot`                       ROC curve with the area under it (the C statistic)
:func:`predicted_probability_plot`     predicted probability against one covariate, with a band
:func:`influence_plot`                 hat values against standardized residuals, Cook's distance
=====================================  ============================================================
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, SpecificationError
from ..inference.hypothesis import normal_quantile

__all__ = ["forest_plot", "calibration_table", "calibration_plot", "roc_curve", "roc_plot",
           "prediction_grid", "predicted_probability_plot", "influence_measures", "influence_plot"]


def __dir__() -> list[str]:
    """Tab completion and ``dir(ls.plots)`` show the plotting functions, not numpy or pandas."""
    return sorted(__all__)


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("logitstat's plots need matplotlib: pip install \"logitstat[plot]\" "
                          "(or pip install matplotlib)") from None
    return plt


def _figure_and_axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return fig, ax


# --------------------------------------------------------------------------- forest plot


def forest_plot(res, odds_ratios: bool | None = None, alpha: float = 0.05, intercept: bool = False,
                ax=None, annotate: bool = True):
    """Forest plot: one row per coefficient, its estimate and confidence interval.

    Parameters
    ----------
    res : BinaryResults
        A fitted model.
    odds_ratios : bool, optional
        Show odds ratios :math:`e^\\beta` on a log axis with a reference line at 1 (the default
        for the logit link), or coefficients with a reference line at 0.
    alpha : float
        1 - confidence level of the intervals (Wald intervals of ``res.conf_int``).
    intercept : bool
        Include the intercept (left out by default: it is not an effect).
    ax : matplotlib Axes, optional
        Draw there instead of on a new figure.
    annotate : bool
        Write the estimate and interval as text at the right of each row.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if odds_ratios is None:
        odds_ratios = res.link.name == "logit"
    if odds_ratios and res.link.name != "logit":
        raise SpecificationError(f"odds ratios need the logit link; this model uses {res.link.name!r}:"
                                 " call forest_plot(res, odds_ratios=False)")
    ci = res.conf_int(alpha)
    table = pd.DataFrame({"est": res.params, "lower": ci["lower"], "upper": ci["upper"]})
    if not intercept:
        table = table.drop(index="Intercept", errors="ignore")
    if table.empty:
        raise SpecificationError("the model has no coefficients to plot besides the intercept")
    if odds_ratios:
        with np.errstate(over="ignore"):
            table = np.exp(table)
    n = len(table)
    fig, ax = _figure_and_axes(ax, (7.5, 1.3 + 0.42 * n))
    y = np.arange(n)[::-1]
    values = table.to_numpy()
    finite = np.isfinite(values).all(axis=1)
    ax.hlines(y[finite], table["lower"][finite], table["upper"][finite], color="C0", lw=2)
    ax.plot(table["est"][finite], y[finite], "s", color="C0", ms=7)
    ref = 1.0 if odds_ratios else 0.0
    ax.axvline(ref, color="0.4", ls="--", lw=1)
    if odds_ratios:
        ax.set_xscale("log")
        _log_axis(ax, values[finite])
    else:
        _linear_axis(ax, values[finite])
    ax.set_yticks(y, labels=list(table.index))
    ax.set_ylim(-0.7, n - 0.3)
    level = f"{100 * (1 - alpha):g}%"
    ax.set_xlabel(f"odds ratio ({level} CI, log scale)" if odds_ratios else f"coefficient ({level} CI)")
    _set_title(ax, f"{'Odds ratios' if odds_ratios else 'Coefficients'}: {res.design.event}")
    ax.grid(axis="x", alpha=0.3)
    if annotate:
        for yi, row in zip(y, values):
            text = (f"{_number(row[0])} [{_number(row[1])}, {_number(row[2])}]"
                    if np.isfinite(row).all() else "not finite (separation?)")
            ax.annotate(text, xy=(1.02, yi), xycoords=("axes fraction", "data"), va="center",
                        fontsize=9)
    return fig


def _number(v: float) -> str:
    """Three significant digits, trailing zeros kept; scientific outside [0.001, 100000)."""
    a = abs(v)
    if a == 0:
        return "0.00"
    if 1e-3 <= a < 1e5:
        return f"{v:.{max(0, 2 - int(np.floor(np.log10(a))))}f}"
    return f"{v:.2e}"


def _span(values: np.ndarray, ref: float, log: bool) -> tuple[float, float]:
    """Axis limits covering every interval and the reference line, with a 4% margin."""
    vals = values[np.isfinite(values)]
    if log:
        vals = vals[vals > 0]
    lo, hi = min(vals.min(initial=ref), ref), max(vals.max(initial=ref), ref)
    if log:
        pad = (hi / lo) ** 0.04 if hi > lo else 1.25
        return lo / pad, hi * pad
    pad = 0.04 * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad


def _linear_axis(ax, values: np.ndarray) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.set_xlim(*_span(values, 0.0, log=False))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))


def _log_ticks(lo: float, hi: float, max_ticks: int = 9) -> list[float]:
    """Round tick values in ``[lo, hi]`` for a log axis, plainly labelled; [] when decades
    labelled :math:`10^k` read better (more than six decades, or values outside [0.001, 10000]).

    Up to 0.3 decades: ordinary linear ticks; up to 3.5: the first of 1-2-5, 1-1.5-2-3-5-7,
    1-3 multiples of powers of ten that gives at least four (at most ``max_ticks``) ticks, else
    linear ticks on less than a decade; then decades.
    """
    from matplotlib.ticker import MaxNLocator

    decades = np.log10(hi / lo)

    def linear() -> list[float]:
        ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
        return [round(float(t), 12) for t in ticks if lo <= t <= hi and t > 0]

    if decades <= 0.3:
        return linear()
    k0, k1 = int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi)))

    def multiples(mults) -> list[float]:
        return [t for t in (float(f"{m}e{k}") for k in range(k0, k1 + 1) for m in mults)
                if lo <= t <= hi]

    if decades <= 3.5:
        for mults in ((1, 2, 5), (1, 1.5, 2, 3, 5, 7), (1, 1.2, 1.5, 2, 3, 4, 5, 7)):
            ticks = multiples(mults)
            if 4 <= len(ticks) <= max_ticks:
                return ticks
        ticks = multiples((1, 3))
        if 4 <= len(ticks) <= max_ticks:
            return ticks
    if decades < 1:
        return linear()
    ticks = multiples((1,))
    if decades <= 6 and 3 <= len(ticks) <= max_ticks and ticks[0] >= 1e-3 and ticks[-1] <= 1e4:
        return ticks
    return []


def _log_axis(ax, values: np.ndarray, max_ticks: int = 9) -> None:
    """Limits covering every interval and 1, with readable ticks (:func:`_log_ticks`, else
    ``LogLocator`` decades, thinned to at most ``max_ticks``, labelled :math:`10^k`); minor
    ticks are never labelled."""
    from matplotlib.ticker import (FixedLocator, FuncFormatter, LogFormatterSciNotation,
                                   LogLocator, NullFormatter)

    lo, hi = _span(values, 1.0, log=True)
    ax.set_xlim(lo, hi)
    ticks = _log_ticks(lo, hi, max_ticks)
    if ticks:
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    else:
        ax.xaxis.set_major_locator(LogLocator(base=10, numticks=max_ticks))
        ax.xaxis.set_major_formatter(LogFormatterSciNotation(base=10))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _set_title(ax, title: str, subtitle: str | None = None, fontsize: float = 11) -> None:
    """Title wrapped to the axes width (an estimate from the font size), subtitle smaller."""
    import textwrap

    fig = ax.figure
    width_in = ax.get_position().width * fig.get_figwidth()
    chars = max(20, int(width_in * 72 / (0.6 * fontsize)))
    text = textwrap.fill(title, chars)
    if subtitle:
        text += "\n" + textwrap.fill(subtitle, int(chars * 1.15))
    ax.set_title(text, fontsize=fontsize)


# --------------------------------------------------------------------------- calibration


def _rows(res) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fitted probability, observed proportion and prior weight (weights x trials) of each row."""
    d = res.design
    mu = np.asarray(res.fittedvalues, dtype=float)
    prior = np.asarray(d.weights * d.trials, dtype=float)
    keep = prior > 0
    return mu[keep], np.asarray(d.y, dtype=float)[keep], prior[keep]


def _wilson(events: np.ndarray, n: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    r"""Wilson score interval of ``events / n`` (counts may be fractional with weights):
    :math:`\frac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}`.

    Mathematically the interval contains :math:`\hat p` and its lower end is 0 at
    :math:`\hat p = 0` (upper end 1 at :math:`\hat p = 1`); rounding can break both by an ulp,
    so the ends are clipped to :math:`[0, \hat p]` and :math:`[\hat p, 1]`.
    """
    z = normal_quantile(alpha)
    p = events / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lower = np.where(events <= 0, 0.0, np.clip(centre - half, 0.0, p))
    upper = np.where(events >= n, 1.0, np.clip(centre + half, p, 1.0))
    return lower, upper


def calibration_table(res, bins: int = 10, strategy: str = "quantile", alpha: float = 0.05) -> pd.DataFrame:
    """Observed event rate against mean predicted probability in bins of the prediction.

    Parameters
    ----------
    res : BinaryResults
    bins : int
        Number of bins.
    strategy : {"quantile", "uniform"}
        Bins holding equal numbers of observations (deciles of risk, as Hosmer and Lemeshow), or
        of equal width on [0, 1].
    alpha : float
        1 - confidence level of the Wilson intervals of the observed rates.

    Returns
    -------
    DataFrame
        One row per non-empty bin: ``predicted`` (mean predicted probability), ``observed``
        (event rate), ``n`` (observations, counting weights and trials), ``lower``, ``upper``.
    """
    if strategy not in ("quantile", "uniform"):
        raise SpecificationError(f"strategy={strategy!r}: use 'quantile' or 'uniform'")
    if int(bins) < 1:
        raise SpecificationError("bins must be a positive integer")
    mu, y, prior = _rows(res)
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, int(bins) + 1)
        idx = np.clip(np.searchsorted(edges, mu, side="right") - 1, 0, int(bins) - 1)
    else:
        order = np.argsort(mu, kind="stable")
        cum = np.cumsum(prior[order])
        pos = (cum - prior[order] / 2) / cum[-1]
        idx = np.empty(len(mu), dtype=int)
        idx[order] = np.minimum((pos * int(bins)).astype(int), int(bins) - 1)
    frame = pd.DataFrame({"bin": idx, "wp": prior * mu, "wy": prior * y, "n": prior})
    g = frame.groupby("bin").sum()
    lower, upper = _wilson(g["wy"].to_numpy(), g["n"].to_numpy(), alpha)
    return pd.DataFrame({"predicted": g["wp"] / g["n"], "observed": g["wy"] / g["n"], "n": g["n"],
                         "lower": lower, "upper": upper}).reset_index(drop=True)


def calibration_plot(res, bins: int = 10, strategy: str = "quantile", alpha: float = 0.05, ax=None):
    """Reliability (calibration) diagram: observed event rate against predicted probability.

    Points on the diagonal mean the predicted probabilities are right on average in that bin;
    bars are Wilson intervals of the observed rate.  With no ``ax``, a histogram of the predicted
    probabilities is drawn underneath.  See :func:`calibration_table` for the parameters.

    Returns
    -------
    matplotlib.figure.Figure
    """
    table = calibration_table(res, bins, strategy, alpha)
    if ax is None:
        plt = _pyplot()
        fig, (ax, hax) = plt.subplots(2, 1, figsize=(6, 6.6), sharex=True, layout="constrained",
                                      gridspec_kw={"height_ratios": [4, 1]})
    else:
        fig, hax = ax.figure, None
    ax.plot([0, 1], [0, 1], ls="--", color="0.5", lw=1, label="perfect calibration")
    yerr = np.clip(np.vstack([table["observed"] - table["lower"],
                              table["upper"] - table["observed"]]), 0.0, None)
    ax.errorbar(table["predicted"], table["observed"], yerr=yerr, fmt="o-", color="C0", capsize=3,
                label=f"observed ({100 * (1 - alpha):g}% CI)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("observed event rate")
    _set_title(ax, f"Calibration: {res.design.event}", f"{len(table)} {strategy} bins")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    if hax is not None:
        mu, _, prior = _rows(res)
        hax.hist(mu, bins=40, range=(0, 1), weights=prior, color="C0", alpha=0.6)
        hax.set_xlabel("predicted probability")
        hax.set_ylabel("count")
    else:
        ax.set_xlabel("predicted probability")
    return fig


# --------------------------------------------------------------------------- ROC


def roc_curve(res) -> tuple[pd.DataFrame, float]:
    """ROC curve of the fitted probabilities and the area under it.

    Grouped rows count their successes as positives and their failures as negatives, and
    frequency weights count as repeated rows.

    Returns
    -------
    curve : DataFrame
        ``threshold``, ``fpr`` (1 - specificity), ``tpr`` (sensitivity), from (0, 0) to (1, 1).
    auc : float
        Area under the curve: the probability that a random event gets a higher predicted
        probability than a random non-event (ties count one half), the C statistic.
    """
    mu, y, prior = _rows(res)
    pos, neg = prior * y, prior * (1 - y)
    order = np.argsort(-mu, kind="stable")
    mu_s, pos_s, neg_s = mu[order], pos[order], neg[order]
    last = np.r_[np.diff(mu_s) != 0, True]  # last row of each block of tied predictions
    tp = np.cumsum(pos_s)[last]
    fp = np.cumsum(neg_s)[last]
    tpr = np.r_[0.0, tp / tp[-1]]
    fpr = np.r_[0.0, fp / fp[-1]]
    thr = np.r_[np.inf, mu_s[last]]
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    return pd.DataFrame({"threshold": thr, "fpr": fpr, "tpr": tpr}), auc


def roc_plot(res, ax=None):
    """ROC curve (sensitivity against 1 - specificity) with the AUC in the legend.

    Returns
    -------
    matplotlib.figure.Figure
    """
    curve, auc = roc_curve(res)
    fig, ax = _figure_and_axes(ax, (5.5, 5.5))
    ax.plot(curve["fpr"], curve["tpr"], color="C0", lw=2, label=f"model (AUC = {auc:.3f})")
    ax.plot([0, 1], [0, 1], ls="--", color="0.5", lw=1, label="chance (AUC = 0.5)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.01)
    ax.set_aspect("equal")
    ax.set_xlabel("1 - specificity (false-positive rate)")
    ax.set_ylabel("sensitivity (true-positive rate)")
    _set_title(ax, f"ROC curve: {res.design.event}")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return fig


# --------------------------------------------------------------------------- predicted probability


def _reference_value(col: pd.Series) -> Any:
    """Mean of a numeric column, reference (first) level of anything else."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.categories[0]
    if pd.api.types.is_bool_dtype(col):
        return False
    if pd.api.types.is_numeric_dtype(col):
        return float(col.mean())
    values = col.dropna().unique().tolist()
    return sorted(values, key=str)[0] if values else np.nan


def _levels(col: pd.Series) -> list:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    if pd.api.types.is_bool_dtype(col):
        return [False, True]
    return sorted(col.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))


def _is_categorical(col: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)


def prediction_grid(res, x: str, data: pd.DataFrame, by: str | None = None, at: dict | None = None,
                    n_points: int = 100) -> pd.DataFrame:
    """New data varying ``x`` (and ``by``) with every other column held fixed.

    Numeric columns are held at their mean over the rows used in the fit, others at their
    reference (first) level; ``at={"col": value}`` overrides.  A numeric ``x`` runs over
    ``n_points`` values from its minimum to its maximum, a categorical one over its levels.
    """
    if not isinstance(data, pd.DataFrame):
        raise DataError("data must be the DataFrame the model was fitted to")
    for name in [x] + ([by] if by else []):
        if name not in data.columns:
            raise DataError(f"column {name!r} is not in the data; columns are: "
                            f"{', '.join(map(str, data.columns))}")
    labels = res.design.row_labels
    used = data.loc[labels] if labels is not None and len(labels) else data
    base = {c: _reference_value(used[c]) for c in used.columns}
    for key, value in (at or {}).items():
        if key not in used.columns:
            raise DataError(f"at={{{key!r}: ...}}: {key!r} is not a column of the data")
        base[key] = value
    col = used[x]
    xs = _levels(col) if _is_categorical(col) else np.linspace(col.min(), col.max(), int(n_points))
    groups = _levels(used[by]) if by else [None]
    frames = []
    for g in groups:
        frame = pd.DataFrame({c: [v] * len(xs) for c, v in base.items() if c != x})
        frame[x] = list(xs)
        if by:
            frame[by] = [g] * len(xs)
        frames.append(frame)
    grid = pd.concat(frames, ignore_index=True)
    for c in used.columns:  # keep categorical dtypes so patsy sees the same levels
        if isinstance(used[c].dtype, pd.CategoricalDtype):
            grid[c] = pd.Categorical(grid[c], categories=used[c].cat.categories)
    return grid[list(used.columns)]


def _covariates(res, columns) -> list:
    """The columns the model's right-hand side uses (all of them when that is unknown)."""
    import re

    info = getattr(res.design, "design_info", None)
    if info is None:
        return list(columns)
    codes = [f.code for term in info.terms for f in term.factors]
    return [c for c in columns
            if any(re.search(rf"(?<![\w.]){re.escape(str(c))}(?![\w.])", code) for code in codes)]


def predicted_probability_plot(res, x: str, data: pd.DataFrame | None = None, by: str | None = None,
                               at: dict | None = None, alpha: float = 0.05, n_points: int = 100,
                               ax=None):
    """Predicted probability against one covariate with a pointwise confidence band.

    Other columns are held at their means (numeric) or reference levels (categorical); see
    :func:`prediction_grid`.  The band is the Wald interval of the linear predictor mapped through
    the inverse link (``res.get_prediction(grid).summary_frame(alpha)``), so it stays in [0, 1].

    Parameters
    ----------
    res : BinaryResults
    x : str
        The column on the horizontal axis.
    data : DataFrame
        The data the model was fitted to (needed to build new rows).
    by : str, optional
        A column whose levels get one curve each.
    at : dict, optional
        Values at which to hold other columns instead of their means or reference levels.
    alpha, n_points, ax
        1 - confidence level, grid size for a numeric ``x``, axes to draw on.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if data is None:
        data = getattr(res, "data", None)
        if data is None:
            raise DataError("pass data=, the DataFrame the model was fitted to")
    grid = prediction_grid(res, x, data, by=by, at=at, n_points=n_points)
    frame = res.get_prediction(grid).summary_frame(alpha)
    fig, ax = _figure_and_axes(ax, (7, 4.8))
    groups = _levels(grid[by]) if by else [None]
    categorical = _is_categorical(grid[x])
    for k, g in enumerate(groups):
        rows = np.ones(len(grid), dtype=bool) if g is None else (grid[by] == g).to_numpy()
        sub, xs = frame[rows], grid.loc[rows, x]
        label = None if g is None else f"{by} = {g}"
        if categorical:
            pos = np.arange(len(xs)) + (k - (len(groups) - 1) / 2) * 0.12
            yerr = np.vstack([sub["mean"] - sub["mean_ci_lower"], sub["mean_ci_upper"] - sub["mean"]])
            ax.errorbar(pos, sub["mean"], yerr=yerr, fmt="o", capsize=4, color=f"C{k}", label=label)
        else:
            ax.plot(xs, sub["mean"], color=f"C{k}", lw=2, label=label)
            ax.fill_between(xs, sub["mean_ci_lower"], sub["mean_ci_upper"], color=f"C{k}", alpha=0.2)
    if categorical:
        levels = _levels(grid[x])
        ax.set_xticks(np.arange(len(levels)), labels=[str(v) for v in levels])
        ax.set_xlim(-0.6, len(levels) - 0.4)
    ax.set_ylim(0, 1)
    ax.set_xlabel(x)
    ax.set_ylabel(f"P({res.design.event})")
    held = [c for c in _covariates(res, grid.columns) if c not in (x, by)]
    _set_title(ax, f"Predicted probability with {100 * (1 - alpha):g}% CI",
               "other variables at means / reference levels" if held else None)
    if by:
        ax.legend()
    ax.grid(alpha=0.3)
    return fig


# --------------------------------------------------------------------------- influence


def influence_measures(res) -> pd.DataFrame:
    """Hat values, standardized deviance residuals and Cook's distances of the rows used in the
    fit, as R's ``hatvalues``, ``rstandard`` and ``cooks.distance`` on a glm (dispersion 1; see
    :mod:`logitstat.inference.influence`), from the Fisher information at the estimate.

    Returns
    -------
    DataFrame
        ``hat``, ``std_resid``, ``cooks_d``, indexed by row; rows of zero weight or trials left out.
    """
    d = res.design
    infl = res.get_influence()
    frame = pd.DataFrame({"hat": infl.hat, "std_resid": np.asarray(infl.resid_std_deviance),
                          "cooks_d": np.asarray(infl.cooks_distance)},
                         index=d.row_labels if d.row_labels is not None else pd.RangeIndex(len(d.y)))
    return frame[d.weights * d.trials > 0]


def influence_plot(res, n_labels: int = 3, ax=None, measure: str = "cooks_d", terms=None):
    """Influence plot: hat values against standardized residuals, bubble area by Cook's distance.

    Dotted lines mark residuals of ±2 and hat values of 2p/n and 3p/n; the ``n_labels`` rows with
    the largest Cook's distances are labelled with their row labels.  ``measure="dfbetas"``
    (a panel per coefficient, or per one of ``terms``), ``"dffits"`` or ``"cov_ratio"`` draws an
    index plot of that measure instead (see :mod:`logitstat.report.influenceplot`).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if measure != "cooks_d":
        from .influenceplot import influence_index_plot

        return influence_index_plot(res, measure, terms=terms, n_labels=n_labels, ax=ax)
    table = influence_measures(res).replace([np.inf, -np.inf], np.nan).dropna()
    if table.empty:
        raise DataError("no finite influence measures to plot (are all hat values 1?)")
    fig, ax = _figure_and_axes(ax, (7, 5))
    cmax = max(float(table["cooks_d"].max()), 1e-12)
    size = 15 + 800 * table["cooks_d"] / cmax
    ax.scatter(table["hat"], table["std_resid"], s=size, alpha=0.45, color="C0", edgecolor="C0")
    p, n = len(res.names), float(np.sum(res.design.weights))
    for k in (2, 3):
        if k * p / n < 1:
            ax.axvline(k * p / n, ls=":", color="0.4", lw=1)
            ax.annotate(f" {k}p/n", xy=(k * p / n, 0.0), xycoords=("data", "axes fraction"),
                        ha="left", va="bottom", fontsize=8, color="0.3")
    for level in (-2, 2):
        ax.axhline(level, ls=":", color="0.4", lw=1)
    ax.axhline(0, color="0.7", lw=0.8)
    ax.margins(x=0.06, y=0.1)
    top = table.nlargest(int(n_labels), "cooks_d") if n_labels else table.iloc[:0]
    for label, row in top.iterrows():
        ax.annotate(str(label), (row["hat"], row["std_resid"]), xytext=(5, 5),
                    textcoords="offset points", fontsize=9)
    ax.set_xlabel("hat value (leverage)")
    ax.set_ylabel("standardized deviance residual")
    _set_title(ax, "Influence: bubble area ∝ Cook's distance",
               f"largest Cook's distance {_number(cmax)}")
    ax.grid(alpha=0.3)
    return fig
