"""Plots render to PNG headless; the numbers behind them are checked against first principles."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat import plots

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def mroz():
    return ls.datasets.load("mroz")


@pytest.fixture(scope="module")
def res(mroz):
    return ls.logit("lfp ~ k5 + age + wc + lwg + inc", mroz)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def save(fig, tmp_path, name):
    assert isinstance(fig, Figure)
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=60)
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 5000
    return path


def test_forest_plot(res, tmp_path):
    fig = plots.forest_plot(res)
    save(fig, tmp_path, "forest")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == list(res.params.index[1:])
    coef = plots.forest_plot(res, odds_ratios=False, intercept=True)
    assert len(coef.axes[0].get_yticklabels()) == len(res.params)
    probit = ls.probit("lfp ~ k5 + age", ls.datasets.load("mroz"))
    with pytest.raises(ls.SpecificationError):
        plots.forest_plot(probit, odds_ratios=True)
    save(plots.forest_plot(probit), tmp_path, "forest_probit")


def test_calibration(res, tmp_path):
    save(plots.calibration_plot(res), tmp_path, "calibration")
    table = plots.calibration_table(res, bins=10)
    assert len(table) == 10
    assert table["n"].sum() == res.nobs
    # with an intercept, the logit score equations make mean prediction = event rate
    np.testing.assert_allclose((table["n"] * table["predicted"]).sum(),
                               (table["n"] * table["observed"]).sum(), rtol=1e-8)
    assert (table["lower"] <= table["observed"]).all() and (table["observed"] <= table["upper"]).all()
    assert table["predicted"].is_monotonic_increasing
    uniform = plots.calibration_table(res, bins=5, strategy="uniform")
    assert uniform["n"].sum() == res.nobs


def test_roc(res, tmp_path):
    save(plots.roc_plot(res), tmp_path, "roc")
    curve, auc = plots.roc_curve(res)
    # AUC = P(score of a random event > score of a random non-event), ties counting 1/2
    p = res.fittedvalues.to_numpy()
    y = res.design.y
    pos, neg = p[y == 1], p[y == 0]
    brute = ((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())
    assert auc == pytest.approx(brute, abs=1e-12)
    assert curve["fpr"].iloc[0] == 0 and curve["tpr"].iloc[-1] == 1
    assert curve["fpr"].is_monotonic_increasing and curve["tpr"].is_monotonic_increasing


def test_roc_of_grouped_data_equals_expanded_rows():
    bud = ls.datasets.load("budworm")
    grouped = ls.logit("numdead + numalive ~ sex + ldose", bud)
    rows = [(r.ldose, r.sex, 1) for r in bud.itertuples() for _ in range(r.numdead)]
    rows += [(r.ldose, r.sex, 0) for r in bud.itertuples() for _ in range(r.numalive)]
    long = pd.DataFrame(rows, columns=["ldose", "sex", "dead"])
    long["sex"] = pd.Categorical(long["sex"], categories=["F", "M"])
    expanded = ls.logit("dead ~ sex + ldose", long)
    assert plots.roc_curve(grouped)[1] == pytest.approx(plots.roc_curve(expanded)[1], abs=1e-10)


def test_predicted_probability(res, mroz, tmp_path):
    save(plots.predicted_probability_plot(res, "age", mroz, by="wc"), tmp_path, "pred")
    save(plots.predicted_probability_plot(res, "wc", mroz), tmp_path, "pred_cat")
    grid = plots.prediction_grid(res, "age", mroz, n_points=7)
    assert len(grid) == 7 and grid["age"].min() == mroz["age"].min()
    assert np.allclose(grid["k5"], mroz["k5"].mean()) and (grid["wc"] == "no").all()
    # the curve is the model's own prediction at those rows
    fig = plots.predicted_probability_plot(res, "age", mroz, n_points=7)
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), res.predict(grid).to_numpy(), rtol=1e-12)
    at = plots.prediction_grid(res, "age", mroz, at={"k5": 2}, n_points=3)
    assert (at["k5"] == 2).all()
    with pytest.raises(ls.DataError):
        plots.predicted_probability_plot(res, "nosuch", mroz)


def test_influence(res, tmp_path):
    save(plots.influence_plot(res), tmp_path, "influence")
    m = plots.influence_measures(res)
    assert len(m) == res.nobs
    # the hat matrix is a projection of rank p: its diagonal sums to p
    assert m["hat"].sum() == pytest.approx(len(res.params), rel=1e-8)
    assert (m["cooks_d"] >= 0).all()


def test_plot_on_given_axes(res):
    fig, axes = plt.subplots(1, 2)
    assert plots.roc_plot(res, ax=axes[0]) is fig
    assert plots.calibration_plot(res, ax=axes[1]) is fig
