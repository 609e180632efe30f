"""The chat shows what it costs: each turn's usage line, `/usage` per model, the toolbar total."""

from __future__ import annotations

from qwenchat.core.conversation import Turn
from qwenchat.core.cost import Pricing
from qwenchat.core.events import Usage
from qwenchat.core.prices import DEFAULT_PRICES
from qwenchat.core.spend import total, usage_report
from tests.conftest import Cli
from tests.fakeserver import Reply
from tests.tty import ENTER, Tty

PROMPT = "›"


def test_the_chat_shows_each_turns_cost_and_the_total(cli: Cli) -> None:
    config = cli.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[models."qwen-plus".price]\ncurrency = "CNY"\ninput = 0.8\noutput = 2\n')
    usage = {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100}
    cli.server.enqueue(Reply(answer="first", usage=usage), Reply(answer="second", usage=usage))
    env = cli.env(TERM="xterm-256color", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="120", LINES="30")
    session = Tty(env=env)
    try:
        session.wait_for(PROMPT)
        for text in ("one", "two"):
            before = session.text().count(PROMPT)
            session.send(text + ENTER)
            session.wait_for(PROMPT, after=before)
        assert session.text().count("s total · ¥0.0010") == 2  # the usage line of each turn
        session.send("/usage" + ENTER)
        session.wait_for("qwen-plus: 2 turns · 2,000 input tokens · 200 output tokens · ¥0.0020")
    finally:
        session.close()


def test_the_toolbar_total_and_usage_per_model() -> None:
    pricing = Pricing(DEFAULT_PRICES, "intl", dashscope=True)
    turns = (
        Turn("a", "b", model="qwen-turbo", usage=Usage(1_000_000, 0)),
        Turn("a", "b", model="qwen-max", usage=Usage(0, 1_000_000)),
        Turn("a", "b", model="house-model", usage=Usage(5, 5)),
    )
    turbo, qmax = DEFAULT_PRICES.find("qwen-turbo", "intl"), DEFAULT_PRICES.find("qwen-max", "intl")
    assert turbo is not None
    assert qmax is not None
    expected = turbo.tiers[0].input + qmax.tiers[0].output
    assert total(turns, pricing, "qwen-plus").money() == f"${expected:.2f} (+1 of unknown cost)"
    report = usage_report(turns, pricing, "qwen-plus").splitlines()
    assert report[2] == "house-model: 1 turn · 5 input tokens · 5 output tokens · cost unknown"
    assert report[-1].startswith("total: 3 turns · 1,000,005 input tokens")
    assert total(turns, None, "qwen-plus").money() == ""  # a local server: nothing said
