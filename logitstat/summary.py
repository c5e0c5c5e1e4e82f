"""Summary tables of a fit: the only module that formats numbers (and imports tabulate).

A :class:`Summary` holds plain data (a title, header pairs, the coefficient table, footer notes)
and renders it as text, HTML, LaTeX or Markdown.
"""
from __future__ import annotations

import html as _html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tabulate import tabulate

LINK_TITLES = {"logit": "Logistic regression", "probit": "Probit regression",
               "cloglog": "Complementary log-log regression", "cauchit": "Cauchit regression"}


def format_pvalue(p: float) -> str:
    """P-values as ``0.0123``, ``<1e-16`` below machine precision, ``nan`` when undefined."""
    if not np.isfinite(p):
        return "nan"
    if p < 1e-16:
        return "<1e-16"
    if p < 1e-4:
        return f"{p:.2e}"
    return f"{p:.4f}"


def _num(x, digits: int = 4) -> str:
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}f}" if abs(x) >= 1e-3 or x == 0 else f"{x:.3e}"


@dataclass
class Summary:
    """A rendered-on-demand summary: ``str()`` text, ``as_html()``, ``as_latex()``, ``as_markdown()``."""

    title: str
    header: list[tuple[str, str]]
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_results(cls, res, odds_ratios: bool = False, alpha: float = 0.05) -> "Summary":
        """Collect everything a reader needs from a fitted :class:`~logitstat.results.BinaryResults`."""
        d = res.design
        conv = f"yes, {res.n_iter} iterations" if res.converged else f"NO after {res.n_iter} iterations"
        method = {"irls": "IRLS (Fisher scoring)", "firth": "Firth penalized likelihood"}.get(
            res.method, res.method)
        header = [
            ("Dep. variable:", d.event), ("No. observations:", _num(res.nobs)),
            ("Model:", "Binomial GLM"), ("Df residuals:", _num(res.df_resid)),
            ("Link:", res.link.name), ("Df model:", _num(res.df_model)),
            ("Method:", method), ("Log-likelihood:", _num(res.llf)),
            ("Covariance:", res.cov_estimator.description), ("LL-null:", _num(res.llnull)),
            ("Converged:", conv), (f"LR chi2({res.df_model}):", _num(res.llr)),
            ("Rows dropped:", f"{d.n_dropped} (missing values)" if d.n_dropped else "0"),
            ("Prob > chi2:", format_pvalue(res.llr_pvalue)),
            ("Deviance:", _num(res.deviance)), ("Pseudo R-sq.:", _num(res.prsquared)),
            ("AIC:", _num(res.aic)), ("BIC:", _num(res.bic)),
        ]
        if d.has_weights:
            header.append(("Weights:", "frequency"))
        if d.has_offset:
            header.append(("Offset:", d.offset_name or "yes"))
        lo_name, hi_name = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
        ci = res.conf_int(alpha)
        table = pd.DataFrame({"coef": res.params, "std err": res.bse, "z": res.tvalues,
                              "P>|z|": res.pvalues, lo_name: ci["lower"], hi_name: ci["upper"]})
        if odds_ratios:
            orr = res.odds_ratios(alpha)
            table["odds ratio"] = orr["odds_ratio"]
            table[f"OR {lo_name}"] = orr["lower"]
            table[f"OR {hi_name}"] = orr["upper"]
        return cls(LINK_TITLES.get(res.link.name, "Binomial regression") + " results",
                   header, table, diagnostic_notes(res))

    # ------------------------------------------------------------------ rendering
    def _cells(self) -> list[list[str]]:
        rows = []
        for name, row in self.table.iterrows():
            cells = [str(name)]
            for col, v in row.items():
                cells.append(format_pvalue(v) if col == "P>|z|" else _num(float(v)))
            rows.append(cells)
        return rows

    def _header_rows(self) -> list[list[str]]:
        pairs = self.header
        left = pairs[0::2]
        right = pairs[1::2]
        rows = []
        for i in range(max(len(left), len(right))):
            a = left[i] if i < len(left) else ("", "")
            b = right[i] if i < len(right) else ("", "")
            rows.append([a[0], a[1], b[0], b[1]])
        return rows

    def __str__(self) -> str:
        top = tabulate(self._header_rows(), tablefmt="plain", disable_numparse=True)
        coef = tabulate(self._cells(), headers=[""] + list(self.table.columns), tablefmt="simple",
                        disable_numparse=True,
                        colalign=("left",) + ("right",) * len(self.table.columns))
        width = max(len(line) for line in (top + "\n" + coef).splitlines())
        rule = "=" * width
        parts = [self.title.center(width), rule, top, rule, coef, rule]
        if self.notes:
            parts += ["Notes:"] + [f"[{i}] {n}" for i, n in enumerate(self.notes, 1)]
        return "\n".join(parts)

    def __repr__(self) -> str:
        return str(self)

    def as_text(self) -> str:
        return str(self)

    def as_html(self) -> str:
        """HTML: a header table, the coefficient table and the notes."""
        top = tabulate(self._header_rows(), tablefmt="html", disable_numparse=True)
        coef = tabulate(self._cells(), headers=[""] + list(self.table.columns), tablefmt="html",
                        disable_numparse=True)
        notes = "".join(f"<li>{_html.escape(n)}</li>" for n in self.notes)
        return (f'<div class="logitstat-summary"><h4>{_html.escape(self.title)}</h4>{top}{coef}'
                + (f"<ol>{notes}</ol>" if notes else "") + "</div>")

    def _repr_html_(self) -> str:
        return self.as_html()

    def as_latex(self) -> str:
        """LaTeX (booktabs) tables with the notes as a list."""
        top = tabulate(self._header_rows(), tablefmt="latex_booktabs", disable_numparse=True)
        coef = tabulate(self._cells(), headers=[""] + list(self.table.columns),
                        tablefmt="latex_booktabs", disable_numparse=True)
        notes = "".join(f"\\item {_latex_escape(n)}\n" for n in self.notes)
        out = f"% {self.title}\n{top}\n{coef}\n"
        return out + (f"\\begin{{enumerate}}\n{notes}\\end{{enumerate}}\n" if notes else "")

    def as_markdown(self) -> str:
        """GitHub-flavoured Markdown."""
        top = tabulate(self._header_rows(), headers=["", "", "", ""], tablefmt="pipe",
                       disable_numparse=True)
        coef = tabulate(self._cells(), headers=[""] + list(self.table.columns), tablefmt="pipe",
                        disable_numparse=True)
        notes = "\n".join(f"{i}. {n}" for i, n in enumerate(self.notes, 1))
        return f"**{self.title}**\n\n{top}\n\n{coef}\n" + (f"\n{notes}\n" if notes else "")

    def to_dict(self) -> dict:
        """Every number of the summary, JSON-ready."""
        return {"title": self.title, "header": dict(self.header),
                "coefficients": {str(k): {c: float(v) for c, v in row.items()}
                                 for k, row in self.table.iterrows()},
                "notes": list(self.notes)}


def diagnostic_notes(res) -> list[str]:
    """The footer: what a careful reader should know about this fit, in words."""
    d = res.design
    notes = []
    if not res.converged:
        notes.append(f"The fit did not converge after {res.n_iter} iterations"
                     f"{': ' + res.fit.message if res.fit.message else ''}; "
                     "the estimates may be unreliable.")
    if d.n_dropped:
        notes.append(f"{d.n_dropped} row(s) with missing values were dropped (listwise).")
    if d.aliased:
        notes.append("Dropped exactly collinear (aliased) columns: " + "; ".join(d.aliased.values()) + ".")
    if res.cov_type != "nonrobust":
        notes.append(f"Standard errors: {res.cov_estimator.description}.")
    return notes


def _latex_escape(s: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"),
                 ("#", r"\#"), ("_", r"\_"), ("{", r"\{"), ("}", r"\}")):
        s = s.replace(a, b)
    return s
