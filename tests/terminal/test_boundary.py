"""The one error boundary: a bug in qwenchat is one line and exit 70, the traceback only on
request, and the conversation so far survives it.

The bug is a fault the test injects into one of qwenchat's own functions (never the SDK):
in-process through `monkeypatch`, or, for the chat in a pseudo-terminal, through a launcher
that patches the function before it starts qwenchat.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer

from qwenchat.cli import config as config_command
from qwenchat.cli import error_boundary as boundary
from qwenchat.cli.app import main
from qwenchat.core.errors import EXIT_INTERNAL
from tests.conftest import ROOT, TEST_KEY, Cli, Result
from tests.fakeserver import Reply
from tests.tty import ENTER, PROMPT, Tty, say

FAULT = "the fault this test injected"
LINE = (
    f"qwenchat: internal error: RuntimeError: {FAULT} — please report it "
    "(run with --debug for the traceback)"
)


def fail(*args: object, **kwargs: object) -> None:
    raise RuntimeError(FAULT)


@pytest.fixture
def broken_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """`qwenchat config` hits a bug: building its rows raises."""
    monkeypatch.setattr(config_command, "rows", fail)


def assert_internal_error(result: Result, *, traceback: bool) -> None:
    assert result.exit_code == EXIT_INTERNAL, (result.exit_code, result.stderr)
    lines = result.stderr.splitlines()
    assert lines[-1] == LINE
    # one error line (a reply the bug cut short may still carry its "[incomplete]" mark)
    errors = [line for line in lines if line.startswith(("qwenchat: error", "qwenchat: internal"))]
    assert errors == [LINE]
    assert ("Traceback (most recent call last)" in result.stderr) is traceback
    assert "Traceback" not in result.stdout
    assert TEST_KEY not in result.stderr + result.stdout


@pytest.mark.usefixtures("broken_config")
def test_a_bug_is_one_line_and_exit_70(cli: Cli) -> None:
    assert_internal_error(cli("config"), traceback=False)


@pytest.mark.usefixtures("broken_config")
@pytest.mark.parametrize(
    "how", [("--debug", "config"), ("config",)], ids=["--debug", "QWENCHAT_DEBUG"]
)
def test_debug_shows_the_traceback_on_stderr(cli: Cli, how: tuple[str, ...]) -> None:
    env = cli.env() if "--debug" in how else cli.env(QWENCHAT_DEBUG="1")
    result = cli(*how, env=env)
    assert_internal_error(result, traceback=True)
    assert f"RuntimeError: {FAULT}" in result.stderr.split("Traceback", 1)[1]
    assert "qwenchat/cli/config.py" in result.stderr


def test_debug_given_to_the_chat_command_counts_too(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from qwenchat.cli import chat

    # no terminal here: the chat answers the piped text once, and that is where it fails
    monkeypatch.setattr(chat, "_answer_without_terminal", fail)
    assert_internal_error(cli("chat"), traceback=False)
    assert_internal_error(cli("chat", "--debug"), traceback=True)


@pytest.mark.usefixtures("broken_config")
def test_quiet_debug_variable_means_no_traceback(cli: Cli) -> None:
    assert_internal_error(cli("config", env=cli.env(QWENCHAT_DEBUG="0")), traceback=False)


def test_a_bug_while_rendering_an_answer(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from qwenchat.render.plain import PlainRenderer

    monkeypatch.setattr(PlainRenderer, "event", fail)
    cli.server.enqueue(Reply(answer="never shown"))
    result = cli("ask", "hi")
    assert_internal_error(result, traceback=False)
    assert "never shown" not in result.stdout
    monkeypatch.undo()
    cli("ask", "-c", "and then?")  # the turn the bug met was saved with what arrived
    sent = [m["content"] for m in cli.server.chat_requests[-1].body["messages"]]
    assert sent[0] == "hi"
    assert sent[1]  # what had arrived when it failed
    assert "never shown".startswith(sent[1])


def test_ctrl_c_is_interrupted_and_130(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(config_command, "rows", interrupt)
    result = cli("config")
    assert result.exit_code == 130
    assert result.stderr == "qwenchat: interrupted\n"


@pytest.mark.usefixtures("home")
def test_a_bug_outside_any_command_is_caught_by_main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The root callback opens the chat itself: a bug there reaches `main`'s own boundary."""
    from qwenchat.cli import app

    monkeypatch.delenv("QWENCHAT_DEBUG", raising=False)
    monkeypatch.setattr(app, "open_chat", fail)
    for argv, traceback in ((["qwenchat"], False), (["qwenchat", "--debug"], True)):
        monkeypatch.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == EXIT_INTERNAL
        err = capsys.readouterr().err
        assert err.splitlines()[-1] == LINE
        assert ("Traceback" in err) is traceback


def test_command_line_errors_are_written_sanitised(capsys: pytest.CaptureFixture[str]) -> None:
    """`main` writes a usage error through the output seam: no control sequence gets out."""

    def app(**kwargs: object) -> None:
        raise typer.BadParameter("\x1b]0;pwned\x07not a number")

    assert boundary.run(app) == 2
    assert capsys.readouterr().err == "qwenchat: error: Invalid value: not a number\n"


def test_a_real_usage_error_keeps_its_line(cli: Cli) -> None:
    result = cli.subprocess("ask", "--temperature", "warm", "hi")
    assert result.exit_code == 2
    assert result.stderr == (
        "qwenchat: error: Invalid value for '--temperature': 'warm' is not a valid float. "
        "(see qwenchat ask --help)\n"
    )
    assert cli.server.chat_requests == []


@pytest.fixture
def chat_with_a_bug(tmp_path: Path) -> Callable[..., str]:
    """A command line that starts qwenchat with its second rendered reply raising a bug."""
    launcher = tmp_path / "launch.py"
    launcher.write_text(
        "import sys\n"
        "from qwenchat.render.rich_renderer import RichRenderer\n"
        "original = RichRenderer.finish\n"
        "calls = []\n"
        "def finish(self, *args, **kwargs):\n"
        "    calls.append(1)\n"
        "    if len(calls) == 2:\n"
        f"        raise RuntimeError({FAULT!r})\n"
        "    return original(self, *args, **kwargs)\n"
        "RichRenderer.finish = finish\n"
        "from qwenchat.cli.app import main\n"
        "main()\n",
        encoding="utf-8",
    )

    def command(*args: str) -> str:
        return " ".join([sys.executable, str(launcher), *args])

    return command


def test_a_bug_mid_chat_keeps_the_earlier_turns(
    cli: Cli, chat_with_a_bug: Callable[..., str]
) -> None:
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="30")
    repl = Tty(env=env, shell=chat_with_a_bug())
    try:
        repl.wait_for(PROMPT)
        say(repl, "first question")
        repl.wait_for("echo: first question")
        repl.send("second question" + ENTER)
        repl.wait_for("qwenchat: internal error: RuntimeError")
        assert repl.wait_exit() == EXIT_INTERNAL
    finally:
        repl.close()
    screen = "".join(repl.lines()).replace(" ", "")
    assert LINE.replace(" ", "") in screen  # the line, wrapped at the terminal's width
    assert "Traceback" not in screen
    resumed = Tty("-c", env=env)
    try:
        resumed.wait_for("resumed #1")
        resumed.wait_for("echo: first question")
        resumed.wait_for(PROMPT)
        resumed.send("third question" + ENTER)
        resumed.wait_for("echo: third question")
    finally:
        resumed.close()
    assert [m["content"] for m in cli.server.chat_requests[-1].body["messages"]] == [
        "first question",
        "echo: first question",
        "second question",  # the turn the bug met was kept, with what had arrived
        "echo: second question",
        "third question",
    ]


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["config"], ["ask", "--help"]])
def test_fast_paths_load_no_sdk_rich_or_prompt_toolkit(cli: Cli, args: list[str]) -> None:
    code = (
        "import sys\n"
        "from qwenchat.cli.app import main\n"
        f"sys.argv = ['qwenchat', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = ('openai', 'rich', 'prompt_toolkit')\n"
        "print(code, sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=cli.env(), check=False
    )
    assert done.stderr.splitlines()[-1] == "0 []", done.stderr


def test_the_command_line_writes_only_through_the_output_seam() -> None:
    """No module of cli/ writes to sys.stdout or sys.stderr itself."""
    offenders = []
    for path in sorted((ROOT / "qwenchat" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("stdout", "stderr")
                and isinstance(node.value, ast.Name)
                and node.value.id == "sys"
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
