"""Classic public binary-outcome datasets shipped with logitstat.

``load(name)`` returns a fresh DataFrame (categorical columns with their documented level
order); ``describe(name)`` returns its source, licence and column descriptions; ``names()``
lists them.  The CSV files, one provenance and licence note per dataset and the R script that
wrote them live in the top-level ``datasets/`` folder of the source tree; a wheel installs that
folder as ``logitstat/datasets/data/`` (``package-dir`` in ``pyproject.toml``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
import textwrap
from pathlib import Path

import pandas as pd

from ..errors import DataError

__all__ = ["load", "describe", "names", "DatasetInfo", "CATALOG"]


def __dir__() -> list[str]:
    return sorted(__all__)


@dataclass(frozen=True)
class DatasetInfo:
    """Documentation of one bundled dataset."""

    name: str
    title: str
    source: str
    licence: str
    columns: dict[str, str]
    categories: dict[str, list[str]] = field(default_factory=dict)
    example: str = ""

    def __str__(self) -> str:
        df = load(self.name)
        wrap = textwrap.TextWrapper(width=88, subsequent_indent=" " * 10)
        lines = [f"{self.name}: {self.title}", "=" * min(88, len(self.name) + 2 + len(self.title)),
                 f"Rows:     {df.shape[0]}, columns: {df.shape[1]}",
                 wrap.fill(f"Source:   {self.source}"), wrap.fill(f"Licence:  {self.licence}"),
                 "Columns:"]
        width = max(len(c) for c in self.columns) + 2
        cwrap = textwrap.TextWrapper(width=88, subsequent_indent=" " * (width + 4))
        for col, text in self.columns.items():
            levels = self.categories.get(col)
            kind = f"categorical: {', '.join(levels)}" if levels else str(df[col].dtype)
            n_missing = int(df[col].isna().sum())
            extra = f"; {n_missing} missing" if n_missing else ""
            lines.append(cwrap.fill(f"  {col:<{width}}{text} [{kind}{extra}]"))
        if self.example:
            lines += ["Example:", f"  df = ls.datasets.load({self.name!r})", f"  {self.example}"]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        import html
        return f"<pre>{html.escape(str(self))}</pre>"


_R = "R 4.2.2"
CATALOG: dict[str, DatasetInfo] = {d.name: d for d in [
    DatasetInfo(
        "mroz", "U.S. women's labour-force participation, 1975 (753 married women)",
        f"Mroz (1987), Econometrica 55:765-799; data frame Mroz of the R package carData 3.0-5 ({_R})",
        "GPL-2 | GPL-3 (carData); the survey data are public (PSID)",
        {"lfp": "labour-force participation (no/yes)", "k5": "number of children aged 5 or younger",
         "k618": "number of children aged 6 to 18", "age": "age in years",
         "wc": "wife attended college (no/yes)", "hc": "husband attended college (no/yes)",
         "lwg": "log expected wage rate", "inc": "family income exclusive of wife's income ($1000)"},
        {"lfp": ["no", "yes"], "wc": ["no", "yes"], "hc": ["no", "yes"]},
        'ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", df)'),
    DatasetInfo(
        "birthwt", "Risk factors of low infant birth weight (189 births, Baystate Medical Center, 1986)",
        f"Hosmer & Lemeshow (1989), Applied Logistic Regression; data frame birthwt of the R package "
        f"MASS 7.3-58 ({_R}), race recoded to labels",
        "GPL-2 | GPL-3 (MASS)",
        {"low": "birth weight below 2.5 kg (0/1)", "age": "mother's age in years",
         "lwt": "mother's weight at last menstrual period (pounds)",
         "race": "mother's race (white, black, other)", "smoke": "smoking during pregnancy (0/1)",
         "ptl": "number of previous premature labours", "ht": "history of hypertension (0/1)",
         "ui": "presence of uterine irritability (0/1)",
         "ftv": "number of physician visits during the first trimester"},
        {"race": ["white", "black", "other"]},
        'ls.logit("low ~ age + lwt + race + smoke + ptl + ht + ui + ftv", df)'),
    DatasetInfo(
        "titanic", "Survival of 1309 Titanic passengers (263 ages missing)",
        f"Harrell, Vanderbilt Biostatistics (titanic3); data frame TitanicSurvival of the R package "
        f"carData 3.0-5 ({_R})",
        "GPL-2 | GPL-3 (carData); the passenger list is public",
        {"survived": "survived (no/yes)", "sex": "female/male", "age": "age in years (missing for 263)",
         "passengerClass": "1st, 2nd, 3rd"},
        {"survived": ["no", "yes"], "sex": ["female", "male"], "passengerClass": ["1st", "2nd", "3rd"]},
        'ls.logit("survived ~ sex + age + passengerClass", df)'),
    DatasetInfo(
        "infert", "Infertility after spontaneous and induced abortion (matched case-control, 248 women)",
        f"Trichopoulos et al. (1976); data frame infert of the R package datasets ({_R})",
        "GPL-2 | GPL-3 (R datasets)",
        {"case": "case (1) or control (0)", "spontaneous": "number of prior spontaneous abortions",
         "induced": "number of prior induced abortions",
         "education": "years of education (0-5yrs, 6-11yrs, 12+ yrs)", "age": "age in years",
         "parity": "number of births"},
        {"education": ["0-5yrs", "6-11yrs", "12+ yrs"]},
        'ls.logit("case ~ spontaneous + induced + education + age", df)'),
    DatasetInfo(
        "budworm", "Tobacco budworm dose-response: dead moths out of 20 per dose and sex (grouped)",
        "Collett (1991), Modelling Binary Data; Venables & Ripley, Modern Applied Statistics with S, "
        "section 7.2",
        "public (published experiment); table as printed in Venables & Ripley",
        {"ldose": "log2 dose of trans-cypermethrin", "numdead": "moths killed (of 20)",
         "sex": "F or M", "numalive": "moths alive (20 - numdead)"},
        {"sex": ["F", "M"]},
        'ls.logit("numdead + numalive ~ sex * ldose", df)'),
    DatasetInfo(
        "endometrial", "Histology grade of endometrial cancer (79 patients); NV separates the outcome",
        f"Heinze & Schemper (2002), Statistics in Medicine 21:2409-2419; data frame endometrial of "
        f"the R package brglm2 0.9 ({_R})",
        "GPL-3 (brglm2)",
        {"NV": "neovasculation (0/1)", "PI": "pulsatility index of arteria uterina",
         "EH": "endometrium height", "HG": "histology grade: high (1) or low (0)"},
        {}, 'ls.logit("HG ~ NV + PI + EH", df)  # quasi-complete separation'),
    DatasetInfo(
        "mtcars", "Motor Trend 1974 road tests (32 cars): transmission, weight, power",
        f"Henderson & Velleman (1981), Biometrics 37:391-411; data frame mtcars of the R package "
        f"datasets ({_R}), columns am, wt, hp, mpg, cyl",
        "GPL-2 | GPL-3 (R datasets)",
        {"am": "manual transmission (1) or automatic (0)", "wt": "weight (1000 lbs)",
         "hp": "gross horsepower", "mpg": "miles per US gallon", "cyl": "number of cylinders"},
        {}, 'ls.logit("am ~ wt + hp", df)'),
]}


def names() -> list[str]:
    """Names of the bundled datasets."""
    return sorted(CATALOG)


def describe(name: str) -> DatasetInfo:
    """Source, licence and column descriptions of a bundled dataset (``print`` it)."""
    return _info(name)


def _info(name: str) -> DatasetInfo:
    if name not in CATALOG:
        raise DataError(f"unknown dataset {name!r}; bundled datasets are: {', '.join(names())}")
    return CATALOG[name]


def data_dir() -> Path:
    """The folder holding the CSV files: ``data/`` beside this module in an installed wheel, the
    top-level ``datasets/`` folder in a source checkout (or an editable install)."""
    here = Path(__file__).resolve().parent
    for folder in (here / "data", here.parent.parent / "datasets"):
        if (folder / "mroz.csv").is_file():
            return folder
    raise DataError(f"the bundled datasets are missing from this installation of logitstat "
                    f"(looked in {here / 'data'}); reinstall it: pip install --force-reinstall "
                    "logitstat")


def load(name: str) -> pd.DataFrame:
    """Load a bundled dataset as a new DataFrame (categorical columns keep their level order)."""
    info = _info(name)
    df = pd.read_csv(data_dir() / f"{name}.csv", encoding="utf-8")
    for col, levels in info.categories.items():
        df[col] = pd.Categorical(df[col], categories=levels)
    return df
