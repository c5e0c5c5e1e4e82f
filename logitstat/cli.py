"""Command line: ``logitstat demo``, ``logitstat fit DATA FORMULA``, ``logitstat datasets``.

Every error is one line on standard error (``logitstat: error: ...``) and a non-zero exit status:
2 for a command line that cannot be understood, 1 for data, formula or model errors, 3 for an
unexpected internal error (set ``LOGITSTAT_DEBUG=1`` to see its traceback).  A formula typed on
the command line is data, not code: see :mod:`logitstat.formula.guard`.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from . import csvread, datasets
from .csvread import NA_STRINGS, read_data  # noqa: F401 - part of this module's interface
from .errors import DataError, LogitstatError, LogitstatWarning, SpecificationError
from .formula import frameprep

FORMATS = ("text", "markdown", "html", "latex", "json")
_SUFFIX_FORMATS = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".html": "html",
                   ".htm": "html", ".tex": "latex", ".txt": "text"}
JSON_SCHEMA = "logitstat.fit/1"


class CommandLineError(Exception):
    """A command line that argparse cannot understand (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (raised, then printed by :func:`main`)."""

    def error(self, message: str):  # type: ignore[override]
        raise CommandLineError(f"{message} (see '{self.prog} --help')")


# --------------------------------------------------------------------------- data


def text_in_numbers(df: pd.DataFrame, formula: str) -> tuple[pd.DataFrame, list[str]]:
    """The text columns named in ``formula`` that hold numbers but also a few stray entries
    (``?``, ``n/a``: see :func:`logitstat.formula.frameprep.stray_text`) read as numbers, those entries
    as missing values, and a warning for each (the library itself refuses such a column).
    Columns the formula declares categorical, ``C(x)``, are left alone."""
    out, msgs = df, []
    declared = frameprep.categorical_only(formula, [str(c) for c in df.columns])
    for name in df.columns:
        col = df[name]
        if (str(name) not in formula or str(name) in declared
                or not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype))):
            continue
        stray = frameprep.stray_text(col.dropna().to_numpy(dtype=object))
        if stray is None:
            continue
        odd, n_odd = stray
        if out is df:
            out = df.copy(deep=False)
        out[name] = pd.to_numeric(col.astype(object), errors="coerce")
        msgs.append(f"column {str(name)!r} holds numbers but also text "
                    f"({', '.join(map(repr, odd))} in {n_odd} row(s)): those cells are read as "
                    "missing values (write them as NA or leave them empty to silence this)")
    return out, msgs


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --------------------------------------------------------------------------- fit


def _fit(args) -> int:
    from . import api
    from .formula.guard import restricted_environment, screen_formula

    screen_formula(args.formula)
    if not 0 < args.alpha < 1:
        raise SpecificationError(f"--alpha {args.alpha:g}: give a number between 0 and 1, e.g. 0.05")
    method = "firth" if args.firth else "irls"
    if method not in getattr(api, "METHODS", ("irls",)):
        raise SpecificationError("--firth: Firth's penalized likelihood is not available in this "
                                 "version of logitstat")
    fmt = _output_format(args.format, args.output)
    if args.groups and args.cov_type.lower() == "nonrobust":
        args.cov_type = "cluster"
    elif args.groups and args.cov_type.lower() != "cluster":
        raise SpecificationError(f"--groups clusters the standard errors: it goes with --cov-type "
                                 f"cluster, not {args.cov_type}")
    read_options = dict(sep=args.sep and csvread.separator(args.sep), decimal=args.decimal,
                        encoding=args.encoding and csvread.encoding(args.encoding))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df, source = read_data(args.data, **read_options)
        df, stray = text_in_numbers(df, args.formula)
        for msg in stray + csvread.numbers_read_as_text(df, args.formula):
            warnings.warn(msg, LogitstatWarning, stacklevel=1)
        res = api.glm(args.formula, df, link=args.link, weights=args.weights, offset=args.offset,
                      cov_type=args.cov_type, groups=args.groups, method=method,
                      missing=args.missing, success=_success_value(args.success),
                      drop_collinear=args.drop_collinear, eval_env=restricted_environment())
        summary = res.summary(odds_ratios=args.odds_ratios, alpha=args.alpha)
        text = (json.dumps(fit_to_dict(res, summary, args, source), indent=2, allow_nan=False)
                if fmt == "json" else _render(summary, fmt))
    seen = set()
    for w in caught:
        msg = cli_words(" ".join(str(w.message).split()))
        if msg not in seen and not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            seen.add(msg)
            print(f"logitstat: warning: {msg}", file=sys.stderr)
    _emit(text, args.output)
    return 0


def _success_value(text: str | None):
    """``--success`` as a number when it reads as one (levels are also matched as text), and
    ``TRUE``/``FALSE`` (any case, as R writes logicals) as a bool: a logical column reads from
    CSV as bool, and True also selects 1 in a 0/1 column."""
    if text is None:
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _output_format(fmt: str | None, output: str | None) -> str:
    """``--format``, else the format named by the ``--output`` suffix, else text; an output file
    whose suffix names no format logitstat writes (``.xlsx``, ``.csv``, ``.pdf``) is refused."""
    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    if fmt:
        return fmt
    if suffix and suffix not in _SUFFIX_FORMATS:
        raise SpecificationError(
            f"--output {output!r}: logitstat writes text, Markdown, HTML, LaTeX or JSON, not "
            f"{suffix} files; end the file name in .txt, .md, .html, .tex or .json (the format "
            "follows it), or give --format to write that format under this name")
    return _SUFFIX_FORMATS.get(suffix, "text")


#: API wording -> command-line wording, applied to every error and warning the command prints
#: (the library speaks of its keyword arguments; here the user typed flags)
_CLI_WORDS = [
    (re.compile(r"""\bmethod\s*=\s*(['"])firth\1"""), "--firth"),
    (re.compile(r"\bdrop_collinear\s*=\s*True\b"), "--drop-collinear"),
    (re.compile(r"""\b(missing|cov_type|link)\s*=\s*(['"])([\w-]+)\2"""),
     lambda m: f"--{m[1].replace('_', '-')} {m[3]}"),
    (re.compile(r"\b(groups|weights|offset)=(?!\w)"), lambda m: f"--{m[1]}"),
    (re.compile(r"\bsuccess\s*=\s*"), "--success "),
    (re.compile(r"--groups \(a column name or (?:an )?(?:array|one label per row)\)"), "--groups COL"),
    (re.compile(r",? or see res\.separation"), ""),
]


def cli_words(message: str) -> str:
    """``message`` with the library's argument names (``method="firth"``, ``groups=``,
    ``missing='drop'``, ``drop_collinear=True``) replaced by the flags that set them."""
    for pattern, repl in _CLI_WORDS:
        message = pattern.sub(repl, message)
    return message


def _render(summary, fmt: str) -> str:
    if fmt == "text":
        return str(summary)
    return {"markdown": summary.as_markdown, "html": summary.as_html,
            "latex": summary.as_latex}[fmt]()


def _emit(text: str, output: str | None) -> None:
    text = text if text.endswith("\n") else text + "\n"
    if output is None or output == "-":
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot write --output {output!r}: {exc.strerror or exc}") from None


def _number(x):
    """JSON number, or null for NaN and infinities."""
    if x is None:
        return None
    if isinstance(x, bool):
        return x
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(v):
        return None
    return int(v) if isinstance(x, (int, np.integer)) else v


def fit_to_dict(res, summary, args, source: str) -> dict:
    """Every number of the summary as a JSON-ready dict (schema ``logitstat.fit/1``, docs/cli.md)."""
    from . import __version__

    d = res.design
    alpha = args.alpha
    ci = res.conf_int(alpha)
    orr = res.odds_ratios(alpha) if args.odds_ratios and res.link.name == "logit" else None
    coefs = []
    for name in res.names:
        row = {"name": name, "coef": _number(res.params[name]), "std_err": _number(res.bse[name]),
               "z": _number(res.tvalues[name]), "pvalue": _number(res.pvalues[name]),
               "ci_lower": _number(ci.loc[name, "lower"]), "ci_upper": _number(ci.loc[name, "upper"])}
        if orr is not None:
            row.update(odds_ratio=_number(orr.loc[name, "odds_ratio"]),
                       or_ci_lower=_number(orr.loc[name, "lower"]),
                       or_ci_upper=_number(orr.loc[name, "upper"]))
        coefs.append(row)
    stats = {key: _number(getattr(res, key)) for key in (
        "nobs", "df_model", "df_resid", "llf", "llnull", "llr", "llr_pvalue", "prsquared",
        "deviance", "null_deviance", "aic", "bic")}
    stats.update(converged=bool(res.converged), n_iter=int(res.n_iter), rows_dropped=int(d.n_dropped))
    diagnostics = {}
    for key in ("condition_number",):
        value = getattr(res, key, None)
        if value is not None and not callable(value):
            diagnostics[key] = _number(value)
    sep = getattr(res, "separation", None)
    if sep is not None and hasattr(sep, "kind"):
        diagnostics["separation"] = str(sep.kind)
    if callable(getattr(res, "vif", None)):
        try:
            table = res.vif()
        except (LogitstatError, ValueError, np.linalg.LinAlgError):
            table = None
        if table is not None:
            diagnostics["vif"] = {str(term): {col: _number(v) for col, v in row.items()}
                                  for term, row in table.iterrows()}
    return {
        "schema": JSON_SCHEMA, "logitstat_version": __version__, "data": source,
        "formula": args.formula,
        "model": {"title": summary.title, "family": "binomial", "link": res.link.name,
                  "method": res.method, "cov_type": res.cov_type, "response": d.response,
                  "event": d.event, "grouped": bool(d.grouped), "weights": args.weights,
                  "offset": args.offset, "groups": args.groups},
        "alpha": alpha, "statistics": stats, "coefficients": coefs, "diagnostics": diagnostics,
        "notes": list(summary.notes), "header": {k.rstrip(":"): v for k, v in summary.header},
    }


# --------------------------------------------------------------------------- demo, datasets


def _demo(args) -> int:
    from .api import logit

    df = datasets.load("mroz")
    formula = "lfp ~ k5 + k618 + age + wc + hc + lwg + inc"
    print(f"logitstat demo: {datasets.describe('mroz').title}")
    print(f">>> ls.logit({formula!r}, ls.datasets.load('mroz'))\n")
    res = logit(formula, df)
    print(res.summary(odds_ratios=args.odds_ratios))
    return 0


def _datasets(args) -> int:
    name = args.describe or args.name
    if args.csv:
        if not name:
            raise CommandLineError("--csv needs a dataset name: logitstat datasets NAME --csv")
        _emit(datasets.load(name).to_csv(index=False).rstrip("\n"), args.output)
        return 0
    if name:
        _emit(str(datasets.describe(name)), args.output)
        return 0
    lines = [f"{nm:<12} {datasets.describe(nm).title}" for nm in datasets.names()]
    lines.append("\n'logitstat datasets NAME' describes one; 'logitstat datasets NAME --csv' writes it "
                 "as CSV; 'logitstat fit NAME \"FORMULA\"' fits it.")
    _emit("\n".join(lines), args.output)
    return 0


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """The ``logitstat`` argument parser (errors are raised as :class:`CommandLineError`)."""
    ap = _Parser(prog="logitstat", description="Inference on binary outcomes: logit, probit, "
                 "cloglog and cauchit models whose numbers match R.")
    from . import __version__
    ap.add_argument("--version", action="version", version=f"logitstat {__version__}")
    sub = ap.add_subparsers(dest="command", required=True, metavar="{demo,fit,datasets}",
                            parser_class=_Parser)
    demo = sub.add_parser("demo", help="fit a bundled dataset and print its summary")
    demo.add_argument("--odds-ratios", action="store_true", help="add odds ratios to the table")
    demo.set_defaults(func=_demo)

    fit = sub.add_parser(
        "fit", help="fit a model to a data file and print its summary",
        description="Fit a binomial GLM. DATA is a CSV or TSV file, a Parquet file (needs "
        "pyarrow), '-' for CSV on standard input, or a bundled dataset name (see 'logitstat "
        "datasets'). The formula may use the data's columns, patsy's C(), I(), Q(), center(), "
        "standardize(), bs() and np.<function> for numerical functions; nothing else runs.",
        epilog='example: logitstat fit mroz "lfp ~ k5 + age + wc" --odds-ratios')
    fit.add_argument("data", metavar="DATA", help="CSV/TSV/Parquet path, '-' for stdin, or a dataset name")
    fit.add_argument("formula", metavar="FORMULA", help='patsy formula, e.g. "y ~ x1 + C(group)"')
    fit.add_argument("--link", default="logit", help="logit (default), probit, cloglog or cauchit")
    fit.add_argument("--weights", metavar="COL", help="column of frequency weights")
    fit.add_argument("--offset", metavar="COL", help="column added to the linear predictor")
    fit.add_argument("--cov-type", default="nonrobust", metavar="TYPE",
                     help="nonrobust (default), HC0, HC1, HC2, HC3 or cluster (with --groups)")
    fit.add_argument("--groups", metavar="COL", help="cluster column (implies --cov-type cluster)")
    fit.add_argument("--odds-ratios", action="store_true", help="add odds ratios (logit link)")
    fit.add_argument("--firth", action="store_true", help="Firth's penalized likelihood "
                     "(finite estimates under separation)")
    fit.add_argument("--alpha", type=float, default=0.05, help="1 - confidence level (default 0.05)")
    fit.add_argument("--success", metavar="LEVEL", help="response level counted as the event")
    fit.add_argument("--missing", choices=("drop", "raise"), default="drop",
                     help="drop rows with missing values (default) or stop with an error")
    fit.add_argument("--drop-collinear", action="store_true", help="drop columns that are exact "
                     "linear combinations of others (as R's NA coefficients) instead of stopping")
    fit.add_argument("--sep", metavar="CHAR", help="field separator of a text file: ',', ';', "
                     "'|' or tab (default: detected)")
    fit.add_argument("--decimal", choices=(".", ","), help="decimal mark of a text file "
                     "(default '.'; decimal commas are detected when the separator is not a comma)")
    fit.add_argument("--encoding", metavar="ENC", help="text encoding of the file (default UTF-8, "
                     "falling back to cp1252 with a warning)")
    fit.add_argument("--format", choices=FORMATS, help="output format (default: from the "
                     "--output suffix, else text)")
    fit.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    fit.set_defaults(func=_fit)

    ds = sub.add_parser("datasets", help="list, describe or export the bundled datasets")
    ds.add_argument("name", nargs="?", metavar="NAME", help="describe this dataset")
    ds.add_argument("--describe", metavar="NAME", help="describe this dataset (same as NAME)")
    ds.add_argument("--csv", action="store_true", help="write the dataset as CSV")
    ds.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")
    ds.set_defaults(func=_datasets)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``logitstat`` command; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except CommandLineError as exc:
        print(f"logitstat: error: {exc}", file=sys.stderr)
        return 2
    except (LogitstatError, ValueError) as exc:
        print(f"logitstat: error: {cli_words(' '.join(str(exc).split()))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0
    except Exception as exc:  # a bug: still one line, unless debugging
        if os.environ.get("LOGITSTAT_DEBUG"):
            raise
        print(f"logitstat: internal error: {type(exc).__name__}: {_first_line(exc)} "
              "(set LOGITSTAT_DEBUG=1 for a traceback, and please report it)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
