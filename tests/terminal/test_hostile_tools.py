"""Tools against a hostile model: secrets stay unread, consent shows the real path, calls capped."""

from __future__ import annotations

import os

import pytest

from qwenchat.tools.session import MAX_CALLS
from tests.conftest import TEST_KEY, Cli
from tests.tty import ENTER, Tty

SECRET = "the-secret-content-7f3a"


def read(cli: Cli, path: str, *flags: str) -> str:
    """What the model was given when it asked to read `path` (with --yes-tools)."""
    result = cli("ask", "--tools", "--yes-tools", *flags, "-m", f"call:read_file:{path}", "hi")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert SECRET not in result.stdout
    return result.stdout


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (".ENV", "environment file"),
        (".envrc", "environment file"),
        (".env_backup", "environment file"),
        (".Env.Production", "environment file"),
        (".netrc", "credentials file"),
        (".ssh/id_ed25519", "inside the hidden directory .ssh"),
        (".aws/credentials", "inside the hidden directory .aws"),
        (".config/gh/hosts.yml", "inside the hidden directory .config"),
    ],
)
def test_secret_files_are_refused_with_the_reason(hostile: Cli, name: str, why: str) -> None:
    path = hostile.home / "work" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(SECRET, encoding="utf-8")
    said = read(hostile, name)
    assert "tool said: error:" in said
    assert "is not read" in said
    assert why in said


def test_a_hard_link_to_a_refused_file_is_refused(hostile: Cli) -> None:
    work = hostile.home / "work"
    (work / ".env").write_text(SECRET, encoding="utf-8")
    os.link(work / ".env", work / "notes.txt")
    said = read(hostile, "notes.txt")
    assert "hard links" in said


def test_a_file_containing_the_key_is_refused(hostile: Cli) -> None:
    (hostile.home / "work" / "log.txt").write_text(f"{SECRET} key={TEST_KEY}\n", encoding="utf-8")
    said = read(hostile, "log.txt")
    assert "contains the API key" in said
    assert TEST_KEY not in said


def test_qwenchats_own_directories_are_refused_when_started_from_home(
    hostile: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = hostile.home
    for folder in ("config/qwenchat", "data/qwenchat"):  # XDG dirs here are not hidden
        (home / folder).mkdir(parents=True, exist_ok=True)
        (home / folder / "x.toml").write_text(SECRET, encoding="utf-8")
    monkeypatch.chdir(home)
    for path in ("config/qwenchat/x.toml", "data/qwenchat/x.toml"):
        assert "qwenchat's own configuration or data" in read(hostile, path)
    listing = hostile("ask", "--tools", "--yes-tools", "-m", "call:list_dir:data/qwenchat", "hi")
    assert "qwenchat's own configuration or data" in listing.stdout
    assert "x.toml" not in listing.stdout


def test_ordinary_files_are_still_read(hostile: Cli) -> None:
    (hostile.home / "work" / "notes.txt").write_text("plain notes", encoding="utf-8")
    assert "tool said: plain notes" in read(hostile, "notes.txt")


def test_list_dir_escapes_names_that_are_not_utf8(hostile: Cli) -> None:
    work = os.fsencode(hostile.home / "work")
    with open(work + b"/caf\xe9.txt", "wb") as handle:
        handle.write(b"x")
    result = hostile("ask", "--tools", "--yes-tools", "-m", "call:list_dir:.", "hi")
    assert result.exit_code == 0, result.stderr
    assert "tool said: caf\\xe9.txt  (1 bytes)" in result.stdout


def test_arguments_too_long_to_show_are_refused(hostile: Cli) -> None:
    work = hostile.home / "work"
    (work / "README.md").write_text("readme", encoding="utf-8")
    (work / "secret.txt").write_text(SECRET, encoding="utf-8")
    said = read(hostile, "README.md" + "/" * 3000 + "../secret.txt")
    assert "tool said: error: refused: the arguments are" in said
    assert "too long to show" in said


def test_consent_names_the_resolved_path_not_the_argument(hostile: Cli) -> None:
    work = hostile.home / "work"
    (work / "README.md").write_text("readme", encoding="utf-8")
    (work / "secret.txt").write_text(SECRET, encoding="utf-8")
    model = "call:read_file:README.md" + "/" * 150 + "../secret.txt"
    env = hostile.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1")
    tty = Tty("ask", "--tools", "-m", model, "hi", env=env, cols=300)
    try:
        tty.wait_for(f"Run read_file on {(work / 'secret.txt').resolve()}? [y]es")
        tty.send("n" + ENTER)
        assert tty.wait_exit() == 0
    finally:
        tty.close()
    assert SECRET not in tty.text()


def test_at_most_16_tool_calls_run_in_one_round(hostile: Cli) -> None:
    result = hostile("ask", "--tools", "--yes-tools", "-m", "flood:40", "what time is it?")
    assert result.exit_code == 0, result.stderr
    assert f"results: {MAX_CALLS}/40" in result.stdout
    tool_messages = [
        m for m in hostile.server.chat_requests[1].body["messages"] if m["role"] == "tool"
    ]
    assert len(tool_messages) == 40  # every call is answered
    assert tool_messages[-1]["content"].startswith("not run: too many calls in one round")
    assert f"asked for 40 tool calls at once; {MAX_CALLS} ran" in result.stderr


def test_the_plain_view_shows_arguments_whole(hostile: Cli) -> None:
    path = "docs/" + "a" * 300 + ".md"
    result = hostile("ask", "--tools", "--yes-tools", "-m", f"call:read_file:{path}", "hi")
    assert f"path: {path}" in result.stderr
