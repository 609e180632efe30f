"""Every test file sits in the lane its tests need, so the fast lanes stay fast.

A file any of whose tests starts qwenchat in a pseudo-terminal or a subprocess (or signals
one) is in `terminal/`; else one that runs the CLI or talks to the loopback server is in `app/`;
else it is in `unit/`.
"""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
TERMINAL = re.compile(
    r"\bTty\(|\brepl: Tty|\btty_env\b|\.subprocess\(|\bsubprocess\.|\bpexpect\b|os\.kill|"
    r"\bsignal\.SIG|Popen"
)
APP = re.compile(
    r"\b(cli|hostile): Cli\b|\bserver: FakeServer\b|FakeServer\(|HostileServer\(|\bcli\(|"
    r"CliRunner|FakeBatches\("
)


def lane_of(text: str) -> str:
    if TERMINAL.search(text):
        return "terminal"
    return "app" if APP.search(text) else "unit"


def test_every_test_file_is_in_a_lane() -> None:
    loose = sorted(p.name for p in TESTS.glob("test_*.py"))
    assert loose == [], "move each into tests/unit, tests/app or tests/terminal (see this file)"


def test_each_file_is_in_the_lane_its_tests_need() -> None:
    wrong = {
        f"{path.parent.name}/{path.name}": lane_of(path.read_text(encoding="utf-8"))
        for path in sorted(TESTS.glob("*/test_*.py"))
        if path.parent.name in ("unit", "app", "terminal")
        and path != Path(__file__).resolve()
        # a slower lane may hold a faster file; a fast lane never holds a slower one
        and _order(lane_of(path.read_text(encoding="utf-8"))) > _order(path.parent.name)
    }
    assert wrong == {}, "these files need the lane shown"


def _order(lane: str) -> int:
    return ("unit", "app", "terminal").index(lane)
