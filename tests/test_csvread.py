"""Reading delimited text for the command line (logitstat.csvread): separators, decimal commas,
encodings.  Expected values are the literal contents written into each file."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat import csvread


@pytest.mark.parametrize("text, sep", [
    ("y;dose\n0;1,5\n1;2,5\n0;3\n", ";"),            # decimal commas do not fool it
    ("y;dose;w\n0;1,5;2,25\n1;2,5;1,75\n", ";"),
    ('"y","name"\n1,"a; b"\n0,"c; d"\n', ","),        # separators inside quotes do not count
    ("y\tx\n1\t2,5\n0\t3,5\n", "\t"),
    ("y|x\n1|2\n0|3\n", "|"),
    ("y,x\n1,2\n0,3\n", ","),
    ("y\n1\n0\n", ","),                               # one column: comma, then a clear error
])
def test_sniff_separator(text, sep):
    assert csvread.sniff_separator(text) == sep


@pytest.mark.parametrize("given, sep", [(";", ";"), ("tab", "\t"), ("\\t", "\t"), ("TAB", "\t"),
                                        ("semicolon", ";"), ("|", "|")])
def test_separator_words(given, sep):
    assert csvread.separator(given) == sep


@pytest.mark.parametrize("bad", ["ab", "x", '"', ""])
def test_separator_refuses(bad):
    with pytest.raises(ls.SpecificationError, match="--sep"):
        csvread.separator(bad)


def test_encoding_names():
    assert csvread.encoding("Latin-1") == "iso8859-1"
    with pytest.raises(ls.SpecificationError, match="--encoding"):
        csvread.encoding("no-such-codec")


def test_decimal_comma_columns_with_thousands_dots(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("y;amount;label;dot\n1;1.234,5;a;1.5\n0;12,25;b;2.5\n1;-3;c;3\n",
                    encoding="utf-8")
    with pytest.warns(ls.DataWarning, match="'amount'"):
        df, _ = csvread.read_data(str(path))
    assert df["amount"].tolist() == [1234.5, 12.25, -3.0]
    assert df["label"].tolist() == ["a", "b", "c"]           # text stays text
    assert df["dot"].tolist() == [1.5, 2.5, 3.0]             # decimal points are untouched


def test_no_guess_with_a_comma_separator_or_an_explicit_decimal(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('y,x\n1,"1,5"\n0,"2,5"\n', encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df, _ = csvread.read_data(str(path))
        assert df["x"].tolist() == ["1,5", "2,5"]
        df, _ = csvread.read_data(str(path), decimal=",")
    assert df["x"].tolist() == [1.5, 2.5]


def test_numbers_read_as_text_names_only_formula_columns():
    df = pd.DataFrame({"y": [0, 1, 0], "a": ["1,5", "2,5", "3"], "b": ["1,5", "2,5", "3"],
                       "c": ["x", "y", "z"], "d": [1.5, 2.5, 3.0]})
    msgs = csvread.numbers_read_as_text(df, "y ~ a + c + d + C(b)")
    assert len(msgs) == 1 and "column 'a'" in msgs[0] and "3 levels" in msgs[0]


def test_cp1252_then_latin1(tmp_path):
    # 0x80 is the euro sign in cp1252; 0x81 is undefined there, so only Latin-1 reads it
    path = tmp_path / "e.csv"
    path.write_bytes(b"y;cur\n1;\x80\n0;\x80\n")
    with pytest.warns(ls.DataWarning, match="cp1252"):
        df, _ = csvread.read_data(str(path))
    assert df["cur"].tolist() == ["\u20ac", "\u20ac"]
    path.write_bytes(b"y;cur\n1;\x81\n0;\xe9\n")
    with pytest.warns(ls.DataWarning, match="latin-1"):
        df, _ = csvread.read_data(str(path))
    assert df["cur"].tolist() == ["\x81", "\u00e9"]
    assert np.array_equal(df["y"], [1, 0])
