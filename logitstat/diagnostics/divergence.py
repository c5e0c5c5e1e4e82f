"""Words for coefficients without a finite, identified estimate (separation).

Given the coefficient names, the direction each separated coefficient runs to (+1, -1, 0) and
which are not identified, :func:`divergence_note` writes the summary footer that explains the
``+inf`` / ``-inf`` and ``—`` cells, and :func:`divergence_reason` the clause that says why a test
or marginal effect involving them does not exist.  Used by the results (inference layer) and the
summary (report layer), so it lives here, below both.
"""
from __future__ import annotations

__all__ = ["divergence_note", "divergence_reason"]


def _split(names, directions, undetermined) -> tuple[list[str], list[str], list[str]]:
    """Names of the coefficients running to +infinity, to -infinity, and not identified."""
    names = [str(n) for n in names]
    return ([n for n, d in zip(names, directions) if d > 0],
            [n for n, d in zip(names, directions) if d < 0],
            [n for n, u in zip(names, undetermined) if u])


def divergence_note(names, directions, undetermined) -> str:
    """The summary footer on coefficients without a finite, identified estimate ("" when
    there are none): what the ``+inf`` / ``-inf`` and ``—`` cells mean."""
    ups, downs, und = _split(names, directions, undetermined)
    notes = []
    if ups or downs:
        signs = "/".join(s for s, ns in (("+inf", ups), ("-inf", downs)) if ns)
        many = len(ups + downs) > 1
        notes.append(f"The table shows {signs} for {_join(ups + downs)}, whose estimate"
                     f"{'s run' if many else ' runs'} to infinity: no standard error, z, p-value "
                     "or Wald interval exists (—), nor any test or marginal effect that involves "
                     f"{'them' if many else 'it'}.")
    if und:
        notes.append(f"{_join(und)} {'are' if len(und) > 1 else 'is'} not identified by the "
                     "observations that are not predicted perfectly: the estimate depends on "
                     "where the iterations stopped, and no standard error, z, p-value or Wald "
                     "interval exists (—).")
    if notes:
        notes.append("res.params keeps the values at which the iterations stopped (as R's glm "
                     "reports them).")
    return " ".join(notes)


def divergence_reason(names, directions, undetermined) -> str:
    """The coefficients without a finite, identified estimate, as the reason why a test or a
    marginal effect that involves them does not exist ("" when there are none)."""
    ups, downs, und = _split(names, directions, undetermined)
    parts = []
    if ups or downs:
        parts.append(f"{_join([f'{n} (+inf)' for n in ups] + [f'{n} (-inf)' for n in downs])} "
                     f"run{'' if len(ups + downs) > 1 else 's'} to infinity")
    if und:
        parts.append(f"{_join(und)} {'are' if len(und) > 1 else 'is'} not identified")
    return " and ".join(parts) + " under separation" if parts else ""


def _join(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
