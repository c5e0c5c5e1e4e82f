"""Goodness of fit and calibration against R (hoslem.test's definition, pROC, wilcox.test,
glm's Pearson residuals and deviance) and exact identities."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from logitstat.diagnostics.goodness import (auc, brier_score, classification_table, deviance_test,
                                            expected_calibration_error, goodness_of_fit, hosmer_lemeshow,
                                            pearson_test, reliability_table)

DATA = Path(__file__).resolve().parents[1] / "reference" / "data" / "diagnostics"
CASES = json.loads((DATA / "goodness.json").read_text())
BERNOULLI = ["birthwt", "mroz", "ties"]


@pytest.mark.parametrize("name", BERNOULLI)
def test_hosmer_lemeshow(name):
    c = CASES[name]
    hl = hosmer_lemeshow(c["y"], c["mu"], g=10)
    h = c["hoslem"]
    assert hl.statistic == pytest.approx(h["statistic"], rel=1e-10)
    assert hl.df == h["df"]
    assert hl.pvalue == pytest.approx(h["pvalue"], rel=1e-8)
    np.testing.assert_allclose(hl.table[["observed_0", "observed_1"]], h["observed"], atol=1e-12)
    np.testing.assert_allclose(hl.table[["expected_0", "expected_1"]], h["expected"], rtol=1e-12)
    np.testing.assert_array_equal(hl.table["n"], h["n"])


@pytest.mark.parametrize("name", BERNOULLI)
def test_auc_matches_proc_and_mann_whitney(name):
    c = CASES[name]
    a = auc(c["y"], c["mu"])
    assert a == pytest.approx(c["auc"], rel=1e-12)
    assert a == pytest.approx(c["auc_wilcox"], rel=1e-12)


@pytest.mark.parametrize("name", BERNOULLI)
def test_brier_decomposition_and_calibration(name):
    c = CASES[name]
    b = brier_score(c["y"], c["mu"], bins=10)
    for key in ("brier", "calibration", "refinement", "resolution", "uncertainty",
                "within_variance", "within_covariance"):
        assert getattr(b, key) == pytest.approx(c[key], rel=1e-10, abs=1e-15)
    assert b.brier == pytest.approx(b.calibration + b.refinement + b.within_variance
                                    - 2 * b.within_covariance, rel=1e-12)
    assert b.refinement == pytest.approx(b.uncertainty - b.resolution, rel=1e-10)
    assert expected_calibration_error(c["y"], c["mu"]) == pytest.approx(c["ece"], rel=1e-10)
    tab = reliability_table(c["y"], c["mu"])
    np.testing.assert_array_equal(tab.index, c["bins"])
    np.testing.assert_allclose(tab["observed_rate"], c["bin_obs"], rtol=1e-12)
    np.testing.assert_allclose(tab["mean_predicted"], c["bin_pred"], rtol=1e-12)
    np.testing.assert_array_equal(tab["n"], c["bin_n"])


@pytest.mark.parametrize("name", BERNOULLI)
def test_classification_table(name):
    c = CASES[name]
    t = classification_table(c["y"], c["mu"], threshold=c["table"]["threshold"])
    assert (t.tp, t.fp, t.tn, t.fn) == tuple(float(c["table"][k]) for k in ("tp", "fp", "tn", "fn"))
    assert t.accuracy == pytest.approx((t.tp + t.tn) / len(c["y"]))
    assert t.to_frame().to_numpy().sum() == len(c["y"])


def test_pearson_and_deviance_for_grouped_data():
    c = CASES["budworm"]
    p = pearson_test(c["y"], c["mu"], 3, c["trials"])
    d = deviance_test(c["y"], c["mu"], 3, c["trials"])
    assert p.statistic == pytest.approx(c["pearson"], rel=1e-10)
    assert d.statistic == pytest.approx(c["deviance"], rel=1e-10)
    assert p.df == d.df == c["df"]
    assert p.pvalue == pytest.approx(c["pearson_p"], rel=1e-8)
    assert d.pvalue == pytest.approx(c["deviance_p"], rel=1e-8)


def test_weights_equal_replication():
    """A frequency weight of k must give what k copies of the row give."""
    c = CASES["birthwt"]
    y, mu = np.array(c["y"]), np.array(c["mu"])
    w = np.tile([1.0, 2.0, 3.0], len(y) // 3 + 1)[:len(y)]
    rep_y, rep_mu = np.repeat(y, w.astype(int)), np.repeat(mu, w.astype(int))
    assert auc(y, mu, weights=w) == pytest.approx(auc(rep_y, rep_mu), rel=1e-12)
    assert brier_score(y, mu, weights=w).calibration == pytest.approx(
        brier_score(rep_y, rep_mu).calibration, rel=1e-12)
    t1, t2 = classification_table(y, mu, 0.3, weights=w), classification_table(rep_y, rep_mu, 0.3)
    assert (t1.tp, t1.fp, t1.tn, t1.fn) == (t2.tp, t2.fp, t2.tn, t2.fn)


def test_auc_closed_forms():
    assert auc([0, 1], [0.2, 0.8]) == 1.0
    assert auc([0, 1], [0.8, 0.2]) == 0.0
    assert auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    # grouped rows: 2 of 4 events at 0.3, 3 of 3 events at 0.9 -> pairs (5 pos x 2 neg)
    assert auc([0.5, 1.0], [0.3, 0.9], trials=[4, 3]) == pytest.approx((3 * 2 + 2 * 2 * 0.5) / 10)


def test_report_renders():
    c = CASES["budworm"]
    g = goodness_of_fit(c["y"], c["mu"], 3, trials=c["trials"])
    text = str(g)
    assert "Hosmer-Lemeshow" in text and "Pearson" in text and "AUC" in text and g.grouped
    assert "not chi-squared" not in text
    with pytest.raises(ValueError):
        hosmer_lemeshow(c["y"], c["mu"], g=2)
