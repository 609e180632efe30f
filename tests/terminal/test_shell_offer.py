"""The shell role runs exactly what it showed, or nothing: hostile replies in a pseudo-terminal
(`ask --role shell` and the chat), and the vetting rules on their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwenchat.chat.shell_offer import clean_environment
from qwenchat.core.shell_command import Offer, Refusal, escaped, vet
from tests.conftest import TEST_KEY, Cli
from tests.fakeserver import Reply
from tests.tty import CTRL_C, ENTER, Tty

ESC, BEL = "\x1b", "\x07"


def shell_ask(cli: Cli, answer: str, **reply: float) -> Tty:
    cli.server.enqueue(Reply(answer=answer, **reply))  # type: ignore[arg-type]
    env = cli.env(TERM="xterm-256color", COLUMNS="100", LINES="30", SHELL="/bin/sh")
    return Tty("ask", "--role", "shell", "do it", env=env)


def work(cli: Cli) -> Path:
    return cli.home / "work"


# -- hostile replies: refused before any offer, shown escaped, nothing runs -----------------


@pytest.mark.parametrize(
    ("answer", "escape_shown"),
    [
        (f"ls -la # {ESC}]0; \n touch PWNED {BEL}", "\\x1b]0;"),  # a title sequence hides a line
        (f"rm -rf ./build {ESC}[ ../*;m", "\\x1b[ ../*;m"),  # a CSI hides the parent directory
        ("touch PWNED\u202e", "\\u202e"),  # a bidi override
        ("touch\u200b PWNED", "\\u200b"),  # a zero-width space
        ("touch PWNED\x00", "\\x00"),  # a NUL byte
        ("touch PWNED\x9b", "\\x9b"),  # an 8-bit CSI
        ("touch PWNED\x7f", "\\x7f"),  # DEL
    ],
)
def test_a_command_with_hidden_characters_is_refused_and_shown_escaped(
    cli: Cli, answer: str, escape_shown: str
) -> None:
    tty = shell_ask(cli, answer)
    tty.wait_for("not offered to run")
    assert escape_shown in tty.text()  # the user sees why
    assert "[r]un" not in tty.text()
    tty.send("r" + ENTER)
    assert tty.wait_exit() == 0
    assert not (work(cli) / "PWNED").exists()
    assert sorted(p.name for p in work(cli).iterdir()) == []


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("```sh\ntouch PWNED\n```", "Markdown (a code fence)"),
        ("`touch PWNED`", "Markdown (inline code"),
        ("ls -la # list\ntouch PWNED", "2 commands on 2 lines"),
        ("ls\n" + "\n" * 300 + "touch PWNED", "2 commands"),
        ("Sure, this makes the file: touch PWNED", "prose"),
        ("- touch PWNED\n- ls", "Markdown"),
        ("echo 'unclosed; touch PWNED", "not a complete command"),
        ("ls" + " " * 3000 + "; touch PWNED", "too long"),
        ("ls" + " " * 200 + "; touch PWNED", "run of 200 spaces"),
    ],
)
def test_a_reply_that_is_not_one_visible_command_is_not_offered(
    cli: Cli, answer: str, why: str
) -> None:
    tty = shell_ask(cli, answer)
    tty.wait_for("not offered to run")
    assert why in tty.text().replace("\n", "")
    assert "[r]un" not in tty.text()
    tty.send("r" + ENTER)
    assert tty.wait_exit() == 0
    assert not (work(cli) / "PWNED").exists()


def test_the_string_run_is_the_string_shown_once(cli: Cli) -> None:
    command = "printf '%s|%s\\n' 'a  b' \"$((6 * 7))\" > out.txt"
    tty = shell_ask(cli, command)
    tty.wait_for("[r]un")
    lines = tty.lines()
    assert lines.count(command) == 1  # shown once, whole, untouched
    rule = lines.index(command) - 1
    assert lines[rule].startswith("── the command, exactly as it would run")
    assert lines[rule + 2].startswith("────")
    tty.send("r" + ENTER)
    assert tty.wait_exit() == 0
    assert (work(cli) / "out.txt").read_text() == "a  b|42\n"


def test_one_construct_over_several_lines_is_offered(cli: Cli) -> None:
    command = "for n in 1 2 3; do\n  echo $n\ndone > count.txt"
    tty = shell_ask(cli, command)
    tty.wait_for("[r]un")
    tty.send("r" + ENTER)
    assert tty.wait_exit() == 0
    assert (work(cli) / "count.txt").read_text() == "1\n2\n3\n"


def test_keys_typed_while_the_reply_streams_never_answer(cli: Cli) -> None:
    tty = shell_ask(cli, "touch ran.txt", delay=0.05, chunk_size=1)
    tty.pump(0.3)
    tty.send("r" + ENTER)  # typed before the question exists
    tty.wait_for("[r]un")
    tty.pump(0.5)
    assert not (work(cli) / "ran.txt").exists()
    tty.send("c" + ENTER)
    tty.wait_for("cancelled: nothing was run")
    assert tty.wait_exit() == 0
    assert not (work(cli) / "ran.txt").exists()


def test_the_command_runs_without_the_key(cli: Cli) -> None:
    tty = shell_ask(cli, "env > env.txt")
    tty.wait_for("[r]un")
    tty.send("r" + ENTER)
    assert tty.wait_exit() == 0
    seen = (work(cli) / "env.txt").read_text()
    assert "HOME=" in seen  # the environment is there ...
    assert TEST_KEY not in seen  # ... without the key
    assert "DASHSCOPE_API_KEY" not in seen
    assert "QWENCHAT_" not in seen


def test_clean_environment_drops_every_key_variable() -> None:
    environ = {
        "PATH": "/bin", "DASHSCOPE_API_KEY": "k1", "OPENAI_API_KEY": "k2",
        "QWENCHAT_API_KEY": "k3", "QWENCHAT_BASE_URL": "u", "MY_TOKEN": "sk-real",
    }  # fmt: skip
    assert clean_environment(environ, "sk-real") == {"PATH": "/bin"}


# -- the chat offers the same, with the same rules ---------------------------------------


def test_the_chat_offers_run_explain_cancel_with_the_shell_role(cli: Cli) -> None:
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", SHELL="/bin/sh")
    tty = Tty("--role", "shell", env=env)
    tty.wait_for("›")
    cli.server.enqueue(Reply(answer="touch made.txt"))
    tty.send("make a file" + ENTER)
    tty.wait_for("[r]un")
    assert not (work(cli) / "made.txt").exists()
    cli.server.enqueue(Reply(answer="It creates an empty file named made.txt."))
    tty.send("e" + ENTER)
    tty.wait_for("It creates an empty file")
    tty.wait_for("[r]un", after=1)  # asked again after the explanation
    tty.send("r" + ENTER)
    tty.wait_for("›", after=1)
    assert (work(cli) / "made.txt").exists()
    explain = cli.server.chat_requests[1].body["messages"]
    assert [m["role"] for m in explain] == ["system", "user", "assistant", "user"]
    assert "touch made.txt" in explain[-1]["content"]  # the same conversation
    cli.server.enqueue(Reply(answer=f"touch bad.txt {ESC}]0;x{BEL}"))
    tty.send("again" + ENTER)
    tty.wait_for("not offered to run")
    assert "\\x1b]0;x\\x07" in tty.text()
    tty.close()
    assert not (work(cli) / "bad.txt").exists()


def test_slash_role_shell_turns_the_offer_on(cli: Cli) -> None:
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", SHELL="/bin/sh")
    tty = Tty(env=env)
    tty.wait_for("›")
    tty.send("/role shell" + ENTER)
    tty.wait_for("role: shell")
    cli.server.enqueue(Reply(answer="touch made.txt"))
    tty.send("make a file" + ENTER)
    tty.wait_for("[r]un")
    tty.send("c" + ENTER)
    tty.wait_for("cancelled: nothing was run")
    tty.close()
    assert not (work(cli) / "made.txt").exists()


# -- the rules on their own ---------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        "ls -la",
        "git log --oneline | head -5",
        "find . -name '*.pyc' \\\n  -delete",
        "ls |\n  wc -l",
        "if true; then\n  echo y\nfi",
        'cat <<EOF > notes.txt\nan "unbalanced quote\nEOF',
        'echo "a\nb"',
        "du -sh * | sort -h",
        "tar -czf a.tgz dir/",
        "echo 你好",
    ],
)
def test_one_command_is_offered_as_it_is(command: str) -> None:
    assert vet(command) == Offer(command)


def test_a_leading_prompt_is_the_only_thing_taken_off() -> None:
    assert vet("$ ls -l\n") == Offer("ls -l")


def test_too_many_rows_for_the_screen_is_refused() -> None:
    command = "echo " + "x" * 150
    assert isinstance(vet(command, columns=80, rows=24), Offer)
    refused = vet(command, columns=10, rows=10)
    assert isinstance(refused, Refusal)
    assert "rows" in refused.reason


def test_escaped_shows_every_hidden_character() -> None:
    assert escaped("a\x1bb\u202ec\td\n") == "a\\x1bb\\u202ec\td\n"


def test_ctrl_c_at_the_chat_question_keeps_the_chat(cli: Cli) -> None:
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", SHELL="/bin/sh")
    tty = Tty("--role", "shell", env=env)
    tty.wait_for("›")
    cli.server.enqueue(Reply(answer="touch made.txt"))
    tty.send("make a file" + ENTER)
    tty.wait_for("[r]un")
    tty.send(CTRL_C)
    tty.wait_for("interrupted")
    tty.wait_for("›", after=1)
    cli.server.enqueue(Reply(answer="echo still here"))
    tty.send("and now" + ENTER)
    tty.wait_for("[r]un", after=1)  # the chat went on
    tty.close()
    assert not (work(cli) / "made.txt").exists()
