"""Hostile input on the command line: bad bytes, a bomb of a config file, a closed stdout,
a model that calls tools nobody turned on."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import Cli, assert_clean_failure
from tests.fakeserver import Reply


def test_a_prompt_that_is_not_utf8_is_one_line(hostile: Cli) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "qwenchat", "ask", b"caf\xe9 au lait"],
        capture_output=True, env=hostile.env(), timeout=60, check=False,
    )  # fmt: skip
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert "qwenchat: error: the prompt is not valid UTF-8 (character 4)" in stderr
    assert hostile.server.chat_requests == []


def test_a_deeply_nested_config_file_is_one_line(hostile: Cli) -> None:
    config = hostile.home / "config" / "qwenchat" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    for args in (("ask", "hi"), ("config",)):
        result = hostile(*args)
        assert_clean_failure(result, 2)
        assert "nested too deeply" in result.stderr
    doctor = hostile("doctor")
    assert doctor.exit_code == 1
    assert "FAIL  config    cannot read config file" in doctor.stdout
    assert "nested too deeply" in doctor.stdout


def test_a_closed_stdout_ends_quietly_and_the_turn_is_saved_cut_short(hostile: Cli) -> None:
    answer = "first line\n" + "more text\n" * 20_000  # more than a pipe holds
    command = f"{sys.executable} -m qwenchat ask -m long 'tell me' | head -1"
    hostile.server.enqueue(Reply(answer=answer, chunk_size=4096))
    done = subprocess.run(
        ["/bin/sh", "-c", command],
        capture_output=True, env=hostile.env(), timeout=60, check=False,
    )  # fmt: skip
    assert done.stdout == b"first line\n", done.stderr
    assert b"Traceback" not in done.stderr
    assert b"internal error" not in done.stderr
    assert done.stderr == b""
    listed = json.loads(hostile("sessions", "list", "--json").stdout)
    assert [s["title"] for s in listed] == ["tell me"]
    saved = json.loads(hostile("sessions", "export", "1", "-f", "json").stdout)
    kept = saved["turns"][0]["answer"]
    assert answer.startswith(kept)  # what arrived before the reader left ...
    assert len(kept) < len(answer)  # ... and no more: the rest was never read
    assert saved["turns"][0]["outcome"] == "interrupted"


@pytest.mark.parametrize("flags", [(), ("--yes-tools",)], ids=["no-flags", "yes-tools-alone"])
def test_a_tool_call_without_tools_says_why_nothing_ran(
    hostile: Cli, flags: tuple[str, ...]
) -> None:
    result = hostile("ask", *flags, "-m", "call:current_time:", "what time is it")
    assert result.exit_code == 0, result.stderr
    assert "the model asked to run current_time, but tools are off, so nothing ran" in result.stderr
    assert "add --tools" in result.stderr
    if flags:
        assert "--yes-tools alone does not turn them on" in result.stderr
    assert len(hostile.server.chat_requests) == 1  # nothing ran, nothing was sent back
