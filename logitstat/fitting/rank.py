"""Rank of the design: exactly collinear (aliased) columns, found and described as R's
``alias()`` does, behind a cheap screen on the scaled Gram matrix."""
from __future__ import annotations

import numpy as np

from ..errors import CollinearityError
from . import kernels

__all__ = ["aliased_columns", "check_rank"]


def aliased_columns(X: np.ndarray, names: list[str], tol: float = 1e-7,
                    scale: np.ndarray | None = None) -> dict[str, str]:
    """Columns that are exact linear combinations of earlier ones, as R's ``alias()`` finds them.

    Columns are scaled to unit length and orthogonalised in order (Householder QR); column
    :math:`j` is aliased when its residual norm is below ``tol`` (R's ``glm`` uses 1e-7).  Returns
    ``{name: "name = 2·x1 - x2"}`` describing each dependency in the original units
    (``X`` times ``scale`` when ``X`` holds column-scaled data, see :mod:`logitstat.models.binary.scaling`).
    """
    from scipy import linalg

    norms = np.sqrt(np.einsum("ij,ij->j", X, X))
    out: dict[str, str] = {}
    zero = norms == 0
    for j in np.flatnonzero(zero):
        out[names[j]] = f"{names[j]} = 0 (the column is all zero: an empty level or constant zero)"
    keep = np.flatnonzero(~zero)
    if len(keep) == 0:
        return out
    Xs = X[:, keep] / norms[keep]
    R = linalg.qr(Xs, mode="r", check_finite=False)[0]
    diag = np.abs(np.diag(R))
    kept: list[int] = []
    for k, j in enumerate(keep):
        if diag[k] < tol:
            if kept:
                coef = linalg.solve_triangular(R[np.ix_(kept, kept)], R[kept, k], check_finite=False)
                coef = coef * norms[j] / norms[keep[kept]]
                if scale is not None:
                    coef = coef * scale[j] / scale[keep[kept]]
            else:
                coef = np.zeros(0)
            out[names[j]] = _describe(names[j], [names[keep[i]] for i in kept], coef)
        else:
            kept.append(k)
    return out


def _describe(target: str, others: list[str], coef: np.ndarray) -> str:
    big = np.max(np.abs(coef)) if coef.size else 0.0
    parts = []
    for nm, c in zip(others, coef):
        if abs(c) <= 1e-8 * max(big, 1.0):
            continue
        mag = f"{abs(c):.6g}"
        term = nm if mag == "1" else f"{mag}·{nm}"
        parts.append(("- " if c < 0 else "+ ") + term)
    rhs = " ".join(parts).lstrip("+ ") if parts else "0"
    if rhs.startswith("- "):
        rhs = "-" + rhs[2:]
    return f"{target} = {rhs}"


def check_rank(X: np.ndarray, names: list[str], drop: bool = False,
               gram: np.ndarray | None = None, *, rows: np.ndarray | None = None,
               scale: np.ndarray | None = None) -> dict[str, str]:
    """Aliased columns of ``X``; raise :class:`CollinearityError` naming them unless ``drop``.

    A cheap screen on the eigenvalues of the scaled Gram matrix decides whether the exact QR
    test of :func:`aliased_columns` is needed.  ``gram`` is the Gram matrix of the rows checked
    when the caller has it (see :func:`logitstat.fitting.kernels.gram`, which forms it on all cores in
    row blocks).  ``rows`` (see :func:`informative_rows`) restricts the check to the rows that
    carry information, as R's ``glm.fit`` decomposes only its "good" rows: a column that is zero,
    or a combination of others, on those rows has no information in the likelihood (e.g. a
    factor level carried only by rows of weight 0) and gets an NA coefficient in R.  ``scale``:
    the column scales when ``X`` is column-scaled (see :mod:`logitstat.models.binary.scaling`), so that the
    dependencies are described in the data's units.
    """
    if gram is None:
        gram = kernels.gram(X, None if rows is None else rows.astype(float))
    d = np.sqrt(np.diag(gram))
    suspicious = bool(np.any(d == 0))
    if not suspicious:
        with kernels.dense_threads(gram.shape[0]):
            lam = np.linalg.eigvalsh(gram / np.outer(d, d))
        suspicious = lam[0] < 1e-11 * max(lam[-1], 1.0)
    aliased = aliased_columns(X if rows is None else X[rows], names, scale=scale) if suspicious else {}
    if aliased and not drop:
        where = ""
        if rows is not None:
            where = (f" restricted to the {int(rows.sum())} rows with positive weight and trials "
                     f"(the other {int((~rows).sum())} carry no information)")
        raise CollinearityError(
            f"the design matrix{where} is rank deficient: {'; '.join(aliased.values())}. "
            "Remove one of the dependent terms (or pass drop_collinear=True to drop aliased columns as R does)")
    return aliased
