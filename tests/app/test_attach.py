"""`ask -a`: images and text files in the request body, exactly; bad input refused, nothing sent."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from tests.conftest import Cli, assert_clean_failure, write_config
from tests.fakeserver import Reply
from tests.images import bmp, gif, png


def data_url(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def image_part(url: str) -> dict[str, object]:
    return {"type": "image_url", "image_url": {"url": url}}


def test_image_goes_as_a_data_url_before_the_text(cli: Cli) -> None:
    (cli.home / "work" / "cat.png").write_bytes(png())
    result = cli("ask", "-m", "qwen-vl-max", "-a", "cat.png", "what is this?")
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                image_part(data_url("image/png", png())),
                {"type": "text", "text": "what is this?"},
            ],
        }
    ]


def test_several_images_keep_their_order_and_types_by_bytes(cli: Cli) -> None:
    work = cli.home / "work"
    (work / "shot.jpg").write_bytes(png(30, 30))  # a PNG named .jpg is a PNG
    (work / "b.gif").write_bytes(gif())
    (work / "c.bmp").write_bytes(bmp())
    result = cli("ask", "-m", "qwen3-vl-plus", "-a", "shot.jpg", "-a", "b.gif", "-a", "c.bmp", "q")
    assert result.exit_code == 0, result.stderr
    content = cli.server.chat_requests[0].body["messages"][0]["content"]
    assert content == [
        image_part(data_url("image/png", png(30, 30))),
        image_part(data_url("image/gif", gif())),
        image_part(data_url("image/bmp", bmp())),
        {"type": "text", "text": "q"},
    ]


def test_image_from_stdin(cli: Cli) -> None:
    result = cli("ask", "-m", "qwen-vl-max", "-a", "-", "what is wrong here?", input=png())
    assert result.exit_code == 0, result.stderr
    content = cli.server.chat_requests[0].body["messages"][0]["content"]
    assert content[0] == image_part(data_url("image/png", png()))
    assert content[1] == {"type": "text", "text": "what is wrong here?"}


def test_image_url_is_passed_as_it_is(cli: Cli) -> None:
    url = "https://example.com/img/cat%20one.png?x=1"
    result = cli("ask", "-m", "qwen-vl-plus", "-a", url, "describe")
    assert result.exit_code == 0, result.stderr
    content = cli.server.chat_requests[0].body["messages"][0]["content"]
    assert content == [image_part(url), {"type": "text", "text": "describe"}]
    assert len(cli.server.requests) == 1  # the URL was never fetched (and not by the server)


def test_text_file_is_a_fenced_block_after_the_prompt_for_any_model(cli: Cli) -> None:
    (cli.home / "work" / "notes.md").write_text("# Notes\nuse ```code```\n", encoding="utf-8")
    result = cli("ask", "-m", "qwen-plus", "-a", "notes.md", "summarise")
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    expected = "summarise\n\nnotes.md:\n````\n# Notes\nuse ```code```\n````"
    assert body["messages"] == [{"role": "user", "content": expected}]


def test_text_and_image_together(cli: Cli) -> None:
    work = cli.home / "work"
    (work / "a.png").write_bytes(png())
    (work / "log.txt").write_text("error 42", encoding="utf-8")
    result = cli("ask", "-m", "qwen-vl-max", "-a", "a.png", "-a", "log.txt", "why?")
    assert result.exit_code == 0, result.stderr
    content = cli.server.chat_requests[0].body["messages"][0]["content"]
    text = {"type": "text", "text": "why?\n\nlog.txt:\n```\nerror 42\n```"}
    assert content == [image_part(data_url("image/png", png())), text]


def test_image_for_a_text_only_model_is_refused_naming_vision_models(cli: Cli) -> None:
    (cli.home / "work" / "cat.png").write_bytes(png())
    result = cli("ask", "-m", "qwen-plus", "-a", "cat.png", "what is this?")
    assert_clean_failure(result, 2)
    assert "qwen-plus cannot see images" in result.stderr
    assert "qwen-vl-max" in result.stderr
    assert cli.server.requests == []


def test_profile_with_a_text_only_model_refuses_the_image(cli: Cli) -> None:
    write_config(cli.home, '[profiles.writer]\nmodel = "qwen-max"\n')
    (cli.home / "work" / "cat.png").write_bytes(png())
    result = cli("ask", "--profile", "writer", "-a", "cat.png", "what is this?")
    assert_clean_failure(result, 2)
    assert "qwen-max cannot see images" in result.stderr
    assert cli.server.requests == []


def _fifo(work: Path) -> str:
    os.mkfifo(work / "pipe")
    return "pipe"


def _non_utf8(work: Path) -> str:
    name = os.fsdecode(b"caf\xe9.png")  # a surrogate escape, as the command line gives it
    with open(os.path.join(os.fsencode(work), b"caf\xe9.png"), "wb") as file:
        file.write(png())
    return name


def _write(work: Path, name: str, data: bytes) -> str:
    (work / name).write_bytes(data)
    return name


BAD = {
    "truncated": (lambda w: _write(w, "t.png", png()[:-20]), "truncated"),
    "truncated jpeg header": (
        lambda w: _write(w, "t.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF"),
        "not a complete JPEG image",
    ),
    "empty": (lambda w: _write(w, "e.png", b""), "is empty (0 bytes)"),
    "directory": (lambda w: (w / "d").mkdir() or "d", "is a directory"),
    "fifo": (_fifo, "not a regular file"),
    "missing": (lambda w: "nope.png", "nope.png: no such file"),
    "binary": (lambda w: _write(w, "x.bin", b"\x00\x01\x02"), "binary file"),
    "latin-1 text": (lambda w: _write(w, "l.txt", b"caf\xe9"), "UTF-8"),
    "url with spaces": (lambda w: "https://example.com/a cat.png", "encoded as %20"),
    "file url": (lambda w: "file:///etc/passwd", "file:// URLs are refused"),
    "ftp url": (lambda w: "ftp://example.com/a.png", "not an http(s) URL"),
    "tiny image": (lambda w: _write(w, "s.png", png(4, 4)), "at least 10 px"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_attachments_are_refused_before_anything_is_sent(cli: Cli, case: str) -> None:
    make, reason = BAD[case]
    spec = make(cli.home / "work")
    result = cli("ask", "-m", "qwen-vl-max", "-a", spec, "look")
    assert_clean_failure(result, 2)
    assert reason in result.stderr
    assert cli.server.requests == []


def test_non_utf8_path_is_read_and_named_readably(cli: Cli) -> None:
    spec = _non_utf8(cli.home / "work")
    result = cli("ask", "-m", "qwen-vl-max", "-a", spec, "look")
    assert result.exit_code == 0, result.stderr
    content = cli.server.chat_requests[0].body["messages"][0]["content"]
    assert content[0] == image_part(data_url("image/png", png()))


def test_image_over_the_size_limit_says_the_limit(cli: Cli) -> None:
    big = cli.home / "work" / "big.png"
    with big.open("wb") as file:
        file.write(png())
        file.truncate(11 * 1024 * 1024)
    result = cli("ask", "-m", "qwen-vl-max", "-a", "big.png", "look")
    assert_clean_failure(result, 2)
    assert "at most 10 MB" in result.stderr
    assert cli.server.requests == []


def test_more_images_than_the_window_holds_are_refused(cli: Cli) -> None:
    (cli.home / "work" / "big.png").write_bytes(png(2000, 2000))
    specs = [arg for _ in range(30) for arg in ("-a", "big.png")]
    result = cli("ask", "-m", "qwen-omni-turbo", *specs, "look")
    assert_clean_failure(result, 2)
    assert "30 images need about" in result.stderr
    assert cli.server.requests == []


def test_qvq_streams_and_thinks_with_an_image(cli: Cli) -> None:
    (cli.home / "work" / "cat.png").write_bytes(png())
    cli.server.enqueue(Reply(answer="A cat.", reasoning="Looking at the fur."))
    result = cli("ask", "-m", "qvq-max", "--no-stream", "-a", "cat.png", "what?")
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert body["stream"] is True
    assert "Looking at the fur." in result.stderr
    assert result.stdout == "A cat.\n"
