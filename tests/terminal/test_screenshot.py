"""docs/screenshot.py draws the README's picture from a real run against the test server."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docs" / "screenshot.py"
PICTURE = ROOT / "docs" / "thinking-reply.svg"


def svg_text(path: Path) -> str:
    return html.unescape(path.read_text(encoding="utf-8")).replace("\xa0", " ")


def test_the_script_draws_a_thinking_reply_as_svg(tmp_path: Path) -> None:
    out = tmp_path / "reply.svg"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(out)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    drawn = svg_text(out)
    assert drawn.startswith("<svg")
    for shown in ("Thinking", "Thought for", "Answer", "backwards", "reasoning"):
        assert shown in drawn, shown
    assert "Pick the slice for a copy" in drawn  # the answer's last line


def test_the_committed_picture_is_the_scripts() -> None:
    drawn = svg_text(PICTURE)
    assert "Pick the slice for a copy" in drawn
    assert "qwenchat ask -m qwq-plus" in drawn
