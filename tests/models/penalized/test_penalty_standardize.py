"""``ls.logit(..., penalty=..., standardize=False)`` against glmnet(standardize = FALSE).

Reference: ``tests/reference/data/judge3/glmnet_pima.json`` (``unstandardized``), made by
``tests/reference/r/judge_cases3.R`` with glmnet 4.1-6 (thresh = 1e-14) on MASS::Pima.tr; the
same 2e-6 absolute tolerance as the path test in test_penalized.py (glmnet's coordinate descent
stops at a change of 1e-14 in the objective, i.e. coefficients to ~1e-7 scaled by the
raw-scale curvature).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logitstat as ls

from conftest import canon

DATA = Path(__file__).resolve().parents[2] / "reference" / "data" / "judge3"
REF = json.loads((DATA / "glmnet_pima.json").read_text())["unstandardized"]
FORMULA = "type ~ npreg + glu + bp + skin + bmi + ped + agegrp"


@pytest.fixture(scope="module")
def pima():
    df = pd.read_csv(DATA / "pima.csv")
    df["agegrp"] = pd.Categorical(df["agegrp"], categories=["young", "mid", "old"])
    return df


def test_single_unstandardized_fits_match_glmnet(pima):
    want = np.array(REF["coef"])
    for lam, row in zip(REF["lambda"], want):
        res = ls.logit(FORMULA, pima, penalty="elasticnet", l1_ratio=REF["l1_ratio"], alpha=lam,
                       standardize=False)
        assert res.standardize is False
        index = {canon(n): n for n in res.params.index}
        got = res.params[[index[canon(n)] for n in REF["names"]]].to_numpy()
        np.testing.assert_allclose(got, row, atol=2e-6, rtol=0)


def test_single_fit_equals_the_path_at_the_same_alpha(pima):
    lam = REF["lambda"][2]
    one = ls.logit(FORMULA, pima, penalty="l1", alpha=lam, standardize=False)
    path = ls.logit_path(FORMULA, pima, penalty="l1", alphas=[lam], standardize=False)
    np.testing.assert_allclose(one.params.to_numpy(), path.fit(0).params.to_numpy(), rtol=1e-8, atol=1e-10)
    std = ls.logit(FORMULA, pima, penalty="l1", alpha=lam)
    assert not np.allclose(one.params, std.params)   # the option changes the fit
    assert "Standardized:" in str(one.summary()) and "no" in str(one.summary())


def test_standardize_is_checked(pima):
    with pytest.raises(ls.SpecificationError, match="penalized fits only"):
        ls.logit(FORMULA, pima, standardize=False)
    with pytest.raises(ls.SpecificationError, match="True or False"):
        ls.logit(FORMULA, pima, penalty="l1", alpha=0.01, standardize="no")
