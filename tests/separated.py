"""Separated data of tests/reference/data/diagnostics/separation.json (tests/reference/r/
diagnostics.R, R 4.2.2), fitted by maximum likelihood with each link.

Which estimates run to infinity is known by construction (``truth_infinite``, e.g. y = 1 exactly
when x > 10.5) and does not depend on the link.  Under *complete* separation no row is left to
identify anything, so every coefficient that does not diverge is undetermined; under the
quasi-complete separation of these data the rows that overlap identify the rest.
"""
from __future__ import annotations

import json
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

import logitstat as ls
from conftest import canon

SEP = json.loads((Path(__file__).resolve().parent / "reference" / "data" / "diagnostics"
                  / "separation.json").read_text())
FORMULAS = {"complete_one": "y ~ x + z", "complete_two": "y ~ x1 + x2", "quasi_factor": "y ~ g + x",
            "quasi_tied": "y ~ x", "grouped": "succ + fail ~ trt + dose",
            "straddling_intercept": "y ~ x", "endometrial": "HG ~ NV + PI + EH"}
CASES = sorted(FORMULAS)
LINKS = ["logit", "probit", "cloglog", "cauchit"]


def frame(name: str) -> pd.DataFrame:
    return pd.DataFrame(SEP[name]["data"])


@lru_cache(maxsize=None)
def separated_fit(name: str, link: str = "logit", method: str = "irls"):
    """The fit (warnings silenced; do not modify it) and the true directions and undetermined
    mask, in the fit's coefficient order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.LogitstatWarning)
        res = ls.glm(FORMULAS[name], frame(name), link=link, method=method)
    truth = {canon(k): v for k, v in (SEP[name]["truth_infinite"] or {}).items()}
    directions = np.array([truth.get(canon(n), 0) for n in res.names])
    undetermined = (directions == 0) & (SEP[name]["truth_kind"] == "complete")
    return res, directions, undetermined


def intercept_separated_frame() -> pd.DataFrame:
    """Issue 11's data: y = 1 whenever x > 1, where g = "a", so that the intercept (level a)
    runs to +inf and g[T.b], g[T.c] to -inf; x and z are identified by levels b and c."""
    rng = np.random.default_rng(1)
    n = 200
    x, z = rng.normal(size=n), rng.normal(size=n)
    g = np.where(x > 1, "a", np.where(rng.random(n) < .5, "b", "c"))
    return pd.DataFrame({"x": x, "z": z, "g": g,
                         "y": np.where(x > 1, 1, (rng.random(n) < .4).astype(int))})
