"""Shared fixtures: the loopback DashScope server and a clean, isolated environment.

The tests sit in three lanes, each a folder and a marker of the same name (`pytest tests/unit`
or `pytest -m unit`): `unit` (pure and in-process: no server, no CLI), `app` (the CLI run
in-process against the loopback server), `terminal` (a pseudo-terminal or a subprocess).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qwenchat.cli.app import app
from tests.fakeserver import FakeServer
from tests.hostileserver import HostileServer
from tests.tty import Tty

TEST_KEY = "sk-test-qwenchat-fixture-1a2b"
ROOT = Path(__file__).resolve().parent.parent

# A parent that ignores SIGINT (`nohup`, `trap "" INT`, a job started with `&` by a shell
# without job control) passes that on to every process it starts, and a chat whose Ctrl-C is
# ignored cannot be tested. The suite takes SIGINT back: a signal with a handler is reset to its
# default in every child (exec does that), so each qwenchat it starts can be interrupted.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Variables that would leak the developer's own configuration into a test.
_SCRUBBED_PREFIXES = ("DASHSCOPE_", "OPENAI_", "QWENCHAT_", "XDG_")
_SCRUBBED = {"MODEL_NAME", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"}


LANES = ("unit", "app", "terminal")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked with its lane, the folder it sits in."""
    for item in items:
        lane = item.path.parent.name
        if lane in LANES:
            item.add_marker(lane)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(api_key=TEST_KEY) as fake:
        yield fake


@pytest.fixture
def hostile(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """The real app against the hostile server (scenarios chosen by the model name)."""
    with HostileServer(api_key=TEST_KEY) as fake:
        yield Cli(fake, home, monkeypatch)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty home, config and data directory; the current directory is inside it."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return tmp_path


def write_config(home: Path, text: str) -> Path:
    """Write the user's config file (`config.toml`) under `home`, the test's isolated home."""
    path = home / "config" / "qwenchat" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(_SCRUBBED_PREFIXES) and k not in _SCRUBBED
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        NO_COLOR="1",
        NO_PROXY="127.0.0.1,localhost",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@dataclass
class Cli:
    """Runs qwenchat's real Typer app in-process against the fake server."""

    server: FakeServer
    home: Path
    monkeypatch: pytest.MonkeyPatch

    def env(self, **extra: str) -> dict[str, str]:
        values = {"DASHSCOPE_API_KEY": TEST_KEY, "QWENCHAT_BASE_URL": self.server.base_url}
        return clean_env(self.home, **{**values, **extra})

    def __call__(
        self, *args: str, input: str | bytes | None = None, env: Mapping[str, str] | None = None
    ) -> Result:
        environment = dict(env) if env is not None else self.env()
        for key in list(os.environ):
            self.monkeypatch.delenv(key)
        for key, value in environment.items():
            self.monkeypatch.setenv(key, value)
        result = CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    def subprocess(
        self, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None
    ) -> Result:
        done = subprocess.run(
            [sys.executable, "-m", "qwenchat", *args],
            input=input,
            capture_output=True,
            env=dict(env) if env is not None else self.env(),
            timeout=60,
            check=False,
        )
        return Result(
            done.returncode,
            done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"),
        )


@pytest.fixture
def cli(server: FakeServer, home: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(server, home, monkeypatch)


def fake_clipboard(directory: Path) -> tuple[Path, str]:
    """An `xclip` that writes what it is given to a file: (that file, a PATH that finds it)."""
    tools = directory / "bin"
    tools.mkdir()
    clipboard = directory / "clipboard.txt"
    xclip = tools / "xclip"
    xclip.write_text(f"#!/bin/sh\ncat > {clipboard}\n")
    xclip.chmod(0o755)
    return clipboard, f"{tools}:/usr/bin:/bin"


def assert_clean_failure(result: Result, code: int) -> None:
    """One readable error line, the documented exit code, no traceback, no key."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert TEST_KEY not in result.stderr + result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("qwenchat: ")]
    assert errors, result.stderr


@pytest.fixture
def tty_env(cli: Cli) -> dict[str, str]:
    """The environment of a chat in a pseudo-terminal: 100×30, no cursor-position queries."""
    return cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="30")


@pytest.fixture
def repl(tty_env: dict[str, str]) -> Iterator[Tty]:
    """The chat, started in a pseudo-terminal and waiting at its prompt."""
    session = Tty(env=tty_env)
    session.wait_for("›")
    yield session
    session.close()
