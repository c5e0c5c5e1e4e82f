"""Precision-recall curve, average precision (scikit-learn's definition, checked by hand and
by closed forms) and the threshold chooser (checked by brute force)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logitstat as ls


def brute(y, p, w=None):
    """Confusion counts at every candidate threshold, computed row by row."""
    w = np.ones_like(p) if w is None else w
    out = []
    for t in np.unique(p):
        pred = p >= t
        tp = np.sum(w * y * pred)
        fp = np.sum(w * (1 - y) * pred)
        fn = np.sum(w * y * ~pred)
        prec = tp / (tp + fp)
        rec = tp / (tp + fn)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0
        out.append((t, prec, rec, f1, tp, fp, fn))
    return pd.DataFrame(out, columns=["t", "precision", "recall", "f1", "tp", "fp", "fn"])


def test_average_precision_by_hand():
    # thresholds 0.8, 0.4, 0.35, 0.1: (R, P) = (1/2, 1), (1/2, 1/2), (1, 2/3), (1, 1/2)
    # AP = 1/2 * 1 + 0 * 1/2 + 1/2 * 2/3 + 0 = 5/6
    y, p = [0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]
    assert ls.average_precision(y, p) == pytest.approx(5 / 6, rel=1e-15)
    curve = ls.precision_recall_curve(y, p)
    np.testing.assert_allclose(curve["threshold"], [0.8, 0.4, 0.35, 0.1])
    np.testing.assert_allclose(curve["precision"], [1, 0.5, 2 / 3, 0.5])
    np.testing.assert_allclose(curve["recall"], [0.5, 0.5, 1, 1])


def test_average_precision_closed_forms():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    assert ls.average_precision(y, y + rng.uniform(0, 0.5, 200)) == 1.0        # perfect ranking
    assert ls.average_precision(y, np.full(200, 0.3)) == pytest.approx(y.mean())  # one tie block
    # ties are one threshold: [1, 0] tied at the top then a positive: P = (1/2, 2/3), R = (1/2, 1)
    assert ls.average_precision([1, 0, 1], [0.9, 0.9, 0.2]) == pytest.approx(0.5 * 0.5 + 0.5 * 2 / 3)


def test_weights_equal_repeated_rows():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 60)
    p = np.round(rng.uniform(size=60), 2)
    w = rng.integers(1, 4, 60)
    a = ls.average_precision(y, p, sample_weight=w)
    b = ls.average_precision(np.repeat(y, w), np.repeat(p, w))
    assert a == pytest.approx(b, rel=1e-14)


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(7)
    x = rng.normal(size=400)
    y = (rng.uniform(size=400) < 1 / (1 + np.exp(-(x - 1.5)))).astype(float)
    p = np.round(1 / (1 + np.exp(-(1.1 * x - 1.4))), 3)
    return y, p


def test_f1_choice_is_the_brute_force_maximum(sample):
    y, p = sample
    table = brute(y, p)
    best = table.sort_values(["f1", "t"], ascending=[False, False]).iloc[0]
    ch = ls.choose_threshold(y, p, target="f1")
    assert ch.threshold == best["t"] and ch.f1 == pytest.approx(best["f1"])
    assert ch.auprc == pytest.approx(ls.average_precision(y, p))
    assert "maximum F1" in str(ch)


def test_precision_and_recall_targets(sample):
    y, p = sample
    table = brute(y, p)
    ch = ls.choose_threshold(y, p, target="precision", value=0.6)
    ok = table[table.precision >= 0.6]
    assert ch.threshold == ok.sort_values(["recall", "t"], ascending=[False, False]).iloc[0]["t"]
    assert ch.precision >= 0.6
    ch = ls.choose_threshold(y, p, target="recall", value=0.9)
    ok = table[table.recall >= 0.9]
    assert ch.threshold == ok.sort_values(["precision", "t"], ascending=[False, False]).iloc[0]["t"]
    with pytest.raises(ls.SpecificationError, match="no threshold reaches precision 1"):
        ls.choose_threshold([1, 0, 1], [0.9, 0.9, 0.2], target="precision", value=1.0)
    with pytest.raises(ls.SpecificationError, match="needs value"):
        ls.choose_threshold(y, p, target="recall")


def test_cost_target(sample):
    y, p = sample
    for c in (0.2, 1.0, 5.0, 1000.0):
        table = brute(y, p)
        costs = c * table.fp + table.fn
        ch = ls.choose_threshold(y, p, target="cost", value=c)
        best = min(costs.min(), y.sum())
        assert c * ch.fp + ch.fn == pytest.approx(best)
    # false positives so costly that predicting no event is best
    ch = ls.choose_threshold([0, 1, 1], [0.9, 0.5, 0.4], target="cost", value=1000.0)
    assert (ch.tp, ch.fp, ch.fn, ch.tn) == (0, 0, 2, 1) and ch.threshold > 0.9
    ch = ls.choose_threshold([0, 1, 1], [0.9, 0.5, 0.4], target="cost", value=0.5)
    assert ch.threshold == 0.4 and ch.fp == 1 and ch.fn == 0


def test_from_a_fitted_model():
    mroz = ls.datasets.load("mroz")
    res = ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", mroz)
    y = (mroz["lfp"] == "yes").to_numpy(float)
    a = ls.choose_threshold(res, target="f1")
    b = ls.choose_threshold(y, res.fittedvalues.to_numpy(), target="f1")
    assert a.threshold == b.threshold and a.auprc == b.auprc


def test_bad_inputs():
    with pytest.raises(ls.DataError, match="no positive"):
        ls.average_precision([0, 0], [0.2, 0.3])
    with pytest.raises(ls.DataError, match="3 values but p has 2"):
        ls.average_precision([0, 1, 1], [0.2, 0.3])
    with pytest.raises(ls.DataError, match="missing"):
        ls.average_precision([0, 1], [0.2, np.nan])
    with pytest.raises(ls.SpecificationError, match="target='auc'"):
        ls.choose_threshold([0, 1], [0.2, 0.3], target="auc")
