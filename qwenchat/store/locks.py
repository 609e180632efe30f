"""Which saved conversations a running chat has open: one lock file per conversation.

Two chats writing the same conversation would interleave their turns silently. A chat holds
an exclusive `flock` on `open/<id>.lock` in the data directory while the conversation is its
own; a second chat that finds it held continues in a fork instead (and is told). The lock goes
with the process, so a crashed chat never leaves a conversation locked.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class Held:
    """A conversation this process has open (or could not lock at all: nothing to share)."""

    def __init__(self, fd: int | None) -> None:
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def hold(data_dir: Path, conversation_id: int) -> Held | None:
    """The conversation's lock, or None when another chat has it open."""
    folder = data_dir / "open"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(folder / f"{conversation_id}.lock", os.O_CREAT | os.O_RDWR, 0o600)
    except OSError:  # a read-only data directory: nothing is written there anyway
        return Held(None)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except OSError:
        os.close(fd)
        return Held(None)
    return Held(fd)
