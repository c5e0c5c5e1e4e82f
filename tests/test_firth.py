"""Firth / AS_mean estimates against brglm2 0.9 (tests/reference/r/diagnostics.R), penalized LR
tests and profile intervals against an independent R optimizer, and closed forms."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from logitstat.errors import SpecificationError
from logitstat.firth import firth, fisher_scoring, penalized_lr_test, profile_interval

DATA = Path(__file__).resolve().parent / "reference" / "data" / "diagnostics"
CASES = json.loads((DATA / "firth.json").read_text())
NAMES = sorted(k for k, v in CASES.items() if isinstance(v, dict))


def args(c):
    return (np.array(c["X"], float), np.array(c["y"], float), np.array(c["trials"], float),
            np.array(c["weights"], float), np.array(c["offset"], float))


@pytest.mark.parametrize("name", NAMES)
def test_matches_brglm2(name):
    c = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = firth(*args(c), link=c["link"])
    assert r.converged
    np.testing.assert_allclose(r.params, c["params"], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(r.bse, c["bse"], rtol=1e-7)
    np.testing.assert_allclose(r.cov, np.array(c["cov"]), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(r.loglik, c["loglik"], rtol=1e-9)
    np.testing.assert_allclose(r.penalized_loglik, c["penalized_loglik"], rtol=1e-9)


def test_two_by_two_table_is_haldane_corrected_odds_ratio():
    """For a saturated 2x2 table Firth's estimate adds 1/2 to every cell (a closed form)."""
    r = firth(*args(CASES["table_2x2"]))
    # cells: x=0: 7 failures, 0 successes; x=1: 3 failures, 5 successes
    assert r.params[0] == pytest.approx(np.log(0.5 / 7.5), rel=1e-10)
    assert r.params[1] == pytest.approx(np.log((5.5 / 3.5) / (0.5 / 7.5)), rel=1e-10)


def test_finite_under_separation_and_logit_score_is_gradient():
    c = CASES["endometrial_logit"]
    X, y, m, w, off = args(c)
    r = firth(X, y, m, w, off)
    assert np.all(np.isfinite(r.params)) and r.params[1] < 10      # the MLE of NV is +infinity
    # U* is the gradient of the penalized log-likelihood: check by central differences
    def pll(b):
        return firth(X, y, m, w, off, start=b, max_iter=0).penalized_loglik
    for j in range(X.shape[1]):
        e = np.zeros(X.shape[1])
        e[j] = 1e-5
        assert (pll(r.params + e) - pll(r.params - e)) / 2e-5 == pytest.approx(0, abs=1e-6)


def test_invariant_to_reparametrisation_of_columns():
    """Firth's logit estimate is equivariant under affine changes of the design (Jeffreys)."""
    c = CASES["mtcars_logit"]
    X, y, m, w, off = args(c)
    A = np.array([[1.0, 3.0, -100.0], [0, 2.0, 0], [0, 0.5, 0.01]])
    r1 = firth(X, y, m, w, off)
    r2 = firth(X @ A, y, m, w, off)
    np.testing.assert_allclose(A @ r2.params, r1.params, rtol=1e-8)
    np.testing.assert_allclose(r2.penalized_loglik, r1.penalized_loglik + np.log(abs(np.linalg.det(A))),
                               rtol=1e-7)


def test_plain_scoring_matches_glm():
    c = CASES["mtcars_logit"]
    r = fisher_scoring(*args(c))
    np.testing.assert_allclose(r.params, c["ml_params"], rtol=1e-8)
    c = CASES["budworm_probit"]
    np.testing.assert_allclose(fisher_scoring(*args(c), link="probit").params, c["ml_params"],
                               rtol=1e-7)


@pytest.mark.parametrize("name", ["endometrial_logit", "mtcars_logit"])
def test_penalized_lr_tests_and_profile_intervals(name):
    c = CASES[name]
    X, y, m, w, off = args(c)
    fit = firth(X, y, m, w, off)
    for j in range(X.shape[1]):
        stat, df, p = penalized_lr_test(X, y, [j], m, w, off, fit=fit)
        assert df == 1
        assert stat == pytest.approx(c["plr"][j]["stat"], rel=1e-6)
        assert p == pytest.approx(c["plr"][j]["pvalue"], rel=1e-5)
        lo, hi = profile_interval(X, y, j, 0.05, m, w, off, fit=fit)
        np.testing.assert_allclose([lo, hi], c["profile_ci"][j], rtol=1e-6)
        assert lo < fit.params[j] < hi


def test_profile_interval_needs_logit_and_shapes():
    c = CASES["mtcars_logit"]
    X, y, m, w, off = args(c)
    with pytest.raises(SpecificationError):
        from logitstat.firth import _Model, _require_logit
        _require_logit(_Model(X, y, m, w, off, "probit"), "profile_interval")
    with pytest.raises(ValueError):
        firth(X, y[:-1])


JUDGE = Path(__file__).resolve().parent / "reference" / "data" / "judge"


@pytest.mark.parametrize("link", ["probit", "cloglog", "cauchit"])
def test_adjusted_scores_converge_under_complete_separation(link):
    """y = 1 exactly when x > 0: the AS_mean iterations for non-logit links raise their merit
    for a step or two on the way (brglm2 0.9, tests/reference/r/judge_cases.R); they must still
    converge, to brglm2's estimates."""
    import pandas as pd

    df = pd.read_csv(JUDGE / "separated_links.csv")
    want = json.loads((JUDGE / "firth_separated_links.json").read_text())[link]
    X = np.column_stack([np.ones(len(df)), df["x"], df["z"]])
    res = firth(X, df["y"].to_numpy(float), link=link)
    assert res.converged
    np.testing.assert_allclose(res.params, want["params"], rtol=1e-6)
    np.testing.assert_allclose(res.bse, want["bse"], rtol=1e-6)
