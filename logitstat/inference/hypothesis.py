r"""Hypothesis tests as pure functions of arrays, and their result objects.

* :func:`wald_test` — :math:`R\beta = q` with any coefficient covariance;
* :func:`term_wald_tests` — one joint Wald χ² per formula term (``car::Anova(type=3, test="Wald")``);
* :func:`lr_statistic` / :func:`nested_lr_test` — likelihood-ratio test of nested fits, with the
  checks that make it valid (same rows, nested column spaces, same link);

The term tables of R's ``anova``, ``car::Anova`` and ``drop1`` are in :mod:`logitstat.inference.anova`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
from scipy import linalg, stats

from ..common.checks import interval_alpha
from ..common.displays import Display, Displayable, number, pvalue
from ..errors import ConvergenceWarning, SpecificationError
from ..fitting import kernels

__all__ = ["TestResult", "normal_quantile", "constraint_matrix", "wald_test", "lr_statistic",
           "term_wald_tests", "nested_lr_test"]


def normal_quantile(alpha: float) -> float:
    r""":math:`z_{1-\alpha/2}`, the normal quantile of a two-sided :math:`1-\alpha` interval;
    :class:`SpecificationError` unless ``alpha`` is a number (Python or numpy) with
    :math:`0 < \alpha < 1` (see :func:`logitstat.common.checks.interval_alpha`)."""
    return float(stats.norm.ppf(1.0 - interval_alpha(alpha) / 2.0))


@dataclass(frozen=True, repr=False)
class TestResult(Displayable):
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

    def _display(self) -> Display:
        note = getattr(self, "note", "")
        rows = [("hypothesis", self.hypothesis)] if self.hypothesis else []
        if note:
            return Display(f"{self.kind} test (not available)", rows, [note])
        return Display(f"{self.kind} test", rows + [
            ("chi2", f"{self.statistic:.4f}"), ("df", number(self.df)), ("p-value", pvalue(self.pvalue))])

    __test__ = False  # not a pytest class


def constraint_matrix(h, names: list[str]) -> tuple[np.ndarray, np.ndarray, str]:
    """Turn a hypothesis into ``(R, q, text)`` for :math:`R\\beta = q`.

    ``h`` is a string such as ``"age = 0, k5 = k618"`` or ``"2*x - z = 1"`` (coefficient names as
    in ``params``), a list of such strings (all restrictions together, as statsmodels), an
    ``(R, q)`` tuple, or an ``R`` matrix (then ``q = 0``).  Anything else, an empty hypothesis
    or non-finite numbers raise :class:`SpecificationError`.
    """
    p = len(names)
    how = ("give a string such as 'x = 0, z = 0' (coefficient names are: " + ", ".join(names) +
           "), a list of such strings, an (R, q) tuple or an R matrix with " + str(p) + " columns")
    strings = isinstance(h, (list, tuple)) and len(h) > 0 and all(isinstance(e, str) for e in h)
    if isinstance(h, str) or strings:
        parts = [h] if isinstance(h, str) else list(h)
        if any(not e.strip() for e in parts):
            raise SpecificationError(f"hypothesis {h!r} is empty: {how}")
        try:
            lc = patsy.DesignInfo(list(names)).linear_constraint(parts)
        except (patsy.PatsyError, IndexError, ValueError, KeyError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise SpecificationError(f"cannot read hypothesis {h!r}: {first}; {how}") from None
        return np.asarray(lc.coefs, float), np.asarray(lc.constants, float).ravel(), ", ".join(parts)
    try:
        if isinstance(h, tuple) and len(h) == 2:
            R = np.atleast_2d(np.asarray(h[0], float))
            q = np.atleast_1d(np.asarray(h[1], float)).ravel()
        else:
            R = np.atleast_2d(np.asarray(h, float))
            q = np.zeros(R.shape[0])
    except (TypeError, ValueError):
        raise SpecificationError(f"cannot read hypothesis {h!r}: {how}") from None
    if R.ndim != 2 or R.shape[1] != p or q.shape[0] != R.shape[0] or R.shape[0] == 0:
        raise SpecificationError(f"hypothesis matrix must be r x {p} (r >= 1) with r constants; got "
                                 f"{R.shape} and {q.shape[0]} constants: {how}")
    if not (np.all(np.isfinite(R)) and np.all(np.isfinite(q))):
        raise SpecificationError("the hypothesis matrix R (or the constants q) has missing or "
                                 f"infinite values: {how}")
    return R, q, ""


def wald_test(params: np.ndarray, cov: np.ndarray, R: np.ndarray, q: np.ndarray, hypothesis: str = "") -> TestResult:
    r"""Wald χ² test of :math:`R\beta = q`: :math:`W = (R\hat\beta-q)^\top (R V R^\top)^{-1} (R\hat\beta-q)`.

    :math:`M = R V R^\top` is first scaled to unit diagonal (:math:`W` is unchanged when a
    restriction is multiplied by a constant), so restrictions on coefficients of very different
    magnitudes (columns in tiny or huge units) are solved as accurately as any.
    """
    r = R @ params - q
    M = R @ cov @ R.T
    sd = np.sqrt(np.diag(M))
    dependent = SpecificationError("the hypotheses are linearly dependent (R V R' is singular): "
                                   "remove redundant restrictions")
    if not np.all((sd > 0) & np.isfinite(sd)):
        raise dependent
    C = M / sd[:, None] / sd[None, :]
    lam = np.linalg.eigvalsh(C)
    if lam[0] <= 1e-13 * lam[-1]:
        raise dependent
    z = r / sd
    stat = float(z @ linalg.cho_solve(linalg.cho_factor(C), z))
    df = R.shape[0]
    return TestResult(stat, df, float(stats.chi2.sf(stat, df)), "Wald", hypothesis)


def lr_statistic(llf_restricted: float, llf_full: float, df: int, hypothesis: str = "") -> TestResult:
    r"""Likelihood-ratio test: :math:`2(\ell_1 - \ell_0) \sim \chi^2_{df}`."""
    stat = max(2.0 * (llf_full - llf_restricted), 0.0)
    return TestResult(stat, df, float(stats.chi2.sf(stat, df)), "Likelihood-ratio", hypothesis)


def term_wald_tests(params: np.ndarray, cov: np.ndarray, terms: dict[str, slice]) -> pd.DataFrame:
    r"""Joint Wald test that all coefficients of each term are zero.

    For the columns :math:`J` of a term,
    :math:`W = \hat\beta_J^\top V_{JJ}^{-1} \hat\beta_J \sim \chi^2_{|J|}`: a categorical's
    columns are tested together.  Each test leaves every other coefficient in the model, so this
    is ``car::Anova(fit, type=3, test.statistic="Wald")`` (its ``vcov.=`` is ``cov``).  With
    treatment contrasts and interactions, a main effect's test is the effect at the reference
    level of the other factor, as in car.

    Returns
    -------
    DataFrame
        Indexed by term (``Intercept`` included), columns ``statistic`` (χ²), ``df``, ``pvalue``.
    """
    rows = {}
    for term, sl in terms.items():
        idx = np.arange(sl.start, sl.stop)
        if idx.size == 0:
            continue
        R = np.zeros((idx.size, len(params)))
        R[np.arange(idx.size), idx] = 1.0
        t = wald_test(params, cov, R, np.zeros(idx.size), term)
        rows[term] = (t.statistic, t.df, t.pvalue)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["statistic", "df", "pvalue"])
    out["df"] = out["df"].astype(int)
    out.index.name = "term"
    out.attrs["title"] = "Wald chi-square tests of each term (type III)"
    return out


@dataclass(frozen=True)
class FitArrays:
    """What a likelihood-ratio test needs to know about one fit (plain arrays).

    ``rows`` identifies the estimation rows (their labels in the data), or None when unknown.
    """

    llf: float
    X: np.ndarray
    y: np.ndarray
    trials: np.ndarray
    weights: np.ndarray
    offset: np.ndarray
    link: str
    names: list[str]
    rows: object = None
    method: str = "irls"
    converged: bool = True


def spans(X_big: np.ndarray, X_small: np.ndarray, tol: float = 1e-7) -> np.ndarray:
    r"""For each column of ``X_small``: whether it lies in the column space of ``X_big``.

    With both designs' columns scaled to unit length (:math:`B`, :math:`S`), column :math:`s`
    is inside when the residual of its least-squares regression on :math:`B` has norm below
    ``tol``.  Computed from :math:`p\times p` matrices in two passes over the rows, never a copy
    of either design (corrected semi-normal equations, Björck 1987): the first pass forms
    :math:`B^\top B` and :math:`B^\top S` and gives :math:`C = (B^\top B)^{-1}B^\top S`; the
    second accumulates, block by block, :math:`r = S - BC`, its squared column norms and
    :math:`B^\top r`; then the squared residual norm is
    :math:`\|r\|^2 - (B^\top r)^\top (B^\top B)^{-1} B^\top r` (the part of :math:`r` still
    explained by :math:`B` removed).  The subtraction acts on the small residual itself, so the
    result has the accuracy of a QR-based least squares, not the :math:`\epsilon\,\kappa^2`
    of the normal equations alone.
    """
    B = np.asarray(X_big, dtype=float)
    S = np.asarray(X_small, dtype=float)
    n, pb = B.shape
    ps = S.shape[1]
    mb, ms = _pow2_maxabs(B), _pow2_maxabs(S)   # exact rescaling: no square can overflow

    def gram_part(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        Gbb, Gbs, ss = np.zeros((pb, pb)), np.zeros((pb, ps)), np.zeros(ps)
        for a in range(lo, hi, kernels.BLOCK_ROWS):
            e = min(a + kernels.BLOCK_ROWS, hi)
            Bb, Sb = B[a:e] / mb, S[a:e] / ms
            Gbb += Bb.T @ Bb
            Gbs += Bb.T @ Sb
            ss += np.einsum("ij,ij->j", Sb, Sb)
        return Gbb, Gbs, ss

    parts = kernels.map_chunks(gram_part, n)
    Gbb, Gbs, ss = (sum(q[k] for q in parts) for k in range(3))
    nb = np.sqrt(np.diag(Gbb))
    nb = np.where(nb > 0, nb, 1.0)
    ns = np.sqrt(ss)
    ns = np.where(ns > 0, ns, 1.0)
    Gbb = Gbb / np.outer(nb, nb)
    solve = _psd_solver(Gbb)
    C = solve(Gbs / np.outer(nb, ns))          # coefficients of S/ns on B/nb
    Cb = C / nb[:, None]                       # ... on B itself

    def resid_part(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        rr, Br = np.zeros(ps), np.zeros((pb, ps))
        for a in range(lo, hi, kernels.BLOCK_ROWS):
            e = min(a + kernels.BLOCK_ROWS, hi)
            Bb = B[a:e] / mb
            r = S[a:e] / (ms * ns)
            r -= Bb @ Cb
            rr += np.einsum("ij,ij->j", r, r)
            Br += Bb.T @ r
        return rr, Br

    parts = kernels.map_chunks(resid_part, n)
    rr = sum(q[0] for q in parts)
    Br = sum(q[1] for q in parts) / nb[:, None]
    resid2 = rr - np.einsum("ij,ij->j", Br, solve(Br))
    return np.sqrt(np.clip(resid2, 0.0, None)) <= tol


def _psd_solver(G: np.ndarray):
    """``x -> G^{-1} x`` for a symmetric positive semi-definite ``G`` (Cholesky; the
    pseudo-inverse when ``G`` is singular to working precision)."""
    try:
        c = linalg.cho_factor(G, lower=True, check_finite=False)
        if np.all(np.diag(c[0]) > 1e-7):
            return lambda x: linalg.cho_solve(c, x, check_finite=False)
    except linalg.LinAlgError:
        pass
    P = linalg.pinvh(G)
    return lambda x: P @ x


def _pow2_maxabs(A: np.ndarray) -> np.ndarray:
    """Per column, the power of two at or above its largest absolute value (1 for a zero
    column): dividing by it is exact and brings every entry into [-1, 1]."""
    m = np.maximum(A.max(axis=0, initial=0.0), -A.min(axis=0, initial=0.0))
    return np.ldexp(1.0, np.frexp(np.where(m > 0, m, 1.0))[1])


def nested_lr_test(restricted: FitArrays, full: FitArrays) -> TestResult:
    r"""Likelihood-ratio test of two nested fits: :math:`2(\ell_1-\ell_0) \sim \chi^2_{k_1-k_0}`.

    The test is only valid when both models are maximum-likelihood fits with the same link, on
    the same rows (response, trials, weights, offset), and the restricted design's columns lie
    in the column space of the full design; each condition is checked and a
    :class:`SpecificationError` says which one fails and what to do.  The models may be given in
    either order (the larger one is taken as the full model).
    """
    r, f = restricted, full
    if r.X.shape[1] > f.X.shape[1]:
        r, f = f, r
    for m in (r, f):
        if m.method != "irls":
            raise SpecificationError(f"lr_test needs maximum-likelihood fits; one model was fitted by "
                                     f"method={m.method!r}, whose penalized likelihood does not give "
                                     "a chi-square likelihood-ratio test")
    if r.link != f.link:
        raise SpecificationError(f"lr_test: the models use different links ({r.link} vs {f.link}); "
                                 "likelihoods of different links are not nested")
    if r.rows is not None and f.rows is not None:
        same = len(r.rows) == len(f.rows) and pd.Index(r.rows).equals(pd.Index(f.rows))
    else:
        same = r.X.shape[0] == f.X.shape[0]
    if not same:
        nr, nf = r.X.shape[0], f.X.shape[0]
        raise SpecificationError(
            f"lr_test: the models were fitted on different rows ({nr} vs {nf}; missing values in a "
            "variable of one model only?): refit both on the same complete rows, e.g. "
            "data.dropna(subset=[all variables of the larger model])")
    for what, label in (("y", "response"), ("trials", "binomial trials"), ("weights", "weights"),
                        ("offset", "offset")):
        if not np.array_equal(getattr(r, what), getattr(f, what)):
            raise SpecificationError(f"lr_test: the models have different {label} on the same rows; "
                                     "they must share response, weights and offset to be nested")
    df = f.X.shape[1] - r.X.shape[1]
    if df == 0:
        raise SpecificationError("lr_test: the models have the same number of coefficients; a "
                                 "likelihood-ratio test needs one model nested in a larger one")
    inside = spans(f.X, r.X)
    if not inside.all():
        bad = [n for n, ok in zip(r.names, inside) if not ok]
        raise SpecificationError(
            f"lr_test: the models are not nested: column(s) {', '.join(map(repr, bad))} of the "
            "smaller model are not in the span of the larger model's columns; compare nested "
            "models (the smaller formula's terms a subset of the larger one's)")
    if not (r.converged and f.converged):
        warnings.warn("lr_test: a model did not converge; the statistic may be unreliable",
                      ConvergenceWarning, stacklevel=3)
    text = f"{r.X.shape[1]}-coefficient model nested in {f.X.shape[1]}-coefficient model"
    return lr_statistic(r.llf, f.llf, df, text)
