"""The nesting check of lr_test (inference.spans) from Gram matrices in row blocks, against the
definition (least squares by LAPACK on unit-length columns) and constructed residuals."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.inference.hypothesis import spans


def lstsq_residuals(B, S):
    """The definition: relative residual norm of each unit-length column of S regressed on the
    unit-length columns of B (LAPACK least squares on full copies)."""
    B = B / np.linalg.norm(B, axis=0)
    S = S / np.linalg.norm(S, axis=0)
    coef, *_ = np.linalg.lstsq(B, S, rcond=None)
    return np.linalg.norm(S - B @ coef, axis=0)


def design(rng, n, shift=0.0):
    x = rng.normal(size=n) + shift
    g = rng.integers(0, 4, size=n)
    D = np.column_stack([(g == k).astype(float) for k in range(1, 4)])
    return np.column_stack([np.ones(n), x, D, x * D[:, 0], rng.normal(size=n)])


@pytest.mark.parametrize("n", [500, 70_000])
def test_nested_reparametrised_and_not_nested(n):
    """Nested: a subset of the columns; reparametrised: the restricted design a linear map of a
    subset (sum coding for treatment coding, a centred and rescaled x), still nested; not nested:
    a column from outside.  n = 70 000 cuts the rows into chunks on two cores."""
    rng = np.random.default_rng(n)
    F = design(rng, n)
    sub = F[:, [0, 1, 2, 3, 4]]
    T = np.eye(5)
    T[0, 1], T[1, 1] = -3.0, 0.25      # x -> (x - 3) / 4 with the intercept
    T[2:5, 2:5] = [[1, 0, -1], [0, 1, -1], [-1, -1, -1]]
    reparam = sub @ T
    outside = np.column_stack([sub, rng.normal(size=n)])
    for S, want in ((sub, True), (reparam, True)):
        assert spans(F, S).all() == want
        assert (lstsq_residuals(F, S) <= 1e-7).all()
    got = spans(F, outside)
    assert got[:-1].all() and not got[-1]


@pytest.mark.parametrize("eps, inside", [(1e-9, True), (1e-5, False)])
def test_threshold_on_the_relative_residual(eps, inside):
    """A column B a + eps u with u orthogonal to B's columns, |u| = |B a|: relative residual
    eps / sqrt(1 + eps^2) ~ eps by construction, on a design whose numeric column sits far from 0
    (scaled condition number ~ 1e4, where the normal equations alone would lose about 1e-8 of
    the residual, the corrected ones keep it to ~1e-12)."""
    rng = np.random.default_rng(2)
    n = 2000
    B = design(rng, n, shift=300.0)
    a = rng.normal(size=B.shape[1])
    s = B @ a
    u = rng.normal(size=n)
    u -= B @ np.linalg.lstsq(B, u, rcond=None)[0]
    u *= np.linalg.norm(s) / np.linalg.norm(u)
    S = np.column_stack([s + eps * u, B[:, 1] * 2.0])
    assert lstsq_residuals(B, S)[0] == pytest.approx(eps, rel=1e-3)
    np.testing.assert_array_equal(spans(B, S), [inside, True])


def test_lr_test_uses_it_on_fits():
    rng = np.random.default_rng(8)
    d = pd.DataFrame({"x": rng.normal(size=400), "g": rng.choice(list("abc"), 400)})
    d["y"] = (rng.random(400) < 0.4).astype(int)
    big = ls.logit("y ~ x * g", d)
    assert ls.lr_test(ls.logit("y ~ C(g, Sum) + I(2 * x - 1)", d), big).df == 2
    with pytest.raises(ls.SpecificationError, match="not nested"):
        ls.lr_test(ls.logit("y ~ np.exp(x)", d), big)
