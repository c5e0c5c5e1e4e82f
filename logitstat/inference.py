r"""Hypothesis tests as pure functions of estimates and covariances, and their result objects."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import patsy
from scipy import linalg, stats

from .errors import SpecificationError


@dataclass(frozen=True)
class TestResult:
    """A χ² test: ``statistic``, ``df``, ``pvalue`` and a one-line description."""

    statistic: float
    df: int
    pvalue: float
    kind: str = "Wald"
    hypothesis: str = ""

    def __str__(self) -> str:
        p = f"{self.pvalue:.4g}" if self.pvalue >= 1e-16 else "< 1e-16"
        what = f" of {self.hypothesis}" if self.hypothesis else ""
        return f"{self.kind} test{what}: chi2({self.df}) = {self.statistic:.4f}, p = {p}"

    __test__ = False  # not a pytest class


def constraint_matrix(h, names: list[str]) -> tuple[np.ndarray, np.ndarray, str]:
    """Turn a hypothesis into ``(R, q, text)`` for :math:`R\\beta = q`.

    ``h`` is a string such as ``"age = 0, k5 = k618"`` or ``"2*x - z = 1"`` (coefficient names as
    in ``params``), an ``(R, q)`` tuple, or an ``R`` matrix (then ``q = 0``).
    """
    p = len(names)
    if isinstance(h, str):
        try:
            lc = patsy.DesignInfo(list(names)).linear_constraint(h)
        except patsy.PatsyError as exc:
            raise SpecificationError(f"cannot read hypothesis {h!r}: {str(exc).splitlines()[0]}; "
                                     f"coefficient names are: {', '.join(names)}") from None
        return np.asarray(lc.coefs, float), np.asarray(lc.constants, float).ravel(), h
    if isinstance(h, tuple) and len(h) == 2:
        R, q = np.atleast_2d(np.asarray(h[0], float)), np.atleast_1d(np.asarray(h[1], float)).ravel()
    else:
        R = np.atleast_2d(np.asarray(h, float))
        q = np.zeros(R.shape[0])
    if R.shape[1] != p or q.shape[0] != R.shape[0]:
        raise SpecificationError(f"hypothesis matrix must be r x {p} with r constants; got "
                                 f"{R.shape} and {q.shape[0]} constants")
    return R, q, ""


def wald_test(params: np.ndarray, cov: np.ndarray, R: np.ndarray, q: np.ndarray, hypothesis: str = "") -> TestResult:
    r"""Wald χ² test of :math:`R\beta = q`: :math:`W = (R\hat\beta-q)^\top (R V R^\top)^{-1} (R\hat\beta-q)`."""
    r = R @ params - q
    M = R @ cov @ R.T
    try:
        stat = float(r @ linalg.solve(M, r, assume_a="pos"))
    except linalg.LinAlgError:
        raise SpecificationError("the hypotheses are linearly dependent (R V R' is singular): "
                                 "remove redundant restrictions") from None
    df = R.shape[0]
    return TestResult(stat, df, float(stats.chi2.sf(stat, df)), "Wald", hypothesis)


def lr_statistic(llf_restricted: float, llf_full: float, df: int, hypothesis: str = "") -> TestResult:
    r"""Likelihood-ratio test: :math:`2(\ell_1 - \ell_0) \sim \chi^2_{df}`."""
    stat = max(2.0 * (llf_full - llf_restricted), 0.0)
    return TestResult(stat, df, float(stats.chi2.sf(stat, df)), "Likelihood-ratio", hypothesis)
