"""Readable displays of result objects in a REPL (``__repr__``) and a notebook (``_repr_html_``).

A result object describes itself as a :class:`Display` (a title, labelled values, free text and
small tables); :func:`render_text` and :func:`render_html` lay it out.  Long tables are cut to
their first and last rows, so a display stays short however many observations the fit had.

The module imports nothing from logitstat (only numpy, pandas and the standard library) and does
not use tabulate, so any layer may use it: results classes inherit :class:`Displayable` and say
what to show; how it is shown lives here.  Coefficient tables are :mod:`logitstat.report.summary`'s job.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, fields, is_dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

__all__ = ["Display", "Displayable", "render_text", "render_html", "number", "pvalue",
           "compact_repr", "MAX_ROWS", "WIDTH"]

MAX_ROWS = 10
"""Tables longer than this show their first and last rows only."""
WIDTH = 88
"""Text is wrapped to this many characters."""


@dataclass(frozen=True)
class Display:
    """What a result object shows: ``title``; ``rows`` of (label, value) pairs; ``text``
    paragraphs; ``tables`` of (caption, DataFrame or Series) pairs; ``hint`` (a last line saying
    where the full data are)."""

    title: str
    rows: Sequence[tuple[str, Any]] = ()
    text: Sequence[str] = ()
    tables: Sequence[tuple[str, pd.DataFrame | pd.Series]] = ()
    hint: str = ""


def number(v: Any, digits: int = 4) -> str:
    """``digits`` significant digits (``%g``), integers as integers, ``None`` as a dash."""
    if v is None:
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return f"{v:.{digits}g}"
    return str(v)


def pvalue(p: float) -> str:
    """A p-value with four significant digits; ``< 1e-16`` below what doubles resolve."""
    if p is None or not np.isfinite(p):
        return "nan"
    return "< 1e-16" if p < 1e-16 else f"{p:.4g}"


def _cell(v: Any) -> str:
    return v if isinstance(v, str) else number(v)


def _frame(table: pd.DataFrame | pd.Series) -> pd.DataFrame:
    return table.to_frame() if isinstance(table, pd.Series) else table


def render_text(d: Display, max_rows: int = MAX_ROWS, width: int = WIDTH) -> str:
    """The display as a titled text block (title underlined, labels aligned, tables cut to
    ``max_rows`` rows)."""
    lines = [d.title, "=" * min(len(d.title), width)]
    if d.rows:
        w = max(len(label) for label, _ in d.rows)
        indent = " " * (w + 2)
        for label, value in d.rows:
            lines.append(textwrap.fill(f"{label:<{w}}  {_cell(value)}", width,
                                       subsequent_indent=indent))
    for para in d.text:
        lines.append(textwrap.fill(para, width))
    for caption, table in d.tables:
        if caption:
            lines.append(caption + ":")
        lines.append(_frame(table).to_string(max_rows=max_rows, float_format=lambda v: f"{v:.4g}"))
    if d.hint:
        lines.append(d.hint)
    return "\n".join(lines)


def render_html(d: Display, max_rows: int = MAX_ROWS) -> str:
    """The display as an HTML fragment (pandas' own HTML for the tables)."""
    esc = html.escape
    out = [f"<div class=\"logitstat-display\"><strong>{esc(d.title)}</strong>"]
    if d.rows:
        out.append("<table>" + "".join(
            f"<tr><th style=\"text-align:left\">{esc(label)}</th>"
            f"<td style=\"text-align:left\">{esc(_cell(value))}</td></tr>"
            for label, value in d.rows) + "</table>")
    out += [f"<p>{esc(para)}</p>" for para in d.text]
    for caption, table in d.tables:
        if caption:
            out.append(f"<p><em>{esc(caption)}</em></p>")
        out.append(_frame(table).to_html(max_rows=max_rows, float_format=lambda v: f"{v:.4g}"))
    if d.hint:
        out.append(f"<p><small>{esc(d.hint)}</small></p>")
    out.append("</div>")
    return "\n".join(out)


class Displayable:
    """Mixin: a class with a ``_display()`` method returning a :class:`Display` gets a titled
    ``__repr__`` and a ``_repr_html_``.  (A dataclass using it needs ``repr=False``, or
    dataclasses writes its own ``__repr__``.)"""

    def _display(self) -> Display:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __repr__(self) -> str:
        return render_text(self._display())

    def _repr_html_(self) -> str:
        return render_html(self._display())


def _describe_value(v: Any) -> str:
    if isinstance(v, np.ndarray):
        if v.ndim == 1 and v.size <= 6:
            return np.array2string(v, precision=4, separator=", ")
        return f"array{v.shape} {v.dtype}"
    if isinstance(v, (pd.DataFrame, pd.Series)):
        return f"{type(v).__name__}{v.shape}"
    if isinstance(v, (list, tuple, dict, pd.Index)):
        return f"{type(v).__name__}[{len(v)}]"
    if isinstance(v, (float, np.floating, int, np.integer, bool, np.bool_)):
        return number(v)
    if v is None or isinstance(v, str):
        text = repr(v)
        return text if len(text) <= 40 else text[:37] + "..."
    return f"<{type(v).__name__}>"


def compact_repr(obj: Any) -> str:
    """``<Name: field=value, ...>`` for a dataclass, arrays and frames shown by shape only."""
    if not is_dataclass(obj):
        return f"<{type(obj).__name__}>"
    parts = [f"{f.name}={_describe_value(getattr(obj, f.name))}" for f in fields(obj) if f.repr]
    return textwrap.fill(f"<{type(obj).__name__}: " + ", ".join(parts) + ">", WIDTH,
                         subsequent_indent="  ")
