"""Summary tables of a fit: the only module that formats numbers (and imports tabulate).

A :class:`Summary` holds plain data (a title, header pairs, the coefficient table, footer notes)
and renders it as text, HTML, LaTeX or Markdown; a :class:`BlockSummary` renders its coefficient
tables through the same path, one titled section per block.  :class:`ComparisonTable` lays
several models side by side.
"""
from __future__ import annotations

import html as _html
import textwrap
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tabulate import tabulate

from .diagnostics import diagnostic_notes as _model_diagnostic_notes
from .diagnostics import divergence_note
from .errors import LogitstatError

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


def _cell(v: float, pvalue: bool = False, dash: str = "—") -> str:
    """One number of a coefficient table: ``+inf`` / ``-inf`` for an estimate that runs to
    infinity, ``dash`` for one that does not exist (NaN)."""
    if np.isnan(v):
        return dash
    if np.isinf(v):
        return "+inf" if v > 0 else "-inf"
    return format_pvalue(v) if pvalue else _num(v)


def _coef_cells(table: pd.DataFrame, dash: str = "—") -> list[list[str]]:
    """The coefficient table as strings: the row name, then each value (p-values as such)."""
    rows = []
    for name, row in table.iterrows():
        cells = [str(name)]
        for col, v in row.items():
            cells.append(_cell(float(v), col == "P>|z|", dash))
        rows.append(cells)
    return rows


def _coef_dict(table: pd.DataFrame) -> dict:
    """``{row: {column: value}}`` of a coefficient table, JSON-ready: ``"+inf"`` / ``"-inf"``
    for an estimate that runs to infinity, None for a number that does not exist (NaN)."""
    def value(v: float):
        return None if np.isnan(v) else ("+inf" if v > 0 else "-inf") if np.isinf(v) else v
    return {str(k): {c: value(float(v)) for c, v in row.items()} for k, row in table.iterrows()}


def _fit_header(res, dependent: str, model: str, detail: tuple[str, str], method: str,
                covariance: str) -> list[tuple[str, str]]:
    """Header pairs shared by the binary and multinomial summaries, in two-column reading order.

    ``detail`` is the pair beside "Df model:" (the link, or the outcomes).
    """
    d = res.design
    conv = f"yes, {res.n_iter} iterations" if res.converged else f"NO after {res.n_iter} iterations"
    return [
        ("Dep. variable:", dependent), ("No. observations:", _num(res.nobs)),
        ("Model:", model), ("Df residuals:", _num(res.df_resid)),
        detail, ("Df model:", _num(res.df_model)),
        ("Method:", method), ("Log-likelihood:", _num(res.llf)),
        ("Covariance:", covariance), ("LL-null:", _num(res.llnull)),
        ("Converged:", conv), (f"LR chi2({res.df_model}):", _num(res.llr)),
        ("Rows dropped:", f"{d.n_dropped} (missing values)" if d.n_dropped else "0"),
        ("Prob > chi2:", format_pvalue(res.llr_pvalue)),
        ("Deviance:", _num(res.deviance)), ("Pseudo R-sq.:", _num(res.prsquared)),
        ("AIC:", _num(res.aic)), ("BIC:", _num(res.bic)),
    ]


def _fit_notes(res, report_nonconvergence: bool = True) -> list[str]:
    """Footer notes shared by the binary and multinomial summaries: convergence, dropped rows,
    aliased columns."""
    d = res.design
    notes = []
    if report_nonconvergence and not res.converged:
        notes.append(f"The fit did not converge after {res.n_iter} iterations"
                     f"{': ' + res.fit.message if res.fit.message else ''}; "
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
    ``---``), and a footnote names them (:func:`logitstat.diagnostics.divergence_note`).
    """

    title: str
    header: list[tuple[str, str]]
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @classmethod
    def from_results(cls, res, odds_ratios: bool = False, alpha: float = 0.05) -> "Summary":
        """Collect everything a reader needs from a fitted :class:`~logitstat.results.BinaryResults`."""
        d = res.design
        # Fisher scoring is Newton's method for the logit; other links add Newton steps with the
        # observed information once close (logitstat.irls), except R's path under separation
        newton = (res.link.name != "logit"
                  and not getattr(res.fit, "message", "").startswith("separated data"))
        method = {"irls": "IRLS (scoring, Newton)" if newton else "IRLS (Fisher scoring)",
                  "firth": "Firth penalized likelihood"}.get(res.method, res.method)
        header = _fit_header(res, d.event, "Binomial GLM", ("Link:", res.link.name), method,
                             _cov_description(res))
        if d.has_weights:
            header.append(("Weights:", "frequency"))
        if d.has_offset:
            header.append(("Offset:", d.offset_name or "yes"))
        ci = res.conf_int(alpha)  # checks alpha first
        lo_name, hi_name = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
        # +inf / -inf for estimates that run to infinity under separation (see results.bse)
        coef = pd.Series(getattr(res, "_limit_params", res.params), index=res.params.index)
        table = pd.DataFrame({"coef": coef, "std err": res.bse, "z": res.tvalues,
                              "P>|z|": res.pvalues, lo_name: ci["lower"], hi_name: ci["upper"]})
        if odds_ratios:
            orr = res.odds_ratios(alpha)
            table["odds ratio"] = orr["odds_ratio"]
            table[f"OR {lo_name}"] = orr["lower"]
            table[f"OR {hi_name}"] = orr["upper"]
        return cls(LINK_TITLES.get(res.link.name, "Binomial regression") + " results",
                   header, table, diagnostic_notes(res))

    # ------------------------------------------------------------------ rendering
    # every format renders the header table, then each coefficient section (an optional title
    # and a table), then the notes; BlockSummary only supplies more sections

    def _sections(self) -> list[tuple[str | None, pd.DataFrame]]:
        """The coefficient tables to render, each with its title (None: untitled)."""
        return [(None, self.table)]

    def _tabulated(self, fmt: str) -> tuple[str, list[tuple[str | None, str]]]:
        """The header table and every section's coefficient table, tabulated in ``fmt`` (the
        header of the ``"simple"`` text is ``"plain"``, without rules)."""
        headers = ["", "", "", ""] if fmt == "pipe" else ()
        # in Markdown a bare "|" (in "P>|z|", a column or level name) would split the cell
        cell = (lambda c: str(c).replace("|", "\\|")) if fmt == "pipe" else str
        top = tabulate([[cell(c) for c in r] for r in self._header_rows()], headers=headers,
                       tablefmt="plain" if fmt == "simple" else fmt, disable_numparse=True)
        sections = []
        for title, table in self._sections():
            columns = [cell(c) for c in table.columns]
            dash = "---" if fmt.startswith("latex") else "—"  # LaTeX's em dash
            rows = [[cell(c) for c in r] for r in _coef_cells(table, dash)]
            align = {"colalign": ("left",) + ("right",) * len(columns)} if fmt == "simple" else {}
            sections.append((title, tabulate(rows, headers=[""] + columns,
                                             tablefmt=fmt, disable_numparse=True, **align)))
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
        """HTML: the header table, the coefficient table(s) (titled by block) and the notes."""
        top, sections = self._tabulated("html")
        body = "".join(("" if title is None else f"<h5>{_html.escape(title)}</h5>") + text
                       for title, text in sections)
        notes = "".join(f"<li>{_html.escape(n)}</li>" for n in self.notes)
        return (f'<div class="logitstat-summary"><h4>{_html.escape(self.title)}</h4>{top}{body}'
                + (f"<ol>{notes}</ol>" if notes else "") + "</div>")

    def as_latex(self) -> str:
        """LaTeX (booktabs) tables, one per block, with the notes as a list."""
        top, sections = self._tabulated("latex_booktabs")
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
    def from_mnlogit(cls, res, rrr: bool = False, alpha: float = 0.05) -> "BlockSummary":
        """Header, one block per non-base outcome and footer of a multinomial logit fit."""
        d = res.design
        header = _fit_header(res, d.response, "Multinomial logit",
                             ("Outcomes:", f"{len(res.levels)} (base: {res.base})"),
                             "Newton (full Hessian)", "nonrobust (inverse Fisher information)")
        if d.has_weights:
            header.append(("Weights:", "frequency"))
        ci = res.conf_int(alpha)  # checks alpha first
        lo_name, hi_name = f"[{alpha / 2:g}", f"{1 - alpha / 2:g}]"
        rr = res.relative_risk_ratios(alpha) if rrr else None
        blocks = []
        for k in res.outcomes:
            t = pd.DataFrame({"coef": res.params[k], "std err": res.bse[k], "z": res.tvalues[k],
                              "P>|z|": res.pvalues[k], lo_name: ci.loc[k, "lower"].to_numpy(),
                              hi_name: ci.loc[k, "upper"].to_numpy()})
            if rr is not None:
                t["RRR"] = rr.loc[k, "rrr"].to_numpy()
                t[f"RRR {lo_name}"] = rr.loc[k, "lower"].to_numpy()
                t[f"RRR {hi_name}"] = rr.loc[k, "upper"].to_numpy()
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
        return cls("Multinomial logit results", header, table, notes, blocks)

    def _sections(self) -> list[tuple[str | None, pd.DataFrame]]:
        return list(self.blocks)

    def to_dict(self) -> dict:
        """Every number of the summary, JSON-ready (coefficients nested by block)."""
        return {"title": self.title, "header": dict(self.header),
                "coefficients": {title: _coef_dict(t) for title, t in self.blocks},
                "notes": list(self.notes)}


@dataclass(repr=False)
class ComparisonTable(_Rendered):
    """Several fitted models side by side (built by :func:`logitstat.compare`).

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

    def _star(self, p: float) -> str:
        return "*" * sum(bool(np.isfinite(p) and p < t) for t in self.stars)

    def _estimate(self, v: float, p: float) -> str:
        """An estimate cell: blank where the model lacks the coefficient (NaN), ``+inf`` /
        ``-inf`` where its estimate runs to infinity (separation)."""
        if np.isnan(v):
            return ""
        if np.isinf(v):
            return "+inf" if v > 0 else "-inf"
        return f"{v:.{self.digits}f}" + self._star(p)

    def _rows(self) -> tuple[list[list[str]], int]:
        rows = []
        for name in self.estimates.index:
            est = [self._estimate(v, p) for v, p in zip(self.estimates.loc[name],
                                                        self.pvalues.loc[name])]
            rows.append([str(name)] + est)
            if self.below is not None:
                rows.append([""] + [b if isinstance(b, str) else "" for b in self.below.loc[name]])
        n_coef = len(rows)
        for label, vals in self.stats.iterrows():
            rows.append([str(label)] + [v if isinstance(v, str) else _num(float(v), self.digits)
                                        for v in vals])
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
        """An HTML table with a rule between coefficients and model statistics."""
        rows, n_coef = self._rows()
        esc = _html.escape
        head = "".join(f"<th>{esc(str(c))}</th>" for c in [""] + list(self.estimates.columns))
        body = []
        for i, row in enumerate(rows):
            style = ' style="border-top: 1px solid"' if i == n_coef else ""
            cells = "".join(f'<td style="text-align:{"left" if j == 0 else "center"}">{esc(c)}</td>'
                            for j, c in enumerate(row))
            body.append(f"<tr{style}>{cells}</tr>")
        notes = "".join(f"<br>{esc(n)}" for n in self.notes)
        return (f'<div class="logitstat-comparison"><table><caption>{esc(self.title)}</caption>'
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"<small>{notes[4:]}</small></div>")

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
        rows = []
        for name, row in self.frame.iterrows():
            cells = [str(name)]
            for col, v in row.items():
                if v is pd.NA:
                    cells.append("")
                elif col == "pvalue" or col in ("statistic", "deviance") and np.isnan(float(v)):
                    cells.append(_cell(float(v), col == "pvalue", dash if str(name) not in
                                       ("NULL", "<none>") else ""))
                else:
                    cells.append(_cell(float(v), False, dash))
            rows.append(cells)
        return rows

    def _tabulated(self, fmt: str) -> str:
        cell = (lambda c: str(c).replace("|", "\\|")) if fmt == "pipe" else str
        dash = "---" if fmt.startswith("latex") else "—"
        rows = [[cell(c) for c in r] for r in self._cells(dash)]
        align = {"colalign": ("left",) + ("right",) * self.frame.shape[1]} if fmt == "simple" else {}
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
        """An HTML table with the title as caption and the notes below."""
        notes = "".join(f"<br>{_html.escape(n)}" for n in self.notes)
        return (f'<div class="logitstat-terms"><h4>{_html.escape(self.title)}</h4>'
                f"{self._tabulated('html')}<small>{notes[4:]}</small></div>")

    def as_latex(self) -> str:
        """A booktabs ``tabular``, the title and notes as comments."""
        notes = "".join(f"% {_latex_escape(n.replace('—', '---'))}\n" for n in self.notes)
        return f"% {self.title}\n{self._tabulated('latex_booktabs')}\n{notes}"
