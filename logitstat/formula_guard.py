"""Evaluate an untrusted formula (one typed on the command line) as data, not code.

A patsy formula embeds Python expressions (``np.log(inc)``, ``C(wc)``, ``I(age**2)``) that patsy
evaluates with :func:`eval`.  In a program that is the caller's business; a formula arriving from
the command line, a web form or a config file must not be able to run arbitrary code.  Two
independent layers stand in the way:

1. :func:`screen_formula` reads the formula token by token *before* patsy sees it and refuses
   names that start with ``_`` (``__import__``, ``__class__``...), attribute access other than
   ``np.<function>`` from a fixed list of numerical functions, keywords such as ``lambda``,
   f-strings and strings containing ``__``.
2. :class:`RestrictedEnvironment` is the patsy environment the formula is evaluated in: its only
   names are the data's columns, a numpy stand-in ``np`` holding just those numerical functions,
   and patsy's own formula helpers (``C``, ``I``, ``Q``, ``center``, ``standardize``, ``bs``...).
   Every expression is parsed and checked against a whitelist of syntax before it is evaluated,
   with ``__builtins__`` empty.

Evaluating without builtins alone is escapable (``().__class__.__base__.__subclasses__()``);
refusing underscored names and attribute access is what closes that door.
"""
from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
import types

import numpy as np
import patsy
from patsy.eval import VarLookupDict

from .errors import FormulaError

#: numpy functions and constants a command-line formula may use as ``np.<name>``.
NUMPY_NAMES: frozenset[str] = frozenset("""
    abs absolute arccos arccosh arcsin arcsinh arctan arctan2 arctanh cbrt ceil clip cos cosh
    cumsum deg2rad digitize e exp exp2 expm1 fabs floor fmax fmin fmod heaviside hypot inf isfinite
    isnan log log10 log1p log2 logical_and logical_not logical_or max maximum mean median min
    minimum mod nan pi power quantile rad2deg reciprocal rint round sign sin sinh sqrt square std
    sum tan tanh trunc var where
""".split())

#: longest formula accepted (characters).
MAX_LENGTH = 5000

#: keywords that may appear inside a formula's Python expressions.
_KEYWORDS_OK = frozenset({"True", "False", "None", "and", "or", "not", "if", "else", "in", "is"})

#: the internal names patsy gives stateful transforms (``center``, ``standardize``, ``bs``...).
_PATSY_INTERNAL = re.compile(r"_patsy_stobj\d+__[A-Za-z]\w*__\Z")
_PATSY_METHODS = frozenset({"transform", "memorize_chunk"})

SAFE_NUMPY = types.SimpleNamespace(**{name: getattr(np, name) for name in sorted(NUMPY_NAMES)})

_ALLOWED_NODES = (
    ast.Expression, ast.Name, ast.Load, ast.Attribute, ast.Call, ast.keyword, ast.Constant,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Slice,
    ast.Tuple, ast.List, ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
)


def _refuse(formula: str, why: str) -> FormulaError:
    return FormulaError(f"refused formula {formula!r}: {why}. A command-line formula may use the "
                        "data's columns, numbers, strings, patsy's helpers (C, I, Q, center, "
                        "standardize, bs...) and np.<function> for numerical functions only")


def screen_formula(formula: str) -> None:
    """Refuse a formula that could do more than compute with the data's columns.

    Raises
    ------
    FormulaError
        Naming what was refused: an underscored name, attribute access other than
        ``np.<function>``, a keyword, an f-string or a string containing ``__``.
    """
    if not isinstance(formula, str) or not formula.strip():
        raise FormulaError("the formula is empty: write it as 'y ~ x1 + x2'")
    if len(formula) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(formula)} characters long; the limit is {MAX_LENGTH}")
    try:
        toks = [t for t in tokenize.generate_tokens(io.StringIO(formula).readline)
                if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER,
                                  tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT)]
    except (tokenize.TokenError, SyntaxError, IndentationError) as exc:
        raise FormulaError(f"cannot read formula {formula!r}: {exc}") from None
    for i, tok in enumerate(toks):
        text = tok.string
        prev = toks[i - 1] if i else None
        if tok.type == tokenize.NAME:
            if text.startswith("_"):
                raise _refuse(formula, f"names starting with '_' such as {text!r} are not allowed")
            if keyword.iskeyword(text) and text not in _KEYWORDS_OK:
                raise _refuse(formula, f"the keyword {text!r} is not allowed (for a column of "
                              f"that name write Q({text!r}))")
            if prev is not None and prev.string == ".":
                if text not in NUMPY_NAMES:
                    raise _refuse(formula, f"attribute {text!r} is not an allowed np function")
        elif tok.type == tokenize.OP:
            if text == ".":
                before = toks[i - 2].string if i >= 2 else ""
                if prev is None or prev.string != "np" or before == ".":
                    raise _refuse(formula, "attribute access ('.') is only allowed as np.<function>")
            elif text in ("...", ":=", "@", "{", "}"):
                raise _refuse(formula, f"{text!r} is not allowed")
        elif tok.type == tokenize.STRING:
            prefix = text[: len(text) - len(text.lstrip("rRbBuUfF"))]
            if "f" in prefix.lower():
                raise _refuse(formula, "f-strings are not allowed")
            if "__" in text:
                raise _refuse(formula, "strings containing '__' are not allowed")
        elif tok.type in (tokenize.NUMBER,):
            continue
        elif tok.type == getattr(tokenize, "FSTRING_START", -1):
            raise _refuse(formula, "f-strings are not allowed")
        elif tok.type == tokenize.ERRORTOKEN and text.strip():
            raise FormulaError(f"cannot read formula {formula!r}: unexpected {text!r}")


def check_expression(code: str) -> ast.Expression:
    """Parse one Python expression of a formula and check it against the syntax whitelist.

    Raises
    ------
    FormulaError
        If the expression uses syntax or names outside the whitelist.
    """
    try:
        tree = ast.parse(code.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"cannot read {code!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise _refuse(code, f"{type(node).__name__} expressions are not allowed")
        if isinstance(node, ast.Name) and node.id.startswith("_") and not _PATSY_INTERNAL.match(node.id):
            raise _refuse(code, f"names starting with '_' such as {node.id!r} are not allowed")
        elif isinstance(node, ast.Attribute):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id == "np" and node.attr in NUMPY_NAMES:
                continue
            if (isinstance(owner, ast.Name) and _PATSY_INTERNAL.match(owner.id)
                    and node.attr in _PATSY_METHODS):
                continue
            raise _refuse(code, f"attribute access '.{node.attr}' is not allowed")
        elif isinstance(node, ast.BinOp):
            _check_arithmetic(code, node)
        elif isinstance(node, ast.keyword) and node.arg is None:
            raise _refuse(code, "'**' argument unpacking is not allowed")
        elif isinstance(node, ast.Constant) and (isinstance(node.value, bytes) or (
                isinstance(node.value, str) and "__" in node.value)):
            raise _refuse(code, "this constant is not allowed")
    return tree


def _constant_only(node: ast.AST) -> bool:
    return not any(isinstance(n, ast.Name) for n in ast.walk(node))


def _check_arithmetic(code: str, node: ast.BinOp) -> None:
    """Refuse constant arithmetic that could exhaust time or memory (``9**9**9``, ``"a" * 10**9``)."""
    if isinstance(node.op, (ast.LShift, ast.RShift)):
        raise _refuse(code, "bit shifts are not allowed")
    if isinstance(node.op, ast.Pow) and _constant_only(node.left):
        small = (isinstance(node.right, ast.Constant) and isinstance(node.right.value, (int, float))
                 and not isinstance(node.right.value, bool) and abs(node.right.value) <= 64)
        nested = any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(node.left))
        if not small or nested:
            raise _refuse(code, "a constant may only be raised to a small constant power")
    if isinstance(node.op, ast.Mult) and any(
            isinstance(side, (ast.Constant, ast.List, ast.Tuple)) and not isinstance(
                getattr(side, "value", None), (int, float)) for side in (node.left, node.right)):
        raise _refuse(code, "repeating strings or sequences is not allowed")


class RestrictedEnvironment(patsy.EvalEnvironment):
    """A patsy environment for untrusted formulas: no builtins, checked syntax, a safe ``np``.

    Parameters
    ----------
    namespaces : list of dict, optional
        Extra names (outermost last); by default only ``{"np": SAFE_NUMPY}``.  patsy adds the
        data's columns (innermost) and its formula helpers (outermost) itself.
    """

    def __init__(self, namespaces=None, flags: int = 0):
        super().__init__([{"np": SAFE_NUMPY}] if namespaces is None else namespaces, flags)

    def with_outer_namespace(self, outer_namespace) -> "RestrictedEnvironment":
        return RestrictedEnvironment(self._namespaces + [outer_namespace], self.flags)

    def subset(self, names) -> "RestrictedEnvironment":
        vld = VarLookupDict(self._namespaces)
        return RestrictedEnvironment([{name: vld[name] for name in names}], self.flags)

    def eval(self, expr, source_name="<string>", inner_namespace={}):  # noqa: B006 (patsy's signature)
        """Check ``expr`` against the whitelist, then evaluate it with no builtins."""
        check_expression(expr)
        lookup = VarLookupDict([inner_namespace] + self._namespaces)
        if "np." in expr:
            try:
                np_obj = lookup["np"]
            except KeyError:
                np_obj = None
            if np_obj is not SAFE_NUMPY:
                raise FormulaError(f"in {expr!r}, 'np' is not numpy (is there a data column named "
                                   "'np'?): rename that column")
        code = compile(expr, source_name, "eval", self.flags, True)
        return eval(code, {"__builtins__": {}}, lookup)  # noqa: S307 (checked above)


def restricted_environment() -> RestrictedEnvironment:
    """A fresh :class:`RestrictedEnvironment` to pass as ``eval_env=`` to :func:`logitstat.glm`."""
    return RestrictedEnvironment()
