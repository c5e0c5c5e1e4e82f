"""Index plots of dfbetas / dffits / cov_ratio: they render, and plot R's numbers with R's flags."""
from __future__ import annotations

import numpy as np
import pytest

import logitstat as ls
from logitstat.report import plots
from logitstat.report.influenceplot import cutoffs, deletion_table

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def res():
    return ls.logit("lfp ~ k5 + age + wc + lwg + inc", ls.datasets.load("mroz"))


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.mark.parametrize("measure,panels", [("dfbetas", 6), ("dffits", 1), ("cov_ratio", 1)])
def test_index_plots_render_one_panel_per_column(res, measure, panels, tmp_path):
    fig = plots.influence_plot(res, measure=measure)
    visible = [a for a in fig.axes if a.get_visible()]
    assert len(visible) == panels
    fig.savefig(tmp_path / f"{measure}.png")
    assert (tmp_path / f"{measure}.png").read_bytes()[:4] == b"\x89PNG"


def test_the_points_are_the_measures(res):
    fig = plots.influence_plot(res, measure="dfbetas", terms=["age"])
    (line,) = [ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "o"]
    np.testing.assert_array_equal(line.get_ydata(), res.get_influence().dfbetas["age"].to_numpy())
    assert list(deletion_table(res, "dffits").columns) == ["dffits"]


def test_cutoffs_are_influence_measures_flags():
    """R: |dfbetas| > 1, |dffit| > 3 sqrt(k/(n-k)), |1 - cov.r| > 3k/(n-k)."""
    assert cutoffs("dfbetas", 6, 753) == (-1.0, 1.0)
    assert cutoffs("dffits", 6, 753)[1] == pytest.approx(3 * np.sqrt(6 / 747))
    assert cutoffs("cov_ratio", 6, 753) == pytest.approx((1 - 18 / 747, 1 + 18 / 747))


def test_errors(res):
    with pytest.raises(ls.SpecificationError, match="measure='leverage'"):
        plots.influence_plot(res, measure="leverage")
    with pytest.raises(ls.SpecificationError, match="terms=\\['nope'\\]"):
        plots.influence_plot(res, measure="dfbetas", terms=["nope"])
    _, ax = plt.subplots()
    with pytest.raises(ls.SpecificationError, match="one panel"):
        plots.influence_plot(res, measure="dfbetas", ax=ax)
    assert plots.influence_plot(res, measure="dfbetas", terms="age", ax=ax).axes[0] is ax
