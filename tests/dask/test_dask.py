"""Fits on Dask DataFrames equal the in-memory fit on the same rows (on a real LocalCluster)."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import special

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import logitstat as ls  # noqa: E402
from logitstat.dask.model import RowsNotInMemory, _aliased_from_gram  # noqa: E402


@pytest.fixture(scope="module")
def client():
    # dashboard_address=None turns the dashboard off, yet the scheduler still serves HTTP on
    # port 8787 (and warns when that is taken): port 0 lets the OS choose a free one
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None,
                                  scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as cluster, \
            distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(7)
    n = 900
    df = pd.DataFrame({"x": rng.standard_normal(n), "z": rng.standard_normal(n),
                       "w": rng.integers(1, 4, n).astype(float), "o": rng.normal(0, 0.2, n)})
    # sorted so that the partitions see different levels of g ("d" only in the last one)
    df["g"] = np.sort(rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1]))
    eta = -0.3 + 0.9 * df.x - 0.6 * df.z + df.g.map({"a": 0, "b": 0.4, "c": -0.5, "d": 0.8})
    df["y"] = (rng.random(n) < special.expit(eta)).astype(float)
    df["yes"] = np.where(df.y > 0, "yes", "no")
    df.loc[[3, 400], "x"] = np.nan
    return df


def assert_same_fit(r, m, rtol=1e-8):
    assert list(r.params.index) == list(m.params.index)
    np.testing.assert_allclose(r.params, m.params, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(r.bse, m.bse, rtol=rtol)
    np.testing.assert_allclose([r.llf, r.llnull, r.deviance, r.null_deviance],
                               [m.llf, m.llnull, m.deviance, m.null_deviance], rtol=rtol)
    assert r.nobs == m.nobs and r.design.n_dropped == m.design.n_dropped
    assert r.converged


@pytest.mark.parametrize("link", ["logit", "probit"])
def test_dask_fit_equals_in_memory_fit(client, frame, link):
    ddf = dd.from_pandas(frame, npartitions=3)
    kw = dict(weights="w", offset="o") if link == "probit" else {}
    r = ls.glm("y ~ x + z + g", ddf, link=link, **kw)
    m = ls.glm("y ~ x + z + g", frame, link=link, **kw)
    assert_same_fit(r, m)
    assert r.design.event == m.design.event
    assert str(r.summary()).count("\n") > 10


def test_parquet_dataset_string_response_and_lazy_fitted_values(client, frame, tmp_path):
    pytest.importorskip("pyarrow")
    frame.iloc[:500].to_parquet(tmp_path / "part0.parquet")
    frame.iloc[500:].to_parquet(tmp_path / "part1.parquet")
    ddf = dd.read_parquet(str(tmp_path))
    r = ls.logit("yes ~ x + g", ddf, cov_type="HC3")
    m = ls.logit("yes ~ x + g", frame, cov_type="HC3")
    assert_same_fit(r, m)
    assert r.design.event == "yes = yes" == m.design.event
    fitted = r.fittedvalues.compute()
    pd.testing.assert_series_equal(fitted.sort_index(), m.fittedvalues.sort_index(),
                                   check_names=False, rtol=1e-8)
    np.testing.assert_allclose(r.predict(frame.head(5)), m.predict(frame.head(5)), rtol=1e-8)
    assert np.isclose(r.condition_number, m.condition_number, rtol=1e-8)
    with pytest.raises(RowsNotInMemory, match="not in memory"):
        r.design.X


def test_grouped_response_and_collinearity(client, frame):
    agg = frame.dropna().groupby("g").agg(s=("y", "sum"), n=("y", "size")).reset_index()
    agg["f"] = agg.n - agg.s
    agg["k"] = np.arange(len(agg), dtype=float)
    agg["k2"] = 2.0 * agg.k
    ddf = dd.from_pandas(agg, npartitions=2)
    r = ls.logit("s + f ~ k", ddf)
    m = ls.logit("s + f ~ k", agg)
    assert_same_fit(r, m)
    with pytest.raises(ls.CollinearityError, match="k2 = 2"):
        ls.logit("s + f ~ k + k2", ddf)


def test_no_intercept_and_a_grouped_row_of_zero_trials(client, frame):
    """The null model is intercept-only without an intercept too; a row of zero trials counts in
    nobs but not in df_resid nor HC1's n -- as the in-memory fit (tests/models/binary/test_results.py)."""
    ddf = dd.from_pandas(frame, npartitions=3)
    r = ls.logit("y ~ 0 + g + x", ddf)
    m = ls.logit("y ~ 0 + g + x", frame)
    assert_same_fit(r, m)
    assert r.df_model == m.df_model and r.df_resid == m.df_resid
    agg = pd.DataFrame({"dose": [0, 1, 2, 3, 4, 5, 2.5], "s": [1, 3, 7, 12, 17, 19, 0],
                        "f": [19, 17, 13, 8, 3, 1, 0]})
    r = ls.logit("s + f ~ dose", dd.from_pandas(agg, npartitions=2), cov_type="HC1")
    m = ls.logit("s + f ~ dose", agg, cov_type="HC1")
    assert_same_fit(r, m)
    assert (r.nobs, r.df_resid) == (m.nobs, m.df_resid) == (7, 4)


def test_a_level_carried_only_by_rows_of_zero_weight_is_aliased(client, frame):
    """As in memory (and R's glm): the rank is decided on the rows that carry information."""
    d = frame.dropna().copy()
    d["w0"] = np.where(d.g == "d", 0.0, d.w)
    ddf = dd.from_pandas(d, npartitions=3)
    with pytest.raises(ls.CollinearityError, match=r"g\[T.d\] = 0"):
        ls.logit("y ~ x + g", ddf, weights="w0")
    r = ls.logit("y ~ x + g", ddf, weights="w0", drop_collinear=True)
    m = ls.logit("y ~ x + g", d, weights="w0", drop_collinear=True)
    assert list(r.design.aliased) == list(m.design.aliased) == ["g[T.d]"]
    assert_same_fit(r, m)


def test_refusals_are_explained(client, frame):
    ddf = dd.from_pandas(frame, npartitions=2)
    with pytest.raises(ls.SpecificationError, match="stateful transform"):
        ls.logit("y ~ center(x)", ddf)
    with pytest.raises(ls.SpecificationError, match="Dask"):
        ls.logit("y ~ x", ddf, cov_type="cluster", groups="g")
    with pytest.raises(ls.SpecificationError, match="column name"):
        ls.logit("y ~ x", ddf, weights=np.ones(len(frame)))


def test_aliased_columns_from_the_gram_matrix():
    rng = np.random.default_rng(0)
    X = np.column_stack([np.ones(50), rng.standard_normal(50), rng.standard_normal(50)])
    X = np.column_stack([X, X[:, 1] - 3 * X[:, 2], np.zeros(50)])
    out = _aliased_from_gram(X.T @ X, ["Intercept", "a", "b", "c", "e"])
    assert set(out) == {"c", "e"}
    assert out["c"] == "c = a - 3·b"


@pytest.mark.parametrize("link", ["probit", "cloglog"])
def test_extreme_but_overlapping_fit_is_certified_out_of_core(client, link):
    """Fitted probabilities spread over ten orders of magnitude (a strong covariate): the
    multipliers stay positive, so the certificate holds on the cluster as it does in memory
    (the former spread test raised RowsNotInMemory here)."""
    rng = np.random.default_rng(2)
    n = 3000
    x = rng.uniform(-1, 1, n)
    from logitstat.fitting.links import get_link
    lk = get_link(link)
    lo, hi = lk.linkfun(np.array([1e-10, 1 - 1e-10]))
    eta = (lo + hi) / 2 + (hi - lo) / 2 * x
    df = pd.DataFrame({"x": x, "z": rng.normal(size=n),
                       "y": (rng.random(n) < lk.linkinv(eta)).astype(float)})
    mem = ls.glm("y ~ x + z", df, link=link)
    assert mem.separation.kind == "none" and mem.separation.report.method == "certificate"
    r = ls.glm("y ~ x + z", dd.from_pandas(df, npartitions=3), link=link)
    assert r.separation.kind == "none" and r.separation.report.method == "certificate"
def test_summary_of_a_fit_the_certificate_cannot_clear(client):
    """A probit stopped before convergence (max_iter=2): no certificate exists without a
    converged fit, so res.separation runs the linear programs over the partitions and finds
    the overlap that the in-memory programs find; the collinearity diagnostics come from the
    cluster's X'X and equal the in-memory ones (same Gram route)."""
    rng = np.random.default_rng(1)
    n = 10_000
    df = pd.DataFrame({"x": rng.standard_normal(n), "z": rng.standard_normal(n)})
    df["y"] = (rng.random(n) < special.ndtr(4 * df.x - 3 * df.z)).astype(float)
    with pytest.warns(ls.ConvergenceWarning):
        r = ls.probit("y ~ x + z", dd.from_pandas(df, npartitions=2), max_iter=2)
    assert not r.converged
    assert r.separation.kind == "none" and r.separation.method == "lp"
    text = str(r.summary())
    assert "Separation was not checked" not in text
    m = ls.probit("y ~ x + z", df)
    np.testing.assert_allclose(r.collinearity().to_numpy(), m.collinearity().to_numpy(),
                               rtol=1e-9, atol=1e-12)


def test_an_overlapping_fit_stopped_by_the_deviance_rule_is_resumed(client, frame, monkeypatch):
    """With a coarse rule the first iterations stop early on overlapping data: the fit is
    resumed to the ordinary convergence criterion, equal to the in-memory fit, without a
    convergence warning."""
    import logitstat.dask.model as ldask

    monkeypatch.setattr(ldask, "DEVIANCE_RULE", 1e-2)
    calls = []
    drive = ldask.drive
    monkeypatch.setattr(ldask, "drive", lambda *a, **k: calls.append(k) or drive(*a, **k))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ls.LogitstatWarning)
        r = ls.logit("y ~ x + z + g", dd.from_pandas(frame, npartitions=3))
    assert_same_fit(r, ls.logit("y ~ x + z + g", frame))
    assert r.separation.kind == "none"
    assert [k.get("deviance_rule") for k in calls][:2] == [1e-2, None]   # stopped, resumed


def _separated_frames():
    """Quasi-complete (a level with events only, frequency weights), complete (a threshold on
    x) and grouped (successes + failures, a level with no failure) data."""
    rng = np.random.default_rng(3)
    n = 2000
    df = pd.DataFrame({"x": rng.standard_normal(n), "z": rng.standard_normal(n),
                       "g": rng.choice(["a", "b", "c"], n), "w": rng.integers(0, 3, n).astype(float)})
    df["y"] = (rng.random(n) < special.expit(df.x - df.z)).astype(float)
    quasi = df.assign(y=np.where(df.g == "c", 1.0, df.y))
    complete = df.assign(y=(df.x + 0.3 * df.z > 0.1).astype(float))
    grp = df.iloc[:600].assign(s=rng.integers(0, 4, 600).astype(float),
                               f=rng.integers(0, 4, 600).astype(float))
    grp.loc[grp.g == "b", "f"] = 0.0
    return {"quasi": ("y ~ x + z + g", quasi, dict(weights="w")),
            "complete": ("y ~ x + z + g", complete, {}),
            "grouped": ("s + f ~ x + g", grp, {})}


@pytest.mark.parametrize("kind", ["quasi", "complete", "grouped"])
def test_separated_data_are_diagnosed_out_of_core_as_in_memory(client, kind):
    """The programs over the partitions give exactly the in-memory answer: the same kind,
    directions, undetermined coefficients and separated rows (row positions among the rows
    used), by the same sequence of programs (the same number of passes)."""
    formula, data, kw = _separated_frames()[kind]
    with pytest.warns(ls.LogitstatWarning):
        mem = ls.logit(formula, data, **kw)
    with pytest.warns(ls.SeparationWarning, match="separation") as got:
        r = ls.logit(formula, dd.from_pandas(data, npartitions=3), **kw)
    assert not any(issubclass(w.category, ls.ConvergenceWarning) for w in got)
    # both stop where R's glm stops (Fisher scoring from R's start, deviance rule 1e-12): the
    # same iterates to rounding, amplified along the diverging directions
    np.testing.assert_allclose(r.params, mem.params, rtol=1e-6)
    assert not r.converged
    a, b = r.separation, mem.separation
    assert a.kind == b.kind != "none" and a.method == "lp"
    assert a.directions.equals(b.directions) and a.undetermined.equals(b.undetermined)
    np.testing.assert_array_equal(a.separated_rows.to_numpy(), b.separated_rows.to_numpy())
    text = str(r.summary())
    assert "separation" in text and "+inf" in text


def test_every_result_method_works_or_says_why(client, frame):
    """Each public property / method of a Dask fit either works or raises a LogitstatError
    naming what is not in memory (never a raw AttributeError or numpy error)."""
    r = ls.logit("y ~ x + z + g", dd.from_pandas(frame, npartitions=2))
    calls = {name: (lambda name=name: getattr(r, name)) for name in (
        "params", "bse", "pvalues", "llf", "llnull", "aic", "bic", "condition_number",
        "resid_deviance", "resid_pearson", "separation")}
    calls.update({"conf_int": lambda: r.conf_int(), "profile": lambda: r.conf_int(method="profile"),
                  "vif": lambda: r.vif(), "vif_design": lambda: r.vif(kind="design"),
                  "collinearity": lambda: r.collinearity(), "influence": lambda: r.get_influence(),
                  "anova": lambda: r.anova(), "wald_test_terms": lambda: r.wald_test_terms(),
                  "gof": lambda: r.gof(), "summary": lambda: str(r.summary()),
                  "odds_ratios": lambda: r.odds_ratios(), "margins": lambda: r.marginal_effects(),
                  "predict": lambda: r.predict(frame.head()), "lr_test": lambda: ls.lr_test(r, r)})
    failed = {}
    for name, call in calls.items():
        try:
            call()
        except ls.LogitstatError as exc:
            assert str(exc), name
        except Exception as exc:  # noqa: BLE001
            failed[name] = f"{type(exc).__name__}: {exc}"
    assert not failed
