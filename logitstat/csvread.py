"""Reading the delimited text files of the command line: encoding, separator and decimal mark.

A file from a spreadsheet in a European locale is ``y;dose\\n0;1,5\\n...``: semicolons between
fields and a decimal comma.  Read naively, ``dose`` is text and patsy turns it into one dummy
per distinct value.  So :func:`read_data`

* decodes UTF-8, or (when that fails and no ``--encoding`` is given) Windows-1252, then
  Latin-1, saying so;
* takes the separator from ``--sep``, the ``.tsv``/``.tab`` suffix, or :func:`sniff_separator`;
* reads a text column whose values are all numbers written with a decimal comma as numbers,
  when the separator is not a comma and no ``--decimal`` is given, saying so;

and :func:`numbers_read_as_text` names every column of the formula that still looks numeric but
is text (it would silently become a factor).  Every such note is a :class:`DataWarning`.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import sys
import warnings
from pathlib import Path

import pandas as pd

from . import datasets
from .errors import DataError, DataWarning, SpecificationError
from .formula import frameprep

#: cells read as missing, besides pandas' defaults ("", "NA", "NaN", "null", "N/A", ...):
#: "." is the missing value of Stata and SAS exports
NA_STRINGS = (".",)
SEPARATORS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}
_SEP_WORDS = {"comma": ",", "tab": "\t", "\\t": "\t", "semicolon": ";", "pipe": "|", "space": " "}
#: tried in turn when a file is not UTF-8 and no --encoding is given (Latin-1 never fails)
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
SAMPLE_BYTES = 64 * 1024
_COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")

# a number with a decimal comma (and optionally dots between groups of three digits): 1,5  -0,25
# 1.234,5  3,0e-4; integers also match (a column may mix 1 and 1,5)
_COMMA_NUMBER = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?([eE][+-]?\d+)?")
# what looks like a number to a reader: digits with separators, a sign, an exponent, a percent
_NUMBER_LIKE = re.compile(r"[+-]?[\d.,' \u00a0]*\d[\d.,' \u00a0]*([eE][+-]?\d+)?\s*%?")


def separator(text: str) -> str:
    """``--sep`` as one character: ``,`` ``;`` ``|`` or a word (``tab``, ``\\t``, ``semicolon``)."""
    sep = _SEP_WORDS.get(text.lower(), text)
    if len(sep) != 1 or sep in "\"'\r\n" or sep.isalnum():
        raise SpecificationError(f"--sep {text!r}: give one separator character (',', ';', '|') "
                                 "or 'tab'")
    return sep


def encoding(text: str) -> str:
    """``--encoding`` checked against Python's codecs (``utf-8``, ``latin-1``, ``cp1252``, ...)."""
    try:
        return codecs.lookup(text).name
    except LookupError:
        raise SpecificationError(f"--encoding {text!r} is not a known text encoding; e.g. utf-8, "
                                 "latin-1, cp1252, utf-16") from None


def sniff_separator(sample: str) -> str:
    """The separator of a delimited text from its first lines: :class:`csv.Sniffer` (a character
    that occurs equally often on every line) among comma, tab, semicolon and pipe, accepted when
    the header line contains it; otherwise the most frequent of them on the header line (comma
    on ties)."""
    lines = [line for line in sample.splitlines()[:100] if line.strip()]
    header = lines[0] if lines else ""
    try:
        sep = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(SEPARATORS)).delimiter
    except csv.Error:
        sep = ""
    if sep and sep in header:
        return sep
    return max(SEPARATORS, key=lambda s: (header.count(s), s == ","))


def read_data(source: str, stdin=None, *, sep: str | None = None, decimal: str | None = None,
              encoding: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read DATA: a CSV/TSV path, a Parquet path, ``-`` for standard input, or a bundled dataset.

    Returns the DataFrame and a short description of where it came from.  A file of that name
    takes precedence over a bundled dataset.  Guesses (encoding, decimal commas) are reported as
    :class:`~logitstat.errors.DataWarning`.
    """
    if source == "-":
        return _read_stdin(stdin or sys.stdin, sep, decimal, encoding), "standard input"
    path = Path(source)
    if not path.exists():
        if source in datasets.names():
            return datasets.load(source), f"bundled dataset {source!r}"
        raise DataError(f"no file {source!r} (nor a bundled dataset of that name; bundled "
                        f"datasets are: {', '.join(datasets.names())})")
    if path.is_dir():
        raise DataError(f"{source!r} is a directory, not a data file")
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in _COMPRESSED]
    suffix = suffixes[-1] if suffixes else ""
    if suffix in (".parquet", ".pq"):
        return _read_parquet(path, source), str(path)
    try:
        with pd.io.common.get_handle(path, "rb", is_text=False, compression="infer") as handle:
            sample = handle.handle.read(SAMPLE_BYTES)
    except (OSError, EOFError, ValueError) as exc:
        raise DataError(f"cannot read {source!r}: {_first_line(exc)}") from None
    what = repr(source)
    if encoding is None and b"\x00" in sample:
        raise DataError(f"cannot read {what}: it holds NUL bytes, so it is not a text (CSV) file; "
                        "if it is UTF-16 text, pass --encoding utf-16")
    if sep is None:
        sep = "\t" if suffix in (".tsv", ".tab") else sniff_separator(
            sample.decode(encoding or "utf-8", errors="replace"))
    df = _decoded(what, encoding, lambda enc: _read_delimited(path, sep, decimal, enc, what))
    return _decimal_commas(df, sep, decimal), str(path)


def _read_stdin(stream, sep, decimal, encoding) -> pd.DataFrame:
    raw = getattr(stream, "buffer", None)
    # a real standard input: decode its bytes as a file's
    text = stream.read() if raw is None else _decoded("standard input", encoding, raw.read().decode)
    if not text.strip():
        raise DataError("standard input is empty: pipe a CSV file into 'logitstat fit -'")
    sep = sep or sniff_separator(text[:SAMPLE_BYTES])
    df = _read_delimited(io.StringIO(text), sep, decimal, None, "standard input")
    return _decimal_commas(df, sep, decimal)


def _decoded(what: str, encoding: str | None, attempt):
    """``attempt(encoding)``; without an encoding, ``attempt("utf-8")``, then each of
    :data:`FALLBACK_ENCODINGS` while it raises :class:`UnicodeDecodeError`, with a warning."""
    for enc in ((encoding,) if encoding else ("utf-8",) + FALLBACK_ENCODINGS):
        try:
            result = attempt(enc)
        except UnicodeDecodeError:
            if encoding:
                raise DataError(f"cannot read {what} as {encoding} text: pass its encoding "
                                "with --encoding") from None
            continue
        if enc != "utf-8" and not encoding:
            warnings.warn(f"{what} is not UTF-8 text: read it as {enc} "
                          f"({'Windows Latin-1' if enc == 'cp1252' else 'ISO Latin-1'}); pass "
                          "--encoding to choose another", DataWarning, stacklevel=3)
        return result
    raise DataError(f"cannot decode {what}: pass its encoding with --encoding")  # not reached


def _read_parquet(path: Path, source: str) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise DataError(f"reading the Parquet file {source!r} needs pyarrow: "
                        "pip install pyarrow") from None
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds
        raise DataError(f"cannot read Parquet file {source!r}: {_first_line(exc)}") from None


def _read_delimited(src, sep: str, decimal: str | None, enc: str | None, what: str) -> pd.DataFrame:
    name = SEPARATORS.get(sep, repr(sep))
    try:
        df = pd.read_csv(src, sep=sep, decimal=decimal or ".", na_values=NA_STRINGS, encoding=enc)
    except FileNotFoundError:
        raise DataError(f"no file {what}") from None
    except PermissionError:
        raise DataError(f"cannot read {what}: permission denied") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{what} is empty") from None
    except UnicodeDecodeError:
        raise
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        raise DataError(f"cannot read {what} as {name}-separated values: "
                        f"{_first_line(exc)} (choose the separator with --sep)") from None
    if df.shape[1] < 2:
        raise DataError(f"{what} has {df.shape[1]} column(s) after reading it as {name}-separated "
                        "values; a model needs a response and at least one predictor column "
                        "(choose the separator with --sep)")
    return df


def _text_values(col: pd.Series) -> pd.Series | None:
    """The non-missing values of a text column as stripped strings (None for other columns)."""
    if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
        return None
    values = col.dropna()
    if not all(isinstance(v, str) for v in values):
        return None
    return values.str.strip()


def _decimal_commas(df: pd.DataFrame, sep: str, decimal: str | None) -> pd.DataFrame:
    """Text columns whose values are all numbers with a decimal comma, read as numbers (only
    when the separator is not a comma and ``--decimal`` was not given)."""
    if decimal is not None or sep == ",":
        return df
    converted = []
    for name in df.columns:
        values = _text_values(df[name])
        if values is None or values.empty or not values.str.contains(",", regex=False).any():
            continue
        if not values.str.fullmatch(_COMMA_NUMBER).all():
            continue
        numbers = pd.to_numeric(values.str.replace(".", "", regex=False)
                                .str.replace(",", ".", regex=False))
        if converted == []:
            df = df.copy(deep=False)
        df[name] = numbers.reindex(df.index)
        converted.append(str(name))
    if converted:
        cols = ", ".join(map(repr, converted))
        warnings.warn(f"column(s) {cols} hold numbers written with a decimal comma (1,5 = 1.5): "
                      "read as numbers; pass --decimal , to say so, or --decimal . to keep them "
                      "as text", DataWarning, stacklevel=3)
    return df


def numbers_read_as_text(df: pd.DataFrame, formula: str) -> list[str]:
    """A warning for each text column named in ``formula`` whose values all look like numbers
    (``1.234,5``, ``12 500``, ``3,5``) but do not read as numbers: the model would silently take
    it as a categorical factor.  Columns the formula declares categorical, ``C(x)``, are fine."""
    declared = frameprep.categorical_only(formula, [str(c) for c in df.columns])
    msgs = []
    for name in df.columns:
        if str(name) not in formula or str(name) in declared:
            continue
        values = _text_values(df[name])
        if values is None or values.empty or not values.str.fullmatch(_NUMBER_LIKE).all():
            continue
        examples = ", ".join(map(repr, pd.unique(values)[:3]))
        msgs.append(f"column {str(name)!r} looks like numbers ({examples}) but is text, so it "
                    f"enters the model as a categorical factor with {values.nunique()} levels; "
                    "check the decimal mark (--decimal) and separator (--sep), or write "
                    f"C({name}) to say it is categorical")
    return msgs


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
