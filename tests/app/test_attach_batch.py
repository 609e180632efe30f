"""`attachments` on batch JSONL lines: local and --remote (inlined as data URLs), bad ones."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from qwenchat.batch import remote
from tests.conftest import Cli, assert_clean_failure
from tests.fakebatch import FakeBatches
from tests.images import png

URL = "data:image/png;base64," + base64.b64encode(png()).decode()
CONTENT = [{"type": "image_url", "image_url": {"url": URL}}, {"type": "text", "text": "describe"}]


def write_input(cli: Cli, *objs: object) -> Path:
    folder = cli.home / "work" / "job"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "001.png").write_bytes(png())
    path = folder / "in.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in objs))
    return path


def test_local_batch_sends_the_image_relative_to_the_input(cli: Cli) -> None:
    path = write_input(cli, {"id": "1", "prompt": "describe", "attachments": ["img/001.png"]})
    result = cli("batch", str(path), "-m", "qwen-vl-max")
    assert result.exit_code == 0, result.stderr
    assert cli.server.chat_requests[0].body["messages"] == [{"role": "user", "content": CONTENT}]


def test_remote_batch_inlines_the_image_in_the_upload(cli: Cli) -> None:
    service = FakeBatches(cli.server)
    path = write_input(cli, {"id": "1", "prompt": "describe", "attachments": ["img/001.png"]})
    result = cli("batch", str(path), "--remote", "-m", "qwen-vl-max", "--poll", "0.01")
    assert result.exit_code == 0, result.stderr
    (upload,) = service.uploads()
    line = json.loads(upload.data.decode().splitlines()[0])
    assert line["body"]["messages"] == [{"role": "user", "content": CONTENT}]


def test_remote_batch_over_the_file_limit_says_so(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = FakeBatches(cli.server)
    monkeypatch.setattr(remote, "MAX_BYTES", 400)  # the real limit is 100 MiB
    path = write_input(cli, {"id": "1", "prompt": "describe", "attachments": ["img/001.png"]})
    result = cli("batch", str(path), "--remote", "-m", "qwen-vl-max", "--poll", "0.01")
    assert_clean_failure(result, 2)
    assert "attached images are inlined as data URLs" in result.stderr
    assert service.uploads() == []


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"id": "1", "prompt": "d", "attachments": ["img/missing.png"]}, "no such file"),
        ({"id": "1", "prompt": "d", "attachments": "img/001.png"}, "must be a list"),
        (
            {"id": "1", "messages": [{"role": "user", "content": "d"}], "attachments": ["x"]},
            'go with "prompt"',
        ),
        (
            {"id": "1", "prompt": "d", "model": "qwen-plus", "attachments": ["img/001.png"]},
            "qwen-plus cannot see images",
        ),
    ],
)
def test_bad_attachment_lines_are_reported_and_nothing_is_sent(
    cli: Cli, line: dict[str, object], reason: str
) -> None:
    path = write_input(cli, line)
    result = cli("batch", str(path), "-m", "qwen-vl-max")
    assert_clean_failure(result, 2)
    assert "line 1" in result.stderr
    assert reason in result.stderr
    assert cli.server.requests == []
