"""Partners from short text specs, for the CLI and sweeps: ``single:0``, ``tft``, ``cycle:0,1,2``,
``mixed:0.5,0.5``, ``fp:2``, ``q``.

Raises ProbeError naming the spec and the forms it accepts.
"""

from __future__ import annotations

from typing import Any

from ...errors import ProbeError

FORMS = "single:A, tft, tft:copy, tft:beat, cycle:A,B,..., mixed:P,Q,..., fp:WINDOW, q"


def parse_partner(spec: str) -> Any:
    """A partner from its text spec (see the module docstring).

    Parameters
    ----------
    spec : str
        E.g. ``"single:0"`` or ``"tft"``.

    Returns
    -------
    Partner
    """
    from . import cycle, fictitious_play, mixed, q_learner, single_action, tit_for_tat

    if not isinstance(spec, str) or not spec.strip():
        raise ProbeError(f"spec: partner spec must be a non-empty string ({FORMS}), got {spec!r}")
    kind, _, arg = spec.strip().partition(":")
    try:
        if kind == "single":
            return single_action(int(arg))
        if kind in ("tft", "tit_for_tat"):
            return tit_for_tat(rule=arg or None)
        if kind == "cycle":
            return cycle([int(x) for x in arg.split(",")])
        if kind == "mixed":
            return mixed([float(x) for x in arg.split(",")])
        if kind in ("fp", "fictitious_play"):
            return fictitious_play(int(arg) if arg else 2)
        if kind in ("q", "q_learner"):
            return q_learner()
    except ValueError as exc:
        if isinstance(exc, ProbeError):
            raise
        raise ProbeError(f"spec: partner spec {spec!r} is malformed ({exc}); forms: {FORMS}") from None
    raise ProbeError(f"spec: unknown partner {spec!r}; forms: {FORMS}")
