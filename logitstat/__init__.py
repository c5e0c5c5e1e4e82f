"""logitstat: statistical inference on binary outcomes.

>>> import logitstat as ls
>>> res = ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", ls.datasets.load("mroz"))
>>> print(res.summary())  # doctest: +SKIP
"""
from __future__ import annotations

from . import datasets, plots
from .compare import compare
from .api import glm, logit, lr_test, probit
from .errors import (CollinearityError, CollinearityWarning, ConvergenceError, ConvergenceWarning,
                     DataError, DataWarning, DomainWarning, FormulaError, LogitstatError,
                     LogitstatWarning, MissingDataError, PredictionError, ResponseError,
                     SeparationWarning, SpecificationError)
from .links import get_link
from .persist import DataRemovedError, load
from .results import BinaryResults
from .errors import AlreadyFittedError
from .smmodels import Logit, Probit
from .multinomial import MNLogitResults, mnlogit
from .penresults import CVResults, PathResults, PenalizedResults, logit_cv, logit_path
from .classweights import ClassWeightedResults, class_weights
from .thresholds import average_precision, choose_threshold, precision_recall_curve

__version__ = "0.1.0"

__all__ = [
    "glm", "logit", "probit", "lr_test", "compare", "datasets", "plots", "get_link", "BinaryResults",
    "LogitstatError", "LogitstatWarning", "ConvergenceWarning", "ConvergenceError",
    "SeparationWarning", "CollinearityError", "CollinearityWarning", "DataError", "DataWarning", "FormulaError",
    "ResponseError", "MissingDataError", "PredictionError", "SpecificationError", "DomainWarning",
    "mnlogit", "MNLogitResults", "logit_path", "logit_cv", "PenalizedResults", "PathResults",
    "CVResults", "ClassWeightedResults", "class_weights", "choose_threshold",
    "precision_recall_curve", "average_precision", "load", "DataRemovedError",
    "Logit", "Probit", "AlreadyFittedError",
]
