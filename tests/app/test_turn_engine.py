"""The turn engine on its own: everything goes to the one view passed in, nothing is printed,
and the model's window comes from the settings' catalogue. Against the loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.conversation import Conversation, Outcome, ToolResult, Turn
from qwenchat.core.events import AnswerDelta, Event
from qwenchat.core.reply import Reply as BuiltReply
from qwenchat.core.reply import Timing, ToolCall
from qwenchat.core.request import RequestOptions
from qwenchat.core.settings import Settings
from qwenchat.engine.turn import Question
from qwenchat.engine.turn_engine import Means, conduct
from qwenchat.net.client import ChatClient
from qwenchat.render.choose import TurnDisplay
from tests.conftest import TEST_KEY
from tests.fakeserver import FakeServer, Reply
from tests.scripted import Recorder
from tests.scripted import RecordingFront as Front


def settings_for(server: FakeServer, home: Path, config: str = "") -> Settings:
    (home / "cfg" / "qwenchat").mkdir(parents=True, exist_ok=True)
    (home / "cfg" / "qwenchat" / "config.toml").write_text(config)
    environ = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "cfg"),
        "DASHSCOPE_API_KEY": TEST_KEY,
    }
    return load_settings({"base_url": server.base_url, "model": "qwen-max"}, environ, home)


def long_history() -> Conversation:
    turns = (Turn(user="a" * 700, answer="b" * 700), Turn(user="c", answer="d"))
    return Conversation(turns=turns)


@pytest.mark.parametrize(
    ("config", "kept"), [("", 5), ('[models."qwen-max"]\ncontext_window = 400\n', 3)]
)
def test_answer_goes_to_the_view_alone_and_trims_to_the_catalogue_window(
    server: FakeServer, tmp_path: Path, capfd: pytest.CaptureFixture[str], config: str, kept: int
) -> None:
    settings = settings_for(server, tmp_path, config)
    server.enqueue(Reply(answer="the answer"))
    view = Recorder()
    client = ChatClient(settings)
    try:
        question = Question(long_history(), "q", RequestOptions())
        answered = conduct(settings, question, Means(client), Front(view))
    finally:
        client.close()
    assert answered.result.turn.answer == "the answer"
    assert (answered.request_key, answered.cached) == (None, False)
    assert view.calls == ["waiting", "finish ok"]
    assert "".join(view.text) == "the answer"
    assert len(server.chat_requests[0].body["messages"]) == kept
    assert any("left out the oldest turn" in n for n in view.notices) is (kept == 3)
    assert capfd.readouterr() == ("", "")  # the engine itself writes nothing


class Round:
    """A renderer that says which round it is."""

    made = 0

    def __init__(self, log: list[str]) -> None:
        Round.made += 1
        self.number, self.log = Round.made, log

    def notice(self, text: str) -> None:
        self.log.append(f"{self.number} notice {text}")

    def waiting(self) -> None:
        self.log.append(f"{self.number} waiting")

    def event(self, event: Event) -> None:
        self.log.append(f"{self.number} event")

    def finish(self, reply: BuiltReply, timing: Timing, outcome: Outcome) -> None:
        self.log.append(f"{self.number} finish")


class Panels:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def call(self, call: ToolCall) -> None:
        self.log.append(f"call {call.name}")

    def result(self, call: ToolCall, result: ToolResult) -> None:
        self.log.append(f"result {result.status}")


def test_turn_display_makes_one_renderer_per_round() -> None:
    log: list[str] = []
    Round.made = 0
    display = TurnDisplay(lambda: Round(log), Panels(log))
    reply, timing = BuiltReply(answer="x"), Timing(first_token=None, total=0.0)
    display.notice("before")
    display.waiting()
    display.event(AnswerDelta("x"))
    display.finish(reply, timing, "ok")
    call = ToolCall(id="1", name="tool", arguments="{}")
    display.tool_call(call)
    display.tool_result(call, ToolResult("1", "out", "ok"))
    display.waiting()
    display.finish(reply, timing, "ok")
    assert log == [
        "1 notice before", "1 waiting", "1 event", "1 finish",
        "call tool", "result ok",
        "2 waiting", "2 finish",
    ]  # fmt: skip
