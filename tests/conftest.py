"""Shared test helpers: R reference cases copied into tests/reference/cases, coefficient-name
matching against R, and the Mroz data of tests/reference/data."""
from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logitstat as ls

REF = Path(__file__).resolve().parent / "reference"
CASES = REF / "cases"
DATA = REF / "data"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.json").exists())
# R's coefficient order of lfp ~ k5 + k618 + age + wc + hc + lwg + inc on the Mroz data
MROZ_R_ORDER = ["Intercept", "k5", "k618", "age", "wc[T.yes]", "hc[T.yes]", "lwg", "inc"]


def load_case(name: str) -> tuple[pd.DataFrame, dict]:
    """Data frame (with R's column types and level orders) and R's expected values of a case."""
    ex = json.loads((CASES / name / "expected.json").read_text())
    df = pd.read_csv(CASES / name / "data.csv")
    for col, spec in ex["columns"].items():
        if spec["kind"] == "categorical":
            df[col] = pd.Categorical(df[col].astype("string").astype(object).where(df[col].notna()),
                                     categories=spec["levels"])
        elif spec["kind"] == "bool":
            df[col] = df[col].astype(bool)
    return df, ex


def fit_reference_case(name: str):
    """A case fitted as R fitted it (its formula, link and weights), warnings silenced.

    Returns ``(df, ex, kw, res)``, ``kw`` holding the ``weights=`` argument if any.
    """
    df, ex = load_case(name)
    kw = {"weights": ex["weights"]} if ex.get("weights") else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ls.LogitstatWarning)
        res = ls.glm(ex["formula"], df, link=ex["link"], **kw)
    return df, ex, kw, res


def canon(name: str) -> str:
    """One spelling for R and patsy coefficient names: 'sex[T.male]:age' ~ 'sexmale:age',
    'np.log(x)' ~ 'log(x)'."""
    name = str(name).strip()
    if name in ("Intercept", "(Intercept)"):
        return "(Intercept)"
    parts = []
    for piece in name.split(":"):
        piece = re.sub(r"^C\((\w+)\)", r"\1", piece).replace("np.", "")
        parts.append(piece.replace("[T.", "").replace("[", "").replace("]", "").replace(" ", ""))
    return ":".join(sorted(parts))


def r_order(r_names: list[str], names: list[str]) -> np.ndarray:
    """Positions in our order of R's coefficients."""
    index = {canon(n): j for j, n in enumerate(names)}
    return np.array([index[canon(n)] for n in r_names])


@pytest.fixture(params=CASE_NAMES)
def case(request):
    return (request.param, *load_case(request.param))


@pytest.fixture(scope="module")
def mroz():
    """Mroz's labour-force data (tests/reference/data/mroz.csv) with R's factor levels."""
    df = pd.read_csv(DATA / "mroz.csv")
    for c in ("lfp", "wc", "hc"):
        df[c] = pd.Categorical(df[c], categories=["no", "yes"])
    return df
