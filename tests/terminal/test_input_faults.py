"""The fault matrix (docs/faults.md), input and secrets rows: bad input never costs a request."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_KEY, Cli, assert_clean_failure
from tests.fakeserver import Error, Reply


def requests(cli: Cli) -> int:
    return len(cli.server.chat_requests)


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t\n"])
def test_empty_or_blank_prompt(cli: Cli, prompt: str) -> None:
    result = cli("ask", prompt, input="")
    assert_clean_failure(result, 2)
    assert "no prompt" in result.stderr
    assert requests(cli) == 0


def test_huge_stdin_is_sent_whole_with_a_warning(cli: Cli) -> None:
    text = "line of notes\n" * 40_000  # 560,000 bytes
    cli.server.enqueue(Reply(answer="a summary"))
    result = cli("ask", "summarise", input=text)
    assert result.exit_code == 0, result.stderr
    assert "warning: stdin is 0.5 MiB (560,000 characters); all of it is sent" in result.stderr
    sent = cli.server.chat_requests[0].body["messages"][-1]["content"]
    assert sent == "summarise\n\n" + text.strip()


def test_oversized_stdin_is_refused(cli: Cli) -> None:
    result = cli("ask", "summarise", input=b"a" * (20 * 1024 * 1024 + 1))
    assert_clean_failure(result, 2)
    assert "larger than 20 MiB; nothing was sent" in result.stderr
    assert requests(cli) == 0


@pytest.mark.parametrize(
    ("data", "shown"),
    [(b"\x89PNG\r\n\x1a\n\x00\x00", "binary"), (b"caf\xe9 au lait", "not UTF-8 text")],
)
def test_binary_or_invalid_utf8_stdin(cli: Cli, data: bytes, shown: str) -> None:
    result = cli("ask", "summarise", input=data)
    assert_clean_failure(result, 2)
    assert shown in result.stderr
    assert requests(cli) == 0


def test_dotenv_that_is_not_text(cli: Cli) -> None:
    (cli.home / "work" / ".env").write_bytes(b"MODEL_NAME=\xff\xfe\n")
    result = cli("ask", "hi")
    assert_clean_failure(result, 2)
    assert "cannot read" in result.stderr
    assert ".env: not UTF-8 text" in result.stderr


def test_missing_dotenv_and_config_are_fine(cli: Cli) -> None:
    assert not (cli.home / "work" / ".env").exists()
    assert not (cli.home / "config").exists()
    result = cli("ask", "hi")
    assert result.exit_code == 0
    assert result.stdout == "echo: hi\n"


def test_config_syntax_error_names_file_and_line(cli: Cli) -> None:
    path = cli.home / "config" / "qwenchat" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('model = "qwen-max"\ntimeout = \n', encoding="utf-8")
    result = cli("ask", "hi")
    assert_clean_failure(result, 2)
    assert str(path) in result.stderr
    assert "line 2" in result.stderr
    assert requests(cli) == 0


def test_unknown_option_is_one_line(cli: Cli) -> None:
    result = cli.subprocess("ask", "--bogus", "hi")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "qwenchat: error: No such option: --bogus (see qwenchat ask --help)"
    ]
    assert requests(cli) == 0


@pytest.mark.parametrize("value", ["-1", "11", "lots"])
def test_bad_retries_value(cli: Cli, value: str) -> None:
    result = cli("ask", "hi", env=cli.env(QWENCHAT_RETRIES=value))
    assert_clean_failure(result, 2)
    assert "retries must be a whole number from 0 to 10" in result.stderr


def test_no_key_anywhere_after_faults(cli: Cli) -> None:
    """Errors quote the server; none of them, nor any file written, holds the key."""
    cli.server.enqueue(
        Error(401, f"Incorrect API key provided: {TEST_KEY}"),
        Error(500, f"echo of the header: Bearer {TEST_KEY}", headers={"Retry-After": "0"}),
    )
    outputs = [cli("ask", "--retries", "0", "hi"), cli("ask", "--retries", "0", "hi")]
    for result in outputs:
        assert TEST_KEY not in result.stdout + result.stderr
    written = [p for p in cli.home.rglob("*") if p.is_file()]
    assert all(TEST_KEY.encode() not in p.read_bytes() for p in written)
