"""Submitted batches remembered on disk, so an interrupted wait can be picked up again.

`$XDG_DATA_HOME/qwenchat/batches/<batch id>.json` (a 0700 directory, 0600 files) holds the
batch id, a fingerprint of the uploaded file, the ids and prompts in input order, the output
path and the endpoint (base URL, region, profile) it was sent to. The prompts are kept because
the service does not give an uploaded batch file back: `batch results` writes each row's
prompt from here.
Re-running the same input finds its batch by fingerprint instead of paying for it twice.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from qwenchat.batch.outfile import open_private
from qwenchat.batch.plan import Job
from qwenchat.core.settings import Settings


@dataclass(frozen=True)
class Saved:
    """What qwenchat remembers about a batch it submitted."""

    batch_id: str
    fingerprint: str
    ids: tuple[str, ...]
    output: str | None
    saved_at: float
    base_url: str | None = None  # where it was sent: status, results and cancel go there too
    region: str | None = None
    profile: str | None = None
    prompts: tuple[str | None, ...] = ()  # in the order of `ids`; () in records saved before


class BatchStore:
    """The directory of saved batches."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "batches"

    def save(self, saved: Saved) -> None:
        for directory in (self.root.parent, self.root):  # 0700 whatever the umask
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(directory, 0o700)
        with open_private(self._path(saved.batch_id), os.O_TRUNC) as out:
            json.dump(asdict(saved), out)

    def load(self, batch_id: str) -> Saved | None:
        try:
            obj = json.loads(self._path(batch_id).read_text(encoding="utf-8"))
            return Saved(
                batch_id=str(obj["batch_id"]),
                fingerprint=str(obj["fingerprint"]),
                ids=tuple(str(i) for i in obj["ids"]),
                output=obj.get("output"),
                saved_at=float(obj.get("saved_at", 0)),
                base_url=_text(obj.get("base_url")),
                region=_text(obj.get("region")),
                profile=_text(obj.get("profile")),
                prompts=_prompts(obj.get("prompts"), len(obj["ids"])),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def find(self, fingerprint: str) -> list[Saved]:
        """Saved batches of this exact input, newest first."""
        if not self.root.is_dir():
            return []
        found = [s for p in self.root.glob("*.json") if (s := self.load(p.stem)) is not None]
        return sorted(
            (s for s in found if s.fingerprint == fingerprint),
            key=lambda s: s.saved_at,
            reverse=True,
        )

    def forget(self, batch_id: str) -> None:
        self._path(batch_id).unlink(missing_ok=True)

    def _path(self, batch_id: str) -> Path:
        safe = "".join(c for c in batch_id if c.isalnum() or c in "-_")
        return self.root / f"{safe or 'unnamed'}.json"


def new_saved(
    batch_id: str, fingerprint: str, jobs: Sequence[Job], output: Path | None, settings: Settings
) -> Saved:
    return Saved(
        batch_id, fingerprint, tuple(job.id for job in jobs), str(output) if output else None,
        time.time(), base_url=settings.base_url, region=settings.region,
        profile=settings.profile, prompts=tuple(job.prompt for job in jobs),
    )  # fmt: skip


def _prompts(value: object, count: int) -> tuple[str | None, ...]:
    """The saved prompts, or none at all when they do not match the ids one for one."""
    if not isinstance(value, list) or len(value) != count:
        return ()
    return tuple(p if isinstance(p, str) else None for p in value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
