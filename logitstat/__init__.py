"""logitstat: statistical inference on binary outcomes.

>>> import logitstat as ls
>>> res = ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", ls.datasets.load("mroz"))
>>> print(res.summary())  # doctest: +SKIP
"""
from __future__ import annotations

from . import datasets
from .api import glm, logit, lr_test, probit
from .errors import (CollinearityError, CollinearityWarning, ConvergenceError, ConvergenceWarning,
                     DataError, DomainWarning, FormulaError, LogitstatError, LogitstatWarning,
                     MissingDataError, PredictionError, ResponseError, SeparationWarning,
                     SpecificationError)
from .links import get_link
from .results import BinaryResults

__version__ = "0.1.0"

__all__ = [
    "glm", "logit", "probit", "lr_test", "datasets", "get_link", "BinaryResults",
    "LogitstatError", "LogitstatWarning", "ConvergenceWarning", "ConvergenceError",
    "SeparationWarning", "CollinearityError", "CollinearityWarning", "DataError", "FormulaError",
    "ResponseError", "MissingDataError", "PredictionError", "SpecificationError", "DomainWarning",
]
