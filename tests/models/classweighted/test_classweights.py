"""Class weights: against R (glm with the class weights as prior weights and
sandwich::vcovHC, tests/reference/r/beyond.R), scikit-learn's definition of "balanced"
(computed by hand) and invariances."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.models.classweighted.results import class_weights

from conftest import DATA, MROZ_R_ORDER

REF = json.loads((DATA / "classweight_mroz.json").read_text())
FORMULA = "lfp ~ k5 + k618 + age + wc + hc + lwg + inc"


@pytest.mark.parametrize("key,cw", [("balanced", "balanced"), ("mapping", {0: 1, 1: 3})])
@pytest.mark.parametrize("cov_type", ["HC0", "HC1", "HC3"])
def test_estimates_and_sandwich_match_r(mroz, key, cw, cov_type):
    ref = REF[key]
    res = ls.logit(FORMULA, mroz, class_weight=cw, cov_type=cov_type)
    np.testing.assert_allclose(res.params[MROZ_R_ORDER], ref["params"], rtol=1e-9, atol=1e-10)
    # R's glm takes its covariance from the last IRLS step (weights of the previous iterate)
    np.testing.assert_allclose(res.bse[MROZ_R_ORDER], ref[f"bse_{cov_type}"], rtol=1e-5)
    assert res.class_weight == {0: pytest.approx(ref["w0"]), 1: pytest.approx(ref["w1"])}


def test_balanced_is_scikit_learns_definition():
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    assert class_weights(y, "balanced") == {0: 8 / (2 * 6), 1: 8 / (2 * 2)}
    # with frequency weights: the definition on the expanded data
    f = np.array([1, 1, 1, 1, 1, 1, 3, 1.0])
    assert class_weights(y, "balanced", f) == {0: 10 / 12, 1: 10 / 8}
    assert class_weights(y, {1: 5}) == {0: 1.0, 1: 5.0}
    assert class_weights(y, {False: 2, True: 1}) == {0: 2.0, 1: 1.0}


def test_default_is_robust_and_nonrobust_warns(mroz):
    res = ls.logit(FORMULA, mroz, class_weight="balanced")
    assert res.cov_type == "HC0"
    assert ls.logit(FORMULA, mroz).cov_type == "nonrobust"
    with pytest.warns(ls.DomainWarning, match="not the variance"):
        nr = ls.logit(FORMULA, mroz, class_weight="balanced", cov_type="nonrobust")
    assert "not valid under class weights" in " ".join(str(nr.summary()).split())  # notes wrap


def test_summary_separates_class_from_frequency_weights(mroz):
    text = str(ls.logit(FORMULA, mroz, class_weight={0: 1, 1: 3}).summary())
    assert "Class weights:" in text and "0: 1, 1: 3" in text
    assert "change the estimand" in text and "Weights:  " not in text
    f = np.resize([1.0, 2.0], len(mroz))
    res = ls.logit(FORMULA, mroz, class_weight="balanced", weights=f)
    text = str(res.summary())
    assert "frequency" in text and "balanced (" in text
    assert res.nobs == f.sum()


def test_frequency_weights_equal_repeated_rows(mroz):
    f = np.resize([1, 2, 3], len(mroz))
    a = ls.logit(FORMULA, mroz, class_weight="balanced", weights=f.astype(float))
    long = mroz.loc[mroz.index.repeat(f)].reset_index(drop=True)
    b = ls.logit(FORMULA, long, class_weight="balanced")
    np.testing.assert_allclose(a.params, b.params, rtol=1e-9)
    np.testing.assert_allclose(a.bse, b.bse, rtol=1e-8)
    assert a.nobs == b.nobs == f.sum()


def test_unit_class_weights_give_the_unweighted_fit(mroz):
    a = ls.logit(FORMULA, mroz, class_weight={0: 1, 1: 1})
    b = ls.logit(FORMULA, mroz, cov_type="HC0")
    np.testing.assert_allclose(a.params, b.params, rtol=1e-12)
    np.testing.assert_allclose(a.bse, b.bse, rtol=1e-10)
    assert a.nobs == 753


def test_class_weights_with_a_penalty(mroz):
    res = ls.logit(FORMULA, mroz, class_weight={0: 1, 1: 3}, penalty="l2", alpha=1e-10)
    ref = REF["mapping"]
    np.testing.assert_allclose(res.params[MROZ_R_ORDER], ref["params"], rtol=1e-5, atol=1e-6)
    assert "Class weights:" in str(res.summary()) and res.nobs == 753


def test_bad_class_weights_raise(mroz):
    with pytest.raises(ls.SpecificationError, match="'balanced' or a mapping"):
        ls.logit(FORMULA, mroz, class_weight="auto")
    with pytest.raises(ls.SpecificationError, match="key 'maybe'"):
        ls.logit(FORMULA, mroz, class_weight={"maybe": 2})
    with pytest.raises(ls.SpecificationError, match="positive"):
        ls.logit(FORMULA, mroz, class_weight={1: -1})
    grouped = pd.DataFrame({"s": [3, 4, 5], "f": [5, 4, 3], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(ls.SpecificationError, match="one row per observation"):
        ls.logit("s + f ~ x", grouped, class_weight="balanced")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        small = ls.logit("lfp ~ k5", mroz, class_weight="balanced")
        big = ls.logit(FORMULA, mroz, class_weight="balanced")
    with pytest.raises(ls.SpecificationError, match="pseudo-likelihood"):
        ls.lr_test(small, big)


def test_mapping_may_be_keyed_by_the_response_labels():
    # scikit-learn keys class_weight by class label; {"No": 1, "Yes": 3} was refused
    df = pd.DataFrame({"y": ["No", "Yes", "No", "Yes", "No", "No", "Yes", "No"],
                       "x": [0.1, 1.2, 0.4, 0.3, 1.5, -0.2, 2.0, 0.8]})
    want = ls.logit("y ~ x", df, class_weight={0: 1, 1: 3}).params
    for cw in ({"No": 1, "Yes": 3}, {"Yes": 3}, {0: 1, "Yes": 3}):
        pd.testing.assert_series_equal(ls.logit("y ~ x", df, class_weight=cw).params, want)
    # the event decides: with success="No", "No" keys class 1
    flip = ls.logit("y ~ x", df, success="No", class_weight={"No": 3, "Yes": 1})
    np.testing.assert_allclose(flip.params, -ls.logit("y ~ x", df, class_weight={0: 3, 1: 1}).params,
                               atol=1e-8)
    for bad in ({"yes": 3}, {"No": 1}, {"Yes": 3, "No": 1, "Maybe": 2}):
        with pytest.raises(ls.SpecificationError, match="not a class"):
            ls.logit("y ~ x", df, class_weight=bad)
