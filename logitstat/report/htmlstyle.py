"""HTML of the summary and comparison tables, with a compact style scoped to their class.

Plain strings in, HTML out (the numbers are already formatted by :mod:`logitstat.report.summary`).
The ``<style>`` element only styles descendants of ``.logitstat-summary`` /
``.logitstat-comparison``, loads nothing external and inherits the page's colours (borders in
``currentColor``), so it reads on light and dark notebook themes alike.
"""
from __future__ import annotations

import html

_SCOPE = ".logitstat-summary, .logitstat-comparison"

CSS = """
.logitstat-summary, .logitstat-comparison {
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 13px; line-height: 1.4; color: inherit; margin: 0.5em 0; overflow-x: auto;
}
.logitstat-summary .ls-title, .logitstat-comparison caption {
  font-weight: 600; font-size: 14px; margin: 0 0 0.35em 0; text-align: left; caption-side: top;
}
.logitstat-summary table, .logitstat-comparison table {
  border-collapse: collapse; border: none; margin: 0 0 0.6em 0; width: auto;
}
.logitstat-summary th, .logitstat-summary td,
.logitstat-comparison th, .logitstat-comparison td {
  padding: 2px 9px; border: none; background: none; white-space: nowrap;
  vertical-align: baseline; text-align: left;
}
.logitstat-summary tbody tr, .logitstat-comparison tbody tr { background: none; }
.logitstat-summary { display: inline-block; max-width: 100%; }
.logitstat-summary table { width: 100%; }
.logitstat-summary .ls-head { border-top: 2px solid currentColor; }
.logitstat-summary .ls-head th { font-weight: normal; opacity: 0.72; padding-right: 4px; }
.logitstat-summary .ls-head td { padding-right: 26px; }
.logitstat-summary table:not(.ls-head), .logitstat-comparison table {
  border-top: 2px solid currentColor; border-bottom: 2px solid currentColor;
}
.logitstat-summary tr.ls-block th {
  text-align: left; font-weight: normal; font-style: italic; padding-top: 0.45em;
}
.logitstat-summary table:not(.ls-head) thead th, .logitstat-comparison thead th {
  font-weight: 600; border-bottom: 1px solid currentColor; text-align: right;
}
.logitstat-comparison thead th { text-align: center; }
.logitstat-summary table:not(.ls-head) thead th:first-child, .logitstat-comparison thead th:first-child {
  text-align: left;
}
.logitstat-summary td.ls-num, .logitstat-comparison td.ls-num {
  text-align: right; font-variant-numeric: tabular-nums;
}
.logitstat-comparison td.ls-num { text-align: center; }
.logitstat-comparison sup { font-size: 75%; line-height: 0; }
.logitstat-comparison tr.ls-rule td { border-top: 1px solid currentColor; }
.logitstat-summary ol, .logitstat-comparison .ls-notes {
  margin: 0.2em 0 0 0; padding-left: 1.6em; font-size: 12px; max-width: 46em; white-space: normal;
}
.logitstat-comparison .ls-notes { padding-left: 0; }
"""


def _style() -> str:
    return f"<style>{CSS}</style>"


def summary_html(title: str, header_rows: list[list[str]],
                 sections: list[tuple[str | None, list[str], list[list[str]]]],
                 notes: list[str]) -> str:
    """A summary: the title, the header pairs (four cells a row: label, value, label, value),
    the coefficient table (one ``<tbody>`` per section, headed by the section's title; the first
    cell of a row is the name, the others numbers, right-aligned) and the numbered notes."""
    esc = html.escape
    head = "".join("<tr>" + "".join(f"<th>{esc(c)}</th>" if j % 2 == 0 else f"<td>{esc(c)}</td>"
                                    for j, c in enumerate(row)) + "</tr>"
                   for row in header_rows)
    # one table for every section, so that the blocks' columns align; a block's title heads
    # its rows (the columns are the same in every section)
    th = "".join(f"<th>{esc(c)}</th>" for c in [""] + sections[0][1]) if sections else ""
    bodies = []
    for caption, columns, rows in sections:
        block = ("" if caption is None else
                 f'<tr class="ls-block"><th colspan="{len(columns) + 1}">{esc(caption)}</th></tr>')
        body = "".join("<tr><td>" + esc(r[0]) + "</td>"
                       + "".join(f'<td class="ls-num">{esc(c)}</td>' for c in r[1:]) + "</tr>"
                       for r in rows)
        bodies.append(f"<tbody>{block}{body}</tbody>")
    tables = [f"<table><thead><tr>{th}</tr></thead>{''.join(bodies)}</table>"] if sections else []
    items = "".join(f"<li>{esc(n)}</li>" for n in notes)
    return (f'<div class="logitstat-summary">{_style()}<div class="ls-title">{esc(title)}</div>'
            f'<table class="ls-head"><tbody>{head}</tbody></table>{"".join(tables)}'
            + (f"<ol>{items}</ol>" if items else "") + "</div>")


def _starred(cell: str) -> str:
    """A cell with its significance stars as a superscript (``3.086<sup>***</sup>``)."""
    bare = cell.rstrip("*")
    stars = cell[len(bare):]
    return html.escape(bare) + (f"<sup>{stars}</sup>" if stars else "")


def comparison_html(title: str, columns: list[str], rows: list[list[str]], n_coef: int,
                    notes: list[str]) -> str:
    """A comparison table: one column per model, a rule before the model statistics (row
    ``n_coef``), the notes under the table."""
    esc = html.escape
    th = "".join(f"<th>{esc(c)}</th>" for c in [""] + columns)
    rule = ' class="ls-rule"'
    body = "".join(f"<tr{rule if i == n_coef else ''}><td>{esc(r[0])}</td>"
                   + "".join(f'<td class="ls-num">{_starred(c)}</td>' for c in r[1:]) + "</tr>"
                   for i, r in enumerate(rows))
    text = "<br>".join(esc(n) for n in notes)
    return (f'<div class="logitstat-comparison">{_style()}<table><caption>{esc(title)}</caption>'
            f"<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
            + (f'<div class="ls-notes">{text}</div>' if text else "") + "</div>")
