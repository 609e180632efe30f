"""`qwenchat doctor` against the test server: good key, bad key, wrong region, unreachable."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from qwenchat.cli.settings_files import load_settings
from qwenchat.core.settings import Settings
from qwenchat.net.doctor import Check, diagnose, report
from tests.conftest import TEST_KEY, Cli
from tests.fakeserver import FakeServer

OTHER_KEY = "sk-test-other-region-7c7c"


def statuses(output: str) -> dict[str, str]:
    """check name -> status, from the report's lines."""
    return {line[6:14].strip(): line[:4].strip() for line in output.splitlines()[:-1]}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_good_key_passes_every_check(cli: Cli) -> None:
    result = cli("doctor")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.endswith("all checks passed\n")
    found = statuses(result.stdout)
    assert found == {
        "config": "ok", "api key": "ok", "base url": "ok", "proxy": "info",
        "endpoint": "ok", "request": "ok",
    }  # fmt: skip
    assert "sk-…1a2b (env DASHSCOPE_API_KEY)" in result.stdout
    assert TEST_KEY not in result.stdout + result.stderr
    sent = cli.server.chat_requests[0].body
    assert sent["max_tokens"] == 1
    assert sent["stream"] is False


def test_bad_key_fails_without_showing_it(cli: Cli) -> None:
    wrong = "sk-test-wrong-key-0000"
    result = cli("doctor", env=cli.env(DASHSCOPE_API_KEY=wrong))
    assert result.exit_code == 1
    assert statuses(result.stdout)["request"] == "FAIL"
    assert "authentication failed" in result.stdout
    assert wrong not in result.stdout + result.stderr
    assert "region" not in statuses(result.stdout)  # not a DashScope region URL


def test_unreachable_endpoint(cli: Cli) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    result = cli("doctor", env=cli.env(QWENCHAT_BASE_URL=url))
    assert result.exit_code == 1
    found = statuses(result.stdout)
    assert found["endpoint"] == "FAIL"
    assert "request" not in found
    assert "cannot reach" in result.stdout


def test_missing_key_and_proxies_with_credentials(cli: Cli) -> None:
    env = cli.env(HTTPS_PROXY="http://user:hunter2@proxy.example:3128")
    del env["DASHSCOPE_API_KEY"]
    result = cli("doctor", env=env)
    assert result.exit_code == 1  # the test server wants its key
    assert statuses(result.stdout)["api key"] == "ok"  # a local server needs none
    assert "no key needed" in result.stdout
    assert "HTTPS_PROXY=http://***@proxy.example:3128" in result.stdout
    assert "hunter2" not in result.stdout


def test_native_api_path_fails_the_config_check(cli: Cli) -> None:
    env = cli.env(QWENCHAT_BASE_URL="https://dashscope.aliyuncs.com/api/v1")
    result = cli("doctor", env=env)
    assert result.exit_code == 1
    assert statuses(result.stdout)["config"] == "FAIL"
    assert "https://dashscope.aliyuncs.com/compatible-mode/v1" in result.stdout


@pytest.fixture
def regions() -> Iterator[tuple[FakeServer, FakeServer]]:
    with FakeServer(api_key=OTHER_KEY) as beijing, FakeServer(api_key=TEST_KEY) as singapore:
        yield beijing, singapore


def run(settings_for: Settings, urls: dict[str, str]) -> tuple[int, str, list[Check]]:
    lines: list[str] = []
    checks = list(diagnose(lambda: settings_for, environ={}, region_urls=urls))
    code = report(iter(checks), lines.append)
    return code, "".join(lines), checks


def test_wrong_region_names_the_region_the_key_belongs_to(
    regions: tuple[FakeServer, FakeServer], tmp_path: Path
) -> None:
    beijing, singapore = regions
    urls = {"cn": beijing.base_url, "intl": singapore.base_url}
    environ = {"HOME": str(tmp_path), "DASHSCOPE_API_KEY": TEST_KEY}
    settings = load_settings({"base_url": beijing.base_url}, environ, tmp_path)
    code, output, checks = run(settings, urls)
    assert code == 1
    region = [c for c in checks if c.name == "region"]
    assert region == [Check("FAIL", "region", "the key belongs to Singapore: use --region intl")]
    assert "DashScope China (Beijing)" in output
    assert singapore.chat_requests[0].headers["authorization"] == f"Bearer {TEST_KEY}"
    assert TEST_KEY not in output


def test_key_rejected_everywhere(regions: tuple[FakeServer, FakeServer], tmp_path: Path) -> None:
    beijing, singapore = regions
    urls = {"cn": beijing.base_url, "intl": singapore.base_url}
    environ = {"HOME": str(tmp_path), "DASHSCOPE_API_KEY": "sk-test-nobody-1111"}
    settings = load_settings({"base_url": singapore.base_url}, environ, tmp_path)
    code, output, _ = run(settings, urls)
    assert code == 1
    assert "rejected in every region" in output
    assert len(beijing.chat_requests) == 1
