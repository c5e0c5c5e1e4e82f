"""Reading a formula: patsy's language, parsed without recursion limits, with clear errors.

patsy evaluates a formula's parse tree recursively, two stack frames per ``+``, so a formula of
500 terms (``y ~ x0 + ... + x499``) hits Python's recursion limit; and it rebuilds the term list
at every ``+``, so 5,000 terms take minutes even with the limit raised.  :func:`model_desc`
gives exactly patsy's :class:`patsy.ModelDesc` (the same terms in the same order, the same
intercept) but folds chains of ``+`` and ``-`` in a loop, with patsy's own rules for each step
(``_eval_binary_plus`` and ``_eval_binary_minus`` in ``patsy/desc.py``): ``+ 0`` and ``- 1``
remove the intercept, ``- 0`` and ``+ 1`` restore it, ``- term`` removes a term, and a term
added twice is kept once, at its first place.  Everything else (``*``, ``:``, ``/``, ``**``,
brackets) is evaluated by patsy itself.

:func:`check_formula` also turns what patsy or the tokenizer would report obscurely into one
short line that names the problem: unbalanced brackets (with the place), a data column that
shadows a formula function (``C``, ``np``...), and a column named ``Intercept`` beside the
intercept.
"""
from __future__ import annotations

import functools
import io
import tokenize

import patsy
from patsy import INTERCEPT, ModelDesc
from patsy.desc import Evaluator, IntermediateExpr
from patsy.parse_formula import parse_formula

from ..errors import FormulaError

__all__ = ["check_formula", "model_desc", "shorten", "bracket_problem"]

_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}


def shorten(formula: str, width: int = 80) -> str:
    """``formula`` for a message: whole when short, else its start and end around an ellipsis."""
    text = " ".join(str(formula).split())
    if len(text) <= width:
        return repr(text)
    half = (width - 5) // 2
    return repr(f"{text[:half]} ... {text[-half:]}")


def _around(formula: str, pos: int) -> str:
    """A few characters of ``formula`` around position ``pos``, the character itself marked."""
    before = formula[max(0, pos - 12):pos].lstrip()
    after = formula[pos + 1:pos + 13].rstrip()
    return f"{'...' if pos > 12 else ''}{before}>>{formula[pos]}<<{after}{'...' if pos + 13 < len(formula) else ''}"


def bracket_problem(formula: str) -> tuple[str, int] | None:
    """The first unbalanced bracket of ``formula`` (outside string literals), as ``(what, where)``
    with ``where`` a 0-based character position, or None when brackets balance."""
    stack: list[tuple[str, int]] = []
    quote = None
    i = 0
    while i < len(formula):
        ch = formula[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if formula.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif ch in "'\"":
            quote = ch * 3 if formula.startswith(ch * 3, i) else ch
            i += len(quote)
            continue
        elif ch in _OPENERS:
            stack.append((ch, i))
        elif ch in _CLOSERS:
            if not stack:
                return f"the {ch!r} at character {i + 1} has no matching {_CLOSERS[ch]!r}", i
            opener, at = stack.pop()
            if _OPENERS[opener] != ch:
                return (f"the {ch!r} at character {i + 1} closes the {opener!r} at character "
                        f"{at + 1}"), i
        i += 1
    if quote:
        return None  # an unterminated string: the tokenizer says so
    if stack:
        opener, at = stack[-1]
        return f"the {opener!r} at character {at + 1} is never closed", at
    return None


def nesting_depth(formula: str) -> int:
    """Deepest nesting of brackets in ``formula`` (string literals included: an upper bound)."""
    depth = deepest = 0
    for ch in formula:
        if ch in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in _CLOSERS:
            depth -= 1
    return deepest


def check_brackets(formula: str) -> None:
    """Raise :class:`FormulaError` naming the first unbalanced bracket of ``formula``."""
    problem = bracket_problem(formula)
    if problem:
        what, where = problem
        raise FormulaError(f"unbalanced parentheses in the formula {shorten(formula)}: {what} "
                           f"(here: {_around(formula, where)!r})")


# --------------------------------------------------------------------------- parsing


def _fold(evaluator: Evaluator, tree) -> IntermediateExpr:
    """patsy's value of a chain ``t0 op1 t1 op2 t2 ...`` (ops ``+``/``-``), folded in a loop."""
    chain = []
    node = tree
    while node.type in ("+", "-") and len(node.args) == 2:
        chain.append(node)
        node = node.args[0]
    start = evaluator.eval(node)
    intercept, origin, removed = start.intercept, start.intercept_origin, start.intercept_removed
    terms = dict.fromkeys(start.terms)
    for op in reversed(chain):
        right = op.args[1]
        if op.type == "+":
            if right.type == "ZERO":
                intercept, origin, removed = False, None, True
                continue
            value = evaluator.eval(right)
            terms.update(dict.fromkeys(value.terms))
            if value.intercept:
                intercept, origin, removed = True, value.intercept_origin, False
        elif right.type == "ZERO":
            intercept, origin, removed = True, right, False
        elif right.type == "ONE":
            intercept, origin, removed = False, None, True
        else:
            value = evaluator.eval(right)
            for term in value.terms:
                terms.pop(term, None)
            if value.intercept:
                intercept, origin, removed = False, None, True
    return IntermediateExpr(intercept, origin, removed, list(terms))


def _evaluator() -> Evaluator:
    evaluator = Evaluator()
    evaluator.add_op("+", 2, _fold)
    evaluator.add_op("-", 2, _fold)
    return evaluator


@functools.lru_cache(maxsize=64)
def model_desc(formula: str) -> ModelDesc:
    """patsy's :class:`~patsy.ModelDesc` of ``formula``, for formulas of any number of terms.

    Raises
    ------
    patsy.PatsyError
        For a formula patsy cannot read (as :meth:`patsy.ModelDesc.from_formula`).
    FormulaError
        For brackets nested too deeply to evaluate.
    """
    try:
        value = _evaluator().eval(parse_formula(formula), require_evalexpr=False)
    except RecursionError:
        raise FormulaError(f"the formula {shorten(formula)} is nested too deeply "
                           f"({nesting_depth(formula)} levels of brackets): simplify it") from None
    if not isinstance(value, ModelDesc):
        raise patsy.PatsyError("the formula has no '~'")
    return value


def _call_names(formula: str) -> dict[str, str]:
    """Names used as functions (``C(``) or modules (``np.``) in ``formula``, with how."""
    try:
        toks = [t for t in tokenize.generate_tokens(io.StringIO(formula).readline)
                if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}
    out = {}
    for prev, tok, nxt in zip([None] + toks, toks, toks[1:] + [None]):
        if tok.type != tokenize.NAME or nxt is None or (prev is not None and prev.string == "."):
            continue
        if nxt.string == "(":
            out.setdefault(tok.string, f"{tok.string}(...)")
        elif nxt.string == ".":
            out.setdefault(tok.string, f"{tok.string}.")
    return out


def check_formula(formula: str, columns) -> ModelDesc:
    """Check ``formula`` against the data's ``columns`` and return its :class:`ModelDesc`.

    Raises
    ------
    FormulaError
        For unbalanced brackets, a column whose name the formula uses as a function or module
        (a column ``C`` hides patsy's ``C(...)``: the data's names come first), a column named
        ``Intercept`` in a model with an intercept, or a formula patsy cannot read.
    """
    check_brackets(formula)
    names = {str(c) for c in columns}
    for name, how in _call_names(formula).items():
        if name in names:
            raise FormulaError(
                f"the data has a column named {name!r}, which hides the formula's {how} in "
                f"{shorten(formula)}: rename that column (e.g. df.rename(columns={{{name!r}: "
                f"{name + '_'!r}}}))")
    try:
        desc = model_desc(formula)
    except patsy.PatsyError as exc:
        msg = str(exc).split("\n")[0]
        raise FormulaError(f"cannot read the formula {shorten(formula)}: {msg}") from None
    if "Intercept" in names and INTERCEPT in desc.rhs_termlist and any(
            term.name() == "Intercept" for term in desc.rhs_termlist if term != INTERCEPT):
        raise FormulaError(
            "the data's column 'Intercept' has the name of the model's intercept column: rename "
            "it (e.g. df.rename(columns={'Intercept': 'Intercept_'})), or write '- 1' in the "
            "formula to fit without the automatic intercept")
    return desc
