"""Column number formats and p-value formats (logitstat.numformat), on closed-form examples:
the expected strings follow from the rule in the module docstring by hand."""
from __future__ import annotations

import numpy as np
import pytest

import logitstat as ls
from logitstat.report.numformat import (NumberFormat, check_pvalue_format, column_format, decimals_for,
                                        format_pvalue, format_pvalues)


def render(values, **kw) -> list[str]:
    fmt = column_format(values, **kw)
    return [fmt(v) for v in values]


@pytest.mark.parametrize("x, sig, decimals", [
    (0.008208, 4, 6), (3.18214, 4, 3), (18.8663, 4, 2), (12345.6, 4, -1), (1.0, 4, 3),
    (0.099996, 4, 4),   # rounds to 0.1000 at four digits: 4 decimals, not 5
    (-0.0344, 3, 4), (5e-7, 2, 8)])
def test_decimals_for_sig_digits(x, sig, decimals):
    assert decimals_for(x, sig) == decimals


def test_smallest_driver_sets_the_decimals_of_the_whole_column():
    # the mroz coefficients and standard errors: inc's SE 0.008208 needs 6 decimals (as R prints)
    assert render([3.182140, -0.034446, 0.008208]) == ["3.182140", "-0.034446", "0.008208"]
    # all above 1: three decimals give 18.8663 four significant digits... and 7.44356 four too
    assert render([18.8663, 7.44356]) == ["18.866", "7.444"]
    assert render([18.8663, 7.44356], sig=3) == ["18.87", "7.44"]


def test_interval_bounds_do_not_set_the_decimals():
    # a bound near zero (an interval that crosses it) shows with the estimates' decimals
    fmt = column_format([1.25, 0.5, -0.00003, 2.9], drivers=[1.25, 0.5])  # 0.5000: 4 decimals
    assert fmt == NumberFormat(4) and fmt(-0.00003) == "0.0000"  # not "-0.0000"


def test_whole_column_turns_scientific_when_magnitudes_span_too_much():
    # the mtcars odds ratios: fixed notation would need 7 decimals beside 1.6e8
    assert render([1.561455e8, 3.086e-4, 1.0369]) == ["1.561e+08", "3.086e-04", "1.037e+00"]
    # fixed "1832.73406" is 10 wide, scientific "1.833e+03" 9: within scipen=2, fixed stays
    assert render([74.03351, 0.05488, 1832.73406]) == ["74.03351", "0.05488", "1832.73406"]
    assert column_format([74.03351, 0.05488, 1832.73406], scipen=0).scientific
    # more decimals than max_decimals: scientific whatever the widths
    assert render([1e-12, 1.0]) == ["1.000e-12", "1.000e+00"]


def test_zeros_and_non_finite_values_do_not_count():
    assert render([0.0, 0.25, np.inf, np.nan])[:2] == ["0.0000", "0.2500"]
    assert render([0.0, 0.0]) == ["0", "0"] and render([0.0], min_decimals=3) == ["0.000"]
    assert column_format([np.nan, np.inf]) == NumberFormat(0)


def test_imposed_decimals_fall_back_to_scientific_rather_than_show_zero():
    assert render([-0.0344, 0.0082], decimals=3) == ["-0.034", "0.008"]
    # income in dollars: -3.44e-5 would print as -0.000
    assert render([-3.44e-5, 8.2e-6], decimals=3, sig=4) == ["-3.440e-05", "8.200e-06"]
    # drivers=[]: nothing may force scientific, only the width (a z of 1e-4 is 0.000)
    assert render([1.068e-4, -7.4], drivers=[], min_decimals=3) == ["0.000", "-7.400"]


def test_one_format_per_column_on_random_columns():
    rng = np.random.default_rng(3)
    for _ in range(200):
        x = rng.normal(size=6) * 10.0 ** rng.integers(-8, 9, size=6)
        cells = render(x)
        kinds = {"e" in c for c in cells}
        assert len(kinds) == 1
        if kinds == {False}:
            assert len({len(c.partition(".")[2]) for c in cells}) == 1
        for c, v in zip(cells, x):  # the string is the number rounded to the digits it shows
            mantissa, _, exponent = c.partition("e")
            decimals = len(mantissa.partition(".")[2])
            assert abs(float(c) - v) <= 0.5 * 10.0 ** (int(exponent or 0) - decimals) * (1 + 1e-9)


def test_pvalues_auto_exact_and_threshold():
    p = [0.5, 0.0123, 0.001, 0.00099, 8.923089e-24, np.nan]
    assert format_pvalues(p) == ["0.500", "0.012", "0.001", "<0.001", "<0.001", "—"]
    assert format_pvalues(p, "exact") == ["5.00e-01", "1.23e-02", "1.00e-03", "9.90e-04",
                                          "8.92e-24", "—"]
    assert format_pvalues(p, 1e-4, dash="---") == ["0.5000", "0.0123", "0.0010", "0.0010",
                                                   "<0.0001", "---"]
    assert format_pvalues([0.003, 0.002], 0.0025) == ["0.0030", "<0.0025"]
    assert format_pvalue(0.0, "exact") == "<1e-300"  # underflowed: below the smallest double


@pytest.mark.parametrize("bad", ["fancy", "AUTO", 0, 1, 1.5, -0.1, True, None, 1e-20])
def test_bad_pvalue_format_is_refused_in_words(bad):
    with pytest.raises(ls.SpecificationError, match="pvalue_format=.*'auto'.*'exact'"):
        check_pvalue_format(bad)
    assert check_pvalue_format(np.float32(0.01)) == pytest.approx(0.01)
