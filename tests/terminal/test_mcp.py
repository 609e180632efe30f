"""MCP servers as tools, end to end: the real CLI, real MCP servers, the fake DashScope server.

The servers are the reference `mcp-server-time` (installed from PyPI with the test extra) and
`tests/mcp_server.py`, built with the SDK's own server classes, over stdio and Streamable HTTP.
Each test runs qwenchat as its own process, as a user would, so that what it leaves running
when it exits can be checked.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, TEST_KEY, Cli, assert_clean_failure
from tests.fakeserver import Reply

SERVER = str(ROOT / "tests" / "mcp_server.py")


def write_config(cli: Cli, text: str) -> Path:
    path = cli.home / "config" / "qwenchat" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def stdio_server(name: str, mode: str = "plain", extra: str = "") -> str:
    return (
        f"[mcp.{name}]\ncommand = {json.dumps(sys.executable)}\n"
        f"args = [{json.dumps(SERVER)}, {json.dumps(mode)}]\n{extra}\n"
    )


def call(name: str, arguments: Any, call_id: str = "c1") -> Reply:
    text = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return Reply(tool_calls=[{"id": call_id, "function": {"name": name, "arguments": text}}])


def tool_messages(cli: Cli, index: int) -> list[dict[str, Any]]:
    return [m for m in cli.server.chat_requests[index].body["messages"] if m["role"] == "tool"]


def offered(cli: Cli) -> list[str]:
    return [t["function"]["name"] for t in cli.server.chat_requests[0].body["tools"]]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0].lower()
    except (OSError, IndexError):
        return "zombie"


def test_the_reference_time_server_answers_the_model(cli: Cli) -> None:
    write_config(
        cli,
        f"[mcp.time]\ncommand = {json.dumps(sys.executable)}\n"
        'args = ["-m", "mcp_server_time", "--local-timezone", "UTC"]\n',
    )
    cli.server.enqueue(
        call("time__get_current_time", {"timezone": "Asia/Shanghai"}), Reply(answer="Noon.")
    )
    result = cli.subprocess("ask", "--mcp", "time", "--yes-tools", "what time is it?")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "Noon.\n"
    assert {"time__get_current_time", "time__convert_time"} <= set(offered(cli))
    assert "current_time" in offered(cli)  # the built-ins are still there
    schema = cli.server.chat_requests[0].body["tools"][offered(cli).index("time__convert_time")]
    assert "[MCP time]" in schema["function"]["description"]
    assert schema["function"]["parameters"]["required"] == [
        "source_timezone", "time", "target_timezone",
    ]  # fmt: skip
    [message] = tool_messages(cli, 1)
    answer = json.loads(message["content"])
    assert answer["timezone"] == "Asia/Shanghai"
    assert answer["datetime"].endswith("+08:00")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[str]:
    """tests/mcp_server.py over Streamable HTTP on a free loopback port: its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, SERVER, "plain", "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "http.log").open("w"),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/mcp"
    process.terminate()
    process.wait(10)


def test_a_streamable_http_server_with_a_header_from_the_environment(
    cli: Cli, http_server: str
) -> None:
    write_config(
        cli,
        f'[mcp.web]\nurl = "{http_server}"\n'
        'headers = {Authorization = "Bearer ${WEB_TOKEN}"}\n',
    )
    cli.server.enqueue(
        call("web__echo", {"text": "ping", "times": 3}),
        call("web__authorization", {}, "c2"),
        Reply(answer="Pong."),
    )
    result = cli.subprocess(
        "ask", "--mcp", "web", "--yes-tools", "echo", env=cli.env(WEB_TOKEN="tok-123")
    )
    assert result.exit_code == 0, result.stderr
    assert tool_messages(cli, 1)[0]["content"] == "ping ping ping"
    assert tool_messages(cli, 2)[1]["content"] == "Bearer tok-123"  # ${WEB_TOKEN} expanded
    # an unset variable in a header is a configuration error, before anything is sent
    missing = cli.subprocess("ask", "--mcp", "web", "echo")
    assert_clean_failure(missing, 2)
    assert "${WEB_TOKEN} is not set" in missing.stderr


def test_a_stdio_server_sees_a_clean_environment_without_the_key(cli: Cli) -> None:
    write_config(cli, stdio_server("t", extra='env = {GREETING = "ni hao", HOME_TOO = "${HOME}"}'))
    cli.server.enqueue(call("t__environment", {}), Reply(answer="Seen."))
    result = cli.subprocess(
        "ask",
        "--mcp",
        "t",
        "--yes-tools",
        "env?",
        env=cli.env(SECRET_TOKEN="s3cret", LANG="C.UTF-8"),
    )
    assert result.exit_code == 0, result.stderr
    seen = json.loads(tool_messages(cli, 1)[0]["content"])
    assert "DASHSCOPE_API_KEY" not in seen
    assert TEST_KEY not in json.dumps(seen)
    assert "SECRET_TOKEN" not in seen
    assert "QWENCHAT_BASE_URL" not in seen
    assert seen["GREETING"] == "ni hao"
    assert seen["HOME_TOO"] == str(cli.home)
    assert seen["LANG"] == "C.UTF-8"
    assert {"PATH", "HOME"} <= set(seen)
    assert set(seen) <= {"PATH", "HOME", "LANG", "GREETING", "HOME_TOO", "LOGNAME", "SHELL",
                         "TERM", "USER"}  # fmt: skip


def test_arguments_that_do_not_fit_the_schema_go_back_to_the_model(cli: Cli) -> None:
    write_config(cli, stdio_server("t"))
    cli.server.enqueue(
        call("t__echo", {"text": "hi", "times": "many"}), Reply(answer="Sorry."),
    )  # fmt: skip
    result = cli.subprocess("ask", "--mcp", "t", "--yes-tools", "x")
    assert result.exit_code == 0, result.stderr
    [message] = tool_messages(cli, 1)
    assert message["content"].startswith("error: times do not match the tool's input schema")
    assert "'many' is not of type 'integer'" in message["content"]


def test_a_hung_server_ends_that_call_and_the_answer_goes_on(cli: Cli) -> None:
    write_config(cli, stdio_server("t", "hang", "timeout = 2"))
    cli.server.enqueue(call("t__wait", {"seconds": 1}), Reply(answer="It timed out."))
    started = time.monotonic()
    result = cli.subprocess("ask", "--mcp", "t", "--yes-tools", "wait")
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started < 40
    [message] = tool_messages(cli, 1)
    assert message["content"].startswith("error: McpError: MCP server t, tool wait:")
    assert "\n" not in message["content"]
    assert result.stdout == "It timed out.\n"


def test_a_crashing_server_ends_that_call_with_one_line(cli: Cli) -> None:
    write_config(cli, stdio_server("t"))
    cli.server.enqueue(
        call("t__crash", {}, "k1"), call("t__echo", {"text": "back"}, "k2"), Reply(answer="Ok.")
    )
    result = cli.subprocess("ask", "--mcp", "t", "--yes-tools", "crash")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    crashed = tool_messages(cli, 1)[0]["content"]
    assert crashed.startswith("error: McpError: MCP server t, tool crash:")
    assert "\n" not in crashed
    # the next call starts the server again
    assert tool_messages(cli, 2)[1]["content"] == "back"


def test_a_server_flooding_stderr_writes_to_its_log_not_the_terminal(cli: Cli) -> None:
    write_config(cli, stdio_server("t", "flood"))
    cli.server.enqueue(call("t__echo", {"text": "quiet"}), Reply(answer="Done."))
    result = cli.subprocess("ask", "--mcp", "t", "--yes-tools", "x")
    assert result.exit_code == 0, result.stderr
    assert "noise" not in result.stderr + result.stdout
    log = cli.home / "data" / "qwenchat" / "mcp" / "t.log"
    assert log.stat().st_size > 2_000_000
    assert tool_messages(cli, 1)[0]["content"] == "quiet"


def test_a_10_mb_result_is_cut_with_a_note(cli: Cli) -> None:
    write_config(cli, stdio_server("t", extra="max_result_chars = 5000"))
    cli.server.enqueue(call("t__big", {}), Reply(answer="Long."))
    result = cli.subprocess("ask", "--mcp", "t", "--yes-tools", "x")
    assert result.exit_code == 0, result.stderr
    content = tool_messages(cli, 1)[0]["content"]
    assert content.startswith("x" * 5000 + "\n[truncated: the result was 10,485,760 characters]")
    assert len(content) < 5100


def test_a_deeply_nested_schema_leaves_that_tool_out(cli: Cli) -> None:
    write_config(cli, stdio_server("t", "deep"))
    cli.server.enqueue(Reply(answer="Hi."))
    result = cli.subprocess("ask", "--mcp", "t", "hello")
    assert result.exit_code == 0, result.stderr
    assert "t__nested" not in offered(cli)
    assert "t__echo" in offered(cli)
    assert "tool 'nested' left out: its input schema is nested more than 24 levels" in result.stderr


def test_a_server_that_cannot_start_is_one_line_naming_its_log(cli: Cli) -> None:
    write_config(cli, '[mcp.gone]\ncommand = "/nonexistent/mcp-server"\n')
    result = cli.subprocess("ask", "--mcp", "gone", "x")
    assert_clean_failure(result, 1)
    assert "MCP server gone did not start" in result.stderr
    assert cli.server.chat_requests == []


def test_configuration_mistakes_are_usage_errors(cli: Cli) -> None:
    write_config(cli, stdio_server("t"))
    unknown = cli.subprocess("ask", "--mcp", "nope", "x")
    assert_clean_failure(unknown, 2)
    assert "no MCP server 'nope' is configured (configured: t)" in unknown.stderr
    write_config(cli, '[mcp.both]\ncommand = "x"\nurl = "http://127.0.0.1:1/mcp"\n')
    both = cli.subprocess("mcp", "list")
    assert_clean_failure(both, 2)
    assert "give either command (stdio) or url (Streamable HTTP)" in both.stderr


def test_a_dotenv_file_cannot_add_a_server(cli: Cli) -> None:
    (Path.cwd() / ".env").write_text(
        "QWENCHAT_MCP=evil\nXDG_CONFIG_HOME=/tmp/elsewhere\nmcp.evil.command=/bin/sh\n"
    )
    result = cli.subprocess("mcp", "list")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("no MCP servers: add an [mcp.NAME] table to ")
    assert str(cli.home / "config" / "qwenchat" / "config.toml") in result.stdout


def test_mcp_list_tools_and_check(cli: Cli) -> None:
    write_config(cli, stdio_server("t") + '[mcp.web]\nurl = "http://127.0.0.1:9/mcp"\n')
    listed = cli.subprocess("mcp", "list")
    assert listed.exit_code == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        f"t  stdio  {sys.executable} {SERVER} plain", "web  http  http://127.0.0.1:9/mcp",
    ]  # fmt: skip
    tools = cli.subprocess("mcp", "tools", "t")
    assert tools.exit_code == 0, tools.stderr
    assert "t__echo  [MCP t] Repeat the text." in tools.stdout.splitlines()
    checked = cli.subprocess("mcp", "check", "t")
    assert checked.stdout == "t: ok — 5 tools\n"
    failed = cli.subprocess("mcp", "check", "web")
    assert_clean_failure(failed, 1)
    assert "MCP server web did not start" in failed.stderr


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_a_call_leaves_no_server_running(cli: Cli, tmp_path: Path, how: int) -> None:
    pids = tmp_path / "pids"
    write_config(cli, stdio_server("t", "hang", f'env = {{PID_FILE = "{pids}"}}'))
    cli.server.enqueue(call("t__wait", {"seconds": 1}), Reply(answer="never"))
    process = subprocess.Popen(
        [sys.executable, "-m", "qwenchat", "ask", "--mcp", "t", "--yes-tools", "x"],
        env=cli.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 40
    while len(cli.server.chat_requests) < 1 or not pids.exists():
        assert time.monotonic() < deadline, "the call never started"
        time.sleep(0.2)
    time.sleep(1.5)  # the call is under way, the server hangs in it
    [pid] = [int(p) for p in pids.read_text().split()]
    assert alive(pid)
    process.send_signal(how)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == (130 if how == signal.SIGINT else 128 + signal.SIGTERM)
    assert b"Traceback" not in stderr
    assert not alive(pid)


def test_without_the_sdk_the_error_says_how_to_install_it(cli: Cli, tmp_path: Path) -> None:
    shadow = tmp_path / "no_sdk" / "mcp"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named mcp')\n")
    write_config(cli, stdio_server("t"))
    env = cli.env(PYTHONPATH=f"{shadow.parent}{os.pathsep}{ROOT}")
    result = cli.subprocess("ask", "--mcp", "t", "hi", env=env)
    assert_clean_failure(result, 1)
    assert "MCP support is not installed" in result.stderr
    assert "pip install 'qwenchat[mcp]'" in result.stderr
    assert cli.subprocess("ask", "hi", env=env).exit_code == 0  # without --mcp: unchanged


def test_plain_runs_never_import_the_sdk(cli: Cli) -> None:
    write_config(cli, stdio_server("t"))
    code = (
        "import sys\nfrom qwenchat.cli.app import main\n"
        "sys.argv = ['qwenchat', 'ask', 'hi']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('mcp', 'mcp_types', 'jsonschema') if m in sys.modules),"
        " file=sys.stderr)\n"
    )
    cli.server.enqueue(Reply(answer="Hi."))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=cli.env(), check=False
    )
    assert done.stderr.splitlines()[-1] == "[]", done.stderr
