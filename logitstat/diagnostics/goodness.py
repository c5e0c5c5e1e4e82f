r"""Goodness of fit, discrimination and calibration of a fitted binary model, from arrays.

Every function takes the event proportions ``y`` (0/1 for Bernoulli rows, successes/trials for
grouped rows), the fitted probabilities ``mu`` and optionally ``trials`` and frequency
``weights``; a row then stands for :math:`n_i = w_i m_i` Bernoulli trials of which
:math:`n_i y_i` are events.  Rows with :math:`n_i = 0` are ignored.

* Hosmer–Lemeshow: rows are cut into groups at the quantiles of ``mu`` (as
  ``ResourceSelection::hoslem.test``) and
  :math:`C = \sum_{g}\sum_{k\in\{0,1\}} (O_{gk}-E_{gk})^2/E_{gk}` on :math:`G-2` df.
* Pearson :math:`X^2 = \sum n_i (y_i-\mu_i)^2/(\mu_i(1-\mu_i))` and the deviance
  :math:`D = 2\sum n_i [y_i\log(y_i/\mu_i) + (1-y_i)\log((1-y_i)/(1-\mu_i))]` against
  :math:`\chi^2_{n-p}` (meaningful for grouped data with large :math:`m_i`).
* AUC: the Mann–Whitney probability :math:`P(\mu_+ > \mu_-) + \tfrac12 P(\mu_+ = \mu_-)`.
* Brier score :math:`B = \frac1N\sum (f-o)^2` with, for bins :math:`k` of the forecasts,
  Murphy's calibration–refinement decomposition extended to binned forecasts
  (Stephenson et al. 2008):
  :math:`B = \mathrm{CAL} + \mathrm{REF} + \mathrm{WBV} - 2\,\mathrm{WBC}`, where
  :math:`\mathrm{CAL} = \frac1N\sum_k n_k(\bar f_k-\bar o_k)^2`,
  :math:`\mathrm{REF} = \frac1N\sum_k n_k\bar o_k(1-\bar o_k) = \mathrm{UNC}-\mathrm{RES}`,
  and WBV, WBC are the within-bin variance of the forecasts and their covariance with the
  outcomes (both 0 when forecasts are constant within bins).
* Expected calibration error :math:`\frac1N\sum_k n_k|\bar o_k - \bar f_k|` and the
  reliability table, over ``bins`` equal-width bins of :math:`[0, 1]`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from ..common.checks import real_number
from ..common.displays import Display, Displayable, number, pvalue

__all__ = ["HosmerLemeshow", "ChiSquareTest", "ClassificationTable", "BrierScore",
           "GoodnessOfFit", "hosmer_lemeshow", "pearson_test", "deviance_test",
           "classification_table", "auc", "brier_score", "reliability_table",
           "expected_calibration_error", "goodness_of_fit"]


def _prepare(y, mu, trials=None, weights=None):
    """Flattened ``y``, ``mu`` and trial counts ``n = w m``, zero-count rows removed."""
    y = np.asarray(y, dtype=float).reshape(-1)
    mu = np.asarray(mu, dtype=float).reshape(-1)
    n = np.ones_like(y)
    if trials is not None:
        n = n * np.asarray(trials, dtype=float).reshape(-1)
    if weights is not None:
        n = n * np.asarray(weights, dtype=float).reshape(-1)
    if not (y.shape == mu.shape == n.shape):
        raise ValueError("y, mu, trials and weights must have the same length")
    keep = n > 0
    return y[keep], mu[keep], n[keep]


@dataclass(frozen=True, eq=False, repr=False)
class HosmerLemeshow(Displayable):
    """Hosmer–Lemeshow test: ``statistic`` on ``df`` degrees of freedom, ``pvalue``, and the
    group ``table`` (interval of fitted probabilities, size, observed and expected counts)."""

    statistic: float
    df: int
    pvalue: float
    table: pd.DataFrame

    def __str__(self) -> str:
        return (f"Hosmer-Lemeshow: chi2 = {self.statistic:.4f}, df = {self.df}, "
                f"p = {self.pvalue:.4g} ({len(self.table)} groups)")

    def _display(self) -> Display:
        return Display("Hosmer-Lemeshow test", [
            ("chi2", f"{self.statistic:.4f}"), ("df", self.df), ("p-value", pvalue(self.pvalue)),
            ("groups", len(self.table))], tables=[("Groups", self.table)], hint="(.table)")


@dataclass(frozen=True, eq=False, repr=False)
class ChiSquareTest(Displayable):
    """A goodness-of-fit statistic referred to a chi-squared distribution."""

    name: str
    statistic: float
    df: float
    pvalue: float

    def __str__(self) -> str:
        return f"{self.name}: chi2 = {self.statistic:.4f}, df = {self.df:g}, p = {self.pvalue:.4g}"

    def _display(self) -> Display:
        return Display(f"{self.name} goodness-of-fit test", [
            ("chi2", f"{self.statistic:.4f}"), ("df", number(self.df)), ("p-value", pvalue(self.pvalue))])


def hosmer_lemeshow(y, mu, g: int = 10, trials=None, weights=None) -> HosmerLemeshow:
    """Hosmer–Lemeshow test with its group table (as ``ResourceSelection::hoslem.test``).

    Groups are ``cut(mu, breaks = unique(quantile(mu, seq(0, 1, 1/g))), include.lowest =
    TRUE)``: intervals closed on the right, the first also on the left, at R's default (type 7)
    quantiles of the rows' fitted probabilities.  The degrees of freedom are ``g - 2`` as in
    ``hoslem.test``, even when tied quantiles leave fewer groups; empty groups are left out.

    Parameters
    ----------
    y, mu : array_like
        Event proportions and fitted probabilities per row.
    g : int
        Number of groups asked for.
    trials, weights : array_like, optional
        Binomial trials and frequency weights: a row counts ``weights * trials`` times.
    """
    if g < 3:
        raise ValueError("the Hosmer-Lemeshow test needs g >= 3 groups")
    y, mu, n = _prepare(y, mu, trials, weights)
    breaks = np.unique(np.quantile(mu, np.linspace(0.0, 1.0, g + 1)))
    if breaks.size < 2:
        breaks = np.array([breaks[0], breaks[0]])
    group = np.clip(np.searchsorted(breaks, mu, side="left") - 1, 0, breaks.size - 2)
    k = breaks.size - 1
    size = np.bincount(group, weights=n, minlength=k)
    obs1 = np.bincount(group, weights=n * y, minlength=k)
    exp1 = np.bincount(group, weights=n * mu, minlength=k)
    used = size > 0
    obs0, exp0 = size - obs1, size - exp1
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (obs0 - exp0) ** 2 / exp0 + (obs1 - exp1) ** 2 / exp1
    stat = float(np.sum(terms[used]))
    df = g - 2
    labels = [("[" if i == 0 else "(") + f"{breaks[i]:.4g}, {breaks[i + 1]:.4g}]" for i in range(k)]
    table = pd.DataFrame({"lower": breaks[:-1], "upper": breaks[1:], "n": size,
                          "observed_0": obs0, "observed_1": obs1, "expected_0": exp0,
                          "expected_1": exp1}, index=pd.Index(labels, name="group"))[used]
    return HosmerLemeshow(stat, df, float(stats.chi2.sf(stat, df)), table)


def pearson_test(y, mu, n_params: int, trials=None, weights=None) -> ChiSquareTest:
    r"""Pearson :math:`X^2 = \sum_i n_i (y_i-\mu_i)^2/(\mu_i(1-\mu_i))` on ``rows - n_params`` df.

    Meaningful for grouped data with enough trials per row; for Bernoulli rows the reference
    distribution is not chi-squared.
    """
    y, mu, n = _prepare(y, mu, trials, weights)
    stat = float(np.sum(n * (y - mu) ** 2 / (mu * (1.0 - mu))))
    df = y.size - n_params
    return ChiSquareTest("Pearson", stat, df, float(stats.chi2.sf(stat, df)))


def deviance_test(y, mu, n_params: int, trials=None, weights=None) -> ChiSquareTest:
    r"""Deviance :math:`D = 2\sum_i n_i[y_i\log(y_i/\mu_i)+(1-y_i)\log((1-y_i)/(1-\mu_i))]`
    against :math:`\chi^2` on ``rows - n_params`` df (grouped data)."""
    y, mu, n = _prepare(y, mu, trials, weights)
    dev = 2.0 * np.sum(n * (special.xlogy(y, y) - special.xlogy(y, mu)
                            + special.xlogy(1.0 - y, 1.0 - y) - special.xlogy(1.0 - y, 1.0 - mu)))
    df = y.size - n_params
    return ChiSquareTest("Deviance", float(dev), df, float(stats.chi2.sf(dev, df)))


def _rate(count: float, total: float) -> float:
    """``count / total``, NaN when ``total`` is zero."""
    return count / total if total else float("nan")


@dataclass(frozen=True, eq=False, repr=False)
class ClassificationTable(Displayable):
    """Counts of a classification at ``threshold`` (predicted event when ``mu >= threshold``)."""

    threshold: float
    tp: float
    fp: float
    tn: float
    fn: float

    @property
    def sensitivity(self) -> float:
        """True-positive rate TP/(TP+FN)."""
        return _rate(self.tp, self.tp + self.fn)

    @property
    def specificity(self) -> float:
        """True-negative rate TN/(TN+FP)."""
        return _rate(self.tn, self.tn + self.fp)

    @property
    def accuracy(self) -> float:
        """(TP+TN)/N."""
        return (self.tp + self.tn) / (self.tp + self.tn + self.fp + self.fn)

    @property
    def ppv(self) -> float:
        """Positive predictive value TP/(TP+FP)."""
        return _rate(self.tp, self.tp + self.fp)

    @property
    def npv(self) -> float:
        """Negative predictive value TN/(TN+FN)."""
        return _rate(self.tn, self.tn + self.fn)

    def to_frame(self) -> pd.DataFrame:
        """The 2x2 table: rows observed 0/1, columns predicted 0/1."""
        return pd.DataFrame([[self.tn, self.fp], [self.fn, self.tp]],
                            index=pd.Index([0, 1], name="observed"),
                            columns=pd.Index([0, 1], name="predicted"))

    def __str__(self) -> str:
        return (f"threshold {self.threshold:g}: accuracy {self.accuracy:.4f}, sensitivity "
                f"{self.sensitivity:.4f}, specificity {self.specificity:.4f}\n"
                f"{self.to_frame().to_string()}")

    def _display(self) -> Display:
        return Display(f"Classification at threshold {self.threshold:g}", [
            ("accuracy", f"{self.accuracy:.4f}"), ("sensitivity", f"{self.sensitivity:.4f}"),
            ("specificity", f"{self.specificity:.4f}"), ("PPV", f"{self.ppv:.4f}"),
            ("NPV", f"{self.npv:.4f}")], tables=[("Counts", self.to_frame())])


def classification_table(y, mu, threshold: float = 0.5, trials=None,
                         weights=None) -> ClassificationTable:
    """Classification counts when an event is predicted for ``mu >= threshold``."""
    threshold = real_number(threshold, "threshold", low=0.0, high=1.0,
                            hint="an event is predicted when the probability is >= threshold")
    y, mu, n = _prepare(y, mu, trials, weights)
    pred = mu >= threshold
    ev, non = n * y, n * (1.0 - y)
    return ClassificationTable(float(threshold), float(ev[pred].sum()), float(non[pred].sum()),
                               float(non[~pred].sum()), float(ev[~pred].sum()))


def auc(y, mu, trials=None, weights=None) -> float:
    r"""Area under the ROC curve, the Mann–Whitney probability with ties counted one half.

    .. math:: \mathrm{AUC} = \frac{1}{N_+N_-}\sum_{s}N_+(s)\,[N_-(<s) + \tfrac12 N_-(s)]

    over the distinct fitted values :math:`s`; equals ``pROC::auc`` and
    ``wilcox.test(...)$statistic / (n1 * n0)``.
    """
    y, mu, n = _prepare(y, mu, trials, weights)
    values, inv = np.unique(mu, return_inverse=True)
    pos = np.bincount(inv, weights=n * y, minlength=values.size)
    neg = np.bincount(inv, weights=n * (1.0 - y), minlength=values.size)
    below = np.cumsum(neg) - neg
    total = pos.sum() * neg.sum()
    if total == 0:
        return float("nan")
    return float(np.sum(pos * (below + 0.5 * neg)) / total)


def _bins(mu: np.ndarray, bins: int) -> np.ndarray:
    return np.minimum(np.floor(mu * bins), bins - 1).astype(int)


def reliability_table(y, mu, bins: int = 10, trials=None, weights=None) -> pd.DataFrame:
    """Observed event rate against mean fitted probability in equal-width bins of [0, 1].

    Bin ``k`` holds ``k/bins <= mu < (k+1)/bins`` (the last bin includes 1).  Returns the
    non-empty bins with ``lower``, ``upper``, ``n`` (trials), ``mean_predicted``,
    ``observed_rate`` and ``gap`` (observed minus predicted).
    """
    y, mu, n = _prepare(y, mu, trials, weights)
    k = _bins(mu, bins)
    size = np.bincount(k, weights=n, minlength=bins)
    f = np.bincount(k, weights=n * mu, minlength=bins)
    o = np.bincount(k, weights=n * y, minlength=bins)
    used = size > 0
    idx = np.flatnonzero(used)
    table = pd.DataFrame({"lower": idx / bins, "upper": (idx + 1) / bins, "n": size[used],
                          "mean_predicted": f[used] / size[used],
                          "observed_rate": o[used] / size[used]},
                         index=pd.Index(idx, name="bin"))
    table["gap"] = table["observed_rate"] - table["mean_predicted"]
    return table


def expected_calibration_error(y, mu, bins: int = 10, trials=None, weights=None) -> float:
    r"""Expected calibration error :math:`\sum_k (n_k/N)\,|\bar o_k - \bar f_k|` over
    equal-width bins."""
    tab = reliability_table(y, mu, bins, trials, weights)
    return float(np.sum(tab["n"] * tab["gap"].abs()) / tab["n"].sum())


@dataclass(frozen=True, eq=False, repr=False)
class BrierScore(Displayable):
    """Brier score and its decomposition over forecast bins (see the module notes).

    ``brier == calibration + refinement + within_variance - 2 * within_covariance`` and
    ``refinement == uncertainty - resolution`` hold exactly.
    """

    brier: float
    calibration: float
    refinement: float
    resolution: float
    uncertainty: float
    within_variance: float
    within_covariance: float
    bins: int

    def __str__(self) -> str:
        return (f"Brier score {self.brier:.5f} = calibration {self.calibration:.5f} + "
                f"refinement {self.refinement:.5f} + within-bin "
                f"{self.within_variance - 2 * self.within_covariance:.5f} "
                f"(uncertainty {self.uncertainty:.5f}, resolution {self.resolution:.5f})")

    def _display(self) -> Display:
        return Display(f"Brier score ({self.bins} bins)", [
            (label, f"{value:.5f}") for label, value in (
                ("score", self.brier), ("calibration", self.calibration),
                ("refinement", self.refinement),
                ("within-bin", self.within_variance - 2 * self.within_covariance),
                ("uncertainty", self.uncertainty), ("resolution", self.resolution))])


def brier_score(y, mu, bins: int = 10, trials=None, weights=None) -> BrierScore:
    """Brier score with Murphy's calibration–refinement decomposition over ``bins`` bins."""
    y, mu, n = _prepare(y, mu, trials, weights)
    N = n.sum()
    k = _bins(mu, bins)
    size = np.bincount(k, weights=n, minlength=bins)
    used = size > 0
    safe = np.where(used, size, 1.0)
    fbar = np.bincount(k, weights=n * mu, minlength=bins) / safe
    obar = np.bincount(k, weights=n * y, minlength=bins) / safe
    ybar = float(np.sum(n * y) / N)
    brier = float(np.sum(n * (y * (1.0 - mu) ** 2 + (1.0 - y) * mu ** 2)) / N)
    cal = float(np.sum(size * (fbar - obar) ** 2) / N)
    ref = float(np.sum(size * obar * (1.0 - obar)) / N)
    res = float(np.sum(size * (obar - ybar) ** 2) / N)
    wbv = float(np.sum(n * (mu - fbar[k]) ** 2) / N)
    wbc = float(np.sum(n * (mu - fbar[k]) * (y - obar[k])) / N)
    return BrierScore(brier, cal, ref, res, ybar * (1.0 - ybar), wbv, wbc, bins)


@dataclass(frozen=True, eq=False, repr=False)
class GoodnessOfFit(Displayable):
    """Everything :func:`goodness_of_fit` computes, with a readable ``str``."""

    hosmer_lemeshow: HosmerLemeshow
    pearson: ChiSquareTest
    deviance: ChiSquareTest
    grouped: bool
    classification: ClassificationTable
    auc: float
    brier: BrierScore
    ece: float
    reliability: pd.DataFrame

    def __str__(self) -> str:
        lines = ["Goodness of fit", str(self.hosmer_lemeshow)]
        note = "" if self.grouped else " (Bernoulli rows: not chi-squared, for reference only)"
        lines += [str(self.pearson) + note, str(self.deviance) + note,
                  f"AUC (ROC) = {self.auc:.4f}", str(self.brier),
                  f"Expected calibration error = {self.ece:.5f}",
                  "Classification " + str(self.classification),
                  "Reliability by bins:", self.reliability.to_string()]
        return "\n".join(lines)

    def _display(self) -> Display:
        hl, c = self.hosmer_lemeshow, self.classification
        note = [] if self.grouped else ["Pearson and deviance tests of Bernoulli (0/1) rows are not "
                                        "chi-squared: for reference only."]
        return Display("Goodness of fit", [
            ("Hosmer-Lemeshow", f"chi2 = {hl.statistic:.4f}, df = {hl.df}, p = {pvalue(hl.pvalue)}"),
            *[(t.name, f"chi2 = {t.statistic:.4f}, df = {number(t.df)}, p = {pvalue(t.pvalue)}")
              for t in (self.pearson, self.deviance)],
            ("AUC (ROC)", f"{self.auc:.4f}"), ("Brier score", f"{self.brier.brier:.5f}"),
            ("calibration error", f"{self.ece:.5f} (expected, {self.brier.bins} bins)"),
            (f"at threshold {c.threshold:g}", f"accuracy {c.accuracy:.4f}, sensitivity "
             f"{c.sensitivity:.4f}, specificity {c.specificity:.4f}")], note,
            tables=[("Reliability by bins", self.reliability)],
            hint="(.hosmer_lemeshow, .classification, .brier, .reliability for the details)")


def goodness_of_fit(y, mu, n_params: int, trials=None, weights=None, g: int = 10,
                    threshold: float = 0.5, bins: int = 10) -> GoodnessOfFit:
    """All of the above for one fit (``n_params`` = number of estimated coefficients)."""
    grouped = trials is not None and bool(np.any(np.asarray(trials, dtype=float) != 1))
    return GoodnessOfFit(
        hosmer_lemeshow(y, mu, g, trials, weights), pearson_test(y, mu, n_params, trials, weights),
        deviance_test(y, mu, n_params, trials, weights), grouped,
        classification_table(y, mu, threshold, trials, weights), auc(y, mu, trials, weights),
        brier_score(y, mu, bins, trials, weights),
        expected_calibration_error(y, mu, bins, trials, weights),
        reliability_table(y, mu, bins, trials, weights))
