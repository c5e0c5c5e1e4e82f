"""Redraw the pictures of docs/user-guide.md: ``python docs/img/make_images.py`` (matplotlib)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import logitstat as ls  # noqa: E402
from logitstat import plots  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    mroz = ls.datasets.load("mroz")
    res = ls.logit("lfp ~ k5 + k618 + age + wc + hc + lwg + inc", mroz)
    figures = {
        "predicted_age": plots.predicted_probability_plot(res, "age", mroz, by="wc"),
        "calibration": plots.calibration_plot(res),
        "roc": plots.roc_plot(res),
        "influence": plots.influence_plot(res),
        "forest": plots.forest_plot(res),
    }
    for name, fig in figures.items():
        fig.savefig(HERE / f"{name}.png", dpi=72)


if __name__ == "__main__":
    main()
