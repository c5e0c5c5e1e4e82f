r"""Link functions for binary and binomial responses.

Each link is a tiny stateless object mapping the linear predictor :math:`\eta` to the
probability :math:`\mu = g^{-1}(\eta)`.  The inverse link and its derivative are clamped exactly
as R's ``make.link`` does, so iterates match ``stats::glm`` and nothing overflows on extreme
data; the log-probabilities used for the likelihood are computed from :math:`\eta` with stable
formulas (``log_expit``, ``log_ndtr``, ``expm1``) and need no clamp.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from ..errors import SpecificationError

__all__ = ["Link", "Logit", "Probit", "CLogLog", "Cauchit", "LINKS", "get_link"]

EPS = np.finfo(float).eps


class Link:
    """Base class: subclasses define the five functions below for one link."""

    name: str = ""
    canonical: bool = False

    def linkfun(self, mu: np.ndarray) -> np.ndarray:
        r""":math:`\eta = g(\mu)`."""
        raise NotImplementedError

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        r""":math:`\mu = g^{-1}(\eta)`, clamped to :math:`[\epsilon, 1-\epsilon]` as R does."""
        raise NotImplementedError

    def mu_eta(self, eta: np.ndarray) -> np.ndarray:
        r""":math:`d\mu/d\eta`, bounded below by machine epsilon as R does."""
        raise NotImplementedError

    def mu_eta2(self, eta: np.ndarray) -> np.ndarray:
        r""":math:`d^2\mu/d\eta^2` (for the observed information)."""
        raise NotImplementedError

    def mu_eta3(self, eta: np.ndarray) -> np.ndarray:
        r""":math:`d^3\mu/d\eta^3` (for the Jacobian of Firth's adjusted score)."""
        raise NotImplementedError

    def log_probs(self, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r""":math:`(\log\mu, \log(1-\mu))` computed stably from :math:`\eta`."""
        raise NotImplementedError

    def score_ratios(self, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r""":math:`(\mu'/\mu,\ \mu'/(1-\mu))`: an event's score is the first times
        :math:`x_i`, a non-event's minus the second, and Fisher's weight is their product.

        As IRLS forms its score (:mod:`logitstat.fitting.irls`), so that the overlap
        certificate (:mod:`logitstat.diagnostics.certificate`) combines the rows with the very
        multipliers the fit set to zero: by default from R's clamped :meth:`linkinv` and
        :meth:`mu_eta`, as IRLS computes them.
        """
        mu, dmu = self.linkinv(eta), self.mu_eta(eta)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return dmu / mu, dmu / (1.0 - mu)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Logit(Link):
    r"""Logistic link :math:`\eta = \log(\mu/(1-\mu))`, the canonical link."""

    name = "logit"
    canonical = True
    _thresh = 30.0  # R: eta beyond +-30 gives mu = eps/(1+eps) or 1/(1+eps)

    def linkfun(self, mu):
        return special.logit(mu)

    def linkinv(self, eta):
        e = np.exp(np.clip(eta, -self._thresh, self._thresh))
        tiny = eta < -self._thresh
        big = eta > self._thresh
        e = np.where(tiny, EPS, np.where(big, 1.0 / EPS, e))
        return e / (1.0 + e)

    def mu_eta(self, eta):
        e = np.exp(-np.abs(np.clip(eta, -self._thresh, self._thresh)))
        out = e / (1.0 + e) ** 2
        return np.where(np.abs(eta) > self._thresh, EPS, out)

    def mu_eta2(self, eta):
        mu = special.expit(eta)
        return mu * (1.0 - mu) * (1.0 - 2.0 * mu)

    def mu_eta3(self, eta):
        mu = special.expit(eta)
        v = mu * (1.0 - mu)
        return v * ((1.0 - 2.0 * mu) ** 2 - 2.0 * v)

    def log_probs(self, eta):
        return special.log_expit(eta), special.log_expit(-eta)


class Probit(Link):
    r"""Probit link :math:`\eta = \Phi^{-1}(\mu)`."""

    name = "probit"
    _thresh = -special.ndtri(EPS)  # 8.1258906647

    def linkfun(self, mu):
        return special.ndtri(mu)

    def linkinv(self, eta):
        return special.ndtr(np.clip(eta, -self._thresh, self._thresh))

    def mu_eta(self, eta):
        return np.maximum(np.exp(-0.5 * eta * eta) / np.sqrt(2.0 * np.pi), EPS)

    def mu_eta2(self, eta):
        return -eta * np.exp(-0.5 * eta * eta) / np.sqrt(2.0 * np.pi)

    def mu_eta3(self, eta):
        e = np.clip(eta, -40.0, 40.0)  # beyond, the density underflows to 0
        return (e * e - 1.0) * np.exp(-0.5 * e * e) / np.sqrt(2.0 * np.pi)

    def log_probs(self, eta):
        return special.log_ndtr(eta), special.log_ndtr(-eta)


class CLogLog(Link):
    r"""Complementary log-log link :math:`\eta = \log(-\log(1-\mu))`."""

    name = "cloglog"

    def linkfun(self, mu):
        return np.log(-np.log1p(-mu))

    def linkinv(self, eta):
        return np.clip(-np.expm1(-np.exp(np.minimum(eta, 700.0))), EPS, 1.0 - EPS)

    def mu_eta(self, eta):
        e = np.minimum(eta, 700.0)
        return np.maximum(np.exp(e - np.exp(e)), EPS)

    def mu_eta2(self, eta):
        e = np.minimum(eta, 700.0)
        ee = np.exp(e)
        return np.exp(e - ee) * (1.0 - ee)

    def mu_eta3(self, eta):
        e = np.minimum(eta, 30.0)  # beyond, exp(e - e^e) underflows to 0 (and (1-e^e)^2 overflows)
        ee = np.exp(e)
        return np.exp(e - ee) * ((1.0 - ee) ** 2 - ee)

    def log_probs(self, eta):
        ee = np.exp(np.minimum(eta, 700.0))
        with np.errstate(divide="ignore"):  # log1mexp: accurate in both regimes (Maechler 2012)
            log_mu = np.where(ee > np.log(2.0), np.log1p(-np.exp(-ee)), np.log(-np.expm1(-ee)))
        return log_mu, -ee

    def score_ratios(self, eta):
        r"""From :math:`t = e^\eta` without :math:`1-\mu`, as IRLS's cloglog working quantities
        (:mod:`logitstat.fitting.working`): :math:`\mu'/\mu = t/\mathrm{expm1}(t)` (1 as
        :math:`t \to 0`; it underflows to 0 for :math:`\eta > 6.6`) and
        :math:`\mu'/(1-\mu) = t`, unclamped (R's clamped :math:`1-\mu` would make it 1)."""
        t = np.exp(np.minimum(eta, 700.0))
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            up = np.where(t > 1e-300, t / np.expm1(t), 1.0)
        return up, t


class Cauchit(Link):
    r"""Cauchit link :math:`\eta = \tan(\pi(\mu - 1/2))`."""

    name = "cauchit"
    _thresh = -np.tan(np.pi * (EPS - 0.5))  # R: -qcauchy(eps)

    def linkfun(self, mu):
        return np.tan(np.pi * (mu - 0.5))

    def linkinv(self, eta):
        e = np.clip(eta, -self._thresh, self._thresh)
        return np.arctan2(1.0, -e) / np.pi  # = 1/2 + atan(e)/pi, exact in both tails

    def mu_eta(self, eta):
        return np.maximum(1.0 / (np.pi * (1.0 + eta * eta)), EPS)

    def mu_eta2(self, eta):
        return -2.0 * eta / (np.pi * (1.0 + eta * eta) ** 2)

    def mu_eta3(self, eta):
        e = np.clip(eta, -1e150, 1e150)
        t = 1.0 / (1.0 + e * e)  # (6 eta^2 - 2) / (pi (1+eta^2)^3), without overflow
        return t * t * (6.0 - 8.0 * t) / np.pi

    def log_probs(self, eta):
        return np.log(np.arctan2(1.0, -eta) / np.pi), np.log(np.arctan2(1.0, eta) / np.pi)


LINKS: dict[str, type[Link]] = {cls.name: cls for cls in (Logit, Probit, CLogLog, Cauchit)}


def get_link(link: str | Link) -> Link:
    """Return the link object for a name (``"logit"``, ``"probit"``, ``"cloglog"``, ``"cauchit"``).

    Raises
    ------
    SpecificationError
        If the name is unknown.
    """
    if isinstance(link, Link):
        return link
    key = str(link).lower()
    if key not in LINKS:
        raise SpecificationError(
            f"unknown link {link!r}: choose one of {', '.join(repr(k) for k in LINKS)}")
    return LINKS[key]()
