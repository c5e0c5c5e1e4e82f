"""The side-by-side table of several fitted models that :func:`logitstat.report.compare` returns.

Rendered through the same cells, number formats and escapes as :mod:`logitstat.report.summary`
(text, HTML, LaTeX, Markdown, DataFrame).
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tabulate import tabulate

from .htmlstyle import comparison_html
from .numformat import NumberFormat, column_format
from .summary import _latex_escape, _num, _Rendered

__all__ = ["ComparisonTable"]


@dataclass(repr=False)
class ComparisonTable(_Rendered):
    """Several fitted models side by side (built by :func:`logitstat.report.compare`).

    ``estimates`` holds one column per model (NaN where a model lacks the coefficient); under each
    estimate goes the text of ``below`` (``"(0.123)"``, ``"[0.1, 0.3]"``), and after
    the coefficients the rows of ``stats``.  ``str()`` is text; ``as_html()``, ``as_latex()``,
    ``as_markdown()`` and ``to_frame()`` the other renderings.
    """

    estimates: pd.DataFrame
    below: pd.DataFrame | None
    pvalues: pd.DataFrame
    stats: pd.DataFrame
    stars: tuple[float, ...] = ()
    digits: int = 3
    notes: list[str] = field(default_factory=list)
    title: str = "Model comparison"
    formats: dict[str, NumberFormat] = field(default_factory=dict)

    def _star(self, p: float) -> str:
        return "*" * sum(bool(np.isfinite(p) and p < t) for t in self.stars)

    def _estimate(self, v: float, p: float, fmt: NumberFormat) -> str:
        """An estimate cell: blank where the model lacks the coefficient (NaN), ``+inf`` /
        ``-inf`` where its estimate runs to infinity (separation)."""
        if np.isnan(v):
            return ""
        if np.isinf(v):
            return "+inf" if v > 0 else "-inf"
        return fmt(v) + self._star(p)

    def _stat_row(self, label: str, vals) -> list[str]:
        """A row of model statistics: counts as integers, the others in one format (``digits``
        decimals unless too wide)."""
        if label == "Observations":
            return [v if isinstance(v, str) else _num(float(v)) for v in vals]
        numbers = [float(v) for v in vals if not isinstance(v, str)]
        fmt = column_format(numbers, drivers=[], min_decimals=self.digits, sig=self.digits + 1)
        return [v if isinstance(v, str) else _num(float(v)) if not np.isfinite(v) else fmt(float(v))
                for v in vals]

    def _rows(self) -> tuple[list[list[str]], int]:
        rows = []
        for name in self.estimates.index:
            fmt = self.formats.get(name, NumberFormat(self.digits))
            est = [self._estimate(v, p, fmt) for v, p in zip(self.estimates.loc[name],
                                                             self.pvalues.loc[name])]
            rows.append([str(name)] + est)
            if self.below is not None:
                rows.append([""] + [b if isinstance(b, str) else "" for b in self.below.loc[name]])
        n_coef = len(rows)
        for label, vals in self.stats.iterrows():
            rows.append([str(label)] + self._stat_row(str(label), vals))
        return rows, n_coef

    def _table(self, fmt: str) -> tuple[list[str], int]:
        rows, n_coef = self._rows()
        if fmt == "pipe":
            rows = [[c.replace("|", "\\|") for c in r] for r in rows]
        out = tabulate(rows, headers=[""] + list(self.estimates.columns), tablefmt=fmt,
                       disable_numparse=True, colalign=("left",) + ("center",) * self.estimates.shape[1])
        return out.splitlines(), n_coef

    def __str__(self) -> str:
        lines, n_coef = self._table("simple")
        width = max(len(line) for line in lines)
        lines.insert(2 + n_coef, "-" * width)
        wrap = min(max(width, 72), 100)
        notes = [textwrap.fill(n, wrap, break_long_words=False, break_on_hyphens=False)
                 for n in self.notes]
        parts = [self.title.center(width), "=" * width] + lines + ["=" * width] + notes
        return "\n".join(parts)

    def as_markdown(self) -> str:
        """GitHub-flavoured Markdown (``|`` in names escaped)."""
        lines, _ = self._table("pipe")
        body = "\n".join(lines)
        return f"**{self.title}**\n\n{body}\n\n" + "  \n".join(self.notes) + "\n"

    def as_html(self) -> str:
        """An HTML table (the summary's scoped style) with a rule before the model statistics."""
        rows, n_coef = self._rows()
        return comparison_html(self.title, [str(c) for c in self.estimates.columns], rows, n_coef,
                               self.notes)

    def as_latex(self) -> str:
        """A booktabs ``tabular`` with a midrule before the model statistics."""
        rows, n_coef = self._rows()
        k = self.estimates.shape[1]
        lines = [f"% {self.title}", f"\\begin{{tabular}}{{l{'c' * k}}}", "\\toprule",
                 " & ".join([""] + [_latex_escape(str(c)) for c in self.estimates.columns]) + r" \\",
                 "\\midrule"]
        for i, row in enumerate(rows):
            if i == n_coef:
                lines.append("\\midrule")
            cells = []
            for c in row:
                c = c.replace("—", "---")
                bare = c.rstrip("*")
                stars = len(c) - len(bare)
                cells.append(_latex_escape(bare) + (f"$^{{{'*' * stars}}}$" if stars else ""))
            lines.append(" & ".join(cells) + r" \\")
        lines += ["\\bottomrule", "\\end{tabular}"]
        lines += [f"% {_latex_escape(n.replace('—', '---'))}" for n in self.notes]
        return "\n".join(lines) + "\n"

    def to_frame(self) -> pd.DataFrame:
        """The table as strings: one row per cell row, one column per model."""
        rows, _ = self._rows()
        return pd.DataFrame([r[1:] for r in rows], index=[r[0] for r in rows],
                            columns=list(self.estimates.columns))

    def to_dict(self) -> dict:
        """The numbers, JSON-ready: estimates, p-values and statistics per model."""
        def clean(v):
            return v if isinstance(v, str) else (float(v) if np.isfinite(v) else None)
        return {"title": self.title, "models": {
            m: {"estimates": {k: clean(v) for k, v in self.estimates[m].items()},
                "pvalues": {k: clean(v) for k, v in self.pvalues[m].items()},
                "statistics": {k: clean(v) for k, v in self.stats[m].items()}}
            for m in self.estimates.columns}, "notes": list(self.notes)}
