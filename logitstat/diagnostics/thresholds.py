r"""Decision thresholds for predicted probabilities: precision–recall curve, AUPRC, choosers.

A row is predicted positive when :math:`\hat p_i \ge t`.  At each distinct predicted value
:math:`t_1 > t_2 > \dots`, with weights :math:`w_i` (a proportion :math:`y_i` of events
counts :math:`w_i y_i` positives and :math:`w_i(1-y_i)` negatives),

.. math::

    TP(t) = \sum_{\hat p_i \ge t} w_i y_i, \quad FP(t) = \sum_{\hat p_i \ge t} w_i (1-y_i),\quad
    P(t) = \frac{TP}{TP+FP}, \quad R(t) = \frac{TP}{\sum_i w_i y_i}, \quad
    F_1 = \frac{2PR}{P+R}.

The area under the precision–recall curve is the *average precision* as scikit-learn defines
it (no interpolation):

.. math:: \mathrm{AP} = \sum_n (R_n - R_{n-1})\, P_n, \qquad R_0 = 0,

over the thresholds in decreasing order.  :func:`choose_threshold` picks the threshold that
maximizes :math:`F_1`, reaches a target precision with the largest recall, reaches a target
recall with the largest precision, or minimizes the cost :math:`c\,FP + FN` for a cost ratio
:math:`c = C_{FP}/C_{FN}` (for calibrated probabilities the Bayes rule is
:math:`t = c/(1+c)`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..common.checks import real_number
from ..common.displays import Display, Displayable
from ..errors import DataError, SpecificationError

__all__ = ["precision_recall_curve", "average_precision", "choose_threshold", "ThresholdChoice"]

TARGETS = ("f1", "precision", "recall", "cost")


def _inputs(y_true, prob, sample_weight) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcomes, probabilities and weights, from arrays or from a fitted binary results object."""
    if prob is None and hasattr(y_true, "design") and hasattr(y_true, "fittedvalues"):
        res = y_true
        d = res.design
        if getattr(d, "y", None) is None or not isinstance(res.fittedvalues, pd.Series):
            raise SpecificationError("choose_threshold needs a binary fit (or y_true and p)")
        freq = getattr(res, "freq_weights", d.weights)
        return d.y.astype(float), res.fittedvalues.to_numpy(dtype=float), freq * d.trials
    if prob is None:
        raise SpecificationError("give y_true and the predicted probabilities p (or a fitted model)")
    y = np.asarray(y_true.to_numpy() if isinstance(y_true, pd.Series) else y_true)
    if y.dtype == bool:
        y = y.astype(float)
    try:
        y = y.astype(float)
    except (TypeError, ValueError):
        raise DataError("y_true must be 0/1 (or bool, or proportions in [0, 1])") from None
    p = np.asarray(prob, dtype=float).ravel()
    y = y.ravel()
    if y.shape != p.shape:
        raise DataError(f"y_true has {y.size} values but p has {p.size}")
    w = np.ones_like(p) if sample_weight is None else np.asarray(sample_weight, dtype=float).ravel()
    if w.shape != p.shape:
        raise DataError(f"sample_weight has {w.size} values; y_true has {y.size}")
    ok = np.isfinite(y) & np.isfinite(p) & np.isfinite(w)
    if not ok.all():
        raise DataError(f"{int((~ok).sum())} rows of y_true, p or sample_weight are missing or "
                        "infinite; drop them first")
    if np.any((y < 0) | (y > 1)) or np.any(w < 0):
        raise DataError("y_true must lie in [0, 1] (0/1 outcomes or proportions) and weights be >= 0")
    return y, p, w


def _counts(y, p, w) -> pd.DataFrame:
    order = np.argsort(-p, kind="mergesort")
    ps, pos, neg = p[order], (w * y)[order], (w * (1.0 - y))[order]
    last = np.r_[np.flatnonzero(np.diff(ps) != 0), ps.size - 1]   # end of each tie block
    tp = np.cumsum(pos)[last]
    fp = np.cumsum(neg)[last]
    P, N = pos.sum(), neg.sum()
    if P <= 0:
        raise DataError("y_true has no positive outcomes: precision and recall are undefined")
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / np.where(tp + fp > 0, tp + fp, 1.0), 1.0)
    recall = tp / P
    denom = precision + recall
    f1 = np.where(denom > 0, 2 * precision * recall / np.where(denom > 0, denom, 1.0), 0.0)
    return pd.DataFrame({"threshold": ps[last], "precision": precision, "recall": recall,
                         "f1": f1, "tp": tp, "fp": fp, "fn": P - tp, "tn": N - fp})


def precision_recall_curve(y_true, p=None, sample_weight=None) -> pd.DataFrame:
    """Precision, recall, F1 and the confusion counts at every distinct threshold (decreasing).

    Parameters
    ----------
    y_true : array-like or fitted binary results
        0/1 outcomes (bool, or proportions with weights); or a fitted model, whose estimation
        rows and fitted probabilities are used (frequency weights count, class weights do not).
    p : array-like
        Predicted probabilities (any score works: only the order matters).
    sample_weight : array-like, optional
    """
    return _counts(*_inputs(y_true, p, sample_weight))


def average_precision(y_true, p=None, sample_weight=None) -> float:
    r"""AUPRC as scikit-learn's ``average_precision_score``: :math:`\sum_n (R_n-R_{n-1})P_n`."""
    curve = precision_recall_curve(y_true, p, sample_weight)
    r = curve["recall"].to_numpy()
    return float(np.sum(np.diff(np.r_[0.0, r]) * curve["precision"].to_numpy()))


@dataclass(frozen=True, repr=False)
class ThresholdChoice(Displayable):
    """The chosen threshold, its operating point, the whole curve and the AUPRC."""

    threshold: float
    target: str
    value: float | None
    precision: float
    recall: float
    f1: float
    tp: float
    fp: float
    fn: float
    tn: float
    auprc: float
    curve: pd.DataFrame

    def __str__(self) -> str:
        v = f"{self.value:g}" if self.value is not None else ""
        goal = {"f1": "maximum F1", "precision": f"precision >= {v} with the largest recall",
                "recall": f"recall >= {v} with the largest precision",
                "cost": f"minimum cost {v}*FP + FN"}[self.target]
        return (f"Threshold {self.threshold:.6g} ({goal}): precision {self.precision:.4f}, "
                f"recall {self.recall:.4f}, F1 {self.f1:.4f}; TP {self.tp:g}, FP {self.fp:g}, "
                f"FN {self.fn:g}, TN {self.tn:g}; AUPRC (average precision) {self.auprc:.4f}")

    def _display(self) -> Display:
        v = f"{self.value:g}" if self.value is not None else ""
        goal = {"f1": "maximum F1", "precision": f"precision >= {v}, largest recall",
                "recall": f"recall >= {v}, largest precision",
                "cost": f"minimum cost {v}*FP + FN"}[self.target]
        counts = pd.DataFrame([[self.tn, self.fp], [self.fn, self.tp]],
                              index=pd.Index([0, 1], name="observed"),
                              columns=pd.Index([0, 1], name="predicted"))
        return Display(f"Threshold {self.threshold:.6g} ({goal})", [
            ("precision", f"{self.precision:.4f}"), ("recall", f"{self.recall:.4f}"),
            ("F1", f"{self.f1:.4f}"), ("AUPRC", f"{self.auprc:.4f} (average precision)"),
            ("curve", f"{len(self.curve)} thresholds (.curve)")], tables=[("Counts", counts)])


def choose_threshold(y_true, p=None, *, target: str = "f1", value: float | None = None,
                     sample_weight=None) -> ThresholdChoice:
    """Choose a probability threshold (predict the event when ``p >= threshold``).

    Parameters
    ----------
    y_true, p, sample_weight
        As for :func:`precision_recall_curve` (``y_true`` may be a fitted binary model).
    target : {"f1", "precision", "recall", "cost"}
        ``"f1"``: maximize F1. ``"precision"``: the lowest threshold whose precision is at least
        ``value`` (largest recall). ``"recall"``: among thresholds with recall at least
        ``value``, the one with the largest precision. ``"cost"``: minimize
        ``value * FP + FN`` (``value`` = cost of a false positive / cost of a false negative);
        predicting no event at all (threshold above every p) is allowed.
    value : float
        The target precision or recall in (0, 1], or the cost ratio (> 0).

    Ties are broken towards the higher threshold.
    """
    if target not in TARGETS:
        raise SpecificationError(f"target={target!r}: choose one of {', '.join(map(repr, TARGETS))}")
    y, prob, w = _inputs(y_true, p, sample_weight)
    curve = _counts(y, prob, w)
    auprc = float(np.sum(np.diff(np.r_[0.0, curve["recall"].to_numpy()]) * curve["precision"].to_numpy()))
    if target == "f1":
        i = int(np.argmax(curve["f1"].to_numpy()))
    elif target in ("precision", "recall"):
        if value is not None:
            value = real_number(value, "value", low=0.0, high=1.0, low_open=True,
                                hint=f"the {target} to reach")
        if value is None:
            raise SpecificationError(f"target={target!r} needs value= in (0, 1] (the {target} to reach)")
        if target == "precision":
            ok = np.flatnonzero(curve["precision"].to_numpy() >= value - 1e-12)
            if ok.size == 0:
                raise SpecificationError(f"no threshold reaches precision {value:g}; the highest is "
                                         f"{curve['precision'].max():.4g}")
            rec = curve["recall"].to_numpy()[ok]
            i = int(ok[np.flatnonzero(rec == rec.max())[0]])
        else:
            ok = np.flatnonzero(curve["recall"].to_numpy() >= value - 1e-12)
            prec = curve["precision"].to_numpy()[ok]
            i = int(ok[np.flatnonzero(prec == prec.max())[0]])
    else:
        if value is not None:
            value = real_number(value, "value", low=0.0, low_open=True,
                                hint="cost of a false positive / cost of a false negative")
        if value is None:
            raise SpecificationError("target='cost' needs value= > 0: the cost of a false positive "
                                     "relative to a false negative")
        cost = value * curve["fp"].to_numpy() + curve["fn"].to_numpy()
        none_cost = float(np.sum(w * y))          # predict no event: every positive is missed
        i = int(np.argmin(cost))
        if none_cost < cost[i]:
            top = float(prob.max())
            row = dict(threshold=np.nextafter(top, np.inf), precision=1.0, recall=0.0, f1=0.0, tp=0.0,
                       fp=0.0, fn=none_cost, tn=float(np.sum(w * (1 - y))))
            return ThresholdChoice(target=target, value=float(value), auprc=auprc, curve=curve, **row)
    r = curve.iloc[i]
    return ThresholdChoice(threshold=float(r["threshold"]), target=target,
                           value=None if value is None else float(value),
                           precision=float(r["precision"]), recall=float(r["recall"]),
                           f1=float(r["f1"]), tp=float(r["tp"]), fp=float(r["fp"]),
                           fn=float(r["fn"]), tn=float(r["tn"]), auprc=auprc, curve=curve)
