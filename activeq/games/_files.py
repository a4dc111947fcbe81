"""Reading untrusted game files: bounded size, UTF-8, the file named in every error."""

from __future__ import annotations

from pathlib import Path

from .. import limits


def read_text_file(path: Path, label: str, error: type[Exception]) -> str:
    """A game file's UTF-8 text, refusing files over :data:`activeq.limits.MAX_FILE_BYTES` before reading them."""
    try:
        size = path.stat().st_size
        if size > limits.MAX_FILE_BYTES:
            raise error(f"{label}: the file has {limits.format_bytes(size)}, above the limit of "
                        f"{limits.format_bytes(limits.MAX_FILE_BYTES)} for game files (activeq.limits.MAX_FILE_BYTES)")
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise error(f"cannot read {label}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{label}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})") from None
