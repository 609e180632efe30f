"""The names MCP tools are offered under: always ones DashScope accepts, never clashing."""

from __future__ import annotations

import re


def test_tool_names_are_ones_dashscope_accepts() -> None:
    from qwenchat.mcp.names import MAX_NAME, RESERVED, tool_name

    pattern = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
    assert tool_name("time", "get_current_time") == "time__get_current_time"
    odd = tool_name("fs", "read file.v2/ü")
    assert pattern.match(odd)
    assert odd.startswith("fs__read_file_v2__")
    long = tool_name("server", "t" * 100)
    assert pattern.match(long)
    assert len(long) == MAX_NAME
    assert long != tool_name("server", "t" * 99)
    taken = tool_name("a", "b", taken=["a__b"])
    assert taken != "a__b"
    assert taken.startswith("a__b_")
    names = [tool_name(s, t) for s in ("web", "search", "x") for t in ("search", "", "_search")]
    assert all("__" in n and n not in RESERVED and pattern.match(n) for n in names)
    assert len(set(names)) == len(names)
