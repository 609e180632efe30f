"""One confinement policy: the file tools and batch attachments refuse the same files alike."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from qwenchat.core.confine import HOLDS_KEY, key_refusal
from tests.conftest import TEST_KEY, Cli, assert_clean_failure
from tests.fakebatch import FakeBatches

SECRET = "the-secret-content-7f3a"


def _b64(data: str) -> str:
    return base64.b64encode(data.encode()).decode()


# Each spelling of the key a file could hold: all are refused.
KEY_SPELLINGS: dict[str, Callable[[str], str]] = {
    "as it is": lambda k: f"token={k}\n",
    "base64": lambda k: f"auth: {_b64(k)}\n",
    "base64 after one byte": lambda k: _b64("x" + k) + "\n",
    "base64 after two bytes": lambda k: _b64("xy" + k) + "\n",
    "base64 of a longer text, wrapped at 8 columns": lambda k: "\n".join(
        (lambda t: [t[i : i + 8] for i in range(0, len(t), 8)])(_b64(f"KEY={k}\n"))
    ),
    "URL-safe base64": lambda k: base64.urlsafe_b64encode(b"\xff\xfe" + k.encode()).decode(),
    "JSON \\u escapes": lambda k: '{"key": "' + "".join(f"\\u{ord(c):04x}" for c in k) + '"}',
    "JSON with escaped dashes": lambda k: json.dumps({"key": k}).replace("-", "\\u002d"),
    "split over two lines": lambda k: f"key = {k[:10]}\n      {k[10:]}\n",
    "split into two quoted strings": lambda k: f'key = "{k[:12]}" +\n  "{k[12:]}"\n',
    "split with a backslash continuation": lambda k: f"KEY={k[:7]}\\\n{k[7:]}\n",
}


@pytest.mark.parametrize("spelling", sorted(KEY_SPELLINGS))
def test_every_spelling_of_the_key_is_recognised(spelling: str) -> None:
    text = KEY_SPELLINGS[spelling](TEST_KEY)
    assert TEST_KEY not in text or spelling == "as it is"
    assert key_refusal(text.encode(), TEST_KEY) == HOLDS_KEY


@pytest.mark.parametrize(
    "text",
    [
        TEST_KEY[:-1] + "X",  # one character off
        _b64(TEST_KEY[:-2]),  # a base64 of part of it
        TEST_KEY[:12] + "\n\n" + "unrelated",
        "plain notes, no key",
    ],
)
def test_near_misses_are_read(text: str) -> None:
    assert key_refusal(text.encode(), TEST_KEY) is None


def _tool_read(cli: Cli, path: str) -> str:
    result = cli("ask", "--tools", "--yes-tools", "-m", f"call:read_file:{path}", "hi")
    assert result.exit_code == 0, result.stderr
    assert SECRET not in result.stdout
    return result.stdout


def _batch_read(cli: Cli, path: str, *flags: str, folder: Path | None = None) -> str:
    folder = folder or cli.home / "work"
    source = folder / "in.jsonl"
    source.write_text(json.dumps({"id": "1", "prompt": "d", "attachments": [path]}) + "\n")
    before = len(cli.server.chat_requests)
    result = cli("batch", str(source), *flags)
    assert_clean_failure(result, 2)
    assert "line 1" in result.stderr
    assert len(cli.server.chat_requests) == before  # nothing was sent
    assert SECRET not in result.stdout + result.stderr
    return result.stderr


def _plant(work: Path, name: str, content: str = SECRET) -> None:
    path = work / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")


CASES: list[tuple[str, str, str]] = [  # (file planted, path named, the reason given)
    ("../outside.txt", "../outside.txt", "is outside"),
    ("../outside.txt", "{home}/outside.txt", "is outside"),
    ("link-target", "up/outside.txt", "is outside"),  # a symlink to the parent
    (".ssh/id_ed25519", ".ssh/id_ed25519", "inside the hidden directory .ssh"),
    (".git/config", ".git/config", "inside the hidden directory .git"),
    (".env", ".env", "an environment file or a credentials file"),
    (".env.production", ".env.production", "an environment file or a credentials file"),
    (".netrc", ".netrc", "an environment file or a credentials file"),
    ("hardlink", "notes.txt", "hard links"),
    ("key", "log.txt", "it contains the API key"),
    ("key-base64", "log.txt", "it contains the API key"),
    ("key-json", "log.json", "it contains the API key"),
    ("key-split", "conf.py", "it contains the API key"),
]


def _setup(cli: Cli, planted: str) -> None:
    work = cli.home / "work"
    if planted == "link-target":
        _plant(cli.home, "outside.txt")
        if not (work / "up").exists():
            os.symlink(cli.home, work / "up")
    elif planted == "hardlink":
        _plant(work, ".env.hidden-copy")
        os.link(work / ".env.hidden-copy", work / "notes.txt")
    elif planted.startswith("key"):
        spelling = {
            "key": "as it is",
            "key-base64": "base64 after one byte",
            "key-json": "JSON \\u escapes",
            "key-split": "split into two quoted strings",
        }[planted]
        name = {"key-json": "log.json", "key-split": "conf.py"}.get(planted, "log.txt")
        _plant(work, name, KEY_SPELLINGS[spelling](TEST_KEY))
    else:
        _plant(work, planted)


@pytest.mark.parametrize(("planted", "named", "reason"), CASES)
def test_the_file_tools_and_batch_attachments_refuse_alike(
    hostile: Cli, planted: str, named: str, reason: str
) -> None:
    _setup(hostile, planted)
    path = named.format(home=hostile.home)
    said_to_model = _tool_read(hostile, path)
    told_user = _batch_read(hostile, path)
    assert reason in said_to_model
    assert reason in told_user
    assert TEST_KEY not in said_to_model + told_user


def test_batch_attachments_are_confined_to_the_input_folder(cli: Cli) -> None:
    job = cli.home / "work" / "job"
    job.mkdir()
    _plant(cli.home / "work", "shared.txt", "shared notes")
    said = _batch_read(cli, "../shared.txt", folder=job)
    assert f"is outside the input file's folder {job}" in said
    assert "--attach-root DIR widens it" in said


def test_attach_root_widens_the_folder_to_a_named_directory(cli: Cli) -> None:
    job = cli.home / "work" / "job"
    job.mkdir()
    _plant(cli.home / "work", "shared.txt", "shared notes")
    source = job / "in.jsonl"
    source.write_text(json.dumps({"id": "1", "prompt": "d", "attachments": ["../shared.txt"]}))
    result = cli("batch", str(source), "--attach-root", str(cli.home / "work"))
    assert result.exit_code == 0, result.stderr
    content = cli.server.chat_requests[0].body["messages"][-1]["content"]
    assert "shared notes" in json.dumps(content)
    _plant(cli.home, "x.txt")
    said = _batch_read(cli, "../../x.txt", "--attach-root", str(cli.home / "work"), folder=job)
    assert f"is outside --attach-root {cli.home / 'work'}" in said


def test_the_attach_root_still_refuses_qwenchats_own_files(cli: Cli) -> None:
    config = cli.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('api_key = "sk-fake-config-key-0000"\n', encoding="utf-8")
    said = _batch_read(cli, str(config), "--attach-root", str(cli.home))
    assert "qwenchat's own configuration or data" in said
    assert "sk-fake-config-key-0000" not in said
    outside = _batch_read(cli, str(config))
    assert "is outside the input file's folder" in outside


@pytest.mark.parametrize("path", ["/etc/passwd", "../../../../etc/hostname", "/no/such/file"])
def test_batch_attachments_outside_are_refused_before_anything_is_sent(cli: Cli, path: str) -> None:
    said = _batch_read(cli, path)
    assert "is outside" in said  # whether it exists out there is not told
    assert "no such file" not in said


def test_a_tilde_is_not_the_home_directory(cli: Cli) -> None:
    _plant(cli.home, ".ssh/id_ed25519")
    said = _batch_read(cli, "~/.ssh/id_ed25519")  # a folder named ~ inside the input's folder
    assert "no such file or directory: '~/.ssh/id_ed25519'" in said


def test_the_file_tools_do_not_tell_whether_a_file_outside_exists(hostile: Cli) -> None:
    _plant(hostile.home, "exists.txt")
    there = _tool_read(hostile, "../exists.txt")
    missing = _tool_read(hostile, "../missing.txt")
    assert "is outside the working directory" in there
    assert there.replace("exists", "X") == missing.replace("missing", "X")


def test_a_remote_batch_refuses_the_same_and_uploads_nothing(cli: Cli) -> None:
    service = FakeBatches(cli.server)
    _plant(cli.home / "work", ".env", f"DASHSCOPE_API_KEY={TEST_KEY}\n")
    said = _batch_read(cli, ".env", "--remote", "--poll", "0.01")
    assert "an environment file or a credentials file" in said
    assert service.uploads() == []


def test_a_missing_attach_root_is_one_line(cli: Cli) -> None:
    source = cli.home / "work" / "in.jsonl"
    source.write_text(json.dumps({"id": "1", "prompt": "d", "attachments": ["a.txt"]}) + "\n")
    result = cli("batch", str(source), "--attach-root", str(cli.home / "nowhere"))
    assert_clean_failure(result, 2)
    assert "is not a directory" in result.stderr
