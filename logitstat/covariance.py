r"""Covariance estimators for the coefficients: small classes behind a name registry.

All estimators share the *bread* :math:`B = (X^\top W X)^{-1}`, the inverse Fisher information.
The sandwich types use the per-row score
:math:`u_i = s_i x_i`, :math:`s_i = m_i (y_i - \mu_i)\,\mu'(\eta_i) / (\mu_i(1-\mu_i))`
(R's ``estfun.glm``), counted :math:`w_i` times for a frequency weight :math:`w_i`:

.. math::

    V_{HC} = B \Big(\sum_i w_i\, \omega_i\, s_i^2\, x_i x_i^\top\Big) B,

with :math:`\omega_i = 1` (HC0), :math:`n/(n-k)` (HC1), :math:`1/(1-h_i)` (HC2),
:math:`1/(1-h_i)^2` (HC3), where :math:`h_i` is the IRLS hat value of one unit of row :math:`i`.
This is ``sandwich::vcovHC`` on the same glm.  ``cluster`` sums scores within clusters and
applies ``sandwich::vcovCL``'s default adjustment :math:`\frac{G}{G-1}\frac{n-1}{n-k}`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataError, SpecificationError


@dataclass(frozen=True)
class ScoreParts:
    """What the sandwich estimators need from a fit.

    Attributes
    ----------
    X : ndarray (n, p)
    bread : ndarray (p, p)
        Inverse information.
    score : ndarray (n,)
        :math:`s_i`, the score of one unit of each row divided by :math:`x_i`.
    unit_weight : ndarray (n,)
        IRLS working weight of one unit of each row (for hat values).
    weights : ndarray (n,)
        Frequency weights.
    groups : ndarray or None
        Cluster labels.
    """

    X: np.ndarray
    bread: np.ndarray
    score: np.ndarray
    unit_weight: np.ndarray
    weights: np.ndarray
    groups: np.ndarray | None = None

    @property
    def nobs(self) -> float:
        return float(np.sum(self.weights))

    def hat(self) -> np.ndarray:
        r"""Unit hat values :math:`h_i = W_i\, x_i^\top B x_i`."""
        XB = self.X @ self.bread
        return self.unit_weight * np.einsum("ij,ij->i", XB, self.X)

    def sandwich(self, row_factor: np.ndarray | float = 1.0) -> np.ndarray:
        r""":math:`B\,(\sum_i f_i w_i s_i^2 x_i x_i^\top)\,B`."""
        c = self.weights * row_factor * self.score ** 2
        meat = (self.X * c[:, None]).T @ self.X
        return self.bread @ meat @ self.bread


class CovarianceEstimator:
    """Base class: ``name`` is the registry key, ``description`` is shown in the summary."""

    name = ""
    description = ""
    needs_groups = False

    def cov(self, parts: ScoreParts) -> np.ndarray:
        raise NotImplementedError


class Nonrobust(CovarianceEstimator):
    """Inverse Fisher information, as R's ``vcov(glm)``."""

    name = "nonrobust"
    description = "nonrobust (inverse Fisher information)"

    def cov(self, parts):
        return parts.bread


class HC0(CovarianceEstimator):
    name = "HC0"
    description = "robust HC0 (sandwich)"

    def cov(self, parts):
        return parts.sandwich()


class HC1(CovarianceEstimator):
    name = "HC1"
    description = "robust HC1 (sandwich, n/(n-k))"

    def cov(self, parts):
        n, k = parts.nobs, parts.X.shape[1]
        return parts.sandwich() * n / (n - k)


class HC2(CovarianceEstimator):
    name = "HC2"
    description = "robust HC2 (sandwich, 1/(1-h))"

    def cov(self, parts):
        return parts.sandwich(1.0 / (1.0 - parts.hat()))


class HC3(CovarianceEstimator):
    name = "HC3"
    description = "robust HC3 (sandwich, 1/(1-h)^2)"

    def cov(self, parts):
        return parts.sandwich(1.0 / (1.0 - parts.hat()) ** 2)


class Cluster(CovarianceEstimator):
    name = "cluster"
    description = "cluster-robust (HC1-type adjustment)"
    needs_groups = True

    def cov(self, parts):
        if parts.groups is None:
            raise SpecificationError("cov_type='cluster' needs groups= (a column name or array)")
        codes, uniq = _codes(parts.groups)
        G = len(uniq)
        if G < 2:
            raise DataError("cov_type='cluster' needs at least two clusters in groups=")
        U = parts.X * (parts.weights * parts.score)[:, None]
        sums = np.zeros((G, U.shape[1]))
        np.add.at(sums, codes, U)
        n, k = parts.nobs, parts.X.shape[1]
        meat = sums.T @ sums * (G / (G - 1.0)) * ((n - 1.0) / (n - k))
        return parts.bread @ meat @ parts.bread


def _codes(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    codes, uniq = pd.factorize(np.asarray(groups), sort=True)
    return codes, uniq


REGISTRY: dict[str, type[CovarianceEstimator]] = {
    cls.name.lower(): cls for cls in (Nonrobust, HC0, HC1, HC2, HC3, Cluster)}


def get_estimator(cov_type: str) -> CovarianceEstimator:
    """Look up a covariance estimator by name (case-insensitive)."""
    key = str(cov_type).lower()
    if key not in REGISTRY:
        raise SpecificationError(
            f"unknown cov_type {cov_type!r}: choose one of "
            f"{', '.join(repr(c.name) for c in REGISTRY.values())}")
    return REGISTRY[key]()
