"""The response of a binary model: 0/1 numbers, two levels, or successes + failures.

Rules (see ``SPEC.md``): 0/1 numbers or bool; a two-level categorical or string column (the
event is the second level in category order; ``success=`` names another); two numeric columns
``successes + failures`` for grouped rows.  Errors name the column and say what to do.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ResponseError

__all__: list[str] = []


def _binary_from_levels(values: np.ndarray, levels: list, name: str, success) -> tuple[np.ndarray, str]:
    """Event indicator from indicator columns of a categorical response."""
    present = [lvl for j, lvl in enumerate(levels) if values[:, j].any()]
    if len(present) < 2:
        raise ResponseError(f"response {name!r} is constant (only level {present[0]!r} occurs): "
                            "a binary model needs both outcomes" if present else
                            f"response {name!r} has no observations")
    if len(present) > 2:
        raise ResponseError(
            f"response {name!r} has {len(present)} levels ({', '.join(map(repr, present))}) but a "
            "binary model needs exactly two: recode it to two levels, or use a multinomial model")
    if success is None:
        event = present[1]
    else:
        match = [lvl for lvl in present if lvl == success or str(lvl) == str(success)]
        if not match:
            raise ResponseError(f"success={success!r} is not a level of response {name!r}; "
                                f"its levels are {', '.join(map(repr, present))}")
        event = match[0]
    j = levels.index(event)
    return values[:, j].astype(float), f"{name} = {event}"


def _binary_from_numbers(y: np.ndarray, name: str, success) -> tuple[np.ndarray, str]:
    if not np.all(np.isfinite(y)):
        raise ResponseError(f"response {name!r} has infinite values; remove or recode them")
    values = np.unique(y)
    if success is not None:
        try:
            value = float(success)
        except (TypeError, ValueError):
            value = np.nan  # not a number: cannot be a value of a numeric response
        if len(values) != 2 or value not in values:
            raise ResponseError(f"success={success!r}: response {name!r} must take exactly two values "
                                f"one of which is {success!r}; found {values[:5].tolist()}")
        return (y == value).astype(float), f"{name} = {value:g}"
    if not np.all((y == 0) | (y == 1)):
        bad = values[(values != 0) & (values != 1)][:5]
        raise ResponseError(
            f"response {name!r} must be 0/1, bool or a two-level category; found values "
            f"{', '.join(f'{v:g}' for v in bad)}: recode it, pass success=<value> when it has two "
            "values, or give counts as a two-column 'successes + failures' response")
    if len(values) < 2:
        raise ResponseError(f"response {name!r} is constant (all {values[0]:g}): a binary model "
                            "needs both outcomes")
    return y.astype(float), f"{name} = 1"


def _response(lhs: pd.DataFrame, success, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, str, str, bool]:
    """Interpret the left-hand side (rows ``keep``): y (proportions), trials, name, event, grouped."""
    info = lhs.design_info
    values = lhs.to_numpy(dtype=float)[keep]
    if len(info.terms) == 1:
        factors = info.terms[0].factors
        name = info.term_names[0]
        fi = info.factor_infos[factors[0]] if len(factors) == 1 else None
        if fi is not None and fi.type == "categorical":
            y, event = _binary_from_levels(values, list(fi.categories), name, success)
        elif values.shape[1] == 1:
            y, event = _binary_from_numbers(values[:, 0], name, success)
        else:
            raise ResponseError(f"response {name!r} has {values.shape[1]} columns; give one binary "
                                "column or two count columns 'successes + failures'")
        return y, np.ones_like(y), name, event, False
    if len(info.terms) == 2 and values.shape[1] == 2:
        s, f = values[:, 0], values[:, 1]
        succ_name, fail_name = info.column_names
        for col, nm in ((s, succ_name), (f, fail_name)):
            if not np.all(np.isfinite(col)) or np.any(col < 0):
                raise ResponseError(f"count column {nm!r} of the response must be finite and "
                                    "non-negative")
        trials = s + f
        if not np.any(s > 0) or not np.any(f > 0):
            raise ResponseError(f"response {succ_name} + {fail_name} is constant (no "
                                f"{'successes' if not np.any(s > 0) else 'failures'}): both outcomes "
                                "are needed")
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(trials > 0, s / np.where(trials > 0, trials, 1.0), 0.0)
        return y, trials, f"{succ_name} + {fail_name}", f"{succ_name} (of {succ_name} + {fail_name})", True
    raise ResponseError(f"the left-hand side {' + '.join(info.term_names)!r} is not a binary response: "
                        "use one 0/1, bool or two-level column, or 'successes + failures'")


# --------------------------------------------------------------------------- checks
