"""statsmodels' alternative summary layout (``res.summary2()``), rendered by
:mod:`logitstat.report.summary`.

The model-information block (two label/value column pairs, statsmodels' labels and number
formats) and the coefficient table (``Coef.``, ``Std.Err.``, ``z``, ``P>|z|``, interval ends);
``tables`` holds both as DataFrames, as statsmodels' ``Summary2.tables``.
"""
from __future__ import annotations

import datetime

import pandas as pd

from .summary import Summary


def _g(x: float) -> str:
    """statsmodels' ``forg``: four decimals, scientific outside [1e-4, 1e4)."""
    return f"{x:.4e}" if (abs(x) >= 1e4 or abs(x) < 1e-4) and x != 0 else f"{x:.4f}"


class Summary2(Summary):
    """A :class:`~logitstat.report.summary.Summary` in statsmodels' ``summary2`` layout, with
    ``tables`` (``[model information, coefficients]``, DataFrames)."""

    @classmethod
    def from_results(cls, res, alpha: float = 0.05, float_format: str = "%.4f", title=None,
                     yname=None, xname=None) -> "Summary2":
        model = {"logit": "Logit", "probit": "Probit"}.get(res.link.name, f"GLM ({res.link.name})")
        method = {"irls": "MLE", "firth": "Firth"}.get(res.method, res.method)
        header = [
            ("Model:", model), ("Method:", method),
            ("Dependent Variable:", yname or res.design.response),
            ("Pseudo R-squared:", f"{res.prsquared:.3f}"),
            ("Date:", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
            ("AIC:", _g(res.aic)),
            ("No. Observations:", f"{res.nobs:g}"), ("BIC:", _g(res.bic)),
            ("Df Model:", f"{res.df_model:g}"), ("Log-Likelihood:", f"{res.llf:.5g}"),
            ("Df Residuals:", f"{res.df_resid:g}"), ("LL-Null:", f"{res.llnull:.5g}"),
            ("Converged:", _g(float(res.converged))), ("LLR p-value:", _g(res.llr_pvalue)),
            ("No. Iterations:", _g(float(res.n_iter))), ("Scale:", _g(1.0)),
        ]
        ci = res.conf_int(alpha)
        table = pd.DataFrame({"Coef.": res.params, "Std.Err.": res.bse, "z": res.tvalues,
                              "P>|z|": res.pvalues, f"[{alpha / 2:g}": ci["lower"],
                              f"{1 - alpha / 2:g}]": ci["upper"]})
        if xname is not None:
            table.index = list(xname)
        return cls(title or f"Results: {model}", header, table, [])  # float_format: accepted

    @property
    def tables(self) -> list[pd.DataFrame]:
        """``[info, coefficients]``: the information block as a four-column DataFrame of text
        (label, value, label, value) and the coefficient table (numbers)."""
        return [pd.DataFrame(self._header_rows()), self.table.copy()]

    def as_text(self) -> str:
        return str(self)
