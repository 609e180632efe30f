"""The README's first screen works pasted as it is: its start lines, run in bash in a
pseudo-terminal, ask for the key without echoing it and open the chat by the name `qwenchat`."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from tests.conftest import TEST_KEY, Cli
from tests.tty import ENTER, Tty

ROOT = Path(__file__).resolve().parents[2]


def start_block() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = readme[: readme.index("## ")]
    block = re.search(r"\*\*Install and start\*\*.*?```sh\n(.*?)```", head, re.DOTALL)
    assert block is not None
    return block.group(1).strip().split("\n")


def test_the_start_lines_say_what_to_replace_and_never_hold_a_key() -> None:
    clone, install, key, start = start_block()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    placeholder = clone.split()[2]
    assert clone == f"git clone {placeholder} qwenchat && cd qwenchat"
    assert f"`{placeholder}` is the one placeholder" in readme  # explained
    assert install.endswith('export PATH="$PWD/.venv/bin:$PATH"')
    assert "sk-" not in "".join(start_block())  # the key is read, never typed on the line
    assert "read -rs DASHSCOPE_API_KEY" in key
    assert start == "qwenchat"


def test_the_start_lines_open_the_chat(cli: Cli) -> None:
    _, install, key, start = start_block()
    checkout = cli.home / "checkout"
    checkout.mkdir()
    (checkout / ".venv").symlink_to(Path(sys.executable).parent.parent)  # as pip left it
    path_line = install.split(" && ")[-1]  # the clone and the install are not rerun here
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", PATH="/usr/bin:/bin")
    del env["DASHSCOPE_API_KEY"]
    pasted = cli.home / "pasted.sh"
    pasted.write_text(f"cd {checkout} && {path_line}\n{key}\n{start}\n")
    tty = Tty(env=env, shell=f"exec /bin/bash {pasted}")
    try:
        tty.wait_for("DashScope API key:")
        tty.send(TEST_KEY + ENTER)
        tty.wait_for("›")
        assert TEST_KEY not in tty.text()  # not echoed
        tty.send("hello" + ENTER)
        tty.wait_for("echo: hello")  # the key read was the one sent
        tty.send("/exit" + ENTER)
        assert tty.wait_exit() == 0
    finally:
        tty.close()
