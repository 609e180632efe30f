"""Shell completion: the scripts for bash, zsh and fish, and what a Tab completes."""

from __future__ import annotations

import pytest

from tests.conftest import Cli

# The shell is named, never detected from the processes above the test (which differ between a
# terminal, a script and CI): Typer's switch turns detection off and makes SHELL an argument.
NAMED_SHELL = {"_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}


def complete(cli: Cli, line: str) -> list[str]:
    words = line.split(" ")
    env = cli.env(
        _QWENCHAT_COMPLETE="complete_bash", COMP_WORDS=line, COMP_CWORD=str(len(words) - 1)
    )
    result = cli.subprocess(env=env)
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script(cli: Cli, shell: str) -> None:
    result = cli.subprocess("--show-completion", shell, env=cli.env(**NAMED_SHELL))
    assert result.exit_code == 0, result.stderr
    assert "_QWENCHAT_COMPLETE" in result.stdout


def test_install_completion_writes_the_shells_startup_file(cli: Cli) -> None:
    result = cli.subprocess("--install-completion", "bash", env=cli.env(**NAMED_SHELL))
    assert result.exit_code == 0, result.stderr
    assert "qwenchat" in (cli.home / ".bashrc").read_text()


def test_commands_and_options_complete(cli: Cli) -> None:
    assert complete(cli, "qwenchat ba") == ["batch"]
    assert "--thinking-budget" in complete(cli, "qwenchat ask --th")
    assert complete(cli, "qwenchat batch res") == ["results"]


def test_model_names_complete_from_the_catalogue(cli: Cli) -> None:
    names = complete(cli, "qwenchat ask -m qwen3-m")
    assert "qwen3-max" in names
    assert all(name.startswith("qwen3-m") for name in names)
    assert "qwen-plus" in complete(cli, "qwenchat batch run in.txt -m qwen-p")


def test_session_and_role_names_complete(cli: Cli) -> None:
    assert cli("ask", "--session", "work-notes", "hi").exit_code == 0
    assert complete(cli, "qwenchat --session work") == ["work-notes"]
    assert complete(cli, "qwenchat ask --role sh") == ["shell"]


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "COMPREPLY"), ("zsh", "#compdef qwenchat"), ("fish", "complete --command qwenchat"),
     ("powershell", "Register-ArgumentCompleter")],
)  # fmt: skip
def test_show_completion_honours_the_shell_named(cli: Cli, shell: str, marker: str) -> None:
    result = cli.subprocess("--show-completion", shell)
    assert result.exit_code == 0, result.stderr
    assert marker in result.stdout
    if shell != "bash":
        assert "COMPREPLY" not in result.stdout  # not the bash script under another name


def test_install_completion_for_zsh_and_fish(cli: Cli) -> None:
    assert cli.subprocess("--install-completion", "zsh").exit_code == 0
    assert "#compdef qwenchat" in (cli.home / ".zfunc" / "_qwenchat").read_text()
    assert ".zfunc" in (cli.home / ".zshrc").read_text()
    assert cli.subprocess("--install-completion", "fish").exit_code == 0
    fish = cli.home / ".config" / "fish" / "completions" / "qwenchat.fish"
    assert "complete --command qwenchat" in fish.read_text()
    assert not (cli.home / ".bashrc").exists()


def test_thinking_values_complete(cli: Cli) -> None:
    assert complete(cli, "qwenchat ask --thinking s") == ["summary"]
    assert complete(cli, "qwenchat --thinking ") == ["full", "summary", "hide"]
