"""Attachments in saved conversations: resent by follow-ups, stored once, shown, exported."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

from tests.conftest import Cli
from tests.images import png


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "data" / "qwenchat" / "conversations.db")


def test_follow_up_resends_the_image_after_the_file_was_deleted(cli: Cli) -> None:
    image = cli.home / "work" / "cat.png"
    image.write_bytes(png())
    first = cli("ask", "-m", "qwen-vl-max", "--session", "pets", "-a", "cat.png", "what?")
    assert first.exit_code == 0, first.stderr
    image.unlink()
    second = cli("ask", "--session", "pets", "and its colour?")
    assert second.exit_code == 0, second.stderr
    messages = cli.server.chat_requests[1].body["messages"]
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    assert messages == [
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": url}},
                {"type": "text", "text": "what?"},
            ],
        },
        {"role": "assistant", "content": "echo: what?"},
        {"role": "user", "content": "and its colour?"},
    ]
    assert cli.server.chat_requests[1].body["model"] == "qwen-vl-max"


def test_the_same_file_is_stored_once(cli: Cli) -> None:
    (cli.home / "work" / "cat.png").write_bytes(png())
    (cli.home / "work" / "copy.png").write_bytes(png())
    for name in ("cat.png", "copy.png"):
        result = cli("ask", "-m", "qwen-vl-max", "-a", name, "what?")
        assert result.exit_code == 0, result.stderr
    with _db(cli.home) as db:
        assert db.execute("SELECT COUNT(*), SUM(size) FROM attachments").fetchone() == (
            1,
            len(png()),
        )
        names = db.execute("SELECT name FROM turn_attachments ORDER BY turn_id").fetchall()
    assert names == [("cat.png",), ("copy.png",)]


def test_show_and_export_name_each_attachment_with_its_size(cli: Cli) -> None:
    work = cli.home / "work"
    (work / "cat.png").write_bytes(png())
    (work / "notes.txt").write_text("hello", encoding="utf-8")
    url = "https://example.com/dog.png"
    args = ("-a", "cat.png", "-a", "notes.txt", "-a", url)
    assert cli("ask", "-m", "qwen-vl-max", "--session", "s", *args, "q").exit_code == 0
    size = len(png())
    shown = cli("sessions", "show", "s").stdout
    assert f"[attached: cat.png · {size} B · 64×48]" in shown
    assert "[attached: notes.txt · 5 B]" in shown
    assert f"[attached: {url}]" in shown
    assert f"[attached: cat.png · {size} B · 64×48]" in cli("sessions", "export", "s").stdout
    plain = json.loads(cli("sessions", "export", "s", "--format", "json").stdout)
    described = plain["turns"][0]["attachments"]
    assert described[0] == {
        "name": "cat.png", "kind": "image", "mime": "image/png", "size": size,
        "sha256": described[0]["sha256"], "width": 64, "height": 48,
    }  # fmt: skip
    assert described[2] == {"name": url, "kind": "url", "url": url}
    full = cli("sessions", "export", "s", "--format", "json", "--with-attachments").stdout
    data = json.loads(full)["turns"][0]["attachments"]
    assert base64.b64decode(data[0]["base64"]) == png()
    assert base64.b64decode(data[1]["base64"]) == b"hello"


def test_deleting_the_conversation_drops_bytes_no_turn_uses(cli: Cli) -> None:
    (cli.home / "work" / "cat.png").write_bytes(png())
    assert cli("ask", "-m", "qwen-vl-max", "--session", "s", "-a", "cat.png", "q").exit_code == 0
    assert cli("sessions", "rm", "s", "--yes").exit_code == 0
    with _db(cli.home) as db:
        assert db.execute("SELECT COUNT(*) FROM attachments").fetchone() == (0,)


def test_a_fork_keeps_the_attachments(tmp_path: Path) -> None:
    from qwenchat.core.attachments import from_bytes
    from qwenchat.core.conversation import Turn
    from qwenchat.store.database import Store, TurnRecord

    image = from_bytes("cat.png", png())
    with Store(tmp_path / "c.db") as store:
        first = store.create(source="chat")
        store.append(first, TurnRecord(Turn("q", "a", attachments=(image,)), "http://x/v1"))
        copy = store.fork(first)
        turns = store.conversation(copy).turns
    assert turns[0].attachments == (image,)
