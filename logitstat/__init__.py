"""logitstat: statistical inference on binary outcomes.

>>> import logitstat as ls
>>> res = ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", ls.datasets.load("mroz"))
>>> print(res.summary())  # doctest: +SKIP
"""
from __future__ import annotations

import sys as _sys

from . import _aliases
from . import datasets
from .api import glm, logit, lr_test, probit
from .common.persist import DataRemovedError, load
from .diagnostics.thresholds import average_precision, choose_threshold, precision_recall_curve
from .errors import AlreadyFittedError
from .errors import (CollinearityError, CollinearityWarning, ConvergenceError, ConvergenceWarning,
                     DataError, DataWarning, DomainWarning, FormulaError, LogitstatError,
                     LogitstatWarning, MissingDataError, PredictionError, ResponseError,
                     SeparationWarning, SpecificationError)
from .fitting.links import get_link
from .models.binary.results import BinaryResults
from .models.binary.smmodels import Logit, Probit
from .models.classweighted.results import ClassWeightedResults, class_weights
from .models.multinomial.results import MNLogitResults, mnlogit
from .models.penalized.results import CVResults, PathResults, PenalizedResults, logit_cv, logit_path
from .report import plots
from .report.compare import compare

__version__ = "0.1.0"

# Old flat module paths (``logitstat.results``, ``logitstat.irls``...) import the module at its new
# home.  Modules already imported above are registered under their old names now, so importing an
# old path never rebinds a name of this namespace (``logitstat.compare`` stays the function).
_aliases.install()
for _old, _new in _aliases.OLD_TO_NEW.items():
    if _new in _sys.modules:
        _sys.modules.setdefault(_old, _sys.modules[_new])
del _old, _new


def __getattr__(name: str):
    """``logitstat.<old module name>`` without importing it first, as before the layered layout."""
    return _aliases.old_name(name)


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
