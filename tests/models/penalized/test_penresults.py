"""Penalized fits through the formula interface (ls.logit(penalty=...), ls.logit_path,
ls.logit_cv) against glmnet / cv.glmnet 4.1-6 (tests/reference/r/beyond.R) and the unpenalized
MLE."""
from __future__ import annotations

import json

import numpy as np
import pytest

import logitstat as ls

from conftest import DATA, MROZ_R_ORDER

REF = json.loads((DATA / "glmnet_mroz.json").read_text())
FORMULA = REF["formula"]


def test_single_fit_matches_glmnet(mroz):
    ref = REF["paths"]["0.5"]
    k = 5
    res = ls.logit(FORMULA, mroz, penalty="elasticnet", alpha=ref["lambda"][k], l1_ratio=0.5)
    assert isinstance(res, ls.PenalizedResults)
    np.testing.assert_allclose(res.params[MROZ_R_ORDER], ref["coef"][k], rtol=1e-5, atol=1e-6)
    assert res.dev_ratio == pytest.approx(ref["dev_ratio"][k], abs=1e-8)
    lasso = ls.logit(FORMULA, mroz, penalty="l1", alpha=REF["paths"]["1"]["lambda"][3])
    np.testing.assert_allclose(lasso.params[MROZ_R_ORDER], REF["paths"]["1"]["coef"][3], rtol=1e-5,
                               atol=1e-6)
    assert lasso.df_model == np.count_nonzero(REF["paths"]["1"]["coef"][3][1:])


def test_path_matches_glmnet_and_fit_at_index(mroz):
    ref = REF["paths"]["1"]
    path = ls.logit_path(FORMULA, mroz, penalty="l1")
    np.testing.assert_allclose(path.alphas, ref["lambda_all"], rtol=1e-10)
    picked = path.coefs.iloc[::max(1, len(ref["lambda_all"]) // 12)][MROZ_R_ORDER]
    np.testing.assert_allclose(picked.to_numpy(), ref["coef"], rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(path.df, np.count_nonzero(path.coefs.drop(columns="Intercept"), axis=1))
    one = path.fit(10)
    np.testing.assert_allclose(one.params, path.coefs.iloc[10], rtol=1e-14)


def test_cross_validation_matches_cv_glmnet(mroz):
    ref = REF["cv"]
    cv = ls.logit_cv(FORMULA, mroz, penalty="elasticnet", l1_ratio=0.5, alphas=ref["lambda"],
                     folds=ref["foldid"])
    np.testing.assert_allclose(cv.cv_mean, ref["cvm"], rtol=1e-6)
    np.testing.assert_allclose(cv.cv_se, ref["cvsd"], rtol=1e-5)
    assert cv.alpha_min == pytest.approx(ref["lambda_min"], rel=1e-12)
    assert cv.alpha_1se == pytest.approx(ref["lambda_1se"], rel=1e-12)
    assert cv.best.alpha == cv.alpha_min and cv.best_1se.alpha == cv.alpha_1se
    assert list(cv.table().columns) == ["cv_deviance", "cv_se", "nonzero"]
    assert "5-fold" in str(cv)


def test_random_folds_are_reproducible(mroz):
    a = ls.logit_cv(FORMULA, mroz, penalty="l1", n_folds=4, n_alphas=8, seed=1)
    b = ls.logit_cv(FORMULA, mroz, penalty="l1", n_folds=4, n_alphas=8, seed=1)
    np.testing.assert_array_equal(a.folds, b.folds)
    assert np.bincount(a.folds).tolist() == [189, 188, 188, 188]
    np.testing.assert_allclose(a.cv_mean, b.cv_mean)


def test_tiny_alpha_approaches_the_mle(mroz):
    mle = ls.logit(FORMULA, mroz)
    for pen, ratio in (("l2", None), ("l1", None), ("elasticnet", 0.3)):
        res = ls.logit(FORMULA, mroz, penalty=pen, alpha=1e-9, l1_ratio=ratio)
        np.testing.assert_allclose(res.params, mle.params, rtol=1e-5, atol=1e-6)
        assert res.llf == pytest.approx(mle.llf, rel=1e-9)


def test_summary_has_no_standard_errors(mroz):
    res = ls.logit(FORMULA, mroz, penalty="l1", alpha=0.02)
    text = str(res.summary())
    assert "no classical standard errors" in text
    for word in ("std err", "P>|z|", "0.975"):
        assert word not in text
    assert "lasso" in text and "alpha" in text and "Non-zero coefs" in text
    with pytest.raises(ls.SpecificationError, match="no classical standard errors"):
        res.bse
    with pytest.raises(ls.SpecificationError, match="no classical standard errors"):
        res.cov_params()


def test_prediction_and_objective(mroz):
    res = ls.logit(FORMULA, mroz, penalty="l2", alpha=0.05)
    p = res.predict(mroz.iloc[:4])
    eta = res.predict(mroz.iloc[:4], which="linear")
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-eta)))
    np.testing.assert_allclose(res.predict().iloc[:4].to_numpy(), p.to_numpy())
    b = res.standardized_params.to_numpy()
    e = res.predict(which="linear").to_numpy()
    y = (mroz["lfp"] == "yes").to_numpy(float)
    want = -np.mean(y * e - np.log1p(np.exp(e))) + 0.05 / 2 * b @ b
    assert res.objective == pytest.approx(want, rel=1e-12)


def test_bad_options_raise_clear_errors(mroz):
    with pytest.raises(ls.SpecificationError, match="unknown penalty 'l3'"):
        ls.logit(FORMULA, mroz, penalty="l3", alpha=0.1)
    with pytest.raises(ls.SpecificationError, match="needs l1_ratio"):
        ls.logit(FORMULA, mroz, penalty="elasticnet", alpha=0.1)
    with pytest.raises(ls.SpecificationError, match="needs alpha"):
        ls.logit(FORMULA, mroz, penalty="l1")
    with pytest.raises(ls.SpecificationError, match="give penalty"):
        ls.logit(FORMULA, mroz, alpha=0.1)
    with pytest.raises(ls.SpecificationError, match="logit"):
        ls.probit(FORMULA, mroz, penalty="l1", alpha=0.1)
    with pytest.raises(ls.SpecificationError, match="no standard errors"):
        ls.logit(FORMULA, mroz, penalty="l1", alpha=0.1, cov_type="HC0")
    with pytest.raises(ls.SpecificationError, match="l1_ratio=1"):
        ls.logit(FORMULA, mroz, penalty="l1", alpha=0.1, l1_ratio=0.5)
    with pytest.raises(ls.SpecificationError, match="at least 3 folds"):
        ls.logit_cv(FORMULA, mroz, folds=np.resize([1, 2], len(mroz)))


def test_plot_needs_matplotlib_or_draws(mroz):
    path = ls.logit_path(FORMULA, mroz, penalty="l1", n_alphas=10)
    try:
        import matplotlib
    except ImportError:
        with pytest.raises(ls.LogitstatError, match="matplotlib"):
            path.plot()
        return
    matplotlib.use("Agg")
    ax = path.plot()
    assert len(ax.get_lines()) >= 7 and ax.get_xscale() == "log"
