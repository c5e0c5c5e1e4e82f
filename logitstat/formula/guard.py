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

Nor may a formula exhaust time or memory.  Python integers are unbounded, so ``10**20**9`` or a
chain of ``np.square`` on a big integer runs for hours; ``'a' * 10**9``, ``'%0999999999d' % 1``
or ``bs(x, df=10**9)`` build gigabytes.  So, besides a limit on the formula's length and nesting
depth, every arithmetic operator and every call of an evaluated expression runs through a guard
(:class:`_Guarded` rewrites the checked syntax tree): an integer result may have at most
:data:`MAX_INT_BITS` bits, integers too large for int64 become floats before they reach numpy
(so they overflow to ``inf`` instead of growing), strings and sequences may not be repeated nor
text columns multiplied, numpy functions take no ``out=``/``dtype=``/``overwrite_input=`` and
no text columns (but ``np.where``), and a spline basis has at most :data:`MAX_BASIS` columns.
"""
from __future__ import annotations

import ast
import functools
import inspect
import io
import keyword
import operator
import re
import tokenize
import types

import numpy as np
import pandas as pd
import patsy
import patsy.builtins
from patsy import mgcv_cubic_splines, splines
from patsy.eval import VarLookupDict

from ..errors import FormulaError, LogitstatError
from .parse import check_brackets, nesting_depth, shorten

#: numpy functions and constants a command-line formula may use as ``np.<name>``.
NUMPY_NAMES: frozenset[str] = frozenset("""
    abs absolute arccos arccosh arcsin arcsinh arctan arctan2 arctanh cbrt ceil clip cos cosh
    cumsum deg2rad digitize e exp exp2 expm1 fabs floor fmax fmin fmod heaviside hypot inf isfinite
    isnan log log10 log1p log2 logical_and logical_not logical_or max maximum mean median min
    minimum mod nan pi power quantile rad2deg reciprocal rint round sign sin sinh sqrt square std
    sum tan tanh trunc var where
""".split())

#: longest formula accepted (characters): some 10,000 terms of 'x1234 + '.
MAX_LENGTH = 100_000
#: deepest nesting of brackets in a formula, and of operations in one of its expressions.
MAX_NESTING = 32
MAX_EXPRESSION_DEPTH = 100
#: most bits of an integer an expression may compute (about 1,200 decimal digits).
MAX_INT_BITS = 4096
#: most columns of a spline basis (``bs``, ``cr``, ``cc``; for ``te`` their product).
MAX_BASIS = 500

#: keywords that may appear inside a formula's Python expressions.
_KEYWORDS_OK = frozenset({"True", "False", "None", "and", "or", "not", "if", "else", "in", "is"})

#: the internal names patsy gives stateful transforms (``center``, ``standardize``, ``bs``...).
_PATSY_INTERNAL = re.compile(r"_patsy_stobj\d+__[A-Za-z]\w*__\Z")
_PATSY_METHODS = frozenset({"transform", "memorize_chunk"})

#: numpy arguments that write into an array or choose the output type (``dtype="U999999999"``).
_NUMPY_REFUSED_ARGS = frozenset({"out", "dtype", "overwrite_input", "casting", "subok",
                                 "signature", "order"})
#: numpy functions that take text columns (they only pick values, never build new ones).
_NUMPY_TEXT_OK = frozenset({"where"})

_ALLOWED_NODES = (
    ast.Expression, ast.Name, ast.Load, ast.Attribute, ast.Call, ast.keyword, ast.Constant,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Subscript, ast.Slice,
    ast.Tuple, ast.List, ast.operator, ast.unaryop, ast.boolop, ast.cmpop,
)


def _refuse(formula: str, why: str) -> FormulaError:
    return FormulaError(f"refused formula {shorten(formula)}: {why}. A command-line formula may use the "
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
    check_brackets(formula)
    if nesting_depth(formula) > MAX_NESTING:
        raise _refuse(formula, f"brackets nested {nesting_depth(formula)} deep (the limit is "
                      f"{MAX_NESTING})")
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
        raise FormulaError(f"cannot read {shorten(code)}: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise _refuse(code, "the expression is nested too deeply") from None
    depth = _depth(tree)
    if depth > MAX_EXPRESSION_DEPTH:
        raise _refuse(code, f"operations nested {depth} deep (the limit is {MAX_EXPRESSION_DEPTH})")
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


def _depth(tree: ast.AST) -> int:
    """Depth of a syntax tree (without recursion)."""
    deepest, level = 0, [tree]
    while level:
        deepest += 1
        level = [child for node in level for child in ast.iter_child_nodes(node)]
    return deepest


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


# --------------------------------------------------------------------------- runtime guard

_OPERATORS = {
    "Add": (operator.add, "+"), "Sub": (operator.sub, "-"), "Mult": (operator.mul, "*"),
    "Div": (operator.truediv, "/"), "FloorDiv": (operator.floordiv, "//"),
    "Mod": (operator.mod, "%"), "Pow": (operator.pow, "**"), "BitAnd": (operator.and_, "&"),
    "BitOr": (operator.or_, "|"), "BitXor": (operator.xor, "^"),
}


def _is_int(value) -> bool:
    """A Python integer (unbounded; bools are small)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value) -> bool:
    """A column or array of anything but numbers and booleans (text, categories, objects)."""
    if isinstance(value, (pd.Series, pd.Index, np.ndarray, pd.Categorical)):
        dtype = value.dtype
        return not (isinstance(dtype, np.dtype) and dtype.kind in "biufc"
                    or pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    return False


def _as_float_if_big(value):
    """A Python integer too large for int64 as a float (``inf`` beyond 1.8e308), so that numpy
    computes with it in fixed size instead of as an unbounded Python object; lists and tuples
    element by element; anything else unchanged."""
    if _is_int(value) and value.bit_length() > 63:
        return float(value) if value.bit_length() <= 1024 else (np.inf if value > 0 else -np.inf)
    if isinstance(value, (list, tuple)):
        return type(value)(_as_float_if_big(v) for v in value)
    return value


def _binop(op: str, a, b):
    """``a <op> b`` for an evaluated formula expression, refusing what would not end soon."""
    func, symbol = _OPERATORS[op]
    if op == "Mult" and any(isinstance(v, (str, bytes, list, tuple)) for v in (a, b)):
        raise FormulaError("repeating strings or sequences ('*' on text or a list) is not allowed")
    if op == "Mod" and isinstance(a, (str, bytes)):
        raise FormulaError("formatting strings with '%' is not allowed")
    if op != "Add" and (_is_text(a) or _is_text(b)):
        raise FormulaError(f"arithmetic ('{symbol}') on a text or categorical column is not "
                           "allowed")
    if _is_int(a) and _is_int(b):
        big = abs(a) > 1 and (
            (op == "Pow" and b > 0 and b * np.log2(abs(a)) > MAX_INT_BITS)
            or (op == "Mult" and a.bit_length() + b.bit_length() > MAX_INT_BITS))
        if big:
            raise FormulaError(f"the integer result of {_short_number(a)} {symbol} "
                               f"{_short_number(b)} would exceed {MAX_INT_BITS} bits; write the "
                               f"numbers as floats (e.g. {_short_number(a)}.0) to compute "
                               "in floating point")
    elif _is_int(a) or _is_int(b):
        a, b = _as_float_if_big(a), _as_float_if_big(b)
    return func(a, b)


def _short_number(value: int) -> str:
    text = str(value)
    return text if len(text) <= 12 else f"{text[:4]}...({len(text)} digits)"


def _guard_numpy(name: str, func):
    """``np.<name>`` for formulas: big integers as floats, no output or dtype arguments, and
    (but for ``np.where``) no text columns."""
    if not callable(func):
        return func
    try:
        signature = None if isinstance(func, np.ufunc) else inspect.signature(func)
    except (TypeError, ValueError):
        signature = None

    def guarded(*args, **kwargs):
        if isinstance(func, np.ufunc):
            if kwargs or len(args) > func.nin:
                raise FormulaError(f"np.{name} takes {func.nin} argument(s) here and no "
                                   "keyword arguments")
            given = set()
        elif signature is not None:
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError as exc:
                raise FormulaError(f"np.{name}: {exc}") from None
            given = set(bound.arguments) | set(bound.arguments.get("kwargs", {}))
        else:
            given = set(kwargs)
        refused = sorted(given & _NUMPY_REFUSED_ARGS)
        if refused:
            raise FormulaError(f"np.{name}: the argument {refused[0]!r} is not allowed")
        if name not in _NUMPY_TEXT_OK and any(_is_text(v) for v in (*args, *kwargs.values())):
            raise FormulaError(f"np.{name} applies to numbers, not to a text or categorical "
                               "column")
        args = tuple(_as_float_if_big(v) for v in args)
        kwargs = {k: _as_float_if_big(v) for k, v in kwargs.items()}
        return func(*args, **kwargs)

    guarded.__name__ = name
    return guarded


SAFE_NUMPY = types.SimpleNamespace(**{name: _guard_numpy(name, getattr(np, name))
                                      for name in sorted(NUMPY_NAMES)})

_BS_ARGS = inspect.signature(splines.BS.transform)
_CRS_ARGS = inspect.signature(mgcv_cubic_splines.CubicRegressionSpline.transform)


def _basis_size(args: dict) -> int:
    """Upper bound of the columns of a spline basis from its ``df``, ``knots`` and ``degree``."""
    knots = args.get("knots")
    n_knots = 0 if knots is None else int(np.size(knots))
    degree = args.get("degree", 3)
    df = args.get("df")
    sizes = [n_knots + (degree if isinstance(degree, (int, np.integer)) else 0) + 1]
    if isinstance(df, (int, float, np.integer, np.floating)):
        sizes.append(abs(df))
    if isinstance(degree, (int, float, np.integer, np.floating)):
        sizes.append(abs(degree) + 1)
    return max(sizes)


def _call(lookup, func, /, *args, **kwargs):
    """``func(*args, **kwargs)`` for an evaluated formula expression: a spline basis may have
    at most :data:`MAX_BASIS` columns.  patsy's ``Q(name)`` reads its caller's variables, so it
    is answered here from the expression's names ``lookup``."""
    if func is patsy.builtins.Q and len(args) == 1 and not kwargs:
        try:
            return lookup[args[0]]
        except KeyError:
            raise NameError(f"no data named {args[0]!r} found") from None
    owner = getattr(func, "__self__", None)
    if isinstance(owner, (splines.BS, mgcv_cubic_splines.CubicRegressionSpline)):
        signature = _BS_ARGS if isinstance(owner, splines.BS) else _CRS_ARGS
        try:
            bound = signature.bind(owner, *args, **kwargs).arguments
        except TypeError:
            bound = None  # patsy words the error
        if bound is not None and _basis_size(bound) > MAX_BASIS:
            raise FormulaError(f"a spline basis of more than {MAX_BASIS} columns is not allowed "
                               "(df, degree and the number of knots set its size)")
    elif isinstance(owner, mgcv_cubic_splines.TE):
        width = 1
        for arg in args:
            width *= int(np.shape(arg)[1]) if np.ndim(arg) == 2 else 1
        if width > MAX_BASIS:
            raise FormulaError(f"te() of {width} columns is not allowed (at most {MAX_BASIS})")
    return func(*args, **kwargs)


_GUARD_BINOP = "__logitstat_binop"   # unreachable from a formula: '_' names are refused
_GUARD_CALL = "__logitstat_call"


class _Guarded(ast.NodeTransformer):
    """Route every arithmetic operator and every call of a checked expression through
    :func:`_binop` and :func:`_call`."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if type(node.op).__name__ not in _OPERATORS:
            raise FormulaError(f"the operator {type(node.op).__name__} is not allowed")
        call = ast.Call(func=ast.Name(_GUARD_BINOP, ast.Load()),
                        args=[ast.Constant(type(node.op).__name__), node.left, node.right],
                        keywords=[])
        return ast.copy_location(call, node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        call = ast.Call(func=ast.Name(_GUARD_CALL, ast.Load()), args=[node.func, *node.args],
                        keywords=node.keywords)
        return ast.copy_location(call, node)


def _readable(code: str) -> str:
    """An expression as the formula wrote it (patsy renames stateful transforms)."""
    return re.sub(r"_patsy_stobj\d+__(\w+?)__\.(transform|memorize_chunk)", r"\1", code).strip()


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
        """Check ``expr`` against the whitelist, then evaluate it with no builtins, every
        operator and call guarded."""
        lookup = VarLookupDict([inner_namespace] + self._namespaces)
        if "np." in expr:
            try:
                np_obj = lookup["np"]
            except KeyError:
                np_obj = None
            if np_obj is not SAFE_NUMPY:
                raise FormulaError(f"in {expr!r}, 'np' is not numpy (is there a data column named "
                                   "'np'?): rename that column")
        tree = ast.fix_missing_locations(_Guarded().visit(check_expression(expr)))
        code = compile(tree, source_name, "eval", self.flags, True)
        scope = {"__builtins__": {}, _GUARD_BINOP: _binop,
                 _GUARD_CALL: functools.partial(_call, lookup)}
        try:
            with np.errstate(over="ignore"):  # big numbers overflow to inf (then refused)
                return eval(code, scope, lookup)  # noqa: S307 (checked and guarded above)
        except LogitstatError as exc:
            raise FormulaError(f"in {_readable(expr)!r}: {exc}") from None
        except (OverflowError, MemoryError, RecursionError) as exc:
            raise FormulaError(f"in {_readable(expr)!r}: the numbers are too large to compute "
                               f"({type(exc).__name__}: {exc})") from None


def restricted_environment() -> RestrictedEnvironment:
    """A fresh :class:`RestrictedEnvironment` to pass as ``eval_env=`` to :func:`logitstat.glm`."""
    return RestrictedEnvironment()
