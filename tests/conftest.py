"""Shared test helpers: R reference cases copied into tests/reference/cases."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REF = Path(__file__).resolve().parent / "reference"
CASES = REF / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "expected.json").exists())


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


def canon(name: str) -> str:
    """One spelling for R and patsy coefficient names: 'sex[T.male]:age' ~ 'sexmale:age'."""
    name = str(name).strip()
    if name in ("Intercept", "(Intercept)"):
        return "(Intercept)"
    parts = []
    for piece in name.split(":"):
        piece = re.sub(r"^C\((\w+)\)", r"\1", piece)
        parts.append(piece.replace("[T.", "").replace("[", "").replace("]", "").replace(" ", ""))
    return ":".join(sorted(parts))


def r_order(r_names: list[str], names: list[str]) -> np.ndarray:
    """Positions in our order of R's coefficients."""
    index = {canon(n): j for j, n in enumerate(names)}
    return np.array([index[canon(n)] for n in r_names])


@pytest.fixture(params=CASE_NAMES)
def case(request):
    return (request.param, *load_case(request.param))
