"""Today's line-up, family defaults for names no page lists yet, and regions read from the host.

Request bodies are asserted at the test server; DashScope hosts go through it as a proxy
(tests/dashscope_host.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.catalogue import DEFAULT_CATALOGUE
from qwenchat.core.endpoints import endpoint_of
from tests.conftest import Cli
from tests.dashscope_host import (
    BEIJING,
    CODING,
    HONG_KONG,
    SINGAPORE,
    TOKEN_PLAN,
    VIRGINIA,
    WORKSPACE_SG,
    via_proxy,
)
from tests.fakeserver import Reply
from tests.images import png


@pytest.mark.parametrize(
    "model", ["qwen3.6-plus", "qwen3.5-flash-2026-02-23", "qwen3.7-max", "qwen3.9-plus"]
)
def test_qwen35_and_later_think_by_default_and_may_think_unstreamed(cli: Cli, model: str) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="a"), Reply(answer="b"))
    first = cli("ask", "-m", model, "hi", env=via_proxy(cli))
    second = cli("ask", "-m", model, "--no-stream", "hi", env=via_proxy(cli))
    assert first.exit_code == 0, first.stderr
    assert second.exit_code == 0, second.stderr
    streamed, unstreamed = (r.body for r in cli.server.chat_requests)
    assert streamed["stream"] is True
    assert "enable_thinking" not in streamed
    assert unstreamed["stream"] is False
    assert "enable_thinking" not in unstreamed


def test_no_think_turns_a_default_thinker_off(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="a"))
    result = cli("ask", "-m", "qwen3.9-flash", "--no-think", "hi", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert body["enable_thinking"] is False
    assert "chat_template_kwargs" not in body  # DashScope reads the top-level switch


def test_the_thinking_snapshot_of_qwen3_max_takes_think(cli: Cli) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="a"))
    result = cli("ask", "-m", "qwen3-max-2026-01-23", "--think", "hi", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    assert "has no thinking mode" not in result.stderr
    assert cli.server.chat_requests[0].body["enable_thinking"] is True


def test_qwen3_omni_flash_takes_images_and_does_not_think_unasked(cli: Cli) -> None:
    (cli.home / "work" / "p.png").write_bytes(png())
    cli.server.enqueue(Reply(answer="a cat"))
    result = cli("ask", "-m", "qwen3-omni-flash", "-a", "p.png", "what", env=via_proxy(cli))
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert body["messages"][0]["content"][0]["type"] == "image_url"
    info = DEFAULT_CATALOGUE.lookup("qwen3-omni-flash")
    assert (info.thinking, info.thinking_default, info.context_window) == ("hybrid", False, 65536)


@pytest.mark.parametrize(
    ("model", "window"),
    [("qwen-max-latest", 131072), ("qwen-vl-ocr", 34096), ("deepseek-r1-distill-qwen-7b", 32768)],
)
def test_fixed_windows(model: str, window: int) -> None:
    assert DEFAULT_CATALOGUE.lookup(model).context_window == window


def test_models_and_debug_say_family_defaults(cli: Cli) -> None:
    cli.server.models = ["qwen3.9-plus", "qwen3.6-plus"]
    table = cli("models", env=via_proxy(cli))
    assert table.exit_code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert any(line.startswith("qwen3.9-plus (family defaults)") for line in lines)
    assert not any(line.startswith("qwen3.6-plus (family") for line in lines)
    cli.server.enqueue(Reply(answer="ok"))
    debug = cli("--debug", "ask", "-m", "qwen3.9-plus", "hi", env=via_proxy(cli))
    assert debug.exit_code == 0, debug.stderr
    assert "model qwen3.9-plus: entry qwen3.[5-9]-* (family defaults): hybrid" in debug.stderr


def _cost(cli: Cli, url: str, model: str = "qwen3.7-plus", **env: str) -> dict[str, object]:
    cli.server.enqueue(Reply(answer="ok", usage={"prompt_tokens": 1000, "completion_tokens": 10,
                                                 "total_tokens": 1010}))  # fmt: skip
    result = cli("ask", "--json", "-m", model, "hi", env=via_proxy(cli, url, **env))
    assert result.exit_code == 0, result.stderr
    cost = json.loads(result.stdout)["cost"]
    assert isinstance(cost, dict)
    return cost


def test_a_singapore_url_is_priced_in_usd_without_region(cli: Cli) -> None:
    cost = _cost(cli, SINGAPORE)
    assert cost["currency"] == "USD"
    assert cost["amount"] == pytest.approx((1000 * 0.4 + 10 * 1.6) / 1e6)


def test_the_host_wins_over_a_region_given_beside_it(cli: Cli) -> None:
    cost = _cost(cli, SINGAPORE, "qwen-plus", QWENCHAT_REGION="cn")
    assert cost["currency"] == "USD"


@pytest.mark.parametrize("url", [VIRGINIA, HONG_KONG])
def test_other_regions_are_never_priced_at_beijings_prices(cli: Cli, url: str) -> None:
    cost = _cost(cli, url, "qwen-plus")
    assert cost["amount"] is None
    assert cost["currency"] != "CNY"


@pytest.mark.parametrize("url", [CODING, TOKEN_PLAN])
def test_plan_hosts_say_included_in_your_plan(cli: Cli, url: str) -> None:
    cost = _cost(cli, url, "qwen3.5-plus")
    assert cost["included"] is True
    assert cost["amount"] is None


def test_a_workspace_domain_is_dashscope_in_its_region(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="ok"))
    result = cli("ask", "--max-tokens", "5", "--no-think", "hi", env=via_proxy(cli, WORKSPACE_SG))
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert body["max_completion_tokens"] == 5
    assert body["enable_thinking"] is False
    assert "chat_template_kwargs" not in body
    assert endpoint_of(WORKSPACE_SG).region == "intl"


@pytest.mark.parametrize(
    ("url", "region", "plan"),
    [(BEIJING, "cn", "pay-as-you-go"), (SINGAPORE, "intl", "pay-as-you-go"),
     (VIRGINIA, "us", "pay-as-you-go"), (HONG_KONG, "hk", "pay-as-you-go"),
     (CODING, "intl", "coding"), (TOKEN_PLAN, "intl", "token"),
     ("https://ws1.eu-central-1.maas.aliyuncs.com/compatible-mode/v1", "eu", "pay-as-you-go"),
     ("https://trial.ap-northeast-1.maas.aliyuncs.com/compatible-mode/v1", "jp",
      "pay-as-you-go"),
     ("http://127.0.0.1:8000/v1", None, None)],
)  # fmt: skip
def test_every_documented_host(url: str, region: str | None, plan: str | None) -> None:
    host = endpoint_of(url)
    assert (host.region, host.plan, host.dashscope) == (region, plan, plan is not None)


def test_region_us_selects_virginia(tmp_path: Path) -> None:
    settings = load_settings({"region": "us"}, {"HOME": str(tmp_path)}, tmp_path)
    assert settings.base_url == "https://dashscope-us.aliyuncs.com/compatible-mode/v1"
    assert settings.catalogue.cap_field == "max_completion_tokens"


def test_config_and_doctor_say_region_plan_and_why(cli: Cli) -> None:
    config = cli("config", env=via_proxy(cli, SINGAPORE))
    assert config.exit_code == 0, config.stderr
    assert "base URL host (dashscope-intl.aliyuncs.com)" in config.stdout
    assert "DashScope Singapore, USD, pay-as-you-go" in config.stdout
    plan = cli("config", env=via_proxy(cli, CODING))
    assert "usage included in your plan: coding-intl.dashscope.aliyuncs.com is the Coding Plan" in (
        plan.stdout
    )
    cli.server.enqueue(Reply(answer="pong"))
    doctor = cli("doctor", env=via_proxy(cli, VIRGINIA))
    assert "DashScope US (Virginia), USD, pay-as-you-go" in doctor.stdout


def test_ollamas_port_gets_reasoning_effort(tmp_path: Path) -> None:
    environ = {"HOME": str(tmp_path), "QWENCHAT_BASE_URL": "http://127.0.0.1:11434/v1"}
    settings = load_settings({}, environ, tmp_path)
    assert settings.catalogue.thinking_param == "reasoning_effort"
    assert settings.catalogue.cap_field == "max_tokens"


@pytest.mark.parametrize(("flag", "effort"), [("--no-think", "none"), ("--think", "high")])
def test_reasoning_effort_switches_thinking_for_ollama(cli: Cli, flag: str, effort: str) -> None:
    cli.server.enqueue(Reply(reasoning="r", answer="a"))
    env = cli.env(QWENCHAT_THINKING_PARAM="reasoning_effort")
    result = cli("ask", "-m", "qwen3:8b", flag, "hi", env=env)
    assert result.exit_code == 0, result.stderr
    body = cli.server.chat_requests[0].body
    assert body["reasoning_effort"] == effort
    assert "enable_thinking" not in body
    assert "chat_template_kwargs" not in body


def _ollama_version(method: str, path: str, raw: bytes, headers: dict[str, str]) -> Any:
    if method == "GET" and path == "/api/version":
        return 200, "application/json", b'{"version": "0.99.1\\u001b[31m"}'
    return None


def test_doctor_tells_ollama_by_its_api_version(cli: Cli) -> None:
    cli.server.api_key = None  # Ollama takes no key; its /api/version is asked without one
    cli.server.routes.append(_ollama_version)
    cli.server.enqueue(Reply(answer="pong"))
    result = cli("doctor")
    assert (
        "Ollama 0.99.1: its /v1 honours only reasoning_effort (qwenchat sends both); "
        'set thinking_param = "reasoning_effort"'
    ) in result.stdout
    assert "\x1b" not in result.stdout


def test_doctor_says_nothing_of_thinking_for_other_servers(cli: Cli) -> None:
    cli.server.enqueue(Reply(answer="pong"))
    result = cli("doctor")
    assert "thinking" not in result.stdout
