"""Every exception and warning logitstat raises.

All errors derive from :class:`LogitstatError`; errors about the user's input also derive from
:class:`ValueError`, so ``except ValueError`` keeps working.  All warnings derive from
:class:`LogitstatWarning`.  Messages name the column, level or term at fault and say what to do.
"""
from __future__ import annotations

import functools
import os
import sys

__all__ = ["LogitstatError", "LogitstatWarning", "FormulaError", "DataError", "ResponseError",
           "MissingDataError", "CollinearityError", "SpecificationError", "PredictionError",
           "ConvergenceError", "ConvergenceWarning", "SeparationWarning", "CollinearityWarning",
           "DomainWarning", "DataWarning"]


class LogitstatError(Exception):
    """Base class of every logitstat error."""


class LogitstatWarning(UserWarning):
    """Base class of every logitstat warning."""


class FormulaError(LogitstatError, ValueError):
    """The formula cannot be parsed or evaluated against the data."""


class DataError(LogitstatError, ValueError):
    """The data are unusable as given (missing column, bad values, wrong shape, ...)."""


class ResponseError(DataError):
    """The response is not binary (0/1, bool, two levels) or grouped successes + failures."""


class MissingDataError(DataError):
    """Missing values were found and ``missing="raise"`` was asked for."""


class CollinearityError(LogitstatError, ValueError):
    """Columns of the design matrix are exactly linearly dependent."""


class SpecificationError(LogitstatError, ValueError):
    """An option has an unknown or inconsistent value (link, covariance type, method, ...)."""


class PredictionError(DataError):
    """New data for prediction do not fit the model (unknown level, missing column, ...)."""


class ConvergenceError(LogitstatError, RuntimeError):
    """The fit could not proceed at all (e.g. the deviance is not finite at any step)."""


class AlreadyFittedError(LogitstatError, AttributeError):
    """``.fit()`` was called on results: ``ls.logit`` / ``probit`` / ``glm`` already fit the model
    (statsmodels' ``smf.logit(...).fit()`` habit); an ``AttributeError``, as a missing method."""


class ConvergenceWarning(LogitstatWarning):
    """The iterations stopped before the convergence criterion was met."""


class SeparationWarning(LogitstatWarning):
    """The data are (quasi-)completely separated: some estimates run to infinity."""


class CollinearityWarning(LogitstatWarning):
    """The design is close to collinear (large condition number or VIF)."""


class DomainWarning(LogitstatWarning):
    """A quantity was requested that is not meaningful for this model (e.g. odds ratios of a probit)."""


class DataWarning(LogitstatWarning):
    """Some values of the data could not be used as given (e.g. a transformation such as
    ``np.log(x)`` is undefined for some rows, which are then treated as missing)."""


def user_stacklevel() -> int:
    """``stacklevel`` for a warning issued by the calling function: that of the first frame
    outside the logitstat package (and ``functools``, whose ``cached_property`` computes the
    results' attributes), so that the warning points at the user's line."""
    here = os.path.dirname(os.path.abspath(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and (os.path.abspath(frame.f_code.co_filename).startswith(here)
                                 or frame.f_code.co_filename == functools.__file__):
        frame, level = frame.f_back, level + 1
    return level
