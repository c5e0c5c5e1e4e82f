"""The warning of ``cov_type="cluster"`` with few clusters (logitstat.covariance.MIN_CLUSTERS).

The threshold is a documented constant (20: Cameron & Miller 2015 put "few clusters" at 20 to 50;
the user guide asks for a few dozen), so the tests check both sides of it exactly.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.inference.covariance import MIN_CLUSTERS


def frame(n_clusters: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 400
    x = rng.normal(size=n)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-0.5 * x))).astype(int)
    return pd.DataFrame({"y": y, "x": x, "g": np.arange(n) % n_clusters})


def test_threshold_is_twenty():
    assert MIN_CLUSTERS == 20


@pytest.mark.parametrize("G", [2, MIN_CLUSTERS - 1])
def test_few_clusters_warn_naming_the_count(G):
    res = ls.logit("y ~ x", frame(G), cov_type="cluster", groups="g")
    with pytest.warns(ls.DataWarning, match=rf"only {G} clusters in groups=.*unreliable"):
        res.bse


def test_enough_clusters_do_not_warn():
    res = ls.logit("y ~ x", frame(MIN_CLUSTERS), cov_type="cluster", groups="g")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ls.LogitstatWarning)
        se = res.bse["x"]
    assert np.isfinite(se)


def test_two_clusters_of_a_bundled_dataset_warn():
    """The user's case: clustering the Mroz fit on the two-level column wc."""
    with pytest.warns(ls.DataWarning, match="only 2 clusters"):
        ls.logit("lfp ~ k5", ls.datasets.load("mroz"), cov_type="cluster", groups="wc").bse


def test_warning_points_at_the_users_line():
    """Issued inside a cached property, the warning still names the caller's file."""
    res = ls.logit("y ~ x", frame(3), cov_type="cluster", groups="g")
    with pytest.warns(ls.DataWarning) as record:
        res.bse
    assert record[0].filename == __file__
