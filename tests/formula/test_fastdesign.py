"""The fast design path against patsy itself: same names, order, values, rows and index.

Every case builds the matrices twice -- with ``patsy.dmatrices(..., return_type="dataframe")``
and with :mod:`logitstat.fastdesign` -- and requires identical results, then checks that the
returned ``DesignInfo`` objects build the same matrices as patsy's on new data.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import patsy
import pytest

from logitstat.formula import fastdesign

N = 150


def make_frame(n: int = N, seed: int = 0) -> pd.DataFrame:
    """Random data with every column type the formulas below use (and missing values)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n)
    xn = x.copy()
    xn[rng.choice(n, 9, replace=False)] = np.nan
    go = rng.choice(["p", "q", "r", "s"], n).astype(object)
    go[rng.choice(n, 5, replace=False)] = None
    go[rng.choice(n, 4, replace=False)] = np.nan
    gn = pd.Series(rng.choice(["u", "v", "w"], n)).where(rng.random(n) > 0.05)  # str with NaN
    h = pd.Categorical(rng.choice(["lo", "mid", "hi"], n), categories=["lo", "mid", "hi", "unused"])
    h[rng.choice(n, 6, replace=False)] = np.nan
    kf = rng.integers(1, 4, n).astype(float)
    kf[rng.choice(n, 7, replace=False)] = np.nan
    return pd.DataFrame({
        "y": (rng.random(n) < 0.5).astype(float),
        "yi": rng.integers(0, 2, n),
        "yb": rng.random(n) < 0.4,
        "ys": rng.choice(["no", "yes"], n),
        "yc": pd.Categorical(rng.choice(["yes", "no"], n), categories=["yes", "no"]),
        "succ": rng.integers(0, 8, n),
        "fail": rng.integers(0, 8, n),
        "x": x,
        "xn": xn,
        "z": rng.uniform(0.5, 3.0, n),
        "k": rng.integers(1, 6, n),
        "f32": rng.standard_normal(n).astype(np.float32),
        "g": rng.choice(["c", "a", "b"], n),
        "go": go,
        "gn": gn,
        "h": h,
        "ho": pd.Categorical(rng.choice(["small", "big"], n), categories=["small", "big"],
                             ordered=True),
        "b": rng.random(n) < 0.5,
        "kf": kf,
        "weird name": rng.standard_normal(n),
        "big": rng.integers(10**10, 10**11, n),  # int products overflow int64: patsy uses floats
        "big2": rng.integers(10**10, 10**11, n),
    })


DATA = make_frame()
OFFSET = np.linspace(-1.0, 1.0, N)  # a variable from the caller's namespace, not from the data

FORMULAS = [
    # numeric
    "y ~ x", "y ~ x + z + k", "y ~ 1", "y ~ 0 + x", "y ~ x - 1", "y ~ xn + f32",
    "yi ~ x + z", "y ~ Q('weird name') + x", "y ~ x + OFFSET", "y ~ big:k + big:big2",
    # categorical main effects of each type
    "y ~ g", "y ~ go", "y ~ gn", "y ~ h", "y ~ ho", "y ~ b", "y ~ x + g + h + b",
    "y ~ C(k)", "y ~ C(kf)", "y ~ C(g)", "y ~ C(h)", "y ~ C(b)",
    # C() with options
    "y ~ C(g, Treatment(reference='b'))", "y ~ C(g, Treatment('c'))",
    "y ~ C(g, levels=['c', 'b', 'a'])", "y ~ C(h, levels=['hi', 'mid', 'lo', 'unused'])",
    "y ~ C(k, levels=[5, 4, 3, 2, 1])", "y ~ C(g, Sum)", "y ~ C(h, Helmert)", "y ~ C(k, Poly)",
    "y ~ C(g, Diff) + x", "y ~ C(C(g), Treatment('b'))",
    # no intercept: the first categorical gets full dummy coding
    "y ~ 0 + g", "y ~ g - 1", "y ~ 0 + g + h", "y ~ -1 + x + g + b", "y ~ 0 + h:g",
    # interactions of every kind
    "y ~ x:z", "y ~ x*z", "y ~ x:g", "y ~ g:x", "y ~ x*g", "y ~ g + x:g", "y ~ x + x:g",
    "y ~ g:h", "y ~ g*h", "y ~ g + g:h", "y ~ h + g:h", "y ~ g:h:b", "y ~ g*h*b",
    "y ~ x*g*h", "y ~ x:z:g", "y ~ x:g + z:h", "y ~ C(k):x + g", "y ~ b:x + b:g",
    "y ~ x:g + g + x", "y ~ (x + g + h)**2", "y ~ g/x", "y ~ go:gn + xn",
    # functions of variables
    "y ~ I(x**2) + np.log(z)", "y ~ np.exp(x) + np.sqrt(z)", "y ~ I(x > 0)", "y ~ I(x * z):g",
    "y ~ np.log(xn + 5) * h", "y ~ I(k % 3)", "y ~ C(np.floor(z))",
    # stateful transforms
    "y ~ center(x) + standardize(z)", "y ~ center(x):g", "y ~ standardize(z) * h",
    "y ~ scale(x, ddof=1)", "y ~ bs(z, df=4)",
    # responses of each kind
    "yb ~ x + g", "ys ~ x + g", "yc ~ x + h", "succ + fail ~ x + g", "C(ys) ~ x",
    "C(yi) ~ x", "np.log(z) ~ x", "xn ~ go",
]

#: formulas the fast path must handle itself (not hand to patsy).
FAST = FORMULAS


def both(formula: str, data: pd.DataFrame, NA_action="drop"):
    """patsy's result and ours for the same formula (variables looked up in this module)."""
    env = patsy.EvalEnvironment.capture()
    expected = patsy.dmatrices(formula, data, eval_env=env, NA_action=NA_action,
                               return_type="dataframe")
    got = fastdesign.dmatrices(formula, data, eval_env=env, NA_action=NA_action)
    return expected, got


def assert_same_info(a: patsy.DesignInfo, b: patsy.DesignInfo) -> None:
    """Two DesignInfo objects describe the same design."""
    assert a.column_names == b.column_names
    assert a.term_names == b.term_names
    assert set(a.factor_infos) == set(b.factor_infos)
    for factor, fa in a.factor_infos.items():
        fb = b.factor_infos[factor]
        assert (fa.type, fa.num_columns, fa.categories) == (fb.type, fb.num_columns, fb.categories)
    for (ta, sa), (tb, sb) in zip(a.term_codings.items(), b.term_codings.items()):
        assert ta == tb
        for x, y in zip(sa, sb):
            assert x.factors == y.factors and x.num_columns == y.num_columns
            for factor, cm in x.contrast_matrices.items():
                np.testing.assert_array_equal(cm.matrix, y.contrast_matrices[factor].matrix)
                assert cm.column_suffixes == y.contrast_matrices[factor].column_suffixes


def assert_same(expected, got) -> None:
    """Exactly equal frames (values, names, column order, index and its type) and infos."""
    for e, g in zip(expected, got):
        pd.testing.assert_frame_equal(e, g, check_exact=True)
        assert type(e.index) is type(g.index)
        assert g.to_numpy().dtype == np.float64
        assert_same_info(e.design_info, g.design_info)


def assert_same_prediction(expected, got, newdata: pd.DataFrame) -> None:
    """Our DesignInfo builds on new data exactly what patsy's builds."""
    for e, g in zip(expected, got):
        want = patsy.build_design_matrices([e.design_info], newdata, return_type="dataframe")[0]
        have = patsy.build_design_matrices([g.design_info], newdata, return_type="dataframe")[0]
        pd.testing.assert_frame_equal(want, have, check_exact=True)


@pytest.mark.parametrize("formula", FORMULAS)
def test_matches_patsy(formula: str) -> None:
    expected, got = both(formula, DATA)
    assert_same(expected, got)
    if "OFFSET" not in formula:  # OFFSET has the length of DATA
        assert_same_prediction(expected, got, make_frame(40, seed=7))


@pytest.mark.parametrize("formula", [f for f in FORMULAS if "OFFSET" not in f])
def test_new_data_matrix_matches_patsy(formula: str) -> None:
    """build_matrix (prediction's fast path) gives patsy.build_design_matrices' values and rows
    on new data, with the levels and transform states learnt at fitting time."""
    env = patsy.EvalEnvironment.capture()
    info = patsy.dmatrices(formula, DATA, eval_env=env, return_type="dataframe")[1].design_info
    for new in (make_frame(40, seed=7), make_frame(300, seed=8).iloc[::-1]):
        built = fastdesign.build_matrix(info, new.reset_index(drop=True))
        try:
            want = patsy.build_design_matrices([info], new, NA_action="drop",
                                               return_type="dataframe")[0]
        except patsy.PatsyError:  # patsy's bs() refuses points beyond its knots
            assert built is None
            continue
        assert built is not None, formula
        X, kept = built
        np.testing.assert_array_equal(X, want.to_numpy(dtype=float))
        np.testing.assert_array_equal(np.flatnonzero(kept), new.index.get_indexer(want.index))


def test_new_data_with_an_unseen_level_is_left_to_patsy() -> None:
    info = patsy.dmatrix("x + g", DATA, return_type="dataframe").design_info
    new = DATA.head(5).assign(g=["a", "b", "zz", "c", "a"])
    assert fastdesign.build_matrix(info, new) is None
    with pytest.raises(patsy.PatsyError):
        patsy.build_design_matrices([info], new)


@pytest.mark.parametrize("formula", FAST)
def test_fast_path_taken(formula: str) -> None:
    arrays = fastdesign.design_arrays(formula, DATA, eval_env=patsy.EvalEnvironment.capture())
    assert arrays.fast, formula


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("formula", ["y ~ x*g + h:b + np.log(z)", "ys ~ 0 + go:x + gn",
                                     "succ + fail ~ center(x) + C(kf, Sum)"])
def test_design_arrays_match_patsy(formula: str, order: str) -> None:
    env = patsy.EvalEnvironment.capture()
    lhs, rhs = patsy.dmatrices(formula, DATA, eval_env=env, return_type="dataframe")
    arrays = fastdesign.design_arrays(formula, DATA, eval_env=env, order=order)
    assert arrays.fast
    assert arrays.X.flags.f_contiguous if order == "F" else arrays.X.flags.c_contiguous
    assert arrays.y.flags.c_contiguous
    np.testing.assert_array_equal(arrays.X, rhs.to_numpy())
    np.testing.assert_array_equal(arrays.y, lhs.to_numpy())
    pd.testing.assert_index_equal(arrays.index, rhs.index, exact=True)
    assert arrays.X_info.column_names == rhs.design_info.column_names
    assert arrays.y_info.column_names == lhs.design_info.column_names


@pytest.mark.parametrize("index", [
    pd.RangeIndex(5, 5 + 3 * N, 3),
    pd.Index(np.random.default_rng(3).permutation(N) * 10),
    pd.Index([i // 3 for i in range(N)]),  # duplicate labels
    pd.Index([f"r{i % 40}" for i in range(N)]),  # duplicate string labels
    pd.MultiIndex.from_arrays([np.arange(N) % 4, np.arange(N)]),
])
@pytest.mark.parametrize("formula", ["y ~ xn + go", "ys ~ x*h + gn", "y ~ 1", "y ~ C(kf):x"])
def test_index_kept(index: pd.Index, formula: str) -> None:
    data = DATA.set_axis(index, axis=0)
    expected, got = both(formula, data)
    assert_same(expected, got)


def test_values_that_patsy_reads_as_missing() -> None:
    """patsy treats the string 'nan' (any case, any padding) as missing in categorical data."""
    data = DATA.copy()
    data["gs"] = np.array(["a", "nan", " NaN ", "b", None] * (N // 5), dtype=object)
    data["gt"] = pd.Series(["a", "nan", "b", "c", "-nan"] * (N // 5))
    for formula in ["y ~ gs", "y ~ gt + x", "y ~ C(gs, levels=['b', 'a'])"]:
        assert_same(*both(formula, data))
        assert fastdesign.design_arrays(formula, data, patsy.EvalEnvironment.capture()).fast


def test_levels_seen_only_in_dropped_rows_are_kept() -> None:
    """A level whose rows are all dropped (NaN elsewhere) still gets its patsy column."""
    data = DATA.copy()
    data.loc[data.index[:3], "g"] = "zz"
    data.loc[data.index[:3], "xn"] = np.nan
    expected, got = both("y ~ xn + g", data)
    assert "g[T.zz]" in got[1].columns
    assert_same(expected, got)


def test_categorical_series_of_ints_and_unused_categories() -> None:
    data = DATA.copy()
    data["hc"] = pd.Categorical(data["k"], categories=[5, 3, 1, 2, 4, 9])
    for formula in ["y ~ hc", "y ~ 0 + hc:x", "hc ~ x"]:
        assert_same(*both(formula, data))


@pytest.mark.parametrize("NA_action", ["raise", patsy.NAAction(on_NA="drop"),
                                       patsy.NAAction(NA_types=["NaN"])])
def test_na_actions(NA_action) -> None:
    assert_same(*both("y ~ x*g + h", DATA.drop(columns="h").assign(h=DATA["g"]), NA_action))
    if NA_action == "raise":
        with pytest.raises(patsy.PatsyError) as ours:
            fastdesign.dmatrices("y ~ xn", DATA, NA_action="raise")
        with pytest.raises(patsy.PatsyError) as theirs:
            patsy.dmatrices("y ~ xn", DATA, NA_action="raise")
        assert str(ours.value) == str(theirs.value)
    else:
        assert_same(*both("y ~ xn + go + h", DATA, NA_action))


@pytest.mark.parametrize("formula", [
    "y ~ x +", "y ~ nothere", "~ x", "y ~ C(g, Treatment('zz'))", "y ~ C(g, levels=['a', 'b'])",
    "y ~ np.log(", "y ~ x + g[", "nothere ~ x",
])
def test_patsy_errors_propagate(formula: str) -> None:
    with pytest.raises(patsy.PatsyError) as theirs:
        patsy.dmatrices(formula, DATA, return_type="dataframe")
    with pytest.raises(patsy.PatsyError) as ours:
        fastdesign.dmatrices(formula, DATA)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_unusual_values_fall_back_to_patsy() -> None:
    """Columns the fast path does not reproduce go to patsy, with patsy's result."""
    data = DATA.copy()
    data["mixed"] = np.array([1, "a", 2.5] * (N // 3), dtype=object)
    data["nullable"] = pd.array(np.arange(N) % 4, dtype="Int64")
    data["when"] = pd.date_range("2020-01-01", periods=N)
    env = patsy.EvalEnvironment.capture()
    for formula in ["y ~ mixed", "y ~ nullable", "y ~ C(when)"]:
        try:
            expected = patsy.dmatrices(formula, data, eval_env=env, return_type="dataframe")
        except patsy.PatsyError as exc:
            with pytest.raises(patsy.PatsyError, match=str(exc).split("\n")[0][:30]):
                fastdesign.dmatrices(formula, data, eval_env=env)
            continue
        got = fastdesign.dmatrices(formula, data, eval_env=env)
        assert_same(expected, got)
        assert not fastdesign.design_arrays(formula, data, eval_env=env).fast


@pytest.mark.parametrize("formula", ["y ~ C(np.round(x / x.std()))", "y ~ C(pd.qcut(x, 3))",
                                     "y ~ I(x - x.mean()):g", "y ~ C(x > x.median())"])
def test_functions_of_whole_columns(formula: str) -> None:
    """Factors whose values depend on all rows (not row by row) still match patsy."""
    assert_same(*both(formula, DATA))


def test_caller_data_not_modified() -> None:
    data = DATA.copy(deep=True)
    before = data.copy(deep=True)
    for formula in ["y ~ xn*g + h + go", "ys ~ center(x) + C(k, Sum)", "y ~ C(g, levels=['c','b','a'])"]:
        fastdesign.dmatrices(formula, data)
        fastdesign.design_arrays(formula, data)
    pd.testing.assert_frame_equal(data, before)
    assert list(data.columns) == list(before.columns)


def test_eval_env_depth_is_relative_to_the_caller() -> None:
    local_shift = np.arange(N, dtype=float)  # noqa: F841 (found through eval_env=0)
    lhs, rhs = fastdesign.dmatrices("y ~ x + local_shift", DATA, eval_env=0)
    np.testing.assert_array_equal(rhs["local_shift"], np.arange(N, dtype=float))
    arrays = fastdesign.design_arrays("y ~ local_shift", DATA, eval_env=0)
    assert arrays.fast and arrays.X[5, 1] == 5.0


def test_stateful_transform_state_comes_from_all_rows() -> None:
    """center()/standardize() memorise the full data: prediction uses the full-data mean."""
    env = patsy.EvalEnvironment.capture()
    _, rhs = fastdesign.dmatrices("y ~ center(x) + standardize(z)", DATA, eval_env=env)
    new = pd.DataFrame({"x": [DATA["x"].mean()], "z": [DATA["z"].mean()]})
    row = patsy.build_design_matrices([rhs.design_info], new)[0]
    np.testing.assert_allclose(np.asarray(row)[0], [1.0, 0.0, 0.0], atol=1e-12)


def test_larger_data_with_blocks() -> None:
    """Several row blocks in C order, with rows dropped inside and across blocks."""
    data = make_frame(20_000, seed=11)
    env = patsy.EvalEnvironment.capture()
    formula = "y ~ xn*g + h + go:x + np.log(z)"
    lhs, rhs = patsy.dmatrices(formula, data, eval_env=env, return_type="dataframe")
    for order in ("C", "F"):
        arrays = fastdesign.design_arrays(formula, data, eval_env=env, order=order)
        assert arrays.fast
        np.testing.assert_array_equal(arrays.X, rhs.to_numpy())
        np.testing.assert_array_equal(arrays.y, lhs.to_numpy())
        pd.testing.assert_index_equal(arrays.index, rhs.index)


def test_pandas_string_dtypes() -> None:
    """'string' (pd.NA) and pyarrow-backed strings: same result, or the same error, as patsy."""
    data = DATA.copy()
    ab = np.where(np.arange(N) % 2 == 0, "a", "b")
    holes = np.where(np.arange(N) % 7 == 0, None, ab)
    data["sp"] = pd.Series(ab, dtype="string[pyarrow]")
    data["sq"] = pd.Series(holes, dtype=pd.StringDtype("pyarrow", na_value=np.nan))
    data["sn"] = pd.Series(holes, dtype="string")
    env = patsy.EvalEnvironment.capture()
    for formula in ["y ~ sp", "y ~ sq + x", "sq ~ sp:x"]:
        assert_same(*both(formula, data))
        assert fastdesign.design_arrays(formula, data, eval_env=env).fast
    with pytest.raises(TypeError) as theirs:  # patsy cannot sort pd.NA among the levels
        patsy.dmatrices("y ~ sn", data, eval_env=env, return_type="dataframe")
    with pytest.raises(TypeError) as ours:
        fastdesign.dmatrices("y ~ sn", data, eval_env=env)
    assert str(ours.value) == str(theirs.value)


def test_index_label_named_contrast() -> None:
    """patsy reads ``value.contrast`` off a Series, which finds an index label 'contrast'."""
    data = DATA.set_axis(["contrast"] + [f"r{i}" for i in range(N - 1)], axis=0)
    with pytest.raises(AttributeError) as theirs:
        patsy.dmatrices("y ~ g", data, return_type="dataframe")
    with pytest.raises(AttributeError) as ours:
        fastdesign.dmatrices("y ~ g", data)
    assert str(ours.value) == str(theirs.value)
    assert_same(*both("y ~ x + C(g)", data))
