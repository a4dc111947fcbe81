"""Size limits for untrusted input: the largest allocation a loader or constructor makes without being asked.

Game files (Gambit ``.nfg``, catalog TOML) and arguments (``IteratedGame(memory=...)``, generator parameters) can
describe objects far larger than the machine. Every loader estimates the bytes it is about to allocate and compares
them with :data:`MAX_BYTES` *before* allocating; above it, it raises an :mod:`activeq.errors` error that states the
estimate and the limit. Each such function also takes ``max_bytes=`` to raise (or lower) the limit for one call;
assigning ``activeq.limits.MAX_BYTES`` changes the default for the session. A value in a file can never raise it.

- :data:`MAX_BYTES`: 2 GiB by default.
- :data:`MAX_FILE_BYTES`: the largest game file read (64 MiB): text formats hold a few bytes per number, so this
  also bounds what a file can make the parser hold.
- :data:`MAX_NESTING`: the deepest array nesting accepted in a TOML game file (the payload is at most a few
  axes deep; deeper nesting is refused before it can exhaust the parser's recursion).
"""

from __future__ import annotations

MAX_BYTES: int = 2 * 1024**3
MAX_FILE_BYTES: int = 64 * 1024**2
MAX_NESTING: int = 32


def format_bytes(n: float) -> str:
    """``n`` bytes in binary units (``"14.2 GiB"``)."""
    n = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(n) < 1024 or unit == "PiB":
            return f"{n:.3g} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.3g} PiB"  # pragma: no cover


__all__ = ["MAX_BYTES", "MAX_FILE_BYTES", "MAX_NESTING", "format_bytes"]
