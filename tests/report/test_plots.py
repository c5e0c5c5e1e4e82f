"""Plots render to PNG headless; the numbers behind them are checked against first principles."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logitstat as ls
from logitstat.report import plots

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


# --------------------------------------------------------------------------- every dataset

MODELS = {  # a sensible model per bundled dataset: (formula, x for the prediction plot, by)
    "birthwt": ("low ~ age + lwt + race + smoke + ptl + ht + ui + ftv", "lwt", "race"),
    "budworm": ("numdead + numalive ~ sex * ldose", "ldose", "sex"),
    "endometrial": ("HG ~ NV + PI + EH", "PI", None),  # quasi-complete separation
    "infert": ("case ~ spontaneous + induced + education + age", "age", "education"),
    "mroz": ("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", "age", "wc"),
    "mtcars": ("am ~ wt", "wt", None),
    "titanic": ("survived ~ sex + age + passengerClass", "age", "sex"),
}


def test_every_dataset_has_a_model():
    assert sorted(MODELS) == sorted(ls.datasets.names())


@pytest.fixture(scope="module", params=sorted(MODELS))
def fitted(request):
    name = request.param
    formula, x, by = MODELS[name]
    data = ls.datasets.load(name)
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore", ls.SeparationWarning)
        return ls.logit(formula, data), data, x, by


DRAWINGS = {
    "forest": lambda r, d, x, by: plots.forest_plot(r),
    "forest_intercept": lambda r, d, x, by: plots.forest_plot(r, intercept=True),
    "coefficients": lambda r, d, x, by: plots.forest_plot(r, odds_ratios=False, intercept=True),
    "calibration": lambda r, d, x, by: plots.calibration_plot(r),
    "calibration_uniform": lambda r, d, x, by: plots.calibration_plot(r, strategy="uniform"),
    "roc": lambda r, d, x, by: plots.roc_plot(r),
    "predicted": lambda r, d, x, by: plots.predicted_probability_plot(r, x, d, by=by),
    "influence": lambda r, d, x, by: plots.influence_plot(r),
}


@pytest.mark.parametrize("kind", sorted(DRAWINGS))
def test_every_plot_draws_on_every_dataset_without_warnings(fitted, kind, tmp_path):
    import warnings

    res, data, x, by = fitted
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = DRAWINGS[kind](res, data, x, by)
        save(fig, tmp_path, kind)
    for ax in fig.axes:
        title = ax.get_title()
        # wrapped to the axes: no line wider than the axes holds at the title's font size
        width_chars = ax.get_position().width * fig.get_figwidth() * 72 / (0.6 * 11)
        assert all(len(line) <= width_chars * 1.15 + 1 for line in title.splitlines())


def _major_labels(ax):
    lo, hi = ax.get_xlim()
    ticks = [t for t in ax.xaxis.get_majorticklocs() if lo <= t <= hi]
    fmt = ax.xaxis.get_major_formatter()
    fmt.set_locs(ticks)
    return ticks, [fmt(t) for t in ticks]


def test_forest_axis_covers_every_interval_with_few_readable_ticks(fitted):
    res = fitted[0]
    for intercept in (False, True):
        fig = plots.forest_plot(res, intercept=intercept)
        ax = fig.axes[0]
        ci = np.exp(res.conf_int().drop(index=[] if intercept else ["Intercept"]))
        ci = ci[np.isfinite(ci).all(axis=1)]
        lo, hi = ax.get_xlim()
        assert lo <= ci["lower"].min() and ci["upper"].max() <= hi and lo < 1 < hi
        ticks, labels = _major_labels(ax)
        assert 2 <= len(ticks) <= 9, labels
        assert len(set(labels)) == len(labels)
        # plain labels are round numbers (at most 3 significant digits), never 0.333333
        for t, label in zip(ticks, labels):
            if "10^" not in label:
                assert len(label.replace(".", "").strip("0")) <= 3, label
                assert float(label) == pytest.approx(t, rel=1e-9)
        plt.close(fig)


def test_forest_intercept_of_mtcars_reaches_its_upper_limit():
    """The issue's case: the intercept's odds-ratio interval reaches 3.4e14, beyond a fixed
    list of ticks that stopped at 1e8; fifteen decade labels ran together."""
    res = ls.logit("am ~ wt + hp", ls.datasets.load("mtcars"))
    ax = plots.forest_plot(res, intercept=True).axes[0]
    upper = float(np.exp(res.conf_int().loc["Intercept", "upper"]))
    assert upper > 3e14 and ax.get_xlim()[1] >= upper
    ticks, labels = _major_labels(ax)
    assert ticks[-1] >= upper / 10 and len(ticks) <= 9


@pytest.mark.parametrize("lo, hi", [(0.3, 0.75), (0.333, 0.7), (0.9, 1.1), (0.95, 1.0),
                                    (0.2, 1.5), (0.1, 100), (0.004, 6), (0.01, 2000)])
def test_log_ticks_are_round_and_few(lo, hi):
    ticks = plots._log_ticks(lo, hi)
    assert 3 <= len(ticks) <= 9
    assert all(lo <= t <= hi for t in ticks) and ticks == sorted(set(ticks))
    # at most three significant digits: t * 10^k is a whole number below 1000 for some k
    for t in ticks:
        k = -int(np.floor(np.log10(t))) + 2
        assert abs(t * 10.0 ** k - round(t * 10.0 ** k)) < 1e-9


def test_forest_annotations_use_one_format():
    res = ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", ls.datasets.load("mroz"))
    fig = plots.forest_plot(res)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "1.83 [1.36, 2.46]" in texts and "0.937 [0.820, 1.07]" in texts  # trailing zero kept
    assert [plots._number(v) for v in (1.6, 74.0, 1833.2, 0.00107, 1.69e5, 1.17e9)] == [
        "1.60", "74.0", "1833", "0.00107", "1.69e+05", "1.17e+09"]


def test_wilson_interval_matches_scipy_and_contains_the_rate():
    """Integer counts: the Wilson score interval of scipy's binomtest (an independent
    implementation); the observed rate is inside even at 0 and 1 (the mtcars case)."""
    from scipy.stats import binomtest

    events = np.array([0.0, 1.0, 3.0, 7.0, 9.0, 20.0])
    n = np.array([3.0, 4.0, 10.0, 7.0, 20.0, 20.0])
    lower, upper = plots._wilson(events, n, 0.05)
    for k, m, lo, hi in zip(events, n, lower, upper):
        ci = binomtest(int(k), int(m)).proportion_ci(confidence_level=0.95, method="wilson")
        assert (lo, hi) == pytest.approx((ci.low, ci.high), abs=1e-12)
        assert lo <= k / m <= hi
    assert lower[0] == 0.0 and upper[-1] == 1.0 and upper[3] == 1.0


def test_calibration_of_mtcars_draws():
    """The issue's case: a bin with no events gave a lower Wilson bound of 5.6e-17 > 0."""
    res = ls.logit("am ~ wt", ls.datasets.load("mtcars"))
    for strategy in ("quantile", "uniform"):
        table = plots.calibration_table(res, strategy=strategy)
        assert (table["lower"] <= table["observed"]).all()
        assert (table["observed"] <= table["upper"]).all()
        assert (table.loc[table["observed"] == 0, "lower"] == 0).all()
        plots.calibration_plot(res, strategy=strategy)


def test_prediction_title_mentions_held_variables_only_when_there_are_some(mroz):
    bud = ls.datasets.load("budworm")
    res = ls.logit("numdead + numalive ~ sex * ldose", bud)  # numdead, numalive: the response
    title = plots.predicted_probability_plot(res, "ldose", bud, by="sex").axes[0].get_title()
    assert "other variables" not in title
    res = ls.logit("lfp ~ k5 + age", mroz)
    assert plots._covariates(res, mroz.columns) == ["k5", "age"]
    title = plots.predicted_probability_plot(res, "age", mroz).axes[0].get_title()
    assert "other variables at means" in title
