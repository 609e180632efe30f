"""Where a setting's value came from: a typed value, read by its fields and shown as text.

`Source("flag", "--model")` shows as `flag --model`, `Source("env", "QWENCHAT_MODEL")` as
`env QWENCHAT_MODEL`, `Source("profile", "local", via="LOCAL_KEY")` as `profile local
(LOCAL_KEY)`; code asks its `layer`, its `rank` and its `trust`, never its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Layer = Literal[
    "flag", "profile", "env", ".env.local", ".env", "config", "region", "base URL host", "default"
]

# Layers, highest precedence first; the index is the rank used to compare sources.
LAYERS: tuple[Layer, ...] = ("flag", "profile", "env", ".env.local", ".env", "config", "default")
# Who may decide where the key goes, most trusted first: a key is sent only to an endpoint
# named at its own level or a more trusted one. A profile is part of the config file.
TRUST: dict[Layer, int] = {"flag": 0, "env": 1, "profile": 2, "config": 2, ".env.local": 3,
                           ".env": 3}  # fmt: skip
DOTENV_LAYERS: tuple[Layer, ...] = (".env.local", ".env")


@dataclass(frozen=True)
class Source:
    """A layer, and what in it gave the value (the flag, the variable, the file, the profile
    or the region); `via` says what a profile's key came through."""

    layer: Layer
    name: str = ""
    via: str = ""

    def __str__(self) -> str:
        text = f"{self.layer} {self.name}" if self.name else self.layer
        return f"{text} ({self.via})" if self.via else text

    @property
    def rank(self) -> int:
        """Precedence: 0 for a flag, higher for each layer below it."""
        return LAYERS.index(self.layer) if self.layer in LAYERS else len(LAYERS)

    @property
    def trust(self) -> int:
        """How trusted the layer is to choose where the key goes: 0 is the most."""
        return TRUST[self.layer]

    @property
    def from_dotenv(self) -> bool:
        return self.layer in DOTENV_LAYERS


DEFAULT = Source("default")
