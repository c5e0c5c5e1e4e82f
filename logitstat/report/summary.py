"""Summary tables of a fit: the only module that formats numbers (and imports tabulate).

A :class:`Summary` holds plain data (a title, header pairs, the coefficient table, footer notes)
and renders it as text, HTML, LaTeX or Markdown; a :class:`BlockSummary` renders its coefficient
tables through the same path, one titled section per block.  :class:`ComparisonTable`, which
lays several models side by side, lives in :mod:`logitstat.report.comparison` and is still
importable from here.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tabulate import tabulate

from ..diagnostics.divergence import divergence_note
from ..errors import LogitstatError
from ..models.binary.diagnostics import diagnostic_notes as _model_diagnostic_notes
from .htmlstyle import summary_html
from .numformat import (NumberFormat, check_pvalue_format, column_format, format_pvalue,
                        format_pvalues)

LINK_TITLES = {"logit": "Logistic regression", "probit": "Probit regression",
               "cloglog": "Complementary log-log regression", "cauchit": "Cauchit regression"}


def _num(x, digits: int = 4) -> str:
    """A header number: an integer as such, a float with ``digits`` decimals, NaN a dash."""
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if not np.isfinite(x):
        return "—" if np.isnan(x) else ("+inf" if x > 0 else "-inf")
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return NumberFormat(digits)(x)


def ci_names(alpha: float) -> tuple[str, str]:
    """The headers of a Wald interval's bounds, Stata's ``[95% conf.`` and ``interval]``."""
    level = f"{100 * (1 - alpha):.2f}".rstrip("0").rstrip(".")   # 95, 90, 98.33 (Bonferroni)
    return f"[{level}% conf.", "interval]"


SPECIAL = ("std err", "z", "P>|z|")


def _is_bound(col: str) -> bool:
    return col == "interval]" or (col.startswith("[") and col.endswith("% conf."))


def column_formats(table: pd.DataFrame) -> dict[str, NumberFormat | None]:
    """One number format per column of a coefficient table (None for the p-values).

    An estimate column (``coef``, ``odds ratio``, ``RRR``, ...) shares its format with the
    ``std err`` and interval bounds that follow it; its estimates and standard errors set the
    decimals (:func:`logitstat.report.numformat.column_format`).  ``z`` has three decimals.
    """
    groups: list[list[str]] = []
    formats: dict[str, NumberFormat | None] = {}
    for col in table.columns:
        if col == "P>|z|":
            formats[col] = None
        elif col == "z":
            formats[col] = column_format(table[col], drivers=[], min_decimals=3)
        elif (col == "std err" or _is_bound(col)) and groups:
            groups[-1].append(col)
        else:
            groups.append([col])
    for cols in groups:
        drivers = [c for c in cols if not _is_bound(c)]
        formats.update(dict.fromkeys(cols, column_format(table[cols], drivers=table[drivers])))
    return formats


def _cell(v: float, fmt: NumberFormat, dash: str = "—") -> str:
    """One number of a coefficient table: ``+inf`` / ``-inf`` for an estimate that runs to
    infinity, ``dash`` for one that does not exist (NaN)."""
    if np.isnan(v):
        return dash
    if np.isinf(v):
        return "+inf" if v > 0 else "-inf"
    return fmt(v)


def _coef_cells(table: pd.DataFrame, dash: str = "—", pvalue_format="auto",
                formats: dict | None = None) -> list[list[str]]:
    """The coefficient table as strings: the row name, then each value in its column's format
    (``formats``, default :func:`column_formats` of ``table``)."""
    formats = column_formats(table) if formats is None else formats
    columns = []
    for col in table.columns:
        values = table[col].to_numpy(dtype=float)
        fmt = formats[col]
        columns.append(format_pvalues(values, pvalue_format, dash) if fmt is None
                       else [_cell(v, fmt, dash) for v in values])
    return [[str(name)] + [c[i] for c in columns] for i, name in enumerate(table.index)]


def text_table(headers: list[str], rows: list[list[str]], align: str = "right") -> str:
    """A plain-text table: the first column left-aligned, the others aligned by ``align``
    (``"right"`` or ``"center"``), two spaces between columns, dashes under the headers (unlike
    tabulate's ``"simple"``, no padding is added to a header wider than its cells)."""
    widths = [max(len(c) for c in col) for col in zip(headers, *rows)]

    def line(cells):
        out = [cells[0].ljust(widths[0])]
        out += [c.rjust(w) if align == "right" else c.center(w) for c, w in zip(cells[1:], widths[1:])]
        return "  ".join(out).rstrip()
    return "\n".join([line(headers), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def _coef_dict(table: pd.DataFrame) -> dict:
    """``{row: {column: value}}`` of a coefficient table, JSON-ready: ``"+inf"`` / ``"-inf"``
    for an estimate that runs to infinity, None for a number that does not exist (NaN)."""
    def value(v: float):
        return None if np.isnan(v) else ("+inf" if v > 0 else "-inf") if np.isinf(v) else v
    return {str(k): {c: value(float(v)) for c, v in row.items()} for k, row in table.iterrows()}


def _fit_header(res, dependent: str, model: str, detail: tuple[str, str], method: str,
                covariance: str, pvalue_format="auto") -> list[tuple[str, str]]:
    """Header pairs shared by the binary and multinomial summaries, in two-column reading order.

    ``detail`` is the pair beside "Df model:" (the link, or the outcomes).  The intercept-only
    model has no LR test: its statistic and pseudo-R² are 0 by definition (not the rounding
    error of ℓ - ℓ₀), its p-value a dash.
    """
    d = res.design
    null_model = res.df_model == 0
    conv = f"yes, {res.n_iter} iterations" if res.converged else f"NO after {res.n_iter} iterations"
    return [
        ("Dep. variable:", dependent), ("No. observations:", _num(res.nobs)),
        ("Model:", model), ("Df residuals:", _num(res.df_resid)),
        detail, ("Df model:", _num(res.df_model)),
        ("Method:", method), ("Log-likelihood:", _num(res.llf)),
        ("Covariance:", covariance), ("LL-null:", _num(res.llnull)),
        ("Converged:", conv), (f"LR chi2({res.df_model}):", "0" if null_model else _num(res.llr)),
        ("Rows dropped:", f"{d.n_dropped} (missing values)" if d.n_dropped else "0"),
        ("Prob > chi2:", "—" if null_model else format_pvalue(res.llr_pvalue, pvalue_format)),
        ("Deviance:", _num(res.deviance)),
        ("Pseudo R-sq.:", "0" if null_model else _num(res.prsquared)),
        ("AIC:", _num(res.aic)), ("BIC:", _num(res.bic)),
    ]


def _fit_notes(res, report_nonconvergence: bool = True) -> list[str]:
    """Footer notes shared by the binary and multinomial summaries: convergence, dropped rows,
    aliased columns."""
    d = res.design
    notes = []
    if report_nonconvergence and not res.converged:
        notes.append(f"The fit did not converge after {res.n_iter} iterations"
                     f"{': ' + res.fit_result.message if res.fit_result.message else ''}; "
                     "the estimates may be unreliable.")
    if d.n_dropped:
        notes.append(f"{d.n_dropped} row(s) with missing values were dropped (listwise).")
    if d.aliased:
        notes.append("Dropped exactly collinear (aliased) columns: " + "; ".join(d.aliased.values()) + ".")
    return notes


def _cov_description(res) -> str:
    """The covariance type in words (results without ``cov_description`` give their estimator's)."""
    return getattr(res, "cov_description", res.cov_estimator.description)


class _Rendered:
    """``repr()`` and ``as_text()`` are ``str()``; notebooks show ``as_html()``."""

    def __repr__(self) -> str:
        return str(self)

    def as_text(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return self.as_html()


@dataclass(repr=False)
class Summary(_Rendered):
    """A rendered-on-demand summary: ``str()`` text, ``as_html()``, ``as_latex()``, ``as_markdown()``.

    Under separation ``table`` holds ``+inf`` / ``-inf`` for a coefficient that runs to infinity
    and NaN for what does not exist; they render as ``+inf`` / ``-inf`` and ``—`` (LaTeX
    ``---``), and a footnote names them (:func:`logitstat.diagnostics.divergence.divergence_note`).
    """

    title: str
    header: list[tuple[str, str]]
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    pvalue_format: str | float = "auto"

    @classmethod
    def from_results(cls, res, odds_ratios: bool = False, alpha: float = 0.05,
                     pvalue_format="auto") -> "Summary":
        """Collect everything a reader needs from a fitted :class:`~logitstat.models.binary.results.BinaryResults`.

        With ``odds_ratios`` the table shows the odds ratios and their interval in place of the
        interval of the coefficients (as Stata's ``logit, or``), so that it fits 100 columns.
        ``pvalue_format``: see :func:`logitstat.report.numformat.format_pvalues`.
        """
        pvalue_format = check_pvalue_format(pvalue_format)
        d = res.design
        # Fisher scoring is Newton's method for the logit; other links add Newton steps with the
        # observed information once close (logitstat.fitting.irls), except R's path under separation
        newton = (res.link.name != "logit"
                  and not getattr(res.fit_result, "message", "").startswith("separated data"))
        method = {"irls": "IRLS (scoring, Newton)" if newton else "IRLS (Fisher scoring)",
                  "firth": "Firth penalized likelihood"}.get(res.method, res.method)
        header = _fit_header(res, d.event, "Binomial GLM", ("Link:", res.link.name), method,
                             _cov_description(res), pvalue_format)
        if d.has_weights:
            header.append(("Weights:", "frequency"))
        if d.has_offset:
            header.append(("Offset:", d.offset_name or "yes"))
        ci = res.conf_int(alpha)  # checks alpha first
        lo_name, hi_name = ci_names(alpha)
        # +inf / -inf for estimates that run to infinity under separation (see results.bse)
        coef = pd.Series(getattr(res, "_limit_params", res.params), index=res.params.index)
        table = pd.DataFrame({"coef": coef, "std err": res.bse, "z": res.tvalues,
                              "P>|z|": res.pvalues})
        if odds_ratios:
            ci = res.odds_ratios(alpha)
            table["odds ratio"] = ci["odds_ratio"]
        table[lo_name], table[hi_name] = ci["lower"], ci["upper"]
        return cls(LINK_TITLES.get(res.link.name, "Binomial regression") + " results",
                   header, table, diagnostic_notes(res), pvalue_format)

    # ------------------------------------------------------------------ rendering
    # every format renders the header table, then each coefficient section (an optional title
    # and a table), then the notes; BlockSummary only supplies more sections

    def _sections(self) -> list[tuple[str | None, pd.DataFrame]]:
        """The coefficient tables to render, each with its title (None: untitled)."""
        return [(None, self.table)]

    def _cell_sections(self, dash: str = "—") -> list[tuple[str | None, list[str], list[list[str]]]]:
        """Each section's title, column headers and rows of strings, every column in one format
        shared by all sections (:func:`column_formats` of the whole table)."""
        formats = column_formats(self.table)
        return [(title, [str(c) for c in table.columns],
                 _coef_cells(table, dash, self.pvalue_format, formats))
                for title, table in self._sections()]

    def _tabulated(self, fmt: str) -> tuple[str, list[tuple[str | None, str]]]:
        """The header table and every section's coefficient table, tabulated in ``fmt`` (the
        header of the ``"simple"`` text is ``"plain"``, without rules); numbers right-aligned."""
        # in Markdown a bare "|" (in "P>|z|", a column or level name) would split the cell
        cell = ((lambda c: str(c).replace("|", "\\|")) if fmt == "pipe" else
                (lambda c: str(c).replace("—", "---")) if fmt.startswith("latex") else str)
        top = [[cell(c) for c in r] for r in self._header_rows()]
        # a Markdown table needs a header row: the first pair of lines
        headers = top.pop(0) if fmt == "pipe" else ()
        top = tabulate(top, headers=headers, tablefmt="plain" if fmt == "simple" else fmt,
                       disable_numparse=True)
        dash = "---" if fmt.startswith("latex") else "—"  # LaTeX's em dash
        sections = []
        for title, columns, rows in self._cell_sections(dash):
            rows = [[cell(c) for c in r] for r in rows]
            headers = [""] + [cell(c) for c in columns]
            sections.append((title, text_table(headers, rows) if fmt == "simple" else tabulate(
                rows, headers=headers, tablefmt=fmt, disable_numparse=True,
                colalign=("left",) + ("right",) * len(columns))))
        return top, sections

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
        top, sections = self._tabulated("simple")
        width = max((len(line) for text in [top] + [t for _, t in sections]
                     for line in text.splitlines()), default=0)
        rule = "=" * width
        parts = [self.title.center(width), rule, top]
        for title, text in sections:
            parts.append(rule)
            if title is not None:
                parts += [title, "-" * width]
            parts.append(text)
        parts.append(rule)
        if self.notes:
            wrap = min(max(width, 72), 100)
            parts += ["Notes:"] + [textwrap.fill(n, wrap, initial_indent=f"[{i}] ",
                                                 subsequent_indent=" " * len(f"[{i}] "),
                                                 break_long_words=False, break_on_hyphens=False)
                                   for i, n in enumerate(self.notes, 1)]
        return "\n".join(parts)

    def as_html(self) -> str:
        """HTML with its own scoped style: a title, the header, the coefficient table(s) with
        right-aligned numbers (captioned by block), the notes."""
        return summary_html(self.title, self._header_rows(), self._cell_sections(), self.notes)

    def as_latex(self) -> str:
        """LaTeX (booktabs) tables, one per block, with the notes as a list."""
        top, sections = self._tabulated("latex_booktabs")
        # tabulate escapes ">" only: the header reads best in math mode
        sections = [(t, text.replace(r"P\ensuremath{>}|z|", r"$P>|z|$")) for t, text in sections]
        body = "".join(("" if title is None else f"% {title}\n") + f"{text}\n"
                       for title, text in sections)
        notes = "".join(f"\\item {_latex_escape(n.replace('—', '---'))}\n" for n in self.notes)
        out = f"% {self.title}\n{top}\n{body}"
        return out + (f"\\begin{{enumerate}}\n{notes}\\end{{enumerate}}\n" if notes else "")

    def as_markdown(self) -> str:
        """GitHub-flavoured Markdown: the header, the coefficient table(s), the notes."""
        top, sections = self._tabulated("pipe")
        body = "".join(("" if title is None else f"\n*{title}*\n") + f"\n{text}\n"
                       for title, text in sections)
        notes = "\n".join(f"{i}. {n}" for i, n in enumerate(self.notes, 1))
        return f"**{self.title}**\n\n{top}\n{body}" + (f"\n{notes}\n" if notes else "")

    def to_dict(self) -> dict:
        """Every number of the summary, JSON-ready."""
        return {"title": self.title, "header": dict(self.header),
                "coefficients": _coef_dict(self.table), "notes": list(self.notes)}


def diagnostic_notes(res) -> list[str]:
    """The footer: what a careful reader should know about this fit, in words."""
    try:
        separated = getattr(getattr(res, "separation", None), "separated", False)
    except LogitstatError:  # not checkable (a Dask fit without a certificate): the notes say so
        separated = False
    # under separation the diagnostic notes say why the fit did not converge
    notes = _fit_notes(res, report_nonconvergence=not separated)
    if res.cov_type != "nonrobust":
        notes.append(f"Standard errors: {_cov_description(res)}.")
    notes += _model_diagnostic_notes(res)
    directions, undetermined = getattr(res, "_divergence", ((), ()))
    diverge = divergence_note(res.names, directions, undetermined)
    return notes + ([diverge] if diverge else [])


def _latex_escape(s: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("$", r"\$"),
                 ("#", r"\#"), ("_", r"\_"), ("{", r"\{"), ("}", r"\}")):
        s = s.replace(a, b)
    return s


@dataclass(repr=False)
class BlockSummary(Summary):
    """A summary whose coefficients come in titled blocks (one per outcome of a multinomial logit).

    ``table`` holds every block stacked (a MultiIndex of block title and coefficient); the
    renderers of :class:`Summary` print each block under its own title.
    """


    blocks: list[tuple[str, pd.DataFrame]] = field(default_factory=list)

    @classmethod
    def from_mnlogit(cls, res, rrr: bool = False, alpha: float = 0.05,
                     pvalue_format="auto") -> "BlockSummary":
        """Header, one block per non-base outcome and footer of a multinomial logit fit (with
        ``rrr``, the relative-risk ratios and their interval replace the coefficients' interval)."""
        pvalue_format = check_pvalue_format(pvalue_format)
        d = res.design
        header = _fit_header(res, d.response, "Multinomial logit",
                             ("Outcomes:", f"{len(res.levels)} (base: {res.base})"),
                             "Newton (full Hessian)", res.cov_description, pvalue_format)
        if d.has_weights:
            header.append(("Weights:", "frequency"))
        ci = res.conf_int(alpha)  # checks alpha first
        lo_name, hi_name = ci_names(alpha)
        if rrr:
            ci = res.relative_risk_ratios(alpha)
        blocks = []
        for k in res.outcomes:
            t = pd.DataFrame({"coef": res.params[k], "std err": res.bse[k], "z": res.tvalues[k],
                              "P>|z|": res.pvalues[k]})
            if rrr:
                t["RRR"] = ci.loc[k, "rrr"].to_numpy()
            t[lo_name], t[hi_name] = ci.loc[k, "lower"].to_numpy(), ci.loc[k, "upper"].to_numpy()
            blocks.append((f"{d.response} = {k} (vs {res.base})", t))
        notes = _fit_notes(res)
        if res.dropped_levels:
            notes.append("Response levels with no observations were dropped: "
                         + ", ".join(map(str, res.dropped_levels)) + ".")
        sep = res.__dict__.get("separation")
        if sep is not None and sep.separated:
            notes.append(sep.describe(res.flat_names))
        if rrr:
            notes.append("RRR = relative-risk ratio exp(coef): the factor by which P(outcome)/P(base) "
                         "changes per unit of the column.")
        table = pd.concat({title: t for title, t in blocks})
        return cls("Multinomial logit results", header, table, notes, pvalue_format, blocks=blocks)

    def _sections(self) -> list[tuple[str | None, pd.DataFrame]]:
        return list(self.blocks)

    def to_dict(self) -> dict:
        """Every number of the summary, JSON-ready (coefficients nested by block)."""
        return {"title": self.title, "header": dict(self.header),
                "coefficients": {title: _coef_dict(t) for title, t in self.blocks},
                "notes": list(self.notes)}


def margins_summary(m) -> Summary:
    """A :class:`Summary` of a :class:`~logitstat.inference.margins_at.Margins` (margins at values,
    predictive margins, effects at values or contrasts): the averaging in the header, the
    estimates in the table."""
    info = m.info
    event = info.get("event", "event")
    what = {"margin": f"Pr({event}), averaged over the rows",
            "effect": f"d Pr({event}) / dx, averaged over the rows",
            "contrast": f"differences of the predictive margins of {info.get('variable')}"}[m.kind]
    header = [("Expression:", what), ("Observations:", _num(info.get("nobs", 0)))]
    if info.get("link"):
        header.append(("Model:", f"binomial GLM, {info['link']} link"))
    if info.get("cov_type"):
        header.append(("Std. errors:", f"delta method ({info['cov_type']})"))
    if info.get("weighted") or info.get("grouped"):
        header.append(("Weights:", "frequency weights x trials" if info.get("weighted")
                       else "binomial trials"))
    at = {k: v for k, v in info.get("at", {}).items()}
    if at:
        header.append(("At:", "; ".join(f"{k} = {', '.join(_show_value(x) for x in v)}"
                                        for k, v in at.items())))
    if m.kind == "contrast":
        method = info.get("method", "")
        if method == "reference":
            method += f" (vs {info.get('reference')})"
        header += [("Contrasts:", method), ("P-value adjustment:", info.get("adjust", "none"))]
    alpha, ci_alpha = info.get("alpha", 0.05), info.get("ci_alpha", 0.05)
    lo_name, hi_name = ci_names(ci_alpha)
    first = {"margin": "margin", "effect": "dy/dx", "contrast": "contrast"}[m.kind]
    table = m.table.rename(columns={m.kind: first, "se": "std err", "pvalue": "P>|z|",
                                    "lower": lo_name, "upper": hi_name})
    notes = list(m.notes)
    if info.get("covariance"):
        notes.append(f"Delta-method standard errors with the covariance of the estimates: "
                     f"{info['covariance']}; covariates held at their observed values.")
    if m.kind == "contrast" and info.get("adjust") != "none":
        kind = "Šidák" if info.get("adjust") == "sidak" else "Bonferroni"
        notes.append(f"P-values adjusted ({info.get('adjust')}) for {len(table)} contrasts; "
                     f"{kind} intervals of level {1 - ci_alpha:.4g} (simultaneous "
                     f"{1 - alpha:.4g})" + (", as emmeans: Holm's method has no intervals"
                                            if info.get("adjust") == "holm" else "") + ".")
    title = {"margin": "Predictive margins", "effect": "Average marginal effects at values",
             "contrast": "Contrasts of predictive margins"}[m.kind]
    return Summary(title, header, table, notes)


def _show_value(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


__all__ = ["Summary", "BlockSummary", "ComparisonTable", "format_pvalue", "margins_summary"]

@dataclass(repr=False)
class TermTable(_Rendered):
    """A term table (``anova()``, ``drop1()``, ``wald_test_terms()``) with its title and note:
    ``str()`` text, ``as_html()``, ``as_latex()``, ``as_markdown()``.  Build it with
    :meth:`from_frame`; ``frame`` keeps the numbers."""

    frame: pd.DataFrame
    title: str = ""
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> "TermTable":
        """The table of a DataFrame with ``attrs["title"]`` (and ``attrs["note"]``)."""
        note = frame.attrs.get("note", "")
        return cls(frame, frame.attrs.get("title", ""), [note] if note else [])

    def _cells(self, dash: str = "—") -> list[list[str]]:
        """Row name, then each value: p-values as such, ``dash`` for a missing test, blank for
        a column that has no value in a row (``df`` of the ``NULL`` / ``<none>`` model)."""
        fmts = {}
        for col in self.frame.columns:        # one format per column (numformat's rule)
            vals = pd.to_numeric(self.frame[col], errors="coerce").to_numpy(dtype=float)
            vals = vals[np.isfinite(vals)]
            whole = vals.size and np.all(vals == np.round(vals)) and col in ("df", "df_resid")
            fmts[col] = (lambda v: f"{v:.0f}") if whole or not vals.size else column_format(vals)
        rows = []
        for name, row in self.frame.iterrows():
            blank = dash if str(name) not in ("NULL", "<none>") else ""
            cells = [str(name)]
            for col, v in row.items():
                if v is pd.NA:
                    cells.append("")
                elif col == "pvalue":
                    cells.append(format_pvalue(float(v), "auto", blank))
                elif col in ("statistic", "deviance") and np.isnan(float(v)):
                    cells.append(blank)
                else:
                    cells.append(_cell(float(v), fmts[col], dash))
            rows.append(cells)
        return rows

    def _tabulated(self, fmt: str) -> str:
        cell = (lambda c: str(c).replace("|", "\\|")) if fmt == "pipe" else str
        dash = "---" if fmt.startswith("latex") else "—"
        rows = [[cell(c) for c in r] for r in self._cells(dash)]
        align = {"colalign": ("left",) + ("right",) * self.frame.shape[1]}
        return tabulate(rows, headers=[""] + [cell(c) for c in self.frame.columns], tablefmt=fmt,
                        disable_numparse=True, **align)

    def __str__(self) -> str:
        text = self._tabulated("simple")
        width = max(len(line) for line in text.splitlines())
        wrap = min(max(width, 72), 100)
        notes = [textwrap.fill(n, wrap, break_long_words=False, break_on_hyphens=False)
                 for n in self.notes]
        return "\n".join([self.title.center(width), "=" * width, text, "=" * width] + notes)

    def as_markdown(self) -> str:
        """GitHub-flavoured Markdown: the title in bold, the table, the notes."""
        notes = "".join(f"\n{n}\n" for n in self.notes)
        return f"**{self.title}**\n\n{self._tabulated('pipe')}\n{notes}"

    def as_html(self) -> str:
        """HTML in the summary's style: the title, the table (numbers right-aligned), the notes."""
        section = (None, [str(c) for c in self.frame.columns], self._cells())
        return summary_html(self.title, [], [section], self.notes)

    def _repr_html_(self) -> str:
        return self.as_html()

    def as_latex(self) -> str:
        """A booktabs ``tabular``, the title and notes as comments."""
        notes = "".join(f"% {_latex_escape(n.replace('—', '---'))}\n" for n in self.notes)
        return f"% {self.title}\n{self._tabulated('latex_booktabs')}\n{notes}"


def __getattr__(name: str):
    """:class:`ComparisonTable`, now in :mod:`logitstat.report.comparison` (imported on first
    use: that module builds on this one)."""
    if name == "ComparisonTable":
        from .comparison import ComparisonTable
        return ComparisonTable
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
