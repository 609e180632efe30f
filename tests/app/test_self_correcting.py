"""The catalogue that corrects itself: one line, the field fixed, one resend, the fact kept.

Refusals come from the test server (a DashScope host through it as a proxy where the host
matters); the bodies of the first and the corrected request are asserted there.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from qwenchat.core.corrections import MEANINGS, apply_fact, diagnose
from tests.conftest import Cli, assert_clean_failure
from tests.dashscope_host import via_proxy
from tests.fakeserver import Error, Reply

NO_SWITCH = "The model qwen3.9-plus does not support enable_thinking."
NO_SWITCH_CODE = "InvalidParameter.NotSupportEnableThinking"


def _bodies(cli: Cli) -> list[dict[str, Any]]:
    return [r.body for r in cli.server.chat_requests]


def test_a_refused_switch_is_fixed_resent_once_and_remembered(cli: Cli) -> None:
    env = via_proxy(cli)
    cli.server.enqueue(Error(400, NO_SWITCH, code=NO_SWITCH_CODE), Reply(answer="ok"))
    result = cli("ask", "-m", "qwen3.9-plus", "--no-think", "hi", env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "ok\n"
    first, second = _bodies(cli)
    assert first["enable_thinking"] is False
    assert "enable_thinking" not in second
    told = [line for line in result.stderr.splitlines() if "refused" in line]
    assert told == [
        "qwenchat: the server refused the thinking switch for qwen3.9-plus (The model "
        "qwen3.9-plus does not support enable_thinking.); sending once more with it fixed, "
        "and remembering that for this model at this endpoint"
    ]
    cli.server.reset()
    cli.server.enqueue(Reply(answer="again"))
    again = cli("ask", "-m", "qwen3.9-plus", "--no-think", "hi", env=env)
    assert again.exit_code == 0, again.stderr
    assert [("enable_thinking" in body) for body in _bodies(cli)] == [False]
    assert "refused" not in again.stderr


def test_models_shows_learned_facts_and_forget_drops_them(cli: Cli) -> None:
    env = via_proxy(cli)
    cli.server.enqueue(Error(400, NO_SWITCH, code=NO_SWITCH_CODE), Reply(answer="ok"))
    assert cli("ask", "-m", "qwen3.9-plus", "--no-think", "hi", env=env).exit_code == 0
    table = cli("models", env=env)
    assert "learned from this server's refusals" in table.stdout
    assert "qwen3.9-plus: takes no thinking switch (none is sent)" in table.stdout
    assert "does not support enable_thinking" in table.stdout
    rows = {row["name"]: row for row in json.loads(cli("models", "--json", env=env).stdout)}
    cli.server.models = ["qwen3.9-plus"]
    rows = {row["name"]: row for row in json.loads(cli("models", "--json", env=env).stdout)}
    assert [f["fact"] for f in rows["qwen3.9-plus"]["learned"]] == ["no-thinking-switch"]
    forgot = cli("models", "--forget", "qwen3.9-plus", env=env)
    assert forgot.exit_code == 0, forgot.stderr
    assert forgot.stdout == "forgot 1 learned fact about qwen3.9-plus\n"
    cli.server.reset()
    cli.server.enqueue(Reply(answer="ok"))
    assert cli("ask", "-m", "qwen3.9-plus", "--no-think", "hi", env=env).exit_code == 0
    assert _bodies(cli)[0]["enable_thinking"] is False  # forgotten: the catalogue's view again


def test_never_resent_twice_for_one_reason_and_nothing_learned(cli: Cli) -> None:
    env = via_proxy(cli)
    cli.server.enqueue(
        Error(400, NO_SWITCH, code=NO_SWITCH_CODE), Error(400, NO_SWITCH, code=NO_SWITCH_CODE)
    )
    result = cli("ask", "-m", "qwen3.9-plus", "--no-think", "--thinking-budget", "0", "hi",
                 env=env)  # fmt: skip
    assert_clean_failure(result, 2)  # a budget of 0 is refused before anything is sent
    result = cli("ask", "-m", "qwen3.9-plus", "--no-think", "hi", env=env)
    assert_clean_failure(result, 1)
    assert len(cli.server.chat_requests) == 2
    assert result.stderr.count("refused the thinking switch") == 1
    assert "learned from" not in cli("models", env=env).stdout


@pytest.mark.parametrize(
    ("flags", "message", "sent", "fixed"),
    [
        (["--max-tokens", "9"], "Unrecognized request argument supplied: max_completion_tokens",
         {"max_completion_tokens": 9}, {"max_tokens": 9}),
        (["--json-mode"], "Json mode response is not supported when enable_thinking is true",
         {"response_format": {"type": "json_object"}}, {"enable_thinking": False}),
        (["--seed", "5"], "<400> InternalError.Algo.InvalidParameter: seed is out of range",
         {"seed": 5}, {}),
    ],
)  # fmt: skip
def test_each_field_qwenchat_chose_is_corrected(
    cli: Cli, flags: list[str], message: str, sent: dict[str, Any], fixed: dict[str, Any]
) -> None:
    cli.server.enqueue(Error(400, message, code="InvalidParameter"), Reply(answer="{}"))
    result = cli("ask", "-m", "qwen-plus", *flags, "give json", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    first, second = _bodies(cli)
    assert first.items() >= sent.items()
    assert second.items() >= fixed.items()
    for name in set(sent) - set(fixed) - {"response_format"}:
        assert name not in second
    assert result.stderr.count("sending once more") == 1


def test_n_out_of_range_is_dropped(cli: Cli) -> None:
    cli.server.enqueue(Error(400, "Range of n should be [1, 1]", code="InvalidParameter"),
                       Reply(answer="one"))  # fmt: skip
    result = cli("ask", "-m", "qwen-plus", "-n", "2", "hi", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    first, second = _bodies(cli)
    assert first["n"] == 2
    assert "n" not in second


def test_thinking_off_on_a_model_that_only_thinks_is_dropped(cli: Cli) -> None:
    message = "The value of the enable_thinking parameter is restricted to True."
    cli.server.enqueue(Error(400, message, code="InvalidParameter"), Reply(reasoning="r",
                                                                          answer="a"))  # fmt: skip
    result = cli("ask", "-m", "qwen3.9-max", "--no-think", "hi", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    first, second = _bodies(cli)
    assert first["enable_thinking"] is False
    assert "enable_thinking" not in second


def test_a_non_streamed_thinking_call_turns_thinking_off(cli: Cli) -> None:
    message = "The thinking mode only supports stream output; set stream to true."
    cli.server.enqueue(Error(400, message, code="InvalidParameter"), Reply(answer="a"))
    result = cli("ask", "-m", "qwen3.9-plus", "--no-stream", "hi", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    first, second = _bodies(cli)
    assert first["stream"] is False
    assert "enable_thinking" not in first
    assert second["stream"] is False
    assert second["enable_thinking"] is False


def test_the_servers_words_pass_the_output_seam(cli: Cli) -> None:
    hostile = "\x1b]0;pwned\x07\x1b[31mdoes not support enable_thinking\x1b[0m"
    cli.server.enqueue(Error(400, hostile, code=NO_SWITCH_CODE), Reply(answer="ok"))
    result = cli("ask", "-m", "qwen3.9-plus", "--no-think", "hi", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr
    table = cli("models", env=via_proxy(cli))
    assert "\x1b" not in table.stdout


def test_a_refusal_qwenchat_did_not_cause_is_not_corrected(cli: Cli) -> None:
    cli.server.enqueue(Error(400, "Range of input length should be [1, 30720]",
                             code="InvalidParameter"))  # fmt: skip
    result = cli("ask", "-m", "qwen-plus", "hi", env=via_proxy(cli))
    assert_clean_failure(result, 1)
    assert len(cli.server.chat_requests) == 1
    assert "sending once more" not in result.stderr


BODIES: list[dict[str, Any]] = [
    {"model": "m", "stream": False, "enable_thinking": True, "thinking_budget": 5,
     "max_completion_tokens": 3, "n": 2, "seed": 1, "response_format": {"type": "json_object"}},
    {"model": "m", "stream": True, "chat_template_kwargs": {"enable_thinking": False},
     "reasoning_effort": "none", "max_tokens": 3},
    {"model": "m", "stream": False},
]  # fmt: skip


@pytest.mark.parametrize("fact", sorted(MEANINGS))
@pytest.mark.parametrize("body", BODIES)
def test_a_learned_fact_never_asks_for_more(fact: str, body: dict[str, Any]) -> None:
    out = apply_fact(fact, body)
    renamed = {"max_tokens", "max_completion_tokens"} if fact.startswith("cap:") else set()
    assert set(out) <= set(body) | {"enable_thinking"} | renamed
    assert out.get("enable_thinking") in (None, False) or body.get("enable_thinking") is True
    if "enable_thinking" in out and "enable_thinking" not in body:
        assert out["enable_thinking"] is False
    for name in ("n", "seed", "thinking_budget"):
        assert name not in out or out[name] == body[name]


def test_diagnose_needs_the_field_to_be_in_the_body() -> None:
    assert diagnose(400, "seed is out of range", {"model": "m"}) is None
    assert diagnose(500, NO_SWITCH, {"model": "m", "enable_thinking": False}) is None
    fix = diagnose(400, NO_SWITCH.lower(), {"model": "m", "enable_thinking": False})
    assert fix is not None
    assert fix.fact == "no-thinking-switch"
