"""The turn engine driven directly by a scripted event source: what it sends, what it shows,
what it keeps, with no server in between (the app lane runs the same engine over HTTP)."""

from __future__ import annotations

from pathlib import Path

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.conversation import Conversation, Turn
from qwenchat.core.events import AnswerDelta
from qwenchat.core.request import RequestOptions
from qwenchat.core.settings import Settings
from qwenchat.engine.turn import Question
from qwenchat.engine.turn_engine import Means, conduct
from tests.scripted import Recorder, RecordingFront, ScriptedSource, reply


def settings(home: Path, config: str = "") -> Settings:
    (home / "cfg" / "qwenchat").mkdir(parents=True, exist_ok=True)
    (home / "cfg" / "qwenchat" / "config.toml").write_text(config)
    environ = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "cfg"), "DASHSCOPE_API_KEY": "k"}
    flags = {"base_url": "http://127.0.0.1:9/v1", "model": "qwen-max"}
    return load_settings(flags, environ, home)


def test_reasoning_and_answer_reach_the_view_and_the_turn(tmp_path: Path) -> None:
    source = ScriptedSource(reply("The answer is 42.", reasoning="Six times seven."))
    view = Recorder()
    question = Question(Conversation(system="Be brief."), "six times seven?", RequestOptions())
    answered = conduct(settings(tmp_path), question, Means(source), RecordingFront(view))
    turn = answered.result.turn
    assert (turn.answer, turn.reasoning, turn.outcome) == (
        "The answer is 42.",
        "Six times seven.",
        "ok",
    )
    assert "".join(view.text) == turn.answer
    assert view.reasoning == ["Six times seven."]
    assert view.calls == ["waiting", "finish ok"]
    (body,) = source.bodies
    assert body["model"] == "qwen-max"
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "six times seven?"},
    ]


def test_a_reply_that_stops_early_is_kept_as_incomplete(tmp_path: Path) -> None:
    source = ScriptedSource([AnswerDelta("Once upon")])  # no finish, no end of stream
    view = Recorder()
    question = Question(Conversation(), "a story", RequestOptions())
    answered = conduct(settings(tmp_path), question, Means(source), RecordingFront(view))
    assert answered.result.turn.answer == "Once upon"
    assert answered.result.turn.outcome != "ok"
    assert view.calls[-1] != "finish ok"


def test_the_history_is_fitted_to_the_model_window_before_sending(tmp_path: Path) -> None:
    config = '[models."qwen-max"]\ncontext_window = 400\n'
    history = Conversation(turns=(Turn(user="a" * 700, answer="b" * 700), Turn("c", "d")))
    source = ScriptedSource(reply("ok"))
    view = Recorder()
    question = Question(history, "q", RequestOptions())
    conduct(settings(tmp_path, config), question, Means(source), RecordingFront(view))
    (body,) = source.bodies
    assert [m["content"] for m in body["messages"]] == ["c", "d", "q"]
    assert any("left out the oldest turn" in notice for notice in view.notices)
