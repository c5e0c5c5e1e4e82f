"""dfbeta, dfbetas, DFFITS and the covariance ratio against R's dfbeta / dfbetas / dffits /
covratio / influence.measures on glm fits.

Reference: ``tests/reference/data/cluster_influence.json`` made by
``tests/reference/r/cluster_influence.R`` (R 4.2.2; glm with epsilon = 1e-14) on the bundled
datasets.  Tolerances, relative to the largest |value| of each measure: for the logit link R's
estimate is exact to rounding and 1e-8 covers rounding (R also zeroes residuals below
100 eps x median); for probit and cloglog R's Fisher scoring stops ~1e-7 standard errors short of
the optimum (see test_clustering.py), so 1e-6.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest

import logitstat as ls
from logitstat.inference.influence import Influence

from conftest import canon

REF = Path(__file__).resolve().parents[1] / "reference" / "data" / "cluster_influence.json"


@lru_cache(maxsize=None)
def reference() -> dict:
    return json.loads(REF.read_text())


@lru_cache(maxsize=None)
def fitted(name: str):
    m = reference()["models"][name]
    res = ls.glm(m["formula"], ls.datasets.load(m["data"]), link=m["link"], tol=1e-12)
    index = {canon(n): n for n in res.params.index}
    return res, [index[canon(n)] for n in m["names"]], m


def close(got, want, link):
    want = np.asarray(want, dtype=float)
    rtol = 1e-8 if link == "logit" else 1e-6
    np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=0,
                               atol=rtol * np.nanmax(np.abs(want)))


@pytest.mark.parametrize("name", list(reference()["models"]))
def test_deletion_measures_match_r(name):
    res, order, m = fitted(name)
    infl = res.get_influence()
    close(infl.dfbeta[order], m["dfbeta"], m["link"])
    close(infl.dfbetas[order], m["dfbetas"], m["link"])
    close(infl.dffits, m["dffits"], m["link"])
    close(infl.cov_ratio, m["covratio"], m["link"])
    close(infl.cov_ratio, m["infmat_covr"], m["link"])      # influence.measures' cov.r
    close(infl.dffits, m["infmat_dffit"], m["link"])
    close(infl.cooks_distance, m["cooks"], m["link"])
    close(infl.hat_matrix_diag, m["hat"], m["link"])


def test_summary_frame_has_the_deletion_columns():
    res, _, _ = fitted("infert_logit")
    frame = res.get_influence().summary_frame()
    dfb = [c for c in frame.columns if c.startswith("dfb_")]
    assert dfb == [f"dfb_{n}" for n in res.names]
    assert {"dffits", "cov_ratio", "cooks_d", "hat"} <= set(frame.columns)
    np.testing.assert_array_equal(frame[dfb].to_numpy(), res.get_influence().dfbetas.to_numpy())
    assert list(res.get_influence().dfbeta.columns) == res.names


def test_dfbeta_is_the_one_step_deletion_change_for_a_tiny_residual():
    """For a row with deviance = Pearson residual to first order, dfbeta is the one-step change
    of the estimate when the row is deleted; compare with an actual refit (logit)."""
    res, _, _ = fitted("infert_logit")
    df = ls.datasets.load("infert")
    infl = res.get_influence()
    i = int(np.argmax(np.abs(infl.dfbetas.to_numpy()).max(axis=1)))
    refit = ls.logit(res.design.formula, df.drop(index=df.index[i]), tol=1e-12)
    change = (res.params - refit.params).to_numpy()
    approx = infl.dfbeta.iloc[i].to_numpy()
    # a one-step approximation, with the deviance residual in place of the Pearson one (R's):
    # the same sign and size, not the same number
    assert np.all(np.sign(change) == np.sign(approx))
    np.testing.assert_allclose(approx, change, rtol=0.5)


def test_rows_of_zero_weight_get_nan_and_zero():
    df = ls.datasets.load("budworm").copy()
    df.loc[0, ["numdead", "numalive"]] = 0   # a group of zero trials
    res = ls.glm("numdead + numalive ~ sex + ldose", df)
    infl = res.get_influence()
    assert np.all(infl.dfbeta.iloc[0] == 0)
    assert np.isnan(infl.cov_ratio.iloc[0]) and np.isnan(infl.dffits.iloc[0])
    assert np.all(np.isfinite(infl.cov_ratio.iloc[1:]))


def test_bare_influence_says_where_to_get_the_deletion_measures():
    infl = Influence(hat=np.array([0.1, 0.2]), resid_dev=np.zeros(2), resid_pear=np.zeros(2), k=1)
    with pytest.raises(ls.SpecificationError, match="get_influence"):
        infl.dfbetas
