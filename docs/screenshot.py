"""Regenerate docs/thinking-reply.svg: a real thinking reply, as qwenchat shows it on a terminal.

    .venv/bin/python docs/screenshot.py [OUTPUT.svg]

It starts the test server (tests/fakeserver.py) on 127.0.0.1, scripts one QwQ reply (reasoning,
then a Markdown answer with a code block), and answers one prompt through qwenchat's own turn
engine, client and Rich renderer, with the panels printed into a recording Rich console. Rich's
SVG export of that console is the picture. Nothing here is drawn by hand: change the renderer
and the picture follows.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402  (docs/ may use Rich; qwenchat/ only in render/)
from rich.text import Text  # noqa: E402

from qwenchat.cli.settings_files import load_settings  # noqa: E402
from qwenchat.core.conversation import Conversation  # noqa: E402
from qwenchat.core.request import RequestOptions  # noqa: E402
from qwenchat.engine.turn import Question  # noqa: E402
from qwenchat.engine.turn_engine import Means, answer  # noqa: E402
from qwenchat.net.client import ChatClient  # noqa: E402
from qwenchat.render.choose import TurnDisplay  # noqa: E402
from qwenchat.render.rich_renderer import RichRenderer  # noqa: E402
from tests.fakeserver import FakeServer, Reply  # noqa: E402

MODEL = "qwq-plus"
PROMPT = "How do I reverse a list in Python without changing it?"
REASONING = (
    "The user wants a reversed copy, so list.reverse() is out: it works in place.\n"
    "Two idioms give a new list: slicing with [::-1], and list(reversed(xs)).\n"
    "reversed() alone returns an iterator, worth saying. Show both, and when to pick which."
)
ANSWER = """Use a **slice**, which makes a new list and leaves the original alone:

```python
numbers = [1, 2, 3, 4]
backwards = numbers[::-1]    # [4, 3, 2, 1]
print(numbers)               # [1, 2, 3, 4], unchanged
```

Other ways:

- `list(reversed(numbers))`: the same result; `reversed()` alone gives an iterator.
- `numbers.reverse()`: reverses **in place** and returns `None`.

Pick the slice for a copy, `reversed()` to loop backwards without one.
"""
WIDTH = 92


def render(output: Path) -> str:
    """Answer PROMPT against the test server; write the SVG; return the text shown."""
    console = Console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=False)
    console.print(Text(f'$ qwenchat ask -m {MODEL} "{PROMPT}"', style="bold"))
    with FakeServer() as server, tempfile.TemporaryDirectory() as home:
        server.enqueue(Reply(reasoning=REASONING, answer=ANSWER, chunk_size=6, delay=0.004))
        environ = {"XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home, "HOME": home}
        flags = {"base_url": server.base_url, "model": MODEL}
        settings = load_settings(flags, environ, Path(home))
        view = TurnDisplay(lambda: RichRenderer(console, console, live=False))
        client = ChatClient(settings)
        try:
            question = Question(Conversation(), PROMPT, RequestOptions())
            done = answer(settings, question, Means(client), view)
        finally:
            client.close()
    if done.result.error is not None:
        raise SystemExit(f"screenshot: the reply failed: {done.result.error}")
    shown = console.export_text(clear=False)
    console.save_svg(str(output), title="qwenchat")
    return shown


def main(argv: list[str]) -> None:
    output = Path(argv[0]) if argv else Path(__file__).resolve().parent / "thinking-reply.svg"
    render(output)


if __name__ == "__main__":
    main(sys.argv[1:])
