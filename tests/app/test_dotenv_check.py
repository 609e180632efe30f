"""A `.env` in the working directory: a line it cannot parse, and a misspelt variable, are each
one `qwenchat:` line naming the file (and the line), as config.toml's unknown keys are."""

from __future__ import annotations

from tests.conftest import TEST_KEY, Cli


def write_env(cli: Cli, text: str) -> str:
    path = cli.home / "work" / ".env"
    path.write_text(text)
    return str(path)


def test_a_syntax_error_is_one_line_with_the_file_and_line(cli: Cli) -> None:
    path = write_env(cli, 'QWENCHAT_SYSTEM="be brief\nQWENCHAT_RETRIES=1\n')
    result = cli.subprocess("ask", "hi")
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert [line for line in lines if "line 1" in line] == [
        f"qwenchat: warning: {path}, line 1: cannot parse 'QWENCHAT_SYSTEM=\"be brief'; the line "
        "is ignored (quote a value that holds spaces, # or quotes)"
    ]
    assert "python-dotenv" not in result.stderr
    assert all(line.startswith("qwenchat: ") for line in lines)


def test_near_miss_names_are_named(cli: Cli) -> None:
    path = write_env(cli, "DASHSCOPE_APIKEY=sk-typo-key-123\nQWENCHAT_MODLE=qwq-plus\n"
                          "DATABASE_URL=postgres://x\nQWENCHAT_NOPE=1\n")  # fmt: skip
    result = cli("config")
    assert result.exit_code == 0, result.stderr
    assert (
        f"qwenchat: warning: {path}: unknown variable 'DASHSCOPE_APIKEY' (did you mean "
        "'DASHSCOPE_API_KEY'?); qwenchat does not read it"
    ) in result.stderr
    assert "unknown variable 'QWENCHAT_MODLE' (did you mean 'QWENCHAT_MODEL'?)" in result.stderr
    assert "unknown variable 'QWENCHAT_NOPE';" in result.stderr
    assert "DATABASE_URL" not in result.stderr  # another project's variable
    assert "sk-typo-key-123" not in result.stderr + result.stdout  # named, never its value
    assert TEST_KEY not in result.stderr


def test_a_profile_key_variable_is_not_a_typo(cli: Cli) -> None:
    config = cli.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[profiles.local]\nbase_url = "http://127.0.0.1:1/v1"\n'
                      'api_key_env = "DASHSCOPE_API_KEY_2"\n')  # fmt: skip
    write_env(cli, "DASHSCOPE_API_KEY_2=x\n")
    assert "unknown variable" not in cli("config").stderr
