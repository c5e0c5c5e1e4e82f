r"""Class weights for imbalanced binary data, kept apart from frequency weights.

``class_weight="balanced"`` gives each row of class :math:`c` the weight
:math:`n / (2\, n_c)` (scikit-learn's definition ``n_samples / (n_classes * bincount(y))``;
with frequency weights, :math:`n` and :math:`n_c` count the weighted observations, i.e. the
definition applied to the expanded data); a mapping ``{0: w0, 1: w1}`` gives them directly
(1 is the modelled event).

A class-weighted fit maximizes the *pseudo*-log-likelihood
:math:`\sum_i f_i c_{y_i} \ell_i(\beta)` (:math:`f_i` frequency weights, :math:`c` class
weights).  That changes the estimand: the estimates describe a population with re-balanced
classes, not the sampled one, and the fitted probabilities are not calibrated to the data's
prevalence.  The inverse of the weighted information is not the variance of such an estimate;
the sandwich is:

.. math::

    V = B\Big(\sum_i f_i\,(c_{y_i} s_i)^2\, x_i x_i^\top\Big)B, \qquad
    B = \Big(\sum_i f_i c_{y_i} W_i x_i x_i^\top\Big)^{-1},

with :math:`s_i` and :math:`W_i` the score factor and IRLS weight of one unit of row :math:`i`
(as ``sandwich::vcovHC`` on a ``glm`` with prior weights :math:`c_{y_i}`).  So robust
(``HC0`` by default) standard errors are reported for class-weighted fits.
"""
from __future__ import annotations

import warnings
from dataclasses import replace
from functools import cached_property

import numpy as np

from ...errors import DomainWarning, SpecificationError
from ...formula.design import Design
from ..binary.results import BinaryResults

__all__ = ["class_weights", "apply_class_weight", "ClassWeightedResults", "ESTIMAND_NOTE"]

ESTIMAND_NOTE = ("Class weights change the estimand: the estimates describe a population with "
                 "re-weighted classes, not the sampled one, and predicted probabilities are not "
                 "calibrated to the observed prevalence. Log-likelihood, deviance, AIC, BIC and "
                 "the LR test are of the class-weighted pseudo-likelihood.")


def class_weights(y: np.ndarray, class_weight, freq_weights: np.ndarray | None = None,
                  event: str | None = None) -> dict[int, float]:
    """The weight of each class (0 and 1) for ``class_weight="balanced"`` or a mapping.

    Parameters
    ----------
    y : ndarray
        0/1 outcomes.
    class_weight : "balanced" or mapping
        ``{0: w0, 1: w1}`` (keys 0/1 or False/True; a missing class gets weight 1).  As in
        scikit-learn, the classes may also be keyed by the response's labels: the ``event``
        label for class 1 and, beside it, any other key for the one other class (0).
    freq_weights : ndarray, optional
        Frequency weights (counted in the balanced weights).
    event : str, optional
        The label of the modelled event (e.g. ``"yes"``), which keys class 1.

    Returns
    -------
    dict
        ``{0: w0, 1: w1}``.
    """
    y = np.asarray(y, dtype=float)
    f = np.ones_like(y) if freq_weights is None else np.asarray(freq_weights, dtype=float)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise SpecificationError(f"class_weight={class_weight!r}: use 'balanced' or a mapping "
                                     "{0: w0, 1: w1}")
        counts = np.array([f[y == 0].sum(), f[y == 1].sum()])
        if np.any(counts <= 0):
            raise SpecificationError("class_weight='balanced' needs both outcomes in the data")
        total = counts.sum()
        return {0: float(total / (2 * counts[0])), 1: float(total / (2 * counts[1]))}
    if not hasattr(class_weight, "items"):
        raise SpecificationError(f"class_weight must be 'balanced' or a mapping {{0: w0, 1: w1}}; "
                                 f"got {type(class_weight).__name__}")
    out = {0: 1.0, 1: 1.0}
    labelled = event is not None and any(str(k) == event for k in class_weight
                                         if not isinstance(k, (bool, np.bool_, int, float)))
    for key, val in class_weight.items():
        if isinstance(key, (bool, np.bool_)) or (isinstance(key, (int, float, np.number))
                                                   and key in (0, 1)):
            k = int(key)
        elif labelled and str(key) == event:
            k = 1
        elif labelled and len(class_weight) == 2:
            k = 0   # beside the event's label, the one other class
        else:
            also = f" or the response's labels (the event is {event!r})" if event else ""
            raise SpecificationError(f"class_weight key {key!r} is not a class: use 0 (non-event) "
                                     f"and 1 (the modelled event){also}")
        v = float(val)
        if not np.isfinite(v) or v <= 0:
            raise SpecificationError(f"class_weight[{key!r}] must be positive and finite; got {val!r}")
        out[k] = v
    return out


def event_label(des: Design) -> str | None:
    """The label of the modelled event (``"yes"`` of ``"lfp = yes"``), or None."""
    head = f"{des.response} = "
    return des.event[len(head):] if des.event.startswith(head) else None


def describe(weights: dict[int, float], class_weight) -> str:
    """``"balanced (0: 0.8, 1: 1.3)"`` or ``"0: 1, 1: 3"``."""
    txt = f"0: {weights[0]:.4g}, 1: {weights[1]:.4g}"
    return f"balanced ({txt})" if isinstance(class_weight, str) else txt


def apply_class_weight(des: Design, class_weight) -> tuple[Design, str]:
    """A copy of ``des`` whose weights are frequency weights times class weights.

    ``has_weights`` keeps saying whether *frequency* weights were given.  Returns the design and
    a description for the summary.
    """
    if des.grouped or np.any((des.y != 0) & (des.y != 1)):
        raise SpecificationError("class_weight needs one row per observation (a 0/1 response), "
                                 "not grouped successes + failures")
    cw = class_weights(des.y, class_weight, des.weights if des.has_weights else None,
                       event_label(des))
    row = np.where(des.y == 1, cw[1], cw[0])
    return replace(des, weights=des.weights * row), describe(cw, class_weight)


class ClassWeightedResults(BinaryResults):
    """A binary fit with class weights: robust standard errors, ``nobs`` from frequency weights.

    ``class_weight`` holds the weight of each class, ``class_weight_info`` its description.
    """

    def __init__(self, design: Design, link, fit, *, freq_weights: np.ndarray,
                 class_weight: dict[int, float], class_weight_info: str, **kwargs):
        self.freq_weights = freq_weights
        self.class_weight = class_weight
        self.class_weight_info = class_weight_info
        super().__init__(design, link, fit, **kwargs)
        if self.cov_type == "nonrobust":
            warnings.warn("class weights with cov_type='nonrobust': the inverse weighted "
                          "information is not the variance of a class-weighted estimate; use a "
                          "sandwich (cov_type='HC0', the default with class_weight)",
                          DomainWarning, stacklevel=4)

    @property
    def row_class_weights(self) -> np.ndarray:
        """Class weight of every estimation row."""
        return np.where(self.design.y == 1, self.class_weight[1], self.class_weight[0])

    @cached_property
    def score_parts(self):
        """Scores and IRLS weights scaled by the class weights; frequency weights kept apart."""
        parts = BinaryResults.score_parts.func(self)
        c = self.row_class_weights
        return replace(parts, score=parts.score * c, unit_weight=parts.unit_weight * c,
                       weights=self.freq_weights)

    @property
    def nobs(self) -> float:
        """Number of observations (sum of frequency weights), not of class weights."""
        if self.design.has_weights:
            total = float(np.sum(self.freq_weights))
            return int(total) if total.is_integer() else total
        return int(np.count_nonzero(self.design.trials > 0))

    @property
    def df_resid(self) -> float:
        """Observations (frequency weights, not class weights) less coefficients."""
        return self.nobs - len(self.names)

    def summary(self, *args, **kwargs):
        """The binary summary, with the class weights in the header and the estimand in the footer."""
        s = super().summary(*args, **kwargs)
        s.header.append(("Class weights:", self.class_weight_info))
        s.notes.append(ESTIMAND_NOTE)
        if self.cov_type == "nonrobust":
            s.notes.append("Standard errors are the inverse weighted information, which is not "
                           "valid under class weights; refit with cov_type='HC0'.")
        return s


def __getattr__(name: str):
    """``fit_class_weighted``, now in :mod:`logitstat.models.classweighted.fit` (imported on
    first use: that module builds on this one)."""
    if name == "fit_class_weighted":
        from .fit import fit_class_weighted
        return fit_class_weighted
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
