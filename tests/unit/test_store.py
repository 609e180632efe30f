"""The conversation store on a temporary directory: schema, modes, round trips, management."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qwenchat.core.answer_cache import replay, request_key, thinks
from qwenchat.core.catalogue import Catalogue
from qwenchat.core.conversation import Turn
from qwenchat.core.errors import UsageError
from qwenchat.core.events import Usage
from qwenchat.core.reply import ReplyBuilder
from qwenchat.store.database import (
    SCHEMA_VERSION,
    NotFound,
    Store,
    StoreError,
    TurnRecord,
    public_url,
    title_from,
)


def record(user: str, answer: str = "an answer", **turn: object) -> TurnRecord:
    return TurnRecord(
        turn=Turn(user=user, answer=answer, model="qwen-plus", finish_reason="stop", **turn),  # type: ignore[arg-type]
        base_url="https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
        region="intl",
        system="be brief",
        think=True,
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "data" / "qwenchat" / "conversations.db")


def test_private_modes_wal_and_schema_version(store: Store) -> None:
    conversation = store.create(source="chat")
    store.append(conversation, record("hello"))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    wal = store.path.with_name(store.path.name + "-wal")
    assert wal.exists()
    assert stat.S_IMODE(wal.stat().st_mode) == 0o600
    db = sqlite3.connect(store.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_reopening_keeps_data_and_a_newer_schema_is_refused(store: Store) -> None:
    store.append(store.create(source="ask"), record("kept"))
    store.close()
    again = Store(store.path)
    assert [r.turn.user for r in again.records(1)] == ["kept"]
    again.close()
    db = sqlite3.connect(store.path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer qwenchat"):
        Store(store.path)


def test_an_older_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    sqlite3.connect(path).close()  # version 0: an empty database
    with Store(path) as migrated:
        assert migrated.summaries() == []
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_everything_about_a_turn_round_trips_and_no_secret_is_stored(store: Store) -> None:
    usage = Usage(prompt_tokens=12, completion_tokens=30, reasoning_tokens=20, total_tokens=42)
    turn = Turn("q", "a", "r", "qwq-plus", "length", usage, "interrupted")
    conversation = store.create(source="chat")
    url = "https://user:secret@example.com:8443/v1?key=sk-hidden#frag"
    store.append(conversation, TurnRecord(turn=turn, base_url=url, system="s", think=False))
    (back,) = store.records(conversation)
    assert back.turn == turn
    assert (back.system, back.think, back.base_url) == ("s", False, "https://example.com:8443/v1")
    assert b"secret" not in store.path.read_bytes()
    assert b"sk-hidden" not in store.path.read_bytes()


def test_titles_come_from_the_first_user_message(store: Store) -> None:
    conversation = store.create(source="chat")
    store.append(conversation, record("\n  What is   the capital\nof Zhejiang?"))
    store.append(conversation, record("And of Jiangsu?"))
    assert store.resolve(str(conversation)).title == "What is the capital"
    assert title_from("x" * 100).endswith("…")
    assert len(title_from("x" * 100)) == 60


def test_latest_resolve_rename_fork_delete(store: Store) -> None:
    first = store.create(source="ask")
    store.append(first, record("first"))
    second = store.create(source="chat")
    store.append(second, record("second"))
    latest = store.latest()
    assert latest is not None
    assert latest.id == second
    store.rename(first, "work")
    assert store.resolve("work").id == first
    assert store.resolve(f"#{first}").name == "work"
    with pytest.raises(UsageError, match="already a session named"):
        store.rename(second, "work")
    with pytest.raises(UsageError, match="must contain a letter"):
        store.rename(second, "42")
    copy = store.fork(first)
    forked = store.resolve(str(copy))
    assert (forked.parent_id, forked.turns, forked.title) == (first, 1, "first")
    store.delete(first)
    with pytest.raises(NotFound):
        store.resolve("work")
    assert [r.turn.user for r in store.records(copy)] == ["first"]
    assert store.resolve(str(copy)).parent_id is None  # the link goes, the copy stays


def test_deactivated_turns_leave_the_conversation_but_stay_in_the_file(store: Store) -> None:
    conversation = store.create(source="chat")
    rows = [store.append(conversation, record(text)) for text in ("a", "b", "c")]
    store.deactivate(rows[1:2])
    assert [t.user for t in store.conversation(conversation).turns] == ["a", "c"]
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT COUNT(*) FROM turns").fetchone()[0] == 3
    db.close()


def test_cache_lookup_takes_only_complete_answers(store: Store) -> None:
    conversation = store.create(source="ask")
    body = {"model": "qwen-plus", "messages": [{"role": "user", "content": "hi"}]}
    key = request_key(body)
    assert request_key({**body, "stream": True, "stream_options": {}}) == key
    assert request_key({**body, "temperature": 0.5}) != key
    failed = Turn("hi", "par", outcome="interrupted")
    store.append(conversation, TurnRecord(turn=failed, base_url="u", request_key=key))
    assert store.cached(key) is None
    store.append(conversation, TurnRecord(turn=Turn("hi", "full"), base_url="u", request_key=key))
    hit = store.cached(key)
    assert hit is not None
    assert hit.turn.answer == "full"


def test_thinking_requests_are_recognised() -> None:
    lookup = Catalogue().lookup
    assert thinks({"model": "qwq-plus"}, lookup("qwq-plus"))
    assert thinks({"model": "qwen3-32b"}, lookup("qwen3-32b"))
    assert not thinks({"model": "qwen3-32b", "enable_thinking": False}, lookup("qwen3-32b"))
    assert thinks({"model": "qwen-plus", "enable_thinking": True}, lookup("qwen-plus"))
    assert not thinks({"model": "qwen-plus"}, lookup("qwen-plus"))


@settings(max_examples=50, deadline=None)
@given(reasoning=st.text(), answer=st.text(), reason=st.sampled_from(["stop", "length"]))
def test_a_replayed_turn_rebuilds_the_same_reply(reasoning: str, answer: str, reason: str) -> None:
    builder = ReplyBuilder()
    for event in replay(Turn("q", answer, reasoning, finish_reason=reason)):
        builder.feed(event)
    reply = builder.build()
    assert (reply.reasoning, reply.answer, reply.finish_reason) == (reasoning, answer, reason)
    assert reply.complete


def test_public_url_keeps_scheme_host_port_path() -> None:
    assert public_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    assert public_url("https://a:b@h/x?y=1") == "https://h/x"
