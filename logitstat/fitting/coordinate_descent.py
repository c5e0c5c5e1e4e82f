r"""Penalized (lasso / ridge / elastic-net) logistic regression by coordinate descent inside IRLS.

The objective, with prior weights :math:`\omega_i = w_i m_i` normalized to
:math:`\tilde\omega_i = \omega_i/\sum_l \omega_l`, proportions :math:`y_i`, linear predictor
:math:`\eta_i = o_i + \beta_0 + \tilde x_i^\top\beta` on *standardized* columns
:math:`\tilde x_{ij} = (x_{ij} - \bar x_j)/s_j`,
:math:`\bar x_j = \sum_i \tilde\omega_i x_{ij}`,
:math:`s_j^2 = \sum_i \tilde\omega_i (x_{ij}-\bar x_j)^2` (the 1/n variance), is

.. math::

    f(\beta_0, \beta) = -\sum_i \tilde\omega_i\big[y_i\eta_i - \log(1+e^{\eta_i})\big]
      + \alpha\Big[\frac{1-\rho}{2}\lVert\beta\rVert_2^2 + \rho\lVert\beta\rVert_1\Big],

i.e. :math:`-\ell/n + \alpha[\dots]` with :math:`\rho` = ``l1_ratio``; the intercept is not
penalized.  Without an intercept the columns are not centred (:math:`\bar x_j = 0` in
:math:`\tilde x_{ij}`) but still divided by the same :math:`s_j`, as glmnet does.
This is exactly ``glmnet(family="binomial", standardize=TRUE)``: glmnet's
``lambda`` is our ``alpha`` and glmnet's ``alpha`` is our ``l1_ratio``.  Coefficients are
reported on the original scale, :math:`\beta_j/s_j`, with intercept
:math:`\beta_0 - \sum_j \bar x_j\beta_j/s_j`.

Algorithm (Friedman, Hastie & Tibshirani 2010, *J. Stat. Softw.* 33(1)): at the current
estimate form the IRLS quadratic approximation with weights :math:`v_i = \tilde\omega_i
\mu_i(1-\mu_i)` and minimize it plus the penalty by cyclic coordinate descent, using the
weighted Gram matrix :math:`G = A^\top V A` of :math:`A = [1, \tilde X]` ("covariance updates"):

.. math::

    \beta_j \leftarrow \frac{S\big(g_j + G_{jj}\beta_j,\ \alpha\rho\big)}{G_{jj} + \alpha(1-\rho)},
    \qquad S(z, \gamma) = \mathrm{sign}(z)(|z|-\gamma)_+,

with :math:`g` the current gradient of the quadratic model, kept up to date as
:math:`g \leftarrow g - G_{\cdot j}\,\Delta\beta_j`.  Sweeps run over the active set until it
settles, then over every coordinate; the outer IRLS loop is repeated (with step halving should
the objective rise) until no coefficient moves by more than ``tol`` (in units of
:math:`\sqrt{G_{jj}}`).  A path over decreasing ``alpha`` uses warm starts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

__all__ = ["Standardization", "standardize", "objective", "alpha_max", "alpha_grid",
           "PathFit", "fit_path"]

_PMIN = 1e-9          # probabilities are kept inside [pmin, 1 - pmin] for the IRLS weights


@dataclass(frozen=True)
class Standardization:
    """Column centres and scales (1/n weighted variance); ``active`` excludes constant columns."""

    center: np.ndarray
    scale: np.ndarray
    active: np.ndarray


def standardize(X: np.ndarray, wn: np.ndarray, intercept: bool, scale: bool = True) -> Standardization:
    r"""Weighted centres :math:`\bar x_j` and scales :math:`s_j` (see the module docstring).

    Without an intercept the columns are not centred but, as in glmnet, still scaled by their
    (centred) standard deviation :math:`s_j`.  A constant column is left out of the fit (its
    coefficient stays 0), as glmnet does -- except a non-zero constant column of a model without
    an intercept, which plays the intercept's part: it is kept, scaled by its root mean square
    :math:`(\sum_i\tilde\omega_i x_{ij}^2)^{1/2}` (glmnet would drop it).
    ``scale=False`` keeps the columns as given (:math:`s_j = 1`, penalty on the raw coefficients).

    Parameters
    ----------
    X : ndarray (n, p)
        The penalized columns.
    wn : ndarray (n,)
        Normalized prior weights (summing to 1).
    intercept : bool
        Whether the model has an (unpenalized) intercept; only then are the columns centred.
    scale : bool
        Divide the columns by :math:`s_j` (glmnet's ``standardize=TRUE``).

    Returns
    -------
    Standardization
    """
    big = np.max(np.abs(X), axis=0, initial=0.0)
    # moments of X / 2^e (max-abs in [1/2, 1)) times 2^e: no square over- or underflows, exact
    unit = np.ldexp(1.0, np.frexp(np.where(big > 0, big, 1.0))[1])
    Xu = X / unit
    mean_u = wn @ Xu
    mean = mean_u * unit
    spread = np.sqrt(wn @ (Xu - mean_u) ** 2) * unit
    tiny = 1e-10 * big  # relative: a column's constancy does not depend on its units
    varying = spread > tiny
    if intercept:
        center, active = mean, varying
    else:
        center = np.zeros(X.shape[1])
        rms = np.sqrt(wn @ Xu ** 2) * unit
        active = varying | (rms > tiny)
        spread = np.where(varying, spread, rms)
    s = np.where(active, spread, 1.0) if scale else np.ones(X.shape[1])
    return Standardization(center, s, active)


def _log1pexp(eta: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, eta)


def objective(Xs: np.ndarray, y: np.ndarray, wn: np.ndarray, offset: np.ndarray, b0: float,
              beta: np.ndarray, alpha: float, l1_ratio: float) -> float:
    """Penalized objective :math:`f` of the module docstring (standardized coefficients)."""
    eta = offset + b0 + Xs @ beta
    nll = -float(wn @ (y * eta - _log1pexp(eta)))
    pen = alpha * ((1.0 - l1_ratio) / 2.0 * float(beta @ beta) + l1_ratio * float(np.abs(beta).sum()))
    return nll + pen


def _soft(z: float, g: float) -> float:
    if z > g:
        return z - g
    if z < -g:
        return z + g
    return 0.0


def _cd_quadratic(G: np.ndarray, g: np.ndarray, c: np.ndarray, alpha: float, l1_ratio: float,
                  penalized: np.ndarray, free: np.ndarray, tol: float, max_sweeps: int) -> tuple[np.ndarray, int]:
    r"""Minimize :math:`\tfrac12 d^\top G d - g^\top d + \mathrm{pen}(c+d)` by coordinate descent.

    ``c`` are the coefficients at the expansion point (index 0 the intercept when present);
    ``free`` marks coordinates allowed to move.  Returns the new coefficients and the sweeps used.
    """
    new = c.copy()
    grad = g.copy()
    l1 = alpha * l1_ratio
    l2 = alpha * (1.0 - l1_ratio)
    diag = np.diag(G).copy()
    coords = np.flatnonzero(free)
    sweeps = 0
    full = True
    while sweeps < max_sweeps:
        sweeps += 1
        todo = coords if full else coords[(new[coords] != 0) | ~penalized[coords]]
        biggest = 0.0
        for j in todo:
            gjj = diag[j]
            if gjj <= 0.0:
                continue
            z = grad[j] + gjj * new[j]
            val = _soft(z, l1) / (gjj + l2) if penalized[j] else z / gjj
            d = val - new[j]
            if d != 0.0:
                grad -= G[:, j] * d
                new[j] = val
                biggest = max(biggest, abs(d) * np.sqrt(gjj))
        if biggest < tol:
            if full:
                break
            full = True
        else:
            full = False
    return new, sweeps


def fit_one(Xs: np.ndarray, y: np.ndarray, wn: np.ndarray, offset: np.ndarray, alpha: float,
            l1_ratio: float, c: np.ndarray, intercept: bool, free: np.ndarray, *,
            tol: float = 1e-10, max_iter: int = 100, max_sweeps: int = 100000) -> tuple[np.ndarray, int, bool]:
    """Minimize the objective at one ``alpha`` from the start ``c`` (``[b0, beta]`` or ``beta``).

    Returns the coefficients (standardized scale), the IRLS iterations and whether it converged.
    """
    n, q = Xs.shape
    A = np.column_stack([np.ones(n), Xs]) if intercept else Xs
    penalized = np.ones(A.shape[1], dtype=bool)
    if intercept:
        penalized[0] = False

    def split(v):
        return (v[0], v[1:]) if intercept else (0.0, v)

    f_old = objective(Xs, y, wn, offset, *split(c), alpha, l1_ratio)
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        eta = A @ c + offset
        mu = expit(eta)
        mc = np.clip(mu, _PMIN, 1.0 - _PMIN)
        v = wn * mc * (1.0 - mc)
        G = (A * v[:, None]).T @ A
        g = A.T @ (wn * (y - mu))
        new, _ = _cd_quadratic(G, g, c, alpha, l1_ratio, penalized, free, tol * 1e-2, max_sweeps)
        f_new = objective(Xs, y, wn, offset, *split(new), alpha, l1_ratio)
        step = new - c
        halvings = 0
        while f_new > f_old + 1e-13 * (abs(f_old) + 1.0) and halvings < 30:
            halvings += 1
            step = step / 2.0
            new = c + step
            f_new = objective(Xs, y, wn, offset, *split(new), alpha, l1_ratio)
        moved = float(np.max(np.abs(step) * np.sqrt(np.maximum(np.diag(G), 0.0)))) if step.size else 0.0
        c, f_old = new, f_new
        if moved < tol:
            converged = True
            break
    return c, it, converged


def alpha_max(Xs: np.ndarray, y: np.ndarray, wn: np.ndarray, offset: np.ndarray, intercept: bool,
              l1_ratio: float, free: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Smallest ``alpha`` at which every penalized coefficient is zero, and the null coefficients.

    :math:`\alpha_{max} = \max_j |\sum_i \tilde\omega_i \tilde x_{ij}(y_i - \mu^0_i)| /
    \max(\rho, 10^{-3})` with :math:`\mu^0` the null (intercept and offset) fit; glmnet uses the
    same :math:`10^{-3}` floor for ridge.
    """
    q = Xs.shape[1]
    c0 = np.zeros(q + int(intercept))
    if intercept:
        ybar = float(wn @ y)
        c0[0] = np.log(ybar / (1.0 - ybar))
        if np.any(offset != 0):
            only = np.zeros(q + 1, dtype=bool)
            only[0] = True
            c0, _, _ = fit_one(Xs, y, wn, offset, 0.0, 0.0, c0, True, only)
    eta = offset + (c0[0] if intercept else 0.0)
    r = wn * (y - expit(eta))
    grad = np.abs(Xs.T @ r)
    grad[~free[int(intercept):]] = 0.0
    return float(grad.max()) / max(l1_ratio, 1e-3), c0


def alpha_grid(a_max: float, n_alphas: int = 100, min_ratio: float | None = None, n: int = 0,
               p: int = 0) -> np.ndarray:
    """``n_alphas`` values from ``a_max`` down to ``min_ratio * a_max``, evenly on the log scale.

    ``min_ratio`` defaults to glmnet's: 1e-4 when there are more rows than columns, else 0.01.
    """
    if min_ratio is None:
        min_ratio = 1e-4 if n > p else 1e-2
    if n_alphas == 1:
        return np.array([a_max])
    return a_max * np.exp(np.linspace(0.0, np.log(min_ratio), n_alphas))


@dataclass(frozen=True)
class PathFit:
    """Coefficients along a path of ``alpha`` values (original scale unless noted).

    ``coef`` is (n_alphas, p) in the design's column order; ``std_coef`` the standardized
    penalized coefficients; ``dev_ratio`` is :math:`1 - D/D_0`.
    """

    alphas: np.ndarray
    coef: np.ndarray
    std_coef: np.ndarray
    dev_ratio: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray
    std: Standardization


def fit_path(X: np.ndarray, y: np.ndarray, weights: np.ndarray, offset: np.ndarray,
             intercept_col: int | None, l1_ratio: float, alphas: np.ndarray | None = None, *,
             n_alphas: int = 100, min_ratio: float | None = None, early_stop: bool = True,
             standardize_cols: bool = True, tol: float = 1e-10, max_iter: int = 100) -> PathFit:
    """Fit a whole path with warm starts (see the module docstring).

    Parameters
    ----------
    X : ndarray (n, p)
        Design matrix (the intercept column, if any, at ``intercept_col``).
    y, weights, offset : ndarray (n,)
        Proportions of events, prior weights (frequency weights times trials), offset.
    intercept_col : int or None
        Position of the intercept column (unpenalized), or None for no intercept.
    l1_ratio : float
        Share of the L1 penalty (glmnet's ``alpha``).
    alphas : array, optional
        Penalty strengths (glmnet's ``lambda``), fitted in decreasing order; by default a grid of
        ``n_alphas`` from :func:`alpha_max`, stopped early as glmnet does (from the 5th value on,
        once the deviance ratio gains less than 1e-5 or exceeds 0.999).
    """
    n, p = X.shape
    live = weights > 0
    X, y, weights, offset = X[live], y[live], weights[live], offset[live]
    wn = weights / weights.sum()
    intercept = intercept_col is not None
    pen_cols = [j for j in range(p) if j != intercept_col]
    Z = X[:, pen_cols]
    std = standardize(Z, wn, intercept, standardize_cols)
    Xs = (Z - std.center) / std.scale
    free = np.concatenate([[True] if intercept else [], std.active]).astype(bool)
    a_max, c = alpha_max(Xs, y, wn, offset, intercept, l1_ratio, free)
    user = alphas is not None
    if user:
        alphas = np.sort(np.asarray(alphas, dtype=float).ravel())[::-1]
        if np.any(alphas < 0) or not np.all(np.isfinite(alphas)):
            raise ValueError("alphas must be finite and non-negative")
    else:
        alphas = alpha_grid(a_max, n_alphas, min_ratio, n, len(pen_cols))
    null_dev = _deviance(y, wn, offset + (c[0] if intercept else 0.0))
    out_c, ratios, iters, conv = [], [], [], []
    for k, a in enumerate(alphas):
        c, it, ok = fit_one(Xs, y, wn, offset, float(a), l1_ratio, c, intercept, free, tol=tol,
                            max_iter=max_iter)
        b0, beta = (c[0], c[1:]) if intercept else (0.0, c)
        ratio = 1.0 - _deviance(y, wn, offset + b0 + Xs @ beta) / null_dev
        out_c.append(c.copy())
        ratios.append(ratio)
        iters.append(it)
        conv.append(ok)
        if early_stop and not user and k + 1 >= 5:
            if ratios[-1] - ratios[-2] < 1e-5 or ratios[-1] > 0.999:
                break
    C = np.array(out_c)
    m = C.shape[0]
    beta_s = C[:, 1:] if intercept else C
    coef = np.zeros((m, p))
    coef[:, pen_cols] = beta_s / std.scale
    if intercept:
        coef[:, intercept_col] = C[:, 0] - (beta_s / std.scale) @ std.center
    return PathFit(alphas=np.asarray(alphas[:m]), coef=coef, std_coef=beta_s,
                   dev_ratio=np.array(ratios), n_iter=np.array(iters), converged=np.array(conv),
                   std=std)


def _deviance(y: np.ndarray, wn: np.ndarray, eta: np.ndarray) -> float:
    """Deviance per unit of normalized weight: :math:`2\\sum\\tilde\\omega_i[\\dots]`."""
    from scipy.special import xlogy
    sat = xlogy(y, y) + xlogy(1.0 - y, 1.0 - y)
    ll = y * eta - _log1pexp(eta)
    return float(2.0 * wn @ (sat - ll))
