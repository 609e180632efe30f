"""DashScope's `Range of input length` 400: trim in plain words, and further while it helps."""

from __future__ import annotations

from tests.conftest import Cli, assert_clean_failure
from tests.fakeserver import Error, Reply

RANGE = "Range of input length should be [1, {}]"


def messages(cli: Cli, index: int) -> list[dict[str, str]]:
    return list(cli.server.chat_requests[index].body["messages"])


def test_a_second_range_error_trims_further_instead_of_failing(cli: Cli) -> None:
    for word in ("one", "two", "three"):
        cli.server.enqueue(Reply(answer=word * 30))
        assert cli("ask", "-c", word).exit_code == 0
    cli.server.enqueue(
        Error(400, RANGE.format(60), code="invalid_parameter_error"),
        Error(400, RANGE.format(60), code="invalid_parameter_error"),
        Reply(answer="fits now"),
    )
    result = cli("ask", "-c", "four")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "fits now\n"
    sizes = [len(messages(cli, index)) for index in (3, 4, 5)]
    assert sizes[0] == 7
    assert sizes[0] > sizes[1] > sizes[2] >= 1
    assert messages(cli, 5)[-1] == {"role": "user", "content": "four"}
    notices = [line for line in result.stderr.splitlines() if "retrying without" in line]
    assert len(notices) == 2
    assert notices[0].startswith("qwenchat: the server accepts at most 60 input tokens: ")
    assert "still sent" not in result.stderr


def test_the_message_alone_is_said_only_when_it_is(cli: Cli) -> None:
    cli.server.enqueue(Error(400, RANGE.format(3)))
    alone = cli("ask", "far too long a message for three tokens")
    assert_clean_failure(alone, 1)
    assert "the message alone is longer than the model's 3-token input" in alone.stderr


def test_a_long_system_prompt_is_named(cli: Cli) -> None:
    cli.server.enqueue(Error(400, RANGE.format(40)))
    result = cli("ask", "-s", "You are a careful assistant. " * 10, "hi")
    assert_clean_failure(result, 1)
    assert "message alone" not in result.stderr
    assert "the system prompt and the message together" in result.stderr
    assert len(cli.server.chat_requests) == 1
