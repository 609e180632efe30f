"""A misspelt model name gets "did you mean …?" from the catalogue and the server's list, in
`ask` (refused before anything is sent, unless `--model-exact`) and in the chat's `/model`
(the same command again takes it); `/models` is a paged table; `models` fits the terminal."""

from __future__ import annotations

import sys

import pytest

from qwenchat.core.catalogue import Catalogue
from qwenchat.core.model_names import distance, near
from tests.conftest import Cli, assert_clean_failure
from tests.tty import ENTER, Tty


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("qwq-plsu", ["qwq-plus"]), ("qwen-plsu", ["qwen-plus"]), ("qwen-trubo", ["qwen-turbo"]),
     ("QWEN-PLUS", []), ("llama3", []), ("qwen-max-2025-01-25", []),
     ("qwen3.9-plus", []), ("qwen2.5-3b-instruct", []), ("qwen3.9-max", [])],  # other versions
)  # fmt: skip
def test_near_names_come_from_the_catalogue(typed: str, meant: list[str]) -> None:
    assert near(typed, Catalogue().names)[:1] == meant  # the closest first


def test_a_swap_is_one_edit() -> None:
    assert distance("plsu", "plus", 2) == 1
    assert distance("abcdef", "uvwxyz", 2) == 3  # past the limit: limit + 1


def test_ask_refuses_a_misspelt_model_before_sending(cli: Cli) -> None:
    result = cli("ask", "-m", "qwen-plsu", "hi")
    assert_clean_failure(result, 2)
    assert "unknown model 'qwen-plsu': did you mean qwen-plus?" in result.stderr
    assert "--model-exact" in result.stderr
    assert cli.server.chat_requests == []


def test_model_exact_sends_it_as_written(cli: Cli) -> None:
    result = cli("ask", "-m", "qwen-plsu", "--model-exact", "hi")
    assert result.exit_code == 0, result.stderr
    assert cli.server.chat_requests[-1].body["model"] == "qwen-plsu"


def test_a_name_the_server_lists_is_sent(cli: Cli) -> None:
    cli.server.models = ["qwen-plsu"]  # the server does offer it: no typo after all
    result = cli("ask", "-m", "qwen-plsu", "hi")
    assert result.exit_code == 0, result.stderr
    assert cli.server.chat_requests[-1].body["model"] == "qwen-plsu"


def test_a_suggestion_may_come_from_the_servers_list(cli: Cli) -> None:
    cli.server.models = ["house-model-7b"]
    result = cli("ask", "-m", "house-modle-7b", "--model-exact", "hi")
    assert result.exit_code == 0  # nothing close in the catalogue: sent, the server decides
    chat = Tty(env=cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1"))
    try:
        chat.wait_for("›")
        chat.send("/model house-modle-7b" + ENTER)
        chat.wait_for("did you mean house-model-7b?")
    finally:
        chat.close()


def test_the_chat_asks_once_and_takes_the_name_the_second_time(cli: Cli, repl: Tty) -> None:
    repl.send("/model qwq-plsu" + ENTER)
    repl.wait_for("unknown model 'qwq-plsu': did you mean qwq-plus")
    repl.send("hi" + ENTER)
    repl.wait_for("echo: hi")
    assert cli.server.chat_requests[-1].body["model"] == "qwen-plus"  # not switched
    repl.send("/model qwq-plsu" + ENTER)
    repl.wait_for("model: qwq-plsu")
    repl.send("/model qwq-plus" + ENTER)  # a listed name: at once
    repl.wait_for("model: qwq-plus")


def test_models_in_the_chat_is_a_paged_table(cli: Cli, repl: Tty) -> None:
    repl.send("/models" + ENTER)
    repl.wait_for("/models 2 for the next")
    text = repl.text()
    assert "model" in text
    assert "context" in text
    assert "page 1 of" in text
    assert "qwen1.5-7b-chat" not in text  # on a later page
    repl.send("/models 99" + ENTER)
    repl.wait_for("pages of models")


@pytest.mark.parametrize("columns", [80, 100])
def test_models_fits_the_terminal(cli: Cli, columns: int) -> None:
    tty = Tty(env=cli.env(TERM="xterm-256color"), cols=columns, rows=40,
              shell=f"{sys.executable} -m qwenchat models 2>/dev/null")  # fmt: skip
    assert tty.wait_exit() == 0
    raw = tty.raw.decode("utf-8", "replace").replace("\r", "")
    lines = [line for line in raw.split("\n") if line]
    assert lines[0].startswith("model ")
    assert max(len(line) for line in lines) <= columns
