"""`qwenchat "a question"`: a first argument that names no command is answered like `ask`."""

from __future__ import annotations

from tests.conftest import Cli, assert_clean_failure
from tests.fakeserver import Reply


def last_messages(cli: Cli) -> list[object]:
    return list(cli.server.chat_requests[-1].body["messages"])


def test_a_bare_prompt_is_answered_like_ask(cli: Cli) -> None:
    bare = cli("why is the sky blue")
    asked = cli("ask", "why is the sky blue")
    assert bare.exit_code == 0, bare.stderr
    assert bare.stdout == asked.stdout == "echo: why is the sky blue\n"
    assert len(cli.server.chat_requests) == 2


def test_options_before_and_after_and_unquoted_words(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="first"), Reply(answer="second"))
    assert cli("-m", "qwen-max", "hello", "there").stdout == "first\n"
    assert cli.server.chat_requests[-1].body["model"] == "qwen-max"
    assert last_messages(cli)[-1] == {"role": "user", "content": "hello there"}
    assert cli("why", "not", "-m", "qwen-turbo").stdout == "second\n"
    assert cli.server.chat_requests[-1].body["model"] == "qwen-turbo"
    assert last_messages(cli)[-1] == {"role": "user", "content": "why not"}


def test_a_piped_text_follows_the_bare_prompt(cli: Cli) -> None:
    result = cli("summarise", input="the notes\n")
    assert result.exit_code == 0, result.stderr
    assert last_messages(cli)[-1] == {"role": "user", "content": "summarise\n\nthe notes"}


def test_a_misspelt_command_is_not_sent(cli: Cli) -> None:
    result = cli.subprocess("modles")
    assert_clean_failure(result, 2)
    assert "Did you mean 'models'" in result.stderr
    assert "qwenchat ask 'modles'" in result.stderr
    assert cli.server.chat_requests == []


def test_command_names_still_run_their_command(cli: Cli) -> None:
    result = cli("models")
    assert result.exit_code == 0, result.stderr
    assert cli.server.chat_requests == []
