"""What an output file answers: a fingerprint of the input and the settings, kept beside it.

`out.jsonl` gets `out.jsonl.fingerprint` (mode 0600): one line, the SHA-256 of the input's
lines, the model, system prompt, endpoint and request options. A re-run with the same
fingerprint resumes; another input or other settings are refused (`--overwrite` starts the
file over), so no row of an old run ever stands for an answer to a new one. The JSONL itself
stays plain records, one per line.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from qwenchat.batch.outfile import WriteError, open_private, rewritable
from qwenchat.core.errors import UsageError
from qwenchat.core.request import RequestOptions
from qwenchat.core.settings import Settings


def stamp_path(output: Path) -> Path:
    return output.with_name(output.name + ".fingerprint")


def fingerprint(lines: Iterable[str], settings: Settings, request: RequestOptions, fmt: str) -> str:
    """The input's lines and every setting that shapes a request, hashed."""
    digest = hashlib.sha256()
    shape = {
        "model": settings.model, "system": settings.system, "base_url": settings.base_url,
        "request": asdict(request), "format": fmt,
    }  # fmt: skip
    digest.update(json.dumps(shape, sort_keys=True, default=str).encode("utf-8"))
    for line in lines:
        digest.update(b"\n" + line.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def check(output: Path, stamp: str, *, overwrite: bool) -> None:
    """Refuse an output file that answers another input or settings (UsageError).

    With `overwrite`, the old rows and fingerprint go first. Outputs that are not regular
    files (stdout, FIFOs, devices) are never resumed, so they need no fingerprint.
    """
    if str(output) == "-" or not rewritable(output):
        return
    side = stamp_path(output)
    if overwrite:
        for path in (output, side):
            path.unlink(missing_ok=True)
    held = _read(side)
    if held is None and _has_rows(output):
        raise UsageError(
            f"{output} holds rows of an unknown input or settings; "
            "use another --output, or --overwrite to start over"
        )
    if held is not None and held != stamp and _has_rows(output):
        raise UsageError(
            f"{output} answers another input or other settings; "
            "use another --output, or --overwrite to start over"
        )


def remember(output: Path, stamp: str) -> None:
    """Write the fingerprint beside `output` (checked first by `check`)."""
    if str(output) == "-" or not rewritable(output):
        return
    side = stamp_path(output)
    if _read(side) == stamp:
        return
    try:
        with open_private(side, os.O_TRUNC) as out:
            out.write(stamp + "\n")
    except OSError as exc:  # a full disk, a file-size limit: nothing has been sent yet
        side.unlink(missing_ok=True)
        raise WriteError(f"cannot write {side}: {exc.strerror or exc}; nothing was sent") from None


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


def _has_rows(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except FileNotFoundError:
        return False
