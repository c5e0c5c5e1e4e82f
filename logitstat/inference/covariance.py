r"""Covariance estimators for the coefficients: small classes behind a name registry.

Every estimator is built from a *bread* :math:`B` and per-row scores.  The bread is the inverse
information: by default the expected (Fisher) information :math:`X^\top W X` of the IRLS fit, as
R's ``vcov(glm)``; with ``information="observed"`` the observed information
:math:`-\partial^2\ell/\partial\beta\,\partial\beta^\top` (see :func:`observed_information`),
which is the same matrix for the canonical logit link and differs for probit, cloglog, cauchit.

The sandwich types use the score of one unit of row :math:`i`,
:math:`u_i = s_i x_i` with :math:`s_i = m_i (y_i - \mu_i)\,\mu'(\eta_i) / (\mu_i(1-\mu_i))`
(R's ``estfun.glm``), counted :math:`w_i` times for a frequency weight :math:`w_i` — so a
frequency weight behaves exactly like duplicated rows:

.. math::

    V_{HC} = B \Big(\sum_i w_i\, \omega_i\, s_i^2\, x_i x_i^\top\Big) B,

with :math:`\omega_i = 1` (HC0), :math:`n/(n-k)` (HC1), :math:`1/(1-h_i)` (HC2),
:math:`1/(1-h_i)^2` (HC3); :math:`n = \sum_i w_i`, :math:`k` the number of coefficients and
:math:`h_i = W_i\,x_i^\top (X^\top W X)^{-1} x_i` the IRLS hat value of one unit of row :math:`i`
(always from the Fisher information, as ``sandwich`` does).  Without weights this is
``sandwich::vcovHC(fit, type=...)``.

``cluster`` sums the scores within each cluster :math:`g = 1..G`,
:math:`U_g = \sum_{i \in g} w_i u_i`, and is ``sandwich::vcovCL``:

.. math::

    V_{CL} = c\; B \Big(\sum_g U_g U_g^\top\Big) B, \qquad
    c = \underbrace{\frac{G}{G-1}}_{\texttt{cadjust}}\;
        \underbrace{\frac{n-1}{n-k}}_{\texttt{type="HC1"} \text{ only}}.

The default is ``vcovCL``'s for a glm — and Stata's ``vce(cluster)`` for ``logit``/``probit`` —
the HC1-type cluster adjustment :math:`c = G/(G-1)` (``type="HC0"``, ``cadjust=True``; the
extra :math:`(n-1)/(n-k)` is ``vcovCL``'s default only for ``lm``).  ``cov_kwds={"type": "HC1"}``
adds that factor and ``cov_kwds={"cadjust": False}`` drops :math:`G/(G-1)`.  With every row its
own cluster, ``cadjust=False`` gives HC0 and ``type="HC1"`` gives HC1.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import linalg

from ..errors import DataError, DataWarning, SpecificationError, user_stacklevel
from ..fitting import kernels
from ..fitting.family import observed_weights
from ..fitting.kernels import weighted_gram
from ..fitting.links import Link
from . import clustering

__all__ = ["CovarianceEstimator", "Nonrobust", "HC0", "HC1", "HC2", "HC3", "Cluster",
           "get_estimator", "ScoreParts"]

INFORMATION = ("expected", "observed")


@dataclass(frozen=True)
class ScoreParts:
    """What the sandwich estimators need from a fit.

    Attributes
    ----------
    X : ndarray (n, p)
    bread : ndarray (p, p)
        Inverse information (expected or observed).
    score : ndarray (n,)
        :math:`s_i`, the score of one unit of each row divided by :math:`x_i`.
    unit_weight : ndarray (n,)
        IRLS working weight of one unit of each row (for hat values).
    weights : ndarray (n,)
        Frequency weights.
    groups : ndarray or None
        Cluster labels.
    fisher_cov : ndarray (p, p) or None
        Inverse Fisher information for the hat values; ``bread`` when None.
    """

    X: np.ndarray
    bread: np.ndarray
    score: np.ndarray
    unit_weight: np.ndarray
    weights: np.ndarray
    groups: np.ndarray | None = None
    fisher_cov: np.ndarray | None = None

    def __repr__(self) -> str:  # arrays by shape, not their values
        from ..common.displays import compact_repr
        return compact_repr(self)

    @property
    def nobs(self) -> float:
        """:math:`n = \\sum_i w_i`."""
        return float(np.sum(self.weights))

    def hat(self) -> np.ndarray:
        r"""Unit hat values :math:`h_i = W_i\, x_i^\top (X^\top W X)^{-1} x_i` (in row blocks)."""
        cov = self.bread if self.fisher_cov is None else self.fisher_cov
        return self.unit_weight * kernels.row_quadratic(self.X, cov)

    def sandwich(self, row_factor: np.ndarray | float = 1.0) -> np.ndarray:
        r""":math:`B\,(\sum_i f_i w_i s_i^2 x_i x_i^\top)\,B`."""
        c = self.weights * row_factor * self.score ** 2
        meat = kernels.gram(self.X, c)
        return _symmetric(self.bread @ meat @ self.bread)


def _symmetric(a: np.ndarray) -> np.ndarray:
    return (a + a.T) / 2.0


# --------------------------------------------------------------------------- information


def observed_information(X: np.ndarray, y: np.ndarray, trials: np.ndarray, weights: np.ndarray,
                         eta: np.ndarray, link: Link) -> np.ndarray:
    r"""Observed information :math:`-\nabla^2\ell(\beta) = X^\top \mathrm{diag}(v) X` (see :func:`observed_weights`)."""
    v = observed_weights(y, trials, weights, eta, link)
    return _symmetric(weighted_gram(X, v)[0])   # v may be negative for non-canonical links


def invert_information(info: np.ndarray, what: str = "observed information") -> np.ndarray:
    """Inverse of a symmetric information matrix; a clear error when it is not positive definite."""
    d = np.sqrt(np.abs(np.diag(info)))
    if np.any(d == 0) or not np.all(np.isfinite(info)):
        raise SpecificationError(f"the {what} is singular at the estimate; use information='expected'")
    scaled = info / np.outer(d, d)
    try:
        c = linalg.cho_factor(scaled, lower=True, check_finite=False)
    except linalg.LinAlgError:
        raise SpecificationError(
            f"the {what} is not positive definite at the estimate (the log-likelihood is not "
            "concave there: has the fit converged?); use information='expected'") from None
    inv = linalg.cho_solve(c, np.eye(len(d)), check_finite=False) / np.outer(d, d)
    return _symmetric(inv)


# --------------------------------------------------------------------------- estimators


class CovarianceEstimator:
    """Base class: ``name`` is the registry key; ``options`` are the accepted ``cov_kwds``."""

    name = ""
    needs_groups = False
    options: dict[str, tuple] = {}

    def __init__(self, **kwds):
        unknown = [k for k in kwds if k not in self.options]
        if unknown:
            allowed = ", ".join(repr(k) for k in self.options) or "none"
            raise SpecificationError(f"cov_type={self.name!r} does not take option(s) "
                                     f"{', '.join(map(repr, unknown))} (accepted: {allowed})")
        self.kwds = {k: v[0] for k, v in self.options.items()}
        for k, v in kwds.items():
            if v not in self.options[k]:
                raise SpecificationError(f"cov_kwds[{k!r}]={v!r} for cov_type={self.name!r}: choose "
                                         f"one of {', '.join(map(repr, self.options[k]))}")
            self.kwds[k] = v

    @property
    def description(self) -> str:
        """Short description shown in the summary."""
        return self.name

    def cov(self, parts: ScoreParts) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.kwds.items())})"


class Nonrobust(CovarianceEstimator):
    """Inverse information, as R's ``vcov(glm)``."""

    name = "nonrobust"

    @property
    def description(self):
        return "nonrobust"

    def cov(self, parts):
        return parts.bread


class HC0(CovarianceEstimator):
    """White's sandwich, no small-sample factor."""

    name = "HC0"

    @property
    def description(self):
        return "robust HC0 (sandwich)"

    def cov(self, parts):
        return parts.sandwich()


class HC1(CovarianceEstimator):
    """Sandwich times :math:`n/(n-k)`."""

    name = "HC1"

    @property
    def description(self):
        return "robust HC1 (sandwich, n/(n-k))"

    def cov(self, parts):
        n, k = parts.nobs, parts.X.shape[1]
        if n <= k:
            raise DataError(f"HC1 needs more observations ({n:g}) than coefficients ({k})")
        return parts.sandwich() * n / (n - k)


class _Leverage(CovarianceEstimator):
    power = 1

    def cov(self, parts):
        h = parts.hat()
        bad = np.flatnonzero(h >= 1.0 - 1e-10)
        if bad.size:
            raise DataError(f"{self.name} is undefined: {bad.size} row(s) (first: position {bad[0]}) "
                            "have hat value 1, i.e. a coefficient is determined by them alone; use "
                            "HC0 or HC1, or simplify the model")
        return parts.sandwich(1.0 / (1.0 - h) ** self.power)


class HC2(_Leverage):
    """Sandwich with rows scaled by :math:`1/(1-h_i)`."""

    name = "HC2"
    power = 1

    @property
    def description(self):
        return "robust HC2 (sandwich, 1/(1-h))"


class HC3(_Leverage):
    """Sandwich with rows scaled by :math:`1/(1-h_i)^2`."""

    name = "HC3"
    power = 2

    @property
    def description(self):
        return "robust HC3 (sandwich, 1/(1-h)^2)"


class Cluster(CovarianceEstimator):
    """Cluster-robust sandwich as ``sandwich::vcovCL``, one-way or two-way (``groups=`` with two
    columns); options ``type`` (HC0-HC3), ``cadjust``, ``multi0``, ``fix`` (see
    :mod:`logitstat.inference.clustering`)."""

    name = "cluster"
    needs_groups = True
    options = {"type": ("HC0", "HC1", "HC2", "HC3"), "cadjust": (True, False),
               "multi0": (False, True), "fix": (False, True)}

    @property
    def description(self):
        kind, parts = self.kwds["type"], []
        if kind in ("HC2", "HC3"):
            parts.append("(I-H_gg)^-1/2" if kind == "HC2" else "(I-H_gg)^-1")
            if not self.kwds["cadjust"]:
                parts.append("(G-1)/G")
        elif self.kwds["cadjust"]:
            parts.append("G/(G-1)")
        if kind == "HC1":
            parts.append("(n-1)/(n-k)")
        adj = " x ".join(parts) if parts else "no adjustment"
        return f"cluster-robust{' ' + kind if kind in ('HC2', 'HC3') else ''} ({adj})"

    def cov(self, parts):
        if parts.groups is None:
            raise SpecificationError("cov_type='cluster' needs groups= (a column name or one "
                                     "label per row; two columns for two-way clustering)")
        counts = clustering.group_counts(parts.groups)
        if min(counts) < MIN_CLUSTERS:
            G = " and ".join(map(str, counts))
            warnings.warn(f"only {G} clusters in groups=: cluster-robust standard errors are "
                          f"unreliable with fewer than {MIN_CLUSTERS} clusters (they need a few "
                          "dozen): treat their p-values and intervals with caution, or model the "
                          "clusters (e.g. as a fixed effect) instead", DataWarning, stacklevel=user_stacklevel())
        n, k = parts.nobs, parts.X.shape[1]
        factor = 1.0
        if self.kwds["type"] == "HC1":
            if n <= k:
                raise DataError(f"the HC1 adjustment needs more observations ({n:g}) than "
                                f"coefficients ({k}); use the default cov_kwds={{'type': 'HC0'}}")
            factor = (n - 1.0) / (n - k)
        fisher = parts.bread if parts.fisher_cov is None else parts.fisher_cov
        meat = clustering.cluster_meat(parts.X, parts.score, parts.weights, parts.unit_weight, fisher,
                                       parts.groups, kind=self.kwds["type"],
                                       cadjust=self.kwds["cadjust"], multi0=self.kwds["multi0"])
        V = _symmetric(factor * (parts.bread @ meat @ parts.bread))
        return eigen_clip(V) if self.kwds["fix"] else V


def eigen_clip(V: np.ndarray) -> np.ndarray:
    """``vcovCL(fix=TRUE)``: negative eigenvalues (possible for two-way clustering) set to zero."""
    lam, Q = np.linalg.eigh(V)
    if lam.min() >= 0:
        return V
    return _symmetric((Q * np.maximum(lam, 0.0)) @ Q.T)


#: fewer clusters than this make ``cluster`` warn: the sandwich's middle is then a sum of few
#: outer products and understates the variance (Cameron & Miller 2015, J. Human Resources 50:
#: 317-372, put "few" at 20 to 50); the user guide asks for a few dozen at least
MIN_CLUSTERS = 20


REGISTRY: dict[str, type[CovarianceEstimator]] = {
    cls.name.lower(): cls for cls in (Nonrobust, HC0, HC1, HC2, HC3, Cluster)}


def get_estimator(cov_type: str, cov_kwds: dict | None = None) -> CovarianceEstimator:
    """Look up a covariance estimator by name (case-insensitive) and configure it.

    Raises
    ------
    SpecificationError
        For an unknown name or option; there is never a silent fallback.
    """
    key = str(cov_type).lower()
    if key not in REGISTRY:
        raise SpecificationError(
            f"unknown cov_type {cov_type!r}: choose one of "
            f"{', '.join(repr(c.name) for c in REGISTRY.values())}")
    if cov_kwds is not None and not isinstance(cov_kwds, dict):
        raise SpecificationError(f"cov_kwds must be a dict of options; got {type(cov_kwds).__name__}")
    return REGISTRY[key](**(cov_kwds or {}))


def check_information(information: str) -> str:
    """Validate ``information=`` (``"expected"`` or ``"observed"``)."""
    if information not in INFORMATION:
        raise SpecificationError(f"information={information!r}: choose 'expected' (Fisher, as R's "
                                 "glm) or 'observed' (observed Hessian)")
    return information
