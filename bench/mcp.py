"""MCP benchmark: what an MCP server costs `ask`, at start-up and per call.

Runs against the project's fake DashScope server (in its own process) and the reference
`mcp-server-time` over stdio, each program as a child process whose CPU time (its own and its
children's, the MCP server's included) and peak memory are read with wait4(). Medians.

    python bench/mcp.py            # 5 repeats
    python bench/mcp.py --quick    # 3 repeats

Scenarios: `--version`; `ask` against `ask --mcp time` when the model calls no tool (the
start-up of the SDK and the server); one call of the built-in `current_time` against one call
of the server's `get_current_time` (the cost of one MCP call, start-up included).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stream import KEY, ROOT, measure

# Answers "call" with one call of the tool named in the prompt, and a tool result with "done".
SERVER = r"""
import sys, json
sys.path.insert(0, sys.argv[1])
from tests.fakeserver import FakeServer, Reply

class Scripted(FakeServer):
    def _next_response(self, body):
        last = body["messages"][-1]
        if last["role"] == "tool":
            return Reply(answer="done")
        words = str(last.get("content", "")).split()
        if words[:1] == ["call"]:
            arguments = json.dumps({"timezone": "Asia/Shanghai"})
            return Reply(tool_calls=[{"id": "b1", "function": {"name": words[1],
                                                               "arguments": arguments}}])
        return Reply(answer="Hello there.")

server = Scripted(api_key=sys.argv[2])
server.start()
print("READY", server.base_url, flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def serve() -> Iterator[str]:
    argv = [sys.executable, "-c", SERVER, str(ROOT), KEY]
    server = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    try:
        yield server.stdout.readline().split()[1]
    finally:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    repeats = 3 if parser.parse_args().quick else 5
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, medians of {repeats}")
    with tempfile.TemporaryDirectory() as home, serve() as base_url:
        config = Path(home) / "config" / "qwenchat" / "config.toml"
        config.parent.mkdir(parents=True)
        args = json.dumps(["-m", "mcp_server_time", "--local-timezone", "UTC"])
        config.write_text(f"[mcp.time]\ncommand = {json.dumps(sys.executable)}\nargs = {args}\n")
        env = {
            "PATH": os.environ.get("PATH", ""), "HOME": home, "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_DATA_HOME": f"{home}/data", "DASHSCOPE_API_KEY": KEY,
            "QWENCHAT_BASE_URL": base_url, "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1",
        }  # fmt: skip
        qwenchat = [sys.executable, "-m", "qwenchat"]
        ask = [*qwenchat, "ask", "--yes-tools"]
        openai_only = [sys.executable, "-c", "import openai"]
        measure(
            "start-up (--version)",
            {"baseline": openai_only, "qwenchat": [*qwenchat, "--version"]},
            env, tty=False, repeats=repeats,
        )  # fmt: skip
        measure(
            "ask, no tool called",
            {"baseline": [*qwenchat, "ask", "hi"], "mcp": [*ask, "--mcp", "time", "hi"]},
            env, tty=False, repeats=repeats,
        )  # fmt: skip
        measure(
            "ask, one tool call",
            {
                "baseline": [*ask, "--tools", "call current_time"],
                "mcp": [*ask, "--mcp", "time", "call time__get_current_time"],
            },
            env, tty=False, repeats=repeats,
        )  # fmt: skip


if __name__ == "__main__":
    main()
