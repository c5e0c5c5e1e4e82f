"""Bundled datasets: the published counts of each, and their documentation."""
from __future__ import annotations

import pandas as pd
import pytest

import logitstat as ls

# rows, and the number of events as published with each dataset
PUBLISHED = {
    "mroz": (753, lambda d: (d["lfp"] == "yes").sum(), 428),          # Mroz (1987): 428 in the labour force
    "birthwt": (189, lambda d: d["low"].sum(), 59),                   # Hosmer & Lemeshow: 59 low weight
    "titanic": (1309, lambda d: (d["survived"] == "yes").sum(), 500),  # 500 survivors in titanic3
    "infert": (248, lambda d: d["case"].sum(), 83),                   # 83 cases, 165 controls
    "budworm": (12, lambda d: d["numdead"].sum(), 111),               # 111 of 240 moths died
    "endometrial": (79, lambda d: d["HG"].sum(), 30),                 # 30 high-grade tumours
    "mtcars": (32, lambda d: d["am"].sum(), 13),                      # 13 manual cars
}


def test_every_dataset_is_covered():
    assert sorted(PUBLISHED) == ls.datasets.names()


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_counts(name):
    rows, count, expected = PUBLISHED[name]
    df = ls.datasets.load(name)
    assert len(df) == rows
    assert int(count(df)) == expected


def test_known_structure():
    assert ls.datasets.load("titanic")["age"].isna().sum() == 263
    b = ls.datasets.load("budworm")
    assert ((b["numdead"] + b["numalive"]) == 20).all()
    e = ls.datasets.load("endometrial")
    assert (e.loc[e["NV"] == 1, "HG"] == 1).all()  # the quasi-complete separation
    assert list(ls.datasets.load("birthwt")["race"].cat.categories) == ["white", "black", "other"]


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_describe_documents_every_column(name):
    info = ls.datasets.describe(name)
    df = ls.datasets.load(name)
    assert list(info.columns) == list(df.columns)
    assert info.source and info.licence
    text = str(info)
    assert repr(info) == text
    for col in df.columns:
        assert col in text
    assert "Licence" in text and "Source" in text and f"Rows:     {len(df)}" in text


def test_load_returns_a_fresh_copy():
    a = ls.datasets.load("mtcars")
    a.loc[0, "am"] = 99
    assert ls.datasets.load("mtcars").loc[0, "am"] != 99


def test_unknown_dataset_names_the_choices():
    with pytest.raises(ls.DataError, match="mroz"):
        ls.datasets.load("nosuch")
    with pytest.raises(ValueError):
        ls.datasets.describe("nosuch")


def test_examples_fit():
    for name in ls.datasets.names():
        info = ls.datasets.describe(name)
        if info.example and name != "endometrial":
            df = ls.datasets.load(name)  # noqa: F841 (used by the example)
            res = eval(info.example.split("#")[0], {"ls": ls, "df": df})
            assert res.converged and isinstance(res.params, pd.Series)
