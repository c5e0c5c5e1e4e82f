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


# ---------------------------------------------------------------- the datasets/ folder (issue 13)
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

from logitstat.datasets import CATALOG, data_dir  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "datasets"


def test_source_checkout_reads_the_top_level_folder():
    if not (Path(ls.__file__).parent / "datasets" / "data").is_dir():  # not an installed wheel
        assert data_dir() == SOURCE.resolve()
    assert not list((ROOT / "logitstat" / "datasets").glob("*.csv"))  # one copy of the data


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_each_dataset_has_a_provenance_note(name):
    """datasets/NAME.md states the same source and licence as describe(NAME)."""
    note = (SOURCE / f"{name}.md").read_text(encoding="utf-8")
    info = CATALOG[name]
    assert info.source in note and info.licence in note
    for col in info.columns:
        assert f"`{col}`" in note


def test_readme_states_every_licence():
    readme = (SOURCE / "README.md").read_text(encoding="utf-8")
    docs = (ROOT / "docs" / "datasets.md").read_text(encoding="utf-8")
    for text in (readme, docs):
        assert "GPL-2 \\| GPL-3" in text and "GPL-3" in text and "MIT" in text
        for name in PUBLISHED:
            assert f"`{name}" in text
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_wheel_ships_the_folder():
    """pyproject maps datasets/ to the package logitstat.datasets.data with its files, and
    setup.py's discovered packages hold it and every folder of logitstat."""
    tomllib = pytest.importorskip("tomllib")
    import runpy
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert conf["package-dir"]["logitstat.datasets.data"] == "datasets"
    assert "*.csv" in conf["package-data"]["logitstat.datasets.data"]
    packages = runpy.run_path(str(ROOT / "setup.py"), run_name="setup_config")["PACKAGES"]
    assert "logitstat.datasets.data" in packages
    folders = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "logitstat").rglob("__init__.py")}
    assert "logitstat.models.binary" in folders and folders <= set(packages)


def _r_has_packages() -> bool:
    if shutil.which("Rscript") is None:
        return False
    probe = subprocess.run(["Rscript", "-e", "stopifnot(packageVersion('carData') == '3.0.5', "
                            "packageVersion('MASS') >= '7.3.58', packageVersion('brglm2') == '0.9')"],
                           capture_output=True, timeout=60)
    return probe.returncode == 0


def test_make_datasets_script_reproduces_every_file(tmp_path):
    """The R script that wrote the files writes them again, byte for byte (needs R with the
    package versions the files came from; skipped otherwise)."""
    if not _r_has_packages():
        pytest.skip("needs Rscript with carData 3.0-5, MASS 7.3-58 and brglm2 0.9")
    subprocess.run(["Rscript", str(SOURCE / "make_datasets.R"), str(tmp_path)], check=True,
                   capture_output=True, timeout=120)
    for name in PUBLISHED:
        assert (tmp_path / f"{name}.csv").read_bytes() == (SOURCE / f"{name}.csv").read_bytes(), name
